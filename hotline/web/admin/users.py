"""用户管理 (admins): list, create with role and unit, change role, disable/enable, reset password."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hotline.auth import accounts
from hotline.auth.service import reset_password, set_user_active
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.models import User
from hotline.departments.roles import PERSON_ROLES, ROLE_LABELS, Role
from hotline.errors import ApiError
from hotline.web.admin.common import refused
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_page
from hotline.web.common import departments

TEMPLATE = "web/admin/users.html"
ROLE_ORDER = [Role.OPERATOR, Role.DISPATCHER, Role.DEPARTMENT, Role.FOLLOWUP, Role.SUPERVISOR, Role.ADMIN]


def _context(values: dict[str, str] | None = None) -> dict[str, Any]:
    role = request.args.get("role") or ""
    role = role if role in {r.value for r in PERSON_ROLES} else ""
    q = (request.args.get("q") or "").strip()[:60]
    return {"users": accounts.list_people(db_session(), role=role or None, q=q or None), "role": role, "q": q,
            "roles": [(r.value, ROLE_LABELS[r]) for r in ROLE_ORDER], "departments": departments(),
            "values": values or {}, "me": me()}


def _user(user_id: int) -> User | None:
    user = db_session().get(User, user_id)
    return None if user is None or user.role == Role.CHANNEL else user


@bp.get("/admin/users")
@login_required(Role.ADMIN)
def admin_users() -> Any:
    """Every person's account with its role, unit and state, and the form for a new one."""
    return render_template(TEMPLATE, **_context())


@bp.post("/admin/users")
@login_required(Role.ADMIN)
def admin_users_create() -> Any:
    """Create an account; bad input shows the form again with the reason."""
    form = request.form
    db = db_session()
    try:
        user = accounts.add_user(db, username=form.get("username", ""), display_name=form.get("display_name", ""),
                                 role=form.get("role", ""), password=form.get("password", ""),
                                 department_code=form.get("department") or None, actor=me(), now=utcnow())
    except ApiError as exc:
        kept = {k: form.get(k, "") for k in ("username", "display_name", "role", "department")}
        return refused(exc, TEMPLATE, lambda: _context(kept))
    db.commit()
    flash(f"已创建用户「{user.display_name}」（登录名 {user.username}）", "success")
    return redirect(url_for("web.admin_users"))


def _change(user_id: int, change: Any, done: str) -> Any:
    """Run one change on a user; a refusal shows the list again with the reason."""
    db, user = db_session(), _user(user_id)
    if user is None:
        return error_page(404, "用户不存在")
    try:
        ended = change(db, user)
    except ApiError as exc:
        return refused(exc, TEMPLATE, _context)
    db.commit()
    ended_text = f"，已结束其 {ended} 个登录" if ended else ""
    flash(f"{done}：{user.display_name}（{user.username}）{ended_text}", "success")
    return redirect(url_for("web.admin_users"))


@bp.post("/admin/users/<int:user_id>/active")
@login_required(Role.ADMIN)
def admin_users_active(user_id: int) -> Any:
    """停用 / 启用: a disabled user's sessions and tokens end at once."""
    active = request.form.get("active") == "1"
    return _change(user_id, lambda db, user: set_user_active(db, user=user, active=active, actor=me(),
                                                             now=utcnow()),
                   "已启用用户" if active else "已停用用户")


@bp.post("/admin/users/<int:user_id>/password")
@login_required(Role.ADMIN)
def admin_users_password(user_id: int) -> Any:
    """重置密码: the admin sets a new password; every session of the user ends."""
    new = request.form.get("new_password", "")
    return _change(user_id, lambda db, user: reset_password(db, user=user, new=new, actor=me(), now=utcnow()),
                   "已重置密码")


@bp.post("/admin/users/<int:user_id>/role")
@login_required(Role.ADMIN)
def admin_users_role(user_id: int) -> Any:
    """Change the role (and unit); the user logs in again with the new rights."""
    form = request.form
    return _change(user_id, lambda db, user: accounts.change_role(
        db, user=user, role=form.get("role", ""), department_code=form.get("department") or None, actor=me(),
        now=utcnow()), "已修改角色")
