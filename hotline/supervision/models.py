"""MetricSnapshot: each day's counts and rates, stored so history stays stable when tickets change later."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime
from hotline.supervision.counts import COUNTS


class MetricSnapshot(Base):
    """The counts (additive) and rates of one local day for one group ("total" rows: group_by "total")."""

    __tablename__ = "metric_snapshots"
    __table_args__ = (UniqueConstraint("day", "group_by", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    group_by: Mapped[str] = mapped_column(String(20))
    group_key: Mapped[str] = mapped_column(String(60))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    taken_at: Mapped[datetime]


class TicketSignature(Base):
    """A ticket's text signature (MinHash of its words' 3-grams, see signature.py), written at intake.

    A row with no signature marks a text too short to compare; no row at all, a ticket received
    before signatures existed (its signature is then computed when needed)."""

    __tablename__ = "ticket_signatures"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)


class TicketTextBand(Base):
    """One LSH band key of a ticket's signature: equal keys find similar texts by index, not by scan."""

    __tablename__ = "ticket_text_bands"

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(index=True)


# One row per countable fact of a ticket (see facts.py), rewritten with the ticket's every move in the same
# transaction (live_facts.py), so the rates of any period are one GROUP BY over an index range of `at`.
rate_facts = Table(
    "rate_facts",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("cohort", String(20), nullable=False),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("department", String(40)),
    Column("district", String(40)),
    Column("kind", String(20), nullable=False),
    Column("channel", String(10), nullable=False),
    *(Column(name, SmallInteger, nullable=False, server_default="0") for name in COUNTS),
    Index("ix_rate_facts_department_at", "department", "at"),
    Index("ix_rate_facts_district_at", "district", "at"),
)


# The facts summed per local day and group, four rows per fact (one per grouping: department, district, kind,
# channel), so a year's rates by any grouping read ~100 rows a day instead of every fact (rollup.py). Each move
# appends the difference it makes (insert-only: concurrent moves never wait on a shared row) and `compact`
# merges a day-group's rows into one; the sum of a day-group's rows is always the sum of its facts.
rate_days = Table(
    "rate_days",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("group_by", String(10), nullable=False),
    Column("group_key", String(40)),
    Column("facts", Integer, nullable=False, server_default="0"),
    *(Column(name, Integer, nullable=False, server_default="0") for name in COUNTS),
    Index("ix_rate_days_group_by_day", "group_by", "day"),
)


class HotspotMember(Base):
    """A ticket placed in a hotspot cluster at intake (cluster_id: the id of the cluster's first ticket).

    `terms` and `places` are the ticket's L2-normalised word and address-bigram frequencies, so the
    average-linkage similarity to a cluster is a mean of dot products over its members."""

    __tablename__ = "hotspot_members"
    __table_args__ = (Index("ix_hotspot_members_received_cluster", "received_at", "cluster_id"),
                      Index("ix_hotspot_members_district_received", "district", "received_at"))

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    cluster_id: Mapped[int] = mapped_column(Integer, index=True)
    district: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime]
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    places: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # False once the ticket leaves the counts (invalid, merged, excluded): the window query needs no join
    counted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class HotspotTerm(Base):
    """One of a placed ticket's leading words: the index that finds recent similar tickets in a district."""

    __tablename__ = "hotspot_terms"
    __table_args__ = (Index("ix_hotspot_terms_lookup", "district", "term", "received_at"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True,
                                           autoincrement=False)
    term: Mapped[str] = mapped_column(String(40), primary_key=True)
    district: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime]


class RateRefresh(Base):
    """Rate facts to judge again after the rules changed (a year's time limits, official days entered): the
    tickets dispatched in [start_at, end_at), refreshed a local day and a chunk at a time by a background job.
    `next_day` and `after_ticket_id` say how far it got, so an interrupted run resumes there; `finished_at`
    is set at the end."""

    __tablename__ = "rate_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(120))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    next_day: Mapped[date] = mapped_column(Date)
    after_ticket_id: Mapped[int] = mapped_column(Integer, default=0)  # within next_day: the last done
    refreshed: Mapped[int] = mapped_column(Integer, default=0)
    requested_by: Mapped[str | None] = mapped_column(String(60))
    requested_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(index=True)
