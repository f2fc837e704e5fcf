"""Working days (工作日) and working-time arithmetic for China, in Asia/Shanghai.

Which days are working days, in order of authority:

1. ``overrides``: days entered by an admin from the State Council notice (True = working day,
   False = day off). They win over everything. A year with at least one override is an *override
   year*: the admin is expected to enter the whole notice for it (every day off that falls on a weekday
   and every 调休 make-up workday), so its days that are not listed follow the plain Monday–Friday rule.
2. ``chinese_calendar`` for the years it knows (2004–2026 in 1.11; it raises beyond, we never do).
3. Fallback: the ``holidays`` package's China calendar (its weekday holidays are days off and it knows
   the make-up workdays it has been told about), then plain weekends outside its years.

``is_official(d)`` is True when the answer came from (1) or (2). ``computed_on_fallback(start, end)``
says whether any day in a span was not official, so that deadlines computed on a fallback year are
recomputed once the notice for that year is entered.

Working time: every working day is 24 hours of working time and every other day is 0, in local
(Asia/Shanghai) wall-clock time. Thus ``add_working_days(Thu 10:00, 5)`` is the next Thursday 10:00
(when the days between are ordinary), and from a non-working day the clock starts at 00:00 of the next
working day: ``add_working_days(Sat 10:00, 1)`` is Tuesday 00:00, i.e. the end of Monday. When a result
falls on a day boundary it is the *earliest* such instant (the end of the last working day, not the
start of the next one). ``working_seconds_between`` is the inverse. Inputs are aware datetimes;
results are aware datetimes in UTC.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays

__all__ = ["SHANGHAI", "WORKING_DAY_SECONDS", "WorkCalendar"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
WORKING_DAY_SECONDS = 86_400
_DAY = timedelta(days=1)
_ZERO = timedelta(0)

log = logging.getLogger(__name__)
_holidays_lock = threading.Lock()
_holidays_cn: holidays.HolidayBase | None = None


class _HolidaysFailed(Exception):
    """The ``holidays`` package raised; raised through the cache so that the failure is not remembered."""


def _holidays_is_workday(d: date) -> bool:
    """Ask the ``holidays`` China calendar (weekend make-up days included); plain weekends outside its years."""
    global _holidays_cn
    if not holidays.China.start_year <= d.year <= holidays.China.end_year:
        return d.weekday() < 5
    try:
        with _holidays_lock:
            if _holidays_cn is None:
                _holidays_cn = holidays.country_holidays("CN")
            return bool(_holidays_cn.is_working_day(d))
    except Exception as error:
        raise _HolidaysFailed(str(error)) from error


@lru_cache(maxsize=1 << 16)
def _cached_base_day(d: date) -> tuple[bool, bool]:
    """(is working day, is official) from chinese_calendar or the ``holidays`` package; cached."""
    try:
        return bool(chinese_calendar.is_workday(d)), True
    except NotImplementedError:  # a year chinese_calendar does not know
        return _holidays_is_workday(d), False


def _base_day(d: date) -> tuple[bool, bool]:
    """(is working day, is official) for a day without an override; never raises.

    When the ``holidays`` package fails, the day falls back to the plain Monday–Friday rule, which can
    move a deadline across a holiday: that is logged (once per year and process) and the day counts as
    not official, so every deadline computed over it is marked provisional (``Ticket.deadline_fallback``)
    and recomputed when the official days are entered. The failure is not cached: the next call asks again.
    """
    try:
        return _cached_base_day(d)
    except _HolidaysFailed as error:
        if d.year not in _failed_years:
            _failed_years.add(d.year)
            log.error("holidays package failed for %s (%s): plain weekdays used, deadlines are provisional",
                      d, error)
        return d.weekday() < 5, False


_failed_years: set[int] = set()


def _local(moment: datetime) -> tuple[date, timedelta]:
    """The Shanghai date of an aware datetime and the wall-clock time elapsed since its midnight."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: working-time arithmetic needs an aware datetime")
    local = moment.astimezone(SHANGHAI)
    since_midnight = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    return local.date(), since_midnight


