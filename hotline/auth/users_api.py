"""Admin API over user accounts: reset a password, disable or enable a user (sessions and tokens end)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from hotline.auth.service import reset_password, set_user_active
from hotline.auth.web import current_user, require
from hotline.clock import utcnow
from hotline.db import session
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.errors import NotFound
from hotline.openapi import documented
from hotline.validation import Field, json_body, validate

bp = Blueprint("users_api", __name__, url_prefix="/api/v1/users")

RESET = {"new_password": Field(str, required=True, max_len=200)}
ACTIVE = {"active": Field(bool, required=True)}


def _user(user_id: int) -> User:
    user = session().get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在")
    return user


def user_json(user: User) -> dict:
    """A user as the admin API shows it (never the password hash)."""
    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "department": user.department.code if user.department else None, "active": user.active}


@bp.post("/<int:user_id>/password")
@require(Role.ADMIN)
@documented(RESET)
def reset(user_id: int):  # type: ignore[no-untyped-def]
    """重置密码 (admin): every session and token of the user ends."""
    data = validate(json_body(), RESET)
    db, user = session(), _user(user_id)
    ended = reset_password(db, user=user, new=data["new_password"], actor=current_user(), now=utcnow())
    db.commit()
    return jsonify(user_json(user) | {"ended_sessions": ended})


@bp.post("/<int:user_id>/active")
@require(Role.ADMIN)
@documented(ACTIVE)
def activate(user_id: int):  # type: ignore[no-untyped-def]
    """启用/停用用户 (admin): a disabled user cannot log in, and every session and token ends at once."""
    data = validate(json_body(), ACTIVE)
    db, user = session(), _user(user_id)
    ended = set_user_active(db, user=user, active=data["active"], actor=current_user(), now=utcnow())
    db.commit()
    return jsonify(user_json(user) | {"ended_sessions": ended})
