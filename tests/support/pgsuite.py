"""`make test-postgres`: the whole suite on one throw-away PostgreSQL database instead of SQLite copies.

TEST_DATABASE_URL names the server (a database in it to connect to for CREATE/DROP DATABASE, e.g.
postgresql://postgres@127.0.0.1:5432/postgres). The session creates a database of its own there with
the schema and the demo city, takes a snapshot of every row and sequence, and before each test puts
that snapshot back (DELETE, INSERT, setval: a few tens of milliseconds, where a CREATE DATABASE from a
template costs a second and its DROP several). The database is dropped when the session ends.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, insert, make_url, select, text

ENV = "TEST_DATABASE_URL"


def server_url() -> str | None:
    """The PostgreSQL server the suite runs on, or None (the SQLite default)."""
    url = os.environ.get(ENV, "").strip()
    return url or None


def _driver(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@dataclass
class Snapshot:
    """Every row of every table and every sequence's position, in dependency order."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)

    @classmethod
    def take(cls, engine: Engine, metadata: MetaData) -> Snapshot:
        """Read the database's whole content."""
        snap = cls()
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                snap.rows[table.name] = [dict(r._mapping) for r in conn.execute(select(table))]
            for name, last, called in conn.execute(text(
                    "SELECT sequencename, COALESCE(last_value, start_value), last_value IS NOT NULL "
                    "FROM pg_sequences WHERE schemaname = current_schema()")):
                snap.sequences[name] = (int(last), bool(called))
        return snap

    def restore(self, engine: Engine, metadata: MetaData) -> None:
        """Put the content back: one transaction, children deleted first, parents inserted first."""
        with engine.begin() as conn:
            tables = [t for t in metadata.sorted_tables if t.name in self.rows]
            # the access log is append-only in the database; this transaction may empty it
            conn.execute(text("SET LOCAL hotline.access_log_purge = 'on'"))
            for table in reversed(tables):
                conn.execute(table.delete())
            for table in tables:
                if self.rows[table.name]:
                    conn.execute(insert(table), self.rows[table.name])
            for name, (value, called) in self.sequences.items():
                conn.execute(text("SELECT setval(:s, :v, :c)"), {"s": name, "v": value, "c": called})


class ScratchDatabase:
    """A database created on the server for this test session and dropped at its end."""

    def __init__(self, server: str, prefix: str = "hotline_suite") -> None:
        admin = make_url(_driver(server))
        self.admin_url = admin.set(database=admin.database or "postgres")
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)
        self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def create(self) -> ScratchDatabase:
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self

    def drop(self) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self._admin.dispose()
