"""Suggestions at intake, auto-dispatch above the threshold, the catalogue overriding the model."""

from __future__ import annotations

import time_machine

from tests.support.factories import T0
from tests.support.footprint import unchanged

WATER = "我们小区已经停水三天了，自来水管爆裂一直没人来修，请尽快处理"


def test_suggestions_are_stored_with_the_model_version(api, promote):
    promote(threshold=1.01)  # never sure enough: the operator decides
    with time_machine.travel(T0, tick=False):
        body = api.create(content=WATER)
    assert body["status"] == "received" and not body["auto_dispatched"]
    assert body["suggestions"][0]["department"] == "water"
    assert len(body["suggestions"]) == 3 and body["model_version"].endswith("-t1.01")
    confidences = [s["confidence"] for s in body["suggestions"]]
    assert confidences == sorted(confidences, reverse=True) and 0 < confidences[0] <= 1


def test_sure_model_dispatches_at_intake_and_says_so_in_the_events(api, promote):
    promote(threshold=0.0)
    with time_machine.travel(T0, tick=False):
        created = api.create(content=WATER)
        detail = api.get(f"/tickets/{created['id']}").get_json()
    assert created["status"] == "dispatched" and created["department"] == "water"
    assert created["auto_dispatched"] is True and created["auto_dispatch"]["by"] == "model"
    dispatch = detail["events"][-1]
    assert dispatch["action"] == "dispatch" and dispatch["actor"] == "系统"
    assert dispatch["payload"]["auto"] is True and dispatch["payload"]["decision"]["by"] == "model"
    assert detail["deadlines"]["reply_due_at"] == "2026-12-03T10:00:00+08:00"


def test_catalogue_rule_overrides_the_model(api, promote):
    promote(threshold=0.0)
    rule = api.post("/catalogue", {"name": "东湖区停水归区政府", "keywords": "停水、断水", "district": "东湖区",
                                   "department": "gov_donghu", "priority": 10}, user="admin")
    assert rule.status_code == 201, rule.get_json()
    with time_machine.travel(T0, tick=False):
        here = api.create(content=WATER, district="东湖区")
        elsewhere = api.create(content="西山区自来水发黄有异味，烧开了还有沉淀，担心水质不安全",
                               district="西山区", caller_phone="13700002222", address="西山路1号")
    assert here["department"] == "gov_donghu" and here["auto_dispatch"]["by"] == "catalogue"
    assert here["auto_dispatch"]["rule"]["version"] == rule.get_json()["version"]
    assert elsewhere["department"] == "water" and elsewhere["auto_dispatch"]["by"] == "model"


def test_catalogue_is_versioned_and_admin_only(api):
    body = {"name": "燃气泄漏", "keywords": "燃气泄漏、煤气味", "department": "gas"}
    with unchanged(api.app):
        assert api.post("/catalogue", body, user="dispatcher").status_code == 403
    first = api.post("/catalogue", body, user="admin").get_json()
    with unchanged(api.app):
        for user in ("dispatcher", "supervisor", "operator"):
            assert api.call("PUT", f"/catalogue/{first['rule_key']}", user, body).status_code == 403, user
            assert api.call("DELETE", f"/catalogue/{first['rule_key']}", user).status_code == 403, user
    changed = api.call("PUT", f"/catalogue/{first['rule_key']}", "admin", {**body, "department": "police"})
    assert changed.status_code == 200 and changed.get_json()["version"] == first["version"] + 1
    active = api.get("/catalogue", user="operator").get_json()
    assert [r["department"] for r in active["items"]] == ["police"] and active["version"] == first["version"] + 1
    history = api.get("/catalogue?history=1", user="operator").get_json()["items"]
    assert [(r["department"], r["active"]) for r in history] == [("gas", False), ("police", True)]
    with unchanged(api.app):
        assert api.post("/catalogue", {"name": "空规则", "department": "gas"}, user="admin").status_code == 422
    assert api.call("DELETE", f"/catalogue/{first['rule_key']}", "admin").status_code == 200
    assert api.get("/catalogue", user="operator").get_json()["items"] == []


def test_suggest_endpoint_while_typing(api, promote):
    assert api.get("/classifier/suggest?text=停水").get_json() == {"suggestions": []}  # no model yet
    promote()
    body = api.get("/classifier/suggest?text=" + WATER).get_json()
    assert body["suggestions"][0]["department"] == "water"
    assert body["suggestions"][0]["department_name"] == "市水务局"
    assert api.get("/classifier/suggest?text=").status_code == 422
    assert api.get("/classifier/suggest?text=x", user="dept_water").status_code == 403


def test_a_likely_duplicate_is_not_auto_dispatched(api, promote):
    promote(threshold=0.0)
    with time_machine.travel(T0, tick=False):
        first = api.create(content=WATER, caller_phone="13900001111")
        second = api.create(content=WATER, caller_phone="13900001111")
    assert first["status"] == "dispatched"
    assert second["duplicates"] and second["duplicates"][0]["id"] == first["id"]
    assert second["status"] == "received" and second["auto_dispatch"] is None


def test_a_broken_helper_never_costs_the_ticket(api, monkeypatch):
    from hotline.knowledge import search

    def broken(*_args, **_kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(search, "search_published", broken)
    monkeypatch.setattr("hotline.casework.intake.search_published", broken)
    with time_machine.travel(T0, tick=False):
        body = api.create(content=WATER)
    assert body["status"] == "received" and body["knowledge"] == []
    assert api.get(f"/tickets/{body['id']}").status_code == 200


def test_facts_of_a_ticket_dispatched_at_intake_equal_a_rebuild(api, app, promote):
    from sqlalchemy import select

    from hotline.db import session
    from hotline.deadlines.service import load_calendar, time_limits
    from hotline.supervision import live_facts
    from hotline.supervision.models import rate_facts

    promote(threshold=0.0)
    with time_machine.travel(T0, tick=False):
        auto = api.create(content=WATER)
        given = api.create(content="东湖区滨湖路路灯不亮，晚上出行不安全。", department="ecology")
    assert auto["status"] == given["status"] == "dispatched"
    columns = [c for c in rate_facts.c if c.name != "id"]
    with app.app_context():
        db = session()
        kept = sorted(tuple(r) for r in db.execute(select(*columns).order_by(rate_facts.c.ticket_id)))
        live_facts.rebuild_all(db, calendar=load_calendar(db), limits=time_limits())
        rebuilt = sorted(tuple(r) for r in db.execute(select(*columns)))
        cohorts = {(r.ticket_id, r.cohort) for r in db.execute(select(rate_facts.c.ticket_id, rate_facts.c.cohort))}
    assert {(auto["id"], "dispatched"), (given["id"], "dispatched"), (auto["id"], "received")} <= cohorts
    assert kept == rebuilt
