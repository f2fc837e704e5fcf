"""Command line: `flask --app hotline kb import FILE [--dry-run] | export --format csv|json | embed | review-tasks`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from hotline.clock import utcnow
from hotline.db import session
from hotline.errors import ApiError

# An AppGroup runs each command in an app context, under `flask` and under the test runner alike.
kb_group = AppGroup("kb", help="Knowledge base (知识库).")


@kb_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check every row and write nothing")
@click.option("--status", default="published", type=click.Choice(["draft", "review", "published"]),
              help="status of new articles")
def kb_import(path: Path, dry_run: bool, status: str) -> None:
    """Import articles from a .csv or .json file: all rows or none."""
    from hotline.knowledge import transfer

    fmt = path.suffix.lower().lstrip(".")
    db = session()
    try:
        report = transfer.parse(db, text=path.read_text(encoding="utf-8-sig"), fmt=fmt)
        outcome = transfer.import_articles(db, report=report, actor=None, now=utcnow(), dry_run=dry_run,
                                           status=status)
    except (ApiError, UnicodeDecodeError) as exc:
        raise click.ClickException(getattr(exc, "message", str(exc))) from None
    for error in outcome.errors:
        click.echo(f"row {error['row']}: {error['field']}: {error['message']}", err=True)
    click.echo(json.dumps(outcome.as_json() | {"errors": len(outcome.errors)}, ensure_ascii=False))
    if not outcome.ok:
        db.rollback()
        raise SystemExit(1)
    if not dry_run:
        db.commit()


@kb_group.command("export")
@click.option("--format", "fmt", default="json", type=click.Choice(["csv", "json"]))
@click.option("--status", default=None, type=click.Choice(["draft", "review", "published", "retired"]))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="file to write (default: standard output)")
def kb_export(fmt: str, status: str | None, out: Path | None) -> None:
    """Export articles in the import format."""
    from hotline.knowledge import transfer

    text = transfer.export_text(session(), fmt=fmt, status=status)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")


@kb_group.command("embed")
def kb_embed() -> None:
    """Embed every article not yet in the vector file (KB_VECTOR_CACHE): after an import, or on deploy."""
    from hotline.knowledge.search import embed_articles

    click.echo(json.dumps(embed_articles(session()), ensure_ascii=False))


@kb_group.command("review-tasks")
def kb_review_tasks() -> None:
    """Open review tasks for articles near expiry or marked unhelpful (the daily job, by hand)."""
    from hotline.knowledge.review import create_review_tasks

    db = session()
    created = create_review_tasks(db, now=utcnow())
    db.commit()
    click.echo(f"review tasks +{created}")
