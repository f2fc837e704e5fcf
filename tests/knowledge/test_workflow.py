"""Review workflow and permissions, versioning and restore."""

from __future__ import annotations

from tests.knowledge.helpers import act, create, put
from tests.support.footprint import unchanged


def test_department_proposes_and_supervisor_publishes(api):
    draft = create(api, user="dept_gas", department=None)
    assert draft["status"] == "draft" and draft["department"] == "gas" and draft["version"] == 1
    assert api.get(f"/kb/articles/{draft['id']}", user="operator").status_code == 404  # drafts do not leak
    submitted = act(api, draft["id"], "submit", "dept_gas")
    assert submitted["status"] == "review"
    act(api, draft["id"], "approve", "dept_gas", expect=403)
    act(api, draft["id"], "approve", "operator", expect=404)  # not visible before publication
    published = act(api, draft["id"], "approve", "supervisor")
    assert published["status"] == "published" and published["version"] == 3
    assert [v["action"] for v in published["versions"]] == ["create", "submit", "approve"]
    assert published["versions"][-1]["actor"] == "督办科刘科长"
    assert api.get(f"/kb/articles/{draft['id']}", user="operator").status_code == 200


def test_department_cannot_publish_or_touch_another_department(api):
    create(api, user="dept_gas", expect=403, department="water")
    create(api, user="dept_gas", expect=403, department=None, status="published")
    create(api, user="operator", expect=403)
    mine = create(api, user="dept_water", department=None)
    put(api, mine["id"], {"answer": "改写"}, user="dept_gas", expect=404)  # another unit's draft is invisible
    published = create(api, department="water", status="published", title="供水管道维修")
    put(api, published["id"], {"answer": "改写"}, user="dept_gas", expect=403)
    act(api, published["id"], "retire", "dept_water", expect=403)
    put(api, published["id"], {"department": "gas"}, user="dept_water", expect=403)


def test_reject_needs_note_and_goes_back_to_draft(api):
    article = create(api, user="dept_gas", department=None)
    act(api, article["id"], "submit", "dept_gas")
    act(api, article["id"], "reject", "supervisor", {}, expect=422)
    rejected = act(api, article["id"], "reject", "supervisor", {"note": "缺少办理时限"})
    assert rejected["status"] == "draft" and rejected["review_note"] == "缺少办理时限"
    act(api, article["id"], "approve", "supervisor", expect=409)  # only from review


def test_department_edit_of_published_article_goes_back_to_review(api):
    article = create(api, department="gas", status="published")
    edited = put(api, article["id"], {"answer": "新的标准答复。", "version": article["version"]}, user="dept_gas")
    assert edited["status"] == "review" and edited["version"] == 2
    assert edited["versions"][-1]["changed"] == ["answer", "status"]
    put(api, article["id"], {"answer": "再改", "version": 1}, user="dept_gas", expect=409)  # stale version
    again = put(api, article["id"], {"title": "主管改标题"}, user="supervisor")
    assert again["status"] == "review"


def test_versions_and_restore(api):
    article = create(api, status="published")
    original = article["answer"]
    put(api, article["id"], {"answer": "第二版答复。", "tags": ["燃气"]}, user="supervisor")
    third = put(api, article["id"], {"answer": "第三版答复。"}, user="supervisor")
    assert [v["number"] for v in third["versions"]] == [1, 2, 3]
    assert third["versions"][1]["content"]["answer"] == "第二版答复。"
    act(api, article["id"], "restore", "dept_gas", {"version_number": 1}, expect=403)
    act(api, article["id"], "restore", "supervisor", {"version_number": 99}, expect=422)
    restored = act(api, article["id"], "restore", "supervisor", {"version_number": 1})
    assert restored["answer"] == original and restored["tags"] == ["燃气", "缴费"]
    assert restored["version"] == 4 and restored["versions"][-1]["action"] == "restore"
    assert restored["versions"][-1]["changed"] == ["answer", "tags"]
    assert restored["status"] == "published"


def test_bad_input_is_a_4xx_and_writes_nothing(api):
    with unchanged(api.app):
        assert api.post("/kb/articles", {"title": "缺答复", "department": "gas"},
                        user="supervisor").status_code == 422
        for bad in ({"department": "nowhere"}, {"expires_on": "2026-02-30"}, {"expires_on": "tomorrow"},
                    {"effective_from": "2027-01-01", "expires_on": "2026-01-01"}, {"questions": "not a list"},
                    {"unknown": 1}, {"status": "retired"}):
            response = api.post("/kb/articles", {**{"title": "t", "answer": "a", "department": "gas"}, **bad},
                                user="supervisor")
            assert response.status_code == 422, (bad, response.get_json())
        assert api.post("/kb/articles/1/explode", {}, user="supervisor").status_code == 404
        before = api.get("/kb/articles?per_page=1", user="supervisor").get_json()["total"]
        assert api.get("/kb/articles?status=nonsense", user="supervisor").status_code == 422
        assert api.get("/kb/articles?per_page=1", user="supervisor").get_json()["total"] == before


def test_list_filters_and_paging(api, empty_kb):
    create(api, title="甲条目", department="water", tags=["供水"], status="published")
    create(api, title="乙条目", department="water", tags=["水费"])
    body = api.get("/kb/articles?department=water&tag=供水", user="supervisor").get_json()
    assert [a["title"] for a in body["items"]] == ["甲条目"]
    drafts = api.get("/kb/articles?department=water&status=draft", user="operator").get_json()
    assert drafts["total"] == 0
    mine = api.get("/kb/articles?department=water&status=draft", user="dept_water").get_json()
    assert [a["title"] for a in mine["items"]] == ["乙条目"]
    page = api.get("/kb/articles?department=water&per_page=1&page=2", user="supervisor").get_json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_one_title_per_department(api, empty_kb):
    first = create(api, status="published")
    create(api, expect=409)
    create(api, department="water")  # another department may use the same title
    other = create(api, title="另一个标题")
    put(api, other["id"], {"title": first["title"]}, user="supervisor", expect=409)
