"""Reference data kept per process (hotline.refdata): an admin's change in one web process is seen by the
next request of every other one, and a warm intake reads none of those tables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from tests.support.api import ApiClient
from tests.support.footprint import unchanged

WATER = "我们小区已经停水三天了，自来水管爆裂一直没人来修，请尽快处理"
REFERENCE_TABLES = ("calendar_days", "districts", "dispatch_rules", "departments", "kb_articles",
                    "dispatch_monitor_events", "year_settings")


@pytest.fixture
def other(database_url, redis_url, tmp_path) -> Iterator[ApiClient]:  # type: ignore[no-untyped-def]
    """A second web process on the same database and Redis (its own app, its own caches)."""
    from hotline import create_app

    app = create_app({"DATABASE_URL": database_url, "REDIS_URL": redis_url, "TESTING": True,
                      "QUEUES_ENABLED": False, "HOTLINE_MODEL_DIR": str(tmp_path / "models")})
    yield ApiClient(app)
    app.extensions["db"].dispose()


def test_a_district_switched_off_in_another_process_is_refused_at_once(api, other):
    assert api.create(district="高新区")["district"] == "高新区"  # this process now keeps the districts
    assert other.call("PATCH", "/districts/gaoxin", "admin", {"active": False}).status_code == 200
    refused = api.post("/tickets", {"content": "高新区科技路路灯不亮", "district": "高新区"})
    assert refused.status_code == 422 and "高新区" in refused.get_json()["error"]["message"]


def test_a_catalogue_rule_added_in_another_process_dispatches_the_next_ticket(api, other):
    assert api.create(content="湖滨路的路灯坏了一个多月", district="东湖区")["status"] == "received"  # warm
    rule = other.post("/catalogue", {"name": "东湖区停水归区政府", "keywords": "停水", "district": "东湖区",
                                     "department": "gov_donghu", "priority": 10}, user="admin")
    assert rule.status_code == 201, rule.get_json()
    ticket = api.create(content=WATER, district="东湖区", caller_phone="13700009999", address="湖滨路8号")
    assert ticket["status"] == "dispatched" and ticket["department"] == "gov_donghu"
    assert ticket["auto_dispatch"]["by"] == "catalogue"


def test_a_department_switched_off_in_another_process_is_no_longer_dispatched_to(api, other):
    assert api.create(content=WATER, department="water")["department"] == "water"  # departments kept
    with other.app.app_context():
        from hotline.db import session
        from hotline.departments.models import Department

        db = session()
        db.query(Department).filter_by(code="water").one().active = False
        db.commit()
    refused = api.post("/tickets", {"content": WATER, "department": "water", "caller_phone": "13700008888"})
    assert refused.status_code == 422 and "water" in refused.get_json()["error"]["message"]


def test_a_warm_intake_reads_no_reference_table(api, app):
    api.create(content=WATER, district="东湖区")  # loads what the process keeps
    statements: list[str] = []
    engine = app.extensions["db"].engine
    listener = lambda _c, _cur, statement, *_a: statements.append(statement.lower())  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        ticket = api.create(content=WATER, district="东湖区", caller_phone="13700007777")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert ticket["status"] == "received" and ticket["id"]
    read = [t for t in REFERENCE_TABLES for s in statements if f"from {t}" in s]
    assert read == [] and statements


def test_without_redis_every_request_reads_the_database_and_stays_right(database_url, tmp_path):
    from hotline import create_app

    app = create_app({"DATABASE_URL": database_url, "REDIS_URL": "redis://127.0.0.1:1/0", "TESTING": True,
                      "QUEUES_ENABLED": False, "HOTLINE_MODEL_DIR": str(tmp_path / "models")})
    api = ApiClient(app)
    try:
        assert api.create(district="高新区")["district"] == "高新区"
        with app.app_context():
            from hotline.db import session
            from hotline.departments.models import District

            db = session()
            db.query(District).filter_by(code="gaoxin").one().active = False
            db.commit()
        with unchanged(app):
            assert api.post("/tickets", {"content": "路灯不亮", "district": "高新区"}).status_code == 422
    finally:
        app.extensions["db"].dispose()
