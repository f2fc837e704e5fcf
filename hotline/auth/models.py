"""Bearer tokens and the access log of unmasked identities and exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
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
