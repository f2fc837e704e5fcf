"""Per-year overrides of configured settings, entered by admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class YearSetting(Base):
    """The whole value of one setting (``time_limits`` or ``rate_weights``) for one calendar year."""

    __tablename__ = "year_settings"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime]
