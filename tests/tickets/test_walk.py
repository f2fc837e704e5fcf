"""The black-box walk over HTTP: intake to closing, reopening, returns, deadlines and scoping."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from tests.support.factories import T0
from tests.support.footprint import unchanged


def test_happy_path_closes_with_full_audit_trail(api):
    with time_machine.travel(T0, tick=False) as clock:
        ticket = api.create()
        assert ticket["status"] == "received" and ticket["number"].startswith("20261126-")
        tid = ticket["id"]
        steps = [("dispatch", "dispatcher", {"department": "ecology"}, "dispatched"),
                 ("sign", "dept_ecology", {}, "in_progress"),
                 ("reply", "dept_ecology", {"result": "solved", "content": "已责令餐馆安装油烟净化器。"}, "replied"),
                 ("accept-reply", "dispatcher", {}, "awaiting_follow_up"),
                 ("follow-up", "followup", {"contacted": True, "solved": "solved", "satisfaction": "satisfied"},
                  "closed")]
        for action, user, body, status in steps:
            clock.shift(timedelta(hours=1))
            assert api.act(tid, action, user, body)["status"] == status
        detail = api.get(f"/tickets/{tid}").get_json()
    assert detail["close_reason"] == "followed_up"
    trail = [(e["action"], e["from"], e["to"]) for e in detail["events"]]
    assert trail == [("receive", None, "received"), ("dispatch", "received", "dispatched"),
                     ("sign", "dispatched", "in_progress"), ("reply", "in_progress", "replied"),
                     ("accept_reply", "replied", "awaiting_follow_up"),
                     ("follow_up", "awaiting_follow_up", "closed")]
    actors = [e["actor"] for e in detail["events"]]
    assert actors == ["话务员小王", "派单员老陈", "市生态环境局联络员", "市生态环境局联络员", "派单员老陈", "回访员小周"]
    times = [datetime.fromisoformat(e["at"]) for e in detail["events"]]
    assert times == sorted(times) and times[-1] - times[0] == timedelta(hours=5)
    assert all(e["at"].endswith("+08:00") for e in detail["events"])


def test_dissatisfied_follow_up_reopens(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.drive(tid, "awaiting_follow_up")
        body = api.act(tid, "follow-up", "followup",
                       {"contacted": True, "solved": "unsolved", "satisfaction": "dissatisfied"})
    assert body["status"] == "in_progress"
    assert body["counts"]["reopen"] == 1
    assert body["events"][-1]["payload"]["reopened"] is True


def test_return_approved_and_redispatched_elsewhere(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "water"})
        returned = api.act(tid, "return", "dept_water", {"reason": "油烟噪音不属本单位职责",
                                                          "basis": "三定方案", "suggested_department": "ecology"})
        assert returned["status"] == "returned"
        pending = api.act(tid, "approve-return", "dispatcher")
        assert pending["status"] == "pending_dispatch" and pending["department"] is None
        again = api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
    assert again["status"] == "dispatched" and again["department"] == "ecology"
    assert again["counts"] == {"dispatch": 2, "return": 1, "reopen": 0, "urge": 0, "supervise": 0}
    assert again["events"][-1]["payload"]["redispatch"] is True


def test_normal_reply_deadline_is_five_working_days_after_dispatch(api):
    # Thursday 2026-11-26 10:00 + 5 working days (weekend skipped) = Thursday 2026-12-03 10:00.
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        body = api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
    assert body["deadlines"]["reply_due_at"] == "2026-12-03T10:00:00+08:00"
    assert body["deadlines"]["sign_due_at"] == "2026-11-27T10:00:00+08:00"
    assert body["deadlines"]["return_until"] == "2026-11-30T10:00:00+08:00"


def test_reply_deadline_skips_national_day(api):
    with time_machine.travel(datetime.fromisoformat("2026-09-30T09:00:00+08:00"), tick=False):
        tid = api.create()["id"]
        body = api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
    # 2026-10-01..07 are off and 10-10 (Sat) is a make-up working day: 10-08, 09, 10, 12, 13.
    assert body["deadlines"]["reply_due_at"] == "2026-10-13T09:00:00+08:00"


def test_other_department_cannot_read_or_act(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
        assert api.get(f"/tickets/{tid}", user="dept_water").status_code == 404
        with unchanged(api.app):
            assert api.post(f"/tickets/{tid}/sign", {}, user="dept_water").status_code == 404
        listing = api.get("/tickets", user="dept_water").get_json()
        assert tid not in [t["id"] for t in listing["items"]]
        assert api.get(f"/tickets/{tid}", user="dept_ecology").status_code == 200


def test_merged_ticket_shows_the_primary_result(api):
    with time_machine.travel(T0, tick=False):
        primary = api.create()["id"]
        duplicate = api.create(caller_phone="13911112222", caller_name="李女士")["id"]
        merged = api.act(duplicate, "merge", "operator", {"into": primary})
        assert merged["status"] == "merged" and merged["shared_result"] is None
        api.drive(primary, "closed")
        shown = api.get(f"/tickets/{duplicate}").get_json()
    assert shown["shared_result"]["from_ticket"] == primary
    assert shown["shared_result"]["reply_result"] == "solved"
    assert shown["shared_result"]["follow_up"]["satisfaction"] == "satisfied"
