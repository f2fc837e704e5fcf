"""Demo knowledge articles for the demo city 滨江市, written for this project."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.io import parse_file
from knowledge_base.models import DEPARTMENTS, ArticleRecord

ARTICLES_PATH = Path(__file__).with_name("articles.json")


def load_demo_articles() -> tuple[ArticleRecord, ...]:
    """The demo articles, validated by the importer; raises ValueError if the file has bad rows."""
    report = parse_file(ARTICLES_PATH, departments=DEPARTMENTS)
    if not report.ok or report.unknown_columns:
        problems = [f"row {e.row} {e.field}: {e.message}" for e in report.errors]
        problems += [f"unknown column {c}" for c in report.unknown_columns]
        raise ValueError("demo articles do not import cleanly: " + "; ".join(problems))
    return report.rows
