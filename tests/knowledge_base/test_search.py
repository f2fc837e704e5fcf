"""Ranking, synonyms, filters and snippets on a small hand-written fixture."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge_base import ArticleDoc, SearchIndex
from knowledge_base.text import normalize, tokenize

DOCS = [
    ArticleDoc(1, "住房公积金租房提取", "无房职工租房可以提取公积金支付房租，登录APP申请。", "fund",
               questions=("租房能取公积金吗", "公积金怎么提取"), tags=("公积金", "租房")),
    ArticleDoc(2, "公积金贷款额度", "贷款额度按账户余额计算，提取过的账户也可以申请。", "fund", tags=("公积金",)),
    ArticleDoc(3, "夜间施工噪声投诉", "夜间施工产生噪声扰民的，可拨打12345反映。", "ecology", tags=("噪音",)),
    ArticleDoc(4, "商铺音响扰民", "商铺使用高音喇叭招揽顾客，由城管部门查处。", "urban", tags=("噪音",)),
    ArticleDoc(5, "社会保险参保登记", "灵活就业人员可以个人身份参加社会保险。", "hrss"),
    ArticleDoc(6, "计划停水通知", "管网检修需要停水的，提前24小时发布通知。", "water"),
    ArticleDoc(7, "户籍迁入办理", "符合条件的人员可以申请户籍迁入本市。", "police"),
    ArticleDoc(8, "物业公司服务投诉", "物业公司服务不到位的，可以向区住建局投诉。", "housing"),
    ArticleDoc(9, "草稿：公积金新政", "公积金提取新政草稿。", "fund", status="draft"),
    ArticleDoc(10, "过期的停水公告", "东湖区停水公告。", "water", effective_from=dt.date(2026, 1, 1),
               expires_on=dt.date(2026, 3, 1)),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex.build(DOCS)


def ids(hits) -> list:
    return [h.article_id for h in hits]


def test_title_and_question_matches_outrank_answer_mentions(index):
    # Article 2 mentions 提取 only in its answer; article 1 has it in title and questions.
    hits = index.search("公积金提取")
    assert ids(hits)[:2] == [1, 2]
    assert hits[0].score > hits[1].score


def test_question_variant_finds_article(index):
    assert ids(index.search("租房能取公积金吗", k=1)) == [1]


@pytest.mark.parametrize(("query", "expected"), [
    ("社保", {5}),          # indexed as 社会保险
    ("断水", {6}),          # 停水
    ("户口迁移", {7}),      # 户籍
    ("物业", {8}),          # 物业公司
    ("吵闹", {3, 4}),       # 噪声, 扰民
])
def test_synonyms_match_other_wording(index, query, expected):
    hits = index.search(query, on=dt.date(2026, 11, 26))
    assert set(ids(hits)) == expected


def test_department_and_tag_filters(index):
    assert set(ids(index.search("噪音", k=5))) == {3, 4}
    assert ids(index.search("噪音", department="urban")) == [4]
    assert ids(index.search("公积金", tag="租房")) == [1]
    assert index.search("公积金", department="police") == []
    assert index.search("公积金", tag="no-such-tag") == []


def test_status_filter_hides_drafts_unless_asked(index):
    assert 9 not in ids(index.search("公积金新政"))
    assert ids(index.search("公积金新政", status="draft")) == [9]
    assert 9 in ids(index.search("公积金新政", status=None))


def test_on_date_hides_expired_articles(index):
    assert 10 in ids(index.search("停水公告"))
    assert 10 not in ids(index.search("停水公告", on=dt.date(2026, 11, 26)))
    assert 10 in ids(index.search("停水公告", on=dt.date(2026, 2, 1)))


def test_empty_and_unknown_queries(index):
    assert index.search("") == []
    assert index.search("，。！") == []
    assert index.search("火星xyz") == []  # no indexed term at all
    assert index.search("公积金", k=0) == []


def test_k_limits_results_and_scores_descend(index):
    hits = index.search("公积金 噪音 停水 物业", k=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_snippet_marks_terms_and_escapes_html():
    doc = ArticleDoc(1, "测试<标题>", "请到<b>东湖区</b>服务大厅办理公积金提取 & 咨询。", "fund")
    hit = SearchIndex.build([doc]).search("公积金提取")[0]
    assert "<mark>公积金</mark>" in hit.snippet
    assert "<mark>提取</mark>" in hit.snippet
    assert "&lt;b&gt;" in hit.snippet and "<b>" not in hit.snippet
    assert "&amp;" in hit.snippet
    assert hit.title == "测试<标题>"  # the title is plain text; the page escapes it


def test_snippet_marks_synonym_spelling_and_full_width_text():
    doc = ArticleDoc(1, "医保", "携带医疗保险凭证和ＡＰＰ截图办理。", "hrss")
    snippet = SearchIndex.build([doc]).search("医保 app")[0].snippet
    assert "<mark>医疗保险</mark>" in snippet
    assert "<mark>ＡＰＰ</mark>" in snippet


def test_long_answer_snippet_is_a_window_around_matches():
    answer = "无关内容。" * 100 + "办理居住证需要租房合同。" + "其他说明。" * 100
    snippet = SearchIndex.build([ArticleDoc(1, "居住证", answer, "police")]).search("居住证")[0].snippet
    assert "<mark>居住证</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 150


def test_normalize_strips_noise_but_keeps_place_codes():
    text = "网友“UU123456”：Ａ市A3区停水，电话13812345678，见https://example.cn/x?y=1 或 a@b.cn"
    norm = normalize(text)
    assert "a3区" in norm and "a市" in norm
    for gone in ("uu123456", "13812345678", "example", "a@b.cn", "“", "，"):
        assert gone not in norm


def test_tokenize_drops_stop_words_and_maps_synonyms():
    tokens = tokenize("请问住房公积金怎么提取", query=True, with_bigrams=False)
    assert tokens == ["公积金", "提取"]


def test_empty_index_and_empty_fields():
    assert SearchIndex.build([]).search("公积金") == []
    hits = SearchIndex.build([ArticleDoc(1, "公积金", "", "fund")]).search("公积金")
    assert [(h.article_id, h.snippet) for h in hits] == [(1, "")]
