"""Sessions end on the server: logout, password change or reset, and disabling a user kill every copy
of that user's page cookies and bearer tokens at once; disabled users cannot log in."""

from __future__ import annotations

import pytest

from hotline.clock import utcnow
from tests.support.footprint import unchanged
from tests.support.sessions import fresh_token, page_client
from tests.web.conftest import text


def logged_in_page(app, username="operator", password="hotline-demo"):  # type: ignore[no-untyped-def]
    """A client that logged in through the real form."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 302, text(response)
    return client


def copy_of(client, app):  # type: ignore[no-untyped-def]
    """A second browser holding a copy of the client's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def me(app, token):  # type: ignore[no-untyped-def]
    return app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_a_copied_cookie_dies_with_logout(app, pages):
    app.config["WTF_CSRF_ENABLED"] = False
    client = logged_in_page(app)
    thief = copy_of(client, app)
    assert thief.get("/console").status_code == 200
    assert client.post("/logout").status_code == 302
    assert thief.get("/console").headers["Location"].startswith("/login")
    assert client.get("/console").headers["Location"].startswith("/login")


def test_logout_ends_only_this_browser(app, pages):
    app.config["WTF_CSRF_ENABLED"] = False
    first, second = logged_in_page(app), logged_in_page(app)
    first.post("/logout")
    assert second.get("/console").status_code == 200


def test_changing_the_password_on_the_page_ends_every_other_session(app, pages):
    app.config["WTF_CSRF_ENABLED"] = False
    client, other = logged_in_page(app), logged_in_page(app)
    token = fresh_token(app, "operator")
    form = client.get("/account/password")
    assert form.status_code == 200 and "修改密码" in text(form)
    done = client.post("/account/password", data={"old_password": "hotline-demo", "new_password": "new-secret-1",
                                                  "confirm": "new-secret-1"})
    assert done.status_code == 302
    assert client.get("/console").status_code == 200  # this browser carries on with a new session
    assert other.get("/console").headers["Location"].startswith("/login")
    assert me(app, token).status_code == 401
    assert app.test_client().post("/login", data={"username": "operator", "password": "hotline-demo"}).status_code == 401
    assert logged_in_page(app, password="new-secret-1").get("/console").status_code == 200


def test_the_password_page_refuses_a_wrong_old_password_in_chinese(app, pages):
    client = pages.client("operator")
    response = client.post("/account/password", data={"old_password": "nope-nope", "new_password": "new-secret-1",
                                                      "confirm": "new-secret-1"})
    assert response.status_code == 422 and "原密码不正确" in text(response)
    mismatch = client.post("/account/password", data={"old_password": "hotline-demo", "new_password": "new-secret-1",
                                                      "confirm": "new-secret-2"})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in text(mismatch)


def test_every_role_has_the_password_page(app, pages):
    for username in ("operator", "dispatcher", "dept_ecology", "followup", "supervisor", "admin"):
        page = pages.client(username).get("/tickets")
        assert 'href="/account/password"' in text(page), username


def test_changing_the_password_through_the_api(app, api):
    token, other = fresh_token(app, "dispatcher"), fresh_token(app, "dispatcher")
    browser = page_client(app, "dispatcher")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    wrong = client.post("/api/v1/auth/password", json={"old_password": "x" * 8, "new_password": "new-secret-1"},
                        headers=headers)
    assert wrong.status_code == 422 and wrong.get_json()["error"]["message"] == "原密码不正确"
    short = client.post("/api/v1/auth/password", json={"old_password": "hotline-demo", "new_password": "short"},
                        headers=headers)
    assert short.status_code == 422
    done = client.post("/api/v1/auth/password", json={"old_password": "hotline-demo",
                                                      "new_password": "new-secret-1"}, headers=headers)
    assert done.status_code == 200 and done.get_json()["ended_sessions"] >= 3
    assert me(app, token).status_code == 401 and me(app, other).status_code == 401
    assert browser.get("/tickets").headers["Location"].startswith("/login")
    again = client.post("/api/v1/auth/token", json={"username": "dispatcher", "password": "new-secret-1"})
    assert again.status_code == 201


def user_id(app, username):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.departments.models import User

    with app.app_context():
        return session().query(User).filter_by(username=username).one().id


def test_an_admin_reset_ends_the_users_sessions(app, api):
    victim_token, browser = fresh_token(app, "followup"), page_client(app, "followup")
    uid = user_id(app, "followup")
    with unchanged(app):
        refused = api.post(f"/users/{uid}/password", {"new_password": "reset-secret-1"}, user="supervisor")
    assert refused.status_code == 403
    done = api.post(f"/users/{uid}/password", {"new_password": "reset-secret-1"}, user="admin")
    assert done.status_code == 200 and "password_hash" not in done.get_json()
    assert me(app, victim_token).status_code == 401
    assert browser.get("/followups").headers["Location"].startswith("/login")
    assert api.post("/auth/token", {"username": "followup", "password": "reset-secret-1"}, user=None).status_code == 201
    with unchanged(app):
        assert api.post("/users/999999/password", {"new_password": "reset-secret-1"},
                        user="admin").status_code == 404


def test_disabling_a_user_ends_everything_and_blocks_login(app, api):
    token, browser = fresh_token(app, "dept_ecology"), page_client(app, "dept_ecology")
    uid = user_id(app, "dept_ecology")
    off = api.post(f"/users/{uid}/active", {"active": False}, user="admin")
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert me(app, token).status_code == 401
    assert browser.get("/tickets").headers["Location"].startswith("/login")
    login = {"username": "dept_ecology", "password": "hotline-demo"}
    assert api.post("/auth/token", login, user=None).status_code == 401
    app.config["WTF_CSRF_ENABLED"] = False
    assert app.test_client().post("/login", data=login).status_code == 401
    assert api.post(f"/users/{uid}/active", {"active": True}, user="admin").status_code == 200
    assert api.post("/auth/token", login, user=None).status_code == 201


def test_an_admin_cannot_disable_themselves(app, api):
    uid = user_id(app, "admin")
    response = api.post(f"/users/{uid}/active", {"active": False}, user="admin")
    assert response.status_code == 422 and "不能停用自己" in response.get_json()["error"]["message"]


def test_the_service_functions_other_pages_call(app, db):
    from hotline.auth import service
    from hotline.departments.models import User
    from hotline.errors import Forbidden, Unauthorized

    admin = db.query(User).filter_by(username="admin").one()
    staff = db.query(User).filter_by(username="dept_water").one()
    now = utcnow()
    token = service.token_for(db, user=staff, now=now, ttl_hours=1)
    assert service.change_password(db, user=staff, old="hotline-demo", new="water-secret-1", now=now) == 1
    with pytest.raises(Unauthorized):
        service.user_for_token(db, token=token, now=now)
    with pytest.raises(Forbidden):
        service.reset_password(db, user=admin, new="whatever-123", actor=staff, now=now)
    with pytest.raises(Forbidden):
        service.set_user_active(db, user=admin, active=False, actor=staff, now=now)
    token = service.token_for(db, user=staff, now=now, ttl_hours=1)
    assert service.set_user_active(db, user=staff, active=False, actor=admin, now=now) == 1
    assert staff.active is False
    assert service.authenticate(db, username="dept_water", password="water-secret-1") is None
