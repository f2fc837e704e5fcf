"""Official days from the State Council notice: entered by an admin, then provisional deadlines recomputed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.deadlines import policy
from hotline.deadlines.models import CalendarDay
from hotline.tickets.enums import OPEN_STATUSES
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import Rules


def enter_days(session: Session, *, days: list[tuple[date, bool, str | None]], now: datetime) -> int:
    """Store official days (workday True = 调休上班, False = 放假); an existing day is overwritten."""
    for day, workday, name in days:
        row = session.get(CalendarDay, day)
        if row is None:
            session.add(CalendarDay(day=day, workday=workday, name=name, entered_at=now))
        else:
            row.workday, row.name, row.entered_at = workday, name, now
    session.flush()
    return len(days)


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


def days_json(session: Session, year: int | None = None) -> list[dict]:
    """The entered official days, optionally of one year."""
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return [{"day": row.day.isoformat(), "workday": row.workday, "name": row.name}
            for row in session.scalars(query)]
