"""Users and their credentials: authenticate, tokens and page sessions (both stored, both revocable),
password change/reset and disabling, which end every session and token of that user."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, manager_of_class
from sqlalchemy.orm.util import identity_key

from hotline.auth.models import AccessLog, ApiToken
from hotline.auth.passwords import check_new_password, hash_password, spend_verify_time, verify_password
from hotline.departments.models import Department, User
from hotline.departments.roles import PERSON_ROLES, Role
from hotline.errors import Forbidden, Unauthorized, ValidationError
from hotline.held import insert
from hotline.refdata import cached

M = TypeVar("M")
API, PAGE = "api", "page"  # ApiToken.kind: a bearer token, or the id of a browser's page session


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


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this username and password, or None; every miss costs one argon2 check."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        spend_verify_time(password)  # an unknown name must take as long as a wrong password
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


def _issue(session: Session, *, user: User, now: datetime, ttl_hours: int, kind: str) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=_digest(token), user_id=user.id, created_at=now, kind=kind,
                         expires_at=now + timedelta(hours=ttl_hours)))
    session.flush()
    return token


def issue_token(session: Session, *, username: str, password: str, now: datetime, ttl_hours: int) -> str:
    """Check the password and return a new bearer token."""
    user = authenticate(session, username=username, password=password)
    if user is None:
        raise Unauthorized("用户名或密码错误", code="invalid_credentials")
    return _issue(session, user=user, now=now, ttl_hours=ttl_hours, kind=API)


def token_for(session: Session, *, user: User, now: datetime, ttl_hours: int) -> str:
    """A new bearer token for a user whose password was just checked."""
    return _issue(session, user=user, now=now, ttl_hours=ttl_hours, kind=API)


def start_session(session: Session, *, user: User, now: datetime, ttl_hours: int) -> str:
    """A new page session for a user whose password was just checked; its id goes in the cookie."""
    return _issue(session, user=user, now=now, ttl_hours=ttl_hours, kind=PAGE)


# Built once: every request looks its token up, and building the statement cost a third of that.
_TOKEN = select(ApiToken).where(ApiToken.token_hash == bindparam("digest"), ApiToken.kind == bindparam("kind"))
_USER_KEPT = tuple(c.key for c in User.__table__.c if c.key != "password_hash")  # the hash stays in the database
_DEPARTMENT_KEPT = tuple(c.key for c in Department.__table__.c)


def user_for_token(session: Session, *, token: str, now: datetime, kind: str = API) -> User:
    """The active user a live token (or page session id) belongs to.

    Each process keeps the sign-ins it has checked (hotline.refdata): a revoked token, a disabled user or a
    changed role is a change of a kept table, seen by every process on its next request; an unknown,
    revoked or disabled one is never kept, so probing with made-up tokens neither fills nor warms it."""
    digest = _digest(token)
    kept = cached(session, f"sign-in:{kind}:{digest}", lambda: _sign_in(session, digest=digest, kind=kind),
                  keep=lambda found: found is not None)
    if kept is None or kept["expires_at"] <= now:
        raise Unauthorized("令牌无效或已过期", code="invalid_token")
    return _attached(session, User, kept["user"], department=kept["department"])


def _sign_in(session: Session, *, digest: str, kind: str) -> dict[str, Any] | None:
    """What a live token's request needs of its row and user, as plain values (None: not usable)."""
    row = session.scalar(_TOKEN, {"digest": digest, "kind": kind})
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    department = row.user.department
    return {"expires_at": row.expires_at, "user": {k: getattr(row.user, k) for k in _USER_KEPT},
            "department": {k: getattr(department, k) for k in _DEPARTMENT_KEPT} if department else None}


def _attached(session: Session, model: type[M], values: dict[str, Any], **related: dict[str, Any] | None) -> M:
    """The session's instance of a kept row, made from its values without a query when the session has
    none yet (columns not kept are loaded when first read)."""
    present = session.identity_map.get(identity_key(model, values["id"]))
    if present is not None:
        return present  # type: ignore[return-value]
    instance = manager_of_class(model).new_instance()  # as a query's row would be made: no __init__
    state = instance_state(instance)
    state.dict.update(values)
    for name, row in related.items():
        target = getattr(model, name).property.mapper.class_
        state.dict[name] = _attached(session, target, row) if row is not None else None
    make_transient_to_detached(instance)
    session.add(instance)
    return instance


def revoke_token(session: Session, *, token: str, now: datetime) -> None:
    """Revoke a token (or page session) so it can never be used again."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now


def end_all_sessions(session: Session, *, user: User, now: datetime) -> int:
    """Revoke every live token and page session of the user; returns how many were live."""
    result = session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                             .values(revoked_at=now).execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount or 0  # type: ignore[attr-defined]


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("只有管理员可以管理用户")


def change_password(session: Session, *, user: User, old: str, new: str, now: datetime) -> int:
    """The user changes their own password (old one checked); every session and token of theirs ends."""
    if not verify_password(user.password_hash, old):
        raise ValidationError("原密码不正确", details=[{"field": "old_password", "message": "不正确"}])
    check_new_password(new, old=old)
    user.password_hash = hash_password(new)
    return end_all_sessions(session, user=user, now=now)


def reset_password(session: Session, *, user: User, new: str, actor: User, now: datetime) -> int:
    """An admin sets a user's password; every session and token of that user ends."""
    _admin(actor)
    check_new_password(new)
    user.password_hash = hash_password(new)
    _audit(session, actor=actor, action="reset_password", user=user, now=now)
    return end_all_sessions(session, user=user, now=now)


def set_user_active(session: Session, *, user: User, active: bool, actor: User, now: datetime) -> int:
    """An admin enables or disables a user; disabling ends every session and token at once."""
    _admin(actor)
    if user.id == actor.id and not active:
        raise ValidationError("不能停用自己的账号", details=[{"field": "active", "message": "不能停用自己"}])
    user.active = active
    _audit(session, actor=actor, action="enable_user" if active else "disable_user", user=user, now=now)
    session.flush()
    return 0 if active else end_all_sessions(session, user=user, now=now)


def _audit(session: Session, *, actor: User, action: str, user: User, now: datetime) -> None:
    """An admin's change to an account goes to the access log beside the views and exports."""
    log_access(session, user=actor, action=action, now=now,
               detail={"username": user.username, "display_name": user.display_name})


def log_access(session: Session, *, user: User, action: str, now: datetime,
               ticket_id: int | None = None, detail: dict | None = None) -> None:
    """Record a view of an unmasked identity or an export (a Core INSERT: half the CPU of the unit of work,
    and every intake writes one, held for its commit: hotline.held)."""
    insert(session, AccessLog.__table__, [{"user_id": user.id, "at": now, "action": action,
                                           "ticket_id": ticket_id, "detail": detail or {}}])
