"""The monthly report: totals, the ranking by category with flags, districts and kinds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from sqlalchemy.orm import Session

from hotline.clock import iso
from hotline.supervision import hotspots, periods
from hotline.supervision.facts import Fact
from hotline.supervision.ranking import rank
from hotline.supervision.rates import assemble, facts_for, sum_counts


def _doc(session: Session, facts: list[Fact], period: periods.Period, group_by: str) -> dict[str, Any]:
    return assemble(session, period=period, group_by=group_by, grouped=sum_counts(facts, group_by),
                    total=sum_counts(facts, None).get(None, {}))


def monthly(session: Session, *, month: str, now: datetime) -> dict[str, Any]:
    """Everything the monthly report shows, computed in one pass over the month's facts."""
    period = periods.month(month)
    facts = facts_for(session, period=period, now=now)
    departments = _doc(session, facts, period, "department")
    previous_period = periods.month(f"{(period.first - timedelta(days=1)):%Y-%m}")
    previous = _doc(session, facts_for(session, period=previous_period, now=now), previous_period, "department")
    return {
        "month": month, **period.as_json(), "generated_at": iso(now), "weights": departments["weights"],
        "total": departments["total"], "previous_total": previous["total"],
        "ranking": rank(departments["rows"], current_app.config["SUPERVISION"]),
        "districts": _doc(session, facts, period, "district")["rows"],
        "kinds": _doc(session, facts, period, "kind")["rows"],
        "channels": _doc(session, facts, period, "channel")["rows"],
        "hotspots": _hotspots(session, period, now),
    }


def _hotspots(session: Session, period: periods.Period, now: datetime) -> list[dict[str, Any]]:
    """The month's largest clusters of similar requests (主动治理), at most five."""
    until = min(period.end, now)
    days = max(1, (until - period.start).days)
    settings = current_app.config["SUPERVISION"]
    found = hotspots.find_hotspots(session, now=until, days=days, min_size=max(5, settings["hotspot_min_size"]),
                                   similarity=settings["hotspot_similarity"], limit=5)
    return found["clusters"]


def render(data: dict[str, Any]) -> str:
    """The monthly report as a printable HTML page (for the API now, for the page login later)."""
    return render_template("supervision/report.html", r=data)
