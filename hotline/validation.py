"""Request-body validation: every problem is reported at once, as a 4xx with the field named."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import request

from hotline.errors import ApiError, ValidationError


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


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 for malformed JSON / a 422 for a non-object."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError("请求体不是合法的 JSON", code="malformed_json", status=400)
    if not isinstance(body, dict):
        raise ValidationError("请求体必须是 JSON 对象")
    return body


def _check(name: str, value: Any, spec: Field) -> tuple[Any, str | None]:
    if spec.type is bool:
        return value, None if isinstance(value, bool) else "必须是 true 或 false"
    if spec.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return value, "必须是整数"
        if spec.min_value is not None and value < spec.min_value:
            return value, f"不能小于 {spec.min_value}"
        return value, None
    if spec.type is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return value, "必须是字符串数组"
        if len(value) > spec.max_items or any(len(v) > spec.item_max_len for v in value):
            return value, f"最多 {spec.max_items} 项，每项不超过 {spec.item_max_len} 字"
        return value, None
    if not isinstance(value, str):
        return value, "必须是字符串"
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


def int_arg(name: str, default: int, *, low: int = 1, high: int | None = None) -> int:
    """An integer query argument, range-checked."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"查询参数 {name} 必须是整数", details=[{"field": name}]) from None
    if value < low or (high is not None and value > high):
        raise ValidationError(f"查询参数 {name} 超出范围", details=[{"field": name}])
    return value


def paging_args(*, default_per_page: int = 20, max_per_page: int | None = None) -> tuple[int, int]:
    """The page and per_page query arguments, range-checked (per_page up to PAGE_SIZE_MAX)."""
    from flask import current_app

    high = max_per_page or current_app.config["PAGE_SIZE_MAX"]
    return int_arg("page", 1, high=100000), int_arg("per_page", default_per_page, high=high)
