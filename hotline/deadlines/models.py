"""Official working days entered by an admin from the State Council notice (they override the library)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class CalendarDay(Base):
    """One official day: a holiday (workday False) or a make-up working day (workday True)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(40))
    entered_at: Mapped[datetime]
