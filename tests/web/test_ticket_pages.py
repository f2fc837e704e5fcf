"""工单列表 and 工单详情: scope, filters, badges, masking, the timeline and the per-move forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from tests.support.factories import T0
from tests.support.footprint import unchanged
from tests.web.conftest import text


def dispatched(api, department: str = "ecology", **fields) -> dict:  # type: ignore[no-untyped-def]
    ticket = api.create(**fields)
    return api.act(ticket["id"], "dispatch", "dispatcher", {"department": department})


def test_list_shows_labels_and_links(pages, api):
    ticket = dispatched(api)
    html = text(pages.client("dispatcher").get("/tickets"))
    assert ticket["number"] in html and "已派单" in html and "市生态环境局" in html
    assert f'href="/tickets/{ticket["id"]}"' in html


def test_department_staff_see_only_their_tickets(pages, api):
    mine, other = dispatched(api, "ecology"), dispatched(api, "water")
    client = pages.client("dept_ecology")
    html = text(client.get("/tickets"))
    assert mine["number"] in html and other["number"] not in html
    hidden = client.get(f"/tickets/{other['id']}")
    assert hidden.status_code == 404 and "不存在" in text(hidden)
    with unchanged(pages.app):
        assert client.post(f"/tickets/{other['id']}/act/sign", data={"version": "3"}).status_code == 404
    assert pages.ticket(other["id"]).status == "dispatched"


def test_filters_and_paging(pages, api, app):
    app.config["WEB_PAGE_SIZE"] = 2
    first = dispatched(api, content="滨湖路路灯不亮已经三天")
    for _ in range(3):
        api.create()
    client = pages.client("dispatcher")
    by_status = text(client.get("/tickets?status=dispatched"))
    assert first["number"] in by_status and "共 1 件" in by_status
    by_text = text(client.get("/tickets", query_string={"q": "路灯"}))
    assert "共 1 件" in by_text
    by_department = text(client.get("/tickets?department=water"))
    assert "共 0 件" in by_department and "没有符合条件的工单" in by_department
    page_one = text(client.get("/tickets"))
    assert "第 1 / 2 页" in page_one and "下一页" in page_one
    page_two = text(client.get("/tickets?page=2"))
    assert "第 2 / 2 页" in page_two and first["number"] in page_two


@pytest.mark.parametrize("query", ["status=nonsense", "page=abc", "page=-3", "overdue=maybe", "page=99999"])
def test_bad_list_arguments_never_500(pages, query):
    response = pages.client("dispatcher").get(f"/tickets?{query}")
    assert response.status_code == 200
    if query.startswith("status"):
        assert "未知状态" in text(response)


def test_deadline_badges_and_the_overdue_filter(pages, api):
    with time_machine.travel(T0, tick=False):
        late = dispatched(api, urgency="urgent")  # reply due in 24 h
        near = dispatched(api, urgency="emergency")  # reply due in 2 h
        fresh = dispatched(api)
    with time_machine.travel(T0 + timedelta(hours=1, minutes=45), tick=False):
        html = text(pages.client("dispatcher").get("/tickets"))
        assert html.count("badge-warning") == 1 and "badge-overdue" not in html
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        client = pages.client("dispatcher")
        html = text(client.get("/tickets?overdue=1"))
        assert late["number"] in html and near["number"] in html and fresh["number"] not in html
        assert html.count("badge-overdue") == 2
        assert '<b id="count-overdue">2</b>' in html
        detail = text(client.get(f"/tickets/{late['id']}"))
        assert "badge-overdue" in detail


def test_detail_shows_fields_deadlines_in_shanghai_time_and_the_timeline(pages, api):
    with time_machine.travel(T0, tick=False):
        ticket = dispatched(api)
        api.act(ticket["id"], "sign", "dept_ecology")
        html = text(pages.client("dispatcher").get(f"/tickets/{ticket['id']}"))
    assert "2026-11-26 10:00" in html  # received and dispatched at 10:00 Asia/Shanghai
    assert "2026-11-27 10:00" in html  # sign due one working day later
    assert "2026-12-03 10:00" in html  # reply due five working days later
    assert "138****5678" in html and "13812345678" not in html  # dispatchers see the masked phone
    for label in ("受理", "派单", "签收", "已受理", "已派单", "办理中", "承办单位：市生态环境局", "按时：是"):
        assert label in html, label
    assert html.index("event-receive") < html.index("event-dispatch") < html.index("event-sign")


def test_unmasked_views_are_logged_like_the_api(pages, api, app):
    from hotline.auth.models import AccessLog
    from hotline.db import session

    def logged() -> list[tuple[str, int | None, str]]:
        with app.app_context():
            rows = session().scalars(select(AccessLog).order_by(AccessLog.id)).all()
            return [(r.action, r.ticket_id, r.user_id) for r in rows]

    ticket = dispatched(api)
    before = logged()  # the API logged the operator's view at creation
    assert "13812345678" in text(pages.client("operator").get(f"/tickets/{ticket['id']}"))
    pages.client("dispatcher").get(f"/tickets/{ticket['id']}")  # masked: not logged
    added = logged()[len(before):]
    assert [(action, tid) for action, tid, _user in added] == [("view_ticket", ticket["id"])]


def test_confidential_caller_is_hidden_from_the_department(pages, api):
    ticket = dispatched(api, confidential=True)
    html = text(pages.client("dept_ecology").get(f"/tickets/{ticket['id']}"))
    assert "（保密）" in html and "张先生" not in html and "5678" not in html


@pytest.mark.parametrize(("user", "present", "absent"), [
    ("dept_ecology", ["sign", "return"], ["dispatch", "accept-reply", "urge"]),
    ("dispatcher", ["urge"], ["sign", "return", "reply"]),
    ("supervisor", ["urge", "supervise"], ["sign", "approve-extension"]),
    ("followup", [], ["sign", "urge", "follow-up"]),
])
def test_only_the_moves_allowed_now_have_forms(pages, api, user, present, absent):
    ticket = dispatched(api)
    html = text(pages.client(user).get(f"/tickets/{ticket['id']}"))
    for slug in present:
        assert f'data-move="{slug}"' in html, slug
    for slug in absent:
        assert f'data-move="{slug}"' not in html, slug


def test_sign_reply_through_the_forms(pages, api):
    ticket = dispatched(api)
    client = pages.client("dept_ecology")
    signed = client.post(f"/tickets/{ticket['id']}/act/sign", data={"version": str(ticket["version"])},
                         follow_redirects=True)
    assert "「签收」已完成，工单状态：办理中" in text(signed)
    version = pages.ticket(ticket["id"]).version
    missing = client.post(f"/tickets/{ticket['id']}/act/reply", data={"version": str(version), "result": "solved"},
                          follow_redirects=True)
    assert missing.status_code == 200 and "答复内容：必填" in text(missing)
    assert pages.ticket(ticket["id"]).status == "in_progress"
    replied = client.post(f"/tickets/{ticket['id']}/act/reply",
                          data={"version": str(version), "result": "solved", "content": "已责令餐馆安装油烟净化器。"},
                          follow_redirects=True)
    assert "工单状态：已答复" in text(replied)
    assert pages.ticket(ticket["id"]).reply_content == "已责令餐馆安装油烟净化器。"


def test_a_stale_version_asks_to_refresh(pages, api):
    ticket = dispatched(api)
    old = str(ticket["version"])
    api.act(ticket["id"], "urge", "dispatcher")
    response = pages.client("dept_ecology").post(f"/tickets/{ticket['id']}/act/sign", data={"version": old},
                                                 follow_redirects=True)
    assert "工单已被他人修改，请刷新" in text(response)
    assert pages.ticket(ticket["id"]).status == "dispatched"


@pytest.mark.parametrize(("user", "slug", "data", "message"), [
    ("dispatcher", "sign", {}, "不能执行「签收」"),  # role
    ("dept_ecology", "approve-return", {}, "不能执行「同意退单」"),  # role
    ("dept_ecology", "reply", {"result": "solved", "content": "x"}, "不能执行「答复」"),  # state
    ("dept_ecology", "request-extension", {"days": "abc", "reason": "x"}, "延期工作日数：必须是整数"),
    ("dept_ecology", "return", {"reason": "x" * 2001}, "理由：不能超过 2000 字"),
    ("dispatcher", "dispatch", {"department": "water"}, "不能执行「派单」"),  # state
    ("dispatcher", "urge", {"version": "zero"}, "版本：必须是整数"),
])
def test_refused_moves_are_flash_messages_not_500(pages, api, user, slug, data, message):
    ticket = dispatched(api)
    body = {"version": str(ticket["version"]), **data}
    response = pages.client(user).post(f"/tickets/{ticket['id']}/act/{slug}", data=body, follow_redirects=True)
    assert response.status_code == 200
    assert message in text(response), text(response)[-3000:]
    assert pages.ticket(ticket["id"]).status == "dispatched"


def test_unknown_move_and_ticket_are_404_pages(pages, api):
    ticket = dispatched(api)
    client = pages.client("dispatcher")
    with unchanged(pages.app):
        assert client.post(f"/tickets/{ticket['id']}/act/teleport", data={}).status_code == 404
    assert client.get("/tickets/999999").status_code == 404
    assert "页面不存在" in text(client.get("/tickets/999999"))


def test_next_only_goes_back_on_site(pages, api, app):
    from hotline.db import session
    from hotline.tickets.models import TicketEvent

    ticket = dispatched(api)
    response = pages.client("dispatcher").post(f"/tickets/{ticket['id']}/act/urge",
                                               data={"version": str(ticket["version"]),
                                                     "next": "https://evil.example/"})
    assert response.headers["Location"] == f"/tickets/{ticket['id']}"
    with app.app_context():
        assert session().scalar(select(func.count(TicketEvent.id)).where(TicketEvent.action == "urge")) == 1


def test_extension_decisions_appear_only_when_one_is_pending(pages, api):
    ticket = dispatched(api)
    api.act(ticket["id"], "sign", "dept_ecology")
    client = pages.client("supervisor")
    assert 'data-move="approve-extension"' not in text(client.get(f"/tickets/{ticket['id']}"))
    api.act(ticket["id"], "request-extension", "dept_ecology", {"days": 3, "reason": "需协调多个部门现场会商"})
    html = text(client.get(f"/tickets/{ticket['id']}"))
    assert 'data-move="approve-extension"' in html and 'data-move="deny-extension"' in html
    assert "3 个工作日：需协调多个部门现场会商" in html
    version = str(pages.ticket(ticket["id"]).version)
    done = client.post(f"/tickets/{ticket['id']}/act/approve-extension", data={"version": version},
                       follow_redirects=True)
    assert "「批准延期」已完成" in text(done) and "已延期 3 个工作日" in text(done)
