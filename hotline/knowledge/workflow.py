"""The review workflow of articles: propose, edit, submit, approve, reject, retire, restore, feedback.

Every change saves an ArticleVersion with the full content, so history is complete and restorable.
Services flush and never commit; the view, job or command owns the transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.departments.models import Department, User
from hotline.departments.roles import Role
from hotline.errors import Conflict, Forbidden, NotFound, ValidationError
from hotline.knowledge.models import CONTENT_FIELDS, Article, ArticleFeedback, ArticleVersion, ReviewTask
from hotline.tickets.models import Ticket
from knowledge_base.models import ArticleRecord

REVIEWERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
EDITORS = REVIEWERS | {Role.DEPARTMENT}
FEEDBACK_ROLES = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.FOLLOWUP, Role.SUPERVISOR, Role.ADMIN})
STATUS_LABELS = {"draft": "草稿", "review": "待审核", "published": "已发布", "retired": "已下线"}


def department_by_code(session: Session, code: str) -> Department:
    """An active department by code, or a 422 naming the field."""
    dept = session.scalar(select(Department).where(Department.code == code, Department.active.is_(True)))
    if dept is None:
        raise ValidationError(f"department: 未知单位 {code!r}", details=[{"field": "department"}])
    return dept


def snapshot(article: Article) -> dict[str, Any]:
    """The article's content as JSON (dates as ISO strings): what a version keeps."""
    return {"title": article.title, "questions": list(article.questions or []), "answer": article.answer,
            "department": article.department.code, "tags": list(article.tags or []),
            "effective_from": _iso(article.effective_from), "expires_on": _iso(article.expires_on)}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def can_edit(user: User, article: Article | None = None, *, department_id: int | None = None) -> bool:
    """Reviewers edit every article; department staff only their own department's."""
    if user.role in REVIEWERS:
        return True
    target = article.department_id if article is not None else department_id
    return user.role == Role.DEPARTMENT and user.department_id is not None and user.department_id == target


def can_see(user: User, article: Article) -> bool:
    """Published articles are for everyone; drafts for reviewers and the owning department."""
    return article.status == "published" or can_edit(user, article)


def _require_editor(user: User, article: Article | None = None, *, department_id: int | None = None) -> None:
    if user.role not in EDITORS:
        raise Forbidden(f"角色 {user.role} 不能编辑知识库")
    if not can_edit(user, article, department_id=department_id):
        raise Forbidden("只能提交或修改本单位的知识条目")


def _require_reviewer(user: User) -> None:
    if user.role not in REVIEWERS:
        raise Forbidden("只有督办或管理员可以审核、发布、下线或恢复知识条目")


def get_article(session: Session, *, article_id: int, user: User | None = None, for_update: bool = False) -> Article:
    """An article the user may see (404 otherwise, so drafts of others do not leak)."""
    query = select(Article).where(Article.id == article_id)
    if for_update:
        query = query.with_for_update(of=Article)
    article = session.scalar(query)
    if article is None or (user is not None and not can_see(user, article)):
        raise NotFound(f"知识条目 {article_id} 不存在")
    return article


def _check_dates(effective_from: date | None, expires_on: date | None) -> None:
    if effective_from and expires_on and expires_on < effective_from:
        raise ValidationError("expires_on: 失效日期不能早于生效日期", details=[{"field": "expires_on"}])


def _save_version(session: Session, *, article: Article, actor: User | None, action: str, now: datetime,
                  changed: list[str], note: str | None = None) -> ArticleVersion:
    """Bump the article's version and append the version row holding its full content."""
    article.version = (article.version or 0) + 1
    article.updated_at = now
    _check_unique_title(session, article)
    session.add(article)
    session.flush()
    row = ArticleVersion(article_id=article.id, number=article.version, at=now,
                         actor_id=actor.id if actor else None,
                         actor_name=actor.display_name if actor else "系统", action=action,
                         status=article.status, changed=changed, note=note, snapshot=snapshot(article))
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("知识条目已被他人修改，请刷新后重试", code="stale_version") from None
    return row


