"""Which deadlines get reminders, when each one matters, and the points of a deadline (DESIGN section 3).

A deadline's points are computed from the ticket's CURRENT deadline column, so a moved deadline (extension,
suspension, re-dispatch, reopening) yields new keys. The non-escalate points form a chain (warning, due,
overdue_1..N): only the next one is stored as a pending row, and delivering it stores its successor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.deadlines import policy
from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import ReminderPoint, TimeLimits
from hotline.tickets.enums import Status
from hotline.tickets.models import Ticket

S = Status
ESCALATE = "escalate"
LABELS = {"sign": "签收", "reply": "答复", "follow_up": "回访"}


@dataclass(frozen=True)
class DeadlineSpec:
    """One deadline column: the states where its reminders are delivered, and where they only pause."""

    name: str
    column: str
    active: frozenset[str]  # reminders are delivered
    paused: frozenset[str]  # reminders due now are skipped, later ones still come (e.g. returned, suspended)
    audience: str  # "department" (the lead unit's inbox) or "role:<role>"

    def due_of(self, ticket: Ticket) -> datetime | None:
        """The ticket's current value of this deadline."""
        return getattr(ticket, self.column)


SPECS: dict[str, DeadlineSpec] = {
    spec.name: spec for spec in (
        DeadlineSpec("sign", "sign_due_at", frozenset({S.DISPATCHED}), frozenset({S.RETURNED}), "department"),
        DeadlineSpec("reply", "reply_due_at", frozenset({S.DISPATCHED, S.IN_PROGRESS}),
                     frozenset({S.RETURNED, S.SUSPENDED, S.REPLIED}), "department"),
        DeadlineSpec("follow_up", "follow_up_due_at", frozenset({S.AWAITING_FOLLOW_UP}), frozenset(),
                     "role:followup"),
    )
}


def is_clock(spec: DeadlineSpec, ticket: Ticket, limits: TimeLimits) -> bool:
    """Clock-hour limits (emergency, urgent) count wall time; the others count working time."""
    if spec.name == "follow_up":
        return False
    urgency = limits.for_urgency(ticket.urgency)
    return (urgency.sign if spec.name == "sign" else urgency.reply).clock


def all_points(*, start: datetime, due: datetime, clock: bool, calendar: WorkCalendar, limits: TimeLimits,
               overdue_notices: int) -> tuple[ReminderPoint, ...]:
    """Every point of one deadline, by time: warning, due, overdue_1..N, escalate."""
    return policy.reminder_points(start=min(start, due), due=due, clock=clock, calendar=calendar,
                                  limits=limits, now_horizon_days=overdue_notices)


def split(points: tuple[ReminderPoint, ...]) -> tuple[list[ReminderPoint], ReminderPoint]:
    """The chain (without escalate) and the escalate point."""
    chain = [p for p in points if p.kind != ESCALATE]
    escalate = next(p for p in points if p.kind == ESCALATE)
    return chain, escalate


def next_in_chain(chain: list[ReminderPoint], *, after: str | None, now: datetime
                  ) -> tuple[ReminderPoint | None, list[ReminderPoint]]:
    """The chain point to store next, and the ones it supersedes.

    After ``after`` (or from the start), the latest point already due wins and those before it are
    superseded (a sweep that was down for days sends one overdue notice, not one per missed day);
    when none is due yet, the first future point is next.
    """
    kinds = [p.kind for p in chain]
    rest = chain[kinds.index(after) + 1:] if after is not None else chain
    past = [p for p in rest if p.at <= now]
    if past:
        return past[-1], past[:-1]
    return (rest[0] if rest else None), []
