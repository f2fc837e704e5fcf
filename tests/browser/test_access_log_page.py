"""访问日志 in Chromium: a follow-up caller reveals one number on the queue; a supervisor finds that
reveal in the access log by user and opens the ticket from it."""

from __future__ import annotations

import pytest

from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser

FULL = "13812345678"


def test_a_reveal_on_the_queue_shows_up_in_the_access_log(browser, live_server, api, tmp_path):
    ticket = api.drive(api.create()["id"], until="awaiting_follow_up")

    followup = Person(browser, live_server, "followup", tmp_path)
    page = followup.page
    assert page.url.endswith("/followups")
    card = page.locator(f"#followup-{ticket['id']}")
    assert "138****5678" in card.inner_text() and FULL not in page.content()
    card.locator("button[data-reveal]").click()
    page.wait_for_load_state()
    card = page.locator(f"#followup-{ticket['id']}")
    assert FULL in card.locator(".phone").inner_text()
    assert card.locator("a.dial").get_attribute("href") == f"tel:{FULL}"
    followup.shot("followups_revealed")
    followup.close()

    supervisor = Person(browser, live_server, "supervisor", tmp_path)
    page = supervisor.page
    page.goto(f"{live_server}/supervision/access-log")
    assert "访问日志" in page.inner_text("h1")
    form = page.locator("#access-log-filters")
    form.locator("select[name=user]").select_option(label="回访员小周")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    rows = page.locator("#access-log tbody tr").all_inner_texts()
    assert len(rows) == 1 and "显示号码" in rows[0] and "回访员小周" in rows[0] and ticket["number"] in rows[0]
    assert "共 1 条" in page.inner_text("h1")
    supervisor.shot("access_log")
    page.locator("#access-log tbody").get_by_text(ticket["number"]).click()
    page.wait_for_load_state()
    assert ticket["number"] in page.inner_text("h1")
    supervisor.close()
