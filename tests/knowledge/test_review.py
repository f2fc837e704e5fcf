"""Expiry and unhelpful feedback bring articles back for review; the job is idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hotline.clock import local, utcnow
from tests.knowledge.helpers import act, create, put
from tests.support.footprint import unchanged


def _run(app, **kwargs) -> int:  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.knowledge.review import create_review_tasks

    with app.app_context():
        db = session()
        created = create_review_tasks(db, now=utcnow(), **kwargs)
        db.commit()
        return created


def _day(days: int) -> str:
    return (local(utcnow()).date() + timedelta(days=days)).isoformat()


def test_review_job_finds_expiring_and_unhelpful_articles_once(app, api, empty_kb):
    soon = create(api, status="published", title="即将失效的条目", answer="答复", expires_on=_day(10))
    create(api, status="published", title="长期有效的条目", answer="答复", expires_on=_day(300))
    bad = create(api, status="published", title="没帮助的条目", answer="答复")
    fine = create(api, status="published", title="有帮助的条目", answer="答复")
    for _ in range(3):
        act(api, bad["id"], "feedback", "operator", {"helped": False})
        act(api, fine["id"], "feedback", "operator", {"helped": False})
    for _ in range(4):
        act(api, fine["id"], "feedback", "operator2", {"helped": True})
    assert api.get(f"/kb/articles/{bad['id']}").get_json()["not_helped_count"] == 3

    assert _run(app, expiry_days=30, unhelpful_threshold=3) == 2
    assert _run(app, expiry_days=30, unhelpful_threshold=3) == 0  # idempotent
    tasks = api.get("/kb/review-tasks", user="supervisor").get_json()["items"]
    assert {(t["article_id"], t["reason"]) for t in tasks} == {(soon["id"], "expiring"), (bad["id"], "unhelpful")}
    assert api.get("/kb/review-tasks", user="dept_water").get_json()["items"] == []
    assert len(api.get("/kb/review-tasks", user="dept_gas").get_json()["items"]) == 2
    assert api.get("/kb/review-tasks", user="operator").status_code == 403
    detail = api.get(f"/kb/articles/{soon['id']}", user="supervisor").get_json()
    assert [t["reason"] for t in detail["review_tasks"]] == ["expiring"]

    # The reviewer extends the article: its task is done; the unhelpful one is rewritten and re-published.
    put(api, soon["id"], {"expires_on": _day(400)}, user="supervisor")
    put(api, bad["id"], {"answer": "改写后的答复"}, user="supervisor")
    assert api.get("/kb/review-tasks", user="supervisor").get_json()["items"] == []
    assert _run(app, expiry_days=30, unhelpful_threshold=3) == 0  # old feedback was looked at


def test_review_job_notifies_department_and_supervisors(app, api, empty_kb):
    from hotline.db import session
    from hotline.notify.models import Notification

    create(api, status="published", title="即将失效的条目", answer="答复", expires_on=_day(5))
    assert _run(app) == 1
    with app.app_context():
        rows = session().scalars(select(Notification).where(Notification.kind == "kb_review")).all()
        assert rows and any(r.department_id is not None for r in rows) and any(r.user_id for r in rows)
        assert "即将失效的条目" in rows[0].title


def test_feedback_rules(api, empty_kb):
    article = create(api, status="published")
    act(api, article["id"], "feedback", "dept_gas", {"helped": True}, expect=403)
    act(api, article["id"], "feedback", "operator", {}, expect=422)
    act(api, article["id"], "feedback", "operator", {"helped": "yes"}, expect=422)
    body = act(api, article["id"], "feedback", "operator", {"helped": True, "note": "市民满意"})
    assert body["helped_count"] == 1 and body["version"] == article["version"]  # feedback is not a version
    act(api, article["id"], "retire", "supervisor")
    act(api, article["id"], "feedback", "supervisor", {"helped": True}, expect=409)


def test_expired_article_cannot_be_used_on_call(api, empty_kb):
    article = create(api, status="published", title="燃气补贴申领", answer="答复", expires_on=_day(-1))
    assert api.get(f"/kb/articles/{article['id']}").get_json()["usable"] is False
    ticket = api.create(content="燃气补贴申领", kind="consultation")
    api.act(ticket["id"], "resolve-on-call", "operator", {"article_id": article["id"]}, status=409)  # no trace


def test_feedback_for_an_unknown_ticket_is_refused(api, empty_kb):
    article = create(api, status="published")
    act(api, article["id"], "feedback", "operator", {"helped": True, "ticket_id": 999999}, expect=422)
    assert api.get(f"/kb/articles/{article['id']}").get_json()["helped_count"] == 0
    ticket = api.create(content="燃气欠费", kind="consultation")
    act(api, article["id"], "feedback", "operator", {"helped": True, "ticket_id": ticket["id"]})


def test_clearing_a_date_with_null(api, empty_kb):
    article = create(api, status="published", expires_on=_day(3))
    assert put(api, article["id"], {"expires_on": None}, user="supervisor")["expires_on"] is None


def test_openapi_shows_each_review_action(api):
    paths = api.get("/openapi.json", user=None).get_json()["paths"]
    assert "version_number" in str(paths["/api/v1/kb/articles/{article_id}/restore"])
    assert "/api/v1/kb/search" in paths and "/api/v1/kb/import" in paths


def test_reviewer_closes_a_task_and_it_stays_closed(app, api, empty_kb):
    bad = create(api, status="published", title="没帮助的条目", answer="答复")
    for _ in range(3):
        act(api, bad["id"], "feedback", "operator", {"helped": False})
    assert _run(app) == 1
    task = api.get("/kb/review-tasks", user="supervisor").get_json()["items"][0]
    with unchanged(api.app):
        assert api.post(f"/kb/review-tasks/{task['id']}/close", {}, user="dept_gas").status_code == 403
    closed = api.post(f"/kb/review-tasks/{task['id']}/close", {"note": "答复无误，市民诉求超出政策"},
                      user="supervisor")
    assert closed.status_code == 200 and closed.get_json()["status"] == "done"
    with unchanged(api.app):
        assert api.post(f"/kb/review-tasks/{task['id']}/close", {}, user="supervisor").status_code == 409
        assert api.post("/kb/review-tasks/99999/close", {}, user="supervisor").status_code == 404
    assert _run(app) == 0  # not reopened for the same version
