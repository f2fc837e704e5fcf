"""Rows held for the commit (hotline.held): an intake's side rows reach the tables at its commit (one
statement on PostgreSQL), a rollback writes none, a savepoint's rows are written at once, and without
holding every insert is visible at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from hotline import held
from hotline.auth.models import AccessLog
from hotline.db import session
from hotline.supervision.models import (
    HotspotMember,
    HotspotTerm,
    TicketSignature,
    TicketTextBand,
    rate_days,
    rate_facts,
)
from tests.support.factories import stored_ticket
from tests.support.postgres import postgres_app
from tests.support.statements import recorded

AT = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
SIDE_TABLES = ("hotspot_members", "hotspot_terms", "ticket_signatures", "ticket_text_bands", "access_log",
               "rate_facts", "rate_days")


def _written_after_every_read(sent: list[str]) -> None:
    """The request's side rows reached the database after its last read, i.e. at its commit (written at once,
    the hotspot membership would come before the duplicate look-up)."""
    reads = [i for i, s in enumerate(sent) if s.lstrip().upper().startswith("SELECT")]
    writes = [i for i, s in enumerate(sent) if any(f"INSERT INTO {t} " in s for t in SIDE_TABLES)]
    assert reads and writes and min(writes) > max(reads), sent


def _rows_of(ticket_id: int) -> dict[str, int]:
    """How many rows each side table holds for the ticket (rate_days: all rows, it has no ticket column)."""
    counted = {"hotspot_members": HotspotMember.ticket_id, "hotspot_terms": HotspotTerm.ticket_id,
               "ticket_signatures": TicketSignature.ticket_id, "ticket_text_bands": TicketTextBand.ticket_id,
               "access_log": AccessLog.ticket_id, "rate_facts": rate_facts.c.ticket_id}
    rows = {name: session().scalar(select(func.count()).where(column == ticket_id)) or 0
            for name, column in counted.items()}
    rows["rate_days"] = session().scalar(select(func.count()).select_from(rate_days)) or 0
    return rows


def _intake_twice(app):  # type: ignore[no-untyped-def]
    """Two similar tickets through the API; the first one's side rows and the statements of the second."""
    from tests.support.api import ApiClient

    api = ApiClient(app)
    with app.app_context():
        days_before = session().scalar(select(func.count()).select_from(rate_days)) or 0
    first = api.create(caller_phone="13900000001")
    with recorded(app.extensions["db"].engine) as sent:
        second = api.create(caller_phone="13900000002")
    with app.app_context():
        rows = _rows_of(first["id"])
    rows["rate_days"] -= days_before
    return first, second, rows, sent


def _check_intake(app) -> list[str]:  # type: ignore[no-untyped-def]
    first, second, rows, sent = _intake_twice(app)
    assert all(rows[name] >= 1 for name in SIDE_TABLES), rows  # every side row reached its table
    assert rows["hotspot_members"] == 1 and rows["ticket_signatures"] == 1 and rows["access_log"] == 1
    # What the operator sees: the second call is offered the first ticket, found through its stored signature.
    assert first["id"] in [d["id"] for d in second["duplicates"]]
    _written_after_every_read(sent)
    return sent


def test_an_intake_writes_its_side_rows_at_the_commit(app):
    _check_intake(app)


def test_an_intake_writes_its_side_rows_in_one_statement_on_postgresql(redis_url):
    with postgres_app(redis_url) as app:
        sent = _check_intake(app)
    combined = [s for s in sent if s.lstrip().startswith("WITH held_")]
    assert len(combined) == 1
    for table in SIDE_TABLES:
        assert f"INSERT INTO {table} " in combined[0]
        assert not any(s.lstrip().startswith(f"INSERT INTO {table} ") for s in sent), table


