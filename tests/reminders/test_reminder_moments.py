"""Each reminder kind at its moment (DESIGN section 3), with a real Redis, real jobs and a frozen clock.

Dispatched Thursday 2026-11-26 10:00, urgency normal: sign due Friday 10:00 (1 working day), reply due
Thursday 2026-12-03 10:00 (5 working days). 75 % of the sign limit is Friday 04:00; one working day
overdue (escalation, 督办) is Monday 11-30 10:00, after a weekend without notices.
"""

from __future__ import annotations

from tests.reminders.helpers import at, dispatched, inbox, query, seen, tick


def test_sign_and_reply_reminders_come_at_their_moments(api, qapp, clock, work):
    tid = dispatched(api)
    steps = [
        ("2026-11-27 03:59", []),
        ("2026-11-27 04:00", [("sign", "warning")]),
        ("2026-11-27 09:59", []),
        ("2026-11-27 10:00", [("sign", "due")]),
        ("2026-11-28 10:00", []),  # Saturday: working-day limits send no overdue notice
        ("2026-11-30 09:59", []),
        ("2026-11-30 10:00", [("sign", "overdue_1"), ("sign", "escalate")]),
        ("2026-12-01 10:00", [("sign", "overdue_2")]),
    ]
    before: list[tuple[str, str]] = []
    for moment, expected in steps:
        tick(clock, work, at(moment))
        now = seen(api, "dept_ecology")
        assert sorted(now[len(before):]) == sorted(expected), moment
        before = now
    detail = api.get(f"/tickets/{tid}", user="supervisor").get_json()
    supervise = [e for e in detail["events"] if e["action"] == "supervise"]
    assert len(supervise) == 1 and supervise[0]["actor"] == "系统" and supervise[0]["payload"]["system"] is True
    assert detail["counts"]["supervise"] == 1 and detail["status"] == "dispatched"
    assert [n["data"]["kind"] for n in inbox(api, "supervisor")] == ["escalate"]
    assert inbox(api, "supervisor")[0]["title"].startswith("【督办】工单")

    # Signed on Tuesday: the sign chain stops, the reply chain goes on.
    clock.to(at("2026-12-01 11:00"))
    api.act(tid, "sign", "dept_ecology")
    for moment in ("2026-12-02 03:59", "2026-12-02 04:00", "2026-12-02 10:00", "2026-12-03 10:00"):
        tick(clock, work, at(moment))
    assert seen(api, "dept_ecology")[len(before):] == [("reply", "warning"), ("reply", "due")]


def test_clock_hour_limits_count_wall_time(api, qapp, clock, work):
    # Urgent: sign within 2 h, reply within 24 h of dispatch, in wall time (weekends count).
    dispatched(api, urgency="urgent")
    tick(clock, work, at("2026-11-26 11:29"))
    assert seen(api, "dept_ecology") == []
    tick(clock, work, at("2026-11-26 11:30"))
    tick(clock, work, at("2026-11-26 12:00"))
    assert seen(api, "dept_ecology") == [("sign", "warning"), ("sign", "due")]
    tick(clock, work, at("2026-11-27 04:00"))  # 75 % of 24 h
    tick(clock, work, at("2026-11-27 10:00"))
    assert seen(api, "dept_ecology")[2:] == [("reply", "warning"), ("reply", "due")]
    tick(clock, work, at("2026-11-27 12:00"))  # 24 h after the sign deadline, also one working day
    assert sorted(seen(api, "dept_ecology")[4:]) == [("sign", "escalate"), ("sign", "overdue_1")]


def test_follow_up_deadline_reminds_the_follow_up_callers(api, qapp, clock, work):
    tid = api.create()["id"]
    api.drive(tid, "awaiting_follow_up")  # replied Thursday 10:00: follow-up due by Friday 24:00
    tick(clock, work, at("2026-11-27 14:29"))
    assert seen(api, "followup") == []
    tick(clock, work, at("2026-11-27 14:30"))  # 75 % of the 38 working hours from the reply
    tick(clock, work, at("2026-11-28 00:00"))
    assert seen(api, "followup") == [("follow_up", "warning"), ("follow_up", "due")]
    assert seen(api, "dept_ecology") == []
    tick(clock, work, at("2026-12-01 00:00"))  # one working day (Monday) past the follow-up deadline
    supervise = [e for e in api.get(f"/tickets/{tid}").get_json()["events"] if e["action"] == "supervise"]
    assert len(supervise) == 1 and supervise[0]["actor"] == "系统"


def test_a_sweep_down_for_days_sends_one_overdue_notice_not_one_per_day(api, qapp, clock, work):
    dispatched(api)
    tick(clock, work, at("2026-11-26 10:01"))
    tick(clock, work, at("2026-12-04 10:00"))  # back 5 working days after the sign deadline
    kinds = sorted(k for d, k in seen(api, "dept_ecology") if d == "sign")
    assert kinds == ["escalate", "overdue_5"]  # no stale warning, due or overdue_1..4
    skipped = query(qapp, "SELECT kind FROM reminders WHERE skip_reason = 'superseded' AND deadline = 'sign'")
    assert sorted(skipped) == ["due", "overdue_1", "overdue_2", "overdue_3", "overdue_4", "warning"]
