"""Token endpoints: log in (throttled), log out, who am I, change my password."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from hotline.auth.service import authenticate, change_password, revoke_token, token_for
from hotline.auth.throttle import TooManyAttempts, guarded_login
from hotline.auth.web import bearer_token, current_user, require
from hotline.clock import utcnow
from hotline.db import session
from hotline.errors import Unauthorized
from hotline.openapi import documented
from hotline.validation import Field, json_body, validate

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth")

LOGIN = {"username": Field(str, required=True, max_len=60), "password": Field(str, required=True, max_len=200)}
PASSWORD = {"old_password": Field(str, required=True, max_len=200),
            "new_password": Field(str, required=True, max_len=200)}


@bp.errorhandler(TooManyAttempts)
def _too_many(exc: TooManyAttempts):  # type: ignore[no-untyped-def]
    response = jsonify({"error": {"code": exc.code, "message": exc.message}})
    response.headers["Retry-After"] = str(exc.retry_after)
    return response, 429


@bp.post("/token")
@documented(LOGIN, status=201)
def token():  # type: ignore[no-untyped-def]
    """Exchange a username and password for a bearer token (failed logins are throttled: 429)."""
    data = validate(json_body(), LOGIN)
    db = session()
    user = guarded_login(data["username"], request.remote_addr or "-",
                         lambda: authenticate(db, username=data["username"], password=data["password"]))
    if user is None:
        raise Unauthorized("用户名或密码错误", code="invalid_credentials")
    ttl = current_app.config["TOKEN_TTL_HOURS"]
    value = token_for(db, user=user, now=utcnow(), ttl_hours=ttl)
    db.commit()
    return jsonify({"token": value, "token_type": "Bearer", "expires_in": ttl * 3600}), 201


@bp.post("/logout")
@require()
def logout():  # type: ignore[no-untyped-def]
    """Revoke the token of this request."""
    db = session()
    revoke_token(db, token=bearer_token(), now=utcnow())
    db.commit()
    return jsonify({"revoked": True})


@bp.get("/me")
@require()
def me():  # type: ignore[no-untyped-def]
    """The logged-in user."""
    user = current_user()
    return jsonify({"id": user.id, "username": user.username, "display_name": user.display_name,
                    "role": user.role, "department": user.department.code if user.department else None})


@bp.post("/password")
@require()
@documented(PASSWORD)
def password():  # type: ignore[no-untyped-def]
    """修改密码: the old password is checked; every session and token of the user ends (log in again)."""
    data = validate(json_body(), PASSWORD)
    db = session()
    ended = change_password(db, user=current_user(), old=data["old_password"], new=data["new_password"],
                            now=utcnow())
    db.commit()
    return jsonify({"changed": True, "ended_sessions": ended})
