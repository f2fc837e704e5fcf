"""Matching by meaning (knowledge_base.semantic, the real multilingual-e5-small model): articles whose
words differ from the query's are found, vectors are kept per article text, filters and privacy hold."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from knowledge_base import ArticleDoc, BM25Params, SearchIndex
from knowledge_base.semantic import E5Encoder, VectorStore, fuse, passage_text, passages
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
    fused = fuse(np.array([0.0, 2.0, 1.0]), (np.array([0.9, 0.0, 0.1]), 1.0), k=5, depth=1)
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
        articles = session().query(Article).all()
        texts = {p for a in articles for p in passages(passage_text(a.title, a.questions or (), a.answer),
                                                        size=300, stride=BM25Params().passage_stride)}
    # Every passage of every article (a long one has several): the first search after it embeds nothing.
    assert len(articles) >= 3 and len(texts) > len(articles) and len(VectorStore(path)) == len(texts)


# A reply that answers night-time construction noise only after a long account of another matter:
# its first 300 characters say nothing about noise.
_PREFACE = ("住房公积金提取须由职工本人持身份证、银行卡及相关证明材料到公积金管理中心服务大厅办理，"
            "购买自住住房、偿还购房贷款本息、支付房租等情形均可申请提取，提取金额不得超过实际发生额。"
            "离职后账户封存满半年且未重新就业的，可申请销户提取。异地转移接续通过全国平台办理，"
            "职工无需往返两地。贷款额度按缴存余额和缴存年限计算，最高不超过规定上限，"
            "首套住房贷款利率执行国家规定的下浮标准。") * 4
_LATE = ("关于夜间施工噪声扰民：每日22时至次日6时禁止进行产生环境噪声的建筑施工作业，"
         "因特殊需要必须连续作业的，须取得夜间作业证明并提前公示，违规作业可向生态环境部门举报，执法人员将到场查处。")
_SHORT = [("医保异地就医备案", "异地就医须先在医保经办机构备案。"), ("公交线路调整", "公交车线路调整以公交集团公告为准。"),
          ("生活垃圾分类投放时间", "厨余垃圾每天早晚定时投放。"), ("户口迁移办理", "户口迁入须持准迁证到派出所办理。"),
          ("义务教育阶段入学登记", "适龄儿童入学须在规定时间内网上登记。")]


def test_an_article_answering_late_in_a_long_text_is_found_by_meaning(encoder, tmp_path: Path):
    docs = [ArticleDoc(id="long", title="", answer=_PREFACE + _LATE, department="env"),
            *(ArticleDoc(id=t, title=t, answer=a, department="x") for t, a in _SHORT)]
    assert len(_PREFACE) > 2 * encoder.max_chars
    store = VectorStore(tmp_path / "v.npz")
    first_only = SearchIndex.build(docs, encoder=encoder, store=store,
                                   params=dataclasses.replace(BM25Params(), passage_stride=0))
    assert "long" not in [h.article_id for h in first_only.search(NOISE, k=1)]
    index = SearchIndex.build(docs, encoder=encoder, store=store)
    hit = index.search(NOISE, k=1)[0]
    assert hit.article_id == "long" and hit.score == 0.0  # found by meaning alone, through its last passage
    assert store.embedded == len(passages(_PREFACE + _LATE, size=300, stride=BM25Params().passage_stride)) + len(_SHORT)
    assert SearchIndex.build(docs, encoder=encoder, store=VectorStore(tmp_path / "v.npz")).search(NOISE, k=1)[0] == hit


def test_passages_cover_a_long_text_with_full_windows():
    text = "".join(chr(0x4E00 + i) for i in range(700))
    cut = passages(text, size=300, stride=300)
    assert cut == [text[:300], text[300:600], text[400:]]  # the last one ends at the end: no short tail
    assert passages(text, size=300, stride=150) == [text[s:s + 300] for s in (0, 150, 300, 400)]
    assert passages(text, size=300, stride=0) == [text[:300]] == passages(text, size=300, stride=100, limit=1)
    assert passages("  短文  ", size=300, stride=300) == ["短文"] and passages("", size=300, stride=300) == [""]


def test_the_first_line_is_embedded_only_when_it_is_ranked(encoder, tmp_path: Path):
    seen: list[int] = []

    class Counting:
        name, dim, max_chars = encoder.name, encoder.dim, encoder.max_chars

        def encode(self, texts, *, query):  # type: ignore[no-untyped-def]
            if query:
                seen.append(len(texts))
            return encoder.encode(texts, query=query)

    two_lines = "施工噪声\n" + NOISE
    store = VectorStore(tmp_path / "v.npz")
    ranked = SearchIndex.build(_docs(), encoder=Counting(), store=store)
    assert ranked.search(two_lines)[0].article_id == "夜间施工噪声投诉" and seen == [2]
    unranked = SearchIndex.build(_docs(), encoder=Counting(), store=store,
                                 params=dataclasses.replace(BM25Params(), first_line_weight=0.0))
    assert unranked.search(two_lines)[0].article_id == "夜间施工噪声投诉" and seen == [2, 1]
