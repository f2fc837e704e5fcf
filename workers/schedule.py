"""The periodic schedule as data, run by rq's CronScheduler (rq 3.0 `rq.cron`).

Each entry names a thin job by dotted path and runs it every ``interval`` seconds or on a ``cron``
expression in local time (TZ, Asia/Shanghai). WORKER_SCHEDULE in the app config changes an entry
({"retrain": {"cron": "30 3 * * 0"}}) or turns it off ({"retrain": {"enabled": false}}).

Several hosts may each run a scheduler: before enqueueing, a scheduler takes the entry's time slot with
SET NX in Redis, so one run per slot goes out (and every job is idempotent besides).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from rq.cron import CronJob, CronScheduler
from rq.utils import now as rq_now

from workers.queues import JOBS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    """One periodic job."""

    name: str
    job: str  # dotted path of a function in workers.jobs
    interval: int | None = None  # seconds
    cron: str | None = None  # local time (TZ)
    enabled: bool = True

    def __post_init__(self) -> None:
        if (self.interval is None) == (self.cron is None):
            raise ValueError(f"{self.name}: give exactly one of interval or cron")
        if self.job not in JOBS:
            raise ValueError(f"{self.name}: {self.job} has no JobSpec in workers.queues.JOBS")


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("sweep", "workers.jobs.sweep", interval=60),
    Periodic("follow-ups", "workers.jobs.schedule_follow_ups", interval=60),
    Periodic("metrics-snapshot", "workers.jobs.metrics_snapshot", cron="10 0 * * *"),
    Periodic("rates-compact", "workers.jobs.rates_compact", cron="5 * * * *"),
    Periodic("kb-review", "workers.jobs.kb_review_reminders", cron="0 8 * * *"),
    Periodic("retrain", "workers.jobs.retrain_classifier", cron="30 2 * * *"),
)


def entries(config: Mapping[str, Any]) -> list[Periodic]:
    """The schedule with WORKER_SCHEDULE overrides applied; disabled entries left out."""
    overrides: Mapping[str, Mapping[str, Any]] = config.get("WORKER_SCHEDULE") or {}
    unknown = set(overrides) - {p.name for p in SCHEDULE}
    if unknown:
        raise ValueError(f"WORKER_SCHEDULE names unknown entries: {sorted(unknown)}")
    out = []
    for entry in SCHEDULE:
        change = dict(overrides.get(entry.name, {}))
        if "interval" in change:
            change.setdefault("cron", None)
        elif "cron" in change:
            change.setdefault("interval", None)
        entry = replace(entry, **change)
        if entry.enabled:
            out.append(entry)
    return out


class SlotCronScheduler(CronScheduler):
    """rq's CronScheduler, enqueueing each entry at most once per time slot across every scheduler."""

    slot_prefix = "hotline:cron-slot"

    def slot_of(self, job: CronJob) -> str:
        """The time slot a due entry is in: its cron fire time, or its interval bucket."""
        if job.cron and job.next_enqueue_time is not None:
            return job.next_enqueue_time.strftime("%Y%m%dT%H%M")
        assert job.interval
        return str(math.floor(rq_now().timestamp() / job.interval))

    def enqueue_jobs(self) -> list[CronJob]:
        """Enqueue the due entries whose slot no other scheduler took."""
        enqueue_time = rq_now()
        done = []
        for job in self._cron_jobs:
            if not job.should_run():
                continue
            ttl = max(int(job.interval or 3600) * 2, 120)
            if self.connection.set(f"{self.slot_prefix}:{job.name}:{self.slot_of(job)}", self.name, nx=True, ex=ttl):
                job.enqueue(self.connection)
            else:
                log.debug("%s: slot taken by another scheduler", job.name)
            job.set_enqueue_time(enqueue_time)
            done.append(job)
        return done


def build_scheduler(connection: Any, config: Mapping[str, Any], *, name: str = "") -> SlotCronScheduler:
    """A cron scheduler with every enabled entry registered with its JobSpec options."""
    from workers.jobs import resolve

    scheduler = SlotCronScheduler(connection=connection, name=name)
    for entry in entries(config):
        spec = JOBS[entry.job]
        func = resolve(entry.job)
        if func is None:
            raise ValueError(f"{entry.name}: {entry.job} does not exist")
        scheduler.register(func, spec.queue, interval=entry.interval, cron=entry.cron, job_timeout=spec.timeout,
                           result_ttl=spec.result_ttl, failure_ttl=spec.failure_ttl, name=entry.name)
    return scheduler
