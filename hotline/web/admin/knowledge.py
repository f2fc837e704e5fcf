"""知识库管理 (supervisors and admins): browse, create, edit, and move articles through their review."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.errors import ApiError, ValidationError
from hotline.knowledge import imports, service
from hotline.knowledge.api import CONTENT
from hotline.knowledge.models import Article
from hotline.knowledge.search import usable_problem
from hotline.knowledge.workflow import STATUS_LABELS
from hotline.validation import validate
from hotline.web.admin.common import refused
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_page
from hotline.web.common import departments, page_size
from knowledge_base.models import STATUSES, ArticleRecord

KB_ROLES = (Role.SUPERVISOR, Role.ADMIN)  # reviewers: every article, publish, import and export
# Department staff propose and change their own unit's articles and send them for review (DESIGN §5).
KB_EDITORS = (Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)
LIST, NEW, DETAIL = "web/admin/kb_list.html", "web/admin/kb_new.html", "web/admin/kb_article.html"
SPLIT = re.compile(r"[、,，;；\s]+")
ACTION_LABELS = {"create": "新建", "edit": "修改", "import": "导入", "submit": "送审", "approve": "审核发布",
                 "reject": "退回修改", "retire": "下线", "restore": "恢复历史版本"}
MOVES = {"submit": "已送审", "approve": "已审核发布", "reject": "已退回修改", "retire": "已下线",
         "restore": "已恢复历史版本"}
KB_FIELD_NAMES = {"title": "标题", "answer": "标准答复", "department": "所属单位", "questions": "问法",
                  "tags": "标签", "effective_from": "生效日期", "expires_on": "失效日期", "note": "说明",
                  "version_number": "版本"}


def _kb_message(exc: ApiError) -> ApiError:
    """The service's messages name fields by code ("expires_on: ..."): name them in Chinese."""
    message = exc.message
    for code, name in KB_FIELD_NAMES.items():
        message = re.sub(rf"(^|：){code}(: |：| )", rf"\g<1>{name}：", message)
    message = message.replace("请求参数有误：", "输入有误：").replace(" note", "")
    return ApiError(message, status=exc.status, code=exc.code)


