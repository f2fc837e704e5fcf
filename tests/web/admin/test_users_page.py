"""用户管理: admins create, disable, re-enable, reset and re-role accounts; bad input is told in Chinese."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.footprint import unchanged
from tests.web.conftest import text

NEW = {"username": "wang_li", "display_name": "话务员小汪", "role": "operator", "department": "",
       "password": "secret-pass-1"}


def stored_user(app, username: str):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.departments.models import User

    with app.app_context():
        return session().scalar(select(User).where(User.username == username))


def login(app, username: str, password: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    return client, client.post("/login", data={"username": username, "password": password})


def test_the_list_shows_people_with_chinese_roles_and_units(pages):
    page = text(pages.client("admin").get("/admin/users"))
    assert "用户管理" in page and "话务员小王" in page and "市水务局" in page and "承办单位" in page
    assert "channel" not in page and "市民自助渠道" not in page  # the channels' system users are not people
    filtered = text(pages.client("admin").get("/admin/users?role=followup"))
    assert "回访员小周" in filtered and "话务员小王" not in filtered


@pytest.mark.parametrize("user", ["operator", "supervisor", "dept_water"])
def test_only_admins_open_the_page(pages, app, user):
    client = pages.client(user)
    uid = stored_user(app, "followup").id
    with unchanged(app):
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/users", data=NEW).status_code == 403
        assert client.post(f"/admin/users/{uid}/active", data={"active": "0"}).status_code == 403
        assert client.post(f"/admin/users/{uid}/role", data={"role": "admin"}).status_code == 403
        assert client.post(f"/admin/users/{uid}/password", data={"new_password": "brand-new-pass"}).status_code == 403


def test_a_new_user_logs_in_with_the_role_and_unit_given(pages, app):
    response = pages.client("admin").post("/admin/users", data={**NEW, "username": "li_water", "role": "department",
                                                                "department": "water"})
    assert response.status_code == 302
    user = stored_user(app, "li_water")
    assert (user.role, user.department.code, user.active) == ("department", "water", True)
    assert user.password_hash != NEW["password"]
    client, answer = login(app, "li_water", NEW["password"])
    assert answer.status_code == 302
    assert "市水务局" in text(client.get("/tickets"))


@pytest.mark.parametrize(("change", "message"), [
    ({"username": ""}, "登录名须为"), ({"username": "有空 格"}, "登录名须为"), ({"username": "operator"}, "已被使用"),
    ({"role": ""}, "请选择有效的角色"), ({"role": "channel"}, "请选择有效的角色"),
    ({"role": "department", "department": ""}, "必须选择所属单位"),
    ({"role": "department", "department": "nowhere"}, "不存在或已停用"), ({"password": "short"}, "8 到 200 位"),
])
def test_bad_input_shows_the_form_again_with_the_reason(pages, app, change, message):
    admin = pages.client("admin")
    with unchanged(app):
        response = admin.post("/admin/users", data={**NEW, **change})
    assert response.status_code == 422
    page = text(response)
    assert message in page and 'id="create-user"' in page
    if change.get("username") != "operator":
        assert stored_user(app, NEW["username"]) is None


def test_disable_ends_the_sessions_and_enable_lets_the_user_back(pages, app):
    operator = pages.client("operator")
    assert operator.get("/console").status_code == 200
    admin = pages.client("admin")
    uid = stored_user(app, "operator").id
    response = admin.post(f"/admin/users/{uid}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "已停用用户" in text(admin.get("/admin/users"))
    assert operator.get("/console").status_code == 302  # back to the login page
    assert login(app, "operator", "hotline-demo")[1].status_code == 401
    admin.post(f"/admin/users/{uid}/active", data={"active": "1"})
    assert login(app, "operator", "hotline-demo")[1].status_code == 302


def test_an_admin_cannot_disable_or_demote_themself(pages, app):
    admin = pages.client("admin")
    uid = stored_user(app, "admin").id
    with unchanged(app):
        assert "不能停用自己的账号" in text(admin.post(f"/admin/users/{uid}/active", data={"active": "0"}))
        assert "不能取消自己的管理员角色" in text(admin.post(f"/admin/users/{uid}/role", data={"role": "operator"}))
    assert stored_user(app, "admin").active and stored_user(app, "admin").role == "admin"


def test_reset_password_replaces_the_old_one(pages, app):
    admin = pages.client("admin")
    uid = stored_user(app, "followup").id
    with unchanged(app):
        assert "8 到 200 位" in text(admin.post(f"/admin/users/{uid}/password", data={"new_password": "x"}))
    assert admin.post(f"/admin/users/{uid}/password", data={"new_password": "brand-new-pass"}).status_code == 302
    assert login(app, "followup", "hotline-demo")[1].status_code == 401
    assert login(app, "followup", "brand-new-pass")[1].status_code == 302


def test_a_role_change_applies_at_once(pages, app):
    dispatcher = pages.client("dispatcher")
    uid = stored_user(app, "dispatcher").id
    admin = pages.client("admin")
    assert admin.post(f"/admin/users/{uid}/role", data={"role": "department", "department": "gas"}).status_code == 302
    user = stored_user(app, "dispatcher")
    assert (user.role, user.department.code) == ("department", "gas")
    assert dispatcher.get("/tickets").status_code == 302  # the old session with the old rights ended
    with unchanged(app):
        assert admin.post("/admin/users/999999/role", data={"role": "operator"}).status_code == 404
