"""The bulk generator: a history whose rates, hotspots, reminders and duplicate index are all consistent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, func, select

from hotline.supervision.periods import Period, local_day
from tests.support.factories import T0

TICKETS, DAYS = 3000, 200


def test_bulk_history_is_consistent_with_the_engines(app):
    from hotline.db import session
    from hotline.deadlines.service import load_calendar, time_limits
    from hotline.demo.bulk import generate
    from hotline.reminders.service import due_reminders
    from hotline.supervision import hotspot_clusters, rates
    from hotline.supervision.models import TicketTextBand
    from hotline.tickets.enums import OPEN_STATUSES
    from hotline.tickets.models import Ticket, TicketEvent

    with app.app_context():
        db = session()
        stats = generate(db, tickets=TICKETS, days=DAYS, now=T0, seed=1, calendar=load_calendar(db),
                         limits=time_limits())
        assert stats["tickets"] == db.scalar(select(func.count()).select_from(Ticket)) == TICKETS
        assert stats["events"] == db.scalar(select(func.count()).select_from(TicketEvent)) > 4 * TICKETS
        assert 0.15 * TICKETS < stats["open"] < 0.5 * TICKETS
        # the backlog is mostly recent, and some of it is past its reply limit
        open_ = Ticket.status.in_([s.value for s in OPEN_STATUSES])
        recent = Ticket.received_at >= T0 - timedelta(days=30)
        share = {flag: db.scalar(select(func.avg(case((open_, 1.0), else_=0.0))).where(cond))
                 for flag, cond in ((True, recent), (False, ~recent))}
        assert share[True] > 2 * share[False] > 0
        assert db.scalar(select(func.count()).select_from(Ticket).where(
            Ticket.status.in_(["dispatched", "in_progress"]), Ticket.reply_due_at < T0)) > 0.02 * TICKETS
        oldest = db.scalar(select(func.min(Ticket.received_at)))
        assert T0 - timedelta(days=DAYS + 1) <= oldest and db.scalar(select(func.max(Ticket.received_at))) <= T0
        # the rate facts written beside the events give what the one-pass engine computes from the events
        today = local_day(T0)
        for first in (today - timedelta(days=29), today - timedelta(days=DAYS)):
            period = Period(first, today)
            live = rates.metrics(db, period=period, group_by="department", now=T0)
            assert live == rates.metrics_from_events(db, period=period, group_by="department", now=T0)
            assert live["total"]["dispatched"] > 0 and live["total"]["valid_follow_ups"] > 0
        month = hotspot_clusters.find(db, now=T0, days=30, min_size=2)
        assert month["clusters"] and month["tickets_considered"] > 200
        assert db.scalar(select(func.count()).select_from(TicketTextBand)) > 0
        assert 0 < len(due_reminders(db, now=T0 + timedelta(hours=6))) < stats["reminders"]
