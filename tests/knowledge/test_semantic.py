"""Matching by meaning (knowledge_base.semantic, the real multilingual-e5-small model): articles whose
words differ from the query's are found, vectors are kept per article text, filters and privacy hold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge_base import ArticleDoc, SearchIndex
from knowledge_base.semantic import E5Encoder, VectorStore, fuse
from tests.knowledge.test_search import FIXTURE, OTHERS, search
from tests.knowledge.test_search import articles as articles  # the fixture, used by name

# A citizen's words that share no word (nor character pair) with the article that answers them.
NOISE = "隔壁楼盘凌晨还在干活轰隆隆睡不着"
SCHOOL = "孩子明年该上小学了要准备什么"


@pytest.fixture(scope="module")
def encoder() -> E5Encoder:
    return E5Encoder()


def _docs() -> list[ArticleDoc]:
    docs = [ArticleDoc(id=a["title"], title=a["title"], answer=a["answer"], department=a["department"],
                       questions=tuple(a["questions"])) for a in FIXTURE]
    return docs + [ArticleDoc(id=t, title=t, answer=a, department=d) for t, d, a in OTHERS]


def test_meaning_finds_an_article_sharing_no_word_with_the_query(encoder, tmp_path: Path):
    lexical = SearchIndex.build(_docs())
    semantic = SearchIndex.build(_docs(), encoder=encoder, store=VectorStore(tmp_path / "v.npz"))
    assert lexical.search(NOISE) == [] and lexical.search(SCHOOL) == []
    noise = semantic.search(NOISE, k=3)
    assert noise[0].article_id == "夜间施工噪声投诉"
    assert noise[0].score == 0.0  # the score stays BM25F's: nothing matched by words
    assert semantic.search(SCHOOL, k=3)[0].article_id == "义务教育阶段入学登记"
    # A word match still counts: the lexical winner keeps the top place when meaning agrees.
    assert semantic.search("身份证到期怎么换领")[0].article_id == "居民身份证到期换领办理指南"
    assert semantic.search(NOISE, by_meaning=False) == []  # asked for words only: no query embedding


def test_filters_apply_to_articles_found_by_meaning(encoder, tmp_path: Path):
    docs = [d if d.id != "夜间施工噪声投诉" else ArticleDoc(id=d.id, title=d.title, answer=d.answer,
                                                          department=d.department, status="retired")
            for d in _docs()]
    index = SearchIndex.build(docs, encoder=encoder, store=VectorStore(tmp_path / "v.npz"))
    assert "夜间施工噪声投诉" not in [h.article_id for h in index.search(NOISE, k=12)]
    assert {h.department for h in index.search(SCHOOL, k=12, department="education")} == {"education"}


def test_vectors_are_kept_per_article_text_and_queries_are_not(encoder, tmp_path: Path):
    path = tmp_path / "vectors.npz"
    first = VectorStore(path)
    index = SearchIndex.build(_docs(), encoder=encoder, store=first)
    index.search(NOISE)
    assert first.embedded == len(_docs()) and len(VectorStore(path)) == len(_docs())  # no query kept
    again = VectorStore(path)
    changed = [*_docs()[:-1], ArticleDoc(id="新条目", title="新条目", answer="自来水水压低可报修。", department="water")]
    rebuilt = SearchIndex.build(changed, encoder=encoder, store=again)
    assert again.embedded == 1  # only the new text was embedded; the others came from the file
    assert rebuilt.search(NOISE)[0].article_id == "夜间施工噪声投诉"


def test_processes_sharing_the_vector_file_take_each_others_vectors(encoder, tmp_path: Path):
    path = tmp_path / "vectors.npz"
    web1, web2 = VectorStore(path), VectorStore(path)  # two web workers, started before any embedding
    SearchIndex.build(_docs(), encoder=encoder, store=web1)
    assert web1.embedded == len(_docs())
    added = ArticleDoc(id="新条目", title="新条目", answer="自来水水压低可报修。", department="water")
    rebuilt = SearchIndex.build([*_docs(), added], encoder=encoder, store=web2)
    assert web2.embedded == 1  # the first worker's vectors came from the file, not embedded again
    assert rebuilt.search(NOISE)[0].article_id == "夜间施工噪声投诉"
    assert len(VectorStore(path)) == len(_docs()) + 1  # the second worker's save kept the first's vectors


def test_empty_text_matches_nothing_by_meaning(encoder):
    assert not encoder.encode([""], query=True).any()
    fused = fuse(np.array([0.0, 2.0, 1.0]), np.array([0.9, 0.0, 0.1]), k=5, weight=1.0, depth=1)
    # Lexical ranks 1 and 2 for articles 1 and 2; only the closest in meaning (article 0) adds its rank 1.
    assert fused.tolist() == pytest.approx([1 / 6, 1 / 6, 1 / 7])


def test_operator_search_finds_by_meaning_and_stores_only_articles(app, api, articles, tmp_path: Path):
    path = tmp_path / "kb_vectors.npz"
    app.config.update(KB_SEMANTIC_SEARCH=True, KB_VECTOR_CACHE=str(path))
    hits = search(api, NOISE)
    assert hits[0]["id"] == articles["夜间施工噪声投诉"] and hits[0]["score"] == 0.0
    assert len(VectorStore(path)) == len(FIXTURE) + len(OTHERS)  # the articles; never the query
    # Intake stays lexical (every ticket passes there): the same words logged as a ticket match nothing.
    assert api.create(content=NOISE)["knowledge"] == []
    # ...while intake's knowledge matching itself works (an empty list above is not a swallowed failure).
    matched = api.create(content="我的身份证到期了，怎么换领？")["knowledge"]
    assert matched and matched[0]["id"] == articles["居民身份证到期换领办理指南"]
    app.config.update(KB_SEMANTIC_SEARCH=False)
    assert search(api, NOISE) == []  # off: lexical search only


def test_embed_command_fills_the_vector_file_once(app, api, articles, tmp_path: Path):
    import json

    path = tmp_path / "kb_vectors.npz"
    app.config.update(KB_SEMANTIC_SEARCH=True, KB_VECTOR_CACHE=str(path))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["kb", "embed"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"articles": len(FIXTURE) + len(OTHERS), "embedded": len(FIXTURE) + len(OTHERS)}
    assert len(VectorStore(path)) == len(FIXTURE) + len(OTHERS)
    again = runner.invoke(args=["kb", "embed"])
    assert json.loads(again.output)["embedded"] == 0  # nothing changed: nothing embedded again
    written = path.stat().st_mtime_ns
    assert search(api, NOISE)[0]["id"] == articles["夜间施工噪声投诉"]
    assert path.stat().st_mtime_ns == written  # the search's index build found every vector in the file


def test_an_import_job_has_the_articles_it_wrote_embedded(qapp, work, tmp_path: Path):
    from hotline.db import session
    from hotline.knowledge.models import Article
    from tests.knowledge.test_imports import rows, upload
    from workers.jobs import kb_import

    path = tmp_path / "kb_vectors.npz"
    qapp.config.update(KB_SEMANTIC_SEARCH=True, KB_VECTOR_CACHE=str(path))
    import_id = upload(qapp, rows(3))
    work()  # the import's job, then the embedding job it queued
    assert kb_import(import_id) == "nothing to do"
    with qapp.app_context():
        articles = session().query(Article).count()
    assert articles >= 3 and len(VectorStore(path)) == articles  # the first search after it embeds nothing
