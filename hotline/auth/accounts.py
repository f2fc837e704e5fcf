"""What an admin does to accounts beyond passwords and disabling: new users and a change of role."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.passwords import check_new_password
from hotline.auth.service import _admin, create_user, end_all_sessions
from hotline.departments.models import Department, User
from hotline.departments.roles import PERSON_ROLES, Role
from hotline.errors import ValidationError

USERNAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{1,59}"


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError(message, details=[{"field": field, "message": message}])


def _role(role: str) -> Role:
    if role not in {r.value for r in PERSON_ROLES}:
        raise _bad("role", "请选择有效的角色")
    return Role(role)


def _department(session: Session, *, role: Role, code: str | None) -> Department | None:
    """The department a user of this role is bound to: required for department staff, none otherwise."""
    if role is not Role.DEPARTMENT:
        return None
    if not code:
        raise _bad("department", "承办单位用户必须选择所属单位")
    department = session.scalar(select(Department).where(Department.code == code, Department.active.is_(True)))
    if department is None:
        raise _bad("department", "所选单位不存在或已停用")
    return department


def add_user(session: Session, *, username: str, display_name: str, role: str, password: str,
             department_code: str | None, actor: User, now: datetime) -> User:
    """An admin creates a person's account (login name, name, role, unit of department staff, first password)."""
    _admin(actor)
    username = username.strip()
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise _bad("username", "登录名须为 2–60 位字母、数字、点、下划线或连字符，且以字母或数字开头")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise _bad("username", f"登录名「{username}」已被使用")
    role_value = _role(role)
    department = _department(session, role=role_value, code=department_code)
    check_new_password(password)
    name = display_name.strip()[:60] or username
    return create_user(session, username=username, password=password, role=role_value, now=now,
                       department_code=department.code if department else None, display_name=name)


def change_role(session: Session, *, user: User, role: str, department_code: str | None, actor: User,
                now: datetime) -> int:
    """An admin changes a user's role (and unit); the user's sessions end so the new rights apply at once."""
    _admin(actor)
    role_value = _role(role)
    if user.role == Role.CHANNEL:
        raise _bad("role", "市民自助渠道账号的角色不能修改")
    if user.id == actor.id and role_value is not Role.ADMIN:
        raise _bad("role", "不能取消自己的管理员角色")
    department = _department(session, role=role_value, code=department_code)
    if user.role == role_value and user.department_id == (department.id if department else None):
        return 0
    user.role = role_value
    user.department = department
    session.flush()
    return end_all_sessions(session, user=user, now=now)


def list_people(session: Session, *, role: str | None = None, q: str | None = None) -> list[User]:
    """The accounts of people (never the citizen channels' system users), by login name."""
    query = select(User).where(User.role != Role.CHANNEL).order_by(User.username)
    if role:
        query = query.where(User.role == role)
    if q:
        like = f"%{q}%"
        query = query.where(User.username.ilike(like) | User.display_name.ilike(like))
    return list(session.scalars(query))
