"""Resuming a paused model version: only supervisors and admins, with a reason, recorded; the window restarts."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from tests.dispatching.test_monitor import _create, _send_back, _unseen, monitored  # noqa: F401  (fixture)
from tests.support.factories import T0
from tests.support.footprint import unchanged


def _monitor(api) -> dict:  # type: ignore[no-untyped-def]
    response = api.get("/dispatch/monitor", user="supervisor")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _paused(api) -> tuple[str, list[dict]]:  # type: ignore[no-untyped-def]
    """Ten auto-dispatched tickets, every one returned and re-dispatched: the monitor pauses the model."""
    tickets = [_create(api, text, i) for i, text in enumerate(_unseen(10))]
    for ticket in tickets:
        _send_back(api, ticket)
    model = _monitor(api)["models"][0]
    assert model["paused"] is True and model["outcomes"] == 10
    return model["model_version"], tickets


def _resume(api, version: str, body: dict, user: str = "supervisor"):  # type: ignore[no-untyped-def]
    return api.post(f"/dispatch/monitor/{version}/resume", body, user=user)


@pytest.mark.usefixtures("monitored")
def test_a_supervisor_resumes_with_a_reason_and_the_monitor_judges_afresh(api):
    with time_machine.travel(T0, tick=False):
        version, tickets = _paused(api)
        resumed = _resume(api, version, {"reason": "已核实：退回集中在一次职责调整，现已更新派单目录"})
        assert resumed.status_code == 200, resumed.get_json()
        body = resumed.get_json()
        figures = _monitor(api)
        again = _create(api, tickets[0]["content"], 50)  # the text that was held back while paused
        inbox = api.get("/notifications", user="supervisor").get_json()["items"]
    event = body["event"]
    assert (event["action"], event["paused"], event["actor"]) == ("resume", False, "督办科刘科长")
    assert event["reason"] == "已核实：退回集中在一次职责调整，现已更新派单目录"
    assert event["threshold_before"] == 0.0 and event["threshold_after"] is None  # the model's own again
    assert event["outcomes"] == 10 and event["wrong"] == 10 and event["precision"] == 0.0  # what was set aside
    model = figures["models"][0]
    assert body["model"]["status"] == model["status"] == "collecting" and model["paused"] is False
    assert model["outcomes"] == 0 and model["threshold"] == 0.0 and model["window_after"] == event["window_after"]
    assert [e["action"] for e in figures["events"]] == ["resume", "pause"]
    assert again["auto_dispatched"] and again["status"] == "dispatched"
    told = [item for item in inbox if item["title"] == "自动派单已恢复"]
    assert told and "督办科刘科长" in told[0]["body"] and "职责调整" in told[0]["body"]


@pytest.mark.usefixtures("monitored")
def test_after_a_resume_the_old_outcomes_do_not_pause_it_again_but_new_ones_can(api):
    with time_machine.travel(T0, tick=False):
        version, _tickets = _paused(api)
        assert _resume(api, version, {"reason": "试运行"}, user="admin").status_code == 200
        fresh = [_create(api, text, 100 + i) for i, text in enumerate(_unseen(10))]
        assert all(t["auto_dispatched"] for t in fresh)
        for ticket in fresh[:9]:
            _send_back(api, ticket)
        held = _monitor(api)  # nine new wrong outcomes: under DISPATCH_MONITOR_MIN_OUTCOMES, no judgement yet
        _send_back(api, fresh[9])
        paused = _monitor(api)
    model = held["models"][0]
    assert model["paused"] is False and model["status"] == "collecting" and model["outcomes"] == 9
    assert held["events"][0]["action"] == "resume" and held["events"][0]["actor"] == "系统管理员"
    assert paused["models"][0]["paused"] is True and paused["events"][0]["action"] == "pause"
    assert paused["events"][0]["outcomes"] == 10  # judged on the ten new outcomes only


@pytest.mark.usefixtures("monitored")
def test_other_roles_bad_reasons_and_versions_that_are_not_paused_change_nothing(api):
    with time_machine.travel(T0, tick=False):
        version, _tickets = _paused(api)
        with unchanged(api.app):
            for user in ("dispatcher", "operator", "followup", "dept_water"):
                refused = _resume(api, version, {"reason": "想恢复"}, user=user)
                assert refused.status_code == 403, user
            assert _resume(api, version, {"reason": "想恢复"}, user=None).status_code == 401
            for bad in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "长" * 501}, {"reason": 5}):
                response = _resume(api, version, bad)
                assert response.status_code == 422, bad
                message = response.get_json()["error"]["message"]
                assert "reason" in message and any("\u4e00" <= ch <= "\u9fff" for ch in message), message
            unknown = _resume(api, "20990101T000000000000Z-deadbeef", {"reason": "恢复"})
            assert unknown.status_code == 409 and unknown.get_json()["error"]["code"] == "not_paused"
        assert _monitor(api)["models"][0]["paused"] is True
        assert _resume(api, version, {"reason": "恢复"}).status_code == 200
        with unchanged(api.app):
            twice = _resume(api, version, {"reason": "再恢复一次"}, user="admin")
    assert twice.status_code == 409 and "没有被暂停" in twice.get_json()["error"]["message"]


@pytest.mark.usefixtures("monitored")
def test_the_service_checks_the_role_itself(api, app):
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.dispatching.monitor import resume
    from hotline.errors import Forbidden

    with time_machine.travel(T0, tick=False):
        version, _tickets = _paused(api)
        with app.app_context():
            db = session()
            dispatcher = db.scalar(select(User).where(User.username == "dispatcher"))
            with pytest.raises(Forbidden):
                resume(db, model_version=version, actor=dispatcher, reason="绕过接口", now=utcnow(), config=app.config)
            db.rollback()


def test_the_resume_endpoint_is_in_the_openapi_document(api):
    paths = api.get("/openapi.json", user=None).get_json()["paths"]
    operation = paths["/api/v1/dispatch/monitor/{model_version}/resume"]["post"]
    assert "reason" in str(operation["requestBody"]) and "500" in str(operation["requestBody"])


def test_a_threshold_the_monitor_had_raised_is_kept_on_resume(api, app):
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.dispatching.models import DispatchOutcome, MonitorEvent
    from hotline.dispatching.monitor import Settings, control, resume, rolling

    ids = [api.create(content=f"测试工单{i}", caller_phone=f"1390000{i:04d}")["id"] for i in range(2)]
    with app.app_context():
        db = session()
        now = utcnow()
        for tid, confidence in zip(ids, (0.95, 0.97), strict=True):
            db.add(DispatchOutcome(ticket_id=tid, model_version="v-raised", department="water", confidence=confidence,
                                   model_threshold=0.5, correct=False, right_department="ecology", decided_at=now))
        db.add(MonitorEvent(at=now, model_version="v-raised", action="pause", threshold_before=0.9,
                            threshold_after=None, paused=True, outcomes=2, wrong=2, precision=0.0, lower_bound=0.0,
                            target=0.97))
        db.flush()
        admin = db.scalar(select(User).where(User.username == "admin"))
        event = resume(db, model_version="v-raised", actor=admin, reason="复核后恢复", now=now, config=app.config)
        db.commit()
        settings = Settings.of(app.config)
        assert (event.threshold_before, event.threshold_after, event.outcomes, event.wrong) == (0.9, 0.9, 2, 2)
        assert control(db, model_version="v-raised").threshold == 0.9  # raised by the monitor, kept on resume
        assert rolling(db, model_version="v-raised", threshold=0.9, settings=settings)["outcomes"] == 0
