"""Text normalisation and jieba tokenisation for knowledge-base search."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

# Canonical term -> variants. Every variant (and the canonical term) is indexed as the
# canonical term, so a query with either wording finds articles written with the other.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "公积金": ("住房公积金", "公积金贷款"),
    "社保": ("社会保险", "社保卡"),
    "医保": ("医疗保险", "医保卡", "基本医疗保险"),
    "养老保险": ("养老金", "退休金"),
    "噪音": ("噪声", "扰民", "吵闹"),
    "停水": ("断水", "没水", "无水", "停止供水"),
    "停电": ("断电", "没电", "停止供电"),
    "停气": ("断气", "燃气中断"),
    "户口": ("户籍", "落户"),
    "物业": ("物业公司", "物业服务", "物管"),
    "营业执照": ("执照", "工商执照"),
    "入学": ("上学", "招生", "就读"),
    "暖气": ("供暖", "采暖", "集中供暖"),
    "宠物": ("犬只", "养狗", "遛狗"),
    "停车": ("泊车", "停车位", "车位"),
    "养老": ("养老院", "养老机构", "敬老院"),
    "违建": ("违章建筑", "违法建设", "违法建筑"),
    "身份证": ("居民身份证",),
    "出租车": ("的士", "网约车"),
    "公交": ("公交车", "公共汽车"),
    "垃圾": ("生活垃圾", "垃圾桶"),
    "拖欠工资": ("欠薪", "拖欠薪水", "讨薪"),
}

# Function words plus the formulaic phrases of hotline messages and official replies;
# they occur everywhere, so they only add noise to long queries.
_STOP_TEXT = """
    的 了 和 与 及 或 在 是 有 为 对 将 把 被 也 都 就 而 但 又 并 从 向 于 以 之 其 这 那 此 该
    我 我们 你 你们 您 他 他们 她 它 它们 自己 本人 大家 什么 怎么 怎么办 怎样 如何 为什么 哪里 哪些
    一个 一下 一些 这个 那个 这些 那些 这样 那样 如果 因为 所以 但是 而且 或者 以及 还是 可以 能否 是否
    没有 不是 已经 还 很 非常 比较 进行 通过 根据 关于 对于 由于 以后 之后 之前 目前 现在 今年 去年
    请问 请 您好 你好 谢谢 感谢 网友 留言 收悉 答复 回复 如下 现将 情况 问题 反映 咨询 领导 尊敬
    希望 恳请 麻烦 相关 有关 部门 工作 支持 理解 特此 予以 及时 处理 调查 核实 来信 来电 平台
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Explicit ASCII classes: a greedy \S+ would backtrack quadratically over unspaced Chinese text.
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE | re.ASCII)
# Mobile numbers, landlines with area code, and bare 7-8 digit local numbers.
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})(?!\d)")
# Pseudonymous user ids (U0001196, UU123456, A00045581) identify nobody useful to a search.
_USER_ID = re.compile(r"(?<![a-z0-9])(?:uu|u|a)\d{5,}", re.IGNORECASE)
# Anonymised place codes (A市, A3区, K9县) stay, as one token: they tell places apart.
_PLACE_CODE = re.compile(r"(?<![a-z0-9])([a-z]\d{0,2}[省市区县镇乡村])")
_NON_WORD = re.compile(r"[^\w]+|_+")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")
_LATIN_RUN = re.compile(r"[a-z0-9]+")
BIGRAM_MARK = "#"

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_CANONICAL: dict[str, str] = {v: k for k, vs in SYNONYMS.items() for v in vs}


def normalize(text: str) -> str:
    """Fold width and case, and blank out URLs, e-mails, phone numbers, user ids and punctuation."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    for pattern in (_URL, _EMAIL, _PHONE, _USER_ID):
        text = pattern.sub(" ", text)
    return _NON_WORD.sub(" ", text).strip()


def get_tokenizer() -> jieba.Tokenizer:
    """Return the module's own jieba tokenizer, so the global jieba dictionary stays untouched."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.initialize()
            for canonical, variants in SYNONYMS.items():
                for word in (canonical, *variants):
                    # A high frequency keeps each synonym one token instead of being split.
                    tk.add_word(word, freq=20000)
            _tokenizer = tk
        return _tokenizer


