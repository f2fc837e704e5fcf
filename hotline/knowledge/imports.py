"""Knowledge-base imports as background work: the upload is stored (kb_imports), a job checks every row,
then writes the rows in batches, each batch committed together with the progress counters.

What a crash leaves: the rows are checked before anything is written, so a bad file writes nothing.
Writing is per batch: after a crash, the batches committed so far are in the database and `processed`,
`created`, `updated` say exactly how many; nothing of the interrupted batch is. Running the job again
resumes: rows already written match their articles unchanged and are not written twice.

Each run claims the import by bumping `attempts`; every later update is conditional on that number,
so a run that was given up for lost and replaced cannot write over its successor's progress.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.departments.models import User
from hotline.errors import ApiError, ValidationError
from hotline.knowledge import transfer
from hotline.knowledge.models import Article, ArticleImport
from knowledge_base.io import REQUIRED
from knowledge_base.models import ArticleRecord

BATCH = 50
MAX_ATTEMPTS = 3
MAX_ERRORS = 500  # row errors kept on the record; `rejected` still counts every bad row
PENDING = ("queued", "running")
STATE_LABELS = {"queued": "排队中", "running": "正在导入", "done": "完成", "failed": "失败"}
COLUMN_LABELS = {"title": "标题", "answer": "标准答复", "department": "所属单位"}
Plan = list[tuple[ArticleRecord, Article | None]]


class Superseded(Exception):
    """Another run claimed this import after this one (this run was taken for lost)."""


@dataclass(frozen=True)
class Claim:
    """One run's hold on an import: its id and the attempt number every update is conditional on."""

    import_id: int
    attempt: int


def precheck(text: str, fmt: str) -> str | None:
    """A whole-file problem (missing columns, not JSON, no rows) as a form message, before anything is stored."""
    if fmt == "csv":
        rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
        header = [h.strip() for h in next(rows, [])]
        missing = [COLUMN_LABELS[c] for c in REQUIRED if c not in header]
        if missing:
            return f"文件第一行应为列名，缺少必需的列：{'、'.join(missing)}（可先导出一份作为模板）"
        return None if any(any(c.strip() for c in row) for row in rows) else "文件中没有条目"
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except ValueError:
        return "文件不是有效的 JSON 数据文件"
    items = data.get("articles") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return "数据文件的顶层应为条目列表"
    return None if items else "文件中没有条目"


def queue_import(session: Session, *, text: str, fmt: str, filename: str, actor: User, now: datetime,
                 dry_run: bool, status: str) -> ArticleImport:
    """Store an upload as a queued import (the caller enqueues its job after the commit)."""
    if status not in transfer.IMPORT_STATUSES:
        raise ValidationError("新条目状态无效", details=[{"field": "status"}])
    problem = precheck(text, fmt)
    if problem:
        raise ValidationError(problem, details=[{"field": "file", "message": problem}])
    record = ArticleImport(filename=filename[:200] or "未命名文件", fmt=fmt, body=text, dry_run=dry_run,
                           article_status=status, state="queued", total=0, processed=0, created=0, updated=0,
                           unchanged=0, rejected=0, errors=[], unknown_columns=[], attempts=0,
                           uploaded_by_id=actor.id, uploaded_by_name=actor.display_name, created_at=now)
    session.add(record)
    session.flush()
    return record


