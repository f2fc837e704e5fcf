"""Knowledge-base imports as background jobs: stored uploads, real RQ jobs, batches committed with their
progress, a resumed run after a crash, a failure that says what was written, and the sweep's pick-up."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from tests.web.conftest import text

HEADER = "title,questions,answer,department,tags,effective_from,expires_on"


def csv_upload(rows: list[str], name: str = "kb.csv") -> tuple[io.BytesIO, str]:
    return io.BytesIO(("\n".join([HEADER, *rows]) + "\n").encode()), name


def rows(n: int, prefix: str = "导入测试条目") -> list[str]:
    return [f"{prefix}{i:03d},问法{i},第{i}条的标准答复：请向市城市管理局咨询。,urban,市政," for i in range(n)]


def client(app: Any, user: str = "admin") -> Any:
    from tests.support.sessions import page_client

    app.config["WTF_CSRF_ENABLED"] = False
    return page_client(app, user)


def upload(app: Any, files: list[str], **form: str) -> int:
    """Upload as the admin; returns the import's id from the status page it redirects to."""
    response = client(app).post("/admin/kb/import", data={"file": csv_upload(files), "status": "published", **form},
                                content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def record(app: Any, import_id: int) -> Any:
    from hotline.db import session
    from hotline.knowledge.models import ArticleImport

    with app.app_context():
        found = session().get(ArticleImport, import_id)
        session().expunge(found)
        return found


def titles(app: Any, prefix: str = "导入测试条目") -> list[str]:
    from hotline.db import session
    from hotline.knowledge.models import Article

    with app.app_context():
        return sorted(session().scalars(select(Article.title).where(Article.title.startswith(prefix))))


def test_an_upload_is_stored_queued_and_run_by_a_worker_in_batches(qapp, conn, work):
    from rq import Queue

    from workers.jobs import kb_import
    from workers.queues import PERIODIC

    import_id = upload(qapp, rows(120))
    queued = record(qapp, import_id)
    assert (queued.state, queued.uploaded_by_name, queued.filename) == ("queued", "系统管理员", "kb.csv")
    assert Queue(PERIODIC, connection=conn).job_ids == [f"kb-import-{import_id}"]
    assert "排队中" in text(client(qapp).get(f"/admin/kb/imports/{import_id}"))

    work()
    done = record(qapp, import_id)
    assert (done.state, done.total, done.processed, done.created, done.updated, done.rejected) == \
        ("done", 120, 120, 120, 0, 0)
    assert len(titles(qapp)) == 120
    assert kb_import(import_id) == "nothing to do"  # a second run changes nothing
    assert len(titles(qapp)) == 120
    progress = client(qapp).get(f"/admin/kb/imports/{import_id}/progress").get_json()
    assert progress == {"id": import_id, "state": "done", "label": "完成", "finished": True, "total": 120,
                        "processed": 120, "created": 120, "updated": 0, "unchanged": 0, "rejected": 0}


def test_a_crash_after_two_batches_is_resumed_without_writing_twice(qapp):
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.knowledge import imports
    from workers.jobs import kb_import

    import_id = upload(qapp, rows(120))
    with qapp.app_context():  # a run that wrote two batches and was then killed
        db = session()
        claim = imports.start(db, import_id=import_id, now=utcnow())
        db.commit()
        plan = imports.check(db, claim=claim, now=utcnow())
        db.commit()
        for batch in list(imports.batches(plan))[:2]:
            imports.write_batch(db, claim=claim, batch=batch, now=utcnow())
            db.commit()
    halfway = record(qapp, import_id)
    assert (halfway.state, halfway.processed, halfway.created) == ("running", 100, 100)
    assert len(titles(qapp)) == 100
    page = text(client(qapp).get(f"/admin/kb/imports/{import_id}"))
    assert "正在导入" in page and 'id="processed">100<' in page

    assert kb_import(import_id) == "done"
    done = record(qapp, import_id)
    assert (done.state, done.processed, done.created, done.unchanged, done.attempts) == ("done", 120, 120, 0, 2)
    assert len(titles(qapp)) == 120
    with qapp.app_context():  # the stale first run cannot write over its successor
        assert imports.start(session(), import_id=import_id, now=utcnow()) is None


def test_a_failure_midway_says_what_was_written(qapp):
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.departments.models import Department, User
    from hotline.knowledge import imports
    from workers.jobs import kb_import

    import_id = upload(qapp, rows(60))
    with qapp.app_context():
        db = session()
        claim = imports.start(db, import_id=import_id, now=utcnow())
        db.commit()
        imports.write_batch(db, claim=claim, batch=imports.check(db, claim=claim, now=utcnow())[:50], now=utcnow())
        db.commit()
        # Before the rest is written the uploader becomes a water-board clerk, who may not write these rows.
        admin = db.scalar(select(User).where(User.username == "admin"))
        admin.role = "department"
        admin.department_id = db.scalar(select(Department.id).where(Department.code == "water"))
        db.commit()
    assert kb_import(import_id) == "failed"
    failed = record(qapp, import_id)
    assert (failed.state, failed.processed, failed.created) == ("failed", 50, 50)
    assert failed.failure == "只能提交或修改本单位的知识条目"
    assert len(titles(qapp)) == 50  # the committed batch stays; the failed one left nothing
    page = text(client(qapp, "supervisor").get(f"/admin/kb/imports/{import_id}"))
    assert "失败" in page and "只能提交或修改本单位的知识条目" in page and 'id="written">50<' in page
    assert kb_import(import_id) == "nothing to do"


def test_a_bad_file_and_a_check_only_upload_write_nothing(qapp, work):
    good = "井盖松动找谁,井盖响|井盖坏了,由市城市管理局负责维修，24小时内到场。,urban,市政,,"
    bad = "没有单位的条目,,答复,nowhere,,,"
    rejected = upload(qapp, [good, bad, "缺答复的条目,,,urban,,,"])
    checked = upload(qapp, [good], dry_run="1")
    work()
    item = record(qapp, rejected)
    assert (item.state, item.total, item.rejected, item.created, item.processed) == ("done", 3, 2, 0, 3)
    assert [e["row"] for e in item.errors] == [3, 4]
    page = text(client(qapp).get(f"/admin/kb/imports/{rejected}"))
    assert "检查未通过，未写入" in page and "未写入任何条目" in page and "nowhere" in page and "所属单位" in page
    dry = record(qapp, checked)
    assert (dry.state, dry.dry_run, dry.created) == ("done", True, 1)
    assert "检查完成（未写入）" in text(client(qapp).get(f"/admin/kb/imports/{checked}"))
    assert titles(qapp, "井盖松动找谁") == []


def test_the_sweep_enqueues_imports_left_queued_and_the_form_refuses_bad_files(qapp, conn, work):
    from rq import Queue

    from workers import jobs
    from workers.queues import PERIODIC

    qapp.config["QUEUES_ENABLED"] = False  # Redis unreachable at upload time: no job went out
    import_id = upload(qapp, rows(3))
    qapp.config["QUEUES_ENABLED"] = True
    assert Queue(PERIODIC, connection=conn).job_ids == []
    assert jobs.sweep()["imports"] == 1
    assert jobs.sweep()["imports"] == 1 and len(Queue(PERIODIC, connection=conn).job_ids) == 1  # collapsed
    work()
    assert record(qapp, import_id).state == "done" and jobs.sweep()["imports"] == 0

    admin = client(qapp)
    for body, name, message in [("问题,答复\n1,2\n", "kb.csv", "缺少必需的列：标题、标准答复、所属单位"),
                                ('{"articles": ', "kb.json", "不是有效的 JSON"),
                                (HEADER + "\n", "kb.csv", "文件中没有条目"),
                                ("[]", "kb.json", "文件中没有条目")]:
        response = admin.post("/admin/kb/import", data={"file": (io.BytesIO(body.encode()), name)},
                              content_type="multipart/form-data")
        assert response.status_code == 422 and message in text(response), text(response)
    assert len(client(qapp).get("/admin/kb/import").get_data(as_text=True).split('data-id="')) == 2


def test_only_supervisors_and_admins_see_imports(qapp):
    import_id = upload(qapp, rows(1))
    assert client(qapp, "supervisor").get(f"/admin/kb/imports/{import_id}").status_code == 200
    listed = f'href="/admin/kb/imports/{import_id}"'
    assert listed in text(client(qapp, "supervisor").get("/admin/kb"))  # 最近导入 under the article list
    assert listed not in text(client(qapp, "dept_urban").get("/admin/kb"))  # department staff see no imports
    for user in ("dept_urban", "operator", "dispatcher", "followup"):
        assert client(qapp, user).get(f"/admin/kb/imports/{import_id}").status_code == 403
        assert client(qapp, user).get(f"/admin/kb/imports/{import_id}/progress").status_code == 403
    assert client(qapp).get("/admin/kb/imports/99999").status_code == 404
    assert client(qapp, None).get(f"/admin/kb/imports/{import_id}").status_code == 302


def test_listing_and_polling_imports_do_not_load_the_uploaded_file(qapp):
    from sqlalchemy import event

    from hotline.db import session

    import_id = upload(qapp, rows(1))
    statements: list[str] = []
    with qapp.app_context():
        engine = session().get_bind()
        listen = lambda *args: statements.append(args[2])  # noqa: E731 (conn, cursor, statement, ...)
        event.listen(engine, "before_cursor_execute", listen)
        try:
            admin = client(qapp)
            assert admin.get(f"/admin/kb/imports/{import_id}/progress").get_json()["state"] == "queued"
            assert "kb.csv" in text(admin.get("/admin/kb/import"))
        finally:
            event.remove(engine, "before_cursor_execute", listen)
    reads = [s for s in statements if "FROM kb_imports" in s]
    assert reads and not any("kb_imports.body" in s for s in reads)