def canonical(term: str) -> str:
    """Map a synonym variant to its canonical term (identity for other terms)."""
    return _CANONICAL.get(term, term)


def surface_forms(term: str) -> tuple[str, ...]:
    """All spellings of a canonical term (or the text of a bigram), for highlighting matches."""
    if term.startswith(BIGRAM_MARK):
        return (term[len(BIGRAM_MARK) :],)
    return (term, *SYNONYMS.get(term, ()))


def _words(norm: str, *, query: bool) -> list[str]:
    """jieba words of normalised text: search mode (with sub-words) for articles, precise for queries."""
    tk = get_tokenizer()
    out = []
    for i, piece in enumerate(_PLACE_CODE.split(norm)):
        if i % 2:  # the split keeps the captured place codes at odd positions
            out.append(piece)
            continue
        # HMM off: unknown names fall apart into characters the same way in articles and queries.
        words = tk.cut(piece, HMM=False) if query else tk.cut_for_search(piece, HMM=False)
        for word in words:
            word = word.strip()
            # Single digits are list numbering and dates; longer numbers name bus lines and buildings.
            if word and word not in STOP_WORDS and not (word.isdigit() and len(word) < 2):
                out.append(canonical(word))
    return out


def bigrams(norm: str, sizes: tuple[int, ...] = (2,)) -> list[str]:
    """Overlapping Chinese character n-grams (pairs by default), marked so they never collide with jieba words."""
    runs = _HAN_RUN.findall(_PLACE_CODE.sub(" ", norm))
    return [BIGRAM_MARK + run[i : i + n] for n in sizes for run in runs for i in range(len(run) - n + 1)]


def char_bigrams(text: str, sizes: tuple[int, ...] = (2,)) -> list[str]:
    """Normalise text and return only its marked character n-grams (bigrams by default)."""
    return bigrams(normalize(text), sizes)


def terms_from_words(words: Iterable[str], *, max_chars: int) -> list[str]:
    """Query terms from words another segmenter already cut (the intake's one segmentation of a message).

    The same terms `tokenize(query=True)` gives, as far as the other dictionary allows: two adjacent
    words that spell a synonym variant are joined back (没 + 水 -> 停水), every word takes its
    canonical form, stop words and tokens without a Chinese character (markers, digits) are left out,
    and only the first `max_chars` characters of words count, like a query's first characters.
    """
    out: list[str] = []
    seq = [w for w in words if _HAN_CHAR.search(w)]
    used, i = 0, 0
    while i < len(seq) and used < max_chars:
        pair = seq[i] + seq[i + 1] if i + 1 < len(seq) else ""
        word = pair if pair in _CANONICAL or pair in SYNONYMS else seq[i]
        i += 2 if word is pair else 1
        used += len(word)
        if word not in STOP_WORDS:
            out.append(canonical(word))
    return out


def latin_terms(text: str) -> list[str]:
    """The terms of a text that are not Chinese words: place codes (a3区) and Latin/digit runs, as
    `tokenize` keeps them (single digits left out). Cheap (no jieba): completes words cut by a
    segmenter that drops them."""
    norm = normalize(text)
    places = _PLACE_CODE.findall(norm)
    runs = _LATIN_RUN.findall(_PLACE_CODE.sub(" ", norm))
    return places + [r for r in runs if not (r.isdigit() and len(r) < 2)]


def tokenize(text: str, *, query: bool = False, with_bigrams: bool = True,
             char_sizes: tuple[int, ...] = (2,)) -> list[str]:
    """Normalise text and return canonical jieba tokens without stop words, plus character n-grams.

    Articles are cut in search mode so that a word typed in part still matches; queries in
    precise mode, so a long query does not count a compound word and its parts three times.
    Character n-grams (`char_sizes`, bigrams by default) catch names and places that jieba's
    dictionary does not know.
    """
    norm = normalize(text)
    if not norm:
        return []
    tokens = _words(norm, query=query)
    return tokens + bigrams(norm, char_sizes) if with_bigrams else tokens
