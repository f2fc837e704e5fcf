"""Page-test fixtures: test clients logged in as demo users (CSRF off unless a test turns it on)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


class Pages:
    """Flask test clients for the HTML pages, one per demo user."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def client(self, username: str | None = None) -> FlaskClient:
        """A client whose page session is logged in as the user (skipping the argon2 check), or anonymous."""
        from tests.support.sessions import page_client

        return page_client(self.app, username)

    def ticket(self, ticket_id: int) -> Any:
        """The ticket as stored now."""
        from hotline.db import session
        from hotline.tickets.models import Ticket

        with self.app.app_context():
            return session().get(Ticket, ticket_id)


def text(response: Any) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token on the page"
    return match.group(1)


@pytest.fixture
def pages(app: Flask) -> Pages:
    """Page clients; CSRF is off here and on in tests/web/test_csrf.py."""
    app.config["WTF_CSRF_ENABLED"] = False
    return Pages(app)
