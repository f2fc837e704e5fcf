"""Department staff and follow-up callers in Chromium: primary moves, 更多操作, the 可拨打 tab, plain questions."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser.test_ticket_course import Person
from tests.support.factories import T0

pytestmark = pytest.mark.browser


def test_department_signs_asks_rarely_behind_more_and_the_reply_closes_the_extension(browser, live_server, api,
                                                                                   tmp_path):
    ticket = api.create(content="滨湖路餐馆油烟直排")
    api.drive(ticket["id"], until="dispatched")
    staff = Person(browser, live_server, "dept_ecology", tmp_path)
    page = staff.page
    page.goto(f"{live_server}/tickets/{ticket['id']}")
    expect(page.locator("form.primary-move")).to_have_count(1)
    assert "办理中" in staff.move("sign")
    assert page.locator("form.move-reply").get_attribute("class").endswith("primary-move")
    expect(page.locator("form.move-request-exclusion")).to_be_hidden()
    page.click("details.more-moves summary")
    expect(page.locator("form.move-request-exclusion")).to_be_visible()
    assert "不纳入考核" in staff.move("request-exclusion", fill={"reason": "属于法院执行事项"})
    expect(page.locator("form.move-request-exclusion")).to_have_count(0)  # asked already: not offered again
    staff.move("request-extension", fill={"days": "3", "reason": "需协调住建部门"})
    expect(page.locator("#pending-extension")).to_be_visible()
    assert "已答复" in staff.move("reply", select={"result": "solved"}, fill={"content": "已责令整改并复查。"})
    expect(page.locator("#pending-extension")).to_have_count(0)
    staff.shot("department-ticket")
    staff.close()


def test_followup_ready_tab_and_plain_questions(browser, live_server, api, tmp_path):
    with time_machine.travel(T0, tick=True):  # Thursday 10:00: inside the morning calling window
        ticket = api.create()
        api.drive(ticket["id"], until="awaiting_follow_up")
        caller = Person(browser, live_server, "followup", tmp_path)
        page = caller.page
        page.click("text=当前可拨打")
        card = page.locator(f"#followup-{ticket['id']}")
        expect(card).to_be_visible()
        expect(card).to_contain_text("本次电话是否接通？")
        card.locator("select[name=reached]").select_option("false")
        card.locator("button[data-move=follow-up]").click()
        page.wait_for_load_state()
        page.click("text=当前可拨打")
        expect(page.locator(f"#followup-{ticket['id']}")).to_have_count(0)  # next attempt: another window
        page.click("text=全部待回访")
        expect(page.locator(f"#followup-{ticket['id']}")).to_contain_text("已回访 1 / 3 次")
        caller.shot("followup-queue")
        caller.close()
