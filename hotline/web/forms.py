"""HTML forms ↔ the API's field specs: parse posted forms, describe the inputs to render."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from hotline.errors import ValidationError
from hotline.tickets.enums import LABELS, Action
from hotline.tickets.schemas import ACTIONS, COMMON_FIELDS, NOTE_REQUIRED, split_action_body
from hotline.validation import Field, validate

TRUE, FALSE = frozenset({"1", "true", "on", "yes"}), frozenset({"0", "false", "off", "no"})
DEPARTMENT_FIELDS = frozenset({"department", "suggested_department"})

FIELD_LABELS = {
    "content": "诉求内容", "caller_name": "诉求人姓名", "caller_phone": "联系电话", "confidential": "要求保密",
    "channel": "来源渠道", "kind": "诉求类型", "urgency": "紧急程度", "district": "所属区",
    "address": "地址", "department": "承办单位", "reported_department": "被举报单位", "assisting": "协办单位", "reason": "理由",
    "basis": "依据", "suggested_department": "建议承办单位", "days": "延期工作日数", "result": "办理结果",
    "reached": "是否接通", "contacted": "是否联系过诉求人", "solved": "解决情况", "satisfaction": "满意度",
    "unit_fault": "属承办单位责任", "into": "并入工单编号", "article_id": "知识库条目",
    "service": "转办对象", "note": "说明", "version": "版本",
}

# Where one field name means something else in a move's form.
ACTION_FIELD_LABELS: dict[Action, dict[str, str]] = {Action.REPLY: {"content": "答复内容"}}


def label(code: Any) -> str:
    """The Chinese label of a code (status, action, kind, result...), or the code itself."""
    text = str(code)
    return LABELS.get(text) or text


def form_body(form: MultiDict[str, str], fields: dict[str, Field]) -> dict[str, Any]:
    """The posted form as the JSON body the API would get (empty inputs left out)."""
    body: dict[str, Any] = {}
    for name, spec in fields.items():
        if spec.type is list:
            values = [v.strip() for v in form.getlist(name) if v.strip()]
            if values:
                body[name] = values
            continue
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        if spec.type is bool:
            body[name] = True if raw in TRUE else False if raw in FALSE else raw
        elif spec.type is int:
            body[name] = int(raw) if re.fullmatch(r"-?\d{1,12}", raw) else raw
        else:
            body[name] = form.get(name)
    return body


def checked(form: MultiDict[str, str], fields: dict[str, Field]) -> dict[str, Any]:
    """Validate a posted form against the API's fields (errors raise ValidationError)."""
    return validate(form_body(form, fields), fields)


def action_body(action: Action, form: MultiDict[str, str]) -> tuple[dict[str, Any], str | None, int | None]:
    """The move's data, note and expected version, checked as the API checks its JSON body."""
    return split_action_body(action, checked(form, ACTIONS[action] | COMMON_FIELDS))


def flash_text(exc: ValidationError, action: Action | None = None) -> str:
    """A validation error with Chinese field names instead of codes."""
    names = FIELD_LABELS | ACTION_FIELD_LABELS.get(action, {}) if action else FIELD_LABELS
    details = exc.details if isinstance(exc.details, list) else [exc.details] if exc.details else []
    parts = [f"{names.get(d.get('field', ''), d.get('field', ''))}：{d['message']}"
             for d in details if isinstance(d, dict) and d.get("message")]
    return "输入有误：" + "；".join(parts) if parts else exc.message


@dataclass
class Widget:
    """One input of a rendered form."""

    name: str
    label: str
    kind: str  # text, textarea, number, select, multiselect, checkbox
    required: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: Any = None
    max_len: int | None = None


def widgets(fields: dict[str, Field], *, departments: list[tuple[str, str]],
            choices: dict[str, list[tuple[str, str]]] | None = None, values: dict[str, Any] | None = None,
            labels: dict[str, str] | None = None) -> list[Widget]:
    """The inputs for a set of API fields; department codes become selects of the active units."""
    choices, values, names = choices or {}, values or {}, FIELD_LABELS | (labels or {})
    out = []
    for name, spec in fields.items():
        w = Widget(name, names.get(name, name), "text", spec.required, value=values.get(name),
                   max_len=spec.max_len)
        if name in choices:
            w.kind, w.choices = "select", choices[name]
        elif name in DEPARTMENT_FIELDS:
            w.kind, w.choices = "select", departments
        elif name == "assisting":
            w.kind, w.choices = "multiselect", departments
        elif spec.type is bool:
            w.kind, w.choices = "select", [("true", "是"), ("false", "否")]
        elif name == "into":
            w.kind = "text"  # a ticket number as the operator sees it (20261130-000001)
        elif spec.type is int:
            w.kind = "number"
        elif spec.choices:
            w.kind = "select"
            w.choices = [(c, label(c)) for c in spec.choices]
        elif (spec.max_len or 0) > 200:
            w.kind = "textarea"
        out.append(w)
    return out


def action_widgets(action: Action, *, departments: list[tuple[str, str]],
                   choices: dict[str, list[tuple[str, str]]] | None = None,
                   values: dict[str, Any] | None = None) -> list[Widget]:
    """The inputs of one move's form, its note last."""
    note = Widget("note", "说明", "textarea", action in NOTE_REQUIRED, max_len=2000)
    fields = widgets(ACTIONS[action], departments=departments, choices=choices, values=values,
                     labels=ACTION_FIELD_LABELS.get(action))
    return [*fields, note]
