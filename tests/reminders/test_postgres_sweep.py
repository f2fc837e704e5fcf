"""On PostgreSQL: concurrent sweeps take disjoint due rows (FOR UPDATE SKIP LOCKED) and every reminder is
delivered once. Skipped with the reason when no PostgreSQL answers at 127.0.0.1:5432."""

from __future__ import annotations

import pytest

from tests.reminders.helpers import at, dispatched, inbox, query, run_concurrently


@pytest.fixture
def pg_qapp(redis_url):  # type: ignore[no-untyped-def]
    """A PostgreSQL app whose queues are on (Redis database 8, flushed around the test)."""
    from tests.support.postgres import postgres_app
    from workers.context import set_app
    from workers.queues import connection

    with postgres_app(redis_url.rsplit("/", 1)[0] + "/8", QUEUES_ENABLED=True) as app:
        connection(app.config).flushdb()
        set_app(app)
        yield app
        set_app(None)
        connection(app.config).flushdb()


@pytest.mark.postgres
def test_skip_locked_gives_concurrent_sweeps_disjoint_rows(pg_qapp, clock):
    from hotline.reminders.service import due_reminders, plan
    from hotline.tickets.transitions import Rules
    from tests.support.api import ApiClient

    api = ApiClient(pg_qapp)
    for _ in range(6):
        dispatched(api)
    clock.to(at("2026-11-27 04:00"))
    sessions = pg_qapp.extensions["db"].sessions
    with pg_qapp.app_context():
        from hotline.tickets.rules import rules_at

        with sessions() as db:
            rules: Rules = rules_at(db, at("2026-11-27 04:00"))
            plan(db, rules=rules)
            db.commit()
        first, second = sessions(), sessions()
        try:
            a = due_reminders(first, now=rules.now, limit=4)  # holds row locks until commit
            b = due_reminders(second, now=rules.now)
            assert len(a) == 4 and len(b) == 2 and not set(a) & set(b)
        finally:
            first.rollback()
            second.rollback()
            first.close()
            second.close()


@pytest.mark.postgres
def test_concurrent_sweeps_on_postgres_deliver_once(pg_qapp, clock):
    from rq import SimpleWorker

    from tests.support.api import ApiClient
    from workers import jobs
    from workers.queues import QUEUES, connection

    api = ApiClient(pg_qapp)
    for _ in range(8):
        dispatched(api)
    clock.to(at("2026-11-27 04:00"))
    assert run_concurrently(jobs.sweep, 4) == []
    SimpleWorker(list(QUEUES), connection=connection(pg_qapp.config)).work(burst=True, logging_level="WARNING")
    assert len(inbox(api, "dept_ecology")) == 8
    assert query(pg_qapp, "SELECT COUNT(*) FROM reminders WHERE sent_at IS NOT NULL") == [8]
