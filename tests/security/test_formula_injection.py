"""Spreadsheet formula injection: every text cell of every CSV/XLSX export is written as text."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from hotline.spreadsheet import csv_cell, csv_text

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd",
           "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_gets_the_text_marker(value):
    assert csv_cell(value) == "'" + value
    assert csv_text(csv_cell(value)) == value


@pytest.mark.parametrize("value", ["普通文本", "'已有撇号", "a=b", "", 12, 0.5, None])
def test_other_cells_round_trip(value):
    assert csv_text(csv_cell(value)) == value if isinstance(value, str) else csv_cell(value) == value


@pytest.fixture
def hostile_department(app):  # type: ignore[no-untyped-def]
    """A department whose name an admin typed as a formula."""
    from hotline.db import session
    from hotline.departments.models import Department

    with app.app_context():
        db = session()
        db.query(Department).filter_by(code="ecology").one().name = HOSTILE[0]
        db.commit()
    return HOSTILE[0]


def test_metrics_csv_writes_the_name_as_text(api, hostile_department):
    response = api.get("/metrics/export?format=csv&group_by=department", user="supervisor")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    labels = [row[1] for row in rows[1:]]
    assert "'" + hostile_department in labels
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_metrics_xlsx_stores_the_name_as_quoted_text(api, hostile_department):
    response = api.get("/metrics/export?format=xlsx&group_by=department", user="supervisor")
    book = load_workbook(io.BytesIO(response.data))
    cells = [c for row in book["指标"].iter_rows() for c in row if c.value == hostile_department]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheets)  # no formula anywhere in the file


def test_knowledge_csv_export_is_safe_and_reads_back_unchanged(api):
    body = {"title": HOSTILE[6], "answer": "-2+3 元，详见 @客服", "department": "water",
            "questions": ["=1+1", "正常问题"], "tags": ["+标签"], "status": "published"}
    created = api.post("/kb/articles", body, user="supervisor")
    assert created.status_code == 201, created.get_json()
    exported = api.get("/kb/export?format=csv", user="supervisor").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff"))))
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    mine = next(row for row in rows if row[0] == "'" + HOSTILE[6])
    assert mine[1] == "'-2+3 元，详见 @客服" and mine[3] == "'=1+1|正常问题" and mine[4] == "'+标签"
    again = api.call("POST", "/kb/import?dry_run=1", "supervisor", data=exported.encode(), content_type="text/csv")
    report = again.get_json()
    assert report["ok"] and report["created"] == 0 and report["updated"] == 0, report
