"""The rules a transition needs at a moment: the calendar and the time limits in force."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from hotline.clock import local
from hotline.deadlines.service import load_calendar, time_limits
from hotline.tickets.transitions import Rules


def rules_at(session: Session, now: datetime) -> Rules:
    """Everything a transition needs to compute deadlines at `now`."""
    return Rules(now=now, calendar=load_calendar(session), limits=time_limits(session, year=local(now).year),
                 max_follow_up_attempts=current_app.config["FOLLOW_UP_MAX_ATTEMPTS"])
