"""回访队列: the queue by due time, the inline follow-up form, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.support.factories import T0
from tests.web.conftest import text


def awaiting(api, **fields) -> dict:  # type: ignore[no-untyped-def]
    ticket = api.create(**fields)
    return api.drive(ticket["id"], until="awaiting_follow_up")


def test_queue_lists_tickets_awaiting_follow_up_with_the_form(pages, api):
    ticket = awaiting(api)
    other = api.create()
    html = text(pages.client("followup").get("/followups"))
    assert ticket["number"] in html and other["number"] not in html
    assert "共 1 件待回访" in html and 'data-move="follow-up"' in html
    # the queue masks the number; the caller reveals it one ticket at a time (tests/privacy/test_masking.py)
    assert "138****5678" in html and "13812345678" not in html and "显示/拨打号码" in html
    assert "已到现场核查并责令整改" in html


def test_queue_is_ordered_by_follow_up_due_time(pages, api, app):
    from hotline.db import session
    from hotline.tickets.models import Ticket

    first, second = awaiting(api), awaiting(api)
    with app.app_context():
        db = session()
        a, b = db.get(Ticket, first["id"]), db.get(Ticket, second["id"])
        a.follow_up_due_at, b.follow_up_due_at = b.follow_up_due_at, a.follow_up_due_at.replace(year=2020)
        db.commit()
    html = text(pages.client("followup").get("/followups"))
    assert html.index(second["number"]) < html.index(first["number"])
    assert "已超时" in html


def test_recording_a_satisfied_follow_up_closes_the_ticket(pages, api):
    ticket = awaiting(api)
    response = pages.client("followup").post(
        f"/tickets/{ticket['id']}/act/follow-up",
        data={"version": str(ticket["version"]), "reached": "true", "contacted": "true", "solved": "solved",
              "satisfaction": "satisfied", "next": "/followups"}, follow_redirects=True)
    html = text(response)
    assert "「回访」已完成，工单状态：已办结" in html and "暂无待回访工单" in html
    assert pages.ticket(ticket["id"]).status == "closed"


def test_an_unanswered_call_is_counted_and_the_ticket_stays(pages, api):
    ticket = awaiting(api)
    pages.client("followup").post(f"/tickets/{ticket['id']}/act/follow-up",
                                  data={"version": str(ticket["version"]), "reached": "false"})
    stored = pages.ticket(ticket["id"])
    assert stored.follow_up_attempts == 1 and stored.status == "awaiting_follow_up"


def test_a_reached_call_needs_all_answers(pages, api):
    ticket = awaiting(api)
    response = pages.client("followup").post(
        f"/tickets/{ticket['id']}/act/follow-up",
        data={"version": str(ticket["version"]), "reached": "true", "contacted": "true", "next": "/followups"},
        follow_redirects=True)
    assert "解决情况：必填；满意度：必填" in text(response)
    assert pages.ticket(ticket["id"]).status == "awaiting_follow_up"


def test_dispatchers_see_the_queue_without_the_form(pages, api):
    awaiting(api)
    html = text(pages.client("dispatcher").get("/followups"))
    assert "共 1 件待回访" in html and 'data-move="follow-up"' not in html
    assert pages.client("operator").get("/followups").status_code == 403


def test_the_ready_view_and_the_next_call_time(pages, api):
    with time_machine.travel(T0, tick=False):  # Thursday 10:00, inside the morning calling window
        ticket = awaiting(api)
        client = pages.client("followup")
        html = text(client.get("/followups?ready=1"))
        assert "<b>当前可拨打</b>" in html and ticket["number"] in html
        client.post(f"/tickets/{ticket['id']}/act/follow-up",
                    data={"version": str(ticket["version"]), "reached": "false"})
        html = text(client.get("/followups"))
        assert "已回访 1 / 3 次" in html and "下次可拨打" in html
        # The next attempt goes to another window (the afternoon): not callable now, so not in 可拨打.
        ready = text(client.get("/followups?ready=1"))
        assert ticket["number"] not in ready and "共 0 件可拨打" in ready


def test_the_ready_view_is_empty_outside_the_calling_windows(pages, api):
    with time_machine.travel(T0, tick=False) as clock:
        ticket = awaiting(api)
        clock.move_to(T0 + timedelta(hours=11))  # 21:00 in Shanghai: nobody is called at night
        client = pages.client("followup")
        assert ticket["number"] not in text(client.get("/followups?ready=1"))
        assert ticket["number"] in text(client.get("/followups"))
        clock.move_to(T0 + timedelta(days=1))  # Friday 10:00 (a new login: the session lasts 12 hours)
        assert ticket["number"] in text(pages.client("followup").get("/followups?ready=1"))


def test_the_outcome_form_asks_plain_questions(pages, api):
    awaiting(api)
    html = text(pages.client("followup").get("/followups"))
    for question in ("本次电话是否接通？", "承办单位是否联系过您？", "您反映的问题解决了吗？", "您对办理结果满意吗？",
                     "未接通（记一次未接通）", "是，退回承办单位重办"):
        assert question in html, question
    assert "是否联系过诉求人" not in html
