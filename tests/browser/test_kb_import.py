"""知识库导入 in Chromium: an admin uploads a file, watches its progress page (polled by the page's own
script) reach 完成 while a real RQ worker runs the job, and finds the imported article."""

from __future__ import annotations

import pytest

from tests.browser.test_admin_pages import english_words
from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser

HEADER = "title,questions,answer,department,tags,effective_from,expires_on"


def test_an_admin_uploads_a_file_and_watches_the_import_finish(browser, live_server, qapp, work, tmp_path):
    rows = [f"路灯不亮报修{i:03d},路灯坏了{i},由市城市管理局在两个工作日内修复。,urban,市政," for i in range(119)]
    rows.append("井盖松动找谁,井盖响|井盖坏了,由市城市管理局负责维修，24小时内到场。,urban,市政,,")
    upload = tmp_path / "知识条目.csv"
    upload.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")

    admin = Person(browser, live_server, "admin", tmp_path)
    page = admin.page
    page.goto(f"{live_server}/admin/kb")
    page.click(".kb-nav >> text=导入导出")
    page.wait_for_load_state()
    page.set_input_files("#import-form input[name=file]", str(upload))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/admin/kb/imports/" in page.url and "文件已上传，正在后台导入" in admin.flash()
    assert page.inner_text("#import-state") == "排队中"
    assert "页面会自动刷新" in page.inner_text("#import-status")

    work()  # a real worker takes the job from Redis: check, then three batches, each committed

    page.wait_for_selector("#import-result", timeout=20000)  # the script saw it finish and reloaded
    assert page.inner_text("#import-state") == "完成"
    assert "导入完成" in page.inner_text("#import-result")
    assert page.inner_text("#created") == "120" and page.inner_text("#processed") == "120"
    bar = page.locator("#import-bar")
    assert bar.get_attribute("value") == "120" and bar.get_attribute("max") == "120"
    assert english_words(page) == []
    admin.shot("kb_import")

    page.click("#import-result >> text=查看知识条目")
    page.wait_for_load_state()
    page.fill("input[name=q]", "井盖松动")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    assert "井盖松动找谁" in page.inner_text("main")

    page.goto(f"{live_server}/admin/kb/import")
    latest = page.locator("#recent-imports tbody tr").first
    assert "完成" in latest.inner_text() and "知识条目.csv" in latest.inner_text()
    assert admin.errors == []
    admin.close()
