"""Login, logout, role checks, the landing page of each role and the session cookie."""

from __future__ import annotations

import pytest

from tests.web.conftest import text


def test_anonymous_pages_redirect_to_login(pages):
    client = pages.client()
    for path in ("/", "/console", "/tickets", "/tickets/1", "/followups"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next=")


def test_login_sets_a_safe_session_cookie_and_goes_to_the_role_page(pages):
    client = pages.client()
    page = client.get("/login")
    assert page.status_code == 200 and "登录" in text(page)
    response = client.post("/login?next=/tickets", data={"username": "operator", "password": "hotline-demo"})
    assert response.status_code == 302 and response.headers["Location"] == "/tickets"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/")
    assert home.headers["Location"] == "/console"
    console = client.get("/console")
    assert "话务员小王" in text(console) and "受理台" in text(console)


@pytest.mark.parametrize("password", ["wrong-password", ""])
def test_bad_login_shows_a_chinese_message(pages, password):
    response = pages.client().post("/login", data={"username": "operator", "password": password})
    assert response.status_code == 401
    assert "用户名或密码错误" in text(response) or "请输入密码" in text(response)


def test_login_never_redirects_off_site(pages):
    client = pages.client()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={target}", data={"username": "operator", "password": "hotline-demo"})
        assert response.headers["Location"] == "/", target


def test_logout_ends_the_session(pages):
    client = pages.client("dispatcher")
    assert client.get("/tickets").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/tickets").status_code == 302


def test_a_session_expires_with_the_token_lifetime(pages, app):
    from datetime import timedelta

    import time_machine

    from tests.support.factories import T0

    with time_machine.travel(T0, tick=False):
        client = pages.client()
        client.post("/login", data={"username": "operator", "password": "hotline-demo"})
        assert client.get("/console").status_code == 200
    hours = app.config["TOKEN_TTL_HOURS"]
    with time_machine.travel(T0 + timedelta(hours=hours, minutes=-1), tick=False):
        assert client.get("/console").status_code == 200
    with time_machine.travel(T0 + timedelta(hours=hours, minutes=1), tick=False):
        assert client.get("/console").headers["Location"].startswith("/login")


def test_inactive_user_is_logged_out(pages, app):
    from hotline.db import session
    from hotline.departments.models import User

    client = pages.client("operator")
    with app.app_context():
        db = session()
        db.query(User).filter_by(username="operator").one().active = False
        db.commit()
    assert client.get("/console").status_code == 302


@pytest.mark.parametrize(("user", "landing"), [("operator", "/console"), ("dept_ecology", "/tickets"),
                                              ("followup", "/followups"), ("dispatcher", "/desk"),
                                              ("supervisor", "/supervision"), ("admin", "/admin")])
def test_home_redirects_by_role(pages, user, landing):
    assert pages.client(user).get("/").headers["Location"] == landing


@pytest.mark.parametrize(("user", "path"), [("dept_ecology", "/console"), ("followup", "/console"),
                                           ("operator", "/followups"), ("dept_ecology", "/followups"),
                                           ("dept_ecology", "/console/assist/kb")])
def test_pages_a_role_may_not_see_answer_403_in_chinese(pages, user, path):
    client = pages.client(user)
    response = client.post(path, json={"text": "x"}) if "assist" in path else client.get(path)
    assert response.status_code == 403
    assert "无权访问" in text(response)


def test_header_counts_are_scoped_to_the_user(pages, api):
    mine = api.create()
    api.act(mine["id"], "dispatch", "dispatcher", {"department": "ecology"})
    other = api.create()
    api.act(other["id"], "dispatch", "dispatcher", {"department": "water"})
    api.act(other["id"], "sign", "dept_water")
    ecology = text(pages.client("dept_ecology").get("/tickets"))
    assert '<b id="count-dispatched">1</b>' in ecology and '<b id="count-in-progress">0</b>' in ecology
    centre = text(pages.client("dispatcher").get("/tickets"))
    assert '<b id="count-dispatched">1</b>' in centre and '<b id="count-in-progress">1</b>' in centre


def test_pages_send_a_strict_content_security_policy(pages):
    response = pages.client("operator").get("/console")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    css = pages.client().get("/assets/hotline.css")
    assert css.status_code == 200 and b"--brand" in css.data


def test_every_page_route_needs_a_login(app, pages):
    import re

    client, checked = pages.client(), 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("web.") or rule.endpoint in ("web.login", "web.logout", "web.static"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method)
            assert response.status_code == 302, (method, rule.rule)
            assert response.headers["Location"].startswith("/login"), (method, rule.rule)
            checked += 1
    assert checked >= 9
