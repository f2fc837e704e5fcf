"""Knowledge base: pure search, import/export and demo content (no Flask, no database).

Typical use by the web app (one cache per process; the token comes from one aggregate query)::

    CACHE = IndexCache()
    index = CACHE.get(token, lambda: [ArticleDoc(...) for row in rows])
    hits = index.search(query, k=5, department=None, tag=None, status="published", on=today)

Import: `knowledge_base.io.parse_csv/parse_json/parse_file` return an `ImportReport`; write
nothing unless `report.ok`. Export: `export_csv/export_json`. Demo: `knowledge_base.demo`.
"""

from knowledge_base.bm25 import BM25Params
from knowledge_base.cache import IndexCache
from knowledge_base.models import ArticleDoc, ArticleRecord, Hit, ImportReport, RowError
from knowledge_base.search import SearchIndex

__all__ = [
    "ArticleDoc",
    "ArticleRecord",
    "BM25Params",
    "Hit",
    "ImportReport",
    "IndexCache",
    "RowError",
    "SearchIndex",
]
