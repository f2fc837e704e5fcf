"""The operator console in Chromium: 来电弹屏, urgency hint, article feedback, early 转119, Back + resubmit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser


def tickets(app) -> int:  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.tickets.models import Ticket

    with app.app_context():
        return session().scalar(select(func.count(Ticket.id))) or 0


def test_caller_history_urgency_and_feedback_appear_while_typing(browser, live_server, api, tmp_path):
    earlier = api.create(caller_phone="13655556666", content="小区门口路灯不亮", department="ecology")
    operator = Person(browser, live_server, "operator", tmp_path)
    page = operator.page
    page.locator("#caller_phone").press_sequentially("13655556666", delay=15)
    expect(page.locator("#history")).to_contain_text(earlier["number"])
    expect(page.locator("#history")).to_contain_text("市生态环境局")
    page.locator("#content").press_sequentially("小区从早上开始停电，燃气灶也点不着", delay=10)
    expect(page.locator("#urgency-hint")).to_contain_text("建议紧急程度：加急")
    page.locator("#urgency-hint button").click()
    assert page.locator("#urgency").input_value() == "urgent"
    page.locator("#kb .feedback button").first.wait_for()
    page.locator("#kb .feedback button", has_text="有帮助").first.click()
    expect(page.locator("#kb .feedback").first).to_have_text("已记录：有帮助")
    operator.shot("console-history")
    operator.close()


def test_emergency_transfer_without_filling_the_form(browser, live_server, tmp_path):
    operator = Person(browser, live_server, "operator", tmp_path)
    page = operator.page
    page.fill("#caller_phone", "13912345678")
    page.locator("button[data-emergency='119']").click()
    page.wait_for_url("**/console/tickets/*")
    assert "已转119（消防）" in operator.flash()
    expect(page.locator("h1 .status")).to_have_text("已转办")
    operator.close()


def test_back_and_submit_again_does_not_make_a_second_ticket(browser, live_server, app, tmp_path):
    operator = Person(browser, live_server, "operator", tmp_path)
    page = operator.page
    before = tickets(app)
    page.fill("#content", "南湖区公园路路灯不亮，晚上很黑")
    page.click("button.primary")
    page.wait_for_url("**/console/tickets/*")
    first = page.url
    page.go_back()
    page.wait_for_url("**/console")
    assert page.locator("#content").input_value() == "南湖区公园路路灯不亮，晚上很黑"
    page.click("button.primary")
    page.wait_for_url("**/console/tickets/*")
    assert page.url == first and tickets(app) == before + 1
    operator.close()
