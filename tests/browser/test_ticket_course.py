"""One ticket's whole course through the pages in headless Chromium, as the people of the centre do it."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CONTENT = "东湖区滨湖路18号小区楼下餐馆油烟直排，燃气欠费停气的事也想问一下，晚上十点后还在营业，噪音扰民。"


class Person:
    """One user in their own browser context (own cookies), with JS errors collected."""

    def __init__(self, browser: Any, base: str, username: str, shots: Path, *, password: str = "hotline-demo",
                 must_enter: bool = True) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.base, self.shots, self.errors = base, shots, []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.goto(f"{base}/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("form button[type=submit]")
        self.page.wait_for_load_state()
        if must_enter:  # a refused login is what some tests want to see
            assert "/login" not in self.page.url, self.flash()

    def flash(self) -> str:
        """The flash messages on the page."""
        return " | ".join(self.page.locator(".flash").all_inner_texts())

    def move(self, slug: str, fill: dict[str, str] | None = None, select: dict[str, str] | None = None) -> str:
        """Fill and submit one move's form on the current page; returns the flash text."""
        form = self.page.locator(f"form.move-{slug}").first
        for name, value in (select or {}).items():
            form.locator(f"select[name={name}]").select_option(value)
        for name, value in (fill or {}).items():
            form.locator(f"[name={name}]").fill(value)
        form.locator("button[type=submit]").click()
        self.page.wait_for_load_state()
        return self.flash()

    def shot(self, name: str) -> Path:
        """A full-page screenshot in the test's tmp folder (and in WEB_SHOTS_DIR when set)."""
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if os.environ.get("WEB_SHOTS_DIR"):
            self.page.screenshot(path=str(Path(os.environ["WEB_SHOTS_DIR"]) / f"{name}.png"), full_page=True)
        return path

    def close(self) -> None:
        """Log out through the header button and close the context; JS errors fail the test."""
        self.page.click("header .me button")
        self.page.wait_for_load_state()
        assert self.page.url.endswith("/login")
        self.context.close()
        assert not self.errors, self.errors


def test_a_ticket_from_intake_to_closing(browser, live_server, api, tmp_path):
    from tests.knowledge.helpers import publish

    publish(api)  # a published article so the live panel has something to show

    operator = Person(browser, live_server, "operator", tmp_path)
    page = operator.page
    assert page.url.endswith("/console")
    page.fill("textarea[name=content]", CONTENT)
    page.locator("#content").press("End")  # an input event, as typing
    page.wait_for_selector("#kb li b", timeout=10000)  # the live knowledge panel filled itself
    assert "燃气" in page.locator("#kb").inner_text()
    page.fill("input[name=caller_name]", "张先生")
    page.fill("input[name=caller_phone]", "13812345678")
    page.select_option("select[name=kind]", "complaint")
    page.select_option("select[name=district]", "东湖区")
    page.fill("input[name=address]", "滨湖路18号")
    operator.shot("console")
    page.click("button.primary")
    page.wait_for_load_state()
    assert "已受理，工单编号" in operator.flash()
    number = re.search(r"\d{8}-\d{6}", operator.flash()).group(0)  # type: ignore[union-attr]
    for slug in ("resolve-on-call", "dispatch", "transfer-emergency", "mark-invalid"):
        assert page.locator(f"form.move-{slug}").count() == 1, slug
    operator.shot("console_ticket")
    assert "已派单" in operator.move("dispatch", select={"department": "ecology"})
    operator.close()

    department = Person(browser, live_server, "dept_ecology", tmp_path)
    page = department.page
    assert page.url.endswith("/tickets")
    assert "市生态环境局" in page.inner_text("table.list") and page.locator("#count-dispatched").inner_text() == "1"
    department.shot("tickets")
    page.click(f"text={number}")
    page.wait_for_load_state()
    assert "办理中" in department.move("sign")
    flash = department.move("reply", select={"result": "solved"},
                           fill={"content": "已到现场核查，责令餐馆安装油烟净化设备并调整营业时间。"})
    assert "已答复" in flash
    department.close()

    dispatcher = Person(browser, live_server, "dispatcher", tmp_path)
    assert dispatcher.page.url.endswith("/desk")  # a dispatcher starts at the desk
    dispatcher.page.click("#queue-review")  # 待审核答复
    dispatcher.page.click(f"text={number}")
    dispatcher.page.wait_for_load_state()
    assert "待回访" in dispatcher.move("accept-reply")
    dispatcher.close()

    followup = Person(browser, live_server, "followup", tmp_path)
    page = followup.page
    assert page.url.endswith("/followups")
    assert number in page.inner_text("main")
    followup.shot("followups")
    flash = followup.move("follow-up", select={"reached": "true", "contacted": "true", "solved": "solved",
                                                "satisfaction": "satisfied"})
    assert "已办结" in flash
    page.click("text=工单列表")
    page.click(f"text={number}")
    page.wait_for_load_state()
    assert "已办结" in page.inner_text("h1")
    timeline = page.locator("table.timeline tbody tr").all_inner_texts()
    actions = [row.split("\t")[2] for row in timeline]
    assert actions == ["受理", "派单", "签收", "答复", "审核通过", "回访"], actions
    assert "满意" in page.inner_text("main")
    followup.shot("ticket_closed")
    followup.close()
