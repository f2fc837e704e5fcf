"""消息 page: the inbox with the unread count in the header of every page, mark read one by one or all."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.support.factories import T0
from tests.support.footprint import unchanged
from tests.web.conftest import text


def tell(app, *, key: str, title: str, departments=(), users=(), ticket_id=None):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.departments.models import Department, User
    from hotline.notify.service import Audience, Message, notify

    with app.app_context():
        db = session()
        audience = Audience(tuple(db.scalars(select(Department).where(Department.code.in_(departments)))),
                            tuple(db.scalars(select(User).where(User.username.in_(users)))))
        notify(db, key=key, audience=audience, now=T0,
               message=Message(kind="reminder_warning", title=title, body=f"{title}。诉求：路灯不亮",
                               ticket_id=ticket_id))
        db.commit()


def unread_in_header(html: str) -> int:
    match = re.search(r'id="unread-count">(\d+)<', html)
    return int(match.group(1)) if match else 0


def test_header_counts_unread_and_the_inbox_marks_them_read(api, app, pages):
    tid = api.create()["id"]
    tell(app, key="a", title="【临期提醒】工单 A 答复期限即将到期", departments=["ecology"], ticket_id=tid)
    tell(app, key="b", title="【督办】工单 B 已转督办", users=["dept_ecology", "supervisor"])
    staff = pages.client("dept_ecology")
    assert unread_in_header(text(staff.get("/tickets"))) == 2  # the header of any page
    inbox = text(staff.get("/notifications"))
    assert "工单 A 答复期限即将到期" in inbox and "本单位" in inbox and "个人" in inbox and "临期提醒" in inbox
    first = int(re.findall(r'id="notification-(\d+)"', inbox)[-1])  # the department's entry (older)
    back = staff.post(f"/notifications/{first}/read", data={"next": "/notifications"}, follow_redirects=True)
    assert unread_in_header(text(back)) == 1 and back.request.path == "/notifications"
    unread = text(staff.get("/notifications?unread=1"))
    assert "工单 B 已转督办" in unread and "工单 A" not in unread
    done = staff.post("/notifications/read-all", follow_redirects=True)
    assert "已将 1 条消息标为已读" in text(done) and unread_in_header(text(done)) == 0
    # the supervisor's own copy of B is still unread: each user reads their own
    assert unread_in_header(text(pages.client("supervisor").get("/supervision/watch"))) == 1


def test_someone_elses_entry_cannot_be_marked_and_the_ticket_link_reads_it(api, app, pages):
    tid = api.create()["id"]
    tell(app, key="c", title="【超期】工单 C", departments=["water"], ticket_id=tid)
    tell(app, key="d", title="【超期】工单 D", users=["dispatcher"], ticket_id=tid)
    from hotline.db import session
    from hotline.notify.models import Notification

    with app.app_context():
        water = session().scalar(select(Notification.id).where(Notification.key.like("c:%")))
        mine = session().scalar(select(Notification.id).where(Notification.key.like("d:%")))
    department = pages.client("dept_ecology")
    with unchanged(app):  # another unit's notification stays unread
        assert department.post(f"/notifications/{water}/read").status_code == 404
    client = pages.client("dispatcher")
    opened = client.post(f"/notifications/{mine}/read", data={"next": f"/tickets/{tid}"}, follow_redirects=True)
    assert opened.request.path == f"/tickets/{tid}" and unread_in_header(text(opened)) == 0
    assert pages.client(None).get("/notifications").status_code == 302
