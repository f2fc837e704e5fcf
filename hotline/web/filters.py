"""Template helpers: local times, Chinese labels, the logged-in user and the counts of their scope."""

from __future__ import annotations

import html
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
from hotline.web.forms import label
from hotline.web.payload import payload_text


@bp.app_template_filter("web_time")
def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime in Asia/Shanghai, or a dash."""
    return "—" if value is None else local(value).strftime(fmt)


@bp.app_template_filter("web_label")
def label_filter(code: Any) -> str:
    """The Chinese label of a code; empty values show a dash."""
    return "—" if code is None or code == "" else label(code)


@bp.app_template_filter("web_payload")
def payload_filter(payload: dict[str, Any] | None, action: str | None = None) -> str:
    """An event payload as readable Chinese text: 承办单位：市生态环境局；按时：是."""
    if not payload:
        return ""
    if "web_department_names" not in g:
        g.web_department_names = dict(departments())
    return payload_text(payload, action, g.web_department_names)


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
