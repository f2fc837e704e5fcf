"""知识库 review queue, import (stored, then checked and written by a background job, with a progress page)
and export."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from hotline.auth.service import log_access
from hotline.clock import local, utcnow
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.errors import ApiError, ValidationError
from hotline.knowledge import imports, service, transfer
from hotline.knowledge.models import Article, ArticleImport
from hotline.knowledge.workflow import STATUS_LABELS
from hotline.parsing import bad_text
from hotline.web.admin.common import refused
from hotline.web.admin.knowledge import KB_EDITORS, KB_FIELD_NAMES, KB_ROLES
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_page
from knowledge_base.models import STATUSES

REVIEW, IMPORT, STATUS = "web/admin/kb_review.html", "web/admin/kb_import.html", "web/admin/kb_import_status.html"
TASK_REASONS = {"expiring": "即将失效", "unhelpful": "多次反馈没帮助"}
IMPORT_STATUS_LABELS = {"published": "直接发布", "review": "待审核", "draft": "草稿"}
MAX_UPLOAD = 5 * 1024 * 1024


def _review_context() -> dict[str, Any]:
    """Submitted articles and open review tasks: every unit's for reviewers, their own for department staff."""
    db, user = db_session(), me()
    own = user.department_id if user.role == Role.DEPARTMENT else None
    query = select(Article).where(Article.status == "review").order_by(Article.updated_at)
    if user.role == Role.DEPARTMENT:
        query = query.where(Article.department_id == (own or 0))
    waiting = list(db.scalars(query))
    tasks = service.open_tasks(db, department_id=own) if own or user.role != Role.DEPARTMENT else []
    articles = {a.id: a for a in db.scalars(select(Article).where(Article.id.in_({t.article_id for t in tasks})))}
    return {"waiting": waiting, "tasks": [(t, articles.get(t.article_id)) for t in tasks], "reasons": TASK_REASONS,
            "reviewer": user.role in KB_ROLES}


@bp.get("/admin/kb/review")
@login_required(*KB_EDITORS)
def admin_kb_review() -> Any:
    """审核队列: articles submitted for review, and review tasks (expiring, often unhelpful)."""
    return render_template(REVIEW, **_review_context())


@bp.post("/admin/kb/tasks/<int:task_id>/close")
@login_required(*KB_ROLES)
def admin_kb_task_close(task_id: int) -> Any:
    """The reviewer looked at the article and keeps it as it is."""
    db = db_session()
    try:
        service.close_task(db, task_id=task_id, actor=me(), now=utcnow(),
                           note=(request.form.get("note") or "").strip()[:200] or None)
    except ApiError as exc:
        return refused(exc, REVIEW, _review_context)
    db.commit()
    flash("已关闭复核任务，条目保持不变", "success")
    return redirect(url_for("web.admin_kb_review"))


def _import_context() -> dict[str, Any]:
    return {"statuses": IMPORT_STATUS_LABELS, "export_statuses": {s: STATUS_LABELS[s] for s in STATUSES},
            "imports": imports.recent(db_session()), "state_labels": imports.STATE_LABELS}


@bp.get("/admin/kb/import")
@login_required(*KB_ROLES)
def admin_kb_import() -> Any:
    """The import form (CSV or JSON in the export's format), the recent imports and the export links."""
    return render_template(IMPORT, **_import_context())


def _uploaded() -> tuple[str, str, str]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("请选择要导入的文件")
    raw = upload.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise ValidationError("导入文件不能超过 5 MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("导入文件必须是 UTF-8 编码的 CSV 或 JSON") from None
    problem = bad_text(text)
    if not text.strip() or problem:
        raise ValidationError(f"导入文件{problem or '为空'}")
    return text, "csv" if upload.filename.lower().endswith(".csv") else "json", upload.filename


def _enqueue(record: ArticleImport) -> None:
    """Run the import's job once the upload is committed (no job when queues are off: the sweep, or a
    test, runs it). The web app is a composition root here, as for its CLI: domain code never imports workers."""
    from workers.jobs import kb_import_job_id
    from workers.queues import enqueue_after_commit

    enqueue_after_commit(db_session(), current_app.config, "workers.jobs.kb_import", record.id,
                         job_id=kb_import_job_id(record.id))


@bp.post("/admin/kb/import")
@login_required(*KB_ROLES)
def admin_kb_import_run() -> Any:
    """Store the upload and queue its job (check only, or check then write); show its progress page."""
    form, db = request.form, db_session()
    status = form.get("status") if form.get("status") in IMPORT_STATUS_LABELS else "published"
    dry_run = form.get("dry_run") == "1"
    try:
        text, fmt, name = _uploaded()
        record = imports.queue_import(db, text=text, fmt=fmt, filename=name, actor=me(), now=utcnow(),
                                      dry_run=dry_run, status=status)
    except ApiError as exc:
        return refused(exc, IMPORT, _import_context)
    _enqueue(record)
    db.commit()
    flash("文件已上传，正在后台检查" if dry_run else "文件已上传，正在后台导入", "success")
    return redirect(url_for("web.admin_kb_import_status", import_id=record.id))


MISSING = "导入记录不存在"


@bp.get("/admin/kb/imports/<int:import_id>")
@login_required(*KB_ROLES)
def admin_kb_import_status(import_id: int) -> Any:
    """One import: a progress bar that refreshes itself while it runs, then its result and row errors."""
    record = db_session().get(ArticleImport, import_id)
    if record is None:
        return error_page(404, MISSING)
    return render_template(STATUS, item=record, progress=imports.progress_json(record), field_names=KB_FIELD_NAMES,
                           statuses=IMPORT_STATUS_LABELS, written=imports.written(record))


@bp.get("/admin/kb/imports/<int:import_id>/progress")
@login_required(*KB_ROLES)
def admin_kb_import_progress(import_id: int) -> Any:
    """The progress counts as JSON for the status page's script."""
    record = db_session().get(ArticleImport, import_id)
    if record is None:
        return error_page(404, MISSING)
    response = jsonify(imports.progress_json(record))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/admin/kb/export")
@login_required(*KB_ROLES)
def admin_kb_export() -> Any:
    """Download the articles (optionally of one state) as CSV or JSON; every export is access-logged."""
    fmt = request.args.get("format") if request.args.get("format") in ("csv", "json") else "csv"
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    db = db_session()
    text = transfer.export_text(db, fmt=fmt, status=status)
    log_access(db, user=me(), action="export_kb", now=utcnow(), detail={"format": fmt, "status": status})
    db.commit()
    if fmt == "csv":
        text = "\ufeff" + text  # Excel reads UTF-8 only with a BOM; the importer drops it
    name = f"knowledge-{local(utcnow()):%Y%m%d}.{fmt}"
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(text, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}"})
