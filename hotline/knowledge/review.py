"""The periodic review job: articles near expiry or marked unhelpful come back for review."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.departments.models import User
from hotline.errors import Conflict, Forbidden, NotFound
from hotline.knowledge.models import Article, ArticleFeedback, ReviewTask
from hotline.knowledge.search import today
from hotline.knowledge.workflow import REVIEWERS

EXPIRY_DAYS = 30
UNHELPFUL_THRESHOLD = 3


def _expiring(session: Session, *, now: datetime, days: int) -> list[tuple[Article, str]]:
    horizon = today(now) + timedelta(days=days)
    rows = session.scalars(select(Article).where(Article.status == "published", Article.expires_on.is_not(None),
                                                 Article.expires_on <= horizon).order_by(Article.id))
    return [(a, f"将于 {a.expires_on.isoformat()} 失效" if a.expires_on >= today(now)  # type: ignore[union-attr]
             else f"已于 {a.expires_on.isoformat()} 失效") for a in rows]  # type: ignore[union-attr]


def _unhelpful(session: Session, *, threshold: int) -> list[tuple[Article, str]]:
    """Published articles whose "did not help" since the last publication reach the threshold and
    outnumber the "helped" ones (older feedback was already looked at by the reviewer)."""
    since = or_(Article.published_at.is_(None), ArticleFeedback.created_at >= Article.published_at)
    not_helped = func.sum(case((ArticleFeedback.helped.is_(False), 1), else_=0))
    helped = func.count(ArticleFeedback.id) - not_helped
    # Ids and counts only: PostgreSQL would refuse the eagerly joined department in a GROUP BY.
    query = (select(Article.id, not_helped, helped)
             .join(ArticleFeedback, and_(ArticleFeedback.article_id == Article.id, since))
             .where(Article.status == "published").group_by(Article.id)
             .having(and_(not_helped >= threshold, not_helped > helped)).order_by(Article.id))
    rows = session.execute(query).all()
    return [(session.get_one(Article, article_id), f"近期 {bad} 次反馈“没帮助”（{good} 次有帮助）")
            for article_id, bad, good in rows]


def _open_task(session: Session, *, article: Article, reason: str, detail: str, now: datetime) -> ReviewTask | None:
    """One task per (article, reason, version): a second run finds it and adds nothing."""
    exists = session.scalar(select(ReviewTask.id).where(ReviewTask.article_id == article.id,
                                                        ReviewTask.reason == reason,
                                                        ReviewTask.article_version == article.version))
    if exists is not None:
        return None
    task = ReviewTask(article_id=article.id, reason=reason, article_version=article.version, status="open",
                      detail=detail[:200], created_at=now)
    try:
        with session.begin_nested():  # a concurrent run may have inserted it just now
            session.add(task)
    except IntegrityError:
        return None
    return task


def _notify(session: Session, *, task: ReviewTask, article: Article, now: datetime) -> None:
    """An inbox entry for the owning department and every supervisor, when the notify service exists."""
    try:
        from hotline.departments.roles import Role
        from hotline.notify.service import Audience, Message, notify, users_with_role
    except ImportError:  # pragma: no cover - the inbox is optional
        return
    label = "即将失效" if task.reason == "expiring" else "反馈没帮助较多"
    message = Message(kind="kb_review", title=f"知识条目待复核（{label}）：{article.title}",
                      body=task.detail, data={"article_id": article.id, "review_task_id": task.id})
    audience = Audience(departments=(article.department,), users=users_with_role(session, Role.SUPERVISOR))
    notify(session, key=f"kb_review:{task.id}", audience=audience, message=message, now=now)


def _setting(name: str, default: int) -> int:
    """A KB_* setting of the current app (the periodic job runs in one), else the default."""
    return int(current_app.config.get(name, default)) if has_app_context() else default


def create_review_tasks(session: Session, *, now: datetime, expiry_days: int | None = None,
                        unhelpful_threshold: int | None = None) -> int:
    """Open a review task (and notify) for each article near expiry or unhelpful; returns how many.

    Thresholds not given come from KB_REVIEW_EXPIRY_DAYS and KB_UNHELPFUL_THRESHOLD."""
    if expiry_days is None:
        expiry_days = _setting("KB_REVIEW_EXPIRY_DAYS", EXPIRY_DAYS)
    if unhelpful_threshold is None:
        unhelpful_threshold = _setting("KB_UNHELPFUL_THRESHOLD", UNHELPFUL_THRESHOLD)
    created = 0
    candidates = [("expiring", a, d) for a, d in _expiring(session, now=now, days=expiry_days)]
    candidates += [("unhelpful", a, d) for a, d in _unhelpful(session, threshold=unhelpful_threshold)]
    for reason, article, detail in candidates:
        task = _open_task(session, article=article, reason=reason, detail=detail, now=now)
        if task is not None:
            session.flush()
            _notify(session, task=task, article=article, now=now)
            created += 1
    session.flush()
    return created


def open_tasks(session: Session, *, department_id: int | None = None,
               article_id: int | None = None) -> list[ReviewTask]:
    """Open review tasks, oldest first (optionally of one department's articles, or of one article)."""
    query = select(ReviewTask).where(ReviewTask.status == "open").order_by(ReviewTask.id)
    if article_id is not None:
        query = query.where(ReviewTask.article_id == article_id)
    if department_id is not None:
        query = query.join(Article, Article.id == ReviewTask.article_id).where(Article.department_id == department_id)
    return list(session.scalars(query))


def close_task(session: Session, *, task_id: int, actor: User, now: datetime, note: str | None = None) -> ReviewTask:
    """A reviewer looked at the article and keeps it as it is: the task is done (and not reopened
    for this version of the article)."""
    if actor.role not in REVIEWERS:
        raise Forbidden("只有督办或管理员可以关闭复核任务")
    task = session.get(ReviewTask, task_id)
    if task is None:
        raise NotFound(f"复核任务 {task_id} 不存在")
    if task.status != "open":
        raise Conflict("复核任务已关闭", code="task_closed")
    task.status, task.closed_at, task.closed_by_id = "done", now, actor.id
    if note:
        task.detail = f"{task.detail}；复核：{note}"[:200]
    session.flush()
    return task