def content_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The article fields of a posted form, checked as the API checks them (dates as dates)."""
    body: dict[str, Any] = {name: form.get(name, "") for name in ("title", "answer", "department",
                                                                  "effective_from", "expires_on")}
    body["questions"] = [line.strip() for line in form.get("questions", "").splitlines() if line.strip()]
    body["tags"] = [tag for tag in SPLIT.split(form.get("tags", "")) if tag]
    clean = validate({k: v for k, v in body.items() if v not in ("", [])}, CONTENT)
    for name in ("title", "answer", "department"):
        if name not in clean:
            raise ValidationError(f"{KB_FIELD_NAMES[name]}必填")
    if any("|" in item for item in clean.get("questions", []) + clean.get("tags", [])):
        raise ValidationError("问法和标签中不能包含 |")
    for name in ("effective_from", "expires_on"):
        try:
            clean[name] = date.fromisoformat(clean[name]) if name in clean else None
        except ValueError:
            raise ValidationError(f"{KB_FIELD_NAMES[name]}无效") from None
    return clean


def _filters() -> tuple[service.ArticleFilter, int]:
    args = request.args
    status = args.get("status") if args.get("status") in STATUSES else None
    page = args.get("page", "1")
    return (service.ArticleFilter(status=status, department=(args.get("department") or None),
                                  q=(args.get("q") or "").strip()[:100] or None),
            int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1)


@bp.get("/admin/kb")
@login_required(*KB_EDITORS)
def admin_kb() -> Any:
    """Every article with its state, use and feedback, filtered by state, unit and words."""
    filters, page = _filters()
    per_page = page_size()
    rows, total = service.list_articles(db_session(), user=me(), filters=filters, page=page, per_page=per_page)
    args = {k: v for k, v in (("status", filters.status), ("department", filters.department), ("q", filters.q)) if v}
    return render_template(LIST, rows=rows, total=total, page=page, pages=max(1, -(-total // per_page)),
                           filters=filters, args=args, statuses=STATUS_LABELS, departments=departments(),
                           usable=lambda a: usable_problem(a, utcnow()) is None, state_labels=imports.STATE_LABELS,
                           imports=imports.recent(db_session(), limit=5) if me().role in KB_ROLES else [])


def own_units() -> list[tuple[str, str]]:
    """The units the user may write articles for: their own for department staff, every one for reviewers."""
    user = me()
    if user.role == Role.DEPARTMENT:
        return [(user.department.code, user.department.name)] if user.department else []
    return departments()


def _new_page(values: dict[str, str] | None = None) -> dict[str, Any]:
    statuses = STATUS_LABELS if me().role in KB_ROLES else {k: STATUS_LABELS[k] for k in ("draft", "review")}
    return {"values": values or {}, "departments": own_units(), "statuses": statuses,
            "reviewer": me().role in KB_ROLES}


@bp.get("/admin/kb/new")
@login_required(*KB_EDITORS)
def admin_kb_new() -> Any:
    """The form for a new article."""
    return render_template(NEW, **_new_page())


@bp.post("/admin/kb/new")
@login_required(*KB_EDITORS)
def admin_kb_create() -> Any:
    """Create an article as a draft, for review, or published at once."""
    form, db = request.form, db_session()
    status = form.get("status") if form.get("status") in ("draft", "review", "published") else "draft"
    try:
        clean = content_from_form(form)
        record = ArticleRecord(title=clean["title"], answer=clean["answer"], department=clean["department"],
                               questions=tuple(clean.get("questions", ())), tags=tuple(clean.get("tags", ())),
                               effective_from=clean["effective_from"], expires_on=clean["expires_on"])
        article = service.create_article(db, record=record, actor=me(), now=utcnow(), status=status)
    except ApiError as exc:
        return refused(_kb_message(exc), NEW, lambda: _new_page(dict(form.items())))
    db.commit()
    flash(f"已新建知识条目「{article.title}」（{STATUS_LABELS[article.status]}）", "success")
    return redirect(url_for("web.admin_kb_article", article_id=article.id))


def _detail(article: Article) -> dict[str, Any]:
    db = db_session()
    return {"a": article, "versions": list(reversed(service.versions_of(db, article))),
            "tasks": service.open_tasks(db, article_id=article.id), "departments": own_units(),
            "reviewer": me().role in KB_ROLES,
            "statuses": STATUS_LABELS, "action_labels": ACTION_LABELS, "field_names": KB_FIELD_NAMES,
            "problem": usable_problem(article, utcnow())}


def _article(article_id: int) -> Article | None:
    try:
        return service.get_article(db_session(), article_id=article_id, user=me())
    except ApiError:
        return None


@bp.get("/admin/kb/<int:article_id>")
@login_required(*KB_EDITORS)
def admin_kb_article(article_id: int) -> Any:
    """One article: its content to edit, the moves its state allows, its versions and open review tasks."""
    article = _article(article_id)
    if article is None:
        return error_page(404, "知识条目不存在")
    return render_template(DETAIL, **_detail(article))


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


@bp.post("/admin/kb/<int:article_id>")
@login_required(*KB_EDITORS)
def admin_kb_edit(article_id: int) -> Any:
    """Save the content as a new version (a stale page is refused: someone changed it meanwhile)."""
    article, db = _article(article_id), db_session()
    if article is None:
        return error_page(404, "知识条目不存在")
    try:
        content = content_from_form(request.form)
        service.edit_article(db, article=article, content=content, actor=me(), now=utcnow(), version=_version(),
                             note=(request.form.get("note") or "").strip()[:2000] or None)
    except ApiError as exc:
        return refused(_kb_message(exc), DETAIL, lambda: _detail(_article(article_id) or article))
    db.commit()
    flash(f"已保存，当前为第 {article.version} 版", "success")
    return redirect(url_for("web.admin_kb_article", article_id=article.id))


@bp.post("/admin/kb/<int:article_id>/<move>")
@login_required(*KB_EDITORS)
def admin_kb_move(article_id: int, move: str) -> Any:
    """送审, 审核发布, 退回修改 (with a note), 下线, 恢复历史版本."""
    article, db, form, action = _article(article_id), db_session(), request.form, move
    if article is None or action not in MOVES:
        return error_page(404, "知识条目或操作不存在")
    note = (form.get("note") or "").strip()[:2000]
    kwargs: dict[str, Any] = {"article": article, "actor": me(), "now": utcnow(), "version": _version()}
    try:
        if action == "reject":
            service.reject(db, note=note, **kwargs)
        elif action == "restore":
            number = form.get("version_number", "")
            if not number.isdigit() or len(number) > 8:
                raise ValidationError("请选择要恢复的版本")
            service.restore(db, number=int(number), note=note or None, **kwargs)
        else:
            {"submit": service.submit, "approve": service.approve, "retire": service.retire}[action](
                db, note=note or None, **kwargs)
    except ApiError as exc:
        return refused(_kb_message(exc), DETAIL, lambda: _detail(_article(article_id) or article))
    db.commit()
    flash(f"{MOVES[action]}：「{article.title}」", "success")
    target = form.get("next") if form.get("next") == "review" else None
    return redirect(url_for("web.admin_kb_review") if target else url_for("web.admin_kb_article",
                                                                           article_id=article.id))
