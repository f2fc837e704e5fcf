"""The calendar and time limits in force, read from the database and the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import refdata
from hotline.clock import local
from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.models import CalendarDay
from hotline.deadlines.policy import TimeLimits


def load_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar with the admin-entered official days layered on top (kept per process
    until the official days change: hotline.refdata)."""

    def load() -> WorkCalendar:
        rows = session.execute(select(CalendarDay.day, CalendarDay.workday)).all()
        return WorkCalendar(overrides={day: workday for day, workday in rows})

    return refdata.cached(session, "calendar", load)


def time_limits(session: Session | None = None, *, year: int | None = None) -> TimeLimits:
    """The time limits in force: an admin's override for the year when one is stored, else the configuration."""
    if session is not None and year is not None:
        every = year_limits(session)  # one cached read of the overrides serves one year and all of them
        return every.years.get(year, every.default)
    return TimeLimits.from_dict(current_app.config["TIME_LIMITS"])


@dataclass(frozen=True)
class YearLimits:
    """The time limits of every year: the configuration's, and the years an admin overrode."""

    default: TimeLimits
    years: dict[int, TimeLimits] = field(default_factory=dict)

    def at(self, moment: datetime) -> TimeLimits:
        """The limits in force in the year (Asia/Shanghai) of a moment."""
        return self.years.get(local(moment).year, self.default)


def year_limits(session: Session) -> YearLimits:
    """Every year's time limits, for measures that span years (the rates judge each move by its year's)."""
    from hotline.settings.models import YearSetting
    from hotline.settings.service import TIME_LIMITS

    def load() -> YearLimits:  # built once per cache generation, not on every move
        rows = session.execute(select(YearSetting.year, YearSetting.values).where(YearSetting.kind == TIME_LIMITS))
        return YearLimits(time_limits(), {year: TimeLimits.from_dict(dict(values)) for year, values in rows})

    return refdata.cached(session, "time_limits:years", load)
