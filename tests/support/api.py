"""A JSON test client that acts as demo users and drives tickets through their course."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support.factories import ticket_body


class ApiClient:
    """Calls /api/v1 as a named demo user; tokens are issued once per user and cached."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        """A bearer token for a demo user, issued without re-hashing the password."""
        if username not in self.tokens:
            import secrets

            from hotline.auth.models import ApiToken
            from hotline.auth.service import _digest
            from hotline.clock import utcnow
            from hotline.db import session
            from hotline.departments.models import User

            with self.app.app_context():
                db = session()
                user = db.query(User).filter_by(username=username).one()
                value = secrets.token_urlsafe(16)
                now = utcnow()
                db.add(ApiToken(token_hash=_digest(value), user_id=user.id, created_at=now - timedelta(days=400),
                                expires_at=now + timedelta(days=3650)))
                db.commit()
            self.tokens[username] = value
        return self.tokens[username]

    def call(self, method: str, path: str, user: str | None, body: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """One request; returns the Flask response."""
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.open(f"/api/v1{path}", method=method, json=body, headers=headers, **kwargs)

    def get(self, path: str, user: str | None = "operator", **kwargs: Any):  # type: ignore[no-untyped-def]
        """GET as a user."""
        return self.call("GET", path, user, **kwargs)

    def post(self, path: str, body: Any = None, user: str | None = "operator", **kwargs: Any):  # type: ignore[no-untyped-def]
        """POST JSON as a user."""
        return self.call("POST", path, user, body, **kwargs)

    def create(self, user: str = "operator", **overrides: Any) -> dict[str, Any]:
        """Create a ticket and return its JSON (asserting 201)."""
        response = self.post("/tickets", ticket_body(**overrides), user=user)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def act(self, ticket_id: int, action: str, user: str, body: dict[str, Any] | None = None,
            status: int = 200) -> dict[str, Any]:
        """Perform an action and assert its status code; a refused one (4xx) must change no table at all."""
        from contextlib import nullcontext

        from tests.support.footprint import unchanged

        with unchanged(self.app) if status >= 400 else nullcontext():
            response = self.post(f"/tickets/{ticket_id}/{action}", body or {}, user=user)
        assert response.status_code == status, (action, response.status_code, response.get_json())
        return response.get_json()

    def drive(self, ticket_id: int, until: str, department: str = "ecology") -> dict[str, Any]:
        """Drive a ticket along the happy path up to the named state."""
        staff = f"dept_{department}"
        steps = [
            ("dispatched", "dispatch", "dispatcher", {"department": department}),
            ("in_progress", "sign", staff, {}),
            ("replied", "reply", staff, {"result": "solved", "content": "已到现场核查并责令整改。"}),
            ("awaiting_follow_up", "accept-reply", "dispatcher", {}),
            ("closed", "follow-up", "followup", {"contacted": True, "solved": "solved",
                                                  "satisfaction": "satisfied"}),
        ]
        body: dict[str, Any] = {}
        for state, action, user, data in steps:
            body = self.act(ticket_id, action, user, data)
            if state == until:
                break
        return body
