"""Snapshots, ranking with flags, the monthly report and the csv/xlsx exports."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import time_machine
from openpyxl import load_workbook
from sqlalchemy import select

from hotline.auth.models import AccessLog
from hotline.clock import utcnow
from hotline.supervision.models import MetricSnapshot
from hotline.supervision.snapshots import take_snapshot
from tests.supervision.history import at, build

PERIOD = "from=2026-11-26&to=2026-12-05"


def query(app, statement) -> list:  # type: ignore[no-untyped-def]
    """Rows of a select, in an app context of its own (the API's contexts must not share `g`)."""
    from hotline.db import session

    with app.app_context():
        return list(session().scalars(statement))


def snapshot_days(app, first: date, last: date) -> int:  # type: ignore[no-untyped-def]
    from hotline.db import session

    rows = 0
    with app.app_context():
        db = session()
        day = first
        while day <= last:
            rows += take_snapshot(db, day=day, now=utcnow())
            day += timedelta(days=1)
        db.commit()
    return rows


def test_snapshots_sum_to_the_live_figures_and_stay_stable(api, app):
    k = build(api, app)
    with time_machine.travel(at("12-06 10:00"), tick=False):
        assert snapshot_days(app, date(2026, 11, 26), date(2026, 12, 5)) > 0
        assert snapshot_days(app, date(2026, 11, 26), date(2026, 11, 26)) > 0  # idempotent: replaced
        live = api.get(f"/metrics?{PERIOD}", user="supervisor").get_json()
        stored = api.get(f"/metrics?{PERIOD}&source=snapshot", user="supervisor").get_json()
        assert stored["source"] == "snapshot" and stored["days_with_snapshot"] >= 3
        assert stored["total"] == live["total"] and stored["rows"] == live["rows"]
        # c is replied later: the live figures change, the stored history does not.
        api.act(k.c, "reply", "dept_ecology", {"result": "solved", "content": "已处理。"})
        again = api.get(f"/metrics?{PERIOD}&source=snapshot", user="supervisor").get_json()
        changed = api.get(f"/metrics?{PERIOD}", user="supervisor").get_json()
    assert again["total"] == stored["total"]
    assert changed["total"]["replied"] == live["total"]["replied"] + 1
    days = query(app, select(MetricSnapshot.day).where(MetricSnapshot.group_by == "total"))
    assert len(days) == len(set(days))


def test_ranking_by_category_with_flags(api, app):
    build(api, app)
    with time_machine.travel(at("12-06 10:00"), tick=False):
        body = api.get(f"/metrics/ranking?{PERIOD}", user="supervisor").get_json()
    categories = {c["category"]: c for c in body["categories"]}
    assert [c["category"] for c in body["categories"]] == ["municipal", "utility", "district"]
    assert categories["district"]["category_label"] == "区政府"
    ranked = categories["municipal"]["departments"]
    eco = next(d for d in ranked if d["group"] == "ecology")
    assert eco["rank"] == 1 and eco["flag"] == "red"
    assert {f["code"] for f in eco["flags"]} == {"overdue", "repeat_dissatisfied"}
    water = next(d for d in ranked if d["group"] == "water")
    assert water["rank"] is None and water["score"] is None  # no score: listed last, unranked


def test_monthly_report_html_and_json(api, app):
    build(api, app)
    with time_machine.travel(at("12-06 10:00"), tick=False):
        page = api.get("/metrics/report?month=2026-11", user="supervisor")
        data = api.get("/metrics/report?month=2026-11&format=json", user="supervisor").get_json()
        assert api.get("/metrics/report?month=2026-13", user="supervisor").status_code == 422
        assert api.get("/metrics/report?month=2026-11", user="operator").status_code == 403
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "月度考核报告（2026年11月）" in html and "市生态环境局" in html and "/assets/report.css" in html
    assert "@media print" in api.client.get("/assets/report.css").get_data(as_text=True)  # A4 print CSS
    assert data["from"] == "2026-11-01" and data["to"] == "2026-11-30"
    assert data["total"]["received"] == 5


def test_exports_have_the_same_numbers_and_are_logged(api, app):
    build(api, app)
    with time_machine.travel(at("12-06 10:00"), tick=False):
        screen = api.get(f"/metrics?{PERIOD}", user="supervisor").get_json()
        as_csv = api.get(f"/metrics/export?format=csv&{PERIOD}", user="supervisor")
        as_xlsx = api.get(f"/metrics/export?format=xlsx&{PERIOD}", user="supervisor")
        assert api.get("/metrics/export?format=pdf", user="supervisor").status_code == 422
    assert as_csv.status_code == 200 and "attachment" in as_csv.headers["Content-Disposition"]
    records = list(csv.DictReader(io.StringIO(as_csv.get_data().decode("utf-8-sig"))))
    by_group = {r["group"]: r for r in records}
    for row in screen["rows"]:
        assert int(by_group[row["group"]]["dispatched"]) == row["dispatched"]
        assert by_group[row["group"]]["score"] == ("" if row["score"] is None else str(row["score"]))
    book = load_workbook(io.BytesIO(as_xlsx.get_data()))
    sheet = book["指标"]
    header = [c.value for c in sheet[1]]
    xrows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    for row in screen["rows"]:
        for key in ("dispatched", "overdue", "response_rate", "satisfied_rate", "score"):
            assert xrows[row["group"]][key] == row[key]
    assert xrows["total"]["received"] == screen["total"]["received"]
    assert "说明" in book.sheetnames
    logged = query(app, select(AccessLog.detail).where(AccessLog.action == "export_metrics"))
    assert [detail["format"] for detail in logged] == ["csv", "xlsx"]


def test_monthly_report_lists_the_months_hotspots(api, app):
    from tests.supervision.test_hotspots import plant

    plant(api)
    with time_machine.travel(at("11-27 10:00"), tick=False):
        data = api.get("/metrics/report?month=2026-11&format=json", user="supervisor").get_json()
        html = api.get("/metrics/report?month=2026-11", user="supervisor").get_data(as_text=True)
    assert data["hotspots"][0]["district"] == "西山区" and data["hotspots"][0]["size"] == 12
    assert "高频诉求热点" in html and "停水" in html
