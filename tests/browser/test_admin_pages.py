"""系统管理 in Chromium: an admin creates a user who then logs in; the other admin pages' main paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser


class Visitor(Person):
    """A person logging in with their own password (Person uses the demo password)."""

    def __init__(self, browser: Any, base: str, username: str, password: str, shots: Path) -> None:
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


def test_an_admin_creates_a_user_who_then_logs_in(browser, live_server, tmp_path):
    admin = Person(browser, live_server, "admin", tmp_path)
    page = admin.page
    assert page.url.endswith("/admin")
    page.click("main >> text=用户管理")
    page.wait_for_load_state()
    form = page.locator("#create-user")
    form.locator("input[name=username]").fill("zhao_dept")
    form.locator("input[name=display_name]").fill("燃气集团赵工")
    form.locator("select[name=role]").select_option("department")
    form.locator("button[type=submit]").click()  # no unit and no password yet: the browser or the page refuses
    page.wait_for_load_state()
    form = page.locator("#create-user")
    form.locator("input[name=password]").fill("zhao-pass-2026")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "必须选择所属单位" in admin.flash()
    # The refused form answers 422, which Chromium reports as a failed load; nothing else may be logged.
    assert admin.errors == ["Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"]
    admin.errors.clear()
    form = page.locator("#create-user")
    assert form.locator("input[name=username]").input_value() == "zhao_dept"  # what was typed is kept
    form.locator("select[name=department]").select_option("gas")
    form.locator("input[name=password]").fill("zhao-pass-2026")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "已创建用户「燃气集团赵工」" in admin.flash()
    row = page.locator("tr[data-username=zhao_dept]")
    assert "滨江燃气集团" in row.inner_text() and "承办单位" in row.inner_text()
    admin.shot("admin_users")
    admin.close()

    newcomer = Visitor(browser, live_server, "zhao_dept", "zhao-pass-2026", tmp_path)
    assert newcomer.page.url.endswith("/tickets"), newcomer.flash()
    assert "燃气集团赵工" in newcomer.page.inner_text("header .me")
    assert "滨江燃气集团" in newcomer.page.inner_text("header .me")
    newcomer.close()

    admin = Person(browser, live_server, "admin", tmp_path)
    page = admin.page
    page.goto(f"{live_server}/admin/users")
    row = page.locator("tr[data-username=zhao_dept]")
    row.locator("button.toggle").click()
    page.wait_for_load_state()
    assert "已停用用户" in admin.flash()
    admin.close()
    refused = Visitor(browser, live_server, "zhao_dept", "zhao-pass-2026", tmp_path)
    assert refused.page.url.endswith("/login") and "用户名或密码错误" in refused.flash()
    refused.context.close()
