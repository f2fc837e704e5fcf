"""Tokens: issue, resolve and revoke; users: create and authenticate."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import AccessLog, ApiToken
from hotline.auth.passwords import hash_password, verify_password
from hotline.departments.models import Department, User
from hotline.departments.roles import PERSON_ROLES, Role
from hotline.errors import Unauthorized, ValidationError


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, *, username: str, password: str, role: str, now: datetime,
                department_code: str | None = None, display_name: str | None = None) -> User:
    """Create a user; department staff must name an existing department."""
    try:
        role_value = Role(role)
        if role_value not in PERSON_ROLES:
            raise ValueError(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role if r in PERSON_ROLES)
        raise ValidationError(f"未知角色 {role!r}，可选：{choices}") from None
    if len(password) < 8:
        raise ValidationError("密码至少 8 位")
    if session.scalar(select(User).where(User.username == username)):
        raise ValidationError(f"用户名 {username} 已存在")
    department = None
    if department_code:
        department = session.scalar(select(Department).where(Department.code == department_code))
        if department is None:
            raise ValidationError(f"未知单位 {department_code}")
    if role_value is Role.DEPARTMENT and department is None:
        raise ValidationError("承办单位用户必须指定 --department")
    user = User(username=username, display_name=display_name or username, role=role_value,
                department=department, password_hash=hash_password(password), created_at=now)
    session.add(user)
    session.flush()
    return user


def issue_token(session: Session, *, username: str, password: str, now: datetime, ttl_hours: int) -> str:
    """Check the password and return a new bearer token."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise Unauthorized("用户名或密码错误", code="invalid_credentials")
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=_digest(token), user_id=user.id, created_at=now,
                         expires_at=now + timedelta(hours=ttl_hours)))
    session.flush()
    return token


def user_for_token(session: Session, *, token: str, now: datetime) -> User:
    """The user a live token belongs to."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        raise Unauthorized("令牌无效或已过期", code="invalid_token")
    return row.user


def revoke_token(session: Session, *, token: str, now: datetime) -> None:
    """Revoke a token so it can never be used again."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now


def log_access(session: Session, *, user: User, action: str, now: datetime,
               ticket_id: int | None = None, detail: dict | None = None) -> None:
    """Record a view of an unmasked identity or an export."""
    session.add(AccessLog(user_id=user.id, at=now, action=action, ticket_id=ticket_id, detail=detail or {}))
