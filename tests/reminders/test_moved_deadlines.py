"""A moved deadline (extension, suspension, re-dispatch) never gets the old deadline's reminders."""

from __future__ import annotations

from tests.reminders.helpers import at, dispatched, inbox, query, seen, tick


def test_extension_moves_the_reply_reminders(api, qapp, clock, work):
    tid = dispatched(api)
    tick(clock, work, at("2026-11-26 10:01"))  # the old reply chain is planned: warning Wed 12-02 04:00
    api.act(tid, "sign", "dept_ecology")
    api.act(tid, "request-extension", "dept_ecology", {"days": 3, "reason": "需协调多部门"})
    clock.to(at("2026-11-30 09:00"))
    body = api.act(tid, "approve-extension", "supervisor")
    assert body["deadlines"]["reply_due_at"] == "2026-12-08T10:00:00+08:00"
    for moment in ("2026-11-30 09:01", "2026-12-02 04:00", "2026-12-03 10:00", "2026-12-04 09:59"):
        tick(clock, work, at(moment))
    assert [k for d, k in seen(api, "dept_ecology") if d == "reply"] == []
    # 75 % of the 8 working days from dispatch to the new deadline: Friday 12-04 10:00.
    tick(clock, work, at("2026-12-04 10:00"))
    tick(clock, work, at("2026-12-08 10:00"))
    reply = [n for n in inbox(api, "dept_ecology") if n["data"].get("deadline") == "reply"]
    assert [n["data"]["kind"] for n in reply] == ["warning", "due"]
    assert {n["data"]["deadline_at"] for n in reply} == {"2026-12-08T02:00:00+00:00"}
    assert sorted(query(qapp, "SELECT kind, skip_reason FROM reminders WHERE deadline = 'reply' "
                              "AND skipped_at IS NOT NULL")) == [("escalate", "moved"), ("warning", "moved")]


def test_suspension_pauses_then_resume_plans_the_new_deadline(api, qapp, clock, work):
    tid = dispatched(api)
    api.act(tid, "sign", "dept_ecology")
    tick(clock, work, at("2026-11-26 10:01"))
    clock.to(at("2026-11-27 10:00"))
    api.act(tid, "suspend", "supervisor", {"note": "等待司法鉴定"})
    for moment in ("2026-12-02 04:00", "2026-12-03 10:00"):  # the old warning and deadline: suspended
        tick(clock, work, at(moment))
    assert seen(api, "dept_ecology") == []
    clock.to(at("2026-12-07 10:00"))
    body = api.act(tid, "resume", "dept_ecology")
    new_due = body["deadlines"]["reply_due_at"]
    assert new_due == "2026-12-11T10:00:00+08:00"  # the 4 working days left, counted from Monday
    tick(clock, work, at("2026-12-08 15:59"))
    assert seen(api, "dept_ecology") == []
    tick(clock, work, at("2026-12-08 16:00"))  # 75 % of the 11 working days from dispatch to 12-11 10:00
    tick(clock, work, at("2026-12-11 10:00"))
    reply = [n for n in inbox(api, "dept_ecology") if n["data"].get("deadline") == "reply"]
    assert [n["data"]["kind"] for n in reply] == ["warning", "due"]
    assert {n["data"]["deadline_at"] for n in reply} == {"2026-12-11T02:00:00+00:00"}


def test_redispatch_sends_the_new_unit_its_reminders_and_the_old_unit_none(api, qapp, clock, work):
    tid = dispatched(api, department="water")
    tick(clock, work, at("2026-11-26 10:01"))
    api.act(tid, "return", "dept_water", {"reason": "不属本单位职责"})
    api.act(tid, "approve-return", "dispatcher")
    clock.to(at("2026-11-26 11:00"))
    api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
    tick(clock, work, at("2026-11-27 04:00"))  # the old sign warning's moment
    tick(clock, work, at("2026-11-27 05:00"))  # the new one's (dispatched an hour later)
    assert seen(api, "dept_water") == []
    assert seen(api, "dept_ecology") == [("sign", "warning")]
