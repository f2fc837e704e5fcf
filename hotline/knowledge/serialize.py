"""JSON shapes of articles, versions and review tasks for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline.clock import iso
from hotline.knowledge.models import Article, ArticleVersion, ReviewTask
from hotline.knowledge.search import usable_problem
from hotline.knowledge.workflow import STATUS_LABELS


def article_json(article: Article, *, now: datetime, versions: list[ArticleVersion] | None = None,
                 tasks: list[ReviewTask] | None = None) -> dict[str, Any]:
    """One article; with its versions (oldest first) and open review tasks on the detail view."""
    body: dict[str, Any] = {
        "id": article.id, "title": article.title, "questions": list(article.questions or []),
        "answer": article.answer, "department": article.department.code,
        "department_name": article.department.name, "tags": list(article.tags or []),
        "effective_from": article.effective_from.isoformat() if article.effective_from else None,
        "expires_on": article.expires_on.isoformat() if article.expires_on else None,
        "status": article.status, "status_label": STATUS_LABELS.get(article.status, article.status),
        "usable": usable_problem(article, now) is None, "version": article.version,
        "use_count": article.use_count, "helped_count": article.helped_count,
        "not_helped_count": article.not_helped_count, "review_note": article.review_note,
        "created_at": iso(article.created_at), "updated_at": iso(article.updated_at),
        "published_at": iso(article.published_at),
    }
    if versions is not None:
        body["versions"] = [version_json(v) for v in versions]
    if tasks is not None:
        body["review_tasks"] = [task_json(t) for t in tasks]
    return body


def version_json(version: ArticleVersion) -> dict[str, Any]:
    """One saved version: who, when, what changed, and the content then."""
    return {"number": version.number, "at": iso(version.at), "actor": version.actor_name,
            "action": version.action, "status": version.status, "changed": list(version.changed or []),
            "note": version.note, "content": version.snapshot}


def task_json(task: ReviewTask, article: Article | None = None) -> dict[str, Any]:
    """One review task."""
    body: dict[str, Any] = {"id": task.id, "article_id": task.article_id, "reason": task.reason,
                            "article_version": task.article_version, "status": task.status,
                            "detail": task.detail, "created_at": iso(task.created_at),
                            "closed_at": iso(task.closed_at)}
    if article is not None:
        body["article_title"] = article.title
        body["department"] = article.department.code
    return body
