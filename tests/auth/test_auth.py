"""Login with argon2id passwords, bearer tokens, logout revocation, and every route behind auth."""

from __future__ import annotations

import re

import pytest

PUBLIC = {"/api/v1/auth/token", "/api/v1/openapi.json"}


def test_login_me_logout(app, api):
    response = api.post("/auth/token", {"username": "operator", "password": "hotline-demo"}, user=None)
    assert response.status_code == 201
    token = response.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = api.client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["role"] == "operator"
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    again = api.client.get("/api/v1/auth/me", headers=headers)
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("body", [{"username": "operator", "password": "wrong-password"},
                                  {"username": "nobody", "password": "hotline-demo"}])
def test_bad_credentials_are_401(api, body):
    response = api.post("/auth/token", body, user=None)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_password_is_stored_as_argon2id(db):
    from hotline.departments.models import User

    user = db.query(User).filter_by(username="operator").one()
    assert user.password_hash.startswith("$argon2id$")


def concrete(rule) -> str:  # type: ignore[no-untyped-def]
    """The rule with every parameter filled: 1, or the first choice of an any(...) converter."""
    def value(match: re.Match[str]) -> str:
        items = getattr(rule._converters.get(match.group(1)), "items", None)
        return sorted(items)[0] if items else "1"

    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", value, rule.rule)


def test_every_api_route_needs_a_token(app, api):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule in PUBLIC:
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            response = api.call(method, concrete(rule).removeprefix("/api/v1"), None, {})
            assert response.status_code == 401, (method, rule.rule, response.status_code)
            assert response.get_json()["error"]["code"] == "unauthorized"
            checked += 1
    assert checked >= 8


def test_garbage_token_is_401(api):
    response = api.client.get("/api/v1/tickets", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_openapi_lists_every_action(api):
    doc = api.get("/openapi.json", user=None).get_json()
    assert doc["openapi"].startswith("3.")
    for slug in ("dispatch", "sign", "return", "approve-return", "reject-return", "request-extension",
                 "approve-extension", "deny-extension", "suspend", "resume", "reply", "accept-reply",
                 "send-back", "follow-up", "urge", "supervise", "merge", "resolve-on-call",
                 "transfer-emergency", "mark-invalid"):
        assert f"/api/v1/tickets/{{ticket_id}}/{slug}" in doc["paths"], slug
    create = doc["paths"]["/api/v1/tickets"]["post"]
    assert "content" in create["requestBody"]["content"]["application/json"]["schema"]["required"]
