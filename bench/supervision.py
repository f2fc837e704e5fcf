"""Supervision benchmark: rates, drill-down, exports, snapshots, hotspots and duplicates at ~50,000 tickets.

Builds a throw-away SQLite database: `--days` of simulated history (hotline.demo.history, the real
transition function), then copies of it shifted back in time until about `--tickets` tickets exist.
Run: .venv/bin/python bench/supervision.py   (prints one JSON object as its last line)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn: Any, repeat: int = 3) -> tuple[float, Any]:
    """Median wall time in seconds of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3), result


def clone(db: Any, copies: int, shift: timedelta) -> None:
    """Copies of every ticket and event, each copy `shift` further back in time, with new ids."""
    from sqlalchemy import func, insert, select

    from hotline.tickets.models import Ticket, TicketEvent

    tickets, events = Ticket.__table__, TicketEvent.__table__
    ticket_rows = [dict(r._mapping) for r in db.execute(select(tickets))]
    event_rows = [dict(r._mapping) for r in db.execute(select(events))]
    step_t = db.scalar(select(func.max(tickets.c.id)))
    step_e = db.scalar(select(func.max(events.c.id)))
    stamps = [c.name for c in tickets.columns if c.name.endswith("_at") or c.name in ("sign_due_at", "return_until")]
    for k in range(1, copies + 1):
        back = shift * k
        rows = []
        for r in ticket_rows:
            row = dict(r, id=r["id"] + k * step_t, number=f"{r['number']}-{k}")
            row["merged_into_id"] = r["merged_into_id"] + k * step_t if r["merged_into_id"] else None
            for name in stamps:
                if row.get(name) is not None:
                    row[name] = row[name] - back
            rows.append(row)
        db.execute(insert(tickets), rows)
        db.execute(insert(events), [dict(e, id=e["id"] + k * step_e, ticket_id=e["ticket_id"] + k * step_t,
                                         at=e["at"] - back) for e in event_rows])
        db.commit()


def main() -> None:
    """Build the database, time each read, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--tickets", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from hotline import create_app
    from hotline.clock import local, utcnow
    from hotline.db import Base, session
    from hotline.deadlines.service import load_calendar, time_limits
    from hotline.demo.history import load_history
    from hotline.demo.load import load_city
    from hotline.departments.models import User
    from hotline.supervision import exports, hotspots, periods, rates
    from hotline.supervision.duplicates import find_duplicates
    from hotline.supervision.snapshots import take_snapshot
    from hotline.tickets.models import Ticket, TicketEvent

    path = Path(tempfile.mkdtemp()) / "bench.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "QUEUES_ENABLED": False})
    Base.metadata.create_all(app.extensions["db"].engine)
    out: dict[str, Any] = {"benchmark": "supervision"}
    with app.app_context():
        db = session()
        now = utcnow().replace(second=0, microsecond=0)
        load_city(db, now=now)
        db.commit()
        started = time.perf_counter()
        load_history(db, days=args.days, seed=args.seed, now=now, calendar=load_calendar(db),
                     limits=time_limits(), batch=db.commit)
        out["history_days"] = args.days
        out["history_seconds"] = round(time.perf_counter() - started, 1)
        simulated = db.scalar(select(func.count()).select_from(Ticket))
        out["history_tickets"] = simulated
        clone(db, max(0, -(-args.tickets // simulated) - 1), timedelta(days=args.days))
        out["tickets"] = db.scalar(select(func.count()).select_from(Ticket))
        out["events"] = db.scalar(select(func.count()).select_from(TicketEvent))
        today = local(now).date()
        for label, days in (("metrics_30d_s", 30), ("metrics_90d_s", 90), ("metrics_365d_s", 365)):
            period = periods.Period(today - timedelta(days=days - 1), today)
            out[label], _ = timed(lambda p=period: rates.metrics(db, period=p, group_by="department", now=now))
        month = periods.Period(today - timedelta(days=29), today)
        _seconds, doc = timed(lambda: rates.metrics(db, period=month, group_by="department", now=now))
        out["drill_30d_s"], _ = timed(lambda: rates.drill(rates.facts_for(db, period=month, now=now),
                                                          metric="overdue", group_by="department", group="housing"))
        out["xlsx_30d_s"], _ = timed(lambda: exports.to_xlsx(doc))
        out["snapshot_day_s"], _ = timed(lambda: take_snapshot(db, day=today - timedelta(days=1), now=now))
        db.rollback()
        out["hotspots_7d_s"], spots = timed(lambda: hotspots.find_hotspots(db, now=now, days=7))
        out["hotspots_30d_s"], _ = timed(lambda: hotspots.find_hotspots(db, now=now, days=30), repeat=1)
        out["hotspots_7d_top"] = [f"{c['district']}:{'/'.join(c['top_terms'][:3])}:{c['size']}"
                                  for c in spots["clusters"][:3]]
        latest = db.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
        operator = db.scalar(select(User).where(User.username == "operator"))
        out["duplicates_at_intake_ms"] = round(1000 * timed(lambda: find_duplicates(
            db, ticket=latest, now=now, settings=app.config["SUPERVISION"], viewer=operator), repeat=5)[0], 1)
        out["score_range_30d"] = [min(r["score"] for r in doc["rows"] if r["score"] is not None),
                                  max(r["score"] for r in doc["rows"] if r["score"] is not None)]
        out["period_30d"] = f"{month.first}..{month.last}"
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
