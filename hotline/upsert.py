"""INSERT ... ON CONFLICT DO NOTHING, many-row INSERTs and SKIP LOCKED, spelled for the session's backend
(SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Select, Table, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


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
    """INSERT many rows of a few columns (a ticket's words, its band keys): on PostgreSQL one statement reading
    a column array each (unnest), half the CPU of psycopg's executemany pipeline for 20 rows of 3 columns;
    elsewhere (and for one row) a plain INSERT. Rows of many columns gain nothing (an array per column)."""
    if not rows:
        return
    if len(rows) == 1 or dialect(session) != "postgresql":
        session.execute(insert(table), list(rows))
        return
    session.execute(unnest_insert(table, tuple(rows[0])), arrays(rows))


def arrays(rows: Sequence[dict[str, Any]], prefix: str = "a_") -> dict[str, list[Any]]:
    """The rows as one array per column, named as `unnest_insert` binds them."""
    return {f"{prefix}{n}": [r[n] for r in rows] for n in rows[0]}


@lru_cache(maxsize=64)
def unnest_insert(table: Table, names: tuple[str, ...], prefix: str = "a_") -> Insert:
    """INSERT INTO table (names) SELECT * FROM unnest(one array per name, bound as prefix + name), built once
    per column set (PostgreSQL)."""
    arrays = [bindparam(f"{prefix}{n}", type_=postgresql.ARRAY(table.c[n].type)) for n in names]
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    return insert(table).from_select(list(names), select(*source.c))


def insert_row_with_rows(session: Session, table: Table, row: dict[str, Any], rows_table: Table,
                         rows: Sequence[dict[str, Any]]) -> None:
    """INSERT one row into `table` and rows of a few columns into `rows_table` (a ticket's signature and its
    band keys, its hotspot membership and its words): on PostgreSQL one statement, the row's INSERT a
    data-modifying CTE of the rows' unnest INSERT (one round trip instead of two); elsewhere two INSERTs."""
    if not rows or dialect(session) != "postgresql":
        session.execute(insert(table), [row])
        insert_rows(session, rows_table, rows)
        return
    statement = _row_with_rows(table, tuple(row), rows_table, tuple(rows[0]))
    session.execute(statement, {**{f"r_{n}": v for n, v in row.items()}, **arrays(rows)})


@lru_cache(maxsize=16)
def _row_with_rows(table: Table, row_names: tuple[str, ...], rows_table: Table, names: tuple[str, ...]) -> Insert:
    """WITH row AS (INSERT INTO table VALUES (...)) INSERT INTO rows_table SELECT FROM unnest(...), built once."""
    first = insert(table).values({n: bindparam(f"r_{n}", type_=table.c[n].type) for n in row_names})
    return unnest_insert(rows_table, names).add_cte(first.cte(f"{table.name}_row"))
