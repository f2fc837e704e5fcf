"""派单台 in Chromium: counts in the header, a return approved, then re-dispatched to the suggested unit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser


def test_dispatcher_rules_on_a_return_and_redispatches_where_suggested(browser, live_server, api, tmp_path):
    ticket = api.create(content="幸福路自来水管爆裂，路面积水")
    api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
    api.act(ticket["id"], "return", "dept_ecology", {"reason": "供水管网不属本局职责", "basis": "三定方案",
                                                     "suggested_department": "water"})
    dispatcher = Person(browser, live_server, "dispatcher", tmp_path)
    page = dispatcher.page
    expect(page.locator("#count-desk-returns")).to_have_text("1")
    page.click("header nav >> text=派单台")
    expect(page.locator("#queue-count-returns")).to_have_text("1")
    expect(page.locator("#queue-count-duplicates")).to_have_text("0")
    page.click("#queue-returns")
    card = page.locator(f"#desk-{ticket['id']}")
    expect(card.locator(".suggested")).to_have_text("市水务局")
    assert "同意退单" in dispatcher.move("approve-return")
    expect(page.locator("#count-desk-returns")).to_have_text("0")
    page.click("#queue-dispatch")
    form = page.locator(f"#desk-{ticket['id']} form.move-dispatch")
    assert form.locator("select[name=department]").input_value() == "water"
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已派单" in dispatcher.flash()
    assert api.get(f"/tickets/{ticket['id']}", user="dispatcher").get_json()["department"] == "water"
    dispatcher.shot("dispatcher-desk")
    dispatcher.close()
