"""API behaviour: bad input, stale versions, idempotent creation, deadlines that move, masking."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from hotline.auth.models import AccessLog
from hotline.tickets.models import Ticket, TicketEvent
from tests.support.factories import T0, ticket_body
from tests.support.footprint import footprint, plan_reminders


def counts(app) -> tuple[int, int]:
    from hotline.db import session

    with app.app_context():
        db = session()
        return db.scalar(select(func.count(Ticket.id))), db.scalar(select(func.count(TicketEvent.id)))


BAD_CREATE = [
    ({"caller_name": "张三"}, 422, "content"),
    (ticket_body(content=123), 422, "content"),
    (ticket_body(confidential="yes"), 422, "confidential"),
    (ticket_body(urgency="asap"), 422, "urgency"),
    (ticket_body(channel="pigeon"), 422, "channel"),
    (ticket_body(kind="rant"), 422, "kind"),
    (ticket_body(content="很长" * 3000), 422, "content"),
    (ticket_body(caller_phone="call me maybe"), 422, "caller_phone"),
    (ticket_body(assisting="urban"), 422, "assisting"),
    (ticket_body(colour="blue"), 422, "colour"),
    (ticket_body(department="nope"), 422, "department"),
    ([1, 2, 3], 422, None),
]


@pytest.mark.parametrize(("body", "status", "field"), BAD_CREATE)
def test_bad_create_answers_4xx_and_writes_nothing(app, api, body, status, field):
    before = counts(app)
    response = api.post("/tickets", body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    if field:
        assert field in error["message"]
    assert counts(app) == before


def test_malformed_json_is_400(app, api):
    before = counts(app)
    response = api.post("/tickets", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    assert counts(app) == before


@pytest.mark.parametrize(("action", "body"), [
    ("dispatch", {}), ("dispatch", {"department": 7}), ("dispatch", {"department": "ecology", "assisting": "x"}),
    ("reply", {"result": "done", "content": "x"}), ("request-extension", {"days": "3", "reason": "x"}),
    ("follow-up", {"contacted": True}), ("merge", {"into": "12"}), ("transfer-emergency", {"service": "911"}),
    ("mark-invalid", {}), ("dispatch", {"department": "ecology", "version": "one"}),
])
def test_bad_action_body_is_422_and_writes_nothing(app, api, action, body):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        before = counts(app), footprint(app, tid)
        response = api.post(f"/tickets/{tid}/{action}", body, user="dispatcher" if action != "follow-up"
                            else "followup")
    assert response.status_code in (409, 422)
    assert response.get_json()["error"]["message"]
    assert (counts(app), footprint(app, tid)) == before


def test_stale_version_answers_409(app, api):
    with time_machine.travel(T0, tick=False):
        ticket = api.create()
        fresh = api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology",
                                                                 "version": ticket["version"]})
        plan_reminders(app)
        before = footprint(app, ticket["id"])
        response = api.post(f"/tickets/{ticket['id']}/sign", {"version": ticket["version"]},
                            user="dept_ecology")
        plan_reminders(app)
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "stale_version"
        assert footprint(app, ticket["id"]) == before and before["reminders"]
        ok = api.act(ticket["id"], "sign", "dept_ecology", {"version": fresh["version"]})
    assert ok["status"] == "in_progress" and ok["version"] > fresh["version"]


def test_idempotency_key_returns_the_same_ticket(app, api):
    headers = {"Idempotency-Key": "call-20261126-0001"}
    first = api.post("/tickets", ticket_body(), headers=headers)
    again = api.post("/tickets", ticket_body(), headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["id"] == again.get_json()["id"]
    assert counts(app)[0] == 1
    other = api.post("/tickets", ticket_body(content="另一件事"), headers=headers)
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert counts(app)[0] == 1


def test_extension_moves_the_reply_deadline_only_when_approved(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.drive(tid, "in_progress")
        asked = api.act(tid, "request-extension", "dept_ecology", {"days": 3, "reason": "需要住建部门配合"})
        assert asked["deadlines"]["reply_due_at"] == "2026-12-03T10:00:00+08:00"
        assert asked["pending_extension"] == {"days": 3, "reason": "需要住建部门配合"}
        approved = api.act(tid, "approve-extension", "supervisor")
    assert approved["deadlines"]["reply_due_at"] == "2026-12-08T10:00:00+08:00"  # Thu + 3 wd = Tue
    assert approved["extension_days"] == 3 and approved["pending_extension"] is None


def test_extension_beyond_the_limit_is_refused(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.drive(tid, "in_progress")
        response = api.post(f"/tickets/{tid}/request-extension", {"days": 16, "reason": "x"},
                             user="dept_ecology")
    assert response.status_code == 422


def test_suspension_stops_the_clock(api):
    with time_machine.travel(T0, tick=False) as clock:
        tid = api.create()["id"]
        api.drive(tid, "in_progress")  # reply due Thu 2026-12-03 10:00
        clock.shift(timedelta(days=1))  # Fri 11-27 10:00: 4 working days left
        api.act(tid, "suspend", "supervisor", {"note": "等待检测报告"})
        clock.move_to("2026-12-02T10:00:00+08:00")  # Wed: three working days later
        body = api.act(tid, "resume", "dept_ecology")
    # 4 working days from Wed 12-02 10:00 → Tue 12-08 10:00.
    assert body["deadlines"]["reply_due_at"] == "2026-12-08T10:00:00+08:00"


def test_urgent_deadlines_are_clock_hours(api):
    with time_machine.travel("2026-11-28T21:00:00+08:00", tick=False):  # Saturday night
        tid = api.create(urgency="urgent", content="小区停水一整天，老人孩子没水用")["id"]
        body = api.act(tid, "dispatch", "dispatcher", {"department": "water"})
    assert body["deadlines"]["sign_due_at"] == "2026-11-28T23:00:00+08:00"
    assert body["deadlines"]["reply_due_at"] == "2026-11-29T21:00:00+08:00"


def test_phone_masked_for_departments_and_unmasked_views_logged(app, api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
        assert api.get(f"/tickets/{tid}", user="dept_ecology").get_json()["caller_phone"] == "138****5678"
        assert api.get(f"/tickets/{tid}", user="supervisor").get_json()["caller_phone"] == "138****5678"
        assert api.get(f"/tickets/{tid}", user="followup").get_json()["caller_phone"] == "13812345678"
    from hotline.db import session

    with app.app_context():
        logged = session().scalars(select(AccessLog).where(AccessLog.ticket_id == tid)).all()
    assert {row.action for row in logged} == {"view_ticket"}
    assert len(logged) == 2  # operator's creation and the follow-up caller's view


def test_confidential_caller_is_hidden_from_the_department(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create(confidential=True)["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
        seen = api.get(f"/tickets/{tid}", user="dept_ecology").get_json()
    assert seen["caller_name"] == "（保密）" and seen["caller_phone"] is None


def test_list_filters_and_paging(api):
    with time_machine.travel(T0, tick=False) as clock:
        ids = [api.create()["id"] for _ in range(5)]
        api.act(ids[0], "dispatch", "dispatcher", {"department": "ecology"})
        api.act(ids[1], "dispatch", "dispatcher", {"department": "water"})
        api.drive(ids[2], "replied")  # replied in time: its reply clock has stopped
        page = api.get("/tickets?per_page=2&page=2").get_json()
        assert page["total"] == 5 and len(page["items"]) == 2 and page["page"] == 2
        dispatched = api.get("/tickets?status=dispatched").get_json()
        assert {t["id"] for t in dispatched["items"]} == {ids[0], ids[1]}
        assert [t["id"] for t in api.get("/tickets?status=replied").get_json()["items"]] == [ids[2]]
        assert [t["id"] for t in api.get("/tickets?department=water").get_json()["items"]] == [ids[1]]
        clock.shift(timedelta(days=10))
        overdue = api.get("/tickets?overdue=true").get_json()
    assert {t["id"] for t in overdue["items"]} == {ids[0], ids[1]}
    assert api.get("/tickets?per_page=1000").status_code == 422
    assert api.get("/tickets?status=bogus").status_code == 422
