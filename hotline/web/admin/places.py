"""单位管理 and 区域管理 (admins): departments and districts, added, edited and switched off/on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hotline.db import session as db_session
from hotline.departments import districts
from hotline.departments import service as departments
from hotline.departments.roles import Role
from hotline.errors import ApiError
from hotline.web.admin.common import refused
from hotline.web.auth import login_required
from hotline.web.blueprint import bp

DEPARTMENTS_PAGE, DISTRICTS_PAGE = "web/admin/departments.html", "web/admin/districts.html"


def _departments_context(values: dict[str, str] | None = None) -> dict[str, Any]:
    db = db_session()
    return {"rows": departments.list_departments(db), "categories": departments.CATEGORIES,
            "districts": districts.district_names(db), "values": values or {}}


def _districts_context(values: dict[str, str] | None = None) -> dict[str, Any]:
    return {"rows": districts.list_districts(db_session()), "values": values or {}}


def _run(action: Callable[[], Any], done: Callable[[Any], str], page: str, context: Callable[[], dict],
         target: str) -> Any:
    """Run one change and go back to the list; a refusal shows the page again with the reason."""
    try:
        result = action()
    except ApiError as exc:
        return refused(exc, page, context)
    db_session().commit()
    flash(done(result), "success")
    return redirect(url_for(target))


@bp.get("/admin/departments")
@login_required(Role.ADMIN)
def admin_departments() -> Any:
    """Every department with its category, district and state, and the form for a new one."""
    return render_template(DEPARTMENTS_PAGE, **_departments_context())


@bp.post("/admin/departments")
@login_required(Role.ADMIN)
def admin_departments_create() -> Any:
    """Add a department."""
    form = request.form
    kept = {k: form.get(k, "") for k in ("code", "name", "category", "district")}
    return _run(lambda: departments.create_department(db_session(), code=kept["code"], name=kept["name"],
                                                      category=kept["category"], district=kept["district"]),
                lambda d: f"已添加单位「{d.name}」", DEPARTMENTS_PAGE, lambda: _departments_context(kept),
                "web.admin_departments")


@bp.post("/admin/departments/<code>")
@login_required(Role.ADMIN)
def admin_departments_update(code: str) -> Any:
    """Change a department's name, category and district, or switch it off/on."""
    form, db = request.form, db_session()

    def change() -> Any:
        department = departments.get_department(db, code=code)
        if "active" in form:
            return departments.set_department_active(db, department=department, active=form["active"] == "1")
        return departments.update_department(db, department=department, name=form.get("name", ""),
                                             category=form.get("category", ""), district=form.get("district"))

    return _run(change, lambda d: f"已保存单位「{d.name}」" + ("" if d.active else "（已停用）"), DEPARTMENTS_PAGE,
                _departments_context, "web.admin_departments")


@bp.get("/admin/districts")
@login_required(Role.ADMIN)
def admin_districts() -> Any:
    """Every district with its state, and the form for a new one."""
    return render_template(DISTRICTS_PAGE, **_districts_context())


@bp.post("/admin/districts")
@login_required(Role.ADMIN)
def admin_districts_create() -> Any:
    """Add a district."""
    kept = {k: request.form.get(k, "") for k in ("code", "name")}
    return _run(lambda: districts.create_district(db_session(), code=kept["code"], name=kept["name"]),
                lambda d: f"已添加区域「{d.name}」", DISTRICTS_PAGE, lambda: _districts_context(kept),
                "web.admin_districts")


@bp.post("/admin/districts/<code>")
@login_required(Role.ADMIN)
def admin_districts_update(code: str) -> Any:
    """Rename a district or switch it off/on."""
    form, db = request.form, db_session()

    def change() -> Any:
        district = districts.get_district(db, code=code)
        if "active" in form:
            return districts.update_district(db, district=district, active=form["active"] == "1")
        return districts.update_district(db, district=district, name=form.get("name", ""))

    return _run(change, lambda d: f"已保存区域「{d.name}」" + ("" if d.active else "（已停用）"), DISTRICTS_PAGE,
                _districts_context, "web.admin_districts")
