"""The hostile-input corpus: classes of input that once gave 5xx, applied to every operation of the URL map.

Each class yields (description, request kwargs) for one operation, or nothing when the operation has no
slot for it (an id class needs an `<int:...>` in the path, a body class a method with a body).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask
from sqlalchemy import func, select

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STRING_FIELDS = ("content", "caller_name", "caller_phone", "address", "district", "department", "note",
                 "reason", "username", "password", "old_password", "new_password", "title", "answer", "name",
                 "keywords", "service", "text", "q")
INT_FIELDS = ("version", "into", "article_id", "days", "ticket_id", "priority", "version_number")
QUERY_NAMES = ("q", "text", "status", "department", "from", "to", "month", "format", "group_by", "metric",
               "group", "start_date", "end_date", "service_code", "date", "year", "page", "per_page", "k",
               "tag", "district", "similarity", "days", "limit", "source", "unread", "ready", "next")
DATE_ARGS = {  # the operations that read dates from the query, and the names they read
    "open311.requests_index": ("start_date", "end_date"),
    "calendar_api.days": ("date",),
    "metrics_api.index": ("from", "to"), "metrics_api.drill_down": ("from", "to"),
    "metrics_api.ranking": ("from", "to"), "metrics_api.export": ("from", "to"),
    "metrics_api.monthly_report": ("month",), "web.monthly_report": ("month",),
}
BAD_DATES = ("0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59-23:59", "0000-00-00", "1-1-1",
             "2026-02-30", "99999-01-01", "0001-01")
INT_BODY_ENDPOINTS = frozenset({"tickets_api.perform", "kb_api.act"})  # bodies chosen by the path's action
HUGE_IDS = (2_147_483_648, 9_223_372_036_854_775_808, 10**30)


def concrete_path(rule: Any, ints: Any = 1, text: str = "x") -> str:
    def value(match: re.Match[str]) -> str:
        return str(ints) if match.group(1) == "int" else text

    return re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule.rule)


def _json(raw: str) -> dict[str, Any]:
    return {"data": raw.encode("utf-8", "surrogatepass"), "content_type": "application/json"}


def id_overflow(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if "int:" in rule.rule:
        for value in HUGE_IDS:
            yield f"id {value}", {"path": concrete_path(rule, ints=value)}


def nul_in_path(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if re.search(r"<(?!int:)[^>]+>", rule.rule):
        yield "NUL in path", {"path": concrete_path(rule, text="a%00b")}


def nul_in_query(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "NUL in query", {"query_string": {name: "1\x00" for name in QUERY_NAMES}}


def nul_in_header(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "NUL in header", {"headers": {"Idempotency-Key": "k\x00k", "X-Anything": "\x00"}}


def nul_in_json(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if method in BODY_METHODS:
        yield "NUL in JSON strings", {"json": {name: "甲\x00乙" for name in STRING_FIELDS} | {"assisting": ["a\x00"]}}
        yield "NUL in JSON key", {"json": {"con\x00tent": "x"}}


def lone_surrogates(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if method in BODY_METHODS:
        yield "lone surrogate", _json('{"content": "\\ud800", "username": "\\udfff", "password": "x\\ud83d"}')
        yield "lone surrogate key", _json('{"\\udc00": "x"}')


def deep_json(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if method in BODY_METHODS:
        yield "JSON arrays 10000 deep", _json("[" * 10000 + "]" * 10000)
        yield "JSON objects 10000 deep", _json('{"a":' * 10000 + "1" + "}" * 10000)
        yield "JSON 40 deep", _json('{"content":' + "[" * 40 + "]" * 40 + "}")


def takes_integers(rule: Any, view: Any) -> bool:
    """Whether the operation reads integer fields from its JSON body (documented, or a move's version)."""
    body = getattr(view, "openapi_body", None) or {}
    return any(spec.type is int for spec in body.values()) or rule.endpoint in INT_BODY_ENDPOINTS


def big_numbers(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if method not in BODY_METHODS:
        return
    # Beyond any column: refused by every operation. Beyond an id column: by those that read integers.
    values = ["9223372036854775808", "-9223372036854775809", "1e400", "1" * 5000]
    if takes_integers(rule, view):
        values += ["2147483648", "-2147483649"]
    for value in values:
        yield f"JSON number {value[:20]}", _json("{" + ", ".join(f'"{n}": {value}' for n in INT_FIELDS) + "}")
    yield "JSON NaN", _json('{"version": NaN, "days": Infinity}')


def oversized(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if method in BODY_METHODS:
        yield "body over MAX_CONTENT_LENGTH", {"data": b"x" * (1024 * 1024 + 1), "content_type": "application/json"}
        yield "form over MAX_CONTENT_LENGTH", {"data": {"content": "x" * (1024 * 1024 + 1)}}


def nul_in_form(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if method in BODY_METHODS:
        yield "NUL in form fields", {"data": {name: "甲\x00" for name in (*STRING_FIELDS, "next", "confirm")}}


def bad_dates(rule: Any, method: str, view: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for name in DATE_ARGS.get(rule.endpoint, ()):
        for value in BAD_DATES:
            yield f"{name}={value}", {"query_string": {name: value}}


CLASSES: dict[str, Callable[[Any, str, Any], Iterator[tuple[str, dict[str, Any]]]]] = {
    "id overflow": id_overflow, "NUL in path": nul_in_path, "NUL in query": nul_in_query,
    "NUL in header": nul_in_header, "NUL in JSON": nul_in_json, "lone surrogates": lone_surrogates,
    "deep JSON": deep_json, "numbers out of range": big_numbers, "oversized body": oversized,
    "NUL in form": nul_in_form, "out-of-range dates": bad_dates,
}


def row_counts(app: Flask) -> dict[str, int]:
    """Rows in every table of the models."""
    from hotline.db import Base, session

    with app.app_context():
        db = session()
        return {t.name: db.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}
