"""受理 numbers: the day (Asia/Shanghai) and the id, written by the ticket's own INSERT on every backend."""

from __future__ import annotations

import threading

import pytest
import time_machine
from sqlalchemy import event, select

from tests.support.factories import T0


def _created_with_statements(app, api, count: int) -> tuple[list[dict], list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = app.extensions["db"].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with time_machine.travel(T0, tick=False):
            created = [api.create(content=f"东湖区滨湖路{n}号路灯不亮，晚上出行不安全。") for n in range(count)]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return created, statements


def _stored(app) -> list[tuple[int, str, int]]:  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.tickets.models import Ticket

    with app.app_context():
        return list(session().execute(select(Ticket.id, Ticket.number, Ticket.version).order_by(Ticket.id)))


def _check(app, api) -> None:  # type: ignore[no-untyped-def]
    created, statements = _created_with_statements(app, api, 3)
    for ticket in created:
        assert ticket["number"] == f"20261126-{ticket['id']:06d}"
    stored = {i: (n, v) for i, n, v in _stored(app)}
    assert all(stored[t["id"]] == (t["number"], t["version"]) for t in created)
    # the listener saw the intake's statements (else "no UPDATE" would hold of nothing), and no second one
    assert sum(s.lstrip().upper().startswith("INSERT INTO TICKETS ") for s in statements) == len(created)
    assert not any(s.lstrip().upper().startswith("UPDATE TICKETS") for s in statements)


def test_the_number_is_written_by_the_insert(app, api):
    _check(app, api)


@pytest.mark.postgres
def test_the_number_is_written_by_the_insert_on_postgresql(pg_app):
    from tests.support.api import ApiClient

    _check(pg_app, ApiClient(pg_app))


@pytest.mark.postgres
def test_concurrent_intake_numbers_match_their_ids_on_postgresql(pg_app):
    from tests.support.api import ApiClient

    api = ApiClient(pg_app)
    api.token("operator")
    failures: list[int] = []

    def post(n: int) -> None:
        client = ApiClient(pg_app)
        client.tokens = api.tokens
        for i in range(8):
            response = client.post("/tickets", {"content": f"西山区{n}-{i}号楼下水道堵塞，污水外溢。",
                                                "channel": "phone", "kind": "complaint"}, user="operator")
            if response.status_code != 201:
                failures.append(response.status_code)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    rows = _stored(pg_app)
    assert len(rows) >= 32 and all(number.endswith(f"-{ticket_id:06d}") for ticket_id, number, _ in rows)
