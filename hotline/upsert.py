"""INSERT ... ON CONFLICT DO NOTHING, many-row INSERTs and SKIP LOCKED, spelled for the session's backend
(SQLite or PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    LABEL_STYLE_NONE,
    Insert,
    Select,
    String,
    Table,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TableValuedAlias

from hotline.db import utc


def dialect(session: Session) -> str:
    """The backend's name: "sqlite" or "postgresql"."""
    return session.get_bind().dialect.name


def insert_ignore(session: Session, model: type, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows, silently skipping any that would break a unique key; returns how many were inserted."""
    if not rows:
        return 0
    module = postgresql if dialect(session) == "postgresql" else sqlite
    keys = list(model.__table__.primary_key.columns)  # type: ignore[attr-defined]
    # Count what RETURNING gives back: psycopg reports rowcount -1 for a multi-row VALUES insert.
    statement = module.insert(model).values(list(rows)).on_conflict_do_nothing().returning(*keys)
    return len(session.execute(statement).all())


def skip_locked(session: Session, query: Select, *, of: Any = None) -> Select:
    """FOR UPDATE SKIP LOCKED on PostgreSQL (concurrent sweeps take disjoint rows); unchanged on SQLite."""
    if dialect(session) == "postgresql":
        return query.with_for_update(skip_locked=True, of=of)
    return query


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT many rows (all with the same keys): on PostgreSQL one statement reading the rows from one JSON
    parameter (`json_insert`): psycopg's executemany is a pipeline of one INSERT per row, and an array per
    column (unnest) is dumped by psycopg in Python value by value; one JSON text is one C-encoded string.
    Elsewhere (and for one row) a plain INSERT."""
    if not rows:
        return
    if len(rows) == 1 or dialect(session) != "postgresql":
        session.execute(insert(table), list(rows))
        return
    session.execute(json_insert(table, tuple(rows[0])), {"rows": json_rows(rows)})


def json_rows(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as the JSON array `json_insert` reads: aware times in UTC, dates and bytea in PostgreSQL's text
    forms, JSON columns as nested values."""
    return json.dumps(rows, default=_json_value, ensure_ascii=False, separators=(",", ":"))


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    raise TypeError(f"{type(value).__name__} cannot be written through JSON")


@lru_cache(maxsize=64)
def json_insert(table: Table, names: tuple[str, ...], param: str = "rows") -> Insert:
    """INSERT INTO table (names) SELECT names FROM json_populate_recordset(NULL::table, :param), built once per
    column set (PostgreSQL): the row type maps the JSON keys to the columns and their types by name."""
    source = json_source(table, names, param)
    return insert(table).from_select(list(names), short(select(*(source.c[n] for n in names))))


def json_source(table: Table, names: Sequence[str], param: str) -> TableValuedAlias:
    """json_populate_recordset(NULL::table, :param) AS r with these columns: the rows of a JSON array parameter
    typed by the table's row type (PostgreSQL)."""
    return func.json_populate_recordset(literal_column(f"NULL::{table.name}"), cast(
        bindparam(param, type_=String), postgresql.JSON)).table_valued(*names, name="r")


def short(statement: Select[Any]) -> Select[Any]:
    """The SELECT of an INSERT ... SELECT without column labels: psycopg parses a statement longer than 4 KB
    afresh on every execution. (Inside a CTE SQLAlchemy labels the columns all the same: this shortens the
    last INSERT of the held rows' statement, not the ones before it.)"""
    return statement.set_label_style(LABEL_STYLE_NONE)
