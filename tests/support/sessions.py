"""Logged-in clients for any test package: a page session or a fresh bearer token for a demo user."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient


def page_client(app: Flask, username: str | None = None) -> FlaskClient:
    """A test client whose page session is logged in as the user (no argon2 check), or anonymous."""
    client = app.test_client()
    if username is None:
        return client
    from hotline.auth.service import start_session
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.departments.models import User

    with app.app_context():
        db = session()
        user = db.query(User).filter_by(username=username).one()
        sid = start_session(db, user=user, now=utcnow(), ttl_hours=app.config["TOKEN_TTL_HOURS"])
        db.commit()
    with client.session_transaction() as sess:
        sess["sid"] = sid
    return client


def fresh_token(app: Flask, username: str) -> str:
    """A new bearer token for a demo user, issued without hashing the password again."""
    from hotline.auth.models import ApiToken
    from hotline.auth.service import _digest
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.departments.models import User

    value = secrets.token_urlsafe(16)
    with app.app_context():
        db = session()
        user = db.query(User).filter_by(username=username).one()
        now = utcnow()
        db.add(ApiToken(token_hash=_digest(value), user_id=user.id, created_at=now - timedelta(days=400),
                        expires_at=now + timedelta(days=3650)))
        db.commit()
    return value
