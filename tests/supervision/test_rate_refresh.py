"""A change of the rules (a year's time limits, official days) judges the rate facts again in a background
job, a local day at a time: the request returns at once, a real RQ worker does the work, a run that dies
resumes where it stopped, and the sweep queues a refresh whose job was lost."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.web.admin.test_limits_page import contacted_after_three_hours, page_form
from tests.web.conftest import text

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST = datetime(2026, 11, 25, 10, tzinfo=SHANGHAI)  # a Wednesday
SECOND = FIRST + timedelta(days=1)


def responded(app, *, engine_agrees: bool = True) -> int:  # type: ignore[no-untyped-def]
    """The stored facts' responses of both days (and, when asked, the events engine's, which must agree)."""
    from hotline.db import session
    from hotline.supervision import rates
    from hotline.supervision.periods import Period

    period, now = Period(FIRST.date(), SECOND.date()), SECOND + timedelta(hours=5)
    with app.app_context():
        db = session()
        live = rates.metrics(db, period=period, group_by="department", now=now)
        if engine_agrees:
            assert live == rates.metrics_from_events(db, period=period, group_by="department", now=now)
        return live["total"]["responded"]


def refresh_row(app, refresh_id: int):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.supervision.models import RateRefresh

    with app.app_context():
        row = session().get(RateRefresh, refresh_id)
        session().expunge(row)
        return row


def two_hour_sign_limit(app) -> str:  # type: ignore[no-untyped-def]
    from tests.support.sessions import page_client

    app.config["WTF_CSRF_ENABLED"] = False
    admin = page_client(app, "admin")
    form = page_form(text(admin.get("/admin/limits?year=2026")), "limits-form")
    saved = admin.post("/admin/limits", data={**form, "normal.sign.amount": "2", "normal.sign.unit": "hours"},
                       follow_redirects=True)
    assert saved.status_code == 200
    return text(saved)


def test_saved_limits_are_judged_again_by_a_background_job(qapp, api, conn, work):
    from rq import Queue

    from hotline.db import session
    from hotline.supervision import refreshes
    from workers.queues import PERIODIC

    for day in (FIRST, SECOND):
        contacted_after_three_hours(api, day)
    work()  # the moves' own jobs
    assert responded(qapp) == 2
    with time_machine.travel(SECOND + timedelta(hours=6), tick=False):
        page = two_hour_sign_limit(qapp)
    assert "考核数据正在后台重新计算" in page and "进行中" in page
    with qapp.app_context():
        row = refreshes.latest(session(), reason=refreshes.limits_reason(2026))
        refresh_id = row.id
    assert f"rate-refresh-{refresh_id}" in Queue(PERIODIC, connection=conn).job_ids
    assert refresh_row(qapp, refresh_id).finished_at is None
    assert responded(qapp, engine_agrees=False) == 2  # not judged again yet: the request did not do it

    work()
    done = refresh_row(qapp, refresh_id)
    assert done.finished_at is not None and done.refreshed == 2
    assert responded(qapp) == 0  # late under 2 hours, and equal to the events engine
    from tests.support.sessions import page_client

    assert "已完成，共重算 2 件次" in text(page_client(qapp, "admin").get("/admin/limits?year=2026"))


def test_an_interrupted_refresh_resumes_where_it_stopped(app, api, monkeypatch):
    from hotline.db import session
    from hotline.supervision import refreshes

    for day in (FIRST, SECOND):
        contacted_after_three_hours(api, day)
    now = SECOND + timedelta(hours=6)
    with app.app_context():
        db = session()
        row = refreshes.request(db, reason="测试", start=FIRST - timedelta(days=1), end=now, now=now, actor=None)
        db.commit()
        refresh_id = row.id
    two_hour_sign_limit_stored(app)
    original = refreshes.dispatched_on

    def dies_on_the_second_day(session, *, on, start, end):  # type: ignore[no-untyped-def]
        if on == SECOND.date():
            raise RuntimeError("worker killed")
        return original(session, on=on, start=start, end=end)

    monkeypatch.setattr(refreshes, "dispatched_on", dies_on_the_second_day)
    with app.app_context(), pytest.raises(RuntimeError):
        refreshes.run(session(), refresh_id=refresh_id, now=now, commit=True)
    stopped = refresh_row(app, refresh_id)
    assert (stopped.next_day, stopped.refreshed, stopped.finished_at) == (SECOND.date(), 1, None)
    assert responded(app, engine_agrees=False) == 1  # the first day is judged again, the second not yet

    monkeypatch.setattr(refreshes, "dispatched_on", original)
    with app.app_context():
        refreshes.run(session(), refresh_id=refresh_id, now=now, commit=True)
        assert refreshes.run(session(), refresh_id=refresh_id, now=now, commit=True).refreshed == 2  # no-op
    assert responded(app) == 0


def two_hour_sign_limit_stored(app) -> None:  # type: ignore[no-untyped-def]
    """Store 2026's limits without refreshing (the test drives the refresh itself)."""
    from hotline.db import session
    from hotline.deadlines.service import time_limits
    from hotline.settings import service as settings

    with app.app_context():
        db = session()
        values = time_limits(db, year=2026).to_dict()
        values["normal"]["sign"] = {"hours": 2}
        settings.save_override(db, kind=settings.TIME_LIMITS, year=2026, values=values, actor="admin",
                               now=SECOND + timedelta(hours=6))
        db.commit()


