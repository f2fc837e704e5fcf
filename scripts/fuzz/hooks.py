"""Schemathesis hooks for scripts/fuzz.py: a bearer token minted in the fuzzed app's database.

The fuzzer calls logout, password change/reset and disable; a 401 makes Schemathesis ask for a new token
(minted directly, so no password is needed) and replay the request."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta

import schemathesis
from sqlalchemy import create_engine, insert, select, text

ENGINE = create_engine(os.environ["FUZZ_DATABASE_URL"])


@schemathesis.auth(refresh_interval=600, retry_on=[401])
class MintedToken:
    """A fresh token for FUZZ_USER, written straight into api_tokens (the user is re-enabled if needed)."""

    def get(self, case, ctx):  # type: ignore[no-untyped-def]
        from hotline.auth.models import ApiToken
        from hotline.auth.service import _digest
        from hotline.clock import utcnow
        from hotline.departments.models import User

        value = secrets.token_urlsafe(24)
        now = utcnow()
        with ENGINE.begin() as conn:
            user_id = conn.scalar(select(User.id).where(User.username == os.environ["FUZZ_USER"]))
            conn.execute(text("UPDATE users SET active = :on WHERE id = :id"), {"on": True, "id": user_id})
            conn.execute(insert(ApiToken).values(token_hash=_digest(value), user_id=user_id, kind="api",
                                                 created_at=now, expires_at=now + timedelta(hours=12)))
        return value

    def set(self, case, data, ctx):  # type: ignore[no-untyped-def]
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
