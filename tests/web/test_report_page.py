"""月度报告 as a page behind the page login."""

from __future__ import annotations

import time_machine

from tests.support.factories import T0
from tests.web.conftest import text


def test_supervisor_sees_the_monthly_report_with_department_rows(api, pages):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.drive(tid, "closed", department="ecology")
        page = pages.client("supervisor").get("/reports/monthly?month=2026-11")
    body = text(page)
    assert page.status_code == 200 and "text/html" in page.content_type
    assert "市生态环境局" in body and "2026" in body


def test_report_page_needs_a_viewer_role_and_a_valid_month(pages):
    assert pages.client("dept_ecology").get("/reports/monthly").status_code == 403
    assert pages.client(None).get("/reports/monthly").status_code == 302
    bad = pages.client("supervisor").get("/reports/monthly?month=2026-13")
    assert bad.status_code == 400 and "YYYY-MM" in text(bad)
