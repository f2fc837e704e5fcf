"""Request-body validation: every problem is reported at once, as a 4xx with the field named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from flask import request

from hotline.errors import ApiError, ValidationError
from hotline.parsing import INT4_MAX, bad_text, strict_loads

# Dates and times a request may name: anything outside cannot be a hotline record (and year 1 overflows
# as soon as a time zone is applied).
YEAR_MIN, YEAR_MAX = 1900, 2200


@dataclass(frozen=True)
class Field:
    """One expected field of a JSON body."""

    type: type
    required: bool = False
    max_len: int | None = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    item_max_len: int = 40  # for lists of codes
    max_items: int = 20
    min_value: int | None = None
    max_value: int | None = None  # ints default to the PostgreSQL integer range (INT4_MAX): ids and counts
    format: str | None = None  # JSON Schema format for the document ("date": YYYY-MM-DD)


def json_body() -> dict[str, Any]:
    """The request's JSON object: 400 for malformed or hostile JSON, 415 for another type, 422 for a non-object."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        raise ApiError("请求体须为 JSON（Content-Type: application/json）", code="unsupported_media_type",
                       status=415)
    body = strict_loads(raw)
    if not isinstance(body, dict):
        raise ValidationError("请求体必须是 JSON 对象")
    return body


def _check(name: str, value: Any, spec: Field) -> tuple[Any, str | None]:
    if spec.type is bool:
        return value, None if isinstance(value, bool) else "必须是 true 或 false"
    if spec.type is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON has one number type: 3.0 is the integer 3 (as JSON Schema says)
        if isinstance(value, bool) or not isinstance(value, int):
            return value, "必须是整数"
        low = -INT4_MAX - 1 if spec.min_value is None else spec.min_value
        high = INT4_MAX if spec.max_value is None else spec.max_value
        if value < low:
            return value, f"不能小于 {low}"
        if value > high:
            return value, f"不能大于 {high}"
        return value, None
    if spec.type is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return value, "必须是字符串数组"
        problem = next((bad_text(v) for v in value if bad_text(v)), None)
        if problem:
            return value, problem
        if len(value) > spec.max_items or any(len(v) > spec.item_max_len for v in value):
            return value, f"最多 {spec.max_items} 项，每项不超过 {spec.item_max_len} 字"
        return value, None
    if not isinstance(value, str):
        return value, "必须是字符串"
    problem = bad_text(value)
    if problem:
        return value, problem
    value = value.strip()
    if spec.max_len is not None and len(value) > spec.max_len:
        return value, f"不能超过 {spec.max_len} 字"
    if spec.choices is not None and value not in spec.choices:
        return value, f"取值无效，可选：{', '.join(spec.choices)}"
    if spec.pattern is not None and value and not re.fullmatch(spec.pattern, value):
        return value, "格式不正确"
    return value, None


def validate(body: dict[str, Any], fields: dict[str, Field], *, allow: frozenset[str] = frozenset()) -> dict:
    """Check a body against its fields; unknown keys and every bad value are reported together."""
    errors: list[dict[str, str]] = []
    clean: dict[str, Any] = {}
    for name in sorted(set(body) - set(fields) - allow):
        errors.append({"field": name, "message": "未知字段"})
    for name, spec in fields.items():
        value = body.get(name)
        if isinstance(value, str) and spec.max_len is not None and len(value) > spec.max_len:
            errors.append({"field": name, "message": f"不能超过 {spec.max_len} 字"})
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                errors.append({"field": name, "message": "必填"})
            continue
        value, problem = _check(name, value, spec)
        if problem:
            errors.append({"field": name, "message": problem})
        else:
            clean[name] = value
    if errors:
        summary = "；".join(f"{e['field']}: {e['message']}" for e in errors)
        raise ValidationError(f"请求参数有误：{summary}", details=errors)
    return clean


def choices(enum: type) -> tuple[str, ...]:
    """The values of a StrEnum, for Field(choices=...)."""
    return tuple(member.value for member in enum)  # type: ignore[attr-defined]


def int_arg(name: str, default: int, *, low: int = 1, high: int = INT4_MAX) -> int:
    """An integer query argument, range-checked."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d{1,12}", raw.strip()):
        raise ValidationError(f"查询参数 {name} 必须是整数", details=[{"field": name}])
    value = int(raw)
    if value < low or value > high:
        raise ValidationError(f"查询参数 {name} 超出范围", details=[{"field": name}])
    return value


def paging_args(*, default_per_page: int = 20, max_per_page: int | None = None) -> tuple[int, int]:
    """The page and per_page query arguments, range-checked (per_page up to PAGE_SIZE_MAX)."""
    from flask import current_app

    high = max_per_page or current_app.config["PAGE_SIZE_MAX"]
    return int_arg("page", 1, high=100000), int_arg("per_page", default_per_page, high=high)


def date_value(raw: str, name: str) -> date:
    """A YYYY-MM-DD date within YEAR_MIN … YEAR_MAX, or a 422 naming the field."""
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{name} 格式应为 YYYY-MM-DD", details=[{"field": name}]) from None
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValidationError(f"{name} 超出范围（{YEAR_MIN}–{YEAR_MAX} 年）", details=[{"field": name}])
    return value


def datetime_value(raw: str, name: str, *, tz: tzinfo) -> datetime:
    """An ISO 8601 time (naive ones read in `tz`) within YEAR_MIN … YEAR_MAX, aware, or a 422."""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(f"{name} 应为 ISO 8601 时间", details=[{"field": name}]) from None
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValidationError(f"{name} 超出范围（{YEAR_MIN}–{YEAR_MAX} 年）", details=[{"field": name}])
    return value if value.tzinfo else value.replace(tzinfo=tz)
