"""insert_ignore counts the rows it really inserted on both backends: callers act on that count (the
follow-up schedule closes an unsampled ticket only when its task row was new), and psycopg reports
rowcount -1 for a multi-row VALUES insert, so on PostgreSQL every insert used to count as skipped."""

from __future__ import annotations

from hotline.db import session
from hotline.departments.models import District
from hotline.upsert import insert_ignore
from tests.support.postgres import postgres_app


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
