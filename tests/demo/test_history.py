"""Simulated history: deterministic, through the real transition function, with planted hotspots."""

from __future__ import annotations

import shutil
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from hotline.tickets.enums import Status
from hotline.tickets.models import Ticket, TicketEvent
from tests.support.factories import T0

DAYS, PER_DAY = 9, 40


def simulate(app, seed: int = 3) -> tuple[dict, list]:  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.deadlines.service import load_calendar, time_limits
    from hotline.demo.history import load_history

    with app.app_context():
        db = session()
        stats = load_history(db, days=DAYS, seed=seed, now=T0, calendar=load_calendar(db), limits=time_limits(),
                             per_day=PER_DAY, batch=db.commit)
        rows = db.execute(select(Ticket.content, Ticket.status, Ticket.received_at).order_by(Ticket.id)).all()
    return stats, [tuple(r) for r in rows]


def test_same_seed_same_history(app, template_db, tmp_path):
    from hotline import create_app

    stats, rows = simulate(app)
    path = tmp_path / "again.db"
    shutil.copy(template_db, path)
    other = create_app({"DATABASE_URL": f"sqlite:///{path}", "QUEUES_ENABLED": False, "TESTING": True})
    try:
        again_stats, again_rows = simulate(other)
    finally:
        other.extensions["db"].dispose()
    assert stats == again_stats and rows == again_rows
    assert DAYS * PER_DAY * 0.6 < stats["received"] < DAYS * PER_DAY * 1.3 + 60
    assert all(T0 - timedelta(days=DAYS) <= r[2] <= T0 for r in rows)


def test_history_is_made_of_real_moves(app):
    stats, _rows = simulate(app)
    for move in ("dispatch", "sign", "reply", "accept_reply", "follow_up", "return", "approve_return",
                 "request_extension", "urge"):
        assert stats.get(move, 0) > 0, move
    from hotline.db import session

    with app.app_context():
        db = session()
        statuses = dict(db.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all())
        # every ticket's course starts with receive and its events follow the states
        starts = db.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.action == "receive"))
        reopened = db.scalar(select(func.count()).select_from(TicketEvent)
                             .where(TicketEvent.action == "follow_up", TicketEvent.to_status == "in_progress"))
    assert starts == sum(statuses.values())
    assert statuses.get(Status.CLOSED, 0) > statuses.get(Status.IN_PROGRESS, 0) > 0  # recent ones still open
    assert reopened > 0


def test_departments_differ_and_planted_hotspots_are_found(app, api):
    simulate(app)
    with time_machine.travel(T0, tick=False):
        metrics = api.get(f"/metrics?from={(T0 - timedelta(days=DAYS)).date()}&to={T0.date()}&group_by=department",
                          user="supervisor").get_json()
        hotspots = api.get("/hotspots?days=7", user="supervisor").get_json()
    rows = [r for r in metrics["rows"] if r["dispatched"] >= 10]
    assert len(rows) >= 8
    for row in rows:
        for key in ("sign_on_time_rate", "return_rate", "response_rate"):
            assert 0 <= row[key] <= 1
    assert len({r["sign_on_time_rate"] for r in rows}) > 3
    top = hotspots["clusters"][:4]
    places = {(c["district"], term) for c in top for term in c["top_terms"]}
    assert ("西山区", "停水") in places
    assert any(district == "北城区" and "燃气" in term for district, term in places)


def test_demo_load_history_option(app):
    runner = app.test_cli_runner()
    with app.app_context():  # the `flask` command pushes one; the test runner does not
        result = runner.invoke(args=["demo", "load", "--history", "2", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "history: 2 days" in result.output and "dispatch=" in result.output
    from hotline.db import session

    with app.app_context():
        assert session().scalar(select(func.count()).select_from(Ticket)) > 100
    with app.app_context():
        again = runner.invoke(args=["demo", "load", "--history", "2"])
    assert again.exit_code == 0 and "skipped" in again.output
    bad = runner.invoke(args=["demo", "load", "--history", "-1"])
    assert bad.exit_code != 0