def _utc(day: date, since_midnight: timedelta) -> datetime:
    """The UTC instant at ``since_midnight`` of wall-clock time after local midnight of ``day``."""
    return (datetime.combine(day, time(), SHANGHAI) + since_midnight).astimezone(UTC)


@dataclass(frozen=True)
class WorkCalendar:
    """The official working-day calendar, admin overrides layered over chinese_calendar and fallbacks."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    _override_years: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days = {}
        for d, working in self.overrides.items():
            if isinstance(d, datetime) or not isinstance(d, date):
                raise TypeError(f"override keys must be dates, got {d!r}")
            if not isinstance(working, bool):
                raise TypeError(f"override for {d} must be a bool, got {working!r}")
            days[d] = working
        object.__setattr__(self, "overrides", MappingProxyType(days))
        object.__setattr__(self, "_override_years", frozenset(d.year for d in days))

    def __hash__(self) -> int:
        return hash(frozenset(self.overrides.items()))

    def _day(self, d: date) -> tuple[bool, bool]:
        working = self.overrides.get(d)
        if working is not None:
            return working, True
        if d.year in self._override_years and not chinese_calendar_knows(d.year):
            return d.weekday() < 5, True
        return _base_day(d)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day (never raises for any year)."""
        return self._day(_as_date(d))[0]

    def is_official(self, d: date) -> bool:
        """Whether the answer for ``d`` comes from an override year or chinese_calendar, not a fallback."""
        return self._day(_as_date(d))[1]

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d = _as_date(d) + _DAY
        while not self._day(d)[0]:
            d += _DAY
        return d

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The earliest instant at/after ``start`` that is ``seconds`` of working time later (latest at/before if negative)."""
        if not math.isfinite(seconds):
            raise ValueError(f"working time must be finite, got {seconds!r}")
        d, since_midnight = _local(start)
        if seconds == 0:
            return start.astimezone(UTC)
        day_is_working = self._day(d)[0]
        if seconds > 0:
            remaining = timedelta(seconds=seconds) + (since_midnight if day_is_working else _ZERO)
            while True:
                if self._day(d)[0]:
                    if remaining <= _DAY:
                        return _utc(d, remaining)
                    remaining -= _DAY
                d += _DAY
        remaining = timedelta(seconds=-seconds)
        if day_is_working:
            if remaining <= since_midnight:
                return _utc(d, since_midnight - remaining)
            remaining -= since_midnight
        while True:
            d -= _DAY
            if self._day(d)[0]:
                if remaining <= _DAY:
                    return _utc(d, _DAY - remaining)
                remaining -= _DAY

    def add_working_days(self, start: datetime, n: float) -> datetime:
        """``start`` plus ``n`` (>= 0) working days of 24 hours, in UTC; see the module docstring."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n!r}")
        return self.add_working_seconds(start, n * WORKING_DAY_SECONDS)

    def working_seconds_between(self, a: datetime, b: datetime) -> float:
        """Working time from ``a`` to ``b`` in seconds (negative when ``b`` is before ``a``)."""
        da, sa = _local(a)
        db, sb = _local(b)
        if b < a:
            return -self.working_seconds_between(b, a)
        if da == db:
            return (sb - sa).total_seconds() if self._day(da)[0] else 0.0
        total = (_DAY - sa) if self._day(da)[0] else _ZERO
        d = da + _DAY
        while d < db:
            if self._day(d)[0]:
                total += _DAY
            d += _DAY
        if self._day(db)[0]:
            total += sb
        return total.total_seconds()

    def computed_on_fallback(self, start: datetime, end: datetime) -> bool:
        """Whether any local day from ``start`` to ``end`` (a midnight ``end`` excluded) is not official."""
        first, final = sorted((_local(start), _local(end)))
        d, last, end_since_midnight = first[0], final[0], final[1]
        if end_since_midnight == _ZERO and last > d:
            last -= _DAY
        while d <= last:
            if not self._day(d)[1]:
                return True
            d += _DAY
        return False


@lru_cache(maxsize=512)
def chinese_calendar_knows(year: int) -> bool:
    """Whether chinese_calendar has official data for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        raise TypeError("pass a date, not a datetime (convert to Asia/Shanghai first)")
    return d
