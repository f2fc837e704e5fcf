"""受理台: intake through the page, the help panel endpoints and the operator's next moves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.support.footprint import unchanged
from tests.web.conftest import text

FORM = {"content": "西山区幸福路12号燃气表欠费停气了，缴费后还是没有气，怎么恢复供气？", "caller_name": "李女士",
        "caller_phone": "13912345678", "channel": "phone", "kind": "help", "urgency": "normal",
        "district": "西山区", "address": "幸福路12号"}


def count_tickets(app) -> int:  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.tickets.models import Ticket

    with app.app_context():
        return session().scalar(select(func.count(Ticket.id))) or 0


def test_console_shows_the_intake_form(pages):
    page = text(pages.client("operator").get("/console"))
    for piece in ('name="content"', 'name="caller_phone"', 'name="confidential"', 'name="idempotency_key"',
                  "东湖区", "市生态环境局", "投诉", "加急", "微信", 'id="assist"'):
        assert piece in page, piece


def test_intake_creates_the_ticket_and_shows_the_next_moves(pages, app):
    client = pages.client("operator")
    response = client.post("/console", data={**FORM, "idempotency_key": "k-1"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/console/tickets/")
    page = client.get(response.headers["Location"])
    html = text(page)
    assert page.status_code == 200 and "已受理，工单编号" in html
    assert "13912345678" in html  # operators see the full number (and it is logged)
    for move in ("resolve-on-call", "dispatch", "transfer-emergency", "mark-invalid"):
        assert f'data-move="{move}"' in html, move
    assert "派单建议" in html and "知识库" in html and "疑似重复" in html
    from hotline.auth.models import AccessLog
    from hotline.db import session

    with app.app_context():
        assert session().scalar(select(func.count(AccessLog.id))) == 1


def test_a_double_submit_creates_one_ticket(pages, app):
    client = pages.client("operator")
    before = count_tickets(app)
    first = client.post("/console", data={**FORM, "idempotency_key": "same"})
    second = client.post("/console", data={**FORM, "idempotency_key": "same"})
    assert first.headers["Location"] == second.headers["Location"]
    assert count_tickets(app) == before + 1


def test_an_edited_resubmit_gets_a_new_key_instead_of_a_dead_end(pages, app):
    client = pages.client("operator")
    client.post("/console", data={**FORM, "idempotency_key": "back-button"})
    with unchanged(pages.app):
        again = client.post("/console", data={**FORM, "address": "幸福路14号", "idempotency_key": "back-button"})
    assert again.status_code == 422 and "此表单已提交过一次" in text(again)
    assert 'name="idempotency_key" value="back-button"' not in text(again)


def test_choosing_a_department_dispatches_at_once(pages):
    client = pages.client("operator")
    response = client.post("/console", data={**FORM, "department": "gas", "confidential": "1"})
    ticket_id = int(response.headers["Location"].rsplit("/", 1)[1])
    ticket = pages.ticket(ticket_id)
    assert ticket.status == "dispatched" and ticket.confidential
    assert ticket.department.code == "gas"


@pytest.mark.parametrize(("change", "message"), [({"content": "  "}, "诉求内容：必填"),
                                                 ({"caller_phone": "call me maybe"}, "联系电话：格式不正确"),
                                                 ({"urgency": "whenever"}, "紧急程度：取值无效"),
                                                 ({"department": "nowhere"}, "未知承办单位")])
def test_bad_intake_input_is_a_flash_message_not_a_500(pages, app, change, message):
    before = count_tickets(app)
    operator = pages.client("operator")
    with unchanged(app):
        response = operator.post("/console", data={**FORM, **change})
    assert response.status_code == 422
    html = text(response)
    assert message in html and "flash-error" in html
    assert "幸福路12号" in html  # what was typed is kept
    assert count_tickets(app) == before


def test_assist_endpoints_answer_json_lists(pages, api, promote):
    from tests.knowledge.helpers import publish

    publish(api)
    promote()
    client = pages.client("operator")
    kb = client.post("/console/assist/kb", json={"text": "燃气欠费停气怎么恢复"})
    assert kb.status_code == 200 and kb.is_json
    items = kb.get_json()["items"]
    assert items and items[0]["title"] == "燃气表欠费停气后如何恢复供气"
    suggest = client.post("/console/assist/suggestions", json={"text": "小区停水三天了，水管爆裂没人修"})
    assert suggest.status_code == 200
    assert suggest.get_json()["items"][0]["department"] == "water"
    assert client.post("/console/assist/kb", json={}).get_json() == {"items": []}
    assert client.get("/console/assist/kb", query_string={"text": "燃气"}).status_code == 405  # never in a URL


def test_assist_returns_nothing_when_a_service_fails(app, monkeypatch):
    from hotline.web import assist

    def broken(*_args, **_kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(assist, "search_published", broken)
    monkeypatch.setattr(assist, "suggest_for_text", broken)
    with app.test_request_context():
        assert assist.kb_matches("燃气") == []
        assert assist.suggestions("燃气") == []


def test_resolve_on_call_from_the_console_closes_the_ticket(pages, api):
    from tests.knowledge.helpers import publish

    article = publish(api)
    client = pages.client("operator")
    created = client.post("/console", data=FORM)
    ticket_id = int(created.headers["Location"].rsplit("/", 1)[1])
    page = text(client.get(created.headers["Location"]))
    assert f'<option value="{article["id"]}">燃气表欠费停气后如何恢复供气</option>' in page
    ticket = pages.ticket(ticket_id)
    done = client.post(f"/tickets/{ticket_id}/act/resolve-on-call",
                       data={"article_id": str(article["id"]), "version": str(ticket.version),
                             "note": "按知识库答复"}, follow_redirects=True)
    assert "「直办」已完成" in text(done)
    assert pages.ticket(ticket_id).status == "closed"


def test_transfer_and_invalid_need_their_fields(pages):
    client = pages.client("operator")
    created = client.post("/console", data=FORM)
    ticket_id = int(created.headers["Location"].rsplit("/", 1)[1])
    version = str(pages.ticket(ticket_id).version)
    bad = client.post(f"/tickets/{ticket_id}/act/transfer-emergency", data={"service": "999", "version": version},
                      follow_redirects=True)
    assert "转办对象：取值无效" in text(bad)
    no_note = client.post(f"/tickets/{ticket_id}/act/mark-invalid", data={"version": version},
                          follow_redirects=True)
    assert "说明：必填" in text(no_note)
    assert pages.ticket(ticket_id).status == "received"
    ok = client.post(f"/tickets/{ticket_id}/act/transfer-emergency", data={"service": "119", "version": version})
    assert ok.status_code == 302 and pages.ticket(ticket_id).status == "transferred"