def test_the_sweep_queues_a_refresh_whose_job_was_lost(qapp, conn):
    from rq import Queue

    from hotline.db import session
    from hotline.supervision import refreshes
    from workers import jobs
    from workers.queues import PERIODIC

    now = SECOND + timedelta(hours=6)
    with qapp.app_context():
        db = session()
        refresh_id = refreshes.request(db, reason="测试", start=FIRST, end=now, now=now, actor=None).id
        db.commit()  # recorded, but no job was queued (Redis down at the time, say)
    assert jobs.sweep()["rate_refreshes"] == 1
    assert f"rate-refresh-{refresh_id}" in Queue(PERIODIC, connection=conn).job_ids


def test_entered_official_days_return_the_refresh_and_its_job_finishes_it(qapp, api, conn, work):
    for day in (FIRST, SECOND):
        contacted_after_three_hours(api, day)
    work()
    with time_machine.travel(SECOND + timedelta(hours=6), tick=False):
        response = api.post("/calendar/days", {"days": ["2026-11-27:off:临时休假"]}, user="admin")
    assert response.status_code == 201
    entered = response.get_json()["rate_refresh"]
    assert entered["finished"] is False
    work()
    done = refresh_row(qapp, entered["id"])
    assert done.finished_at is not None and done.refreshed == 2
    assert responded(qapp) == 2  # both contacts came 3 hours after dispatch: still in time


def test_a_refresh_killed_between_two_chunks_of_a_day_resumes_after_the_last_done(app, api, monkeypatch):
    from hotline.db import session
    from hotline.supervision import live_facts, refreshes

    for hour in (0, 1):
        contacted_after_three_hours(api, FIRST + timedelta(hours=hour))
    two_hour_sign_limit_stored(app)
    now = SECOND + timedelta(hours=6)
    with app.app_context():
        db = session()
        refresh_id = refreshes.request(db, reason="测试", start=FIRST - timedelta(hours=1), end=now, now=now,
                                       actor=None).id
        db.commit()
    monkeypatch.setattr(refreshes, "CHUNK", 1)
    original, calls = live_facts.refresh, []

    def dies_on_the_second_chunk(session, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["ticket_ids"])
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return original(session, **kwargs)

    monkeypatch.setattr(live_facts, "refresh", dies_on_the_second_chunk)
    with app.app_context(), pytest.raises(RuntimeError):
        refreshes.run(session(), refresh_id=refresh_id, now=now, commit=True)
    stopped = refresh_row(app, refresh_id)
    assert (stopped.next_day, stopped.after_ticket_id, stopped.refreshed) == (FIRST.date(), calls[0][0], 1)

    monkeypatch.setattr(live_facts, "refresh", original)
    with app.app_context():
        done = refreshes.run(session(), refresh_id=refresh_id, now=now, commit=True)
        assert (done.refreshed, done.finished_at is not None) == (2, True)  # the first ticket not again
    assert responded(app, engine_agrees=True) == 0