def _check_unique_title(session: Session, article: Article) -> None:
    """One title per department: the importer finds articles by it, operators tell them apart by it."""
    with session.no_autoflush:
        other = session.scalar(select(Article.id).where(Article.department_id == article.department_id,
                                                        Article.title == article.title,
                                                        Article.id != (article.id or 0)))
    if other is not None:
        raise Conflict(f"本单位已有同名知识条目（编号 {other}）", code="duplicate_title")


def _check_version(article: Article, expected: int | None) -> None:
    if expected is not None and expected != article.version:
        raise Conflict(f"知识条目已更新到第 {article.version} 版，请刷新后重试", code="stale_version")


def create_article(session: Session, *, record: ArticleRecord, actor: User | None, now: datetime,
                   status: str = "draft", note: str | None = None, action: str = "create") -> Article:
    """Propose a new article (draft); reviewers may also create it straight into review or published."""
    dept = department_by_code(session, record.department)
    if actor is not None:
        _require_editor(actor, department_id=dept.id)
        if status not in ("draft", "review"):
            _require_reviewer(actor)
    _check_dates(record.effective_from, record.expires_on)
    article = Article(title=record.title, answer=record.answer, questions=list(record.questions),
                      tags=list(record.tags), department_id=dept.id, department=dept,
                      effective_from=record.effective_from, expires_on=record.expires_on, status=status,
                      version=0, use_count=0, helped_count=0, not_helped_count=0, created_at=now,
                      updated_at=now, published_at=now if status == "published" else None,
                      created_by_id=actor.id if actor else None)
    _save_version(session, article=article, actor=actor, action=action, now=now, changed=list(CONTENT_FIELDS),
                  note=note)
    return article


def _apply(session: Session, article: Article, content: dict[str, Any]) -> list[str]:
    """Set the given content fields; returns the names of those that really changed."""
    before = snapshot(article)
    with session.no_autoflush:  # nothing reaches the database before every check has passed
        for name, value in content.items():
            if name == "department":
                dept = department_by_code(session, value)
                article.department_id, article.department = dept.id, dept
            elif name in ("questions", "tags"):
                setattr(article, name, list(value))
            elif name in CONTENT_FIELDS:
                setattr(article, name, value)
        _check_dates(article.effective_from, article.expires_on)
        _check_unique_title(session, article)
    after = snapshot(article)
    return [name for name in CONTENT_FIELDS if before[name] != after[name]]


def _status_after_edit(user: User | None, status: str) -> str:
    """Department edits of live articles go back to review; reviewers' edits keep the status."""
    if status == "retired":
        return "draft"
    if user is not None and user.role not in REVIEWERS and status == "published":
        return "review"
    return status


def edit_article(session: Session, *, article: Article, content: dict[str, Any], actor: User | None,
                 now: datetime, version: int | None = None, note: str | None = None,
                 action: str = "edit") -> Article:
    """Change the content: a new version; a department's change to a live article needs review again."""
    if actor is not None:
        _require_editor(actor, article)
        moving = "department" in content and actor.role not in REVIEWERS
        if moving and department_by_code(session, content["department"]).id != actor.department_id:
            raise Forbidden("只能提交或修改本单位的知识条目")
    _check_version(article, version)
    changed = _apply(session, article, content)
    if not changed:
        return article
    old_status = article.status
    article.status = _status_after_edit(actor, article.status)
    if article.status == "published":
        article.published_at = now  # new content is live: feedback is counted afresh from here
    _close_tasks(session, article=article, actor=actor, now=now)
    _save_version(session, article=article, actor=actor, action=action, now=now,
                  changed=changed + (["status"] if article.status != old_status else []), note=note)
    return article


def _move(session: Session, *, article: Article, actor: User, sources: tuple[str, ...], target: str,
          action: str, now: datetime, version: int | None, note: str | None) -> Article:
    _check_version(article, version)
    if article.status not in sources:
        raise Conflict(f"知识条目当前为「{STATUS_LABELS[article.status]}」，不能执行此操作",
                       code="invalid_article_state")
    article.status = target
    if target == "published":
        article.published_at = now
    if action == "reject":
        article.review_note = note
    if target in ("published", "retired"):
        _close_tasks(session, article=article, actor=actor, now=now)
    _save_version(session, article=article, actor=actor, action=action, now=now, changed=["status"], note=note)
    return article


