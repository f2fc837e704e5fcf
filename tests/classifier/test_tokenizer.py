"""Normalisation and segmentation of raw citizen text."""

import csv
import sys
from pathlib import Path

import pytest

from classifier import tokenizer


def test_full_width_letters_digits_and_punctuation_are_normalised():
    assert tokenizer.normalise("ＡＢＣ１２３，小区物业（滨江）收费太高！") == "小区物业 滨江 收费太高"


def test_urls_are_removed_without_leaving_letters():
    words = tokenizer.tokens("详见https://example.com/a?b=1%20x今天停水，www.example.org也有通知")
    assert "停水" in words
    assert not any(ch.isascii() for w in words for ch in w)


def test_phone_numbers_are_removed():
    text = "联系电话0000-00000000或13812345678，也可拨+86 13912345678"
    assert not any(ch.isdigit() for ch in tokenizer.normalise(text))
    assert tokenizer.tokens("请回电13812345678") == ["回电"]


def test_anonymised_place_codes_keep_only_the_suffix():
    assert tokenizer.normalise("A市A3区K8县") == "市区县"
    assert tokenizer.tokens("A市西湖建筑集团占道施工") == tokenizer.tokens("市西湖建筑集团占道施工")


def test_raw_text_maps_to_the_pre_segmented_form():
    raw = "我们小区的物业，太差了！0000-00000000"
    assert tokenizer.canonical(raw) == tokenizer.canonical("小区物业太差")


def test_stop_words_and_digits_are_dropped():
    words = tokenizer.tokens("我的社保卡在2023年12月丢了，请问怎么补办？")
    assert "的" not in words and "请问" not in words
    assert "社保卡" in words and "补办" in words


def test_user_dictionary_keeps_hotline_terms_whole():
    assert "噪音扰民" in tokenizer.tokens("楼下酒吧噪音扰民")
    assert "渣土车" in tokenizer.tokens("半夜渣土车抛洒泥土")
    assert tokenizer.tokens("违章建筑") == ["违章建筑"]


def test_init_is_idempotent_and_empty_text_is_fine():
    assert tokenizer.init() is tokenizer.init()
    assert tokenizer.tokens("") == []
    assert tokenizer.tokens("，。！？ 123 abc") == []


def test_long_text_is_capped():
    assert len("".join(tokenizer.tokens("停水" * 5000))) <= tokenizer.MAX_CHARS


def test_raw_message_splits_subject_on_the_first_line_break():
    assert tokenizer.split_subject("小区停水\n三天没有水，请处理\n谢谢") == ("小区停水", "三天没有水，请处理\n谢谢")
    assert tokenizer.split_subject("小区停水三天") == ("", "小区停水三天")
    words = tokenizer.tokens("小区停水？\n三天没有自来水")
    cut = words.index(tokenizer.SUBJECT_END)
    assert "停水" in words[:cut] and "自来水" in words[cut + 1 :]
    assert tokenizer.SUBJECT_END not in tokenizer.tokens("小区停水三天没有自来水")
    assert tokenizer.canonical("小区停水？\n三天没有自来水") == tokenizer.canonical("小区停水三天没有自来水")


def test_training_row_splits_at_a_matching_subject_prefix():
    text = "小区停水三天没有自来水"  # pre-segmented: subject and body run together
    assert tokenizer.with_subject(text, "小区停水？") == "小区停水\n三天自来水"
    assert tokenizer.with_subject(text, "学校收费") == text
    assert tokenizer.tokens(tokenizer.with_subject(text, "小区停水？")) == tokenizer.tokens("小区停水\n三天没有自来水")


def test_a_long_first_line_does_not_lift_the_length_cap_much():
    words = tokenizer.tokens("停水" * 5000 + "\n" + "停电" * 5000)
    assert len(tokenizer.canonical("停水" * 5000 + "\n" + "停电" * 5000)) <= tokenizer.MAX_CHARS + tokenizer.SUBJECT_MAX_CHARS
    assert words.count(tokenizer.SUBJECT_END) == 1


def _jieba_words(texts: list[str]) -> list[list[str]]:
    """The words jieba itself gives (precise mode, no HMM, the hotline user dictionary): the reference."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    reference.initialize()
    reference.load_userdict(str(tokenizer.USERDICT_PATH))
    return [reference.lcut(tokenizer.normalise(text), HMM=False) for text in texts]


# Close splits that depend on the dictionary's total: with jieba-rs's own total, each comes out otherwise.
CLOSE_CALLS = ["建筑质量太差了", "司机素质太差，有损城市形象", "有人指责以及欺负人", "草地、步道、休息区都没人管",
               "说好到年底通车的线路", "由于路基太差加上雨水多"]


def test_segmentation_is_exactly_jiebas():
    segmenter = tokenizer.init()
    assert [segmenter.cut(tokenizer.normalise(t), False) for t in CLOSE_CALLS] == _jieba_words(CLOSE_CALLS)


# Beside the project, or where this workplace keeps it when the project is a clone elsewhere.
DATASETS = next((p for p in (Path(__file__).resolve().parents[3] / "shared", Path("/work/shared"))
                 if p.is_dir()), Path("/nonexistent")) / "datasets"
MESSAGES = DATASETS / "tipdm2020_c_testset" / "official_test_unlabeled.csv"
TRAINING = DATASETS / "tipdm2020_c_cls" / "train.csv"


@pytest.mark.skipif(not (MESSAGES.is_file() and TRAINING.is_file()), reason="the TipDM data is not beside the project")
def test_segmentation_is_jiebas_on_real_messages_and_training_rows():
    """The test set's raw messages and every training row: the same words, so a model trained with jieba's
    words scores the same features."""
    csv.field_size_limit(sys.maxsize)
    with MESSAGES.open(encoding="utf-8", newline="") as fh:
        texts = [f"{r['subject']}\n{r['detail']}"[:2000] for r in csv.DictReader(fh)]
    with TRAINING.open(encoding="utf-8", newline="") as fh:
        texts += [r["text"] for r in csv.DictReader(fh)]
    segmenter = tokenizer.init()
    ours = [segmenter.cut(tokenizer.normalise(t), False) for t in texts]
    assert ours == _jieba_words(texts)
