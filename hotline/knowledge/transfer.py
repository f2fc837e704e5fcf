"""Import and export of articles: the file formats are knowledge_base.io's; this side checks the rows
against the database and writes them all or none.

An imported row matches an existing article by (department, title): changed content becomes a new
version of that article, identical content is left alone, anything else is a new article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.departments.models import Department, User
from hotline.errors import ValidationError
from hotline.knowledge.models import Article
from hotline.knowledge.workflow import create_article, edit_article, snapshot
from hotline.spreadsheet import csv_cell, csv_text
from knowledge_base import io as kb_io
from knowledge_base.models import ArticleRecord, ImportReport

IMPORT_STATUSES = ("draft", "review", "published")


@dataclass
class ImportOutcome:
    """What an import did (or, in a dry run, would do), and every problem row by row."""

    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row is bad (and so, unless a dry run, everything was written)."""
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        """The report the API and the CLI show."""
        return {"dry_run": self.dry_run, "ok": self.ok, "written": self.ok and not self.dry_run,
                "total": self.total, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "errors": self.errors, "unknown_columns": self.unknown_columns}


def _error(row: int, name: str, message: str) -> dict[str, Any]:
    return {"row": row, "field": name, "message": message}


def _content(record: ArticleRecord) -> dict[str, Any]:
    return {"title": record.title, "questions": list(record.questions), "answer": record.answer,
            "department": record.department, "tags": list(record.tags),
            "effective_from": record.effective_from.isoformat() if record.effective_from else None,
            "expires_on": record.expires_on.isoformat() if record.expires_on else None}


def _plan(session: Session, records: list[ArticleRecord],
          outcome: ImportOutcome) -> list[tuple[ArticleRecord, Article | None]]:
    """Check each record against the database; returns (record, existing article or None) to write."""
    departments = {d.code: d for d in session.scalars(select(Department).where(Department.active.is_(True)))}
    existing = {(a.department_id, a.title): a for a in session.scalars(select(Article))}
    plan, seen = [], set()
    for record in records:
        dept = departments.get(record.department)
        if dept is None:
            outcome.errors.append(_error(0, "department", f"「{record.title}」：未知单位 {record.department!r}"))
            continue
        if (dept.id, record.title) in seen:
            outcome.errors.append(_error(0, "title", f"「{record.title}」在文件中重复"))
            continue
        seen.add((dept.id, record.title))
        article = existing.get((dept.id, record.title))
        if article is not None and snapshot(article) == _content(record):
            outcome.unchanged += 1
            continue
        if article is None:
            outcome.created += 1
        else:
            outcome.updated += 1
        plan.append((record, article))
    return plan


def check_rows(session: Session, *, report: ImportReport, status: str, dry_run: bool,
               only_new: bool = False) -> tuple[ImportOutcome, list[tuple[ArticleRecord, Article | None]]]:
    """Check every row against the database: the outcome (counts, errors) and the rows to write, in order.

    `only_new` leaves existing articles untouched (the idempotent demo load)."""
    if status not in IMPORT_STATUSES:
        raise ValidationError(f"status: 导入状态只能是 {', '.join(IMPORT_STATUSES)}", details=[{"field": "status"}])
    outcome = ImportOutcome(dry_run=dry_run, total=len(report.rows) + len({e.row for e in report.errors}),
                            unknown_columns=list(report.unknown_columns))
    outcome.errors.extend(_error(e.row, e.field, e.message) for e in report.errors)
    # The parser checked each row (departments included); what is left needs the database, and a
    # record no longer knows its row, so those rare errors name the title instead (row 0).
    plan = _plan(session, list(report.rows), outcome)
    if only_new:
        outcome.unchanged += sum(1 for _r, article in plan if article is not None)
        outcome.updated = 0
        plan = [(record, article) for record, article in plan if article is None]
    outcome.errors.sort(key=lambda e: (e["row"], e["field"]))
    return outcome, plan


def write_rows(session: Session, *, plan: list[tuple[ArticleRecord, Article | None]], actor: User | None,
               now: datetime, status: str) -> None:
    """Write checked rows: a new article (in `status`) or a new version of the matching one."""
    for record, article in plan:
        if article is None:
            create_article(session, record=record, actor=actor, now=now, status=status, action="import")
        else:
            content = _content(record) | {"effective_from": record.effective_from, "expires_on": record.expires_on}
            edit_article(session, article=article, content=content, actor=actor, now=now, action="import")
    session.flush()


def import_articles(session: Session, *, report: ImportReport, actor: User | None, now: datetime,
                    dry_run: bool, status: str = "published", only_new: bool = False) -> ImportOutcome:
    """Check every row and write them all (new articles in `status`) unless any row is bad or a dry run.

    `only_new` leaves existing articles untouched (the idempotent demo load)."""
    outcome, plan = check_rows(session, report=report, status=status, dry_run=dry_run, only_new=only_new)
    if outcome.ok and not dry_run:
        write_rows(session, plan=plan, actor=actor, now=now, status=status)
    return outcome


def department_codes(session: Session) -> set[str]:
    """Codes of the active departments, for the parser to check each row against."""
    return set(session.scalars(select(Department.code).where(Department.active.is_(True))))


def parse(session: Session, *, text: str, fmt: str) -> ImportReport:
    """Validate CSV or JSON text row by row against the departments of this database."""
    if fmt not in ("csv", "json"):
        raise ValidationError("format 只能是 csv 或 json", details=[{"field": "format"}])
    if fmt == "csv":  # our own exports quote formula-like cells: read them back as the text they were
        return kb_io.parse_csv(text, departments=department_codes(session), cell=csv_text)
    return kb_io.parse_json(text, departments=department_codes(session))


def export_text(session: Session, *, fmt: str, status: str | None = None) -> str:
    """Every article (optionally of one status) as CSV or JSON text that `parse` reads back."""
    records = [record for _a, record in records_of(session, status=status)]
    return kb_io.export_csv(records, cell=csv_cell) if fmt == "csv" else kb_io.export_json(records)


def records_of(session: Session, *, status: str | None = None) -> list[tuple[Article, ArticleRecord]]:
    """Articles (optionally of one status) as import records, in id order, for export."""
    query = select(Article).order_by(Article.id)
    if status:
        query = query.where(Article.status == status)
    return [(a, ArticleRecord(title=a.title, answer=a.answer, department=a.department.code,
                              questions=tuple(a.questions or ()), tags=tuple(a.tags or ()),
                              effective_from=a.effective_from, expires_on=a.expires_on))
            for a in session.scalars(query)]


def load_demo(session: Session, *, now: datetime) -> int:
    """The demo city's articles, published, through the importer; only missing ones are added."""
    from knowledge_base.demo import load_demo_articles

    report = ImportReport(rows=load_demo_articles(), errors=())
    return import_articles(session, report=report, actor=None, now=now, dry_run=False, status="published",
                           only_new=True).created
