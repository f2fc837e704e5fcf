"""The 受理台 help panel in Chromium (live suggestions, 选用), and intake with JavaScript turned off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser


def test_live_suggestions_fill_the_panel_and_pick_the_department(browser, live_server, tmp_path, monkeypatch,
                                                                 promote):
    from hotline.web import assist

    promote()  # the real dispatch model, trained on part of the demo corpus
    seen: list[str] = []
    real = assist.suggestions

    def recording(text: str) -> list[dict]:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(assist, "suggestions", recording)
    operator = Person(browser, live_server, "operator", tmp_path)
    page = operator.page
    page.locator("#content").press_sequentially("幸福路自来水管爆裂，路面积水", delay=20)
    page.wait_for_selector("#suggestions button")
    assert page.locator("#suggestions li").first.inner_text().startswith("市水务局")
    assert seen and seen[-1] == "幸福路自来水管爆裂，路面积水"  # debounced: the last text is asked for
    page.locator("#suggestions button").first.click()
    assert page.locator("#department").input_value() == "water"
    expect(page.locator("#kb")).not_to_contain_text("输入诉求内容后显示", timeout=15000)  # the search answered
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.inner_text("#department-name") == "市水务局"
    operator.close()


def test_intake_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", "hotline-demo")
    page.click("form button[type=submit]")
    page.wait_for_url("**/console")
    assert "实时建议需要启用 JavaScript" in page.inner_text("#assist")
    page.fill("textarea[name=content]", "南湖区公园路路灯不亮")
    page.click("button.primary")
    page.wait_for_load_state()
    assert "已受理，工单编号" in page.inner_text(".flash")
    context.close()
