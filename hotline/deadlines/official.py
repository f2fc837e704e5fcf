"""Official days from the State Council notice, entered by an admin (tickets.recompute then moves deadlines)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.deadlines.models import CalendarDay


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


def days_json(session: Session, year: int | None = None) -> list[dict]:
    """The entered official days, optionally of one year."""
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return [{"day": row.day.isoformat(), "workday": row.workday, "name": row.name}
            for row in session.scalars(query)]


def remove_day(session: Session, *, day: date) -> bool:
    """Forget one entered official day (the libraries decide it again); False when none was entered."""
    row = session.get(CalendarDay, day)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def entered_days(session: Session, *, year: int) -> list[CalendarDay]:
    """The official days entered for one year, in date order."""
    return list(session.scalars(select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                                          CalendarDay.day <= date(year, 12, 31))
                                .order_by(CalendarDay.day)))
