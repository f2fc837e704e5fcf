"""Import and export of knowledge articles as CSV or JSON, validating every row before anything is written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from knowledge_base.models import ArticleRecord, ImportReport, RowError

REQUIRED: tuple[str, ...] = ("title", "answer", "department")
OPTIONAL: tuple[str, ...] = ("questions", "tags", "effective_from", "expires_on")
COLUMNS: tuple[str, ...] = REQUIRED + OPTIONAL
LIST_SEPARATOR = "|"
MAX_LENGTH = {"title": 200, "answer": 20000, "department": 50, "questions": 200, "tags": 30}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE = re.compile(r"[a-z][a-z0-9_-]*")


class _Row:
    """Collects the errors of one row while its fields are cleaned."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.errors: list[RowError] = []

    def error(self, field: str, message: str) -> None:
        self.errors.append(RowError(row=self.number, field=field, message=message))

    def text(self, raw: Mapping[str, Any], field: str) -> str:
        value = raw.get(field)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(field, "必须是文本")
            return ""
        value = value.strip()
        if field in REQUIRED and not value:
            self.error(field, "必填")
        elif len(value) > MAX_LENGTH[field]:
            self.error(field, f"超过 {MAX_LENGTH[field]} 字")
        return value

    def items(self, raw: Mapping[str, Any], field: str) -> tuple[str, ...]:
        value = raw.get(field)
        if value is None or value == "":
            return ()
        if isinstance(value, str):  # a CSV cell, or a JSON string written like one
            value = value.split(LIST_SEPARATOR)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(field, "必须是文本列表")
            return ()
        items = tuple(v.strip() for v in value if v.strip())
        for item in items:
            # A CSV cell separates items with "|", so an item may not contain one (round trip).
            if LIST_SEPARATOR in item:
                self.error(field, f"“{item}”不能包含 {LIST_SEPARATOR}")
            elif len(item) > MAX_LENGTH[field]:
                self.error(field, f"“{item[:20]}…”超过 {MAX_LENGTH[field]} 字")
        return tuple(dict.fromkeys(items))

    def date(self, raw: Mapping[str, Any], field: str) -> dt.date | None:
        value = raw.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        value = value.strip() if isinstance(value, str) else value
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            self.error(field, f"日期格式应为 YYYY-MM-DD，实际为 {value!r}")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.error(field, f"不存在的日期 {value}")
            return None


def validate_row(raw: Mapping[str, Any], number: int, *,
                 departments: Collection[str] | None = None) -> tuple[ArticleRecord | None, list[RowError]]:
    """Clean one raw row into a record, or return every problem found in it."""
    row = _Row(number)
    title, answer = row.text(raw, "title"), row.text(raw, "answer")
    department = row.text(raw, "department")
    if department and not _CODE.fullmatch(department):
        row.error("department", f"部门代码 {department!r} 格式不对（小写字母、数字、_ 或 -）")
    elif department and departments is not None and department not in departments:
        row.error("department", f"未知部门代码 {department}")
    questions = row.items(raw, "questions")
    tags = row.items(raw, "tags")
    start, end = row.date(raw, "effective_from"), row.date(raw, "expires_on")
    if start and end and end < start:
        row.error("expires_on", f"失效日期 {end} 早于生效日期 {start}")
    if row.errors:
        return None, row.errors
    record = ArticleRecord(title=title, answer=answer, department=department, questions=questions,
                           tags=tags, effective_from=start, expires_on=end)
    return record, []


def _validate_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], *, departments: Collection[str] | None,
                   unknown: Iterable[str] = ()) -> ImportReport:
    records: list[ArticleRecord] = []
    errors: list[RowError] = []
    titles: dict[str, int] = {}
    for number, raw in rows:
        record, row_errors = validate_row(raw, number, departments=departments)
        errors.extend(row_errors)
        if record is None:
            continue
        # Two rows with one title are nearly always a mistake in the file, not two articles.
        if record.title in titles:
            errors.append(RowError(number, "title", f"与第 {titles[record.title]} 行标题重复"))
            continue
        titles[record.title] = number
        records.append(record)
    if not records and not errors:
        errors.append(RowError(0, "", "文件中没有条目"))
    return ImportReport(rows=tuple(records), errors=tuple(errors), unknown_columns=tuple(sorted(set(unknown))))


