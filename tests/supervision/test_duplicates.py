"""并单: duplicates offered at intake, the merge group sharing the primary's result and counting citizens."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.support.factories import T0

NOISE = "东湖区滨湖路18号小区楼下餐馆油烟直排，晚上十点后还在营业，噪音扰民，希望有关部门处理。"


def test_similar_open_ticket_is_offered_at_intake(api):
    with time_machine.travel(T0, tick=False) as clock:
        first = api.create()
        assert first["duplicates"] == []
        clock.shift(timedelta(hours=2))
        second = api.create(content="滨湖路18号楼下的餐馆油烟直排又开始了，十点以后还很吵，请处理。")
        other = api.create(content="高新区科技园地铁站出口共享单车乱停放，堵塞盲道。", caller_phone="13900001111",
                           district="高新区", address="科技园路1号")
    offered = second["duplicates"]
    assert [d["id"] for d in offered] == [first["id"]]
    assert set(offered[0]) >= {"id", "number", "status", "score", "reason"}
    assert "同一来电号码" in offered[0]["reason"] and "同一地址" in offered[0]["reason"]
    assert 0 < offered[0]["score"] <= 1
    assert first["id"] not in [d["id"] for d in other["duplicates"]]


def test_same_caller_with_a_different_problem_is_not_a_duplicate(api):
    with time_machine.travel(T0, tick=False):
        api.create()
        different = api.create(content="孩子入学的学区划分政策想咨询一下，什么时候公布？", kind="consultation")
    assert different["duplicates"] == []


def test_old_and_closed_tickets_are_not_offered(api):
    with time_machine.travel(T0 - timedelta(days=31), tick=False):
        old = api.create()["id"]
    with time_machine.travel(T0, tick=False):
        closed = api.create()["id"]
        api.drive(closed, until="closed")
        fresh = api.create()
    assert old not in [d["id"] for d in fresh["duplicates"]]
    assert closed not in [d["id"] for d in fresh["duplicates"]]


def test_merged_tickets_share_the_result_and_count_each_citizen(api):
    with time_machine.travel(T0, tick=False) as clock:
        primary = api.create()["id"]
        secondary = api.create(caller_phone="13700002222", caller_name="李女士")
        assert [d["id"] for d in secondary["duplicates"]] == [primary]
        sid = secondary["id"]
        api.act(sid, "merge", "operator", {"into": primary})
        group = api.get(f"/tickets/{sid}/duplicates").get_json()
        assert group["primary"]["id"] == primary and group["citizens"] == 2 and group["result"] is None
        assert [t["id"] for t in group["merged"]] == [sid] and group["candidates"] == []
        api.drive(primary, until="closed")
        clock.shift(timedelta(days=1))
        shared = api.get(f"/tickets/{sid}/duplicates", user="supervisor").get_json()
        assert api.get(f"/tickets/{sid}/duplicates", user="dept_ecology").status_code == 403
        metrics = api.get("/metrics?from=2026-11-26&to=2026-11-26", user="supervisor").get_json()
    assert shared["result"]["reply_content"] == "已到现场核查并责令整改。"
    assert shared["result"]["follow_up"]["satisfaction"] == "satisfied" and not shared["is_primary"]
    # one request, two citizens: frequency per event, each caller counted
    assert metrics["total"]["received"] == 1 and metrics["total"]["citizens"] == 2


def test_open_primary_lists_its_candidates(api):
    with time_machine.travel(T0, tick=False):
        first = api.create()["id"]
        second = api.create(content=NOISE + "已经第二次反映了。")["id"]
        body = api.get(f"/tickets/{first}/duplicates").get_json()
    assert body["is_primary"] and body["citizens"] == 1
    assert [c["id"] for c in body["candidates"]] == [second]


def test_one_character_requests_do_not_break_intake(api):
    with time_machine.travel(T0, tick=False):
        api.create(content="急")
        again = api.create(content="急", address="1")
    assert isinstance(again["duplicates"], list)
