"""On PostgreSQL: concurrent moves on one ticket — one wins, the other gets 409, nothing half-written."""

from __future__ import annotations

import threading
import uuid

import pytest
import time_machine
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.support.factories import T0

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def pg_app(redis_url, tmp_path):  # type: ignore[no-untyped-def]
    try:
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = f"hotline_test_{uuid.uuid4().hex[:8]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.skip(f"no PostgreSQL answers at 127.0.0.1:5432 ({exc.__class__.__name__})")
    from hotline import create_app
    from hotline.cli import upgrade_database
    from hotline.db import session
    from hotline.demo.load import load_city

    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "QUEUES_ENABLED": False, "TESTING": True})
    with app.app_context():
        load_city(session(), now=T0)
        session().commit()
    yield app
    app.extensions["db"].dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_concurrent_sign_and_return_one_wins(pg_app):
    from tests.support.api import ApiClient

    api = ApiClient(pg_app)
    with time_machine.travel(T0, tick=True):
        ticket = api.create()
        api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
        version = api.get(f"/tickets/{ticket['id']}").get_json()["version"]
        api.token("dept_ecology")
        results: list[int] = []
        barrier = threading.Barrier(2)

        def attempt(action: str, body: dict) -> None:
            client = ApiClient(pg_app)
            client.tokens = api.tokens
            barrier.wait()
            response = client.post(f"/tickets/{ticket['id']}/{action}", {**body, "version": version},
                                   user="dept_ecology")
            results.append(response.status_code)

        threads = [threading.Thread(target=attempt, args=("sign", {})),
                   threading.Thread(target=attempt, args=("return", {"reason": "不属本单位"}))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        detail = api.get(f"/tickets/{ticket['id']}").get_json()
    assert sorted(results) == [200, 409]
    assert len(detail["events"]) == 3  # receive, dispatch and exactly one of the two moves
    assert detail["status"] in ("in_progress", "returned")
