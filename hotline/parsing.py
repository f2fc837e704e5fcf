"""The request-parsing layer: every request is screened before the access check and the view.

What no view should ever see, whatever route it is: NUL bytes (PostgreSQL refuses them in text), lone
surrogates (not encodable as UTF-8), JSON nested deeper than any body we accept, numbers no column can
hold, NaN/Infinity, ids beyond the id columns, and bodies over MAX_CONTENT_LENGTH (413). Field rules
(types, lengths, ranges of known fields) are the field-validation layer's: hotline/validation.py.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from hotline.errors import ApiError, ValidationError, wants_json

MAX_JSON_DEPTH = 32
INT4_MAX = 2_147_483_647  # PostgreSQL integer: every id column
INT8_MIN, INT8_MAX = -(2**63), 2**63 - 1  # no column of any backend holds more
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 1 … 2147483647, so an id no column can hold is a 404, not a 500."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = 1,
                 max: int | None = INT4_MAX, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bad_text(value: str) -> str | None:
    """Why a string may not be stored (a NUL byte, a lone surrogate), or None when it is fine."""
    if "\x00" in value:
        return "不能包含 NUL 字符"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "含有无效的 Unicode 字符"
    return None


def _refuse(where: str, problem: str) -> ApiError:
    message = f"{where}：{problem}"
    if wants_json():
        return ValidationError(message, details=[{"field": where, "message": problem}])
    return ApiError(message, code="bad_input", status=400)


def _number_problem(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not INT8_MIN <= value <= INT8_MAX:
        return "数值超出范围"
    if isinstance(value, float) and not math.isfinite(value):
        return "数值超出范围"
    return None


def check_json(value: Any) -> None:
    """Walk a parsed JSON value without recursion: depth, strings (and keys) and numbers."""
    stack = [(value, 1, "body")]
    while stack:
        item, depth, where = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ApiError(f"JSON 嵌套不能超过 {MAX_JSON_DEPTH} 层", code="json_too_deep", status=400)
        if isinstance(item, dict):
            for key, child in item.items():
                problem = bad_text(key)
                if problem:
                    raise _refuse(where, f"字段名{problem}")
                stack.append((child, depth + 1, key if where == "body" else where))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, where) for child in item)
        elif isinstance(item, str):
            problem = bad_text(item)
            if problem:
                raise _refuse(where, problem)
        else:
            problem = _number_problem(item)
            if problem:
                raise _refuse(where, problem)


def _no_constant(name: str) -> Any:
    raise ApiError(f"JSON 不接受 {name}", code="bad_number", status=400)


def strict_loads(raw: str | bytes) -> Any:
    """json.loads that refuses what no view can store (raises ApiError with a 4xx)."""
    try:
        value = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise ApiError(f"JSON 嵌套不能超过 {MAX_JSON_DEPTH} 层", code="json_too_deep", status=400) from None
    except (ValueError, UnicodeDecodeError) as exc:
        if "integer string conversion" in str(exc):  # a number literal of thousands of digits
            raise ApiError("JSON 数值超出范围", code="bad_number", status=400) from None
        raise ApiError("请求体不是合法的 JSON", code="malformed_json", status=400) from None
    check_json(value)
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """The app's JSON: request bodies go through strict_loads wherever they are read."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse strictly (ApiError 4xx on hostile input)."""
        return strict_loads(s)


def _check_pairs(where: str, pairs: Any) -> None:
    for key, value in pairs:
        for text in (key, value):
            problem = bad_text(text) if isinstance(text, str) else None
            if problem:
                raise _refuse(f"{where} {key}", problem)


def screen_request() -> None:
    """Refuse hostile input in the path, query, headers and body before anything reads it."""
    _check_pairs("路径参数", (request.view_args or {}).items())
    _check_pairs("查询参数", request.args.items(multi=True))
    _check_pairs("请求头", request.headers.items())
    if request.mimetype in FORM_TYPES:
        _check_pairs("表单字段", request.form.items(multi=True))  # reading it enforces MAX_CONTENT_LENGTH (413)
        return
    if request.content_length or request.headers.get("Transfer-Encoding"):
        raw = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH
        if raw.strip() and request.is_json:
            try:
                strict_loads(raw)
            except ApiError as exc:
                if exc.code != "malformed_json":
                    raise  # hostile; plain syntax errors are the view's to report (an import lists them)


def init_parsing(app: Flask) -> None:
    """Bounded ids in every `<int:...>`, the strict JSON provider and the screen before every request.

    Call before the blueprints are registered (the converter applies to rules added afterwards)."""
    app.url_map.converters["int"] = IdConverter
    app.json_provider_class = StrictJSONProvider
    app.json = StrictJSONProvider(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.before_request(screen_request)
