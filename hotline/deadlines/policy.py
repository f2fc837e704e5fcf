"""Time-limit policy (DESIGN section 3): pure functions, the current time is always passed in.

Clock-hour limits (``Limit(hours=...)``) are wall time and ignore the calendar; working-day limits
(``Limit(working_days=...)``) use ``WorkCalendar`` working time (24 h per working day, see
``hotline.deadlines.calendar``). Every returned datetime is aware and in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any, NamedTuple

from hotline.deadlines.calendar import SHANGHAI, WorkCalendar

__all__ = [
    "DEFAULT_LIMITS",
    "URGENCIES",
    "Deadlines",
    "Limit",
    "ReminderPoint",
    "ReminderSchedule",
    "TimeLimits",
    "UrgencyLimits",
    "deadlines_on_dispatch",
    "due_at",
    "escalate_at",
    "extend",
    "follow_up_due",
    "is_overdue",
    "remind_at",
    "reminder_points",
    "resume",
]

URGENCIES = ("emergency", "urgent", "normal", "complex")
_SCALARS = (
    "follow_up_working_days",
    "reminder_fraction",
    "max_extension_days",
    "escalate_after_working_days",
)


@dataclass(frozen=True)
class Limit:
    """A time limit: either clock ``hours`` or ``working_days`` (exactly one)."""

    hours: float | None = None
    working_days: float | None = None

    def __post_init__(self) -> None:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("a Limit needs exactly one of hours or working_days")
        if (self.hours if self.hours is not None else self.working_days) <= 0:  # type: ignore[operator]
            raise ValueError(f"a Limit must be positive: {self!r}")

    @property
    def clock(self) -> bool:
        """True for a clock-hour limit (ignores the calendar)."""
        return self.hours is not None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Limit:
        """Build from ``{"hours": 2}``, ``{"minutes": 30}`` or ``{"working_days": 5}``."""
        unknown = set(data) - {"hours", "minutes", "working_days"}
        if unknown or len(data) != 1:
            raise ValueError(f"a limit is one of hours, minutes or working_days, got {dict(data)!r}")
        if "minutes" in data:
            return cls(hours=data["minutes"] / 60)
        return cls(**data)

    def to_dict(self) -> dict[str, float]:
        """The plain-dict form accepted by ``from_dict``."""
        return {"hours": self.hours} if self.hours is not None else {"working_days": self.working_days}  # type: ignore[dict-item]


@dataclass(frozen=True)
class UrgencyLimits:
    """The sign, reply and return limits of one urgency, counted from dispatch."""

    sign: Limit
    reply: Limit
    return_: Limit


def _hours(h: float) -> Limit:
    return Limit(hours=h)


def _days(n: float) -> Limit:
    return Limit(working_days=n)


@dataclass(frozen=True)
class TimeLimits:
    """All configurable time limits; defaults are DESIGN section 3."""

    emergency: UrgencyLimits = UrgencyLimits(sign=_hours(0.5), reply=_hours(2), return_=_hours(0.5))
    urgent: UrgencyLimits = UrgencyLimits(sign=_hours(2), reply=_hours(24), return_=_hours(2))
    normal: UrgencyLimits = UrgencyLimits(sign=_days(1), reply=_days(5), return_=_days(2))
    complex: UrgencyLimits = UrgencyLimits(sign=_days(1), reply=_days(15), return_=_days(2))
    follow_up_working_days: int = 1
    reminder_fraction: float = 0.75
    max_extension_days: int = 15
    escalate_after_working_days: float = 1

    def __post_init__(self) -> None:
        if not 0 < self.reminder_fraction < 1:
            raise ValueError("reminder_fraction must be between 0 and 1")
        if (
            self.max_extension_days < 1
            or self.follow_up_working_days < 1
            or self.escalate_after_working_days <= 0
        ):
            raise ValueError(
                "max_extension_days, follow_up_working_days, escalate_after_working_days must be positive"
            )

    def for_urgency(self, urgency: str) -> UrgencyLimits:
        """The limits of one urgency (``emergency``, ``urgent``, ``normal``, ``complex``)."""
        if urgency not in URGENCIES:
            raise ValueError(f"unknown urgency {urgency!r}")
        return getattr(self, urgency)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> TimeLimits:
        """Defaults overridden by a plain (possibly partial) dict, e.g. ``{"normal": {"reply": {"working_days": 7}}}``."""
        changes: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key in URGENCIES and isinstance(value, UrgencyLimits):
                changes[key] = value
            elif key in URGENCIES:
                base = getattr(DEFAULT_LIMITS, key)
                parts = {}
                for kind, limit in value.items():
                    name = {"return": "return_"}.get(kind, kind)
                    if name not in ("sign", "reply", "return_"):
                        raise ValueError(f"unknown limit {key}.{kind}")
                    parts[name] = limit if isinstance(limit, Limit) else Limit.from_dict(limit)
                changes[key] = replace(base, **parts)
            elif key in _SCALARS:
                changes[key] = value
            else:
                raise ValueError(f"unknown time-limit setting {key!r}")
        return replace(DEFAULT_LIMITS, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The plain-dict form accepted by ``from_dict``."""
        out: dict[str, Any] = {
            u: {"sign": lim.sign.to_dict(), "reply": lim.reply.to_dict(), "return": lim.return_.to_dict()}
            for u in URGENCIES
            for lim in [self.for_urgency(u)]
        }
        out.update({f.name: getattr(self, f.name) for f in fields(self) if f.name in _SCALARS})
        return out


