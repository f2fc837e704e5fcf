"""Template helpers: local times, Chinese labels, the logged-in user and the counts of their scope."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from flask import g
from markupsafe import Markup, escape

from hotline.clock import local, utcnow
from hotline.departments.roles import ROLE_LABELS
from hotline.web.auth import page_user
from hotline.web.blueprint import bp
from hotline.web.common import departments, scope_counts
from hotline.web.forms import ACTION_FIELD_LABELS, FIELD_LABELS, label


@bp.app_template_filter("web_time")
def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime in Asia/Shanghai, or a dash."""
    return "—" if value is None else local(value).strftime(fmt)


@bp.app_template_filter("web_label")
def label_filter(code: Any) -> str:
    """The Chinese label of a code; empty values show a dash."""
    return "—" if code is None or code == "" else label(code)


PAYLOAD_LABELS = {
    "on_time": "按时", "channel": "渠道", "auto": "自动派单", "previous": "原承办单位", "redispatch": "改派",
    "attempt": "回访次数", "follow_up_due_at": "回访期限", "reply_due_at": "答复期限", "returned_by": "退单单位",
    "correction": "纠错", "first": "首次联系", "article_title": "知识库条目标题", "reopen": "重办",
    "decision": "派单依据", "close_reason": "办结方式",
    "rating": "市民评价", "comment": "评价意见", "cycle": "答复轮次", "online": "网上评价",
    "call_requested": "要求回访", "was_closed": "原办结方式",
}


def _payload_value(key: str, value: Any, names: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_payload_value(key, v, names) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    text = str(value)
    if key.endswith("_at") and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?", text):
        try:
            return local_time(datetime.fromisoformat(text))
        except ValueError:
            return text
    return names.get(text) or label(text)


@bp.app_template_filter("web_payload")
def payload_filter(payload: dict[str, Any] | None, action: str | None = None) -> str:
    """An event payload as readable Chinese text: 承办单位：市生态环境局；按时：是."""
    if not payload:
        return ""
    if "web_department_names" not in g:
        g.web_department_names = dict(departments())
    names = g.web_department_names
    keys = PAYLOAD_LABELS | FIELD_LABELS | ACTION_FIELD_LABELS.get(action, {})
    parts = [f"{keys.get(k, k)}：{_payload_value(k, v, names)}"
             for k, v in sorted(payload.items()) if v not in (None, "", [], {})]
    return "；".join(parts)


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    def counts() -> dict[str, int]:
        user = page_user()
        return scope_counts(user, utcnow()) if user is not None else {}

    return {"current_user": page_user, "role_label": lambda role: ROLE_LABELS.get(role, role),
            "scope_counts": counts}


@bp.app_template_filter("web_snippet")
def snippet_filter(snippet: str | None) -> Markup:
    """A search snippet with only its <mark> highlights kept as markup; everything else is escaped."""
    parts = re.split(r"(</?mark>)", snippet or "")
    out, marked = [], False
    for part in parts:
        if part in ("<mark>", "</mark>"):
            marked = part == "<mark>"
            out.append(Markup(part))
        else:
            out.append(escape(html.unescape(part)))
    if marked:
        out.append(Markup("</mark>"))
    return Markup("").join(out)
