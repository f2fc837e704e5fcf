"""No English words or raw codes in any page's visible text, for every role, over tickets of every course."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import time_machine

from tests.support.factories import T0
from tests.web.conftest import text

ROLES = ("operator", "dispatcher", "dept_ecology", "followup", "supervisor", "admin", None)  # None: citizen
# ASCII words a Chinese user may see: names of file formats and encodings, the API, a metric's standard name.
ALLOWED = {"CSV", "csv", "xlsx", "XLSX", "Excel", "API", "Open311", "ID", "JavaScript", "A4", "PDF", "HTTP",
           "SMS", "KB", "MB", "APP", "JSON", "UTF", "F1"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SKIPPED = {"web.static", "public.static", "web.supervision_export", "web.home"}
INVISIBLE = {"script", "style", "textarea"}  # textarea: what users typed, shown back as typed


class Visible(HTMLParser):
    """The text a reader sees: element text outside script/style, not attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        if tag in INVISIBLE:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in INVISIBLE and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def english(html: str) -> set[str]:
    """ASCII words in the visible text that are not in the allowed list."""
    parser = Visible()
    parser.feed(html)
    return {w for w in WORD.findall(" ".join(parser.parts)) if w not in ALLOWED}


def courses(api) -> list[int]:  # type: ignore[no-untyped-def]
    """Tickets whose timelines hold every kind of event payload."""
    from tests.knowledge.helpers import publish

    article = publish(api)
    ids = []
    closed = api.create(content="滨湖路餐馆油烟直排")["id"]
    api.drive(closed, until="in_progress")
    api.act(closed, "request-extension", "dept_ecology", {"days": 3, "reason": "需协调"})
    api.act(closed, "approve-extension", "supervisor")
    api.act(closed, "request-suspension", "dept_ecology", {"reason": "等判决"})
    api.act(closed, "suspend", "supervisor", {"note": "同意"})
    api.act(closed, "resume", "supervisor", {"note": "恢复"})
    api.act(closed, "reply", "dept_ecology", {"result": "solved", "content": "已整改。"})
    api.act(closed, "accept-reply", "dispatcher")
    api.act(closed, "follow-up", "followup", {"contacted": True, "solved": "unsolved",
                                              "satisfaction": "dissatisfied"})
    api.act(closed, "urge", "supervisor")
    ids.append(closed)
    returned = api.create(content="幸福路自来水管爆裂")["id"]
    api.act(returned, "dispatch", "dispatcher", {"department": "ecology"})
    api.act(returned, "return", "dept_ecology", {"reason": "非本单位职责", "suggested_department": "water"})
    api.act(returned, "approve-return", "dispatcher")
    ids.append(returned)
    primary = api.create(content="公园路路灯不亮", department="ecology")["id"]
    merged = api.create(content="公园路路灯还是不亮")["id"]
    api.act(merged, "merge", "operator", {"into": primary})
    direct = api.create(content="燃气欠费停气怎么恢复")["id"]
    api.act(direct, "resolve-on-call", "operator", {"article_id": article["id"]})
    sos = api.create(content="有人落水")["id"]
    api.act(sos, "transfer-emergency", "operator", {"service": "110"})
    unreachable = api.create(content="噪声扰民")["id"]
    api.drive(unreachable, until="awaiting_follow_up")
    for _ in range(3):
        api.act(unreachable, "follow-up", "followup", {"reached": False})
    return [*ids, primary, merged, direct, sos, unreachable]


def db_usernames(app):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from hotline.db import session
    from hotline.departments.models import User

    with app.app_context():
        return list(session().scalars(select(User.username)))


def page_paths(app, tickets: list[int]) -> list[str]:  # type: ignore[no-untyped-def]
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED or "GET" not in rule.methods:
            continue
        if not rule.endpoint.startswith(("web.", "public.")):
            continue
        if not rule.arguments:
            paths.append(rule.rule)
        elif rule.arguments == {"ticket_id"}:
            paths += [rule.rule.replace("<int:ticket_id>", str(t)) for t in tickets]
    return sorted(paths)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_english_or_raw_codes(pages, api, app, role, promote):
    with time_machine.travel(T0, tick=False):
        tickets = courses(api)
        promote(threshold=0.0)  # an auto-dispatch too, with its decision in the timeline
        auto = api.create(content="学校强制学生购买校服和教辅", kind="complaint")
        assert auto["status"] == "dispatched" and auto["auto_dispatch"]["by"] == "model"
        tickets.append(auto["id"])
        usernames = set(db_usernames(app))
        client = pages.client(role)
        found, scanned = {}, 0
        for path in page_paths(app, tickets):
            response = client.get(path)
            if response.status_code != 200 or not response.content_type.startswith("text/html"):
                continue
            scanned += 1
            words = english(text(response)) - usernames  # login names are identifiers, like numbers
            if words:
                found[path] = sorted(words)
    assert found == {}
    assert scanned >= (3 if role is None else 8)  # the pages were really read, not refused


def test_the_timeline_speaks_chinese_with_local_times(pages, api):
    with time_machine.travel(T0, tick=False):
        ids = courses(api)
        client = pages.client("supervisor")
        course = text(client.get(f"/tickets/{ids[0]}"))
        merged = text(client.get(f"/tickets/{ids[3]}"))
        primary_number = api.get(f"/tickets/{ids[2]}", user="supervisor").get_json()["number"]
        direct = text(client.get(f"/tickets/{ids[4]}"))
    # Thu 2026-11-26 10:00 + 5 working days = Thu 12-03 10:00, extended by 3 = Tue 12-08 10:00 (Shanghai)
    assert "原答复期限：2026-12-03 10:00" in course and "新答复期限：2026-12-08 10:00" in course
    assert "重办：是" in course and "累计次数：1" in course
    assert f"并入工单：{primary_number}" in merged and f">{primary_number}</a>" in merged
    assert "<dt>办结方式</dt><dd>直办（直接答复办结）</dd>" in direct


@pytest.mark.parametrize(("method", "path", "status", "title"), [
    ("get", "/no-such-page", 404, "页面不存在"), ("delete", "/login", 405, "不支持的请求方法"),
    ("get", "/assets/no-such.css", 404, "页面不存在")])
def test_error_pages_are_chinese(pages, method, path, status, title):
    response = getattr(pages.client("operator"), method)(path)
    assert response.status_code == status and title in text(response)
    assert english(text(response)) == set()


def test_too_large_a_form_is_refused_in_chinese(pages):
    response = pages.client("operator").post("/console", data={"content": "长" * 600_000})
    assert response.status_code == 413 and "内容过大" in text(response)
    assert english(text(response)) == set()
