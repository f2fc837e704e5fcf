"""INSERT ... ON CONFLICT DO NOTHING and SKIP LOCKED, spelled for the session's backend (SQLite or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select
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
