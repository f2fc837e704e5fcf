"""The calendar and time limits in force, read from the database and the configuration."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import refdata
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
        from hotline.settings.service import TIME_LIMITS, year_override

        override = refdata.cached(session, f"time_limits:{year}",
                                  lambda: year_override(session, kind=TIME_LIMITS, year=year))
        if override is not None:
            return TimeLimits.from_dict(override)
    return TimeLimits.from_dict(current_app.config["TIME_LIMITS"])

