"""The rate facts table kept current: every move rewrites its ticket's facts in the same transaction
(a just-received ticket's at the commit, after a dispatch in that transaction replaced them, unless a later
move writes them first).

The facts are the ones facts.py derives from the ticket and its events, computed over all time; a
period's figures are then a GROUP BY over the rows whose moment falls in it (fact_queries.py), equal
to the one-pass engine's by construction (tests/supervision/test_fact_table.py checks it on a history).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session, SessionTransaction

from hotline.db import transaction_note
from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import TimeLimits
from hotline.deadlines.service import YearLimits, year_limits
from hotline.held import before_writing, insert_together
from hotline.supervision import rollup
from hotline.supervision.counts import COUNTS
from hotline.supervision.facts import Fact, facts_from_rows, facts_of
from hotline.supervision.models import rate_days, rate_facts
from hotline.supervision.periods import Period
from hotline.tickets.enums import Action, Status
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.transitions import Rules, on_move

ALL_TIME = Period(date(2000, 1, 1), date(2100, 12, 30))
DEFAULT_REPEAT_TIMES = 2
REBUILD_CHUNK = 2000
ZERO = dict.fromkeys(COUNTS, 0)  # every row names every count (one executemany shape)


def repeat_times() -> int:
    """How many dissatisfied follow-ups make a repeat (the app's setting, or the default outside one)."""
    if has_app_context():
        return int(current_app.config["SUPERVISION"]["repeat_dissatisfied_times"])
    return DEFAULT_REPEAT_TIMES


def fact_row(fact: Fact) -> dict[str, Any]:
    """The table row of one fact: its cohort, moment, groups and counts."""
    return {"ticket_id": fact.ticket_id, "cohort": next(iter(fact.counts)), "at": fact.at,
            "department": fact.department, "district": fact.district, "kind": fact.kind, "channel": fact.channel,
            **ZERO, **fact.counts}


def refresh(session: Session, *, ticket_ids: Iterable[int], calendar: WorkCalendar, limits: TimeLimits | YearLimits,
            repeat: int | None = None) -> int:
    """Rewrite the facts of these tickets from their current state and events; flush only."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    _written(session, ids)
    facts = facts_of(session, ticket_ids=ids, period=ALL_TIME, now=ALL_TIME.end, calendar=calendar, limits=limits,
                     repeat_times=repeat_times() if repeat is None else repeat)
    return _replace(session, ticket_ids=ids, rows=[fact_row(f) for f in facts])


def _replace(session: Session, *, ticket_ids: list[int], rows: list[dict[str, Any]]) -> int:
    """Swap the stored facts of these tickets for `rows` and append the roll-up's difference; flush only."""
    removed = session.execute(delete(rate_facts).where(rate_facts.c.ticket_id.in_(ticket_ids))
                              .returning(*(rate_facts.c[c] for c in rollup.FACT_COLUMNS))).mappings().all()
    insert_together(session, [(rate_facts, rows), (rate_days, rollup.differences(removed=removed, added=rows))],
                    hold=False)  # a later move may replace them in this transaction: they must be stored
    return len(rows)


# session.info: tickets received in the open transaction -> their read events
IN_HAND = transaction_note("rate_facts_in_hand")


def after_move(session: Session, ticket: Ticket, event: TicketEvent, rules: Rules) -> None:
    """Bookkeeping of every move: the ticket's facts (and a merge primary's citizens) rewritten."""
    in_hand: dict[int, list[Any]] = session.info.setdefault(IN_HAND, {})
    if event.action == Action.RECEIVE.value and _plain_new(ticket):
        _write_received(session, ticket=ticket, rules=rules)
        in_hand[ticket.id] = []  # 受理 is no event the facts read
        return
    if event.action == Action.DISPATCH.value and ticket.id in in_hand and _counted(ticket):
        _rewrite_in_hand(session, ticket=ticket, event=event, events=in_hand[ticket.id], rules=rules)
        return
    in_hand.pop(ticket.id, None)
    ids = [ticket.id]
    if event.action == Action.MERGE.value and ticket.merged_into_id is not None:
        in_hand.pop(ticket.merged_into_id, None)  # its citizens are counted from the database from now on
        ids.append(ticket.merged_into_id)
    refresh(session, ticket_ids=ids, calendar=rules.calendar, limits=year_limits(session))


def _counted(ticket: Ticket) -> bool:
    """Counted in the rates, and not a knowledge-base answer (whose department is the article's)."""
    return (ticket.kb_article_id is None and not ticket.invalid and not ticket.excluded
            and ticket.merged_into_id is None and ticket.status != Status.MERGED)


def _plain_new(ticket: Ticket) -> bool:
    """A just-received ticket that no other row names yet and that counts in the rates as it stands."""
    return ticket.department_id is None and _counted(ticket)


def _row(ticket: Ticket, *, code: str | None) -> SimpleNamespace:
    """The ticket as `facts._tickets_query` would read it back (enum members as the stored strings)."""
    return SimpleNamespace(id=ticket.id, code=code, answered_by=None, district=ticket.district,
                           kind=_plain(ticket.kind), channel=_plain(ticket.channel), urgency=_plain(ticket.urgency),
                           received_at=ticket.received_at, reply_due_at=ticket.reply_due_at,
                           replied_at=ticket.replied_at, close_reason=_plain(ticket.close_reason))


def _facts_rows(session: Session, ticket: Ticket, *, code: str | None, events: list[Any],
                rules: Rules) -> list[dict[str, Any]]:
    # every year's limits, as `refresh` judges them (the rules carry only the limits of the move's year)
    facts = facts_from_rows(tickets=[_row(ticket, code=code)], events={ticket.id: events}, period=ALL_TIME,
                            now=ALL_TIME.end, calendar=rules.calendar, limits=year_limits(session),
                            repeat_times=repeat_times())
    return [fact_row(f) for f in facts]


def _write_received(session: Session, *, ticket: Ticket, rules: Rules) -> None:
    """The facts of a ticket just received, from the ticket in hand: no facts of it are stored yet, no
    ticket is merged into it and 受理 is no event the facts read, so `refresh`'s DELETE and its three
    SELECTs would find nothing but this row (the same `facts_from_rows` derives it).

    They are held until the transaction commits: most tickets are dispatched in the transaction that
    receives them, and the dispatch's facts then replace these before either is written."""
    rows = _facts_rows(session, ticket, code=None, events=[], rules=rules)
    if rows:
        session.info.setdefault(PENDING, {})[ticket.id] = Pending(rows, created_in=session.get_nested_transaction())


def _rewrite_in_hand(session: Session, *, ticket: Ticket, event: TicketEvent, events: list[Any],
                     rules: Rules) -> None:
    """A dispatch of a ticket received in this transaction: its whole course is in hand (受理 and the moves
    since, none merged into it), so its facts are derived without `refresh`'s three SELECTs."""
    events.append(SimpleNamespace(ticket_id=ticket.id, at=event.at, action=event.action,
                                  payload=json.dumps(event.payload or {}, ensure_ascii=False)))
    department = ticket.department
    rows = _facts_rows(session, ticket, code=department.code if department is not None else None, events=events,
                       rules=rules)
    pending = session.info.get(PENDING, {}).get(ticket.id)
    if pending is None or pending.written:
        _replace(session, ticket_ids=[ticket.id], rows=rows)
        return
    # Nothing of it stored yet: the dispatch's facts take the received ones' place, held for the commit's
    # one statement like them (a savepoint undoing the dispatch brings the received ones back).
    pending.earlier.append((session.get_nested_transaction(), pending.rows))
    pending.rows = rows


# session.info: facts of tickets received in the open transaction, held until it commits (ticket id -> Pending).
# A savepoint rolled back must bring back what it undid, not forget the rest (`_undo_pending`).
PENDING = transaction_note("rate_facts_pending", mended_on_rollback=True)


@dataclass
class Pending:
    """A received ticket's facts not yet written, and where the ticket and its first written facts were."""

    rows: list[dict[str, Any]]
    created_in: SessionTransaction | None  # the savepoint it was received in (None: outside any)
    written: bool = False
    written_in: SessionTransaction | None = None  # the savepoint of the first write of its facts
    # the rows a later move in this transaction replaced, and the savepoint it was in (the last one last)
    earlier: list[tuple[SessionTransaction | None, list[dict[str, Any]]]] = field(default_factory=list)


def _written(session: Session, ticket_ids: Iterable[int]) -> None:
    """These tickets' facts are being written here: their received facts must no longer be."""
    pending = session.info.get(PENDING)
    if not pending:
        return
    for ticket_id in ticket_ids:
        held = pending.get(ticket_id)
        if held is not None and not held.written:
            held.written, held.written_in = True, session.get_nested_transaction()


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def write_pending(session: Session) -> None:
    """Write the held facts of the tickets received in this transaction (its commit calls this: `install`)."""
    rows = [row for pending in session.info.pop(PENDING, {}).values() if not pending.written for row in pending.rows]
    # none of these tickets has facts stored, and nothing can replace them after the commit: held for its
    # one statement where the transaction holds (hotline.held)
    insert_together(session, [(rate_facts, rows), (rate_days, rollup.differences(added=rows))])


@event.listens_for(Session, "after_soft_rollback")
def _undo_pending(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(PENDING)
    if not pending or previous.parent is None:  # the whole transaction rolled back: its end forgets them
        return
    for ticket_id, held in list(pending.items()):
        if _inside(held.created_in, previous):  # the ticket itself is undone
            del pending[ticket_id]
            continue
        if held.written and _inside(held.written_in, previous):  # its written facts are undone
            held.written, held.written_in = False, None
        while held.earlier and _inside(held.earlier[-1][0], previous):  # a replacement is undone
            held.rows = held.earlier.pop()[1]


def _plain(value: Any) -> Any:
    return str(value) if value is not None else None  # enum members stored as the strings a query returns


def install() -> None:
    """Register the bookkeeping with the transition function (idempotent; create_app calls it)."""
    on_move(after_move)
    before_writing(write_pending)  # every commit writes the facts; an intake's, with its other held rows


def rebuild_all(session: Session, *, calendar: WorkCalendar, limits: TimeLimits | YearLimits,
                commit: bool = False) -> int:
    """Rewrite every ticket's facts (after the migration that adds the table, or to check); returns rows."""
    rows, last = 0, 0
    while True:
        ids = list(session.scalars(select(Ticket.id).where(Ticket.id > last).order_by(Ticket.id)
                                   .limit(REBUILD_CHUNK)))
        if not ids:
            return rows
        rows += refresh(session, ticket_ids=ids, calendar=calendar, limits=limits)
        last = ids[-1]
        if commit:
            session.commit()

