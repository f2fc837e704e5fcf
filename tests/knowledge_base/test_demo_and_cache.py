"""The demo articles import cleanly; the index cache rebuilds only when the version token changes."""

from __future__ import annotations

import threading

from knowledge_base import ArticleDoc, IndexCache
from knowledge_base.demo import ARTICLES_PATH, load_demo_articles
from knowledge_base.io import parse_file
from knowledge_base.models import DEPARTMENTS


def test_demo_articles_load_cleanly_and_cover_the_departments():
    report = parse_file(ARTICLES_PATH, departments=DEPARTMENTS)
    assert report.ok and report.unknown_columns == ()
    records = load_demo_articles()
    assert len(records) >= 40
    assert {r.department for r in records} == set(DEPARTMENTS)
    for r in records:
        assert 2 <= len(r.questions) <= 4 and r.tags and len(r.answer) >= 100


def test_demo_text_mentions_no_source_dataset_strings():
    text = ARTICLES_PATH.read_text(encoding="utf-8")
    assert "滨江" in text
    for marker in ("西地" + "省", "UU" + "00"):  # split, so this file holds neither string either
        assert marker not in text


def docs(n: int) -> list[ArticleDoc]:
    return [ArticleDoc(i, f"条目{i} 公积金", "答案", "fund") for i in range(n)]


def test_cache_rebuilds_only_when_the_token_changes():
    cache = IndexCache()
    calls = []

    def load(n):
        def loader():
            calls.append(n)
            return docs(n)
        return loader

    first = cache.get(("v1", 2), load(2))
    assert cache.get(("v1", 2), load(99)) is first
    assert calls == [2] and cache.builds == 1 and cache.token == ("v1", 2)
    second = cache.get(("v2", 3), load(3))
    assert second is not first and len(second) == 3 and calls == [2, 3]
    cache.clear()
    assert cache.get(("v2", 3), load(3)) is not second and cache.builds == 3


def test_cache_builds_once_for_concurrent_readers():
    cache = IndexCache()
    start = threading.Barrier(8)
    results, calls = [], []

    def loader():
        calls.append(1)
        return docs(50)

    def reader():
        start.wait()
        results.append(cache.get("token", loader))

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1


def test_cache_rebuild_retokenises_only_changed_articles(monkeypatch):
    import knowledge_base.search as search

    seen: list[str] = []
    real = search.tokenize

    def counting(text, **kwargs):
        seen.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(search, "tokenize", counting)
    cache = IndexCache()
    articles = docs(5)
    cache.get(1, lambda: articles)
    assert len(seen) == 5 * 3  # title, questions, answer of each
    seen.clear()
    articles[2] = ArticleDoc(2, "条目2 新标题 停水", "新答案", "water", version=2)
    index = cache.get(2, lambda: articles)
    assert sorted(seen) == sorted(["条目2 新标题 停水", "", "新答案"])
    assert [h.article_id for h in index.search("停水", status=None)] == [2]


def test_a_rebuild_with_other_weights_reuses_the_tokens_and_other_grams_do_not(monkeypatch):
    import dataclasses

    import knowledge_base.search as search
    from knowledge_base import BM25Params, SearchIndex

    seen: list[str] = []
    real = search.tokenize
    monkeypatch.setattr(search, "tokenize", lambda text, **kw: seen.append(text) or real(text, **kw))
    articles = docs(4)
    first = SearchIndex.build(articles, keep_tokens=True)
    seen.clear()
    weights = dataclasses.replace(BM25Params(), k1=5.0, semantic_weight=2.0, passage_stride=150)
    reweighted = SearchIndex.build(articles, params=weights, previous=first)
    assert seen == []  # tokens depend on the n-gram settings only
    assert [h.article_id for h in reweighted.search("停水", status=None)] == \
        [h.article_id for h in first.search("停水", status=None)]
    seen.clear()
    SearchIndex.build(articles, params=dataclasses.replace(BM25Params(), char_sizes=(2, 3)), previous=first)
    assert len(seen) == 4 * 3  # other character grams: every field segmented again
