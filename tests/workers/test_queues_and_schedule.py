"""Enqueue-after-commit, job options, job ids that collapse a double enqueue, the schedule as data and
its cross-scheduler slots, and the periodic jobs' targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from rq.job import Job

from workers import jobs
from workers.queues import JOBS, OUTBOX, PERIODIC, REMINDERS, enqueue, enqueue_after_commit


def test_enqueue_after_commit_waits_for_the_commit_and_forgets_a_rollback(qapp, conn):
    from hotline.db import session

    with qapp.app_context():
        db = session()
        enqueue_after_commit(db, qapp.config, "workers.jobs.send_outbox", 41, job_id="outbox-41")
        assert Queue(OUTBOX, connection=conn).count == 0  # not before the commit
        db.rollback()
        db.commit()
        assert Queue(OUTBOX, connection=conn).count == 0  # a rolled-back transaction enqueues nothing
        enqueue_after_commit(db, qapp.config, "workers.jobs.send_outbox", 42, job_id="outbox-42")
        db.commit()
    job = Job.fetch("outbox-42", connection=conn)
    assert job.args == (42,) and job.func_name == "workers.jobs.send_outbox"
    assert (job.timeout, job.result_ttl, job.failure_ttl) == (60, 300, 7 * 86400)
    assert job.retries_left == 4 and job.retry_intervals == [10, 30, 120, 300]  # transport failures only


def test_every_job_has_explicit_timeout_and_ttls():
    for name, spec in JOBS.items():
        options = spec.options()
        assert options["job_timeout"] > 0 and options["result_ttl"] > 0 and options["failure_ttl"] > 0, name
        assert jobs.resolve(name) is not None, name
    assert "retry" not in JOBS["workers.jobs.sweep"].options()  # periodic jobs simply run again


def test_a_double_enqueue_collapses_and_a_lost_job_is_replaced(qapp, conn):
    assert enqueue(conn, "workers.jobs.deliver_reminder", 7, job_id="reminder-7") is not None
    assert enqueue(conn, "workers.jobs.deliver_reminder", 7, job_id="reminder-7") is None
    assert Queue(REMINDERS, connection=conn).get_job_ids() == ["reminder-7"]
    job = Job.fetch("reminder-7", connection=conn)
    # Taken by a worker that was then SIGKILLed: "started", heartbeat stale.
    Queue(REMINDERS, connection=conn).remove(job)
    job.set_status("started")
    job.heartbeat(datetime.now(UTC) - timedelta(minutes=5), ttl=600)
    again = enqueue(conn, "workers.jobs.deliver_reminder", 7, job_id="reminder-7")
    assert again is not None and Queue(REMINDERS, connection=conn).get_job_ids() == ["reminder-7"]
    # Taken off the queue by a worker killed before it started the job: lost once 40 s old.
    Queue(REMINDERS, connection=conn).remove(again)
    conn.rpush(f"{Queue(REMINDERS, connection=conn).key}:intermediate", "reminder-7")
    assert enqueue(conn, "workers.jobs.deliver_reminder", 7, job_id="reminder-7") is None  # just enqueued
    conn.hset("rq:job:reminder-7", "enqueued_at", "2026-01-01T00:00:00.000000Z")
    again = enqueue(conn, "workers.jobs.deliver_reminder", 7, job_id="reminder-7")
    assert again is not None and Queue(REMINDERS, connection=conn).get_job_ids() == ["reminder-7"]
    assert conn.lrange(f"{Queue(REMINDERS, connection=conn).key}:intermediate", 0, -1) == []
    # Running on a live worker (fresh heartbeat): collapses.
    Queue(REMINDERS, connection=conn).remove(again)
    again.set_status("started")
    again.heartbeat(datetime.now(UTC), ttl=600)
    assert enqueue(conn, "workers.jobs.deliver_reminder", 7, job_id="reminder-7") is None


def test_the_schedule_is_data_with_overrides():
    from workers.schedule import entries

    default = {e.name: e for e in entries({})}
    assert default["sweep"].interval == 60 and default["sweep"].job == "workers.jobs.sweep"
    assert set(default) == {"sweep", "follow-ups", "metrics-snapshot", "rates-compact", "kb-review", "retrain"}
    changed = {e.name: e for e in entries({"WORKER_SCHEDULE": {"retrain": {"cron": "30 3 * * 0"},
                                                              "kb-review": {"enabled": False},
                                                              "metrics-snapshot": {"interval": 3600}}})}
    assert changed["retrain"].cron == "30 3 * * 0" and "kb-review" not in changed
    assert (changed["metrics-snapshot"].interval, changed["metrics-snapshot"].cron) == (3600, None)
    with pytest.raises(ValueError, match="unknown"):
        entries({"WORKER_SCHEDULE": {"nightly-bogus": {"enabled": False}}})


def test_two_schedulers_enqueue_each_slot_once(qapp, conn):
    from workers.schedule import build_scheduler

    first = build_scheduler(conn, qapp.config, name="host-a")
    second = build_scheduler(conn, qapp.config, name="host-b")
    assert [j.name for j in first.enqueue_jobs()] == ["sweep", "follow-ups"]  # interval jobs start at once
    assert [j.name for j in second.enqueue_jobs()] == ["sweep", "follow-ups"]
    assert Queue(REMINDERS, connection=conn).count == 1 and Queue(PERIODIC, connection=conn).count == 1
    assert {j.name: j.cron for j in first.get_jobs() if j.cron} == {
        "metrics-snapshot": "10 0 * * *", "rates-compact": "5 * * * *", "kb-review": "0 8 * * *",
        "retrain": "30 2 * * *"}


def test_periodic_jobs_call_their_targets_and_skip_missing_ones(api, qapp, clock, monkeypatch):
    clock.shift(-86400)
    tid = api.create()["id"]
    api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})  # a second write of the day's facts
    clock.shift(86400)
    assert jobs.metrics_snapshot() > 0  # supervision.snapshots.take_snapshot for the day before
    assert isinstance(jobs.kb_review_reminders(), int)
    assert jobs.rates_compact() > 4  # supervision.rollup.compact merged the two moves' roll-up rows
    monkeypatch.setattr(jobs, "resolve", lambda path: None)
    assert jobs.retrain_classifier().startswith("skipped: hotline.dispatching.retrain")
    assert jobs.metrics_snapshot().startswith("skipped:")


def test_resolve_tells_a_missing_target_from_a_broken_one(tmp_path, monkeypatch):
    assert jobs.resolve("hotline.nothing_here.service.run") is None
    assert jobs.resolve("hotline.clock.no_such_function") is None
    (tmp_path / "broken_target_mod.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        jobs.resolve("broken_target_mod.run")
