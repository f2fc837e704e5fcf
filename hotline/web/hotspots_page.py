"""热点诉求: clusters of similar recent requests with trend, district and examples the user may open."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, flash, render_template, request
from sqlalchemy import select

from hotline.clock import local, utcnow
from hotline.db import session as db_session
from hotline.privacy import suggestions
from hotline.supervision import hotspot_clusters
from hotline.supervision.api import VIEWERS
from hotline.tickets.models import Ticket
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp

WINDOWS = (7, 14, 30, 90)
TRENDS = {"rising": "上升", "falling": "下降", "steady": "平稳"}
BASIS = {"week": "本周对比上周", "half": "后半段对比前半段"}
SPARK_HEIGHT = 28


def sparkline(daily: dict[str, int], *, first: date, last: date) -> dict[str, Any]:
    """Bars of the cluster's tickets per local day over the window (the geometry of a small SVG)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    counts = [daily.get(d.isoformat(), 0) for d in days]
    top, step = max([*counts, 1]), max(2, min(12, 360 // max(1, len(days))))
    bars = [{"x": i * step, "h": round(SPARK_HEIGHT * c / top, 1), "count": c, "day": d}
            for i, (d, c) in enumerate(zip(days, counts, strict=True))]
    return {"width": step * len(days), "height": SPARK_HEIGHT, "bar": step - 1, "bars": bars}


def _districts(since: datetime) -> list[str]:
    rows = db_session().scalars(select(Ticket.district).where(Ticket.received_at >= since,
                                                              Ticket.district.is_not(None)).distinct())
    return sorted(r for r in rows if r)


@bp.get("/supervision/hotspots")
@login_required(*VIEWERS)
def supervision_hotspots() -> Any:
    """The clusters of the last 7/14/30/90 days, optionally in one district, largest and rising first."""
    raw_days = request.args.get("days") or "7"
    days = int(raw_days) if raw_days.isdigit() and int(raw_days) in WINDOWS else 7
    if raw_days != str(days):
        flash("统计天数只能是 7、14、30 或 90，已显示最近 7 天", "error")
    district = (request.args.get("district") or "").strip()[:40] or None
    settings, db, now = current_app.config["SUPERVISION"], db_session(), utcnow()
    found = hotspot_clusters.find(db, now=now, days=days, min_size=settings["hotspot_min_size"],
                                   similarity=settings["hotspot_similarity"], district=district, limit=30)
    clusters = suggestions.hotspots_for(db, user=me(), clusters=found["clusters"])
    first, last = local(now - timedelta(days=days)).date(), local(now).date()
    for cluster in clusters:
        cluster["spark"] = sparkline(cluster["trend"]["daily"], first=first, last=last)
    return render_template("web/supervision_hotspots.html", clusters=clusters, days=days, windows=WINDOWS,
                           district=district, districts=_districts(now - timedelta(days=days)),
                           considered=found["tickets_considered"], trends=TRENDS, basis=BASIS,
                           min_size=settings["hotspot_min_size"])
