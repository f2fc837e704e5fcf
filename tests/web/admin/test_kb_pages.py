"""知识库管理 pages: a department's draft reaches the review queue, is published and then found by search;
edits make versions; import checks every row and writes all or none; export is access-logged."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests.knowledge.helpers import act, create
from tests.support.footprint import unchanged
from tests.web.conftest import text

FORM = {"title": "居住证办理需要哪些材料", "department": "police", "questions": "居住证怎么办\n办居住证要带什么",
        "answer": "携带身份证、租房合同或房产证明到居住地派出所办理，15个工作日内领证。", "tags": "居住证、户籍",
        "effective_from": "", "expires_on": "", "status": "draft"}


def found(api, q: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [item["title"] for item in api.get(f"/kb/search?q={q}").get_json()["items"]]


def article_id_of(location: str) -> int:
    return int(re.search(r"/admin/kb/(\d+)$", location).group(1))  # type: ignore[union-attr]


def test_a_department_draft_is_reviewed_and_published_from_the_queue(pages, api):
    draft = create(api, user="dept_gas", status=None)
    act(api, draft["id"], "submit", "dept_gas")
    supervisor = pages.client("supervisor")
    queue = text(supervisor.get("/admin/kb/review"))
    assert draft["title"] in queue and "滨江燃气集团" in queue
    assert draft["title"] not in found(api, "燃气表欠费停气")
    response = supervisor.post(f"/admin/kb/{draft['id']}/approve", data={"version": str(draft["version"] + 1),
                                                                        "next": "review"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/kb/review"
    assert "已审核发布" in text(supervisor.get("/admin/kb/review"))
    assert draft["title"] in found(api, "燃气表欠费停气")


def test_an_article_created_edited_and_restored_on_the_pages(pages, api):
    admin = pages.client("admin")
    response = admin.post("/admin/kb/new", data={**FORM, "status": "published"})
    assert response.status_code == 302
    article_id = article_id_of(response.headers["Location"])
    page = text(admin.get(f"/admin/kb/{article_id}"))
    assert "已新建知识条目「居住证办理需要哪些材料」" in page and "已发布" in page and "第 1 版" in page
    assert "居住证办理需要哪些材料" in found(api, "居住证 材料")
    edited = admin.post(f"/admin/kb/{article_id}", data={**FORM, "answer": "请到派出所办理，10个工作日内领证。",
                                                         "version": "1", "note": "办理时限缩短"})
    assert edited.status_code == 302
    page = text(admin.get(f"/admin/kb/{article_id}"))
    assert "当前为第 2 版" in page and "标准答复" in page and "办理时限缩短" in page
    with unchanged(pages.app):
        stale = admin.post(f"/admin/kb/{article_id}", data={**FORM, "answer": "过时页面的修改", "version": "1"})
    assert stale.status_code == 409 and "请刷新后重试" in text(stale)
    restored = admin.post(f"/admin/kb/{article_id}/restore", data={"version": "2", "version_number": "1"})
    assert restored.status_code == 302
    detail = api.get(f"/kb/articles/{article_id}", user="admin").get_json()
    assert detail["version"] == 3 and "15个工作日" in detail["answer"]


@pytest.mark.parametrize(("change", "message"), [
    ({"title": ""}, "标题必填"), ({"answer": ""}, "标准答复必填"), ({"department": ""}, "所属单位必填"),
    ({"department": "nowhere"}, "nowhere"), ({"expires_on": "2026-02-30"}, "失效日期"),
    ({"effective_from": "2027-01-01", "expires_on": "2026-01-01"}, "失效日期不能早于生效日期"),
    ({"tags": "a|b"}, "不能包含 |"), ({"title": "题" * 201}, "标题：不能超过 200 字"),
])
def test_bad_article_forms_are_refused_in_chinese(pages, app, change, message):
    admin = pages.client("admin")
    with unchanged(app):
        response = admin.post("/admin/kb/new", data={**FORM, **change})
    assert 400 <= response.status_code < 500
    page = text(response)
    assert message in page and 'id="new-article"' in page
    assert "expires_on" not in page.split('id="new-article"')[0].split("<main>")[-1]  # no field codes in the message


def test_reject_needs_a_note_and_sends_the_article_back(pages, api):
    draft = create(api, user="dept_gas", status=None)
    act(api, draft["id"], "submit", "dept_gas")
    admin = pages.client("admin")
    with unchanged(pages.app):
        refused = admin.post(f"/admin/kb/{draft['id']}/reject", data={"version": "2", "note": ""})
    assert refused.status_code == 422 and "退回须填写说明" in text(refused)
    assert admin.post(f"/admin/kb/{draft['id']}/reject", data={"version": "2", "note": "答复缺少缴费渠道"}).status_code == 302
    detail = api.get(f"/kb/articles/{draft['id']}", user="dept_gas").get_json()
    assert (detail["status"], detail["review_note"]) == ("draft", "答复缺少缴费渠道")
    with unchanged(pages.app):
        wrong_state = admin.post(f"/admin/kb/{draft['id']}/approve", data={})
    assert wrong_state.status_code == 409 and "不能执行此操作" in text(wrong_state)


def csv_file(rows: list[str]) -> tuple[io.BytesIO, str]:
    header = "title,questions,answer,department,tags,effective_from,expires_on"
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode()), "kb.csv"


def status_page(client, response, work) -> str:  # type: ignore[no-untyped-def]
    """Follow an upload to its status page once the worker has run its job."""
    assert response.status_code == 302, text(response)
    work()
    return text(client.get(response.headers["Location"]))


def test_import_checks_every_row_and_writes_all_or_none(pages, qapp, api, work):
    from hotline.db import session
    from hotline.knowledge.models import Article

    def count() -> int:
        with qapp.app_context():
            return session().scalar(select(func.count(Article.id))) or 0

    before = count()
    admin = pages.client("admin")
    good = "井盖松动找谁,井盖响|井盖坏了,由市城市管理局负责维修，24小时内到场。,urban,市政,,"
    bad = "没有单位的条目,,答复,nowhere,,,"
    with unchanged(qapp, skip={"kb_imports"}):  # only the import's own record is written
        response = admin.post("/admin/kb/import", data={"file": csv_file([good, bad]), "status": "published"},
                              content_type="multipart/form-data")
        page = status_page(admin, response, work)
        assert "未写入任何条目" in page and "nowhere" in page and 'id="rejected">1<' in page
        checked = admin.post("/admin/kb/import", data={"file": csv_file([good]), "dry_run": "1"},
                             content_type="multipart/form-data")
        assert "检查完成（未写入）" in status_page(admin, checked, work)
    assert count() == before
    done = admin.post("/admin/kb/import", data={"file": csv_file([good]), "status": "published"},
                      content_type="multipart/form-data")
    page = status_page(admin, done, work)
    assert "导入完成" in page and re.search(r'id="created">1<', page)
    assert count() == before + 1 and "井盖松动找谁" in found(api, "井盖松动")
    recent = text(admin.get("/admin/kb/import"))
    assert recent.count("系统管理员") >= 3 and "只检查" in recent and "完成" in recent
    with unchanged(qapp):  # a refused upload stores nothing, not even an import record
        empty = admin.post("/admin/kb/import", data={"status": "published"}, content_type="multipart/form-data")
        assert empty.status_code == 422 and "请选择要导入的文件" in text(empty)
        latin = admin.post("/admin/kb/import", data={"file": (io.BytesIO("标题".encode("gbk")), "kb.csv")},
                           content_type="multipart/form-data")
    assert latin.status_code == 422 and "UTF-8" in text(latin)


def test_export_downloads_what_import_reads_back_and_is_logged(pages, qapp, work):
    admin = pages.client("admin")
    response = admin.get("/admin/kb/export?format=csv&status=published")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufefftitle,") and "燃气" in body
    again = admin.post("/admin/kb/import", data={"file": (io.BytesIO(body.encode()), "kb.csv"), "dry_run": "1"},
                       content_type="multipart/form-data")
    page = status_page(admin, again, work)
    assert re.search(r'id="created">0<', page) and re.search(r'id="updated">0<', page)
    from hotline.auth.models import AccessLog
    from hotline.db import session

    with qapp.app_context():
        assert session().scalar(select(AccessLog.action).order_by(AccessLog.id.desc()).limit(1)) == "export_kb"


def test_the_list_filters_by_state_and_words(pages, api):
    create(api, user="dept_gas", status=None)
    page = text(pages.client("supervisor").get("/admin/kb?status=draft"))
    assert "燃气表欠费停气后如何恢复供气" in page and "草稿" in page
    assert "燃气表欠费停气后如何恢复供气" not in text(pages.client("supervisor").get("/admin/kb?status=retired"))


@pytest.mark.parametrize("user", ["operator", "followup", "dispatcher"])
def test_only_departments_supervisors_and_admins_open_the_knowledge_pages(pages, api, user):
    article = create(api, status="published")
    client = pages.client(user)
    with unchanged(pages.app):
        for path in ("/admin/kb", "/admin/kb/review", "/admin/kb/import", "/admin/kb/1", "/admin/kb/export",
                     "/admin/kb/imports/1", "/admin/kb/imports/1/progress"):
            assert client.get(path).status_code == 403, path
        for action in ("retire", "approve", "reject"):
            assert client.post(f"/admin/kb/{article['id']}/{action}", data={"version": "1", "note": "x"}
                               ).status_code == 403, action
        assert client.post(f"/admin/kb/{article['id']}", data={**FORM, "version": "1"}).status_code == 403
        assert client.post("/admin/kb/new", data=FORM).status_code == 403


def test_department_staff_propose_their_own_articles_and_cannot_publish(pages, api):
    other = create(api, user="dept_water", status=None, title="自来水水压低怎么办", department="water",
                   questions=["水压低"], tags=["供水"])
    gas = pages.client("dept_gas")
    page = text(gas.get("/admin/kb/new"))
    assert "滨江燃气集团" in page and "市水务局" not in page and "已发布" not in page  # own unit, no publishing
    response = gas.post("/admin/kb/new", data={**FORM, "title": "燃气灶点不着火怎么办", "department": "gas",
                                               "status": "draft"})
    assert response.status_code == 302
    article_id = article_id_of(response.headers["Location"])
    page = text(gas.get(f"/admin/kb/{article_id}"))
    assert "送审" in page and "审核发布" not in page and "下线" not in page
    assert gas.post(f"/admin/kb/{article_id}/submit", data={"version": "1"}).status_code == 302
    queue = text(gas.get("/admin/kb/review"))
    assert "燃气灶点不着火怎么办" in queue and "等待督办审核" in queue and other["title"] not in queue
    with unchanged(pages.app):
        refused = gas.post(f"/admin/kb/{article_id}/approve", data={"version": "2"})
    assert refused.status_code == 403 and "只有督办或管理员" in text(refused)
    assert other["title"] not in text(gas.get("/admin/kb?status=draft"))  # another unit's draft stays hidden
    assert gas.get(f"/admin/kb/{other['id']}").status_code == 404
    with unchanged(pages.app):
        foreign = gas.post("/admin/kb/new", data={**FORM, "title": "水费怎么交", "department": "water"})
    assert foreign.status_code == 403 and "只能提交或修改本单位的知识条目" in text(foreign)
    for path in ("/admin/kb/import", "/admin/kb/export", "/admin/kb/imports/1"):
        assert gas.get(path).status_code == 403
