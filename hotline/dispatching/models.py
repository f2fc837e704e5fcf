"""The dispatch catalogue (versioned rules) and the corrections that feed retraining."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base
from hotline.departments.models import Department


class DispatchRule(Base):
    """派单目录 rule: keywords / category / district → department. Rows are never edited in place:
    a change retires the row and adds its successor, so every version stays readable."""

    __tablename__ = "dispatch_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_key: Mapped[str] = mapped_column(String(40), index=True)  # stable across versions
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    keywords: Mapped[str] = mapped_column(Text, default="")  # 、 or comma separated; any one matches
    category: Mapped[str | None] = mapped_column(String(40))  # request kind, e.g. complaint
    district: Mapped[str | None] = mapped_column(String(40))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]

    department: Mapped[Department] = relationship(lazy="joined")


class Correction(Base):
    """A dispatch that turned out wrong (approved return, re-dispatch): a training row for the next model."""

    __tablename__ = "dispatch_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True, unique=True)
    text: Mapped[str] = mapped_column(Text)
    wrong_department: Mapped[str | None] = mapped_column(String(40))
    right_department: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


class DispatchOutcome(Base):
    """What became of one auto-dispatched ticket: accepted (its department replied) or wrong (returned and
    re-dispatched elsewhere). The first outcome of a ticket is final."""

    __tablename__ = "dispatch_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    model_version: Mapped[str] = mapped_column(String(80), index=True)
    department: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    model_threshold: Mapped[float] = mapped_column(Float)  # the model's own threshold (before the monitor)
    correct: Mapped[bool] = mapped_column(Boolean)
    right_department: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime]


class MonitorEvent(Base):
    """A change of auto-dispatch for one model version: the threshold raised or auto-dispatch paused by the
    monitor, with the figures that caused it, or auto-dispatch resumed by a supervisor or admin (who, why,
    and from which outcome the rolling window starts again). Append-only: the latest row is the state."""

    __tablename__ = "dispatch_monitor_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    model_version: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(20))  # raise_threshold | pause | resume
    threshold_before: Mapped[float] = mapped_column(Float)
    threshold_after: Mapped[float | None] = mapped_column(Float)
    paused: Mapped[bool] = mapped_column(Boolean)
    outcomes: Mapped[int] = mapped_column(Integer)
    wrong: Mapped[int] = mapped_column(Integer)
    precision: Mapped[float | None] = mapped_column(Float)  # None: a resume with no outcome in the window
    lower_bound: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    # A resume: who and why; outcomes of the version with an id up to window_after no longer count.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
    window_after: Mapped[int | None] = mapped_column(Integer)
