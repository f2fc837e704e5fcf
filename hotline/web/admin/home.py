"""系统管理 start page and the section menu every admin page shows."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from hotline.departments.roles import Role
from hotline.web.auth import login_required
from hotline.web.blueprint import bp

# (endpoint, label) of each admin task, in menu order; pages not mounted in this build are left out.
ADMIN_LINKS = [
    ("web.admin_users", "用户管理"),
    ("web.admin_departments", "单位管理"),
    ("web.admin_districts", "区域管理"),
    ("web.admin_calendar", "工作日历"),
    ("web.admin_catalogue", "派单目录"),
    ("web.admin_limits", "时限与权重"),
    ("web.admin_kb", "知识库管理"),
    ("web.admin_models", "模型版本"),
    ("web.apikeys", "接口密钥"),
]


def admin_links() -> list[tuple[str, str]]:
    """The admin tasks whose pages exist and that the logged-in user may open (supervisors: the knowledge base)."""
    from hotline.access import rule_for
    from hotline.web.auth import page_user

    user, known = page_user(), set(current_app.view_functions)
    role = user.role if user is not None else None
    return [(endpoint, text) for endpoint, text in ADMIN_LINKS
            if endpoint in known and (rule := rule_for(endpoint)) is not None and rule.allows(role)]


@bp.app_context_processor
def _links() -> dict[str, Any]:
    return {"admin_links": admin_links}


@bp.get("/admin")
@login_required(Role.ADMIN)
def admin_home() -> Any:
    """The admin's start page with a link to every admin task."""
    return render_template("web/admin/home.html")
