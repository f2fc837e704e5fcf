"""The citizen's side of the loop in headless Chromium: a citizen submits online on a phone-sized screen,
an operator takes it from the 网上诉求 queue, the department replies, the citizen tracks it and rates it
不满意, the follow-up caller finds it in the queue, and the rate and the export count the online rating.

Screenshots of the public pages at 390 px (submit, receipt, track, ticket with the rating form, rated)
go to the test's tmp folder and to WEB_SHOTS_DIR when set (`make screenshots`)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
CONTENT = "北城区光明路12号菜市场门口下水道井盖破损，已经有电动车摔倒，请尽快更换井盖。"
REPLY = "已于当日更换破损井盖并设置警示标志，后续将加强巡查。"


class Citizen:
    """A citizen on a phone: no login, own cookies; JS errors and page overflow fail the test."""

    def __init__(self, browser: Any, base: str, shots: Path) -> None:
        self.context = browser.new_context(**PHONE)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.base, self.shots, self.errors = base, shots, []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)

    def open(self, path: str) -> None:
        """Go to a public page."""
        self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state()

    def shot(self, name: str) -> None:
        """A full-page screenshot at 390 px; the page must not scroll sideways on the phone."""
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name}: the page is {width}px wide on a 390px screen"
        self.page.screenshot(path=str(self.shots / f"public_{name}.png"), full_page=True)
        if os.environ.get("WEB_SHOTS_DIR"):
            target = Path(os.environ["WEB_SHOTS_DIR"])
            target.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(target / f"public_{name}.png"), full_page=True)

    def close(self) -> None:
        """Close the context; JS errors (CSP violations included) fail the test."""
        self.context.close()
        assert not self.errors, self.errors


def test_a_citizen_request_runs_the_whole_loop_and_is_rated_online(browser, live_server, app, api, tmp_path):
    from hotline.clock import local, utcnow

    app.config["CITIZEN_MIN_FILL_SECONDS"] = 1  # a person takes longer; the test types at machine speed
    citizen = Citizen(browser, live_server, tmp_path)
    page = citizen.page
    citizen.open("/public/submit")
    page.fill("textarea[name=content]", CONTENT)
    page.select_option("select[name=kind]", "help")
    page.select_option("select[name=district]", "北城区")
    page.fill("input[name=address]", "光明路12号菜市场")
    page.fill("input[name=caller_name]", "赵先生")
    page.fill("input[name=caller_phone]", "13700002468")
    off_screen = "e => { const r = e.getBoundingClientRect(); return r.right <= 0 || r.bottom <= 0; }"
    assert page.locator("input[name=website]").evaluate(off_screen), "the honeypot is out of people's sight"
    citizen.shot("submit")
    page.wait_for_timeout(1200)
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    number = page.inner_text("#ticket-number").strip()
    assert "个工作日内答复" in page.inner_text("#promise") and "137****2468" in page.inner_text("#sms")
    citizen.shot("receipt")

    operator = Person(browser, live_server, "operator", tmp_path)
    operator.page.click("header nav >> text=网上诉求")
    operator.page.wait_for_load_state()
    assert number in operator.page.inner_text("#online-queue")
    operator.page.click(f"text={number}")
    operator.page.wait_for_load_state()
    assert "已派单" in operator.move("dispatch", select={"department": "urban"})
    operator.close()

    department = Person(browser, live_server, "dept_urban", tmp_path)
    department.page.click(f"text={number}")
    department.page.wait_for_load_state()
    assert "办理中" in department.move("sign")
    assert "已答复" in department.move("reply", select={"result": "solved"}, fill={"content": REPLY})
    department.close()

    dispatcher = Person(browser, live_server, "dispatcher", tmp_path)
    assert dispatcher.page.url.endswith("/desk")  # a dispatcher starts at the desk
    dispatcher.page.click("#queue-review")  # 待审核答复
    dispatcher.page.click(f"text={number}")
    dispatcher.page.wait_for_load_state()
    assert "待回访" in dispatcher.move("accept-reply")
    dispatcher.close()

    citizen.open(f"/public/track?number={number}")
    page.fill("input[name=last4]", "2468")
    citizen.shot("track")
    page.click("#track-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#public-status") == "已答复" and page.inner_text("#department") == "市城市管理局"
    assert REPLY in page.inner_text("#reply-text")
    citizen.shot("ticket")
    page.check("input[name=rating][value=dissatisfied]")
    page.fill("textarea[name=comment]", "井盖换了但警示标志第二天就被移走了")
    citizen.shot("rate")
    page.click("#rate-form button[type=submit]")
    page.wait_for_load_state()
    assert "安排回访" in page.inner_text("#notice") and page.inner_text("#your-rating") == "不满意"
    citizen.shot("rated")
    citizen.close()

    followup = Person(browser, live_server, "followup", tmp_path)
    assert followup.page.url.endswith("/followups") and number in followup.page.inner_text("main")
    followup.close()

    today = local(utcnow()).date().isoformat()
    query = f"from={today}&to={today}&group_by=channel"
    rows = api.get(f"/metrics?{query}", user="supervisor").get_json()["rows"]
    web = next(r for r in rows if r["group"] == "web")
    assert (web["online_ratings"], web["online_dissatisfied"], web["satisfied_rate"]) == (1, 1, 0.0)
    export = api.get(f"/metrics/export?format=csv&{query}", user="supervisor").get_data(as_text=True)
    exported = next(r for r in csv.DictReader(io.StringIO(export.lstrip("\ufeff"))) if r["group"] == "web")
    assert (exported["online_ratings"], exported["online_dissatisfied"]) == ("1", "1")
