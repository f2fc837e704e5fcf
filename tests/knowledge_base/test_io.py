"""Import validation (every bad row reported with its number) and export round trips."""

from __future__ import annotations

import datetime as dt

from knowledge_base import ArticleRecord
from knowledge_base.io import export_csv, export_json, parse_csv, parse_file, parse_json

DEPARTMENTS = {"fund", "water", "police"}

GOOD_CSV = (
    "title,answer,department,questions,tags,effective_from,expires_on\n"
    "租房提取公积金,登录APP申请，3个工作日到账。,fund,租房能取公积金吗|公积金怎么取,公积金|租房,2026-01-01,\n"
    '计划停水查询,"关注公众号查询。\n也可拨打热线。",water,,停水,,2027-12-31\n'
)


def errors_by_row(report) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for e in report.errors:
        out.setdefault(e.row, set()).add(e.field)
    return out


def test_good_csv_parses_into_records():
    report = parse_csv(GOOD_CSV, departments=DEPARTMENTS)
    assert report.ok and report.unknown_columns == ()
    first, second = report.rows
    assert first.questions == ("租房能取公积金吗", "公积金怎么取")
    assert first.tags == ("公积金", "租房")
    assert first.effective_from == dt.date(2026, 1, 1) and first.expires_on is None
    assert second.answer == "关注公众号查询。\n也可拨打热线。"
    assert second.questions == () and second.expires_on == dt.date(2027, 12, 31)


def test_every_bad_csv_row_is_reported_with_its_row_number():
    text = (
        "title,answer,department,questions,effective_from,expires_on,owner\n"
        "好的条目,答案,fund,,,,\n"                                  # row 2: fine
        ",答案,fund,,,,\n"                                          # row 3: no title
        "没有答案,,water,,,,\n"                                     # row 4: no answer
        "\n"                                                        # row 5: blank, skipped
        "未知部门,答案,tax,,,,\n"                                   # row 6: unknown department
        "坏日期,答案,fund,,2026/01/01,2026-02-30,\n"                 # row 7: two bad dates
        "倒置日期,答案,fund,,2026-05-01,2026-04-01,\n"               # row 8: expires before start
        "好的条目,答案,fund,,,,\n"                                  # row 9: duplicate title
        "多余值,答案,fund,,,,,extra\n"                              # row 10: too many cells
    )
    report = parse_csv(text, departments=DEPARTMENTS)
    assert not report.ok
    assert errors_by_row(report) == {
        3: {"title"}, 4: {"answer"}, 6: {"department"}, 7: {"effective_from", "expires_on"},
        8: {"expires_on"}, 9: {"title"}, 10: {""},
    }
    assert report.unknown_columns == ("owner",)
    assert [r.title for r in report.rows] == ["好的条目", "多余值"]


def test_missing_required_columns_are_reported_on_the_header_row():
    report = parse_csv("title,body\n标题,正文\n")
    assert {(e.row, e.field) for e in report.errors} == {(1, "answer"), (1, "department")}
    assert report.rows == () and report.unknown_columns == ("body",)


def test_json_rows_are_numbered_from_one_and_lists_are_checked():
    text = """[
      {"title": "A", "answer": "a", "department": "fund", "questions": ["问一", " ", "问二"]},
      {"title": "B", "answer": "b", "department": "fund", "questions": "单个|两个"},
      "not an object",
      {"title": "C", "answer": "c", "department": "fund", "tags": [1, 2]},
      {"title": "D", "answer": "d", "department": "fund", "questions": ["含|竖线"], "status": "x"},
      {"title": "E", "answer": 5, "department": "Fund!"}
    ]"""
    report = parse_json(text, departments=DEPARTMENTS)
    assert errors_by_row(report) == {3: {""}, 4: {"tags"}, 5: {"questions"}, 6: {"answer", "department"}}
    assert [r.questions for r in report.rows] == [("问一", "问二"), ("单个", "两个")]
    assert report.unknown_columns == ("status",)


def test_invalid_or_empty_json():
    assert parse_json("{not json").errors[0].row == 0
    assert not parse_json('{"x": 1}').ok
    assert not parse_json("[]").ok


def test_csv_and_json_round_trip(tmp_path):
    records = (
        ArticleRecord("标题一", "答案，含逗号、\"引号\"和\n换行", "fund", questions=("问一", "问二"),
                      tags=("公积金",), effective_from=dt.date(2026, 1, 1), expires_on=dt.date(2026, 12, 31)),
        ArticleRecord("标题二", "简单答案", "water"),
    )
    assert parse_csv(export_csv(records)).rows == records
    assert parse_json(export_json(records)).rows == records
    path = tmp_path / "articles.csv"
    path.write_text("\ufeff" + export_csv(records), encoding="utf-8")  # as Excel saves it
    assert parse_file(path).rows == records
