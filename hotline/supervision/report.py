"""The monthly report: totals, the ranking by category with flags, districts and kinds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from sqlalchemy.orm import Session

from hotline.clock import iso
from hotline.supervision import hotspot_clusters, periods
from hotline.supervision.fact_queries import grouped_and_total
from hotline.supervision.ranking import rank
from hotline.supervision.rates import assemble


def _doc(session: Session, period: periods.Period, group_by: str, now: datetime) -> dict[str, Any]:
    grouped, total = grouped_and_total(session, period=period, now=now, group_by=group_by)
    return assemble(session, period=period, group_by=group_by, grouped=grouped, total=total)


def monthly(session: Session, *, month: str, now: datetime) -> dict[str, Any]:
    """Everything the monthly report shows, each table one GROUP BY over the month's rate facts."""
    period = periods.month(month)
    departments = _doc(session, period, "department", now)
    previous_period = periods.month(f"{(period.first - timedelta(days=1)):%Y-%m}")
    previous = _doc(session, previous_period, "department", now)
    return {
        "month": month, **period.as_json(), "generated_at": iso(now), "weights": departments["weights"],
        "total": departments["total"], "previous_total": previous["total"],
        "ranking": rank(departments["rows"], current_app.config["SUPERVISION"]),
        "districts": _doc(session, period, "district", now)["rows"],
        "kinds": _doc(session, period, "kind", now)["rows"],
        "channels": _doc(session, period, "channel", now)["rows"],
        "hotspots": _hotspots(session, period, now),
    }


def _hotspots(session: Session, period: periods.Period, now: datetime) -> list[dict[str, Any]]:
    """The month's largest clusters of similar requests (主动治理), at most five."""
    until = min(period.end, now)
    days = max(1, (until - period.start).days)
    settings = current_app.config["SUPERVISION"]
    found = hotspot_clusters.find(session, now=until, days=days, min_size=max(5, settings["hotspot_min_size"]),
                                   similarity=settings["hotspot_similarity"], limit=5)
    return found["clusters"]


def render(data: dict[str, Any]) -> str:
    """The monthly report as a printable HTML page (for the API now, for the page login later)."""
    return render_template("supervision/report.html", r=data)
