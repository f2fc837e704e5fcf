"""New rows that nothing reads before the commit, held and written at the commit in one statement.

A creation writes about a dozen rows to seven tables that nothing in its request reads back (its hotspot
membership and words, its duplicate signature and band keys, the access-log line, its rate facts and their
roll-up). Each statement costs a round trip, SQLAlchemy's execution and PostgreSQL's own per-statement work;
held, they go at the commit as one statement of data-modifying CTEs (PostgreSQL; one INSERT each elsewhere).

Holding is asked for per transaction (`hold_until_commit`) by a caller that knows nothing reads those rows
before its commit (the intake request); everywhere else, and inside a savepoint (whose rollback must take
them away), `insert` writes at once. A transaction that ends without committing drops what it held.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert, Table, event
from sqlalchemy.orm import Session

from hotline.db import transaction_note
from hotline.upsert import dialect, insert_rows, json_insert, json_rows

# session.info: [(table, rows)] held in this transaction. Rows are held only outside savepoints, so a
# savepoint's rollback leaves them as they are (mended_on_rollback: nothing to mend).
HELD = transaction_note("held_rows", mended_on_rollback=True)
_BEFORE_WRITING: list[Callable[[Session], None]] = []


def hold_until_commit(session: Session) -> None:
    """From now until this transaction commits, `insert` holds rows for the commit."""
    session.info.setdefault(HELD, [])


def before_writing(producer: Callable[[Session], None]) -> None:
    """Call `producer(session)` at every commit of a whole transaction, before the held rows are written, so
    that rows it makes at the commit (a received ticket's rate facts) go in the same statement (idempotent)."""
    if producer not in _BEFORE_WRITING:
        _BEFORE_WRITING.append(producer)


def insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows (all with the same keys): held for the commit when the transaction holds, else at once."""
    insert_together(session, [(table, rows)])


def insert_together(session: Session, entries: Sequence[tuple[Table, Sequence[dict[str, Any]]]], *,
                    hold: bool = True) -> None:
    """Rows of several tables (e.g. facts and their roll-up): held for the commit when the transaction holds
    and `hold` allows it, else written at once in one statement (`write`)."""
    entries = [(table, list(rows)) for table, rows in entries if rows]
    if not entries:
        return
    held = _holding(session) if hold else None
    if held is None:
        _write(session, entries)
    else:
        held.extend(entries)


def _holding(session: Session) -> list[tuple[Table, list[dict[str, Any]]]] | None:
    held = session.info.get(HELD)
    return None if held is None or session.in_nested_transaction() else held


@event.listens_for(Session, "before_commit")
def _write_held(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction's own commit comes later
        return
    for producer in _BEFORE_WRITING:
        producer(session)
    held = session.info.pop(HELD, None)
    if held:
        _write(session, held)


def _write(session: Session, entries: list[tuple[Table, list[dict[str, Any]]]]) -> None:
    """Rows of several tables: one statement on PostgreSQL (each table's INSERT a data-modifying CTE of the
    last), one INSERT each elsewhere."""
    if dialect(session) != "postgresql" or len(entries) <= 1:
        for table, rows in entries:
            insert_rows(session, table, rows)
        return
    statement = _combined(tuple((table, tuple(rows[0])) for table, rows in entries))
    session.execute(statement, {f"h{i}": json_rows(rows) for i, (_table, rows) in enumerate(entries)})


@lru_cache(maxsize=64)
def _combined(shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> Insert:
    """WITH held_0 AS (INSERT ...), ... INSERT ...: each entry's rows read from one JSON parameter, built once
    per shape. One parameter per entry, not one per value: psycopg re-parses a statement of more than 50
    parameters on every execution (a fact row alone has 34 values)."""
    parts = [json_insert(table, names, f"h{i}") for i, (table, names) in enumerate(shape)]
    return parts[-1].add_cte(*(part.cte(f"held_{i}") for i, part in enumerate(parts[:-1])))