def test_a_dispatching_intake_writes_its_facts_in_the_one_statement_on_postgresql(redis_url):
    from tests.support.api import ApiClient

    with postgres_app(redis_url) as app:
        with recorded(app.extensions["db"].engine) as sent:
            ticket = ApiClient(app).create(caller_phone="13900000003", department="water")
        with app.app_context():
            cohorts = session().scalars(select(rate_facts.c.cohort).where(rate_facts.c.ticket_id == ticket["id"]))
            assert "dispatched" in set(cohorts)
    assert ticket["status"] == "dispatched"
    facts = [s for s in sent if "INSERT INTO rate_facts " in s]
    assert len(facts) == 1 and facts[0].lstrip().startswith("WITH held_"), facts
    _written_after_every_read(sent)


def _log(ticket_id: int, action: str) -> None:
    held.insert(session(), AccessLog.__table__, [{"user_id": 1, "at": AT, "action": action, "ticket_id": ticket_id,
                                                  "detail": {}}])


def _actions(ticket_id: int) -> list[str]:
    return sorted(session().scalars(select(AccessLog.action).where(AccessLog.ticket_id == ticket_id)))


def _holding_and_savepoints(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        ticket_id = stored_ticket(AT).id
        session().commit()
        _log(ticket_id, "without_holding")
        assert _actions(ticket_id) == ["without_holding"]  # written at once: visible before the commit
        session().rollback()

        held.hold_until_commit(session())
        _log(ticket_id, "held_then_rolled_back")
        assert _actions(ticket_id) == []
        session().rollback()  # the transaction ends: what it held is dropped, never written
        session().commit()
        assert _actions(ticket_id) == []

        held.hold_until_commit(session())
        _log(ticket_id, "held")
        savepoint = session().begin_nested()
        _log(ticket_id, "in_savepoint_undone")
        assert _actions(ticket_id) == ["in_savepoint_undone"]  # inside a savepoint: at once
        savepoint.rollback()
        with session().begin_nested():
            _log(ticket_id, "in_savepoint_kept")
        session().commit()
        assert _actions(ticket_id) == ["held", "in_savepoint_kept"]
        session().commit()  # a later transaction holds nothing unless asked again
        _log(ticket_id, "later")
        assert "later" in _actions(ticket_id)
        session().rollback()


def test_holding_rollbacks_and_savepoints_on_sqlite(app):
    _holding_and_savepoints(app)


def test_holding_rollbacks_and_savepoints_on_postgresql(redis_url):
    with postgres_app(redis_url) as app:
        _holding_and_savepoints(app)


def test_held_rows_of_json_and_many_rows_on_postgresql(redis_url):
    """Single rows with JSON, several plain rows and several rows with JSON, in one statement."""
    with postgres_app(redis_url) as app, app.app_context():
        ticket_id = stored_ticket(AT).id
        held.hold_until_commit(session())
        member = {"ticket_id": ticket_id, "cluster_id": ticket_id, "district": None, "received_at": AT,
                  "terms": {"噪音": 1.0}, "places": {}, "counted": True}
        words = [{"ticket_id": ticket_id, "term": term, "district": None, "received_at": AT} for term in ("噪音", "施工")]
        held.insert_together(session(), [(HotspotMember.__table__, [member]), (HotspotTerm.__table__, words)])
        held.insert(session(), AccessLog.__table__, [
            {"user_id": 1, "at": AT, "action": action, "ticket_id": ticket_id, "detail": {"n": n}}
            for n, action in enumerate(("a", "b"))])
        with recorded(session().get_bind()) as sent:
            session().commit()
        assert [" ".join(s.split()[:3]) for s in sent if "INSERT" in s] == ["WITH held_0 AS"]
        member = session().execute(select(HotspotMember.terms, HotspotMember.received_at, HotspotMember.district)
                                   .where(HotspotMember.ticket_id == ticket_id)).one()
        assert tuple(member) == ({"噪音": 1.0}, AT, None)
        assert sorted(session().scalars(select(HotspotTerm.term).where(HotspotTerm.ticket_id == ticket_id))) == \
            ["噪音", "施工"]
        details = session().execute(select(AccessLog.action, AccessLog.detail).where(AccessLog.ticket_id == ticket_id))
        assert sorted(tuple(r) for r in details) == [("a", {"n": 0}), ("b", {"n": 1})]


def test_the_console_intake_writes_its_side_rows_at_the_commit(app):
    """The operator's console form receives through the same held rows: a second similar call is offered the
    first ticket, found through the signature the first commit wrote."""
    from tests.support.sessions import page_client

    app.config["WTF_CSRF_ENABLED"] = False
    client = page_client(app, "operator")
    content = "西山区青年路工地夜间施工噪音很大，凌晨两点还在打桩，影响休息，请尽快处理。"
    ids = []
    for n, phone in enumerate(("13900000011", "13900000012")):
        with recorded(app.extensions["db"].engine) as sent:
            response = client.post("/console", data={"content": content, "kind": "complaint", "district": "西山区",
                                                     "caller_phone": phone, "idempotency_key": f"held-{n}"})
        assert response.status_code == 302, response.get_data(as_text=True)
        _written_after_every_read(sent)
        ids.append(int(response.headers["Location"].rsplit("/", 1)[1]))
    with app.app_context():
        rows = _rows_of(ids[0])
        from hotline.departments.models import User
        from hotline.supervision.duplicates import at_intake
        from hotline.tickets.models import Ticket

        operator = session().scalars(select(User).where(User.username == "operator")).one()
        second = session().get(Ticket, ids[1])
        found = at_intake(session(), ticket=second, now=second.received_at, viewer=operator)
    assert rows["hotspot_members"] == 1 and rows["ticket_signatures"] == 1 and rows["rate_facts"] >= 1
    assert ids[0] in [d["id"] for d in found]


def _repeat_with_the_same_key(app) -> None:  # type: ignore[no-untyped-def]
    """The console's form sent twice with its key (Back, then submit again) finds its ticket and holds
    nothing: the second commit has no rows to write, and the operator lands on the same ticket."""
    from tests.support.sessions import page_client

    app.config["WTF_CSRF_ENABLED"] = False
    client = page_client(app, "operator")
    form = {"content": "北城区解放路路灯坏了一排，晚上很黑，请尽快修理。", "kind": "complaint", "district": "北城区",
            "caller_phone": "13900000021", "idempotency_key": "held-repeat"}
    first, again = client.post("/console", data=form), client.post("/console", data=form)
    assert (first.status_code, again.status_code) == (302, 302), again.get_data(as_text=True)
    assert again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        ticket_id = int(first.headers["Location"].rsplit("/", 1)[1])
        assert _rows_of(ticket_id)["ticket_signatures"] == 1
        held.hold_until_commit(session())
        session().commit()  # a transaction that held nothing commits as any other


def test_a_repeated_intake_holds_nothing_on_sqlite(app):
    _repeat_with_the_same_key(app)


def test_a_repeated_intake_holds_nothing_on_postgresql(redis_url):
    with postgres_app(redis_url) as app:
        _repeat_with_the_same_key(app)


def test_no_statement_of_an_intake_is_parsed_afresh_on_postgresql(redis_url, monkeypatch):
    """psycopg keeps the parsed form of a statement of at most 50 parameters and 4 KB; a longer one it parses
    again on every execution (as the ticket's INSERT of about 60 parameters and 6 KB once was)."""
    from psycopg import _queries

    from tests.support.api import ApiClient

    afresh: list[bytes] = []
    parse = _queries._query2pg_nocache

    def spied(query, encoding):  # type: ignore[no-untyped-def]
        afresh.append(bytes(query[:60]))
        return parse(query, encoding)

    monkeypatch.setattr(_queries, "_query2pg_nocache", spied)
    with postgres_app(redis_url) as app:
        api = ApiClient(app)
        api.token("operator")
        afresh.clear()  # the set-up's own (a many-row load of departments) are not the intake's
        with recorded(app.extensions["db"].engine) as sent:
            plain = api.create(caller_phone="13900000004", content="南湖区春风路12号路灯不亮，晚上出行不安全。")
            dispatched = api.create(caller_phone="13900000005", content="北城区滨江路3号下水道堵塞，污水外溢。",
                                    department="water")
    assert plain["status"] == "received" and dispatched["status"] == "dispatched"
    assert any("INSERT INTO tickets " in s for s in sent) and any(s.startswith("WITH held_") for s in sent)
    assert afresh == []
