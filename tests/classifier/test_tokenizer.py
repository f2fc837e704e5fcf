"""Normalisation and segmentation of raw citizen text."""

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
