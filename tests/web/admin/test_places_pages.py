"""单位管理 and 区域管理: what admins change here is what the intake forms and dispatch offer next."""

from __future__ import annotations

import pytest

from tests.support.footprint import unchanged
from tests.web.conftest import text


def test_a_new_department_is_offered_for_dispatch_and_a_switched_off_one_is_not(pages, api):
    admin = pages.client("admin")
    response = admin.post("/admin/departments", data={"code": "culture", "name": "市文化广电旅游局",
                                                      "category": "municipal", "district": ""})
    assert response.status_code == 302
    assert "已添加单位「市文化广电旅游局」" in text(admin.get("/admin/departments"))
    assert admin.post("/admin/departments/gas", data={"active": "0"}).status_code == 302
    console = text(pages.client("operator").get("/console"))
    assert "市文化广电旅游局" in console and "滨江燃气集团" not in console
    codes = [d["code"] for d in api.get("/departments").get_json()["items"]]
    assert "culture" in codes and "gas" not in codes
    page = text(admin.get("/admin/departments"))
    assert "滨江燃气集团" in page and "已停用" in page  # still listed for the admin, to switch back on


def test_a_department_is_renamed_and_moved_to_a_district(pages, app):
    admin = pages.client("admin")
    response = admin.post("/admin/departments/gov_gaoxin", data={"name": "高新技术开发区管委会",
                                                                 "category": "district", "district": "高新区"})
    assert response.status_code == 302
    from hotline.db import session
    from hotline.departments.service import get_department

    with app.app_context():
        row = get_department(session(), code="gov_gaoxin")
        assert (row.name, row.category, row.district) == ("高新技术开发区管委会", "district", "高新区")


@pytest.mark.parametrize(("path", "form", "message"), [
    ("/admin/departments", {"code": "Culture!", "name": "某局", "category": "municipal"}, "单位代码须以小写字母开头"),
    ("/admin/departments", {"code": "water", "name": "某局", "category": "municipal"}, "单位代码「water」已存在"),
    ("/admin/departments", {"code": "abc", "name": "市水务局", "category": "municipal"}, "单位名称「市水务局」已存在"),
    ("/admin/departments", {"code": "abc", "name": "", "category": "municipal"}, "单位名称必填"),
    ("/admin/departments", {"code": "abc", "name": "某局", "category": "bank"}, "请选择有效的单位类别"),
    ("/admin/departments", {"code": "abc", "name": "某区政府", "category": "district"}, "区政府类单位须选择所属区"),
    ("/admin/departments", {"code": "abc", "name": "某局", "category": "municipal", "district": "火星区"},
     "不在区域列表中"),
    ("/admin/departments/nowhere", {"active": "0"}, "单位 nowhere 不存在"),
    ("/admin/districts", {"code": "9x", "name": "某区"}, "区代码须以小写字母开头"),
    ("/admin/districts", {"code": "donghu", "name": "某区"}, "已存在"),
    ("/admin/districts", {"code": "abc", "name": ""}, "区名称必填"),
    ("/admin/districts/xishan", {"name": "东湖区"}, "区名称「东湖区」已存在"),
    ("/admin/districts/nowhere", {"active": "0"}, "区 nowhere 不存在"),
])
def test_bad_input_is_told_in_chinese_on_the_page(pages, path, form, message):
    admin = pages.client("admin")
    with unchanged(pages.app):
        response = admin.post(path, data=form)
    assert 400 <= response.status_code < 500
    page = text(response)
    assert message in page and "<h1>" in page


def test_districts_added_and_switched_off_on_the_page_reach_the_citizen_form(pages, app):
    admin = pages.client("admin")
    assert admin.post("/admin/districts", data={"code": "linjiang", "name": "临江新区"}).status_code == 302
    assert admin.post("/admin/districts/beicheng", data={"active": "0"}).status_code == 302
    assert admin.post("/admin/districts/xishan", data={"name": "西山新区"}).status_code == 302
    page = text(admin.get("/admin/districts"))
    assert "临江新区" in page and "西山新区" in page and "已停用" in page
    public = text(app.test_client().get("/public/submit"))
    assert "临江新区" in public and "西山新区" in public and "北城区" not in public


@pytest.mark.parametrize("user", ["operator", "supervisor", "dispatcher"])
def test_only_admins_change_departments_and_districts(pages, user):
    client = pages.client(user)
    with unchanged(pages.app):
        for path in ("/admin/departments", "/admin/districts"):
            assert client.get(path).status_code == 403
        assert client.post("/admin/districts", data={"code": "x", "name": "某区"}).status_code == 403
        assert client.post("/admin/districts/xishan", data={"name": "西山新区"}).status_code == 403
        assert client.post("/admin/departments", data={"code": "abc", "name": "某局",
                                                       "category": "municipal"}).status_code == 403
        assert client.post("/admin/departments/water", data={"active": "0"}).status_code == 403


def test_the_admin_start_page_links_every_admin_page(pages):
    page = text(pages.client("admin").get("/admin"))
    for link in ('href="/admin/users"', 'href="/admin/departments"', 'href="/admin/districts"'):
        assert link in page, link
