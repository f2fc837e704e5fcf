"""Reminder: one reminder point of one deadline of one ticket; the unique key makes it fire once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base

PENDING = text("sent_at IS NULL AND skipped_at IS NULL")


class Reminder(Base):
    """A reminder point (warning, due, overdue_N, escalate) of a ticket's sign, reply or follow-up deadline.

    ``deadline_at`` is the value of the ticket's deadline column the point was computed from: a moved
    deadline gives new keys, and a row whose ``deadline_at`` no longer equals the ticket's is never
    delivered. A row is pending while ``sent_at`` and ``skipped_at`` are both empty; delivery sets
    ``sent_at`` with ``... WHERE sent_at IS NULL`` so a job run twice delivers once.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("ticket_id", "deadline", "deadline_at", "kind", name="uq_reminders_key"),
        # The sweep's "due and unsent" query; the literal WHERE lets SQLite use it too.
        Index("ix_reminders_pending_due", "remind_at", sqlite_where=PENDING, postgresql_where=PENDING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    deadline: Mapped[str] = mapped_column(String(20))  # sign | reply | follow_up
    kind: Mapped[str] = mapped_column(String(20))  # warning | due | overdue_N | escalate
    deadline_at: Mapped[datetime]
    start_at: Mapped[datetime]  # where the limit was counted from (for the 75 % point of the chain)
    remind_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    skipped_at: Mapped[datetime | None]
    skip_reason: Mapped[str | None] = mapped_column(String(30))  # moved | not_open | paused | superseded | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
