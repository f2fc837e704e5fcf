"""The SQL rates (rate facts kept by every move) equal the one-pass Python engine on a simulated history."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hotline.supervision import fact_queries, live_facts, rates
from hotline.supervision.models import rate_facts
from hotline.supervision.periods import Period, local_day
from tests.support.factories import T0

DAYS, PER_DAY = 10, 30
TODAY = local_day(T0)
PERIODS = [Period(TODAY - timedelta(days=DAYS + 1), TODAY + timedelta(days=1)),  # the whole history
           Period(TODAY - timedelta(days=6), TODAY),  # the last week, ending with deadlines still running
           Period(TODAY - timedelta(days=4), TODAY - timedelta(days=4)),  # one day
           Period(date(2026, 11, 1), date(2026, 11, 30))]  # the month
NOWS = [T0 + timedelta(hours=3), T0 - timedelta(days=3, hours=5)]


def _history(app) -> None:  # type: ignore[no-untyped-def]
    """The simulated history, then citizens' online ratings (好差评) of a third of the accepted replies."""
    from hotline.citizen.tracking import rate
    from hotline.db import session
    from hotline.deadlines.service import load_calendar, time_limits
    from hotline.demo.history import load_history
    from hotline.errors import Conflict
    from hotline.tickets.models import Ticket
    from hotline.tickets.rules import rules_at

    with app.app_context():
        db = session()
        load_history(db, days=DAYS, seed=11, now=T0, calendar=load_calendar(db), limits=time_limits(),
                     per_day=PER_DAY, batch=db.commit)
        replied = db.scalars(select(Ticket).where(Ticket.accepted_at.is_not(None)).order_by(Ticket.id)).all()
        for n, ticket in enumerate(replied[::3]):
            try:
                rate(db, ticket=ticket, rating=("satisfied", "basically", "dissatisfied")[n % 3], comment=None,
                     channel="web", rules=rules_at(db, T0 + timedelta(minutes=n)))
            except Conflict:  # nothing to rate on this one now (sent back, reopened)
                continue
        db.commit()


@pytest.fixture
def history(app):  # type: ignore[no-untyped-def]
    _history(app)
    return app


def test_sql_rates_equal_the_python_engine_exactly(history):
    from hotline.db import session

    with history.app_context():
        db = session()
        whole = rates.metrics_from_events(db, period=PERIODS[0], group_by="department", now=NOWS[0])["total"]
        # the comparison means something: every cohort is there, online ratings of each kind among them
        for count in ("received", "dispatched", "returned", "due", "overdue", "valid_follow_ups", "reopened",
                      "online_ratings", "online_satisfied", "online_basically_satisfied", "online_dissatisfied",
                      "urged", "citizens", "resolved_on_call"):
            assert whole[count] > 0, count
        for period in PERIODS:
            for now in NOWS:
                for group_by in rates.GROUPS:
                    live = rates.metrics(db, period=period, group_by=group_by, now=now)
                    reference = rates.metrics_from_events(db, period=period, group_by=group_by, now=now)
                    assert live == reference, (period, now, group_by)


def _key(item: dict) -> tuple:
    return item["ticket_id"], item["day"], item["counted"], item.get("in_denominator"), sorted(item["counts"].items())


def test_drill_down_lists_the_same_tickets_as_the_python_engine(history):
    from hotline.db import session

    period, now = PERIODS[1], NOWS[0]
    with history.app_context():
        db = session()
        facts = rates.facts_for(db, period=period, now=now)
        for metric, group_by, group in itertools.product(
                ("satisfied_rate", "response_rate", "on_time_closing_rate", "received", "score"),
                (None, "department", "district"), ("ecology", "none")):
            numerator, denominator = rates.drill_terms(metric)
            expected = rates.drill(facts, metric=metric, group_by=group_by, group=group)
            found = fact_queries.drill(db, period=period, now=now, numerator=numerator, denominator=denominator,
                                       group_by=group_by, group=group, page=1, per_page=100_000)
            assert sorted(map(_key, found["items"])) == sorted(map(_key, expected)), (metric, group_by, group)
            assert found["total"] == len(expected)
            assert found["counted"] == sum(i["counted"] for i in expected)
            assert found["denominator"] == sum(i.get("in_denominator", 0) for i in expected)
            assert expected or group_by, metric  # not an empty comparison
        page = fact_queries.drill(db, period=period, now=now, numerator=("dispatched",), denominator=(),
                                  group_by=None, group=None, page=2, per_page=7)
        assert len(page["items"]) == 7 and page["total"] > 14


def test_facts_kept_by_the_moves_equal_a_rebuild_from_the_events(history):
    from hotline.db import session
    from hotline.deadlines.service import load_calendar, time_limits

    columns = [c for c in rate_facts.c if c.name != "id"]
    with history.app_context():
        db = session()
        kept = sorted(tuple(r) for r in db.execute(select(*columns)))
        rows = live_facts.rebuild_all(db, calendar=load_calendar(db), limits=time_limits())
        rebuilt = sorted(tuple(r) for r in db.execute(select(*columns)))
    assert rows == len(kept) > 1000 and kept == rebuilt


def test_official_days_entered_later_refresh_the_response_facts(api, app):
    import time_machine

    from hotline.db import session

    with time_machine.travel(T0, tick=False):  # Thursday 10:00: dispatched, to sign within one working day
        tid = api.create(content="东湖区滨湖路路灯不亮，晚上出行不安全。")["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
    with time_machine.travel(T0 + timedelta(days=2), tick=False):  # Saturday: signed and the caller contacted
        api.act(tid, "sign", "dept_ecology")
        api.act(tid, "contact", "dept_ecology")
        period = Period(TODAY, TODAY + timedelta(days=2))
        with app.app_context():
            before = rates.metrics(session(), period=period, group_by="department", now=T0 + timedelta(days=2))
        # Friday declared a holiday afterwards: the response limit now ends on Monday, so Saturday is in time
        response = api.post("/calendar/days", {"days": ["2026-11-27:off:临时休假"]}, user="admin")
        assert response.status_code == 201, response.get_json()
        with app.app_context():
            db = session()
            after = rates.metrics(db, period=period, group_by="department", now=T0 + timedelta(days=2))
            reference = rates.metrics_from_events(db, period=period, group_by="department",
                                                  now=T0 + timedelta(days=2))
    assert before["total"]["responded"] == 0 and after["total"]["responded"] == 1
    assert after == reference
