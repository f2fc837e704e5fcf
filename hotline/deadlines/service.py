"""The calendar and time limits in force, read from the database and the configuration."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.models import CalendarDay
from hotline.deadlines.policy import TimeLimits


def load_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar with the admin-entered official days layered on top."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.workday)).all()
    return WorkCalendar(overrides={day: workday for day, workday in rows})


def time_limits() -> TimeLimits:
    """The time limits from the app configuration."""
    return TimeLimits.from_dict(current_app.config["TIME_LIMITS"])

