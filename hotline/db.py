"""Database engine, typed declarative base and the request-scoped session."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import ARRAY, DateTime, MetaData, Select, any_, bindparam, create_engine, event, func, select
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql.expression import ColumnElement, Executable
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused (the zone it meant is unknown)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is required")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the offset, so it is restored on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every model; aware datetimes map to UTCDateTime."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url)
    event.listen(engine, "connect", _checked_in)  # a connection just made answered; no ping before its first use
    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    return engine


# A connection handed back this recently was working then; pinging it again costs a round trip per
# request (a twentieth of an intake's time) for nothing.
PING_AFTER_IDLE_S = 1.0


def _checked_in(_dbapi_conn: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dialect: Any, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """Pessimistic disconnect handling, as pool_pre_ping, for connections idle a second or more: a dead one
    (the server restarted) raises DisconnectionError, and the pool replaces it before the request uses it."""
    checked_in = record.info.get("checked_in_at")
    if checked_in is not None and time.monotonic() - checked_in < PING_AFTER_IDLE_S:
        return
    try:
        alive = dialect.do_ping(dbapi_conn)
    except Exception as exc:  # whatever the driver raises for a dead connection
        raise DisconnectionError(str(exc)) from exc
    if not alive:
        raise DisconnectionError("ping failed")


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        """Close pooled connections (e.g. before a worker forks)."""
        self.engine.dispose()


def init_db(app: Flask) -> Database:
    """Attach a Database to the app and close the request session after each request."""
    database = Database(app.config["DATABASE_URL"])
    app.extensions["db"] = database

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()

    return database


def get_db() -> Database:
    """The current app's Database."""
    return current_app.extensions["db"]


def session() -> Session:
    """The session of the current app context (request, CLI command or job)."""
    if "db_session" not in g:
        g.db_session = get_db().sessions()
    return g.db_session


def paginate(db: Session, query: Select, *, page: int, per_page: int) -> tuple[list[Any], int]:
    """One page of an ordered query's rows (scalars for a one-entity select) and the total count."""
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    result = db.execute(query.offset((page - 1) * per_page).limit(per_page))
    rows = list(result.scalars()) if len(query.column_descriptions) == 1 else list(result)
    return rows, total


def column_rows(db: Session, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
    """The rows of a SELECT of columns (no ORM entity), run on the session's connection: Session.execute
    builds each row through the ORM's loading (the hot look-ups at intake read a few hundred rows), and
    iterating a result fetches row by row where `all` fetches them at once. Pending ORM changes are flushed
    first, as Session.execute's autoflush would."""
    if db.autoflush:
        db.flush()
    return db.connection().execute(statement, params).all()


def one_of(column: Any, name: str, *, dialect: str) -> ColumnElement[bool]:
    """`column` equal to one of the list bound as `name`: `= ANY(array)` on PostgreSQL, so the statement's
    text, psycopg's parsing of it and the server's prepared plan are the same whatever the list's length
    (an expanding IN renders one placeholder per value: a new statement for every length)."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


# session.info keys whose notes hold only inside the open transaction (e.g. "received here, nothing merged
# into it yet"): dropped when the outermost transaction ends or anything rolls back (but those in MENDED).
TRANSACTION_NOTES: set[str] = set()
MENDED: set[str] = set()  # notes whose owner mends them when a savepoint rolls back, instead of losing them


def transaction_note(key: str, *, mended_on_rollback: bool = False) -> str:
    """Register a session.info key as a note of the open transaction; returns the key. `mended_on_rollback`:
    a savepoint's rollback leaves the note to its owner's own after_soft_rollback listener."""
    TRANSACTION_NOTES.add(key)
    if mended_on_rollback:
        MENDED.add(key)
    return key


@event.listens_for(Session, "after_transaction_end")
def _forget_notes_when_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed or rolled back (a flush's inner transaction ends all the time)
        for key in TRANSACTION_NOTES:
            session.info.pop(key, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_notes_when_rolled_back(session: Session, _previous: SessionTransaction) -> None:
    # A savepoint rolled back (or a failed flush): a note may no longer describe what is stored.
    for key in TRANSACTION_NOTES - MENDED:
        session.info.pop(key, None)
