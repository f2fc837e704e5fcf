"""Pooled PostgreSQL connections that died while idle (the server restarted, or an administrator ended
them) are replaced before a request uses them; one handed back moments ago is reused without a ping, and
if it died in that moment the pool recovers on the next request. Skipped without PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from hotline import db

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def engines():  # type: ignore[no-untyped-def]
    admin = create_engine(SERVER.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except OperationalError as exc:
        pytest.skip(f"no PostgreSQL answers at 127.0.0.1:5432 ({exc.__class__.__name__})")
    engine = db.make_engine(SERVER)
    yield engine, admin
    engine.dispose()
    admin.dispose()


def _pid(engine):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(admin, pid):  # type: ignore[no-untyped-def]
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar_one()


@pytest.mark.postgres
def test_a_connection_killed_while_idle_is_replaced_before_use(engines, monkeypatch):
    engine, admin = engines
    pid = _pid(engine)
    _terminate(admin, pid)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # as if it had been idle for a while
    assert _pid(engine) != pid  # no error: pinged, found dead, replaced


@pytest.mark.postgres
def test_a_connection_reused_at_once_is_not_pinged_and_the_pool_recovers(engines, monkeypatch):
    engine, admin = engines
    pid = _pid(engine)
    _terminate(admin, pid)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)  # handed back "a moment ago"
    with pytest.raises(DBAPIError) as failed:
        _pid(engine)
    assert failed.value.connection_invalidated
    assert _pid(engine) != pid  # the next request gets a new connection
