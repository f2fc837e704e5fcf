"""Open311 API keys (one per client app, bound to a channel) and the requests each key created."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class ApiKey(Base):
    """A key for POST /open311/v2/requests.json; only its SHA-256 is stored, revoking sets revoked_at."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    channel: Mapped[str] = mapped_column(String(10))  # app | wechat
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so an admin can tell keys apart
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(60))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class Open311Request(Base):
    """What an Open311 client sent besides the ticket's fields: which key, where, how to reach the citizen."""

    __tablename__ = "open311_requests"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    email: Mapped[str | None] = mapped_column(String(200))
    device_id: Mapped[str | None] = mapped_column(String(100))
    account_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
