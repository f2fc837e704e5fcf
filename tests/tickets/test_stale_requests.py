"""A request the ticket has moved past is closed: no 待批延期 after the reply, nothing left to approve."""

from __future__ import annotations

import time_machine

from tests.support.factories import T0
from tests.support.footprint import unchanged


def test_a_pending_extension_is_closed_by_the_reply_and_stays_closed_after_reopening(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.drive(tid, "in_progress")
        asked = api.act(tid, "request-extension", "dept_ecology", {"days": 3, "reason": "需要住建部门配合"})
        due = asked["deadlines"]["reply_due_at"]
        replied = api.act(tid, "reply", "dept_ecology", {"result": "solved", "content": "已处理。"})
        assert replied["pending_extension"] is None
        with unchanged(api.app):
            refused = api.post(f"/tickets/{tid}/approve-extension", {}, user="supervisor")
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] in ("invalid_transition",
                                                                                   "no_extension_pending")
        back = api.act(tid, "send-back", "dispatcher", {"note": "答复不完整"})
        assert back["status"] == "in_progress" and back["pending_extension"] is None
        with unchanged(api.app):
            late = api.post(f"/tickets/{tid}/approve-extension", {}, user="supervisor")
        assert late.status_code == 409 and late.get_json()["error"]["code"] == "no_extension_pending"
        assert back["deadlines"]["reply_due_at"] == due and back["extension_days"] == 0
        events = api.get(f"/tickets/{tid}", user="supervisor").get_json()["events"]
    reply = next(e for e in events if e["action"] == "reply")
    assert reply["payload"]["extension_request_closed"] == 3  # the course says what became of the request


def test_a_pending_extension_survives_a_suspension_and_a_suspension_request_ends_with_the_reply(api, app):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.drive(tid, "in_progress")
        api.act(tid, "request-extension", "dept_ecology", {"days": 2, "reason": "等检测报告"})
        api.act(tid, "request-suspension", "dept_ecology", {"reason": "等法院判决"})
        suspended = api.act(tid, "suspend", "supervisor", {"note": "同意挂起"})
        assert suspended["pending_extension"] == {"days": 2, "reason": "等检测报告"}  # still decidable
        api.act(tid, "resume", "supervisor", {"note": "判决已下"})
        api.act(tid, "request-suspension", "dept_ecology", {"reason": "再等等"})
        api.act(tid, "reply", "dept_ecology", {"result": "explained", "content": "已解释。"})
    from hotline.db import session
    from hotline.tickets.models import Ticket

    with app.app_context():
        ticket = session().get(Ticket, tid)
        assert ticket.suspension_requested is False and ticket.pending_extension_days is None
