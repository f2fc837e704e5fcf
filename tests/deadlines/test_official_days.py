"""Official days entered by an admin override the library and recompute provisional deadlines."""

from __future__ import annotations

import time_machine

from tests.support.footprint import unchanged


def test_provisional_deadline_is_recomputed_when_the_notice_is_entered(api):
    # Sunday 2026-12-20: a complex ticket (15 working days) runs into 2027, which no library knows officially.
    with time_machine.travel("2026-12-21T09:00:00+08:00", tick=False):
        tid = api.create(urgency="complex")["id"]
        body = api.act(tid, "dispatch", "dispatcher", {"department": "housing"})
        assert body["deadlines"]["provisional"] is True
        assert body["deadlines"]["reply_due_at"].startswith("2027-01")
        before = body["deadlines"]["reply_due_at"]
        notice = ["2027-01-01:off:元旦", "2027-01-04:off:元旦调休"]
        for day in range(5, 32):
            if day not in (9, 10, 16, 17, 23, 24, 30, 31):
                notice.append(f"2027-01-{day:02d}:work")
        entered = api.post("/calendar/days", {"days": notice}, user="admin")
        assert entered.status_code == 201, entered.get_json()
        assert tid in entered.get_json()["recomputed_tickets"]
        after = api.get(f"/tickets/{tid}").get_json()["deadlines"]
    assert after["provisional"] is False
    assert before == "2027-01-12T09:00:00+08:00"
    assert after["reply_due_at"] == "2027-01-13T09:00:00+08:00"  # one more day off on 01-04
    lookup = api.get("/calendar/days?date=2027-01-04").get_json()["date"]
    assert lookup == {"day": "2027-01-04", "workday": False, "official": True}


def test_only_admins_enter_days_and_bad_days_are_422(api):
    # An open ticket with a provisional deadline in 2027: an entry that slipped through would recompute it.
    with time_machine.travel("2026-12-21T09:00:00+08:00", tick=False):
        tid = api.create(urgency="complex")["id"]
        assert api.act(tid, "dispatch", "dispatcher", {"department": "housing"})["deadlines"]["provisional"]
        with unchanged(api.app):
            for user in ("supervisor", "dispatcher", "operator", "dept_housing"):
                refused = api.post("/calendar/days", {"days": ["2027-01-01:off", "2027-01-04:off"]}, user=user)
                assert refused.status_code == 403, user
            bad = api.post("/calendar/days", {"days": ["2027-01-01:off", "2027-13-01:off", "2027-01-02:maybe"]},
                           user="admin")
            assert api.post("/calendar/days", {"days": "2027-01-01:off"}, user="admin").status_code == 422
            assert api.post("/calendar/days", {"days": ["2027-01-01:off"]}, user=None).status_code == 401
    assert bad.status_code == 422
    assert len(bad.get_json()["error"]["details"]) == 2
    assert api.get("/calendar/days?year=2027").get_json()["days"] == []
