"""工作日历 and 派单目录 pages: official days move deadlines; catalogue rules dispatch the next ticket."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support.footprint import unchanged
from tests.web.conftest import text

SHANGHAI = ZoneInfo("Asia/Shanghai")
JAN_28_2027 = datetime(2027, 1, 28, 10, 0, tzinfo=SHANGHAI)
SPRING_FESTIVAL = "2027-02-05~2027-02-13 放假 春节\n2027-02-14 上班 春节调休\n"


def test_official_days_entered_on_the_page_move_a_provisional_deadline(pages, api):
    with time_machine.travel(JAN_28_2027, tick=False):
        ticket = api.create(urgency="complex")
        api.act(ticket["id"], "dispatch", "dispatcher", {"department": "water"})
        before = api.get(f"/tickets/{ticket['id']}").get_json()["deadlines"]["reply_due_at"]
        admin = pages.client("admin")
        page = text(admin.get("/admin/calendar?year=2027"))
        assert "系统内置日历不含 2027 年" in page and "2027 年尚未录入官方安排" in page
        response = admin.post("/admin/calendar", data={"year": "2027", "lines": SPRING_FESTIVAL})
        assert response.status_code == 302
        page = text(admin.get(response.headers["Location"]))
        assert "已录入 10 天官方安排，重新计算了 1 张工单的期限" in page
        assert "2027年2月8日" in page and "调休上班" in page and "星期日" in page
        after = api.get(f"/tickets/{ticket['id']}").get_json()["deadlines"]["reply_due_at"]
    # the library's guess (Feb 5–10 off) gave Feb 24; the notice's days off to Feb 13, with Sunday 14th worked
    assert (before, after) == ("2027-02-24T10:00:00+08:00", "2027-02-25T10:00:00+08:00")
    lookup = api.get("/calendar/days?date=2027-02-14").get_json()["date"]
    assert lookup["workday"] is True and lookup["official"] is True


def test_an_entered_day_can_be_removed(pages, api):
    admin = pages.client("admin")
    admin.post("/admin/calendar", data={"year": "2027", "lines": "2027-05-06 放假 测试"})
    assert api.get("/calendar/days?date=2027-05-06").get_json()["date"]["workday"] is False
    assert admin.post("/admin/calendar/2027-05-06/remove").status_code == 302
    assert api.get("/calendar/days?date=2027-05-06").get_json()["date"]["workday"] is True
    with unchanged(pages.app):
        assert admin.post("/admin/calendar/2027-05-06/remove").status_code == 404
        assert admin.post("/admin/calendar/not-a-day/remove").status_code == 404


@pytest.mark.parametrize(("lines", "message"), [
    ("", "请至少填写一行日期"), ("2027-13-01 放假 元旦", "第 1 行格式不正确"), ("2027-01-01 休假", "第 1 行格式不正确"),
    ("2027-01-01 放假 元旦\n明天 放假", "第 2 行格式不正确"), ("2027-03-01~2027-01-01 放假", "日期范围无效"),
    ("2027-01-01~2027-06-01 放假", "日期范围无效"),
])
def test_bad_calendar_lines_are_told_in_chinese_and_nothing_is_stored(pages, api, lines, message):
    admin = pages.client("admin")
    with unchanged(pages.app):
        response = admin.post("/admin/calendar", data={"year": "2027", "lines": lines})
    assert response.status_code == 422 and message in text(response)
    assert api.get("/calendar/days?year=2027").get_json()["days"] == []


def test_a_catalogue_rule_added_on_the_page_dispatches_the_next_ticket(pages, api):
    admin = pages.client("admin")
    response = admin.post("/admin/catalogue", data={"name": "东湖区井盖归区政府", "keywords": "井盖、窨井",
                                                    "district": "东湖区", "department": "gov_donghu",
                                                    "priority": "10", "category": ""})
    assert response.status_code == 302
    page = text(admin.get("/admin/catalogue"))
    assert "东湖区井盖归区政府" in page and "井盖、窨井" in page and "东湖区人民政府" in page and "系统管理员" in page
    ticket = api.create(content="东湖区滨湖路18号门口井盖松动，车辆经过响声很大，担心有人踩空。", district="东湖区")
    assert ticket["department"] == "gov_donghu" and ticket["status"] == "dispatched"


def test_a_rule_is_changed_into_a_new_version_and_retired(pages, api):
    admin = pages.client("admin")
    admin.post("/admin/catalogue", data={"name": "井盖", "keywords": "井盖", "department": "urban"})
    [rule] = api.get("/catalogue", user="admin").get_json()["items"]
    response = admin.post(f"/admin/catalogue/{rule['rule_key']}", data={"name": "井盖归水务", "keywords": "井盖",
                                                                        "department": "water"})
    assert response.status_code == 302
    [changed] = api.get("/catalogue", user="admin").get_json()["items"]
    assert (changed["rule_key"], changed["department"], changed["version"]) == (rule["rule_key"], "water",
                                                                                rule["version"] + 1)
    assert admin.post(f"/admin/catalogue/{rule['rule_key']}/retire").status_code == 302
    assert api.get("/catalogue", user="admin").get_json()["items"] == []
    history = text(admin.get("/admin/catalogue?history=1"))
    assert "井盖归水务" in history and "已停用" in history
    with unchanged(pages.app):
        again = admin.post(f"/admin/catalogue/{rule['rule_key']}/retire")
    assert again.status_code == 404 and "不存在" in text(again)


@pytest.mark.parametrize(("form", "message"), [
    ({"name": "", "keywords": "井盖", "department": "water"}, "名称：必填"),
    ({"name": "空规则", "department": "water"}, "规则至少需要关键词、类别或区域之一"),
    ({"name": "x", "keywords": "井盖", "department": "nowhere"}, "所属单位：无效"),
    ({"name": "x", "keywords": "井盖", "department": "water", "category": "bogus"}, "类别：请从列表中选择"),
    ({"name": "x", "keywords": "井盖", "department": "water", "district": "火星区"}, "不在区域列表中"),
    ({"name": "x", "keywords": "井盖", "department": "water", "priority": "-3"}, "优先级：不能小于 0"),
    ({"name": "x", "keywords": "井盖", "department": "water", "priority": "abc"}, "优先级：必须是整数"),
])
def test_bad_rules_are_told_in_chinese_and_nothing_is_stored(pages, api, form, message):
    admin = pages.client("admin")
    with unchanged(pages.app):
        response = admin.post("/admin/catalogue", data=form)
    assert response.status_code == 422, text(response)
    page = text(response)
    assert message in page and 'id="create-rule"' in page
    assert api.get("/catalogue", user="admin").get_json()["items"] == []


def test_only_admins_open_calendar_and_catalogue_pages(pages, api):
    api.post("/catalogue", {"name": "井盖", "keywords": "井盖", "department": "urban"}, user="admin")
    [rule] = api.get("/catalogue", user="admin").get_json()["items"]
    assert api.post("/calendar/days", {"days": ["2027-05-06:off:测试"]}, user="admin").status_code == 201
    for user in ("operator", "supervisor", "dept_water"):
        client = pages.client(user)
        with unchanged(pages.app):
            assert client.get("/admin/calendar").status_code == 403
            assert client.get("/admin/catalogue").status_code == 403
            assert client.post("/admin/calendar", data={"year": "2027",
                                                        "lines": "2027-01-01 放假 元旦"}).status_code == 403
            assert client.post("/admin/catalogue", data={"name": "x", "keywords": "井盖",
                                                         "department": "water"}).status_code == 403
            assert client.post(f"/admin/catalogue/{rule['rule_key']}/retire").status_code == 403
            assert client.post("/admin/calendar/2027-05-06/remove").status_code == 403
