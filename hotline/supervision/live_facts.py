"""The rate facts table kept current: every move rewrites its ticket's facts in the same transaction.

The facts are the ones facts.py derives from the ticket and its events, computed over all time; a
period's figures are then a GROUP BY over the rows whose moment falls in it (fact_queries.py), equal
to the one-pass engine's by construction (tests/supervision/test_fact_table.py checks it on a history).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import TimeLimits
from hotline.supervision.counts import COUNTS
from hotline.supervision.facts import Fact, facts_from_rows, facts_of
from hotline.supervision.models import rate_facts
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


def refresh(session: Session, *, ticket_ids: Iterable[int], calendar: WorkCalendar, limits: TimeLimits,
            repeat: int | None = None) -> int:
    """Rewrite the facts of these tickets from their current state and events; flush only."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    session.execute(delete(rate_facts).where(rate_facts.c.ticket_id.in_(ids)))
    facts = facts_of(session, ticket_ids=ids, period=ALL_TIME, now=ALL_TIME.end, calendar=calendar, limits=limits,
                     repeat_times=repeat_times() if repeat is None else repeat)
    if facts:
        session.execute(insert(rate_facts), [fact_row(f) for f in facts])
    return len(facts)


def after_move(session: Session, ticket: Ticket, event: TicketEvent, rules: Rules) -> None:
    """Bookkeeping of every move: the ticket's facts (and a merge primary's citizens) rewritten."""
    if event.action == Action.RECEIVE.value and _plain_new(ticket):
        _write_received(session, ticket=ticket, rules=rules)
        return
    ids = [ticket.id]
    if event.action == Action.MERGE.value and ticket.merged_into_id is not None:
        ids.append(ticket.merged_into_id)
    refresh(session, ticket_ids=ids, calendar=rules.calendar, limits=rules.limits)


def _plain_new(ticket: Ticket) -> bool:
    """A just-received ticket that no other row names yet and that counts in the rates as it stands."""
    return (ticket.department_id is None and ticket.kb_article_id is None and not ticket.invalid
            and not ticket.excluded and ticket.merged_into_id is None and ticket.status != Status.MERGED)


def _write_received(session: Session, *, ticket: Ticket, rules: Rules) -> None:
    """The facts of a ticket just received, from the ticket in hand: no facts of it are stored yet, no
    ticket is merged into it and 受理 is no event the facts read, so `refresh`'s DELETE and its three
    SELECTs would find nothing but this row (the same `facts_from_rows` derives it)."""
    row = SimpleNamespace(id=ticket.id, code=None, answered_by=None, district=ticket.district,
                          kind=_plain(ticket.kind), channel=_plain(ticket.channel), urgency=_plain(ticket.urgency),
                          received_at=ticket.received_at, reply_due_at=ticket.reply_due_at,
                          replied_at=ticket.replied_at, close_reason=_plain(ticket.close_reason))
    facts = facts_from_rows(tickets=[row], events={}, period=ALL_TIME, now=ALL_TIME.end, calendar=rules.calendar,
                            limits=rules.limits, repeat_times=repeat_times())
    if facts:
        session.execute(insert(rate_facts), [fact_row(f) for f in facts])


def _plain(value: Any) -> Any:
    return str(value) if value is not None else None  # enum members stored as the strings a query returns


def install() -> None:
    """Register the bookkeeping with the transition function (idempotent; create_app calls it)."""
    on_move(after_move)


def dispatched_since(session: Session, *, day: date) -> list[int]:
    """Tickets dispatched on or after a day (their response limits depend on the calendar from then)."""
    start = Period(day, day).start
    return list(session.scalars(select(TicketEvent.ticket_id).where(
        TicketEvent.action == Action.DISPATCH.value, TicketEvent.at >= start).distinct()))


def after_calendar_change(session: Session, *, first_day: date, rules: Rules) -> int:
    """Official days entered: refresh the facts whose response limit may cross them (a margin of 15 days)."""
    ids = dispatched_since(session, day=first_day - timedelta(days=15))
    return sum(refresh(session, ticket_ids=ids[i:i + REBUILD_CHUNK], calendar=rules.calendar, limits=rules.limits)
               for i in range(0, len(ids), REBUILD_CHUNK))


def rebuild_all(session: Session, *, calendar: WorkCalendar, limits: TimeLimits, commit: bool = False) -> int:
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

