"""Knowledge base: pure search, import/export and demo content (no Flask, no database)."""

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
