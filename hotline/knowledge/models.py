"""Knowledge articles (知识库条目), their saved versions, operators' feedback and review tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base
from hotline.departments.models import Department

# The fields of an article's content: what a version snapshot holds and what an edit may change.
CONTENT_FIELDS: tuple[str, ...] = ("title", "questions", "answer", "department", "tags", "effective_from",
                                   "expires_on")


class Article(Base):
    """The current state of one article; every change is also saved as an ArticleVersion.

    ``version`` is the number of the latest ArticleVersion: it grows with every saved change (content or
    status), so (count, sum(version)) tells every web process that its search index is stale.
    """

    __tablename__ = "kb_articles"
    # One title per department: the importer matches rows to articles by it (the service answers 409 first).
    __table_args__ = (Index("ix_kb_articles_department_status", "department_id", "status"),
                      UniqueConstraint("department_id", "title", name="uq_kb_articles_department_title"))

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    effective_from: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    helped_count: Mapped[int] = mapped_column(Integer, default=0)
    not_helped_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_note: Mapped[str | None] = mapped_column(Text)

    department: Mapped[Department] = relationship(lazy="joined")


class ArticleVersion(Base):
    """One saved change of an article: who, when, which action, which fields, and the full content."""

    __tablename__ = "kb_article_versions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class ArticleFeedback(Base):
    """An operator's "helped / did not help" on an article, optionally for one ticket."""

    __tablename__ = "kb_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    helped: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ReviewTask(Base):
    """An article that must be looked at again (near expiry, or unhelpful).

    Unique per (article, reason, article version): the periodic job may run any number of times, and
    once the article changes (re-approved, edited, retired) a new task may be opened for the new version.
    """

    __tablename__ = "kb_review_tasks"
    __table_args__ = (UniqueConstraint("article_id", "reason", "article_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # expiring | unhelpful
    article_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open | done
    detail: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ArticleImport(Base):
    """One uploaded import file and what its background job did with it (DESIGN §5: import with progress).

    The upload is kept here (not on a host's disk) so any worker host can run it and a rerun can resume.
    ``state``: queued → running → done | failed. Counters are committed together with each batch of
    written rows, so after a crash they say exactly what is in the database.
    """

    __tablename__ = "kb_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    fmt: Mapped[str] = mapped_column(String(10))  # csv | json
    # Deferred: up to 5 MB, read only by the job; the list and the progress poll (every second) skip it.
    body: Mapped[str] = mapped_column(Text, deferred=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    article_status: Mapped[str] = mapped_column(String(20))  # the status new articles get
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    unknown_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    failure: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_by_name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
