"""The dispatcher's work queues: waiting for dispatch, returns to rule on, replies to review, duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.errors import Forbidden
from hotline.supervision.duplicates import at_intake
from hotline.tickets.enums import Action, Status
from hotline.tickets.models import Ticket, TicketEvent

WAITING = (Status.RECEIVED.value, Status.PENDING_DISPATCH.value)
QUEUE_STATUSES = {"dispatch": WAITING, "returns": (Status.RETURNED.value,), "review": (Status.REPLIED.value,)}
QUEUE_ORDER = ("dispatch", "returns", "review", "duplicates")
# How many of the oldest waiting tickets the duplicate queue looks at (each needs a similarity search).
DUPLICATE_SCAN = 100


@dataclass
class DeskItem:
    """A ticket in a queue, with what the dispatcher rules on (the return asked, possible duplicates)."""

    ticket: Ticket
    returned: dict[str, Any] | None = None
    duplicates: list[dict[str, Any]] | None = None


def _check(user: User) -> None:
    if user.role == Role.DEPARTMENT:
        raise Forbidden("派单台只对热线中心开放")


def _status_query(statuses: tuple[str, ...]) -> Any:
    return select(Ticket).where(Ticket.status.in_(statuses)).order_by(Ticket.received_at, Ticket.id)


def _with_duplicates(session: Session, *, user: User, now: datetime) -> list[DeskItem]:
    waiting = session.scalars(_status_query(WAITING).limit(DUPLICATE_SCAN))
    items = [DeskItem(t, duplicates=at_intake(session, ticket=t, now=now, viewer=user)) for t in waiting]
    return [item for item in items if item.duplicates]


def queue_counts(session: Session, *, user: User, now: datetime, duplicates: bool = True) -> dict[str, int]:
    """How many tickets wait in each queue (duplicates among the oldest DUPLICATE_SCAN waiting ones; each
    needs a similarity search, so `duplicates=False` leaves that count out for cheap headers)."""
    _check(user)
    rows = {status: n for status, n in session.execute(
        select(Ticket.status, func.count(Ticket.id))
        .where(Ticket.status.in_([s for q in QUEUE_STATUSES.values() for s in q])).group_by(Ticket.status))}
    counts = {name: sum(rows.get(s, 0) for s in statuses) for name, statuses in QUEUE_STATUSES.items()}
    if duplicates:
        counts["duplicates"] = len(_with_duplicates(session, user=user, now=now))
    return counts


def last_return(session: Session, ticket: Ticket) -> dict[str, Any] | None:
    """The payload of the ticket's latest 退单 (reason, basis, suggested_department, department)."""
    event = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                     TicketEvent.action == Action.RETURN.value)
                           .order_by(TicketEvent.id.desc()).limit(1))
    return dict(event.payload or {}) if event is not None else None


def queue(session: Session, *, user: User, name: str, now: datetime, limit: int = 50) -> list[DeskItem]:
    """The tickets of one queue, oldest first, with what the dispatcher needs to rule on them."""
    _check(user)
    if name == "duplicates":
        return _with_duplicates(session, user=user, now=now)[:limit]
    tickets = session.scalars(_status_query(QUEUE_STATUSES[name]).limit(limit))
    return [DeskItem(t, returned=last_return(session, t) if t.status in (Status.RETURNED, Status.PENDING_DISPATCH)
                     else None) for t in tickets]
