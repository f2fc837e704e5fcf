"""Login throttling per account and per client address (Redis), on the API and the login page; an
unknown user costs one argon2 check like a wrong password."""

from __future__ import annotations

import pytest

from tests.web.conftest import text

WRONG = {"username": "operator", "password": "wrong-password"}
RIGHT = {"username": "operator", "password": "hotline-demo"}


def login(app, body, address="127.0.0.1"):  # type: ignore[no-untyped-def]
    return app.test_client().post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": address})


def test_an_account_is_throttled_after_its_failures(app):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert login(app, WRONG).status_code == 401
    blocked = login(app, RIGHT)  # even the right password waits: it is never checked while blocked
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "too_many_attempts"
    assert "分钟后再试" in blocked.get_json()["error"]["message"]
    assert 0 < int(blocked.headers["Retry-After"]) <= app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    assert login(app, RIGHT, address="10.1.2.3").status_code == 429  # another address: the account is blocked
    assert login(app, {"username": "dispatcher", "password": "hotline-demo"}).status_code == 201


def test_a_success_clears_the_account_count(app):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 1):
        assert login(app, WRONG).status_code == 401
    assert login(app, RIGHT).status_code == 201
    for _ in range(limit - 1):
        assert login(app, WRONG).status_code == 401
    assert login(app, RIGHT).status_code == 201


def test_an_address_is_throttled_across_accounts(app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 4
    for name in ("nobody1", "nobody2", "operator", "nobody3"):
        assert login(app, {"username": name, "password": "x" * 9}, address="10.9.9.9").status_code == 401
    assert login(app, RIGHT, address="10.9.9.9").status_code == 429
    assert login(app, RIGHT, address="10.9.9.10").status_code == 201


def test_the_counts_live_in_redis_for_every_process(app, redis_url):
    from hotline import create_app

    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        login(app, WRONG)
    second = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "REDIS_URL": redis_url, "TESTING": True,
                         "QUEUES_ENABLED": False})
    try:
        assert login(second, RIGHT).status_code == 429
    finally:
        second.extensions["db"].dispose()


def test_the_login_page_is_throttled_in_chinese(app, pages):
    client = pages.client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert client.post("/login", data=WRONG).status_code == 401
    page = client.post("/login", data=RIGHT)
    assert page.status_code == 429 and int(page.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in text(page) and "分钟后再试" in text(page)
    assert login(app, RIGHT).status_code == 429  # the page and the API count the same account


@pytest.mark.parametrize(("username", "password"), [("nobody-at-all", "hotline-demo"), ("operator", "wrong-password"),
                                                    ("operator", "hotline-demo")])
def test_every_refusal_costs_one_argon2_check(app, monkeypatch, username, password):
    from argon2 import PasswordHasher

    from hotline.auth.service import authenticate
    from hotline.db import session
    from hotline.departments.models import User

    real, calls = PasswordHasher.verify, []

    def counted(self, hash_, secret):  # type: ignore[no-untyped-def]
        calls.append(hash_)
        return real(self, hash_, secret)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    with app.app_context():
        db = session()
        db.query(User).filter_by(username="operator").one().active = password != "hotline-demo"
        calls.clear()
        assert authenticate(db, username=username, password=password) is None
    assert len(calls) == 1  # unknown, wrong password and disabled user alike: one real argon2id verify
    assert calls[0].startswith("$argon2id$")
