"""`flask workers health`: healthy only when a worker is alive, every queue is moving and the periodic
scheduler (hence the sweep) is running. Read from Redis only, so it works from any host."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import redis
from rq import Queue, Worker
from rq.cron import CronScheduler

from workers.jobs import LAST_SWEEP_KEY
from workers.queues import QUEUES


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def check(conn: redis.Redis, *, now: datetime | None = None, heartbeat_age: float = 120,
          queue_age: float = 300, sweep_age: float = 300, require_scheduler: bool = True) -> dict[str, Any]:
    """The health report: {"healthy": bool, "problems": [...], "workers": [...], "queues": {...}, ...}."""
    now = now or datetime.now(UTC)
    problems: list[str] = []
    try:
        conn.ping()
    except redis.RedisError as exc:
        return {"healthy": False, "problems": [f"redis: {exc}"]}
    workers = []
    for worker in Worker.all(connection=conn):
        beat = _aware(worker.last_heartbeat)
        age = (now - beat).total_seconds() if beat else None
        workers.append({"name": worker.name, "pid": worker.pid, "host": worker.hostname, "state": worker.get_state(),
                        "heartbeat_age_s": None if age is None else round(age, 1),
                        "alive": age is not None and age <= heartbeat_age})
    if not any(w["alive"] for w in workers):
        problems.append(f"no worker has sent a heartbeat in the last {heartbeat_age:.0f}s")
    queues = {}
    for name in QUEUES:
        queue = Queue(name, connection=conn)
        ids = queue.get_job_ids(0, 1)
        oldest = None
        if ids:
            job = queue.fetch_job(ids[0])
            enqueued = _aware(job.enqueued_at) if job is not None else None
            oldest = (now - enqueued).total_seconds() if enqueued else None
        moving = oldest is None or oldest <= queue_age
        queues[name] = {"count": queue.count, "oldest_age_s": None if oldest is None else round(oldest, 1),
                        "moving": moving}
        if not moving:
            problems.append(f"queue {name}: the oldest job has waited {oldest:.0f}s")
    schedulers = []
    for cron in CronScheduler.all(conn):
        beat = _aware(cron.last_heartbeat)
        schedulers.append({"name": cron.name, "heartbeat_age_s": None if beat is None else round((now - beat).total_seconds(), 1)})
    last_sweep_raw = conn.get(LAST_SWEEP_KEY)
    last_sweep = datetime.fromisoformat(last_sweep_raw.decode()) if last_sweep_raw else None
    sweep_s = None if last_sweep is None else round((now - last_sweep).total_seconds(), 1)
    if require_scheduler:
        if not any(s["heartbeat_age_s"] is not None and s["heartbeat_age_s"] <= 150 for s in schedulers):
            problems.append("no periodic scheduler is running (reminders would not be swept)")
        if sweep_s is None or sweep_s > sweep_age:
            problems.append(f"the reminder sweep has not run in the last {sweep_age:.0f}s")
    return {"healthy": not problems, "problems": problems, "workers": workers, "queues": queues,
            "schedulers": schedulers, "last_sweep_age_s": sweep_s}
