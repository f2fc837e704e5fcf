"""Search of published articles and their use on a call.

Each process keeps one built index (knowledge_base.IndexCache). One aggregate SELECT reads a version
token from the database; any saved change of any article (publish, edit, retire, expiry dates) bumps an
article's `version`, so the token changes and the next search in every web process rebuilds from the
database. The token is kept by hotline.refdata until a committed change of kb_articles bumps the
shared generation, so most searches read no table. Nothing is shared in memory between hosts.

With KB_SEMANTIC_SEARCH on, the index also matches by meaning (knowledge_base.semantic): the vector
of each passage of an article (a long article has several) comes from the file KB_VECTOR_CACHE
(embedded once per passage text, by the first build that meets it or by `flask kb embed`); a query is
embedded per search and never stored. Only articles are searched and shown: no ticket or other
citizen's text is indexed or kept.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hotline import refdata
from hotline.clock import local, utcnow
from hotline.errors import Conflict, ValidationError
from hotline.knowledge.models import Article
from knowledge_base import ArticleDoc, BM25Params, IndexCache, SearchIndex
from knowledge_base.search import article_passages
from knowledge_base.semantic import Encoder, VectorStore, default_encoder

# Operators search published articles on every keystroke; reviewers now and then search the others.
# Separate caches keep edits of drafts from rebuilding the index that operators use.
CACHE = IndexCache()
ALL_CACHE = IndexCache()


def index_token(session: Session, *, published_only: bool = True) -> Hashable:
    """(database, count, sum of versions, last change) of the indexed articles: one aggregate SELECT.

    Every saved change bumps an article's version, and leaving or entering "published" changes the
    count or the sum, so the token changes whenever the index would."""
    query = select(func.count(Article.id), func.coalesce(func.sum(Article.version), 0), func.max(Article.updated_at))
    if published_only:
        query = query.where(Article.status == "published")
    count, versions, last = session.execute(query).one()
    # The URL keeps processes that talk to several databases (tests, tools) from mixing indexes.
    return (str(session.get_bind().url), count, versions, str(last))


def _docs(session: Session, *, published_only: bool) -> list[ArticleDoc]:
    query = select(Article).order_by(Article.id)
    if published_only:
        query = query.where(Article.status == "published")
    return [ArticleDoc(id=a.id, title=a.title, answer=a.answer, department=a.department.code,
                       questions=tuple(a.questions or ()), tags=tuple(a.tags or ()), status=a.status,
                       version=a.version, effective_from=a.effective_from, expires_on=a.expires_on)
            for a in session.scalars(query)]


_STORES: dict[str, VectorStore] = {}
EMBED_CHUNK = 200  # passages embedded (~0.25 s of CPU each) between two saves of the vector file


def semantic_setup() -> tuple[Encoder | None, VectorStore | None]:
    """The encoder and vector file this app searches with, or (None, None) when matching by meaning is off."""
    config = current_app.config
    encoder = default_encoder() if config.get("KB_SEMANTIC_SEARCH", True) else None
    if encoder is None:
        return None, None
    path = str(config["KB_VECTOR_CACHE"])
    if path not in _STORES:  # one store per file and process: loading it reads every vector
        _STORES[path] = VectorStore(path)
    return encoder, _STORES[path]


def current_index(session: Session, *, published_only: bool = True) -> SearchIndex:
    """This process's index, rebuilt from the database only when the token or the setup changed."""
    cache = CACHE if published_only else ALL_CACHE
    # The token itself is kept until an article changes (hotline.refdata), so a search reads no table.
    token = refdata.cached(session, f"kb_index_token:{published_only}",
                           lambda: index_token(session, published_only=published_only))
    encoder, store = semantic_setup()
    key = (token, encoder is not None and encoder.name, store is not None and str(store.path))
    return cache.get(key, lambda: _docs(session, published_only=published_only), encoder=encoder, store=store)


def embed_articles(session: Session) -> dict[str, int]:
    """Embed every article passage not yet in the vector file (`flask kb embed`): {articles, embedded passages}."""
    encoder, store = semantic_setup()
    if encoder is None or store is None:
        return {"articles": 0, "embedded": 0}
    docs = _docs(session, published_only=False)
    before = store.embedded
    # Every passage of every article, as the indexes (CACHE, ALL_CACHE: default parameters) embed them.
    stride = BM25Params().passage_stride
    texts = [p for d in docs for p in article_passages(d, size=encoder.max_chars, stride=stride)]
    # The store alone, as SearchIndex.build would call it: no index (nor jieba pass) is needed here.
    # In chunks, each saved: a run killed midway (a job's timeout) keeps what it embedded.
    for begin in range(0, len(texts), EMBED_CHUNK):
        store.vectors(encoder, texts[begin:begin + EMBED_CHUNK])
    return {"articles": len(docs), "embedded": store.embedded - before}


def today(now: datetime) -> date:
    """The local (Asia/Shanghai) date on which effective and expiry dates are judged."""
    return local(now).date()


def search_articles(session: Session, query: str, k: int = 5, *, department: str | None = None,
                    tag: str | None = None, status: str | None = "published",
                    now: datetime | None = None, words: list[str] | None = None,
                    by_meaning: bool = True) -> list[dict]:
    """Top-k articles for the query with highlighted snippets; published ones are limited to their dates.

    `words`: the query already segmented (intake segments a message once for every consumer).
    `by_meaning`: False skips the matching by meaning (its query embedding costs ~0.3 s of CPU)."""
    on = today(now or utcnow()) if status == "published" else None
    index = current_index(session, published_only=status == "published")
    hits = index.search(query or "", k=k, department=department, tag=tag, status=status, on=on, words=words,
                        by_meaning=by_meaning)
    return [{"id": h.article_id, "title": h.title, "snippet": h.snippet, "department": h.department,
             "score": h.score} for h in hits]


def search_published(session: Session, query: str, k: int = 5, *, department: str | None = None,
                     tag: str | None = None, now: datetime | None = None,
                     words: list[str] | None = None, by_meaning: bool = True) -> list[dict]:
    """Published, currently effective articles best matching the query: {id, title, snippet, department, score}."""
    return search_articles(session, query, k, department=department, tag=tag, status="published", now=now,
                           words=words, by_meaning=by_meaning)


def usable_problem(article: Article, now: datetime) -> str | None:
    """Why the article cannot answer a call now (None when it can)."""
    day = today(now)
    if article.status != "published":
        return "知识条目未发布或已下线，不能用于直办"
    if article.expires_on is not None and article.expires_on < day:
        return f"知识条目已于 {article.expires_on.isoformat()} 失效，不能用于直办"
    if article.effective_from is not None and article.effective_from > day:
        return f"知识条目自 {article.effective_from.isoformat()} 起生效，目前不能用于直办"
    return None


def use_on_call(session: Session, *, article_id: int, now: datetime) -> Article:
    """Count one use of an article that closes a call (直办); 422 if unknown, 409 if not usable now."""
    article = session.get(Article, article_id)
    if article is None:
        raise ValidationError(f"article_id: 知识条目 {article_id} 不存在", details=[{"field": "article_id"}])
    problem = usable_problem(article, now)
    if problem:
        raise Conflict(problem, code="article_not_usable")
    # One UPDATE adds to the stored count, so uses from several processes are never lost.
    session.execute(update(Article).where(Article.id == article.id).values(use_count=Article.use_count + 1))
    session.flush()
    session.refresh(article)
    return article
