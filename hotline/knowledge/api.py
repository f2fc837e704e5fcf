"""HTTP API of the knowledge base (/api/v1/kb): thin views that validate, call the service and commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, request

from hotline.auth.service import log_access
from hotline.auth.web import current_user, require
from hotline.clock import local, utcnow
from hotline.db import session
from hotline.departments.roles import Role
from hotline.errors import NotFound, ValidationError
from hotline.knowledge import service, transfer
from hotline.knowledge.serialize import article_json, task_json
from hotline.openapi import documented, object_schema
from hotline.parsing import bad_text
from hotline.validation import Field, int_arg, json_body, paging_args, validate
from knowledge_base.models import STATUSES, ArticleRecord

bp = Blueprint("kb_api", __name__, url_prefix="/api/v1/kb")

DATE = r"\d{4}-\d{2}-\d{2}"
CONTENT = {
    "title": Field(str, max_len=200), "answer": Field(str, max_len=20000), "department": Field(str, max_len=40),
    "questions": Field(list, item_max_len=200, max_items=30), "tags": Field(list, item_max_len=30, max_items=20),
    "effective_from": Field(str, pattern=DATE, format="date"), "expires_on": Field(str, pattern=DATE, format="date"),
}
META = {"version": Field(int, min_value=1), "note": Field(str, max_len=2000)}
CREATE = CONTENT | {"status": Field(str, choices=("draft", "review", "published")), "note": META["note"]}
ACTIONS: dict[str, dict[str, Field]] = {
    "submit": META, "approve": META, "reject": META, "retire": META,
    "restore": META | {"version_number": Field(int, required=True, min_value=1)},
    "feedback": {"helped": Field(bool, required=True), "ticket_id": Field(int, min_value=1),
                 "note": META["note"]},
}

ACTION_LABELS = {"submit": "送审", "approve": "审核发布", "reject": "退回修改", "retire": "下线",
                 "restore": "恢复历史版本", "feedback": "反馈（有帮助/没帮助）"}


def _dates(clean: dict[str, Any]) -> dict[str, Any]:
    """ISO date strings → dates (422 naming the field for an impossible date such as 2026-02-30);
    list items may not hold "|", which separates them in a CSV export."""
    for name in ("questions", "tags"):
        if any("|" in item for item in clean.get(name, [])):
            raise ValidationError(f"{name}: 每项不能包含 |", details=[{"field": name}])
    for name in ("effective_from", "expires_on"):
        if name in clean:
            try:
                clean[name] = date.fromisoformat(clean[name])
            except ValueError:
                raise ValidationError(f"{name}: 日期无效", details=[{"field": name}]) from None
    return clean


def _query(name: str, max_len: int = 100) -> str | None:
    value = (request.args.get(name) or "").strip()
    if len(value) > max_len:
        raise ValidationError(f"查询参数 {name} 不能超过 {max_len} 字", details=[{"field": name}])
    return value or None


def _status_arg() -> str | None:
    status = _query("status", 20)
    if status is not None and status not in STATUSES:
        raise ValidationError(f"未知状态 {status}，可选：{', '.join(STATUSES)}", details=[{"field": "status"}])
    return status


@bp.get("/search")
@require()
def search():  # type: ignore[no-untyped-def]
    """知识库检索: top matches with highlighted snippets (fast enough for every keystroke)."""
    q = _query("q", 1000) or ""
    k = int_arg("k", 5, high=50)
    status = _status_arg() or "published"
    if status != "published" and current_user().role not in service.REVIEWERS:
        raise ValidationError("只有督办或管理员可以检索未发布的知识条目", details=[{"field": "status"}])
    items = service.search_articles(session(), q, k, department=_query("department", 40), tag=_query("tag", 40),
                                    status=status, now=utcnow())
    return jsonify({"q": q, "items": items})


@bp.get("/articles")
@require()
def index():  # type: ignore[no-untyped-def]
    """List the articles the caller may see, with filters and paging."""
    filters = service.ArticleFilter(status=_status_arg(), department=_query("department", 40),
                                    tag=_query("tag", 40), q=_query("q"))
    page, per_page = paging_args()
    rows, total = service.list_articles(session(), user=current_user(), filters=filters, page=page,
                                        per_page=per_page)
    now = utcnow()
    return jsonify({"items": [article_json(a, now=now) for a in rows], "page": page, "per_page": per_page,
                    "total": total})


@bp.post("/articles")
@require(Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)
@documented(CREATE, status=201)
def create():  # type: ignore[no-untyped-def]
    """新增知识条目: departments propose drafts for their own area; reviewers may publish at once."""
    user = current_user()
    clean = _dates(validate(json_body(), CREATE))
    if user.role == Role.DEPARTMENT and "department" not in clean and user.department is not None:
        clean["department"] = user.department.code
    missing = [name for name in ("title", "answer", "department") if name not in clean]
    if missing:
        raise ValidationError(f"请求参数有误：{'、'.join(missing)} 必填",
                              details=[{"field": m, "message": "必填"} for m in missing])
    record = ArticleRecord(title=clean["title"], answer=clean["answer"], department=clean["department"],
                           questions=tuple(q.strip() for q in clean.get("questions", []) if q.strip()),
                           tags=tuple(t.strip() for t in clean.get("tags", []) if t.strip()),
                           effective_from=clean.get("effective_from"), expires_on=clean.get("expires_on"))
    db = session()
    now = utcnow()
    article = service.create_article(db, record=record, actor=user, now=now, status=clean.get("status", "draft"),
                                     note=clean.get("note"))
    body = article_json(article, now=now, versions=service.versions_of(db, article), tasks=[])
    db.commit()
    return jsonify(body), 201


@bp.get("/articles/<int:article_id>")
@require()
def show(article_id: int):  # type: ignore[no-untyped-def]
    """One article with its version history and open review tasks."""
    db = session()
    article = service.get_article(db, article_id=article_id, user=current_user())
    tasks = service.open_tasks(db, article_id=article.id)
    return jsonify(article_json(article, now=utcnow(), versions=service.versions_of(db, article), tasks=tasks))


@bp.put("/articles/<int:article_id>")
@require(Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)
@documented(CONTENT | META)
def edit(article_id: int):  # type: ignore[no-untyped-def]
    """修改知识条目: a new version; a department's change to a published article goes back to review."""
    db = session()
    user = current_user()
    article = service.get_article(db, article_id=article_id, user=user, for_update=True)
    clean = _dates(validate(json_body(), CONTENT | META))
    version, note = clean.pop("version", None), clean.pop("note", None)
    for name in ("title", "answer"):
        if name in json_body() and name not in clean:
            raise ValidationError(f"{name} 不能为空", details=[{"field": name, "message": "必填"}])
    for name in ("effective_from", "expires_on"):
        if name in json_body() and json_body()[name] in (None, ""):
            clean[name] = None  # an explicit null clears the date
    for name in ("questions", "tags"):
        if name in clean:
            clean[name] = [v.strip() for v in clean[name] if v.strip()]
    now = utcnow()
    service.edit_article(db, article=article, content=clean, actor=user, now=now, version=version, note=note)
    body = article_json(article, now=now, versions=service.versions_of(db, article))
    db.commit()
    return jsonify(body)


