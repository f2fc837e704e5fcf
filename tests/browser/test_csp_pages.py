"""Every page of the URL map under the strict Content-Security-Policy in Chromium: no CSP violation and
no console error, for a role the access table lets in; the monthly report's print button works."""

from __future__ import annotations

import re

import pytest

from hotline.access import ACCESS
from tests.browser.test_ticket_course import Person

pytestmark = pytest.mark.browser

PREFERRED = [("supervisor", "supervisor"), ("operator", "operator"), ("admin", "admin"),
             ("dispatcher", "dispatcher"), ("followup", "followup"), ("dept_ecology", "department")]
# Routes that answer a file download, not a page (Chromium cancels the navigation): tested by their own tests.
DOWNLOADS = frozenset({"web.supervision_export", "web.admin_kb_export"})
# JSON a page's script reads, not a page (opened directly, Chromium asks for a /favicon.ico that 404s);
# the import status page that polls it is walked.
NOT_PAGES = frozenset({"web.admin_kb_import_progress"})
WATCH_CSP = """document.addEventListener("securitypolicyviolation", function (e) {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});"""


def page_routes(app):  # type: ignore[no-untyped-def]
    """(path pattern, username) for every GET page route, with a user the table allows."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/api/", "/open311/", "/assets/", "/static/")):
            continue
        if rule.endpoint in DOWNLOADS | NOT_PAGES:
            continue
        if rule.endpoint.rsplit(".", 1)[-1] == "static":  # a blueprint's files (e.g. /public/assets/), not a page
            continue
        access = ACCESS[rule.endpoint]
        user = None if access.public else next(name for name, role in PREFERRED if access.allows(role))
        routes.append((rule.rule, user))
    return sorted(routes, key=lambda r: r[0])


def queued_import(app) -> int:  # type: ignore[no-untyped-def]
    """A knowledge-base import waiting for its job, so its progress page (and its polling script) are walked."""
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.knowledge.imports import queue_import

    with app.app_context():
        db = session()
        admin = db.query(User).filter_by(username="admin").one()
        record = queue_import(db, text="title,answer,department\n路灯不亮,请报修,urban\n", fmt="csv",
                              filename="知识条目.csv", actor=admin, now=utcnow(), dry_run=True, status="published")
        db.commit()
        return record.id


def test_every_page_runs_under_the_csp_without_errors(browser, live_server, tmp_path, api, app):
    ticket = api.create(user="operator")
    ids = {"import_id": queued_import(app)}  # every other id in a path is the ticket's (or an existing row's)
    people: dict[str, Person] = {}
    visited, problems = 0, []
    for pattern, username in page_routes(app):
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(ids.get(m.group(1), ticket["id"])), pattern)
        if username is None:
            context = browser.new_context()
            page, errors = context.new_page(), []
            page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        else:
            if username not in people:
                people[username] = Person(browser, live_server, username, tmp_path)
            page, errors = people[username].page, people[username].errors
        page.add_init_script(WATCH_CSP)
        errors.clear()
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp || []")
        if violations or errors:
            problems.append((path, username, violations, list(errors)))
        visited += 1
    assert visited >= 8
    assert problems == []


def test_the_monthly_report_prints_from_its_own_script(browser, live_server, tmp_path):
    supervisor = Person(browser, live_server, "supervisor", tmp_path)
    page = supervisor.page
    page.add_init_script(WATCH_CSP + "window.print = function () { window.__printed = true; };")
    page.goto(f"{live_server}/reports/monthly")
    page.click("#print-report")
    assert page.evaluate("window.__printed === true")
    assert page.evaluate("window.__csp || []") == [] and supervisor.errors == []
    assert page.evaluate("getComputedStyle(document.querySelector('h2')).borderBottomStyle") == "solid"  # CSS loaded
