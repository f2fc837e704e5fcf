"""Ticket (工单) and its append-only events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base
from hotline.departments.models import Department

ticket_assists = Table(
    "ticket_assists",
    Base.metadata,
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id"), primary_key=True),
)


class Ticket(Base):
    """One citizen request and everything that happened to it."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_reply_due", "status", "reply_due_at"),
        Index("ix_tickets_department_status", "department_id", "status"),
        # Duplicates and caller history: one caller's / one address's most recent tickets, by index.
        Index("ix_tickets_caller_phone_received", "caller_phone", "received_at"),
        Index("ix_tickets_address_received", "address", "received_at"),
        # The tickets merged into given ones (hotspot sizes, reports on a dispatch): few rows carry one.
        Index("ix_tickets_merged_into", "merged_into_id", postgresql_where=text("merged_into_id IS NOT NULL"),
              sqlite_where=text("merged_into_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    content: Mapped[str] = mapped_column(Text)
    caller_name: Mapped[str | None] = mapped_column(String(60))
    caller_phone: Mapped[str | None] = mapped_column(String(30))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(10))
    district: Mapped[str | None] = mapped_column(String(40), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    reported_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))

    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(index=True)
    dispatched_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    first_contact_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    sign_due_at: Mapped[datetime | None]
    reply_due_at: Mapped[datetime | None]
    return_until: Mapped[datetime | None]
    follow_up_due_at: Mapped[datetime | None]
    deadline_fallback: Mapped[bool] = mapped_column(Boolean, default=False)

    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    pending_extension_days: Mapped[int | None]
    pending_extension_reason: Mapped[str | None] = mapped_column(Text)
    suspension_requested: Mapped[bool] = mapped_column(Boolean, default=False)

    reply_result: Mapped[str | None] = mapped_column(String(20))
    reply_content: Mapped[str | None] = mapped_column(Text)
    follow_up_attempts: Mapped[int] = mapped_column(Integer, default=0)
    contacted: Mapped[bool | None]
    solved: Mapped[str | None] = mapped_column(String(10))
    satisfaction: Mapped[str | None] = mapped_column(String(15))
    close_reason: Mapped[str | None] = mapped_column(String(20))
    invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)  # approved exclusion from the rates
    exclusion_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    exclusion_reason: Mapped[str | None] = mapped_column(Text)

    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    supervise_count: Mapped[int] = mapped_column(Integer, default=0)

    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    kb_article_id: Mapped[int | None]
    auto_dispatched: Mapped[bool] = mapped_column(Boolean, default=False)
    model_version: Mapped[str | None] = mapped_column(String(80))
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    department: Mapped[Department | None] = relationship(foreign_keys=[department_id], lazy="joined")
    assisting: Mapped[list[Department]] = relationship(secondary=ticket_assists, lazy="selectin")
    merged_into: Mapped[Ticket | None] = relationship(remote_side=[id], lazy="select")
    # 举报: the department this report is about (never dispatched to it, invisible to it).
    reported_department: Mapped[Department | None] = relationship(foreign_keys=[reported_department_id],
                                                                  lazy="select")

    __mapper_args__ = {"version_id_col": version}


class TicketEvent(Base):
    """One step of a ticket's course; rows are only ever inserted."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)



class IdempotencyKey(Base):
    """A creation request already answered, so a retry returns the same ticket."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime]