@bp.post("/articles/<int:article_id>/<any(" + ", ".join(f'"{a}"' for a in sorted(ACTIONS)) + "):action>")
@require()
def act(article_id: int, action: str):  # type: ignore[no-untyped-def]
    """Review actions: submit, approve, reject, retire, restore; and operators' feedback."""
    fields = ACTIONS.get(action)
    if fields is None:
        raise NotFound(f"未知操作 {action}")
    db = session()
    user = current_user()
    article = service.get_article(db, article_id=article_id, user=user, for_update=True)
    clean = validate(json_body(), fields)
    now = utcnow()
    if action == "feedback":
        service.give_feedback(db, article=article, actor=user, helped=clean["helped"], now=now,
                              ticket_id=clean.get("ticket_id"), note=clean.get("note"))
    elif action == "restore":
        service.restore(db, article=article, number=clean["version_number"], actor=user, now=now,
                        version=clean.get("version"), note=clean.get("note"))
    elif action == "reject":
        service.reject(db, article=article, actor=user, now=now, note=clean.get("note") or "",
                       version=clean.get("version"))
    else:
        move = {"submit": service.submit, "approve": service.approve, "retire": service.retire}[action]
        move(db, article=article, actor=user, now=now, version=clean.get("version"), note=clean.get("note"))
    body = article_json(article, now=now, versions=service.versions_of(db, article))
    db.commit()
    return jsonify(body)


