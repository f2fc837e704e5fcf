"""Template helpers: local times, Chinese labels, the logged-in user and the counts of their scope."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from hotline.clock import local, utcnow
from hotline.departments.roles import ROLE_LABELS
from hotline.web.auth import page_user
from hotline.web.blueprint import bp
from hotline.web.common import scope_counts
from hotline.web.forms import label


@bp.app_template_filter("web_time")
def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC datetime in Asia/Shanghai, or a dash."""
    return "—" if value is None else local(value).strftime(fmt)


@bp.app_template_filter("web_label")
def label_filter(code: Any) -> str:
    """The Chinese label of a code; empty values show a dash."""
    return "—" if code is None or code == "" else label(code)


@bp.app_template_filter("web_payload")
def payload_filter(payload: dict[str, Any] | None) -> str:
    """An event payload as compact readable text."""
    if not payload:
        return ""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)


@bp.context_processor
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
