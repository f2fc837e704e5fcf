"""督办监控: late tickets by lateness, escalated tickets, and pending requests approved in place."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from tests.support.factories import T0
from tests.web.conftest import text


def in_progress(api, department: str = "ecology", **fields) -> int:  # type: ignore[no-untyped-def]
    tid = api.create(**fields)["id"]
    api.drive(tid, "in_progress", department=department)
    return tid


def test_late_tickets_are_sorted_by_lateness_and_escalated_ones_listed(api, pages):
    with time_machine.travel(T0, tick=False) as clock:
        older = in_progress(api)
        clock.move_to(T0 + timedelta(days=1))
        newer = in_progress(api, department="water")
        on_time = None
        clock.move_to(T0 + timedelta(days=12))
        on_time = in_progress(api, department="gas")
        api.act(older, "supervise", "supervisor", {"note": "请尽快办理"})
        body = text(pages.client("supervisor").get("/supervision/watch"))
    late = body.split('id="late-list"', 1)[1].split("</section>", 1)[0]
    order = [int(i) for i in re.findall(r'id="watch-(\d+)"', late)]
    assert order[:2] == [older, newer] and on_time not in order
    assert "已超期 " in late and "超期 2 件" in body
    escalated = body.split('id="escalated-list"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'id="watch-(\d+)"', escalated) == [str(older)] and "督办 1 次" in escalated


def test_supervisor_approves_an_extension_in_place(api, pages):
    with time_machine.travel(T0, tick=False) as clock:
        tid = in_progress(api)
        api.act(tid, "request-extension", "dept_ecology", {"days": 3, "reason": "需协调供电公司"})
        other = in_progress(api)
        api.act(other, "request-exclusion", "dept_ecology", {"reason": "不属本市职权"})
        clock.shift(timedelta(minutes=5))
        client = pages.client("supervisor")
        body = text(client.get("/supervision/watch"))
        requests = body.split('id="requests-extension"', 1)[1].split("</table>", 1)[0]
        assert "申请延期 3 个工作日：需协调供电公司" in requests and "批准延期" in requests
        exclusions = body.split('id="requests-exclusion"', 1)[1].split("</table>", 1)[0]
        assert "不属本市职权" in exclusions and "驳回不纳入考核" in exclusions
        before = pages.ticket(tid).reply_due_at
        done = client.post(f"/tickets/{tid}/act/approve-extension",
                           data={"version": pages.ticket(tid).version, "next": "/supervision/watch"},
                           follow_redirects=True)
        assert done.request.path == "/supervision/watch" and "「批准延期」已完成" in text(done)
        after = pages.ticket(tid)
        assert after.pending_extension_days is None and after.extension_days == 3 and after.reply_due_at > before
        assert "需协调供电公司" not in text(done).split('id="requests-extension"', 1)[1].split("</table>", 1)[0]


def test_dispatchers_see_the_lists_without_the_supervisors_moves(api, pages):
    with time_machine.travel(T0, tick=False):
        tid = in_progress(api)
        api.act(tid, "request-suspension", "dept_ecology", {"reason": "等待法院判决"})
        sup = text(pages.client("supervisor").get("/supervision/watch"))
        disp = text(pages.client("dispatcher").get("/supervision/watch"))
    assert "等待法院判决" in sup and "批准挂起" in sup
    assert "等待法院判决" in disp and "批准挂起" not in disp
    assert pages.client("dept_ecology").get("/supervision/watch").status_code == 403


def test_supervisor_denies_a_suspension_request_in_place(api, pages):
    with time_machine.travel(T0, tick=False):
        tid = in_progress(api)
        api.act(tid, "request-suspension", "dept_ecology", {"reason": "等待司法鉴定"})
        api.act(tid, "deny-suspension", "dept_ecology", status=403)
        client = pages.client("supervisor")
        assert "move-deny-suspension" in text(client.get(f"/tickets/{tid}"))
        done = client.post(f"/tickets/{tid}/act/deny-suspension",
                           data={"version": pages.ticket(tid).version, "next": "/supervision/watch"},
                           follow_redirects=True)
        assert done.request.path == "/supervision/watch" and "「驳回挂起申请」已完成" in text(done)
        assert "等待司法鉴定" not in text(done)
        ticket = pages.ticket(tid)
        assert ticket.status == "in_progress" and ticket.suspension_requested is False
        api.act(tid, "deny-suspension", "supervisor", status=409)  # nothing left to deny
        assert "move-deny-suspension" not in text(client.get(f"/tickets/{tid}"))  # not offered without a request
