"""The sweep is idempotent: run twice, run concurrently, skipped once, or after Redis lost everything,
each reminder is delivered exactly once; a delivery job run twice delivers once."""

from __future__ import annotations

from rq import Queue

from tests.reminders.helpers import at, dispatched, inbox, query, run_concurrently, tick
from workers import jobs
from workers.queues import REMINDERS


def _due_sign_warning(api, clock, work):  # type: ignore[no-untyped-def]
    dispatched(api)
    tick(clock, work, at("2026-11-26 10:01"))
    clock.to(at("2026-11-27 04:00"))


def test_sweep_twice_enqueues_once_and_delivers_once(api, qapp, clock, work, conn):
    _due_sign_warning(api, clock, work)
    first, second = jobs.sweep(), jobs.sweep()
    assert first["due"] == second["due"] == 1
    assert Queue(REMINDERS, connection=conn).get_job_ids() == ["reminder-1"]  # the second enqueue collapsed
    work()
    assert jobs.sweep()["due"] == 0
    assert len(inbox(api, "dept_ecology")) == 1


def test_a_skipped_sweep_is_made_up_by_the_next(api, qapp, clock, work):
    _due_sign_warning(api, clock, work)  # no sweep at 04:00
    tick(clock, work, at("2026-11-27 04:01"))
    assert [n["data"]["kind"] for n in inbox(api, "dept_ecology")] == ["warning"]


def test_concurrent_sweeps_deliver_each_reminder_once(api, qapp, clock, work):
    for _ in range(5):
        dispatched(api)
    clock.to(at("2026-11-27 04:00"))  # planned and due in the same sweeps
    assert run_concurrently(jobs.sweep, 4) == []
    work()
    assert len(inbox(api, "dept_ecology")) == 5
    assert query(qapp, "SELECT COUNT(*) FROM reminders WHERE kind = 'warning' AND deadline = 'sign'") == [5]
    assert query(qapp, "SELECT COUNT(*) FROM notifications") == [5]


def test_delivery_job_run_twice_delivers_once(api, qapp, clock, work):
    _due_sign_warning(api, clock, work)
    jobs.sweep()
    rid = query(qapp, "SELECT id FROM reminders WHERE kind = 'warning' AND deadline = 'sign'")[0]
    assert jobs.deliver_reminder(rid) == "sent"
    assert jobs.deliver_reminder(rid) == "already_done"  # e.g. killed after commit, before RQ marked it done
    work()  # the queued copy of the job too
    assert len(inbox(api, "dept_ecology")) == 1


def test_redis_restarted_empty_the_sweep_enqueues_again(api, qapp, clock, work, conn):
    _due_sign_warning(api, clock, work)
    jobs.sweep()
    conn.flushdb()  # Redis lost the queued job
    assert jobs.sweep()["due"] == 1
    work()
    assert [n["data"]["kind"] for n in inbox(api, "dept_ecology")] == ["warning"]


def test_a_delivery_that_keeps_failing_gives_up_after_the_set_attempts(api, qapp, clock, work, monkeypatch):
    from hotline.reminders import service

    qapp.config["REMINDER_MAX_ATTEMPTS"] = 2
    _due_sign_warning(api, clock, work)

    def broken(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    monkeypatch.setattr(service, "_notify", broken)
    tick(clock, work, at("2026-11-27 04:00"))
    assert query(qapp, "SELECT attempts, skip_reason FROM reminders WHERE kind = 'warning' AND deadline = 'sign'") == [(1, None)]
    tick(clock, work, at("2026-11-27 04:01"))
    assert query(qapp, "SELECT attempts, skip_reason FROM reminders WHERE kind = 'warning' AND deadline = 'sign'") == [(2, "failed")]
    assert "RuntimeError: bug" in query(qapp, "SELECT last_error FROM reminders WHERE kind = 'warning' AND deadline = 'sign'")[0]
