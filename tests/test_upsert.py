"""insert_ignore counts the rows it really inserted on both backends: callers act on that count (the
follow-up schedule closes an unsampled ticket only when its task row was new), and psycopg reports
rowcount -1 for a multi-row VALUES insert, so on PostgreSQL every insert used to count as skipped."""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.db import session
from hotline.departments.models import District
from hotline.upsert import insert_ignore
from tests.support.factories import stored_ticket
from tests.support.postgres import postgres_app
from tests.support.statements import recorded


def _counts(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    rows = [{"code": "zz1", "name": "测试一区", "active": True}, {"code": "zz2", "name": "测试二区", "active": True}]
    with app.app_context():
        first = insert_ignore(session(), District, rows)
        again = insert_ignore(session(), District, [*rows, {"code": "zz3", "name": "测试三区", "active": True}])
        session().rollback()
    return first, again


def test_insert_ignore_counts_new_rows_on_sqlite(app):
    assert _counts(app) == (2, 1)


def test_insert_ignore_counts_new_rows_on_postgresql(redis_url):
    with postgres_app(redis_url) as app:
        assert _counts(app) == (2, 1)


AT = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)


def _stored_rows(app) -> tuple[list[tuple], list[str]]:  # type: ignore[no-untyped-def]
    """insert_rows of a ticket's words (one with no district), read back as stored, and the statements the
    two calls sent."""
    from sqlalchemy import select

    from hotline.supervision.models import HotspotTerm
    from hotline.upsert import insert_rows

    with app.app_context():
        ticket = stored_ticket(AT)
        rows = [{"ticket_id": ticket.id, "term": term, "district": district, "received_at": AT}
                for term, district in (("噪音", "东湖区"), ("夜间", None), ("施工", "东湖区"))]
        with recorded(session().get_bind()) as sent:
            insert_rows(session(), HotspotTerm.__table__, rows)
            insert_rows(session(), HotspotTerm.__table__, [])  # nothing to write is no statement, no error
        stored = session().execute(select(HotspotTerm.term, HotspotTerm.district, HotspotTerm.received_at)
                                   .where(HotspotTerm.ticket_id == ticket.id)).all()
        session().rollback()
    return sorted(tuple(r) for r in stored), sent


EXPECTED = sorted([("噪音", "东湖区"), ("夜间", None), ("施工", "东湖区")])


def test_insert_rows_stores_every_row_on_sqlite(app):
    stored, sent = _stored_rows(app)
    assert [(t, d) for t, d, _ in stored] == EXPECTED and len(sent) == 1


def test_insert_rows_stores_every_row_on_postgresql(redis_url):
    """One statement reading the rows from JSON on PostgreSQL: NULLs and aware times arrive as given."""
    with postgres_app(redis_url) as app:
        stored, sent = _stored_rows(app)
    assert [(t, d) for t, d, _ in stored] == EXPECTED
    assert len(sent) == 1 and "json_populate_recordset" in sent[0]  # one statement, not a pipeline of three
    assert {at for _t, _d, at in stored} == {AT}


def _member_with_words(app) -> list[str]:  # type: ignore[no-untyped-def]
    """insert_together of a ticket's hotspot membership and its words, read back, and what it sent."""
    from sqlalchemy import select

    from hotline.held import insert_together
    from hotline.supervision.models import HotspotMember, HotspotTerm

    with app.app_context():
        ticket = stored_ticket(AT)
        member = {"ticket_id": ticket.id, "cluster_id": ticket.id, "district": "东湖区", "received_at": AT,
                  "terms": {"噪音": 0.8, "施工": 0.6}, "places": {}, "counted": True}
        words = [{"ticket_id": ticket.id, "term": term, "district": "东湖区", "received_at": AT}
                 for term in ("噪音", "施工")]
        with recorded(session().get_bind()) as sent:
            insert_together(session(), [(HotspotMember.__table__, [member]), (HotspotTerm.__table__, words)])
        stored = session().execute(select(HotspotMember.cluster_id, HotspotMember.terms, HotspotMember.received_at)
                                   .where(HotspotMember.ticket_id == ticket.id)).one()
        terms = session().execute(select(HotspotTerm.term, HotspotTerm.received_at)
                                  .where(HotspotTerm.ticket_id == ticket.id)).all()
        session().rollback()
    assert tuple(stored) == (ticket.id, {"噪音": 0.8, "施工": 0.6}, AT)
    assert sorted(tuple(t) for t in terms) == [("噪音", AT), ("施工", AT)]
    return sent


def test_a_row_with_rows_is_two_inserts_on_sqlite(app):
    """Two INSERTs on SQLite (the suite's database: `make test-postgres` runs this on PostgreSQL, one)."""
    one = app.extensions["db"].engine.dialect.name == "postgresql"
    assert len(_member_with_words(app)) == (1 if one else 2)


def test_a_row_with_rows_is_one_statement_on_postgresql(redis_url):
    with postgres_app(redis_url) as app:
        sent = _member_with_words(app)
    assert len(sent) == 1 and sent[0].lstrip().startswith("WITH") and "json_populate_recordset" in sent[0]


def test_rows_through_json_keep_bytes_and_times_on_postgresql(redis_url):
    """Several rows of bytea and aware times read from JSON arrive byte for byte and instant for instant."""
    from datetime import timedelta, timezone

    from sqlalchemy import select

    from hotline.supervision.models import TicketSignature
    from hotline.upsert import insert_rows

    with postgres_app(redis_url) as app, app.app_context():
        tickets = [stored_ticket(AT).id for _ in range(2)]
        east = AT.astimezone(timezone(timedelta(hours=8)))  # another offset, the same instant
        rows = [{"ticket_id": tickets[0], "received_at": east, "minhash": bytes([0, 1, 92, 120, 255])},
                {"ticket_id": tickets[1], "received_at": AT, "minhash": None}]
        insert_rows(session(), TicketSignature.__table__, rows)
        stored = session().execute(select(TicketSignature.ticket_id, TicketSignature.received_at,
                                          TicketSignature.minhash).where(TicketSignature.ticket_id.in_(tickets))
                                   .order_by(TicketSignature.ticket_id)).all()
        session().rollback()
    assert [tuple(r) for r in stored] == [(tickets[0], AT, bytes([0, 1, 92, 120, 255])), (tickets[1], AT, None)]
