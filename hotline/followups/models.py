"""FollowUpTask: one follow-up (回访) of one replied ticket, with its attempts at different times of day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class FollowUpTask(Base):
    """The follow-up of one reply cycle (``cycle`` = the ticket's reopen count when the task was made).

    status: open (in the callers' queue) → done | unreachable | reopened | not_sampled | cancelled.
    ``attempt_times`` are the unanswered calls (ISO UTC); ``next_attempt_at`` is the start of the next
    time-of-day window not yet tried.
    """

    __tablename__ = "follow_up_tasks"
    __table_args__ = (
        UniqueConstraint("ticket_id", "cycle", name="uq_follow_up_tasks_cycle"),
        Index("ix_follow_up_tasks_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(15))
    sampled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    attempt_times: Mapped[list[Any]] = mapped_column(JSON, default=list)
    next_attempt_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
