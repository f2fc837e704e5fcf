"""受理 numbers: the day (Asia/Shanghai) and the id, written by the ticket's own INSERT on every backend
(on PostgreSQL the same statement writes the 受理 event)."""

from __future__ import annotations

import threading

import pytest
import time_machine
from sqlalchemy import select

from tests.support.factories import T0
from tests.support.statements import recorded


def _created_with_statements(app, api, count: int) -> tuple[list[dict], list[str]]:  # type: ignore[no-untyped-def]
    with recorded(app.extensions["db"].engine) as statements, time_machine.travel(T0, tick=False):
        created = [api.create(content=f"东湖区滨湖路{n}号路灯不亮，晚上出行不安全。") for n in range(count)]
    return created, statements


def _stored(app) -> list[tuple[int, str, int]]:  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.tickets.models import Ticket

    with app.app_context():
        return list(session().execute(select(Ticket.id, Ticket.number, Ticket.version).order_by(Ticket.id)))


def _events(app, ticket_id: int) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.tickets.models import TicketEvent

    with app.app_context():
        return [tuple(r) for r in session().execute(
            select(TicketEvent.action, TicketEvent.to_status, TicketEvent.actor_name)
            .where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))]


def _check(app, api) -> None:  # type: ignore[no-untyped-def]
    created, statements = _created_with_statements(app, api, 3)
    for ticket in created:
        assert ticket["number"] == f"20261126-{ticket['id']:06d}"
        assert _events(app, ticket["id"]) == [("receive", "received", "话务员小王")]
    stored = {i: (n, v) for i, n, v in _stored(app)}
    assert all(stored[t["id"]] == (t["number"], t["version"]) for t in created)
    # the listener saw the intake's statements (else "no UPDATE" would hold of nothing), and no second one
    assert sum("INSERT INTO TICKETS " in s.upper() for s in statements) == len(created)
    assert not any(s.lstrip().upper().startswith("UPDATE TICKETS") for s in statements)
    separate_events = sum(s.lstrip().upper().startswith("INSERT INTO TICKET_EVENTS") for s in statements)
    postgres = app.extensions["db"].engine.dialect.name == "postgresql"
    assert separate_events == (0 if postgres else len(created))


def test_the_first_event_comes_before_the_dispatch_in_one_intake(app, api):
    ticket = api.create(content="滨湖路9号下水道堵塞，污水外溢", department="water")
    assert [action for action, _to, _by in _events(app, ticket["id"])] == ["receive", "dispatch"]


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


def _in_hand_equals_row(app) -> None:  # type: ignore[no-untyped-def]
    """The ticket intake holds after its INSERT is the stored row, every column, and reads nothing back."""
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.tickets import service
    from hotline.tickets.models import Ticket
    from hotline.tickets.rules import rules_at

    with app.app_context(), time_machine.travel(T0, tick=False):
        db = session()
        operator = db.scalar(select(User).where(User.username == "operator"))
        rules = rules_at(db, T0)
        with recorded(app.extensions["db"].engine) as statements:
            ticket = service.receive(db, rules=rules, actor=operator, data={
                "content": "东湖区滨湖路8号路灯不亮", "caller_phone": "13800000001", "kind": "complaint",
                "district": "东湖区"}).ticket
            held = {column.key: getattr(ticket, column.key) for column in Ticket.__table__.c}
        # nothing read the ticket back, neither intake's bookkeeping nor the reads above
        assert not [s for s in statements if s.lstrip().upper().startswith("SELECT TICKETS.")], statements
        db.commit()
        db.expunge_all()
        row = db.execute(select(Ticket.__table__).where(Ticket.id == held["id"])).one()._asdict()
    assert held == row
    assert held["number"] == f"20261126-{held['id']:06d}" and held["version"] == 1
    assert held["status"] == "received" and held["dispatch_count"] == 0 and held["suggestions"] == []


def test_the_ticket_in_hand_is_its_stored_row(app):
    _in_hand_equals_row(app)


@pytest.mark.postgres
def test_the_ticket_in_hand_is_its_stored_row_on_postgresql(pg_app):
    _in_hand_equals_row(pg_app)
