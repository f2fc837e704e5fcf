"""Queues, job options and enqueueing: explicit timeouts and TTLs, job ids that collapse a double
enqueue, Retry only for transport failures, and enqueue-after-commit."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.intermediate_queue import IntermediateQueue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

REMINDERS = "hotline-reminders"
OUTBOX = "hotline-outbox"
PERIODIC = "hotline-periodic"
SLOW = "hotline-slow"
QUEUES = (REMINDERS, OUTBOX, PERIODIC, SLOW)  # a worker takes them in this order
# A started job without a heartbeat for this long is taken as lost (its worker was killed); the
# runner's workers beat every 10 s (job_monitoring_interval).
LOST_AFTER = timedelta(seconds=40)


@dataclass(frozen=True)
class JobSpec:
    """How a job is enqueued: queue, explicit timeout and TTLs, and transport retries (None: no Retry)."""

    queue: str
    timeout: int
    result_ttl: int = 600
    failure_ttl: int = 7 * 86400
    retry_intervals: tuple[int, ...] = ()

    def options(self) -> dict[str, Any]:
        """Keyword arguments for Queue.enqueue."""
        opts: dict[str, Any] = {"job_timeout": self.timeout, "result_ttl": self.result_ttl,
                                "failure_ttl": self.failure_ttl}
        if self.retry_intervals:
            opts["retry"] = Retry(max=len(self.retry_intervals), interval=list(self.retry_intervals))
        return opts


JOBS: dict[str, JobSpec] = {
    "workers.jobs.deliver_reminder": JobSpec(REMINDERS, timeout=60, result_ttl=300, retry_intervals=(5, 20, 60)),
    "workers.jobs.send_outbox": JobSpec(OUTBOX, timeout=60, result_ttl=300, retry_intervals=(10, 30, 120, 300)),
    "workers.jobs.sweep": JobSpec(REMINDERS, timeout=120, result_ttl=300),
    "workers.jobs.schedule_follow_ups": JobSpec(PERIODIC, timeout=300),
    "workers.jobs.metrics_snapshot": JobSpec(PERIODIC, timeout=1800, result_ttl=86400),
    "workers.jobs.rates_compact": JobSpec(PERIODIC, timeout=600),
    "workers.jobs.kb_review_reminders": JobSpec(PERIODIC, timeout=600, result_ttl=86400),
    # Not on SLOW: an admin watches its progress, it must not wait behind a retraining.
    "workers.jobs.kb_import": JobSpec(PERIODIC, timeout=1800, result_ttl=86400, retry_intervals=(10, 60)),
    # Likewise (the 时限与权重 page shows it); hours for a big city's year, resumed by chunk if cut short.
    "workers.jobs.refresh_rates": JobSpec(PERIODIC, timeout=6 * 3600, result_ttl=86400, retry_intervals=(10, 60)),
    # Minutes of CPU after a large import; the import itself is done before it starts.
    "workers.jobs.kb_embed": JobSpec(SLOW, timeout=3600, result_ttl=86400),
    "workers.jobs.retrain_classifier": JobSpec(SLOW, timeout=3 * 3600, result_ttl=7 * 86400),
}


@cache
def redis_for(url: str) -> redis.Redis:
    """One Redis client per URL per process."""
    # redis-py pools notice a fork and reconnect in the child, so one client per URL per process is safe.
    return redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30)


def connection(config: Mapping[str, Any]) -> redis.Redis:
    """The Redis client of the app's REDIS_URL."""
    return redis_for(config["REDIS_URL"])


def _in_flight(conn: redis.Redis, job: Job, now: datetime) -> bool:
    """Whether an existing job with this id will still run (so a second enqueue must collapse into it):
    waiting in its queue, scheduled (a Retry) and not overdue, or running with a recent heartbeat."""
    status = job.get_status(refresh=False)
    if status == JobStatus.QUEUED:
        if conn.lpos(Queue(job.origin, connection=conn).key, job.id) is not None:
            return True
        # Taken off the queue by a worker that died before starting it (rq would fail it from its
        # intermediate queue only minutes later): lost once it has waited that long.
        return job.enqueued_at is not None and job.enqueued_at.replace(tzinfo=UTC) > now - LOST_AFTER
    if status == JobStatus.DEFERRED:
        return True
    if status == JobStatus.SCHEDULED:
        score = conn.zscore(ScheduledJobRegistry(job.origin, connection=conn).key, job.id)
        return score is not None and datetime.fromtimestamp(score, UTC) > now - LOST_AFTER
    if status == JobStatus.STARTED:
        beat = job.last_heartbeat or job.started_at
        return beat is not None and beat.replace(tzinfo=UTC) > now - LOST_AFTER
    return False


def enqueue(conn: redis.Redis, name: str, *args: Any, job_id: str | None = None) -> Job | None:
    """Enqueue a job by dotted name with its JobSpec. With a job_id, a job still queued, scheduled or
    running collapses the call (None is returned); a finished, failed or lost one is replaced."""
    spec = JOBS[name]
    queue = Queue(spec.queue, connection=conn)
    if job_id is None:
        return queue.enqueue(name, args=args, **spec.options())
    for _ in range(3):
        try:
            return queue.enqueue(name, args=args, job_id=job_id, unique=True, **spec.options())
        except DuplicateJobError:
            try:
                old = Job.fetch(job_id, connection=conn)
            except NoSuchJobError:
                continue  # gone meanwhile: try again
            if _in_flight(conn, old, datetime.now(UTC)):
                return None
            old.delete(remove_from_queue=True, delete_dependents=False)
            conn.lrem(IntermediateQueue.get_intermediate_queue_key(queue.key), 0, job_id)
    return None


def safe_enqueue(config: Mapping[str, Any], name: str, *args: Any, job_id: str | None = None) -> Job | None:
    """enqueue() that never raises: when Redis is down the sweep enqueues the work later."""
    if not config.get("QUEUES_ENABLED", True):
        return None
    try:
        return enqueue(connection(config), name, *args, job_id=job_id)
    except redis.RedisError as exc:
        log.warning("could not enqueue %s %s (%s); the sweep will pick it up", name, job_id or args, exc)
        return None


_PENDING = "hotline_jobs_after_commit"


def enqueue_after_commit(session: Session, config: Mapping[str, Any], name: str, *args: Any,
                         job_id: str | None = None) -> None:
    """Enqueue the job once the session's transaction commits; nothing is enqueued if it rolls back.

    Jobs take ids of rows the transaction writes, so enqueueing before commit could run a job that
    does not see its row yet (or a row that never comes to exist)."""
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)
    if not session.in_transaction():
        session.begin()  # so that a rollback before any SQL still drops the job
    session.info[_PENDING].append((dict(config), name, args, job_id))


def _after_commit(session: Session) -> None:
    jobs, session.info[_PENDING] = session.info.get(_PENDING, []), []
    for config, name, args, job_id in jobs:
        safe_enqueue(config, name, *args, job_id=job_id)


def _after_rollback(session: Session, _previous: object) -> None:
    if not session.in_transaction():  # the outermost transaction rolled back (a savepoint keeps them)
        session.info[_PENDING] = []