def submit(session: Session, *, article: Article, actor: User, now: datetime, version: int | None = None,
           note: str | None = None) -> Article:
    """送审: draft → review (the owning department or a reviewer)."""
    _require_editor(actor, article)
    return _move(session, article=article, actor=actor, sources=("draft",), target="review", action="submit",
                 now=now, version=version, note=note)


def approve(session: Session, *, article: Article, actor: User, now: datetime, version: int | None = None,
            note: str | None = None) -> Article:
    """审核通过: review → published; every web process sees it on its next search."""
    _require_reviewer(actor)
    return _move(session, article=article, actor=actor, sources=("review",), target="published",
                 action="approve", now=now, version=version, note=note)


def reject(session: Session, *, article: Article, actor: User, now: datetime, note: str,
           version: int | None = None) -> Article:
    """退回修改: review → draft, with the reviewer's note."""
    _require_reviewer(actor)
    if not (note or "").strip():
        raise ValidationError("退回须填写说明 note", details=[{"field": "note", "message": "必填"}])
    return _move(session, article=article, actor=actor, sources=("review",), target="draft", action="reject",
                 now=now, version=version, note=note)


def retire(session: Session, *, article: Article, actor: User, now: datetime, version: int | None = None,
           note: str | None = None) -> Article:
    """下线: the article leaves search and can no longer close calls."""
    _require_reviewer(actor)
    return _move(session, article=article, actor=actor, sources=("draft", "review", "published"),
                 target="retired", action="retire", now=now, version=version, note=note)


def restore(session: Session, *, article: Article, number: int, actor: User, now: datetime,
            version: int | None = None, note: str | None = None) -> Article:
    """恢复历史版本: a new version whose content is that of version `number`."""
    _require_reviewer(actor)
    old = session.scalar(select(ArticleVersion).where(ArticleVersion.article_id == article.id,
                                                      ArticleVersion.number == number))
    if old is None:
        raise ValidationError(f"version_number: 版本 {number} 不存在", details=[{"field": "version_number"}])
    content = dict(old.snapshot)
    for name in ("effective_from", "expires_on"):
        content[name] = date.fromisoformat(content[name]) if content.get(name) else None
    return edit_article(session, article=article, content=content, actor=actor, now=now, version=version,
                        note=note or f"恢复第 {number} 版", action="restore")


def versions_of(session: Session, article: Article) -> list[ArticleVersion]:
    """Every saved version, oldest first."""
    return list(session.scalars(select(ArticleVersion).where(ArticleVersion.article_id == article.id)
                                .order_by(ArticleVersion.number)))


def give_feedback(session: Session, *, article: Article, actor: User, helped: bool, now: datetime,
                  ticket_id: int | None = None, note: str | None = None) -> ArticleFeedback:
    """有帮助 / 没帮助 from an operator; counted atomically so concurrent clicks are all kept."""
    if actor.role not in FEEDBACK_ROLES:
        raise Forbidden(f"角色 {actor.role} 不能评价知识条目")
    if article.status != "published":
        raise Conflict("只能评价已发布的知识条目", code="invalid_article_state")
    if ticket_id is not None and session.get(Ticket, ticket_id) is None:
        raise ValidationError(f"ticket_id: 工单 {ticket_id} 不存在", details=[{"field": "ticket_id"}])
    row = ArticleFeedback(article_id=article.id, user_id=actor.id, ticket_id=ticket_id, helped=helped,
                          note=note, created_at=now)
    session.add(row)
    column = Article.helped_count if helped else Article.not_helped_count
    session.execute(update(Article).where(Article.id == article.id).values({column: column + 1}))
    session.flush()
    session.refresh(article)
    return row


def _close_tasks(session: Session, *, article: Article, actor: User | None, now: datetime) -> None:
    """The article was looked at again: its open review tasks are done."""
    session.execute(update(ReviewTask).where(ReviewTask.article_id == article.id, ReviewTask.status == "open")
                    .values(status="done", closed_at=now, closed_by_id=actor.id if actor else None))
