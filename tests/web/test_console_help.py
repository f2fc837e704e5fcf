"""受理台 help: caller history, urgency hint, article feedback, early 紧急转办, 并单 by number, 直办 first."""

from __future__ import annotations

from sqlalchemy import select

from tests.support.footprint import unchanged
from tests.web.conftest import text

FUND = "我想问一下公积金怎么提取，租房可以提取吗"


def stored(app, ticket_id):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.tickets.models import Ticket

    with app.app_context():
        return session().get(Ticket, ticket_id)


def test_caller_history_lists_the_numbers_earlier_tickets_newest_first(pages, api):
    first = api.create(caller_phone="13655556666", content="小区门口路灯不亮", department="ecology")
    second = api.create(caller_phone="13655556666", content="楼下餐馆油烟扰民")
    api.create(caller_phone="13800000000", content="别人的工单")
    body = pages.client("operator").post("/console/assist/history", json={"phone": "13655556666"}).get_json()
    assert [i["number"] for i in body["items"]] == [second["number"], first["number"]]
    assert body["items"][1]["department"] == "市生态环境局" and body["items"][1]["status"] == "已派单"
    assert body["items"][0]["department"] == "未派单" and body["items"][0]["open"] is True
    assert "13655556666" not in str(body) and "13800000000" not in str(body)


def test_caller_history_refuses_bad_input_and_other_roles(pages):
    client = pages.client("operator")
    with unchanged(pages.app):
        bad = client.post("/console/assist/history", json={"phone": 13655556666})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation_error"
    assert client.post("/console/assist/history", json={"phone": "12"}).get_json() == {"items": []}
    department = pages.client("dept_ecology")
    with unchanged(pages.app):
        assert department.post("/console/assist/history", json={"phone": "1"}).status_code == 403


def test_suggestions_carry_an_urgency_hint_for_outages(pages):
    client = pages.client("operator")
    body = client.post("/console/assist/suggestions", json={"text": "小区从早上开始停电，到现在还没来电"}).get_json()
    assert body["urgency"] == {"urgency": "urgent", "label": "加急", "reason": "停电"}
    assert client.post("/console/assist/suggestions", json={"text": "咨询孩子入学报名"}).get_json()["urgency"] is None


def test_operator_marks_an_article_helpful_and_not_helpful(pages, app):
    from hotline.db import session
    from hotline.knowledge.models import Article

    with app.app_context():
        article = session().scalars(select(Article).where(Article.status == "published")).first()
        before = (article.helped_count, article.not_helped_count)
        article_id = article.id
    client = pages.client("operator")
    assert client.post(f"/console/kb/{article_id}/feedback", json={"helped": "1"}).get_json()["helped"] == before[0] + 1
    assert client.post(f"/console/kb/{article_id}/feedback", json={"helped": "0"}).get_json()["not_helped"] \
        == before[1] + 1
    with unchanged(app):
        assert client.post(f"/console/kb/{article_id}/feedback", json={"helped": "maybe"}).status_code == 422
        assert client.post("/console/kb/999999/feedback", json={"helped": "1"}).status_code == 404
        assert pages.client("dept_ecology").post(f"/console/kb/{article_id}/feedback",
                                                 json={"helped": "1"}).status_code == 403


def test_emergency_transfer_before_the_form_is_complete(pages, app):
    client = pages.client("operator")
    form = {"content": "", "caller_phone": "13912345678", "idempotency_key": "sos-1", "service": "119"}
    first = client.post("/console/emergency", data=form)
    again = client.post("/console/emergency", data=form)  # a second click
    assert first.status_code == 302 and first.headers["Location"] == again.headers["Location"]
    ticket_id = int(first.headers["Location"].rsplit("/", 1)[1])
    ticket = stored(app, ticket_id)
    assert ticket.status == "transferred" and "119" in ticket.content
    assert "已转119（消防）" in text(client.get(first.headers["Location"]))


def test_merge_takes_the_ticket_number_the_operator_sees(pages, api, app):
    primary = api.create(content="幸福路路灯不亮", department="ecology")
    duplicate = api.create(content="幸福路路灯还是不亮")
    client = pages.client("operator")
    page = text(client.get(f"/tickets/{duplicate['id']}"))
    assert "并入工单编号" in page
    unknown = client.post(f"/tickets/{duplicate['id']}/act/merge", data={"into": "20991231-000001"},
                          follow_redirects=True)
    assert "并入工单编号：20991231-000001 不存在" in text(unknown)
    client.post(f"/tickets/{duplicate['id']}/act/merge", data={"into": primary["number"]})
    assert stored(app, duplicate["id"]).merged_into_id == primary["id"]


def test_a_consultation_the_knowledge_base_answers_waits_for_the_operator(api, promote):
    promote(threshold=0.0)  # the model would dispatch anything on its own
    help_request = api.create(content=FUND, kind="help")
    consultation = api.create(content=FUND, kind="consultation")
    assert help_request["status"] == "dispatched"
    assert consultation["status"] == "received" and consultation["held_for_answer"] is True
    assert consultation["knowledge"][0]["title"] == "租房提取住房公积金"
    vague = api.create(content="咨询一下办事的事情", kind="consultation")
    assert vague["held_for_answer"] is False and vague["status"] == "dispatched"


def test_the_new_ticket_page_offers_direct_answer_and_feedback(pages, promote):
    promote(threshold=0.0)
    client = pages.client("operator")
    response = client.post("/console", data={"content": FUND, "kind": "consultation", "idempotency_key": "kb-1"})
    html = text(client.get(response.headers["Location"]))
    assert "知识库有明确答案，未自动派单" in html and 'data-move="resolve-on-call"' in html
    assert "有帮助" in html and "没帮助" in html


def test_feedback_from_the_new_ticket_page_goes_back_to_it(pages, app, api):
    from hotline.db import session
    from hotline.knowledge.models import Article

    ticket = api.create(content=FUND, kind="consultation")
    with app.app_context():
        article = session().scalars(select(Article).where(Article.title == "租房提取住房公积金")).one()
        before, article_id = article.not_helped_count, article.id
    client = pages.client("operator")
    response = client.post(f"/console/kb/{article_id}/feedback", data={"helped": "0", "ticket_id": ticket["id"]})
    assert response.headers["Location"] == f"/console/tickets/{ticket['id']}"
    assert "已记录：没帮助" in text(client.get(response.headers["Location"]))
    with app.app_context():
        assert session().get(Article, article_id).not_helped_count == before + 1
