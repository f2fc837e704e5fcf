"""Departments (承办单位) kept by admins: add, rename, regrade, bind to a district, switch off/on."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.departments.districts import check_district
from hotline.departments.models import Department
from hotline.errors import Conflict, NotFound, ValidationError

CODE_PATTERN = r"[a-z][a-z0-9_]{1,39}"
# Category codes → labels: the ranking grades each category separately.
CATEGORIES = {"municipal": "市直部门", "utility": "公共服务企业", "district": "区政府"}


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(message, details=[{"field": field, "message": message}])


def _fields(session: Session, *, name: str, category: str, district: str | None) -> tuple[str, str, str | None]:
    name = name.strip()
    if not name or len(name) > 100:
        raise _bad("name", "单位名称必填，且不超过 100 字")
    if category not in CATEGORIES:
        raise _bad("category", "请选择有效的单位类别")
    district = check_district(session, name=(district or "").strip() or None)
    if category == "district" and district is None:
        raise _bad("district", "区政府类单位须选择所属区")
    return name, category, district


def _name_free(session: Session, *, name: str, department: Department | None = None) -> None:
    other = session.scalar(select(Department).where(Department.name == name))
    if other is not None and other is not department:
        raise Conflict(f"单位名称「{name}」已存在", code="department_exists")


def create_department(session: Session, *, code: str, name: str, category: str,
                      district: str | None = None) -> Department:
    """Add an active department; its code (lowercase letters, digits, _) is fixed from then on."""
    code = code.strip()
    if not re.fullmatch(CODE_PATTERN, code):
        raise _bad("code", "单位代码须以小写字母开头，只含小写字母、数字和下划线，2–40 位")
    if session.scalar(select(Department.id).where(Department.code == code)) is not None:
        raise Conflict(f"单位代码「{code}」已存在", code="department_exists")
    name, category, district = _fields(session, name=name, category=category, district=district)
    _name_free(session, name=name)
    department = Department(code=code, name=name, category=category, district=district, active=True)
    session.add(department)
    session.flush()
    return department


def get_department(session: Session, *, code: str) -> Department:
    """The department with this code, or 404."""
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise NotFound(f"单位 {code} 不存在")
    return department


def update_department(session: Session, *, department: Department, name: str, category: str,
                      district: str | None) -> Department:
    """Change a department's name, category and district (its tickets stay with it)."""
    name, category, district = _fields(session, name=name, category=category, district=district)
    _name_free(session, name=name, department=department)
    department.name, department.category, department.district = name, category, district
    session.flush()
    return department


def set_department_active(session: Session, *, department: Department, active: bool) -> Department:
    """Switch a department off (no longer offered for dispatch or new users) or back on."""
    department.active = active
    session.flush()
    return department


def list_departments(session: Session) -> list[Department]:
    """Every department, active or not, in the order they were added."""
    return list(session.scalars(select(Department).order_by(Department.id)))
