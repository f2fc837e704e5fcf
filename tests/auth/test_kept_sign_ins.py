"""Sign-ins kept per process (hotline.auth.service.user_for_token through hotline.refdata): a warm request
reads no token row, yet a logout, a disabled account or a new role in any process applies to the very
next request of every other one, and made-up tokens are never kept."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.support.api import ApiClient


@pytest.fixture
def other(database_url, redis_url, tmp_path) -> Iterator[ApiClient]:  # type: ignore[no-untyped-def]
    """A second web process on the same database and Redis (its own app, its own kept sign-ins)."""
    from hotline import create_app

    app = create_app({"DATABASE_URL": database_url, "REDIS_URL": redis_url, "TESTING": True,
                      "QUEUES_ENABLED": False, "HOTLINE_MODEL_DIR": str(tmp_path / "models")})
    yield ApiClient(app)
    app.extensions["db"].dispose()


def _login(api: ApiClient, username: str = "operator") -> dict[str, str]:
    response = api.post("/auth/token", {"username": username, "password": "hotline-demo"}, user=None)
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _me(api: ApiClient, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return api.client.get("/api/v1/auth/me", headers=headers)


def _statements(app, call) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    engine = app.extensions["db"].engine
    listener = lambda _c, _cur, statement, *_a: seen.append(statement.lower())  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_a_warm_request_reads_no_token_and_still_knows_the_user(api, app):
    headers = _login(api, "dept_water")
    assert _me(api, headers).get_json()["department"] == "water"  # checked once, then kept
    answers = []
    statements = _statements(app, lambda: answers.append(_me(api, headers)))
    assert answers[0].status_code == 200
    assert answers[0].get_json()["department"] == "water" and answers[0].get_json()["role"] == "department"
    assert not [s for s in statements if "api_tokens" in s or "from users" in s]


def test_a_kept_user_acts_with_their_own_rights(api):
    assert api.get("/tickets", user="dept_water").status_code == 200  # warm: the staff member is kept
    ticket = api.create(content="小区停水三天了，请供水公司尽快处理", department="water")
    assert api.get(f"/tickets/{ticket['id']}", user="dept_ecology").status_code == 404  # not theirs to see
    assert api.act(ticket["id"], "sign", "dept_water")["status"] == "in_progress"


def test_a_logout_in_another_process_refuses_the_token_here_at_once(api, other):
    headers = _login(api)
    assert _me(api, headers).status_code == 200  # kept by this process
    assert other.client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    refused = _me(api, headers)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"


def test_a_user_disabled_in_another_process_is_refused_here_at_once(api, other):
    headers = _login(api, "followup")
    user_id = _me(api, headers).get_json()["id"]  # kept by this process
    assert other.post(f"/users/{user_id}/active", {"active": False}, user="admin").status_code == 200
    assert _me(api, headers).status_code == 401


def test_a_role_changed_in_another_process_applies_here_at_once(api, other):
    headers = _login(api, "followup")
    assert _me(api, headers).get_json()["role"] == "followup"
    with other.app.app_context():
        from hotline.db import session
        from hotline.departments.models import User

        db = session()
        db.query(User).filter_by(username="followup").one().role = "supervisor"  # a bare change, sessions kept
        db.commit()
    assert _me(api, headers).get_json()["role"] == "supervisor"
    assert api.client.get("/api/v1/metrics/ranking", headers=headers).status_code == 200  # a supervisor's list


def test_a_kept_token_is_refused_once_it_expires(api, app, monkeypatch):
    from hotline.auth.models import ApiToken
    from hotline.auth.service import _digest
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.departments.models import User

    now = utcnow()
    token = secrets.token_urlsafe(16)
    with app.app_context():  # not held open: each request has its own context, as in a server
        db = session()
        db.add(ApiToken(token_hash=_digest(token), user_id=db.query(User).filter_by(username="operator").one().id,
                        created_at=now, expires_at=now + timedelta(minutes=5)))
        db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert _me(api, headers).status_code == 200
    monkeypatch.setattr("hotline.auth.web.utcnow", lambda: now + timedelta(minutes=6))
    assert _me(api, headers).status_code == 401


def test_made_up_tokens_are_never_kept(api, app):
    _me(api, _login(api))  # something kept, so the store exists
    kept = app.extensions["refdata"].entries
    before = len(kept)
    for _ in range(50):
        assert _me(api, {"Authorization": f"Bearer {secrets.token_urlsafe(16)}"}).status_code == 401
    assert len(kept) == before
