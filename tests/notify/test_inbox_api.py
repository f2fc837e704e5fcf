"""The in-app inbox: per user and per department, unread counts, marking read, no peeking."""

from __future__ import annotations

from tests.support.factories import T0
from tests.support.footprint import unchanged


def _notify(app, *, departments=(), users=(), key="k1", title="【临期提醒】测试"):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.departments.models import Department, User
    from hotline.notify.service import Audience, Message, notify

    with app.app_context():
        db = session()
        audience = Audience(tuple(db.query(Department).filter(Department.code.in_(departments))),
                            tuple(db.query(User).filter(User.username.in_(users))))
        notify(db, key=key, audience=audience, message=Message(kind="test", title=title), now=T0)
        notify(db, key=key, audience=audience, message=Message(kind="test", title=title), now=T0)  # again: no copy
        db.commit()


def test_department_and_user_inboxes_with_unread_counts(api, app):
    _notify(app, departments=["ecology"], users=["dept_ecology", "supervisor"], key="a")
    _notify(app, departments=["water"], key="b")
    staff = api.get("/notifications", user="dept_ecology").get_json()
    assert staff["unread"] == {"user": 1, "department": 1, "total": 2}
    assert sorted(n["inbox"] for n in staff["items"]) == ["department", "user"]
    assert api.get("/notifications", user="supervisor").get_json()["unread"]["total"] == 1
    assert api.get("/notifications", user="dept_water").get_json()["unread"] == {"user": 0, "department": 1,
                                                                                 "total": 1}
    assert api.get("/notifications", user="operator").get_json()["items"] == []


def test_marking_read_is_idempotent_and_shared_by_the_department(api, app):
    _notify(app, departments=["ecology"], key="a")
    item = api.get("/notifications", user="dept_ecology").get_json()["items"][0]
    first = api.post(f"/notifications/{item['id']}/read", user="dept_ecology").get_json()
    again = api.post(f"/notifications/{item['id']}/read", user="dept_ecology").get_json()
    assert first["notification"]["read"] is True and first["unread"]["total"] == 0
    assert again["notification"]["read_at"] == first["notification"]["read_at"]
    assert api.get("/notifications?unread=true", user="dept_ecology").get_json()["items"] == []


def test_someone_elses_notification_is_not_found(api, app):
    _notify(app, departments=["ecology"], users=["supervisor"], key="a")
    theirs = api.get("/notifications", user="supervisor").get_json()["items"][0]
    with unchanged(app):
        response = api.post(f"/notifications/{theirs['id']}/read", user="dept_water")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert api.get("/notifications", user="supervisor").get_json()["unread"]["total"] == 1


def test_read_all_and_bad_query(api, app):
    _notify(app, departments=["ecology"], users=["dept_ecology"], key="a")
    body = api.post("/notifications/read-all", user="dept_ecology").get_json()
    assert body == {"marked": 2, "unread": {"user": 0, "department": 0, "total": 0}}
    assert api.get("/notifications?unread=maybe", user="dept_ecology").status_code == 422
    assert api.get("/notifications", user=None).status_code == 401