def _set(session: Session, claim: Claim, **values: Any) -> None:
    """Update the import only while this run still holds it."""
    done = session.execute(update(ArticleImport).where(ArticleImport.id == claim.import_id,
                                                       ArticleImport.attempts == claim.attempt).values(**values)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Superseded(f"import {claim.import_id} attempt {claim.attempt}")


def start(session: Session, *, import_id: int, now: datetime) -> Claim | None:
    """Claim a queued (or interrupted) import for this run; None when it is finished, gone or taken."""
    record = session.get(ArticleImport, import_id)
    if record is None or record.state not in PENDING:
        return None
    seen = record.attempts
    if seen >= MAX_ATTEMPTS:
        _set(session, Claim(import_id, seen), state="failed", finished_at=now,
             failure=f"导入已中断 {seen} 次，不再重试；已写入的条目保留，可重新上传同一文件继续")
        return None
    try:
        _set(session, Claim(import_id, seen), state="running", attempts=seen + 1,
             started_at=record.started_at or now)
    except Superseded:
        return None
    session.expire(record)
    return Claim(import_id, seen + 1)


def _rejected(errors: list[dict[str, Any]]) -> int:
    return len({e["row"] for e in errors if e["row"]}) + sum(1 for e in errors if not e["row"])


def check(session: Session, *, claim: Claim, now: datetime) -> Plan:
    """Check every row; a bad file or a dry run ends here (nothing written). Returns the rows to write."""
    record = session.get(ArticleImport, claim.import_id)
    assert record is not None
    report = transfer.parse(session, text=record.body, fmt=record.fmt)
    outcome, plan = transfer.check_rows(session, report=report, status=record.article_status,
                                        dry_run=record.dry_run)
    common = {"total": outcome.total, "errors": outcome.errors[:MAX_ERRORS], "rejected": _rejected(outcome.errors),
              "unknown_columns": outcome.unknown_columns}
    if not outcome.ok or record.dry_run:
        would = {"created": outcome.created, "updated": outcome.updated} if outcome.ok else {}
        _set(session, claim, **common, **would, unchanged=outcome.unchanged, processed=outcome.total,
             state="done", finished_at=now)
        return []
    # On a rerun the rows an earlier run wrote now match their articles: they count as written, not unchanged.
    unchanged = outcome.unchanged - record.created - record.updated
    _set(session, claim, **common, unchanged=unchanged, processed=unchanged + record.created + record.updated)
    return plan


def batches(plan: Plan, size: int = BATCH) -> Iterator[Plan]:
    """The rows to write in batches of `size`."""
    for begin in range(0, len(plan), size):
        yield plan[begin:begin + size]


def write_batch(session: Session, *, claim: Claim, batch: Plan, now: datetime) -> None:
    """Write one batch and count it in the same transaction (the caller commits both together)."""
    record = session.get(ArticleImport, claim.import_id)
    assert record is not None
    actor = session.get(User, record.uploaded_by_id) if record.uploaded_by_id else None
    transfer.write_rows(session, plan=batch, actor=actor, now=now, status=record.article_status)
    new = sum(1 for _record, article in batch if article is None)
    _set(session, claim, processed=ArticleImport.processed + len(batch), created=ArticleImport.created + new,
         updated=ArticleImport.updated + len(batch) - new)


def finish(session: Session, *, claim: Claim, now: datetime) -> None:
    """Mark the import done."""
    _set(session, claim, state="done", finished_at=now)


def fail(session: Session, *, claim: Claim, reason: str, now: datetime) -> None:
    """Mark the import failed with a reason the admin can read (its committed batches stay written)."""
    _set(session, claim, state="failed", failure=reason[:500], finished_at=now)


def failure_reason(exc: BaseException) -> str:
    """The reason a failed import shows: the service's own message, or what kind of failure it was."""
    if isinstance(exc, ApiError):
        return exc.message
    if isinstance(exc, IntegrityError):
        return "写入时与同时进行的修改冲突（同一单位下已有同名条目）；请稍后重新上传同一文件"
    return "系统内部错误，已记入日志；请联系系统管理员"


def pending(session: Session) -> list[int]:
    """Imports still to run (queued, or interrupted while running), oldest first, for the sweep."""
    return list(session.scalars(select(ArticleImport.id).where(ArticleImport.state.in_(PENDING))
                                .order_by(ArticleImport.id)))


def recent(session: Session, *, limit: int = 20) -> list[ArticleImport]:
    """The latest imports, newest first."""
    return list(session.scalars(select(ArticleImport).order_by(ArticleImport.id.desc()).limit(limit)))


def written(record: ArticleImport) -> int:
    """Rows this import actually wrote (0 for a dry run or a bad file)."""
    return 0 if record.dry_run else record.created + record.updated


def progress_json(record: ArticleImport) -> dict[str, Any]:
    """What the status page's script shows while it polls."""
    phase = "checking" if record.state == "running" and not record.total else record.state
    return {"id": record.id, "state": record.state, "label": "正在检查" if phase == "checking"
            else STATE_LABELS[record.state], "finished": record.state not in PENDING, "total": record.total,
            "processed": record.processed, "created": record.created, "updated": record.updated,
            "unchanged": record.unchanged, "rejected": record.rejected}