def _read(source: str | io.TextIOBase) -> str:
    text = source if isinstance(source, str) else source.read()
    return text.removeprefix("\ufeff")  # Excel writes a BOM before UTF-8 CSV


def parse_csv(source: str | io.TextIOBase, *, departments: Collection[str] | None = None,
              cell: Callable[[str], str] | None = None) -> ImportReport:
    """Validate a CSV file (header row; questions and tags separated by |); rows numbered as in a spreadsheet.

    `cell` maps each raw cell to its text (the inverse of export_csv's `cell`)."""
    read = cell or (lambda text: text)
    reader = ([read(c) for c in row] for row in csv.reader(io.StringIO(_read(source), newline="")))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        errors = tuple(RowError(1, c, "缺少必需的列") for c in missing)
        return ImportReport(rows=(), errors=errors, unknown_columns=tuple(c for c in header if c not in COLUMNS))
    unknown = [c for c in header if c not in COLUMNS]
    rows, extra = [], []
    # Row 1 is the header, so the first article is row 2 whatever line breaks its cells hold;
    # blank rows are skipped but still counted, as a spreadsheet shows them.
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            extra.append(RowError(number, "", f"有 {len(cells)} 个值，多于表头的 {len(header)} 列"))
        rows.append((number, dict(zip(header, cells, strict=False))))
    report = _validate_rows(rows, departments=departments, unknown=unknown)
    return _with_errors(report, extra)


def parse_json(source: str | io.TextIOBase, *, departments: Collection[str] | None = None) -> ImportReport:
    """Validate a JSON file: a list of article objects (or {"articles": [...]}), numbered from 1."""
    try:
        data = json.loads(_read(source))
    except json.JSONDecodeError as exc:
        return ImportReport(rows=(), errors=(RowError(0, "", f"不是有效的 JSON：{exc}"),))
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if not isinstance(data, list):
        return ImportReport(rows=(), errors=(RowError(0, "", "JSON 顶层应为条目列表"),))
    rows, errors, unknown = [], [], set()
    for n, item in enumerate(data, start=1):
        if isinstance(item, dict):
            rows.append((n, item))
            unknown.update(k for k in item if k not in COLUMNS)
        else:
            errors.append(RowError(n, "", "条目应为 JSON 对象"))
    return _with_errors(_validate_rows(rows, departments=departments, unknown=unknown), errors)


def _with_errors(report: ImportReport, errors: list[RowError]) -> ImportReport:
    """The report with more errors merged in row order."""
    if not errors:
        return report
    merged = sorted([*errors, *report.errors], key=lambda e: e.row)
    return ImportReport(rows=report.rows, errors=tuple(merged), unknown_columns=report.unknown_columns)


def parse_file(path: str | Path, *, departments: Collection[str] | None = None) -> ImportReport:
    """Validate a .csv or .json file by its extension (UTF-8, with or without BOM)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return parse_csv(text, departments=departments)
    if path.suffix.lower() == ".json":
        return parse_json(text, departments=departments)
    raise ValueError(f"unsupported file type {path.suffix!r}: use .csv or .json")


def record_to_dict(record: ArticleRecord) -> dict[str, Any]:
    """A record as the JSON export writes it (dates as YYYY-MM-DD or null)."""
    return {
        "title": record.title, "answer": record.answer, "department": record.department,
        "questions": list(record.questions), "tags": list(record.tags),
        "effective_from": record.effective_from.isoformat() if record.effective_from else None,
        "expires_on": record.expires_on.isoformat() if record.expires_on else None,
    }


def export_json(records: Iterable[ArticleRecord]) -> str:
    """JSON text of the records that parse_json reads back unchanged."""
    return json.dumps([record_to_dict(r) for r in records], ensure_ascii=False, indent=2) + "\n"


def export_csv(records: Iterable[ArticleRecord], *, cell: Callable[[Any], Any] | None = None) -> str:
    """CSV text (header row, | between questions and tags) that parse_csv reads back unchanged.

    `cell` makes each cell safe for spreadsheet programs (the app passes its formula-injection guard)."""
    write = cell or (lambda value: value)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        row = record_to_dict(record)
        for field in ("questions", "tags"):
            if any(LIST_SEPARATOR in item for item in row[field]):
                raise ValueError(f"{field} of {record.title!r} contains {LIST_SEPARATOR!r}")
            row[field] = LIST_SEPARATOR.join(row[field])
        writer.writerow({k: "" if v is None else write(v) for k, v in row.items()})
    return out.getvalue()
