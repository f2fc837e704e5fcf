"""A supervisor's day in Chromium: the dashboard, a drill-down, an xlsx download, a watch-list approval, the inbox."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.browser.test_csp_pages import WATCH_CSP
from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(page) -> list[str]:  # type: ignore[no-untyped-def]
    """ASCII words in the visible text of the page's main part and header (data typed by citizens aside)."""
    return ASCII_WORD.findall(page.locator("header").inner_text() + page.locator("main h1").inner_text())


def signed_ticket(api) -> dict:  # type: ignore[no-untyped-def]
    ticket = api.create(user="operator")
    api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
    api.act(ticket["id"], "sign", "dept_ecology")
    return ticket


def tell_supervisor(app, title: str, ticket_id: int) -> None:  # type: ignore[no-untyped-def]
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.notify.service import Audience, Message, notify

    with app.app_context():
        db = session()
        supervisor = db.scalar(select(User).where(User.username == "supervisor"))
        notify(db, key="browser-test", audience=Audience(users=(supervisor,)), now=utcnow(),
               message=Message(kind="reminder_escalate", title=title, body=title, ticket_id=ticket_id))
        db.commit()


def test_supervisor_drills_down_and_downloads_an_xlsx(browser, live_server, api, tmp_path):
    ticket = signed_ticket(api)
    supervisor = Person(browser, live_server, "supervisor", tmp_path)
    page = supervisor.page
    page.add_init_script(WATCH_CSP)
    page.goto(f"{live_server}/supervision?group_by=department&metric=sign_on_time_rate")
    assert page.locator("svg.sv-chart a").count() >= 1  # the chart has a bar for the unit
    row = page.locator('#rates-table tr[data-group="ecology"]')
    assert "100.0%" in row.locator('a[data-metric="sign_on_time_rate"]').inner_text()
    assert english_words(page) == []
    supervisor.shot("supervisor-dashboard")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    sheet = load_workbook(path)["指标"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["市生态环境局"][header.index("及时签收率")] == 1.0
    row.locator('a[data-metric="sign_on_time_rate"]').click()
    page.wait_for_load_state()
    assert "/supervision/tickets" in page.url and "及时签收率" in page.locator("h1").inner_text()
    assert ticket["number"] in page.locator("#drill-table").inner_text()
    page.click(f"#drill-table a:text('{ticket['number']}')")
    page.wait_for_load_state()
    assert page.url.endswith(f"/tickets/{ticket['id']}")
    assert page.evaluate("window.__csp || []") == []
    supervisor.close()


def test_supervisor_approves_an_extension_from_the_watch_list(browser, live_server, api, tmp_path):
    ticket = signed_ticket(api)
    api.act(ticket["id"], "request-extension", "dept_ecology", {"days": 2, "reason": "需等待材料"})
    supervisor = Person(browser, live_server, "supervisor", tmp_path)
    page = supervisor.page
    page.goto(f"{live_server}/supervision/watch")
    pending = page.locator("#requests-extension")
    assert "需等待材料" in pending.inner_text()
    assert english_words(page) == []
    supervisor.shot("supervisor-watch")
    pending.locator("form.move-approve-extension button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/supervision/watch") and "「批准延期」已完成" in supervisor.flash()
    assert "需等待材料" not in page.locator("#requests-extension").inner_text()
    assert api.get(f"/tickets/{ticket['id']}", user="supervisor").get_json()["status"] == "in_progress"
    supervisor.close()


def test_the_inbox_shows_the_unread_count_and_marks_read(browser, live_server, api, app, tmp_path):
    ticket = signed_ticket(api)
    tell_supervisor(app, "【督办】工单超期一个工作日，已转督办", ticket["id"])
    supervisor = Person(browser, live_server, "supervisor", tmp_path)
    page = supervisor.page
    assert page.locator("#unread-count").inner_text() == "1"
    page.click("#inbox-link")
    page.wait_for_load_state()
    assert "已转督办" in page.locator("#inbox").inner_text()
    assert english_words(page) == []
    supervisor.shot("notifications-inbox")
    page.click("#inbox button.mark-read")
    page.wait_for_load_state()
    assert page.locator("#unread-count").count() == 0 and "已读" in page.locator("#inbox").inner_text()
    supervisor.close()


def test_the_hotspots_page_links_a_cluster_to_its_tickets(browser, live_server, api, tmp_path):
    from tests.supervision.test_hotspots import WATER

    planted = [api.create(content=WATER[n % 4] + f"（第{n + 1}位来电）", district="西山区", address="翠湖花园",
                          caller_phone=f"1380000{n:04d}")["number"] for n in range(5)]
    api.create(content="东湖区人民公园门口的路灯坏了好几盏，晚上散步很黑。", district="东湖区", address=None)
    supervisor = Person(browser, live_server, "supervisor", tmp_path)
    page = supervisor.page
    page.add_init_script(WATCH_CSP)
    page.goto(f"{live_server}/supervision")
    page.click("#hotspots-link")
    page.wait_for_load_state()
    cluster = page.locator("section.hotspot").first
    assert "西山区" in cluster.locator("h2").inner_text() and "5 件工单" in cluster.inner_text()
    assert english_words(page) == []
    cluster.locator("summary").click()
    supervisor.shot("supervisor-hotspots")
    assert sorted(cluster.locator("details a").all_inner_texts()) == sorted(planted)
    cluster.locator("details a").first.click()
    page.wait_for_load_state()
    assert "/tickets/" in page.url and page.evaluate("window.__csp || []") == []
    supervisor.close()
