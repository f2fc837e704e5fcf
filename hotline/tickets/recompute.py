"""Deadlines of open tickets recomputed once the official days of a fallback year are entered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.deadlines import policy
from hotline.tickets.enums import OPEN_STATUSES
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import Rules


def recompute_provisional(session: Session, *, rules: Rules) -> list[int]:
    """Recompute deadlines that were computed on a fallback year, now that official days are known."""
    open_states = [s.value for s in OPEN_STATUSES]
    tickets = session.scalars(select(Ticket).where(Ticket.deadline_fallback.is_(True),
                                                   Ticket.status.in_(open_states),
                                                   Ticket.dispatched_at.is_not(None)))
    changed = []
    for ticket in tickets:
        assert ticket.dispatched_at is not None
        fresh = policy.deadlines_on_dispatch(urgency=ticket.urgency, dispatched_at=ticket.dispatched_at,
                                             calendar=rules.calendar, limits=rules.limits)
        reply_due = fresh.reply_due_at
        if ticket.extension_days:
            reply_due = rules.calendar.add_working_days(reply_due, ticket.extension_days)
        ticket.sign_due_at, ticket.reply_due_at, ticket.return_until = (
            fresh.sign_due_at, reply_due, fresh.return_until)
        ticket.deadline_fallback = fresh.on_fallback
        changed.append(ticket.id)
    session.flush()
    return changed
