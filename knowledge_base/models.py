"""Plain, immutable value types shared by the search index and the importer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

STATUSES: tuple[str, ...] = ("draft", "review", "published", "retired")

DEPARTMENTS: dict[str, str] = {
    "housing": "市住房和城乡建设局",
    "ecology": "市生态环境局",
    "transport": "市交通运输局",
    "education": "市教育局",
    "hrss": "市人力资源和社会保障局",
    "commerce": "市商务局",
    "health": "市卫生健康委员会",
    "urban": "市城市管理局",
    "market": "市市场监督管理局",
    "water": "市水务局",
    "police": "市公安局",
    "fund": "市住房公积金管理中心",
    "civil": "市民政局",
    "power": "国网滨江供电公司",
    "gas": "滨江燃气集团",
}


@dataclass(frozen=True, slots=True)
class ArticleDoc:
    """One knowledge article as the search index sees it (the caller maps its DB rows to this)."""

    id: int | str
    title: str
    answer: str
    department: str
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    status: str = "published"
    version: int = 1
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result; `snippet` is HTML-safe with matched terms wrapped in <mark>."""

    article_id: int | str
    score: float
    title: str
    snippet: str
    department: str = ""
    version: int = 1


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """A validated article from an import file, before it has an id or a workflow status."""

    title: str
    answer: str
    department: str
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None

    def to_doc(self, id: int | str, *, status: str = "published", version: int = 1) -> ArticleDoc:
        """Turn the record into an indexable document with the given id and status."""
        return ArticleDoc(
            id=id, title=self.title, answer=self.answer, department=self.department,
            questions=self.questions, tags=self.tags, status=status, version=version,
            effective_from=self.effective_from, expires_on=self.expires_on,
        )


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one row of an import file (row numbers as a spreadsheet shows them)."""

    row: int
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Every valid row and every error of an import file; write nothing unless `ok`."""

    rows: tuple[ArticleRecord, ...]
    errors: tuple[RowError, ...]
    unknown_columns: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the file had no bad rows."""
        return not self.errors
