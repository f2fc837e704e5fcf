"""Follow-up tasks: one per replied ticket, due by the end of the next working day, in the callers' queue
by due time; up to three calls in different time-of-day windows, then closed as unreachable; sampling."""

from __future__ import annotations

import pytest

from tests.reminders.helpers import at
from tests.support.footprint import unchanged
from workers import jobs


def _awaiting(api, **body):  # type: ignore[no-untyped-def]
    tid = api.create(**body)["id"]
    api.drive(tid, "awaiting_follow_up")
    return tid


def _queue(api, query=""):  # type: ignore[no-untyped-def]
    return api.get(f"/followups/queue{query}", user="followup").get_json()


def _task(app, tid):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.followups.models import FollowUpTask

    with app.app_context():
        return session().query(FollowUpTask).filter_by(ticket_id=tid).order_by(FollowUpTask.id.desc()).first()


def test_three_unanswered_calls_in_different_windows_then_unreachable(api, qapp, clock):
    tid = _awaiting(api)  # replied Thursday 10:00: due by the end of Friday
    jobs.schedule_follow_ups()
    task = _task(qapp, tid)
    assert task.status == "open" and task.sampled
    item = _queue(api)["items"][0]["task"]
    assert item["due_at"] == "2026-11-28T00:00:00+08:00" and item["attempts"] == 0 and item["ready"] is True
    plan = [("2026-11-26 10:05", "2026-11-26T14:00:00+08:00"),  # morning tried: next the afternoon
            ("2026-11-26 14:30", "2026-11-26T18:30:00+08:00")]  # then the evening
    for n, (moment, following) in enumerate(plan, start=1):
        clock.to(at(moment))
        api.act(tid, "follow-up", "followup", {"reached": False})
        jobs.schedule_follow_ups()
        item = _queue(api)["items"][0]["task"]
        assert (item["attempts"], item["next_attempt_at"], item["ready"]) == (n, following, False)
        assert _queue(api, "?ready=true")["items"] == []
    clock.to(at("2026-11-26 18:40"))
    body = api.act(tid, "follow-up", "followup", {"reached": False})
    assert body["status"] == "closed" and body["close_reason"] == "unreachable"
    jobs.schedule_follow_ups()
    task = _task(qapp, tid)
    assert (task.status, task.attempts) == ("unreachable", 3) and _queue(api)["items"] == []


def test_queue_is_ordered_by_due_time_and_answered_calls_close_the_task(api, qapp, clock):
    clock.to(at("2026-11-27 09:00"))  # Friday: due by the end of Monday
    later = _awaiting(api)
    clock.to(at("2026-11-26 09:00"))
    sooner = _awaiting(api)  # Thursday: due by the end of Friday
    assert [i["id"] for i in _queue(api)["items"]] == [sooner, later]  # listed before the schedule runs too
    jobs.schedule_follow_ups()
    assert [i["id"] for i in _queue(api)["items"]] == [sooner, later]
    api.act(sooner, "follow-up", "followup", {"contacted": True, "solved": "solved", "satisfaction": "satisfied"})
    jobs.schedule_follow_ups()
    assert _task(qapp, sooner).status == "done"
    assert [i["id"] for i in _queue(api)["items"]] == [later]


def test_a_reopened_ticket_gets_a_new_task_when_replied_again(api, qapp, clock):
    tid = _awaiting(api)
    jobs.schedule_follow_ups()
    api.act(tid, "follow-up", "followup", {"contacted": True, "solved": "unsolved", "satisfaction": "dissatisfied"})
    jobs.schedule_follow_ups()
    assert _task(qapp, tid).status == "reopened"
    api.act(tid, "reply", "dept_ecology", {"result": "solved", "content": "已重新处理。"})
    api.act(tid, "accept-reply", "dispatcher")
    qapp.config["FOLLOW_UP_SAMPLE_RATE"] = 0.0  # a reopened ticket is always called back
    jobs.schedule_follow_ups()
    task = _task(qapp, tid)
    assert (task.cycle, task.status, task.sampled) == (1, "open", True)


def test_sampling_closes_the_tickets_left_out_with_a_system_move(api, qapp, clock):
    qapp.config["FOLLOW_UP_SAMPLE_RULES"] = [{"when": {"kind": ["praise", "suggestion"]}, "rate": 0}]
    praise = _awaiting(api, kind="praise")
    complaint = _awaiting(api, kind="complaint")
    counts = jobs.schedule_follow_ups()
    assert counts["created"] == 2 and counts["not_sampled"] == 1
    body = api.get(f"/tickets/{praise}", user="supervisor").get_json()
    assert body["status"] == "closed" and body["close_reason"] == "not_sampled"
    last = body["events"][-1]
    assert (last["action"], last["actor"], last["payload"]["sample_rate"]) == ("skip_follow_up", "系统", 0.0)
    assert _task(qapp, praise).status == "not_sampled"
    assert [i["id"] for i in _queue(api)["items"]] == [complaint]
    assert jobs.schedule_follow_ups()["created"] == 0  # idempotent


def test_sampling_draw_is_stable_and_near_the_rate():
    from hotline.followups.service import is_sampled

    draws = [is_sampled(i, 0, 0.3) for i in range(4000)]
    assert draws == [is_sampled(i, 0, 0.3) for i in range(4000)]
    assert 0.27 < sum(draws) / len(draws) < 0.33
    assert all(is_sampled(i, 0, 1.0) for i in range(100)) and not any(is_sampled(i, 0, 0.0) for i in range(100))


def test_the_system_move_is_not_open_to_any_user(api, app):
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.errors import Forbidden
    from hotline.tickets.enums import Action
    from hotline.tickets.models import Ticket
    from hotline.tickets.rules import rules_at
    from hotline.tickets.transitions import transition
    from tests.support.factories import T0

    tid = _awaiting(api)
    with unchanged(app):
        assert api.post(f"/tickets/{tid}/skip-follow-up", {}, user="supervisor").status_code == 404
    with app.app_context():
        db = session()
        for name in ("followup", "supervisor", "admin"):
            with pytest.raises(Forbidden):
                transition(db, ticket=db.get(Ticket, tid), action=Action.SKIP_FOLLOW_UP,
                           actor=db.query(User).filter_by(username=name).one(), rules=rules_at(db, T0))


def test_next_attempt_skips_used_windows_and_rolls_to_the_next_day():
    from hotline.config import DEFAULT_FOLLOW_UP_WINDOWS as DEFAULT_WINDOWS
    from hotline.followups.service import next_attempt_at, windows_of

    windows = windows_of({"FOLLOW_UP_WINDOWS": DEFAULT_WINDOWS})
    assert next_attempt_at(after=at("2026-11-26 21:00"), tried=[at("2026-11-26 10:00")], windows=windows) \
        == at("2026-11-27 14:00")
    assert next_attempt_at(after=at("2026-11-26 08:00"), tried=[], windows=windows) == at("2026-11-26 09:00")
    assert next_attempt_at(after=at("2026-11-26 15:00"), tried=[], windows=windows) == at("2026-11-26 15:00")
