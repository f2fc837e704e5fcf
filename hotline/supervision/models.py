"""MetricSnapshot: each day's counts and rates, stored so history stays stable when tickets change later."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class MetricSnapshot(Base):
    """The counts (additive) and rates of one local day for one group ("total" rows: group_by "total")."""

    __tablename__ = "metric_snapshots"
    __table_args__ = (UniqueConstraint("day", "group_by", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    group_by: Mapped[str] = mapped_column(String(20))
    group_key: Mapped[str] = mapped_column(String(60))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    taken_at: Mapped[datetime]