DEFAULT_LIMITS = TimeLimits()


class Deadlines(NamedTuple):
    """Deadlines set at dispatch; ``on_fallback`` marks ones computed on a non-official calendar year."""

    sign_due_at: datetime
    reply_due_at: datetime
    return_until: datetime
    on_fallback: bool = False


class ReminderPoint(NamedTuple):
    """One reminder to store: ``kind`` is warning, due, overdue_N or escalate."""

    kind: str
    at: datetime


ReminderSchedule = tuple[ReminderPoint, ...]


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment.astimezone(UTC)


def due_at(*, limit: Limit, start: datetime, calendar: WorkCalendar) -> datetime:
    """When ``limit`` counted from ``start`` runs out (clock-hour limits ignore the calendar)."""
    if limit.clock:
        return _aware(start, "start") + timedelta(hours=limit.hours)  # type: ignore[arg-type]
    return calendar.add_working_days(start, limit.working_days)  # type: ignore[arg-type]


def deadlines_on_dispatch(
    *, urgency: str, dispatched_at: datetime, calendar: WorkCalendar, limits: TimeLimits = DEFAULT_LIMITS
) -> Deadlines:
    """Sign, reply and return deadlines for a ticket dispatched at ``dispatched_at``."""
    lim = limits.for_urgency(urgency)
    sign, reply, ret = (
        due_at(limit=x, start=dispatched_at, calendar=calendar) for x in (lim.sign, lim.reply, lim.return_)
    )
    working = [d for x, d in ((lim.sign, sign), (lim.reply, reply), (lim.return_, ret)) if not x.clock]
    fallback = bool(working) and calendar.computed_on_fallback(dispatched_at, max(working))
    return Deadlines(sign_due_at=sign, reply_due_at=reply, return_until=ret, on_fallback=fallback)


def extend(
    *, due: datetime, days: int, calendar: WorkCalendar, max_days: int = DEFAULT_LIMITS.max_extension_days
) -> datetime:
    """The reply deadline moved ``days`` working days later (1..max_days, else ValueError)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= max_days:
        raise ValueError(f"an extension is 1 to {max_days} working days, got {days!r}")
    return calendar.add_working_days(due, days)


def resume(
    *,
    due: datetime,
    suspended_at: datetime,
    resumed_at: datetime,
    limit_kind_is_clock: bool,
    calendar: WorkCalendar,
) -> datetime:
    """The deadline after a suspension: the time left at suspension is counted again from ``resumed_at``."""
    if resumed_at < suspended_at:
        raise ValueError("resumed_at is before suspended_at")
    if limit_kind_is_clock:
        return _aware(resumed_at, "resumed_at") + (_aware(due, "due") - _aware(suspended_at, "suspended_at"))
    left = calendar.working_seconds_between(suspended_at, due)
    return calendar.add_working_seconds(resumed_at, left)


def follow_up_due(*, replied_at: datetime, calendar: WorkCalendar, working_days: int = 1) -> datetime:
    """End (local 24:00) of the ``working_days``-th working day after the reply's local date, in UTC."""
    day = _aware(replied_at, "replied_at").astimezone(SHANGHAI).date()
    for _ in range(working_days):
        day = calendar.next_workday(day)
    return datetime.combine(day + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)


def remind_at(
    *, start: datetime, due: datetime, fraction: float, clock: bool, calendar: WorkCalendar
) -> datetime:
    """The moment ``fraction`` of the limit from ``start`` to ``due`` has passed (working time unless ``clock``)."""
    if clock:
        start = _aware(start, "start")
        return start + (_aware(due, "due") - start) * fraction
    return calendar.add_working_seconds(start, calendar.working_seconds_between(start, due) * fraction)


def is_overdue(*, due: datetime, now: datetime) -> bool:
    """Whether ``now`` is past ``due`` (exactly at ``due`` is still on time)."""
    return _aware(now, "now") > _aware(due, "due")


def escalate_at(*, due: datetime, calendar: WorkCalendar, limits: TimeLimits = DEFAULT_LIMITS) -> datetime:
    """When an overdue ticket is escalated to supervisors (督办): working days after ``due``."""
    return calendar.add_working_days(due, limits.escalate_after_working_days)


def reminder_points(
    *,
    start: datetime,
    due: datetime,
    clock: bool,
    calendar: WorkCalendar,
    limits: TimeLimits = DEFAULT_LIMITS,
    now_horizon_days: int = 7,
) -> ReminderSchedule:
    """Reminders for one deadline, by time: warning, due, overdue_1..overdue_N (daily), escalate."""
    points = [
        ReminderPoint(
            "warning",
            remind_at(
                start=start, due=due, fraction=limits.reminder_fraction, clock=clock, calendar=calendar
            ),
        ),
        ReminderPoint("due", _aware(due, "due")),
    ]
    for n in range(1, now_horizon_days + 1):
        at = _aware(due, "due") + timedelta(days=n) if clock else calendar.add_working_days(due, n)
        points.append(ReminderPoint(f"overdue_{n}", at))
    points.append(ReminderPoint("escalate", escalate_at(due=due, calendar=calendar, limits=limits)))
    order = {p.kind: i for i, p in enumerate(points)}
    return tuple(sorted(points, key=lambda p: (p.at, order[p.kind])))
