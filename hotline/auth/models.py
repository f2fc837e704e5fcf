"""Bearer tokens and the access log of unmasked identities and exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from hotline.db import Base
from hotline.departments.models import User


class ApiToken(Base):
    """A bearer token or a page session id; only its SHA-256 is stored, logout sets revoked_at."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="api", server_default="api")  # api | page
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class AccessLog(Base):
    """Who saw an unmasked identity or exported data, and when (DESIGN section 7)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AccessLogIsAppendOnly(RuntimeError):
    """Raised on any attempt to change or delete an access-log entry."""


@event.listens_for(AccessLog, "before_update")
@event.listens_for(AccessLog, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, target: AccessLog) -> None:
    raise AccessLogIsAppendOnly(f"access log entry {target.id} cannot be changed or deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """UPDATE/DELETE statements on the access log are refused before they reach the database."""
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ is AccessLog:
        raise AccessLogIsAppendOnly("the access log cannot be changed or deleted")


# The database refuses changes too, whatever client connects (migration 0015 installs the same triggers).
# PostgreSQL lets a DELETE through only when the transaction set hotline.access_log_purge = 'on' (the
# test suite's snapshot restore does); SQLite refuses every UPDATE and DELETE. Note for migrations: a
# SQLite batch_alter_table recreating access_log drops its triggers; create them again after it.
APPEND_ONLY_DDL: dict[str, tuple[str, ...]] = {
    "postgresql": (
        """CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('hotline.access_log_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'access_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$fn$""",
        "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
        "FOR EACH ROW EXECUTE FUNCTION access_log_append_only()",
        "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()",
    ),
    "sqlite": (
        "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
        "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END",
        "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
        "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END",
    ),
}
for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(AccessLog.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
