"""The reminder sweep and delivery (DESIGN section 3 and 8). Services flush, never commit.

plan():        for every ticket whose deadline matters now and has no reminder row for its CURRENT value,
               store the first pending point of the chain and the escalate point (ON CONFLICT DO NOTHING).
due_reminders(): pending rows whose time has come (FOR UPDATE SKIP LOCKED on PostgreSQL).
deliver():     claims the row with ``UPDATE ... SET sent_at WHERE sent_at IS NULL`` (a job run twice
               delivers once), re-checks the ticket, notifies, escalates (督办) and stores the successor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session

from hotline.clock import local
from hotline.deadlines.policy import ReminderPoint
from hotline.departments.models import Department
from hotline.departments.roles import Role
from hotline.notify.service import Audience, Message, notify, users_with_role
from hotline.reminders.models import Reminder
from hotline.reminders.points import (
    ESCALATE,
    LABELS,
    SPECS,
    DeadlineSpec,
    all_points,
    is_clock,
    next_in_chain,
    split,
)
from hotline.tickets.enums import Action, Status
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.transitions import MOVES, Rules, transition
from hotline.upsert import insert_ignore, skip_locked

log = logging.getLogger(__name__)
DEFAULT_OVERDUE_NOTICES = 7


@dataclass
class Delivery:
    """What one delivery did: "sent", "skipped:<reason>" or "already_done"; outbox ids to send after commit."""

    outcome: str
    outbox_ids: list[int] = field(default_factory=list)
    escalated: bool = False


def _row(ticket_id: int, spec: DeadlineSpec, due: datetime, start: datetime, kind: str, at: datetime,
         now: datetime, *, skip: str | None = None) -> dict[str, Any]:
    return {"ticket_id": ticket_id, "deadline": spec.name, "kind": kind, "deadline_at": due, "start_at": start,
            "remind_at": at, "created_at": now, "attempts": 0, "sent_at": None,
            "skipped_at": now if skip else None, "skip_reason": skip}


def _reopened_at(session: Session, ticket_ids: list[int]) -> dict[int, datetime]:
    """When each reopened ticket was last sent back to the unit by a dissatisfied follow-up."""
    if not ticket_ids:
        return {}
    rows = session.execute(select(TicketEvent.ticket_id, func.max(TicketEvent.at))
                           .where(TicketEvent.ticket_id.in_(ticket_ids),
                                  TicketEvent.action == Action.FOLLOW_UP.value,
                                  TicketEvent.to_status == Status.IN_PROGRESS.value)
                           .group_by(TicketEvent.ticket_id))
    return {tid: at for tid, at in rows}


def start_of(spec: DeadlineSpec, ticket: Ticket, due: datetime, reopened: datetime | None) -> datetime:
    """Where the limit of a deadline was counted from (its 75 % point depends on it)."""
    if spec.name == "follow_up":
        start = ticket.replied_at or ticket.accepted_at
    else:
        start = ticket.dispatched_at
        if spec.name == "reply" and reopened is not None and (start is None or reopened > start):
            start = reopened
    return min(start or due, due)


def plan(session: Session, *, rules: Rules, overdue_notices: int = DEFAULT_OVERDUE_NOTICES,
         batch: int = 500) -> int:
    """Store reminder rows for deadlines that have none for their current value; returns rows inserted."""
    inserted = 0
    for spec in SPECS.values():
        column = getattr(Ticket, spec.column)
        planned = exists().where(Reminder.ticket_id == Ticket.id, Reminder.deadline == spec.name,
                                 Reminder.deadline_at == column)
        last_id = 0
        while True:
            tickets = list(session.scalars(
                select(Ticket).where(Ticket.status.in_(sorted(spec.active)), column.is_not(None), ~planned,
                                     Ticket.id > last_id).order_by(Ticket.id).limit(batch)))
            if not tickets:
                break
            last_id = tickets[-1].id
            reopened = _reopened_at(session, [t.id for t in tickets if t.reopen_count])
            rows: list[dict[str, Any]] = []
            for ticket in tickets:
                due = spec.due_of(ticket)
                assert due is not None
                start = start_of(spec, ticket, due, reopened.get(ticket.id))
                chain, escalate = split(all_points(start=start, due=due, clock=is_clock(spec, ticket, rules.limits),
                                                   calendar=rules.calendar, limits=rules.limits,
                                                   overdue_notices=overdue_notices))
                first, superseded = next_in_chain(chain, after=None, now=rules.now)
                rows += [_row(ticket.id, spec, due, start, p.kind, p.at, rules.now, skip="superseded")
                         for p in superseded]
                if first is not None:
                    rows.append(_row(ticket.id, spec, due, start, first.kind, first.at, rules.now))
                rows.append(_row(ticket.id, spec, due, start, ESCALATE, escalate.at, rules.now))
            inserted += insert_ignore(session, Reminder, rows)
            if len(tickets) < batch:
                break
    session.flush()
    return inserted


def due_reminders(session: Session, *, now: datetime, limit: int = 1000) -> list[int]:
    """Pending reminders whose time has come, oldest first (rows locked with SKIP LOCKED on PostgreSQL)."""
    query = (select(Reminder.id)
             .where(Reminder.sent_at.is_(None), Reminder.skipped_at.is_(None), Reminder.remind_at <= now)
             .order_by(Reminder.remind_at, Reminder.id).limit(limit))
    return list(session.scalars(skip_locked(session, query, of=Reminder)))


def _claim(session: Session, reminder_id: int, now: datetime) -> Reminder | None:
    result = session.execute(
        update(Reminder).where(Reminder.id == reminder_id, Reminder.sent_at.is_(None),
                               Reminder.skipped_at.is_(None))
        .values(sent_at=now, attempts=Reminder.attempts + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(Reminder, reminder_id, populate_existing=True)


def _skip(reminder: Reminder, reason: str, now: datetime) -> None:
    reminder.sent_at, reminder.skipped_at, reminder.skip_reason = None, now, reason


def deliver(session: Session, reminder_id: int, *, rules: Rules, overdue_notices: int = DEFAULT_OVERDUE_NOTICES,
            contacts: dict[str, dict[str, str]] | None = None) -> Delivery:
    """Deliver one reminder exactly once, or skip it when its deadline moved or no longer matters."""
    now = rules.now
    reminder = _claim(session, reminder_id, now)
    if reminder is None:
        return Delivery("already_done")
    ticket = session.get(Ticket, reminder.ticket_id)
    spec = SPECS[reminder.deadline]
    if ticket is None or spec.due_of(ticket) != reminder.deadline_at:
        _skip(reminder, "moved", now)  # a new chain exists (or will) for the new value
        session.flush()
        return Delivery("skipped:moved")
    if ticket.status not in spec.active:
        paused = ticket.status in spec.paused
        _skip(reminder, "paused" if paused else "not_open", now)
        if paused:
            _store_successor(session, reminder, ticket, spec, rules, overdue_notices)
        session.flush()
        return Delivery(f"skipped:{reminder.skip_reason}")
    later = _later_due(session, reminder, ticket, spec, rules, overdue_notices)
    if later is not None:  # a later point is due already: send that one instead of a stale notice
        _skip(reminder, "superseded", now)
        session.flush()
        return deliver(session, later, rules=rules, overdue_notices=overdue_notices, contacts=contacts)
    result = Delivery("sent")
    result.outbox_ids = _notify(session, reminder, ticket, spec, now, contacts)
    if reminder.kind == ESCALATE and ticket.status in MOVES[Action.SUPERVISE].sources:
        transition(session, ticket=ticket, action=Action.SUPERVISE, actor=None, rules=rules,
                   data={"system": True}, note=f"{LABELS[spec.name]}超期一个工作日，系统自动督办")
        result.escalated = True
    _store_successor(session, reminder, ticket, spec, rules, overdue_notices)
    session.flush()
    return result


def _chain(reminder: Reminder, ticket: Ticket, spec: DeadlineSpec, rules: Rules, overdue_notices: int
           ) -> list[ReminderPoint]:
    if reminder.kind == ESCALATE:
        return []
    chain, _escalate = split(all_points(start=reminder.start_at, due=reminder.deadline_at,
                                        clock=is_clock(spec, ticket, rules.limits), calendar=rules.calendar,
                                        limits=rules.limits, overdue_notices=overdue_notices))
    return chain if reminder.kind in [p.kind for p in chain] else []


def _store_successor(session: Session, reminder: Reminder, ticket: Ticket, spec: DeadlineSpec, rules: Rules,
                     overdue_notices: int) -> int | None:
    """Store the next point of the chain (superseded ones as skipped); its id when it is due already."""
    chain = _chain(reminder, ticket, spec, rules, overdue_notices)
    if not chain:
        return None
    nxt, superseded = next_in_chain(chain, after=reminder.kind, now=rules.now)
    rows = [_row(ticket.id, spec, reminder.deadline_at, reminder.start_at, p.kind, p.at, rules.now,
                 skip="superseded") for p in superseded]
    if nxt is not None:
        rows.append(_row(ticket.id, spec, reminder.deadline_at, reminder.start_at, nxt.kind, nxt.at, rules.now))
    insert_ignore(session, Reminder, rows)
    if nxt is None or nxt.at > rules.now:
        return None
    return session.scalar(select(Reminder.id).where(Reminder.ticket_id == ticket.id, Reminder.deadline == spec.name,
                                                    Reminder.deadline_at == reminder.deadline_at,
                                                    Reminder.kind == nxt.kind))


def _later_due(session: Session, reminder: Reminder, ticket: Ticket, spec: DeadlineSpec, rules: Rules,
               overdue_notices: int) -> int | None:
    """When a later point of the chain is due already, store it (and skip those between); its id."""
    chain = _chain(reminder, ticket, spec, rules, overdue_notices)
    kinds = [p.kind for p in chain]
    if not chain or not any(p.at <= rules.now for p in chain[kinds.index(reminder.kind) + 1:]):
        return None
    return _store_successor(session, reminder, ticket, spec, rules, overdue_notices)


def text_of(reminder: Reminder, ticket: Ticket, spec: DeadlineSpec) -> tuple[str, str]:
    """The title and body of a reminder, in Chinese, with the deadline in Asia/Shanghai time."""
    what = LABELS[spec.name]
    due = f"{local(reminder.deadline_at):%m月%d日 %H:%M}"
    number = ticket.number or str(ticket.id)
    kind = reminder.kind
    if kind == "warning":
        title = f"【临期提醒】工单 {number} {what}期限 {due} 即将到期"
    elif kind == "due":
        title = f"【超期】工单 {number} 已到{what}期限 {due}"
    elif kind == ESCALATE:
        title = f"【督办】工单 {number} {what}超期一个工作日（期限 {due}），已转督办"
    else:
        title = f"【超期第{kind.removeprefix('overdue_')}天】工单 {number} {what}期限 {due} 已过"
    return title, f"{title}。诉求：{(ticket.content or '')[:80]}"


def _notify(session: Session, reminder: Reminder, ticket: Ticket, spec: DeadlineSpec, now: datetime,
            contacts: dict[str, dict[str, str]] | None) -> list[int]:
    title, body = text_of(reminder, ticket, spec)
    departments: tuple[Department, ...] = ()
    users = ()
    if spec.audience == "department":
        departments = (ticket.department,) if ticket.department is not None else ()
    else:
        users = users_with_role(session, Role(spec.audience.removeprefix("role:")))
    if reminder.kind == ESCALATE:
        users = users + users_with_role(session, Role.SUPERVISOR)
    category = reminder.kind if reminder.kind in ("warning", "due", ESCALATE) else "overdue"
    message = Message(kind=f"reminder_{category}", title=title, body=body, ticket_id=ticket.id,
                      data={"deadline": spec.name, "kind": reminder.kind, "reminder_id": reminder.id,
                            "deadline_at": reminder.deadline_at.isoformat()})
    return notify(session, key=f"reminder:{reminder.id}", audience=Audience(departments, tuple(users)),
                  message=message, now=now, contacts=contacts)


def record_error(session: Session, reminder_id: int, error: Exception, *, now: datetime, max_attempts: int
                 ) -> bool:
    """After a failed delivery (rolled back): count the attempt; give up after max_attempts. True = gave up."""
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or reminder.sent_at is not None or reminder.skipped_at is not None:
        return False
    reminder.attempts += 1
    reminder.last_error = f"{type(error).__name__}: {error}"[:2000]
    if reminder.attempts >= max_attempts:
        _skip(reminder, "failed", now)
    session.flush()
    return reminder.skipped_at is not None


def pending_count(session: Session, *, now: datetime) -> int:
    """Reminders due and not yet handled (for health and the benchmark)."""
    return session.scalar(select(func.count()).where(and_(Reminder.sent_at.is_(None),
                                                          Reminder.skipped_at.is_(None),
                                                          Reminder.remind_at <= now))) or 0
