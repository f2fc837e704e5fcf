"""时限与权重: a year's limits set on the page govern the deadlines of that year; its weights the score."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.support.footprint import unchanged
from tests.web.conftest import text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def page_form(html: str, form_id: str) -> dict[str, str]:
    """The named inputs and selected options of one form on the page, as the browser would post them."""
    import re

    part = html[html.index(f'id="{form_id}"'):]
    part = part[:part.index("</form>")]
    values = dict(re.findall(r'<input type="(?:hidden|number)" name="([^"]+)"[^>]*?value="([^"]*)"', part))
    for name, options in re.findall(r'<select name="([^"]+)">(.*?)</select>', part):
        values[name] = re.search(r'<option value="([^"]+)" selected', options).group(1)  # type: ignore[union-attr]
    return values


def contacted_after_three_hours(api, dispatched: datetime) -> int:  # type: ignore[no-untyped-def]
    """A ticket dispatched at `dispatched` and contacted 3 hours later: in time under the default limits
    (one working day to sign), late under a 2-hour sign limit. Returns its id."""
    from datetime import timedelta

    with time_machine.travel(dispatched, tick=False):
        tid = api.create(content="东湖区滨湖路路灯不亮，晚上出行不安全。")["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
    with time_machine.travel(dispatched + timedelta(hours=3), tick=False):
        api.act(tid, "sign", "dept_ecology")
        api.act(tid, "contact", "dept_ecology")
    return tid


def reply_due(api, when: datetime) -> str:  # type: ignore[no-untyped-def]
    with time_machine.travel(when, tick=False):
        ticket = api.create()
        api.act(ticket["id"], "dispatch", "dispatcher", {"department": "water"})
        return api.get(f"/tickets/{ticket['id']}").get_json()["deadlines"]["reply_due_at"]


def test_limits_saved_for_a_year_set_that_years_deadlines_only(pages, api):
    admin = pages.client("admin")
    html = text(admin.get("/admin/limits?year=2026"))
    assert "2026 年使用系统默认值" in html
    form = page_form(html, "limits-form")
    assert (form["normal.reply.amount"], form["normal.reply.unit"]) == ("5", "working_days")
    assert (form["urgent.reply.amount"], form["urgent.reply.unit"]) == ("24", "hours")
    response = admin.post("/admin/limits", data={**form, "normal.reply.amount": "3"})
    assert response.status_code == 302
    page = text(admin.get(response.headers["Location"]))
    assert "已保存 2026 年的时限" in page and "2026 年单独设置" in page
    assert page_form(page, "limits-form")["normal.reply.amount"] == "3"
    # Thursday 2026-11-26 10:00: three working days → Tuesday 12-01; 2027 keeps the default five.
    assert reply_due(api, datetime(2026, 11, 26, 10, tzinfo=SHANGHAI)) == "2026-12-01T10:00:00+08:00"
    assert reply_due(api, datetime(2027, 3, 4, 10, tzinfo=SHANGHAI)) == "2027-03-11T10:00:00+08:00"
    admin.post("/admin/limits/reset", data={"kind": "time_limits", "year": "2026"})
    assert reply_due(api, datetime(2026, 11, 26, 10, tzinfo=SHANGHAI)) == "2026-12-03T10:00:00+08:00"


def test_weights_saved_for_a_year_are_the_weights_of_its_rates(pages, api):
    admin = pages.client("admin")
    form = page_form(text(admin.get("/admin/limits?year=2027")), "weights-form")
    assert form["response"] == "0.3" and form["basically_satisfied"] == "0.8"
    response = admin.post("/admin/limits", data={**form, "response": "0.2", "solved": "0.4", "satisfied": "0.4"})
    assert response.status_code == 302
    weights = api.get("/metrics?from=2027-03-01&to=2027-03-31", user="supervisor").get_json()["weights"]
    assert (weights["response"], weights["solved"], weights["satisfied"]) == (0.2, 0.4, 0.4)
    before = api.get("/metrics?from=2026-03-01&to=2026-03-31", user="supervisor").get_json()["weights"]
    assert before["response"] == 0.3


@pytest.mark.parametrize(("kind", "change", "message"), [
    ("weights-form", {"response": "0.5"}, "三项权重之和须等于 1"),
    ("weights-form", {"solved": "abc"}, "解决率权重须为数字"),
    ("weights-form", {"partly_solved": "1.5"}, "每项权重须在 0 到 1 之间"),
    ("weights-form", {"satisfied": "nan"}, "满意率权重须为数字"),
    ("limits-form", {"normal.reply.amount": "0"}, "时限设置无效"),
    ("limits-form", {"normal.reply.amount": "-2"}, "时限设置无效"),
    ("limits-form", {"normal.reply.amount": ""}, "一般件答复时限须为数字"),
    ("limits-form", {"normal.sign.unit": "weeks"}, "单位须为小时或工作日"),
    ("limits-form", {"reminder_percent": "150"}, "临期提醒比例须在 0% 与 100% 之间"),
    ("limits-form", {"max_extension_days": "2.5"}, "最长延期工作日数须为整数"),
    ("limits-form", {"complex.reply.amount": "5000"}, "不超过 366"),
])
def test_bad_values_are_refused_in_chinese_and_nothing_is_stored(pages, app, kind, change, message):
    admin = pages.client("admin")
    form = page_form(text(admin.get("/admin/limits?year=2027")), kind)
    with unchanged(pages.app):
        response = admin.post("/admin/limits", data={**form, **change})
    assert response.status_code == 422
    assert message in text(response)
    shown = page_form(text(response), kind)
    assert all(shown[name] == value for name, value in change.items() if name in shown and not name.endswith(".unit"))  # what was typed stays
    from hotline.db import session
    from hotline.settings.models import YearSetting

    with app.app_context():
        assert session().query(YearSetting).count() == 0


def test_only_admins_change_limits(pages):
    admin = pages.client("admin")
    form = page_form(text(admin.get("/admin/limits?year=2027")), "weights-form")
    for user in ("supervisor", "operator", "dispatcher", "dept_water"):
        client = pages.client(user)
        with unchanged(pages.app):
            assert client.get("/admin/limits").status_code == 403
            assert client.post("/admin/limits", data={"kind": "rate_weights"}).status_code == 403
            assert client.post("/admin/limits", data=form).status_code == 403


def test_a_years_sign_limit_judges_the_response_of_that_years_dispatches(pages, api, app):
    """Contacted 3 hours after dispatch: in time under the default (one working day), late once 2026's
    normal sign limit is 2 hours; the stored facts follow at once and equal the events engine; 2027 is untouched."""
    from datetime import timedelta

    from hotline.db import session
    from hotline.supervision import rates
    from hotline.supervision.periods import Period

    dispatched = datetime(2026, 11, 26, 10, tzinfo=SHANGHAI)
    contacted_after_three_hours(api, dispatched)
    period, now = Period(dispatched.date(), dispatched.date()), dispatched + timedelta(hours=4)

    def responded() -> int:
        with app.app_context():
            db = session()
            live = rates.metrics(db, period=period, group_by="department", now=now)
            assert live == rates.metrics_from_events(db, period=period, group_by="department", now=now)
            return live["total"]["responded"]

    assert responded() == 1
    admin = pages.client("admin")
    form = page_form(text(admin.get("/admin/limits?year=2026")), "limits-form")
    saved = admin.post("/admin/limits", data={**form, "normal.sign.amount": "2", "normal.sign.unit": "hours"})
    assert saved.status_code == 302
    assert responded() == 0
    other = page_form(text(admin.get("/admin/limits?year=2027")), "limits-form")
    later = admin.post("/admin/limits", data={**other, "year": "2027", "normal.sign.amount": "8",
                                              "normal.sign.unit": "hours"})
    assert later.status_code == 302  # stored: a refused form would leave 2026's figure untouched trivially
    assert responded() == 0  # 2027's limits do not judge a 2026 dispatch
    reset = admin.post("/admin/limits/reset", data={"kind": "time_limits", "year": "2026"})
    assert reset.status_code == 302
    assert responded() == 1
