"""What Chromium shows is Chinese: each role's pages and a ticket's course, and the error pages."""

from __future__ import annotations

import pytest
import time_machine

from tests.browser.test_ticket_course import Person
from tests.support.factories import T0
from tests.web.test_no_english import courses, english

pytestmark = pytest.mark.browser

PAGES = {"operator": ["/console", "/tickets"], "dispatcher": ["/desk", "/desk?queue=returns", "/tickets"],
         "dept_ecology": ["/tickets"], "followup": ["/followups", "/followups?ready=1"],
         "supervisor": ["/tickets"]}


def test_each_roles_pages_and_the_timeline_show_no_english(browser, live_server, api, tmp_path):
    with time_machine.travel(T0, tick=True):
        tickets = courses(api)
        seen = {}
        for role, paths in PAGES.items():
            person = Person(browser, live_server, role, tmp_path)
            for path in [*paths, f"/tickets/{tickets[0]}", "/no-such-page"]:
                person.page.goto(f"{live_server}{path}")
                words = english(f"<p>{person.page.inner_text('body')}</p>") - {role}
                if words:
                    seen[(role, path)] = sorted(words)
            person.page.goto(f"{live_server}/tickets/{tickets[0]}")
            if role == "supervisor":
                timeline = person.page.inner_text("table.timeline")
                assert "新答复期限" in timeline and "new_due" not in timeline
            person.errors = [e for e in person.errors if "404" not in e]  # the page asked for does not exist
            person.close()
    assert seen == {}
