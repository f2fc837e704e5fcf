"""Thin RQ jobs: each takes ids (or nothing), opens the app's session, calls one hotline service, commits,
and enqueues follow-on work after the commit. Every job is safe to run twice.

Retry (see queues.JOBS) is only for transport failures: a job re-raises database disconnects, lock
timeouts, version conflicts and gateway TransportErrors; any other error is recorded in the database
and the job returns, so a bug is not retried forever by RQ (the sweep gives up after a set number of
attempts, see REMINDER_MAX_ATTEMPTS).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from workers.context import job_session
from workers.queues import connection, enqueue_after_commit

log = logging.getLogger(__name__)
TRANSIENT: tuple[type[BaseException], ...] = (OperationalError, StaleDataError)
LAST_SWEEP_KEY = "hotline:sweep:last"


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    from hotline.notify.gateways import TransportError

    return isinstance(exc, (*TRANSIENT, TransportError))


def sweep() -> dict[str, int]:
    """Every minute: plan reminder rows, then enqueue a delivery job for everything due and unsent (and the
    outbox messages to send). Idempotent; two sweeps at once, or a skipped one, change nothing."""
    from hotline.casework import rate_refresh
    from hotline.clock import utcnow
    from hotline.knowledge import imports as kb_imports
    from hotline.notify.service import sendable_outbox
    from hotline.reminders import service
    from hotline.supervision import refreshes
    from hotline.tickets.rules import rules_at

    with job_session() as (_app, db, config):
        now = utcnow()
        planned = service.plan(db, rules=rules_at(db, now), overdue_notices=_overdue_notices(config))
        db.commit()
        due = service.due_reminders(db, now=now)
        outbox = sendable_outbox(db, now=now, lease=timedelta(seconds=config["OUTBOX_LEASE_SECONDS"]))
        for rid in due:
            enqueue_after_commit(db, config, "workers.jobs.deliver_reminder", rid, job_id=f"reminder-{rid}")
        for mid in outbox:
            enqueue_after_commit(db, config, "workers.jobs.send_outbox", mid, job_id=f"outbox-{mid}")
        imports = kb_imports.pending(db)  # uploaded while Redis was down, or interrupted
        for iid in imports:
            enqueue_after_commit(db, config, "workers.jobs.kb_import", iid, job_id=kb_import_job_id(iid))
        pending_refreshes = refreshes.pending(db)  # likewise (an enqueue collapses while its job runs)
        for rid in pending_refreshes:
            enqueue_after_commit(db, config, "workers.jobs.refresh_rates", rid, job_id=rate_refresh.job_id(rid))
        db.commit()  # releases the SKIP LOCKED row locks, then the jobs go out
        if config.get("QUEUES_ENABLED", True):
            try:
                connection(config).set(LAST_SWEEP_KEY, now.isoformat(), ex=86400)
            except Exception as exc:  # health information only
                log.warning("could not record the sweep time: %s", exc)
    return {"planned": planned, "due": len(due), "outbox": len(outbox), "imports": len(imports),
            "rate_refreshes": len(pending_refreshes)}


def _overdue_notices(config: Any) -> int:
    return int(config["REMINDER_OVERDUE_NOTICES"])


def deliver_reminder(reminder_id: int) -> str:
    """Deliver one reminder (notify, escalate, store the next one); a second run finds it done."""
    from hotline.clock import utcnow
    from hotline.reminders import service
    from hotline.tickets.rules import rules_at

    with job_session() as (_app, db, config):
        now = utcnow()
        try:
            result = service.deliver(db, reminder_id, rules=rules_at(db, now),
                                     overdue_notices=_overdue_notices(config),
                                     contacts=config["NOTIFY_CONTACTS"])
            for mid in result.outbox_ids:
                enqueue_after_commit(db, config, "workers.jobs.send_outbox", mid, job_id=f"outbox-{mid}")
            db.commit()
            return result.outcome
        except Exception as exc:
            db.rollback()
            if _transient(exc):
                raise
            log.exception("reminder %s failed", reminder_id)
            service.record_error(db, reminder_id, exc, now=now,
                                 max_attempts=int(config["REMINDER_MAX_ATTEMPTS"]))
            db.commit()
            return f"error: {type(exc).__name__}"


def send_outbox(message_id: int) -> str:
    """Hand one outbox message to its gateway: claim (commit), send, record (commit)."""
    from hotline.clock import utcnow
    from hotline.notify import service
    from hotline.notify.gateways import gateway_for

    with job_session() as (_app, db, config):
        now = utcnow()
        lease = timedelta(seconds=config["OUTBOX_LEASE_SECONDS"])
        message = service.claim(db, message_id, now=now, lease=lease)
        db.commit()
        if message is None:
            return "already_taken"
        try:
            provider_id = service.deliver(message, gateway_for(config, message.channel))
        except Exception as exc:
            retry = service.record_failure(message, exc, now=utcnow(),
                                           max_attempts=int(config["OUTBOX_MAX_ATTEMPTS"]),
                                           backoff=timedelta(seconds=config["OUTBOX_BACKOFF_SECONDS"]))
            db.commit()
            if retry:
                raise
            log.warning("outbox %s not sent: %s", message_id, exc)
            return f"failed: {type(exc).__name__}"
        service.record_sent(message, provider_id=provider_id, now=utcnow())
        db.commit()
        return "sent"


def refresh_rates(refresh_id: int) -> str:
    """Judge again the rate facts a change of the rules concerns (a year's time limits, official days), in
    chunks committed with their progress (refreshes.run); a rerun resumes, a finished one is left."""
    from hotline.clock import utcnow
    from hotline.supervision import refreshes

    with job_session() as (_app, db, _config):
        row = refreshes.run(db, refresh_id=refresh_id, now=utcnow(), commit=True)
        return "unknown" if row is None else f"{row.refreshed} tickets"


def kb_import_job_id(import_id: int) -> str:
    """The job id of one knowledge-base import (a second enqueue while it runs collapses into it)."""
    return f"kb-import-{import_id}"


def kb_import(import_id: int) -> str:
    """Run one stored knowledge-base import: claim, check every row, write batch by batch (each batch
    committed with its progress), done. A rerun resumes; a finished import is left alone."""
    from hotline.clock import utcnow
    from hotline.knowledge import imports

    with job_session() as (_app, db, config):
        claim = imports.start(db, import_id=import_id, now=utcnow())
        db.commit()
        if claim is None:
            return "nothing to do"
        try:
            plan = imports.check(db, claim=claim, now=utcnow())
            db.commit()
            for batch in imports.batches(plan):
                imports.write_batch(db, claim=claim, batch=batch, now=utcnow())
                db.commit()  # the batch and its count together
            imports.finish(db, claim=claim, now=utcnow())
            if plan and config.get("KB_SEMANTIC_SEARCH", True):
                # Its own job: minutes of CPU for a large file must not hold up the periodic queue,
                # nor a timeout there turn a finished import into a retried one.
                # Per import: one shared id would collapse into an embedding run that read the articles
                # before this import's were written.
                enqueue_after_commit(db, config, "workers.jobs.kb_embed", job_id=f"kb-embed-{import_id}")
            db.commit()
            return "done"
        except imports.Superseded:
            db.rollback()
            return "superseded"
        except Exception as exc:
            db.rollback()
            if _transient(exc):
                raise  # Retry; the next run resumes after the committed batches
            log.exception("knowledge import %s failed", import_id)
            imports.fail(db, claim=claim, reason=imports.failure_reason(exc), now=utcnow())
            db.commit()
            return "failed"


def kb_embed() -> dict[str, int]:
    """After an import: fill the vector file with the new articles here, not in the first operator search
    (~0.25 s of CPU per 300-character passage). Idempotent: passages already in the file are not embedded again."""
    from hotline.knowledge.search import embed_articles

    with job_session() as (_app, db, _config):
        return embed_articles(db)


def schedule_follow_ups() -> dict[str, int]:
    """Create follow-up tasks (sampling), close the unsampled, keep open tasks in step with their tickets."""
    from hotline.clock import utcnow
    from hotline.followups import service
    from hotline.tickets.rules import rules_at

    with job_session() as (_app, db, config):
        counts = service.schedule(db, rules=rules_at(db, utcnow()), config=config)
        db.commit()
    return counts


def resolve(path: str) -> Callable[..., Any] | None:
    """The function at "package.module.name", or None when that module or name does not exist (yet).

    An ImportError raised by something the target itself imports is not hidden."""
    module_name, _, attr = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            return None
        raise
    return getattr(module, attr, None)


def _missing(path: str) -> str:
    log.warning("periodic target %s does not exist; skipped", path)
    return f"skipped: {path} is not available"


def metrics_snapshot() -> Any:
    """Nightly: store the figures of the local day that just ended (supervision.snapshots)."""
    from hotline.clock import local, utcnow

    target = resolve("hotline.supervision.snapshots.take_snapshot")
    if target is None:
        return _missing("hotline.supervision.snapshots.take_snapshot")
    with job_session() as (_app, db, _config):
        now = utcnow()
        result = target(db, day=local(now).date() - timedelta(days=1), now=now)
        db.commit()
    return result


def rates_compact() -> Any:
    """Hourly: merge the rate roll-up's rows that the moves appended (supervision.rollup)."""
    target = resolve("hotline.supervision.rollup.compact")
    if target is None:
        return _missing("hotline.supervision.rollup.compact")
    with job_session() as (_app, db, _config):
        result = target(db)
        db.commit()
    return result


def kb_review_reminders() -> Any:
    """Daily: knowledge-base articles due for review get review tasks (knowledge.service)."""
    from hotline.clock import utcnow

    target = resolve("hotline.knowledge.service.create_review_tasks")
    if target is None:
        return _missing("hotline.knowledge.service.create_review_tasks")
    with job_session() as (_app, db, _config):
        result = target(db, now=utcnow())
        db.commit()
    return result


def retrain_classifier() -> Any:
    """Nightly: retrain on the corrections and promote only a model no worse on the held-out set."""
    from hotline.clock import utcnow

    target = resolve("hotline.dispatching.retrain.retrain_and_promote")
    if target is None:
        return _missing("hotline.dispatching.retrain.retrain_and_promote")
    with job_session() as (_app, db, config):
        result = target(config, now=utcnow())
        db.commit()
    return result
