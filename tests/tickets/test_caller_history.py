"""Caller history: a caller's earlier tickets, newest first, only among those the user may open."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.support.factories import T0


def test_history_is_newest_first_and_scoped_to_what_the_user_may_open(app, api):
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.tickets.service import caller_history

    phone = "13655556666"
    with time_machine.travel(T0, tick=False) as clock:
        ecology = api.create(caller_phone=phone, department="ecology")["id"]
        clock.shift(timedelta(hours=1))
        secret = api.create(caller_phone=phone, department="ecology", confidential=True)["id"]
        clock.shift(timedelta(hours=1))
        other = api.create(caller_phone=phone, content="孩子入学咨询", department="education")["id"]
        api.create(caller_phone="13800000000")
    with app.app_context():
        db = session()
        users = {u.username: u for u in db.query(User)}
        seen = {name: [t.id for t in caller_history(db, user=users[name], phone=phone)]
                for name in ("operator", "dept_ecology", "dept_education")}
        assert [t.id for t in caller_history(db, user=users["operator"], phone=phone, limit=2)] == [other, secret]
    assert seen["operator"] == [other, secret, ecology]
    assert seen["dept_ecology"] == [ecology]  # the confidential caller's ticket is not linked to the number
    assert seen["dept_education"] == [other]
