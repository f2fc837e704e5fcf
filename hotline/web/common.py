"""What several pages share: departments for selects, deadline badges, the counts of the user's scope."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from hotline.db import session as db_session
from hotline.deadlines import policy
from hotline.deadlines.service import load_calendar, time_limits
from hotline.departments.models import Department, User
from hotline.tickets import service
from hotline.tickets.enums import REPLY_CLOCK_STATUSES, Status
from hotline.tickets.models import Ticket

# The states list_tickets(overdue=True) counts as late, so badges, counts and the filter agree.
CLOCKED = REPLY_CLOCK_STATUSES


def departments() -> list[tuple[str, str]]:
    """(code, name) of every active department, for selects."""
    rows = db_session().execute(select(Department.code, Department.name).where(Department.active.is_(True))
                                .order_by(Department.id))
    return [(code, name) for code, name in rows]


class Badges:
    """临期 / 超期 of tickets at one moment, from reply_due_at and the reminder fraction."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.limits = time_limits()
        self.calendar = load_calendar(db_session())

    def of(self, ticket: Ticket) -> str | None:
        """"overdue", "warning" or None."""
        due, start = ticket.reply_due_at, ticket.dispatched_at
        if due is None or ticket.status not in CLOCKED:
            return None
        if policy.is_overdue(due=due, now=self.now):
            return "overdue"
        if start is None or start >= due:
            return None
        try:
            clock = self.limits.for_urgency(ticket.urgency).reply.clock
        except ValueError:
            clock = True
        warn = policy.remind_at(start=start, due=due, fraction=self.limits.reminder_fraction, clock=clock,
                                calendar=self.calendar)
        return "warning" if self.now >= warn else None


def scope_counts(user: User, now: datetime) -> dict[str, int]:
    """待签收, 办理中 and 超期 among the tickets the user may see."""
    wanted = {"dispatched": service.TicketFilter(status=Status.DISPATCHED.value),
              "in_progress": service.TicketFilter(status=Status.IN_PROGRESS.value),
              "overdue": service.TicketFilter(overdue=True)}
    counts = {}
    for key, filters in wanted.items():
        _rows, total = service.list_tickets(db_session(), user=user, filters=filters, now=now, page=1,
                                            per_page=1)
        counts[key] = total
    return counts


def page_size() -> int:
    """Rows per page of the lists."""
    return int(current_app.config.get("WEB_PAGE_SIZE", 20))
