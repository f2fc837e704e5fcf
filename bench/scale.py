"""City scale on PostgreSQL: the hot queries at a million tickets (issue 13).

    .venv/bin/python bench/scale.py --database-url postgresql://postgres@127.0.0.1:5432/hotline_scale \
        [--tickets 1000000] [--days 365] [--seed 13] [--probes 200] [--drop]

The database is created when missing, migrated, given the demo city, and filled by the bulk generator
(hotline/demo/bulk.py: COPY of tickets, events, rate facts, reminders, hotspot clusters and duplicate
signatures drawn from the simulation's distributions) up to --tickets; a second run on the same
database measures again without rebuilding (for a quiet re-run). Then, on the live code paths:
- sweep_ms: the reminder sweep's query for what is newly due (reminders.service.due_reminders);
- metrics_30d_ms, metrics_365d_ms: GET /metrics by department, live (rates.metrics: the daily roll-up of the
  ended days plus today's rate facts, SQL GROUP BY);
- drilldown_ms: the overdue tickets of the busiest department over 30 days, first page (fact_queries.drill);
- hotspots_7d_ms: the 7-day hotspots (hotspot_clusters.find);
- duplicate_check_ms: p99 of the duplicate check at intake over --probes recent tickets (signature given,
  as intake computes it from the words it shares);
- caller_history_ms: p99 of a caller's history over --probes phone numbers.
Timings are medians of repeated runs (p99 where said, after one untimed call that compiles the statements as
a long-lived process has). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def ensure_database(url: str) -> None:
    """Create the database named in the URL when it does not exist."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}):
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    """Drop the bench database."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median milliseconds of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), result


def p99(samples: list[float]) -> float:
    """The 99th percentile of samples (ms)."""
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2)


def build(app: Any, tickets: int, days: int, seed: int) -> dict[str, Any]:
    """Migrate, load the city and generate up to `tickets` tickets (nothing when already there)."""
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.deadlines.service import load_calendar, time_limits
    from hotline.demo.bulk import generate
    from hotline.demo.load import load_city
    from hotline.departments.models import Department
    from hotline.tickets.models import Ticket

    with app.app_context():
        db = session()
        if not db.scalar(select(func.count()).select_from(Department)):
            load_city(db, now=utcnow())
            db.commit()
        have = db.scalar(select(func.count()).select_from(Ticket)) or 0
        if have >= tickets:
            return {"built": False, "build_s": 0.0}
        started = time.perf_counter()
        stats = generate(db, tickets=tickets - have, days=days, now=utcnow(), seed=seed,
                         calendar=load_calendar(db), limits=time_limits(),
                         echo=lambda m: print(m, file=sys.stderr, flush=True))
        db.execute(text("ANALYZE"))
        db.commit()
        return {"built": True, "build_s": round(time.perf_counter() - started, 1), "generated": stats}


def measure(app: Any, probes: int, seed: int) -> dict[str, Any]:
    """The hot queries' timings on the built database."""
    from hotline.clock import local, utcnow
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.reminders.service import due_reminders
    from hotline.supervision import fact_queries, hotspot_clusters, periods, rates
    from hotline.supervision.duplicates import find_duplicates, text_signature
    from hotline.supervision.models import rate_days
    from hotline.tickets.enums import OPEN_STATUSES
    from hotline.tickets.models import Ticket
    from hotline.tickets.service import caller_history

    rng = random.Random(seed)
    out: dict[str, Any] = {}
    with app.app_context():
        db = session()
        now = utcnow()
        today = local(now).date()
        out["total_tickets"] = db.scalar(select(func.count()).select_from(Ticket))
        out["open_tickets"] = db.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.status.in_([s.value for s in OPEN_STATUSES])))

        def sweep() -> list[int]:
            found = due_reminders(db, now=now, limit=1000)
            db.rollback()  # the sweep's rows are locked FOR UPDATE SKIP LOCKED: release them
            return found

        out["sweep_ms"], due = timed(sweep, 5)
        out["sweep_found"] = len(due)
        month = periods.parse(None, None, today=today, default_days=30)
        year = periods.parse(None, None, today=today, default_days=365)
        out["metrics_30d_ms"], doc = timed(lambda: rates.metrics(db, period=month, group_by="department", now=now), 3)
        out["metrics_365d_ms"], year_doc = timed(
            lambda: rates.metrics(db, period=year, group_by="department", now=now), 3)
        busiest = max(doc["rows"], key=lambda r: r["dispatched"])["group"]
        out["drilldown_ms"], drilled = timed(lambda: fact_queries.drill(
            db, period=month, now=now, numerator=("overdue",), denominator=("due",), group_by="department",
            group=busiest, page=1, per_page=50), 5)
        out["drilldown_total"] = drilled["total"]
        settings = app.config["SUPERVISION"]
        out["hotspots_7d_ms"], spots = timed(lambda: hotspot_clusters.find(
            db, now=now, days=7, min_size=settings["hotspot_min_size"]), 3)
        out["hotspots_7d_clusters"] = len(spots["clusters"])
        operator = db.scalar(select(User).where(User.username == "operator"))
        recent = list(db.scalars(select(Ticket).where(Ticket.received_at >= now - timedelta(days=3))
                                 .limit(probes * 5)))
        sample = rng.sample(recent, min(probes, len(recent)))
        # One untimed call of each first: a long-lived intake process compiles these statements once
        # (SQLAlchemy's compiled cache), which the first call of this process would otherwise count.
        if sample:
            find_duplicates(db, ticket=sample[0], now=now, settings=settings, viewer=operator,
                            signature=text_signature(sample[0].content), signed=True)
            caller_history(db, user=operator, phone=sample[0].caller_phone or "", limit=20)
        dup_ms = []
        for ticket in sample:
            signature = text_signature(ticket.content)
            started = time.perf_counter()
            find_duplicates(db, ticket=ticket, now=now, settings=settings, viewer=operator, signature=signature,
                            signed=True)
            dup_ms.append((time.perf_counter() - started) * 1000)
        out["duplicate_check_ms"] = p99(dup_ms)
        out["duplicate_check_p50_ms"] = round(statistics.median(dup_ms), 2)
        history_ms = []
        for ticket in sample:
            started = time.perf_counter()
            caller_history(db, user=operator, phone=ticket.caller_phone or "", limit=20)
            history_ms.append((time.perf_counter() - started) * 1000)
        out["caller_history_ms"] = p99(history_ms)
        out["caller_history_p50_ms"] = round(statistics.median(history_ms), 2)
        out["metrics_365d_dispatched"] = year_doc["total"]["dispatched"]
        out["rate_days_rows"] = db.scalar(select(func.count()).select_from(rate_days))
        out["probes"] = len(sample)
    return out


def main() -> None:
    """Build (once) and measure; print one JSON object last."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument("--build-only", action="store_true",
                        help="build the history and stop (bench/intake.py preloads its database this way)")
    args = parser.parse_args()
    url = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    from hotline import create_app
    from hotline.cli import upgrade_database

    ensure_database(url)
    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "QUEUES_ENABLED": False})
    try:
        result = {"database": make_url(url).database, **build(app, args.tickets, args.days, args.seed)}
        if not args.build_only:
            result.update(measure(app, args.probes, args.seed))
    finally:
        app.extensions["db"].dispose()
        if args.drop:
            drop_database(url)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
