"""The hot queries of intake, inboxes, queues, caller history and the reminder sweep use indexes at a
realistic row count on PostgreSQL (200,000 tickets, a quarter open; 400,000 text bands and 200,000
signatures; 200,000 reminders). Skipped with the reason when no PostgreSQL answers at 127.0.0.1:5432."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.support.explain import analyze, bulk_tickets, generic_plan, plan, scans, seq_scanned

TICKETS = 200_000


@pytest.fixture(scope="module")
def big(redis_url):  # type: ignore[no-untyped-def]
    """A scratch PostgreSQL database with the demo city and a bulk history (built once for the module)."""
    from tests.support.postgres import postgres_app

    with postgres_app(redis_url) as app:
        with app.extensions["db"].engine.begin() as conn:
            bulk_tickets(conn, TICKETS)
            conn.execute(text("""
                INSERT INTO ticket_text_bands (band_key, ticket_id, received_at)
                SELECT (random() * 9e18)::bigint, id, received_at FROM tickets, generate_series(1, 2)"""))
            conn.execute(text("""
                INSERT INTO ticket_signatures (ticket_id, received_at, minhash)
                SELECT id, received_at, decode(md5(id::text), 'hex') FROM tickets"""))
            conn.execute(text("""
                INSERT INTO reminders (ticket_id, deadline, kind, deadline_at, start_at, remind_at, created_at,
                                       sent_at, attempts)
                SELECT id, 'reply', 'due', reply_due_at, received_at, reply_due_at, received_at,
                       CASE WHEN reply_due_at < now() THEN reply_due_at END, 0 FROM tickets"""))
            analyze(conn)
        yield app


def _users(app):  # type: ignore[no-untyped-def]
    from hotline.db import session
    from hotline.departments.models import User

    return {u.username: u for u in session().query(User)}


@pytest.mark.postgres
def test_duplicate_candidates_use_the_phone_address_and_band_indexes(big):
    from hotline.clock import utcnow
    from hotline.supervision.duplicates import (
        candidate_params,
        candidate_query,
        candidate_shape,
        text_signature,
    )
    from hotline.tickets.models import Ticket

    probe = Ticket(id=0, caller_phone="13900001234", address="批量路1234号", content="")
    signature = text_signature("西山区枫林路锦绣花园小区东门外的夜宵大排档每天营业到凌晨三点，油烟直接排进住户家里")
    params = candidate_params(probe, signature, since=utcnow() - timedelta(days=30))
    statement = candidate_query(150, **candidate_shape(probe, signature)).params(params)
    with big.app_context(), big.extensions["db"].engine.connect() as conn:
        # the one statement intake executes, planned for its values and planned blind once prepared
        trees = {"custom": plan(conn, statement), "generic": generic_plan(conn, statement)}
    for name, tree in trees.items():
        used = {index for _kind, _rel, index in scans(tree) if index}
        assert not seq_scanned(tree) & {"tickets", "ticket_text_bands", "ticket_signatures"}, (name, scans(tree))
        assert {"ix_tickets_caller_phone_received", "ix_tickets_address_received", "pk_ticket_text_bands",
                "pk_tickets"} <= used, (name, scans(tree))
        assert not used & {"ix_tickets_status", "ix_tickets_received_at"}, (name, scans(tree))


@pytest.mark.postgres
def test_a_ticket_without_address_never_walks_the_window_by_time(big):
    """Without an address (most calls), the statement has no `address = NULL` for a blind plan to scan."""
    from hotline.clock import utcnow
    from hotline.supervision.duplicates import (
        candidate_params,
        candidate_query,
        candidate_shape,
        text_signature,
    )
    from hotline.tickets.models import Ticket

    probe = Ticket(id=0, caller_phone="13900001234", address=None, content="")
    signature = text_signature("小区门口的垃圾桶三天没人清运，气味很大")
    statement = candidate_query(150, **candidate_shape(probe, signature)).params(
        candidate_params(probe, signature, since=utcnow() - timedelta(days=30)))
    with big.app_context(), big.extensions["db"].engine.connect() as conn:
        tree = generic_plan(conn, statement)
    used = {index for _kind, _rel, index in scans(tree) if index}
    assert "ix_tickets_address_received" not in used and "ix_tickets_received_at" not in used, scans(tree)
    assert {"ix_tickets_caller_phone_received", "pk_ticket_text_bands", "pk_tickets"} <= used, scans(tree)


@pytest.mark.postgres
def test_caller_history_and_department_inbox_use_indexes(big):
    from sqlalchemy import select

    from hotline.tickets.models import Ticket
    from hotline.tickets.service import _scoped

    with big.app_context():
        users = _users(big)
        history = (_scoped(select(Ticket), users["operator"]).where(Ticket.caller_phone == "13900001234")
                   .order_by(Ticket.received_at.desc()).limit(20))
        inbox = (_scoped(select(Ticket), users["dept_ecology"]).where(Ticket.status == "dispatched")
                 .order_by(Ticket.id.desc()).limit(20))
        with big.extensions["db"].engine.connect() as conn:
            # planned for the values, and blind as psycopg's prepared statements may be
            trees = {"history": plan(conn, history), "inbox": plan(conn, inbox),
                     "history generic": generic_plan(conn, history), "inbox generic": generic_plan(conn, inbox)}
    for name in ("history", "history generic"):
        assert "ix_tickets_caller_phone_received" in {i for _k, _r, i in scans(trees[name])}, scans(trees[name])
    for name, tree in trees.items():
        assert "tickets" not in seq_scanned(tree), (name, scans(tree))


@pytest.mark.postgres
def test_reminder_sweep_and_follow_up_queue_use_indexes(big):
    from sqlalchemy import select

    from hotline.clock import utcnow
    from hotline.followups.service import queue_query
    from hotline.reminders.models import Reminder

    now = utcnow()
    sweep = (select(Reminder.id).where(Reminder.sent_at.is_(None), Reminder.skipped_at.is_(None),
                                       Reminder.remind_at <= now).order_by(Reminder.remind_at, Reminder.id)
             .limit(1000))
    with big.app_context(), big.extensions["db"].engine.connect() as conn:
        # The queue's blind plan (status unknown) is estimated dearer than its plans for the values, so
        # PostgreSQL never switches to it; the sweep's is estimated as cheap, so it must be as good.
        trees = {"sweep": plan(conn, sweep), "queue": plan(conn, queue_query(ready_at=now).limit(50)),
                 "sweep generic": generic_plan(conn, sweep)}
    for name in ("sweep", "sweep generic"):
        assert "ix_reminders_pending_due" in {i for _k, _r, i in scans(trees[name])}, scans(trees[name])
    for name, tree in trees.items():
        assert not seq_scanned(tree) & {"tickets", "reminders"}, (name, scans(tree))