@bp.get("/review-tasks")
@require(Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN)
def review_tasks():  # type: ignore[no-untyped-def]
    """Open review tasks (department staff: their own department's articles)."""
    user = current_user()
    db = session()
    scope = user.department_id if user.role == Role.DEPARTMENT else None
    tasks = service.open_tasks(db, department_id=scope)
    return jsonify({"items": [task_json(t, db.get(service.Article, t.article_id)) for t in tasks]})


@bp.post("/review-tasks/<int:task_id>/close")
@require(Role.SUPERVISOR, Role.ADMIN)
@documented({"note": META["note"]})
def close_review_task(task_id: int):  # type: ignore[no-untyped-def]
    """关闭复核任务: the article was looked at and stays as it is."""
    db = session()
    clean = validate(json_body(), {"note": META["note"]})
    task = service.close_task(db, task_id=task_id, actor=current_user(), now=utcnow(), note=clean.get("note"))
    body = task_json(task, db.get(service.Article, task.article_id))
    db.commit()
    return jsonify(body)


def _upload() -> tuple[str, str]:
    """The import file's text and format: a multipart `file`, or the request body (CSV or JSON)."""
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data(cache=True)
    name = (upload.filename or "") if upload is not None else ""
    fmt = (request.args.get("format") or "").lower()
    if not fmt:
        is_csv = name.lower().endswith(".csv") or "csv" in (request.mimetype or "")
        fmt = "csv" if is_csv else "json"
    if not raw.strip():
        raise ValidationError("导入文件为空", details=[{"field": "file"}])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("导入文件必须是 UTF-8 编码", details=[{"field": "file"}]) from None
    problem = bad_text(text)
    if problem:
        raise ValidationError(f"导入文件{problem}", details=[{"field": "file", "message": problem}])
    return text, fmt


@bp.post("/import")
@require(Role.SUPERVISOR, Role.ADMIN)
@documented(status=(200, 201), files={"text/csv": {"type": "string", "minLength": 1},
                                     "application/json": {"type": "array", "minItems": 1}})
def import_file():  # type: ignore[no-untyped-def]
    """导入知识条目 (CSV or JSON; ?dry_run=1 checks every row and writes nothing)."""
    dry_run = request.args.get("dry_run", "0").lower() in ("1", "true", "yes")
    status = request.args.get("status") or "published"
    db = session()
    text, fmt = _upload()
    report = transfer.parse(db, text=text, fmt=fmt)
    outcome = transfer.import_articles(db, report=report, actor=current_user(), now=utcnow(), dry_run=dry_run,
                                       status=status)
    if not outcome.ok and not dry_run:
        raise ValidationError(f"导入文件有 {len(outcome.errors)} 处错误，未写入任何条目", details=outcome.as_json())
    db.commit()
    return jsonify(outcome.as_json()), 200 if dry_run else 201


@bp.get("/export")
@require(Role.SUPERVISOR, Role.ADMIN)
def export():  # type: ignore[no-untyped-def]
    """导出知识条目 as CSV (opens in Excel) or JSON, in the import format."""
    fmt = (request.args.get("format") or "json").lower()
    if fmt not in ("csv", "json"):
        raise ValidationError("format 只能是 csv 或 json", details=[{"field": "format"}])
    db, status = session(), _status_arg()
    text = transfer.export_text(db, fmt=fmt, status=status)
    log_access(db, user=current_user(), action="export_kb", now=utcnow(), detail={"format": fmt, "status": status})
    db.commit()  # every export is in the access log (DESIGN section 7)
    if fmt == "csv":
        text = "\ufeff" + text  # Excel reads UTF-8 only with a BOM; the importer drops it
    name = f"knowledge-{local(utcnow()):%Y%m%d}.{fmt}"
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return Response(text, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def document_actions(paths: dict[str, Any]) -> None:
    """Show each review action as its own path with its own body in the OpenAPI document."""
    generic = paths.pop("/api/v1/kb/articles/{article_id}/{action}", {}).get("post")
    if generic is None:
        return
    for action, fields in ACTIONS.items():
        op = {**generic, "summary": f"知识条目{ACTION_LABELS[action]}", "operationId": f"kb.{action}",
              "parameters": [p for p in generic["parameters"] if p["name"] == "article_id"],
              "requestBody": {"content": {"application/json": {"schema": object_schema(fields)}}}}
        paths[f"/api/v1/kb/articles/{{article_id}}/{action}"] = {"post": op}


@bp.record_once
def _register_openapi(state: Any) -> None:
    state.app.extensions.setdefault("openapi_extenders", []).append(document_actions)
