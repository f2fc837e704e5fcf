"""CSRF: every page form needs the token; the bearer-token API does not."""

from __future__ import annotations

import pytest

from tests.support.factories import ticket_body
from tests.support.footprint import unchanged
from tests.web.conftest import csrf_token, text


@pytest.fixture
def csrf_on(app, pages):
    """CSRF checked as in production (after the pages fixture turned it off)."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_login_without_token_is_refused(csrf_on, pages):
    response = pages.client().post("/login", data={"username": "operator", "password": "hotline-demo"})
    assert response.status_code == 400
    assert "请刷新页面后重试" in text(response)


def test_login_with_the_page_token_works(csrf_on, pages):
    client = pages.client()
    token = csrf_token(text(client.get("/login")))
    response = client.post("/login", data={"username": "operator", "password": "hotline-demo",
                                           "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_move_without_token_changes_nothing(csrf_on, pages, api):
    ticket = api.create()
    api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
    client = pages.client("dept_ecology")
    refused = client.post(f"/tickets/{ticket['id']}/act/sign", data={"version": "3"})
    assert refused.status_code == 400
    assert pages.ticket(ticket["id"]).status == "dispatched"
    token = csrf_token(text(client.get(f"/tickets/{ticket['id']}")))
    version = pages.ticket(ticket["id"]).version
    done = client.post(f"/tickets/{ticket['id']}/act/sign", data={"version": str(version), "csrf_token": token})
    assert done.status_code == 302
    assert pages.ticket(ticket["id"]).status == "in_progress"


def test_logout_and_intake_need_the_token(csrf_on, pages):
    client = pages.client("operator")
    with unchanged(pages.app):
        assert client.post("/console", data={"content": "x"}).status_code == 400
        assert client.post("/logout").status_code == 400
    assert client.get("/console").status_code == 200  # still logged in


def test_the_api_is_not_csrf_protected(csrf_on, api):
    response = api.post("/tickets", ticket_body())
    assert response.status_code == 201
