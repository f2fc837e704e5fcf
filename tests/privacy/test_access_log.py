"""访问日志: supervisors and admins read who saw which caller's data (API and page), filtered and paged;
nobody else reads it and nobody can change or delete an entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import delete, select, update

from hotline.auth.models import AccessLog, AccessLogIsAppendOnly
from tests.support.factories import T0
from tests.support.footprint import unchanged
from tests.support.sessions import page_client


@pytest.fixture
def trail(api) -> dict:
    """A day of accesses: the operator's intake view, a reveal the next day, an export."""
    with time_machine.travel(T0, tick=False):
        first = api.create()
        second = api.create(content="幸福路路灯不亮，晚上很黑", caller_phone="13700001111")
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert api.post(f"/tickets/{second['id']}/reveal-phone", user="followup").status_code == 200
        assert api.get("/kb/export?format=csv", user="supervisor").status_code == 200
    return {"first": first, "second": second}


def items(api, query: str = "", user: str = "supervisor") -> list[dict]:
    response = api.get(f"/access-log{query}", user=user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_supervisors_and_admins_read_who_saw_what(api, trail):
    entries = items(api)
    assert [(e["user"]["username"], e["action"], e["ticket_number"]) for e in entries] == [
        ("supervisor", "export_kb", None), ("followup", "reveal_phone", trail["second"]["number"]),
        ("operator", "view_ticket", trail["second"]["number"]), ("operator", "view_ticket", trail["first"]["number"])]
    reveal = entries[1]
    assert reveal["action_label"] == "显示号码" and reveal["user"]["role_label"] == "回访员"
    assert reveal["at"].endswith("+08:00") and reveal["ticket_id"] == trail["second"]["id"]
    assert items(api, user="admin") == entries


@pytest.mark.parametrize("user", ["operator", "dispatcher", "followup", "dept_ecology"])
def test_nobody_else_reads_the_access_log(app, api, trail, user):
    assert api.get("/access-log", user=user).status_code == 403
    assert page_client(app, user).get("/supervision/access-log").status_code == 403
    assert api.get("/access-log", user=None).status_code == 401


def test_filters_by_user_ticket_action_and_dates_and_pages(api, trail):
    second = trail["second"]
    assert [e["action"] for e in items(api, "?user=followup")] == ["reveal_phone"]
    assert [e["user"]["username"] for e in items(api, f"?ticket={second['number']}")] == ["followup", "operator"]
    assert len(items(api, f"?ticket={second['id']}")) == 2
    assert [e["user"]["username"] for e in items(api, "?action=export_kb")] == ["supervisor"]
    assert len(items(api, "?from=2026-11-26&to=2026-11-26")) == 2
    assert len(items(api, "?from=2026-11-27")) == 2 and items(api, "?to=2026-11-25") == []
    paged = api.get("/access-log?per_page=3&page=2", user="supervisor").get_json()
    assert paged["total"] == 4 and len(paged["items"]) == 1 and paged["items"][0]["ticket_id"] == trail["first"]["id"]


@pytest.mark.parametrize("query", ["?user=nobody", "?ticket=20990101-999999", "?action=delete",
                                   "?from=2026-13-01", "?from=2026-11-27&to=2026-11-26", "?to=0001-01-01"])
def test_bad_filters_answer_422(api, trail, query):
    response = api.get(f"/access-log{query}", user="supervisor")
    assert response.status_code == 422 and response.get_json()["error"]["message"]


def test_no_route_changes_or_deletes_an_entry(api, trail):
    entry = items(api)[0]["id"]
    with unchanged(api.app, count_reads=True):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert api.call(method, "/access-log", "admin", {}).status_code == 405, method
            assert api.call(method, f"/access-log/{entry}", "admin", {}).status_code in (404, 405), method
    assert len(items(api)) == 4


def test_the_database_layer_refuses_changes(app, trail):
    from hotline.db import session

    with app.app_context():
        db = session()
        entry = db.scalar(select(AccessLog).order_by(AccessLog.id))
        entry.action = "nothing_happened"
        with pytest.raises(AccessLogIsAppendOnly):
            db.flush()
        db.rollback()
        db.delete(db.scalar(select(AccessLog).order_by(AccessLog.id)))
        with pytest.raises(AccessLogIsAppendOnly):
            db.flush()
        db.rollback()
        for statement in (update(AccessLog).values(action="x"), delete(AccessLog)):
            with pytest.raises(AccessLogIsAppendOnly):
                db.execute(statement)
            db.rollback()
        assert db.scalar(select(AccessLog).order_by(AccessLog.id)).action == "view_ticket"


def test_the_page_shows_the_log_in_chinese_with_filters(app, trail):
    client = page_client(app, "supervisor")
    page = client.get("/supervision/access-log").get_data(as_text=True)
    for piece in ("访问日志", "共 4 条", "显示号码", "回访员", "查看工单（完整号码）", "导出知识库", "格式：逗号分隔表格",
                  trail["second"]["number"], f'href="/tickets/{trail["second"]["id"]}"'):
        assert piece in page, piece
    assert "reveal_phone" not in page.split('id="access-log"')[1]  # codes stay out of the table
    filtered = client.get(f"/supervision/access-log?ticket={trail['first']['number']}").get_data(as_text=True)
    assert "共 1 条" in filtered and "显示号码" not in filtered.split('id="access-log"')[1]
    bad = client.get("/supervision/access-log?user=nobody")
    assert bad.status_code == 422 and "没有用户「nobody」" in bad.get_data(as_text=True)


def test_an_admins_password_reset_and_disabling_are_in_the_log(app, api):
    from hotline.db import session
    from hotline.departments.models import User

    with app.app_context():
        target = session().scalar(select(User).where(User.username == "dept_gas"))
        uid, name = target.id, target.display_name
    assert api.post(f"/users/{uid}/password", {"new_password": "new-gas-pass-2026"}, user="admin").status_code == 200
    assert api.post(f"/users/{uid}/active", {"active": False}, user="admin").status_code == 200
    assert api.post(f"/users/{uid}/active", {"active": True}, user="admin").status_code == 200
    entries = items(api, "?user=admin")
    assert [e["action"] for e in entries] == ["enable_user", "disable_user", "reset_password"]
    assert all(e["detail"] == {"username": "dept_gas", "display_name": name} for e in entries)
    page = page_client(app, "supervisor").get("/supervision/access-log?user=admin").get_data(as_text=True)
    assert "重置密码" in page and "停用用户" in page and f"账号姓名：{name}" in page


def raw_attempts(engine, entry_id: int) -> list[str]:
    """UPDATE and DELETE straight to the database, bypassing the app; the refusals' messages."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    refused = []
    for sql in ("UPDATE access_log SET action = 'nothing' WHERE id = :id", "DELETE FROM access_log WHERE id = :id"):
        with engine.connect() as conn:
            try:
                conn.execute(text(sql), {"id": entry_id})
                conn.commit()
            except DBAPIError as exc:
                refused.append(str(exc.orig))
    return refused


def test_the_database_itself_refuses_changes_on_sqlite(app, trail):
    engine = app.extensions["db"].engine
    with engine.connect() as conn:
        entry_id = conn.execute(select(AccessLog.id).order_by(AccessLog.id)).scalar()
    refused = raw_attempts(engine, entry_id)
    assert len(refused) == 2 and all("append-only" in message for message in refused)


@pytest.mark.postgres
def test_the_database_itself_refuses_changes_on_postgresql(pg_app):
    from sqlalchemy import text

    from tests.support.api import ApiClient

    api = ApiClient(pg_app)
    tid = api.create()["id"]
    assert api.post(f"/tickets/{tid}/reveal-phone", user="followup").status_code == 200
    engine = pg_app.extensions["db"].engine
    with engine.connect() as conn:
        entry_id = conn.execute(select(AccessLog.id).order_by(AccessLog.id)).scalar()
    refused = raw_attempts(engine, entry_id)
    assert len(refused) == 2 and all("append-only" in message for message in refused)
    with engine.begin() as conn:  # only a transaction that says it purges (the test suite's reset) may delete
        conn.execute(text("SET LOCAL hotline.access_log_purge = 'on'"))
        assert conn.execute(text("DELETE FROM access_log WHERE id = :id"), {"id": entry_id}).rowcount == 1


def test_the_page_pages_through_the_log(app, trail):
    app.config["WEB_PAGE_SIZE"] = 3
    client = page_client(app, "supervisor")
    first = client.get("/supervision/access-log?action=view_ticket")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "第 1 / 1 页" not in html and "共 2 条" in html  # two entries: one page
    everything = client.get("/supervision/access-log").get_data(as_text=True)
    assert "第 1 / 2 页" in everything and "下一页" in everything
    second = client.get("/supervision/access-log?page=2").get_data(as_text=True)
    assert "第 2 / 2 页" in second and second.count("<tr data-entry=") == 1
