"""Nightly snapshots of each day's figures, and metrics summed from them."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hotline.supervision import fact_queries, periods
from hotline.supervision.models import MetricSnapshot
from hotline.supervision.rates import (
    GROUPS,
    NONE_GROUP,
    assemble,
    rates_of,
    weights_in_force,
)

TOTAL = "total"


def take_snapshot(session: Session, *, day: date, now: datetime) -> int:
    """Store the figures of one Asia/Shanghai day for every grouping (replacing any earlier snapshot).

    Idempotent: running it twice for a day leaves one set of rows. Flushes, never commits.
    """
    period = periods.day(day)
    weights = weights_in_force(session, day.year)
    session.execute(delete(MetricSnapshot).where(MetricSnapshot.day == day))
    rows = 0
    for group_by in (*GROUPS, None):
        for key, counts in fact_queries.sums(session, period=period, now=now, group_by=group_by).items():
            group_key = TOTAL if group_by is None else (key or NONE_GROUP)
            session.add(MetricSnapshot(day=day, group_by=group_by or TOTAL, group_key=group_key,
                                       counts=dict(counts), rates=rates_of(counts, weights), taken_at=now))
            rows += 1
    session.flush()
    return rows


def from_snapshots(session: Session, *, period: periods.Period, group_by: str) -> dict[str, Any]:
    """The metrics document summed from stored daily snapshots (days never snapshotted count as empty)."""
    grouped: dict[str | None, Counter[str]] = {}
    total: Counter[str] = Counter()
    days: set[date] = set()
    for snap in session.scalars(select(MetricSnapshot).where(
            MetricSnapshot.day >= period.first, MetricSnapshot.day <= period.last,
            MetricSnapshot.group_by.in_((group_by, TOTAL)))):
        days.add(snap.day)
        if snap.group_by == TOTAL:
            total.update(snap.counts)
        else:
            key = None if snap.group_key == NONE_GROUP else snap.group_key
            grouped.setdefault(key, Counter()).update(snap.counts)
    doc = assemble(session, period=period, group_by=group_by, grouped=grouped, total=total)
    return doc | {"source": "snapshot", "days_with_snapshot": len(days)}
