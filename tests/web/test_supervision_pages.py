"""考核看板 pages over the same services as /api/v1/metrics, on the small history with known answers."""

from __future__ import annotations

import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from tests.dispatching.test_monitor import monitored  # noqa: F401  (fixture)
from tests.supervision.history import at, build
from tests.support.factories import T0
from tests.web.conftest import text

PERIOD = "from=2026-11-26&to=2026-12-05"


def get(pages, path: str, user: str = "supervisor"):  # type: ignore[no-untyped-def]
    with time_machine.travel(at("12-06 10:00"), tick=False):
        return pages.client(user).get(path)


def test_dashboard_shows_the_rates_of_the_api_with_the_previous_period(api, app, pages):
    known = build(api, app)
    page = get(pages, f"/supervision?{PERIOD}&group_by=department&metric=on_time_closing_rate")
    body = text(page)
    assert page.status_code == 200
    assert "2026年11月26日 至 2026年12月5日" in body and "2026年11月16日 至 2026年11月25日" in body  # previous
    row = re.search(r'<tr data-group="ecology">(.*?)</tr>', body, re.S).group(1)
    assert "市生态环境局" in row and "25.0%" in row and "37.5%" in row and "45.0%" in row
    assert "<svg" in body and "市生态环境局" in body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "红色预警" in body or "黄色预警" in body  # ecology: 3 of 4 due were late
    assert "上月" in body and "最近 7 天" in body
    assert 'href="/supervision/access-log"' in body  # the access log of the privacy work, linked
    dispatcher = text(get(pages, f"/supervision?{PERIOD}", user="dispatcher"))
    assert "访问日志" not in dispatcher  # only supervisors and admins read it
    assert f'ticket_id={known.a}' not in body  # figures link to the drill-down page, not to raw ids


def test_drill_down_lists_the_tickets_of_one_figure(api, app, pages):
    known = build(api, app)
    page = get(pages, f"/supervision/tickets?{PERIOD}&group_by=department&group=ecology"
                      "&metric=on_time_closing_rate")
    body = text(page)
    assert page.status_code == 200 and "按时办结率" in body and "市生态环境局" in body
    assert re.search(r"计入分子 <b>1</b>", body) and re.search(r"计入分母 <b>4</b>", body)
    numbers = set(re.findall(r'/tickets/(\d+)"', body))
    assert {str(known.a), str(known.b), str(known.c), str(known.f)} <= numbers
    assert str(known.h) not in numbers and str(known.d) not in numbers  # excluded and invalid are left out


def test_xlsx_and_csv_downloads_from_the_page_session_are_logged(api, app, pages):
    build(api, app)
    xlsx = get(pages, f"/supervision/export?format=xlsx&{PERIOD}&group_by=department")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.data))["指标"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    header = [c.value for c in sheet[1]]
    assert rows["市生态环境局"][header.index("按时办结率")] == 0.25  # Chinese headers and names on the page
    assert rows["市生态环境局"][header.index("类别")] == "市直部门" and "合计" in rows
    assert not [h for h in header if re.search(r"[A-Za-z]{2,}", h)]
    csv = get(pages, f"/supervision/export?format=csv&{PERIOD}&group_by=district")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    assert csv.data.decode("utf-8-sig").splitlines()[0].startswith("名称,类别,受理量")
    from sqlalchemy import select

    from hotline.auth.models import AccessLog
    from hotline.db import session

    with app.app_context():
        logged = session().scalars(select(AccessLog).where(AccessLog.action == "export_metrics")).all()
    assert sorted(e.detail["format"] for e in logged) == ["csv", "xlsx"]


def test_bad_input_gives_chinese_messages_not_errors(api, pages):
    page = get(pages, "/supervision?from=2026-13-01&group_by=nope")
    assert page.status_code == 200 and "统计区间有误" in text(page) and "未知的分组方式" in text(page)
    assert get(pages, "/supervision/tickets?metric=nope").status_code == 400
    assert get(pages, "/supervision/export?format=pdf").status_code == 400


def test_only_viewers_open_the_dashboard(pages):
    assert get(pages, "/supervision", user="dept_ecology").status_code == 403
    assert get(pages, "/supervision/export?format=xlsx", user="operator").status_code == 403
    assert pages.client(None).get("/supervision").status_code == 302


def test_the_monthly_report_shows_times_in_chinese_form(api, app, pages):
    build(api, app)
    body = text(get(pages, "/reports/monthly?month=2026-11"))
    assert "月度考核报告（2026年11月）" in body and "生成于 2026年12月6日 10:00" in body
    assert "统计区间 2026年11月1日 至 2026年11月30日" in body and "T10:00" not in body


@pytest.mark.usefixtures("monitored")
def test_the_live_auto_dispatch_monitor_is_on_the_dashboard(api, pages):
    from tests.dispatching.test_monitor import _create, _send_back, _unseen

    with time_machine.travel(T0, tick=False):
        empty = text(pages.client("supervisor").get("/supervision"))
        for i, content in enumerate(_unseen(10)):
            _send_back(api, _create(api, content, i))
        body = text(pages.client("supervisor").get("/supervision"))
    assert "自动派单实时准确率" in empty and "已暂停自动派单" not in empty
    panel = body.split('id="auto-dispatch-monitor"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 训练（当前使用）", panel)
    assert "（当前使用）" in panel and "已暂停自动派单" in panel and "0.0%" in panel  # every one of 10 was wrong
    assert "暂停自动派单：阈值 0.0%" in panel


def test_every_grouping_shows_chinese_labels_and_drills_down(api, app, pages):
    known = build(api, app)
    for group_by, group, label in (("kind", "complaint", "投诉"), ("channel", "phone", "电话"),
                                   ("district", "东湖区", "东湖区")):
        body = text(get(pages, f"/supervision?{PERIOD}&group_by={group_by}&metric=closing_rate"))
        row = re.search(rf'<tr data-group="{group}">(.*?)</tr>', body, re.S).group(1)
        with time_machine.travel(at("12-06 10:00"), tick=False):
            rows = api.get(f"/metrics?{PERIOD}&group_by={group_by}", user="supervisor").get_json()["rows"]
        rate = next(r for r in rows if r["group"] == group)["closing_rate"]
        assert label in row and f"{rate * 100:.1f}%" in row  # the same figure as the API
        drill = text(get(pages, f"/supervision/tickets?{PERIOD}&group_by={group_by}&group={group}"
                                "&metric=dispatched"))
        assert f"{label}" in drill and f'/tickets/{known.a}"' in drill
