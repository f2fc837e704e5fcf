"""Token endpoints: log in, log out, who am I."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from hotline.auth.service import issue_token, revoke_token
from hotline.auth.web import bearer_token, current_user, require
from hotline.clock import utcnow
from hotline.db import session
from hotline.validation import Field, json_body, validate

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1/auth")

LOGIN = {"username": Field(str, required=True, max_len=60), "password": Field(str, required=True, max_len=200)}


@bp.post("/token")
def token():  # type: ignore[no-untyped-def]
    """Exchange a username and password for a bearer token."""
    data = validate(json_body(), LOGIN)
    db = session()
    value = issue_token(db, username=data["username"], password=data["password"], now=utcnow(),
                        ttl_hours=current_app.config["TOKEN_TTL_HOURS"])
    db.commit()
    return jsonify({"token": value, "token_type": "Bearer",
                    "expires_in": current_app.config["TOKEN_TTL_HOURS"] * 3600}), 201


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
