"""Districts live in the database: admins add, rename and switch them off; every form and intake follows."""

from __future__ import annotations

import sqlalchemy as sa
import time_machine
from sqlalchemy import func, select

from hotline.tickets.models import Ticket
from tests.support.citizen import Citizen, online_request
from tests.support.factories import T0
from tests.support.footprint import unchanged
from tests.web.conftest import Pages, text

DEMO = ["东湖区", "西山区", "南湖区", "北城区", "高新区"]


def ticket_count(app) -> int:  # type: ignore[no-untyped-def]
    from hotline.db import session

    with app.app_context():
        return session().scalar(select(func.count(Ticket.id))) or 0


def names(api, user: str = "operator", query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = api.get(f"/districts{query}", user=user)
    assert response.status_code == 200
    return [d["name"] for d in response.get_json()["items"]]


def test_every_role_reads_the_demo_districts_from_the_database(api):
    for user in ("operator", "dept_water", "followup", "supervisor", "admin"):
        assert names(api, user) == DEMO
    assert api.get("/districts", user=None).status_code == 401


def test_admins_add_rename_and_switch_off_districts(api):
    created = api.post("/districts", {"code": "linjiang", "name": "临江新区"}, user="admin")
    assert created.status_code == 201 and created.get_json() == {"code": "linjiang", "name": "临江新区",
                                                                 "active": True}
    renamed = api.call("PATCH", "/districts/linjiang", "admin", {"name": "临江区"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "临江区"
    off = api.call("PATCH", "/districts/gaoxin", "admin", {"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert names(api) == ["东湖区", "西山区", "南湖区", "北城区", "临江区"]
    assert names(api, query="?all=1") == [*DEMO, "临江区"]


def test_bad_and_forbidden_district_changes_are_refused_in_chinese(api):
    cases = [({"code": "donghu", "name": "东湖新区"}, 409), ({"code": "dong2", "name": "东湖区"}, 409),
             ({"code": "Bad Code", "name": "某区"}, 422), ({"code": "ok", "name": " "}, 422),
             ({"code": "ok", "name": "区" * 41}, 422)]
    with unchanged(api.app):
        for body, status in cases:
            response = api.post("/districts", body, user="admin")
            assert response.status_code == status, body
            assert any("\u4e00" <= ch <= "\u9fff" for ch in response.get_json()["error"]["message"])
        assert api.post("/districts", {"code": "x", "name": "某区"}, user="operator").status_code == 403
        assert api.call("PATCH", "/districts/donghu", "supervisor", {"active": False}).status_code == 403
        assert api.call("PATCH", "/districts/nowhere", "admin", {"active": False}).status_code == 404
        assert api.call("PATCH", "/districts/donghu", "admin", {"name": "西山区"}).status_code == 409
    assert names(api) == DEMO


def test_intake_accepts_a_new_district_and_refuses_a_switched_off_one(api, app):
    api.post("/districts", {"code": "linjiang", "name": "临江新区"}, user="admin")
    api.call("PATCH", "/districts/gaoxin", "admin", {"active": False})
    ticket = api.create(district="临江新区")
    assert ticket["id"]
    before = ticket_count(app)
    with unchanged(app):
        refused = api.post("/tickets", {"content": "高新区科技路路灯不亮", "district": "高新区"})
    assert refused.status_code == 422 and "高新区" in refused.get_json()["error"]["message"]
    assert ticket_count(app) == before


def test_the_operator_console_lists_the_database_districts(api, app):
    api.post("/districts", {"code": "linjiang", "name": "临江新区"}, user="admin")
    api.call("PATCH", "/districts/gaoxin", "admin", {"active": False})
    app.config["WTF_CSRF_ENABLED"] = False
    page = text(Pages(app).client("operator").get("/console"))
    assert '<option value="临江新区"' in page and '<option value="高新区"' not in page


def test_the_citizen_form_lists_and_checks_the_database_districts(api, app):
    api.post("/districts", {"code": "linjiang", "name": "临江新区"}, user="admin")
    api.call("PATCH", "/districts/nanhu", "admin", {"active": False})
    app.config["WTF_CSRF_ENABLED"] = True
    citizen = Citizen(app)
    page = text(citizen.get("/public/submit"))
    assert "临江新区" in page and "南湖区" not in page
    with unchanged(app):
        refused = citizen.submit(online_request(district="南湖区"))
    assert refused.status_code == 422 and "请从列表中选择" in text(refused)
    accepted = citizen.submit(online_request(district="临江新区", caller_phone="13900001234"))
    assert accepted.status_code in (200, 302)
    from hotline.db import session

    with app.app_context():
        assert session().scalar(select(Ticket.district).order_by(Ticket.id.desc()).limit(1)) == "临江新区"


def test_open311_finds_a_new_district_in_the_address(api, app):
    api.post("/districts", {"code": "linjiang", "name": "临江新区"}, user="admin")
    result = app.test_cli_runner().invoke(args=["apikeys", "create", "城市APP", "--channel", "app"])
    key = result.output.strip()
    with time_machine.travel(T0, tick=False):
        response = app.test_client().post("/open311/v2/requests.json", data={
            "api_key": key, "service_code": "complaint", "description": "江滨路工地夜里施工噪音很大",
            "address_string": "临江新区江滨路3号"})
    assert response.status_code == 200, response.get_json()
    from hotline.db import session

    with app.app_context():
        assert session().scalar(select(Ticket.district).order_by(Ticket.id.desc()).limit(1)) == "临江新区"


def test_the_migration_seeds_districts_from_existing_district_governments(tmp_path):
    from hotline.cli import upgrade_database
    from hotline.db import make_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0009")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO departments (code, name, category, district, active) VALUES "
                                   "('gov_a', '甲区人民政府', 'district', '甲区', 1), "
                                   "('water', '市水务局', 'municipal', NULL, 1)"))
    upgrade_database(url, "head")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT code, name, active FROM districts")).all()
    engine.dispose()
    assert [(code, name, bool(active)) for code, name, active in rows] == [("district_1", "甲区", True)]


def test_a_catalogue_rule_names_a_district_of_the_table(api):
    rule = {"name": "火星区停水", "keywords": "停水", "district": "火星区", "department": "water"}
    with unchanged(api.app):
        refused = api.post("/catalogue", rule, user="admin")
    assert refused.status_code == 422 and "火星区" in refused.get_json()["error"]["message"]
    assert api.get("/catalogue", user="admin").get_json()["items"] == []
    api.post("/districts", {"code": "huoxing", "name": "火星区"}, user="admin")
    assert api.post("/catalogue", rule, user="admin").status_code == 201
