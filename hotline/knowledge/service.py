"""Knowledge-base use cases in one place: what other parts of hotline call.

Every function takes keyword-only typed arguments, flushes and never commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from hotline.db import paginate
from hotline.departments.models import Department, User
from hotline.knowledge.models import Article
from hotline.knowledge.review import close_task, create_review_tasks, open_tasks
from hotline.knowledge.search import (
    current_index,
    index_token,
    search_articles,
    search_published,
    use_on_call,
)
from hotline.knowledge.workflow import (
    REVIEWERS,
    approve,
    can_edit,
    can_see,
    create_article,
    edit_article,
    get_article,
    give_feedback,
    reject,
    restore,
    retire,
    submit,
    versions_of,
)

__all__ = ["ArticleFilter", "approve", "can_edit", "can_see", "close_task", "create_article", "create_review_tasks",
           "current_index", "edit_article", "get_article", "give_feedback", "index_token", "list_articles",
           "open_tasks", "reject", "restore", "retire", "search_articles", "search_published", "submit",
           "use_on_call", "versions_of"]


@dataclass(frozen=True)
class ArticleFilter:
    """Filters of GET /kb/articles (None means any)."""

    status: str | None = None
    department: str | None = None
    tag: str | None = None
    q: str | None = None


def _visible(query, user: User):  # type: ignore[no-untyped-def]
    """Reviewers see every article; department staff also their own drafts; others only published."""
    if user.role in REVIEWERS:
        return query
    mine = Article.department_id == user.department_id if user.department_id else False
    return query.where(or_(Article.status == "published", mine))


def list_articles(session: Session, *, user: User, filters: ArticleFilter, page: int,
                  per_page: int) -> tuple[list[Article], int]:
    """One page of the articles the user may see, most recently changed first, and the total."""
    query = _visible(select(Article), user)
    if filters.status:
        query = query.where(Article.status == filters.status)
    if filters.department:
        query = query.join(Department, Department.id == Article.department_id).where(
            Department.code == filters.department)
    if filters.tag:
        # Tags are a JSON list; its text holds the tag exactly as json.dumps writes it.
        query = query.where(cast(Article.tags, Text).contains(json.dumps(filters.tag), autoescape=True))
    if filters.q:
        query = query.where(or_(Article.title.contains(filters.q, autoescape=True),
                                Article.answer.contains(filters.q, autoescape=True)))
    return paginate(session, query.order_by(Article.updated_at.desc(), Article.id.desc()), page=page,
                    per_page=per_page)
