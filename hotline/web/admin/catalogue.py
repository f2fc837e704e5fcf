"""派单目录 (admins): rules that dispatch before the model (keywords / kind / district → unit), versioned."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.districts import district_names
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.dispatching import catalogue
from hotline.dispatching.api import RULE
from hotline.dispatching.models import DispatchRule
from hotline.errors import ApiError
from hotline.tickets.enums import Kind
from hotline.web.admin.common import refused
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp
from hotline.web.common import departments
from hotline.web.forms import checked, label

TEMPLATE = "web/admin/catalogue.html"


def _context(values: dict[str, str] | None = None) -> dict[str, Any]:
    db = db_session()
    history = request.args.get("history") == "1"
    query = select(DispatchRule).order_by(DispatchRule.active.desc(), DispatchRule.priority, DispatchRule.id)
    if not history:
        query = query.where(DispatchRule.active.is_(True))
    rules = list(db.scalars(query))
    authors = {r.created_by for r in rules}
    names = dict(db.execute(select(User.username, User.display_name).where(User.username.in_(authors))).all())
    return {"rules": rules, "names": names, "history": history, "version": catalogue.catalogue_version(db),
            "kinds": [(k.value, label(k)) for k in Kind], "districts": district_names(db),
            "departments": departments(), "values": values or {}, "keywords_of": catalogue.keywords_of}


def _save(rule_key: str | None) -> Any:
    """Check the form as the API checks its body, then add the rule or its next version."""
    form = request.form
    db = db_session()
    try:
        data = checked(form, RULE)
        rule = catalogue.save_rule(db, data=data, actor=me().username, now=utcnow(), rule_key=rule_key)
    except ApiError as exc:
        return refused(exc, TEMPLATE, lambda: _context({k: form.get(k, "") for k in RULE}))
    db.commit()
    flash(f"已保存派单规则「{rule.name}」（目录第 {rule.version} 版）", "success")
    return redirect(url_for("web.admin_catalogue"))


@bp.get("/admin/catalogue")
@login_required(Role.ADMIN)
def admin_catalogue() -> Any:
    """The active rules in the order they are tried (?history=1: every version), and the form for a new one."""
    return render_template(TEMPLATE, **_context())


@bp.post("/admin/catalogue")
@login_required(Role.ADMIN)
def admin_catalogue_create() -> Any:
    """Add a rule."""
    return _save(None)


@bp.post("/admin/catalogue/<rule_key>")
@login_required(Role.ADMIN)
def admin_catalogue_update(rule_key: str) -> Any:
    """Change a rule: its current version is retired and the new one added."""
    return _save(rule_key)


@bp.post("/admin/catalogue/<rule_key>/retire")
@login_required(Role.ADMIN)
def admin_catalogue_retire(rule_key: str) -> Any:
    """Retire a rule (its versions stay in the history)."""
    try:
        catalogue.retire_rule(db_session(), rule_key=rule_key, now=utcnow())
    except ApiError as exc:
        return refused(exc, TEMPLATE, _context)
    db_session().commit()
    flash("已停用该派单规则", "success")
    return redirect(url_for("web.admin_catalogue"))
