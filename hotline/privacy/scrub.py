"""Scrub personal data out of text that is published (Open311, the public tracking page).

Patterns run on a folded copy of the text (full-width digits, letters and punctuation and Chinese
numerals mapped one character to one character), so spans found there are cut out of the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hotline.privacy.names import honorific_replacement, replace_name

PHONE = "[电话已隐藏]"
EMAIL = "[邮箱已隐藏]"
ID_NUMBER = "[证件号已隐藏]"
PLATE = "[车牌已隐藏]"
NAME = "[姓名已隐藏]"
HOUSE = "[门牌已隐藏]"
ACCOUNT = "[号码已隐藏]"

# One character to one character, so offsets in the folded copy are offsets in the original.
_FOLD = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)},
     **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
     **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
     **dict(zip("〇零一二三四五六七八九幺", "001234567891", strict=True)),
     "＠": "@", "＋": "+", "．": ".", "－": "-", "（": "(", "）": ")", "：": ":", "＃": "#",
     "\u3000": " "})

# What people put between the digits of a number ("138.0000.1111", "138 0000 1111", "(0571)8888-1234").
# List separators (、，,) are left out: "124、159、167路公交" is a list, not a number.
_SEP = r"[\s.\-_/\\·・•—–‐()\[\]【】<>~～|*#]{0,3}"


def _digits(count: int) -> str:
    """count digits, any separator between them."""
    return r"\d" + (_SEP + r"\d") * (count - 1)


_ID_CARD = re.compile(r"(?<![\dA-Za-z])" + _digits(17) + _SEP + r"[\dXx](?![\dA-Za-z])")
_INTL = re.compile(r"(?<![\dA-Za-z])(?:\+|00)" + _SEP + "86" + _SEP + r"(?:\(0\))?" + _SEP
                   + r"[1-9]" + "(?:" + _SEP + r"\d){8,10}(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:86" + _SEP + r")?1" + _SEP + r"[3-9]" + (_SEP + r"\d") * 9
                     + r"(?!\d)")
_EXTENSION = r"(?:" + _SEP + r"(?:转|分机|ext\.?|-)" + _SEP + r"\d{1,6})?"
_LANDLINE = re.compile(r"(?<!\d)\(?0[1-9]\d{1,2}\)?" + _SEP + r"[2-9]" + "(?:" + _SEP + r"\d){6,7}(?!\d)"
                       + _EXTENSION)
# Bank cards, accounts, old 15-digit IDs: twelve or more digits in a row (groups of four allowed).
_LONG_NUMBER = re.compile(r"(?<!\d)[1-9]\d{3,}(?:[ \-]?\d{2,}){0,5}(?!\d)")
_TICKET_NUMBER = re.compile(r"\d{8}-\d{6}")
_CUED = re.compile(r"(?i)(?:电话|手机|手机号|号码|座机|固话|联系方式|联系电话|致电|拨打|(?<![a-z])tel|(?<![a-z])phone|微信号?|"
                   r"vx|wx|qq|证件号|身份证号?|护照号?|通行证号?|驾驶证号?|银行卡号?|卡号|账号)"
                   r"\s*(?:码)?\s*(?:是|为|:)?\s*(?P<value>[A-Za-z0-9][A-Za-z0-9_\-. ]{3,}[A-Za-z0-9])")
_EMAIL = re.compile(r"(?i)[a-z0-9][a-z0-9._%+\-]*\s*(?:@|#|\(at\)|\[at\]|\sat\s)\s*[a-z0-9\-]+"
                    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\sdot\s)\s*[a-z0-9\-]+)*\s*(?:\.|\(dot\)|\[dot\]|\sdot\s)"
                    r"\s*[a-z]{2,}")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(r"(?i)[" + _PROVINCES + r"][A-Z]\s*[·.\-・ ]?\s*[A-Z0-9]{4,5}[A-Z0-9挂学警港澳领使]"
                    r"(?![A-Za-z0-9])")
_CUED_PLATE = re.compile(r"(?i)(?:车牌|牌照|车号)\s*(?:号码?)?\s*(?:是|为|:)?\s*(?P<value>[A-Z][A-Z0-9·.\- ]{4,7}[A-Z0-9])")

# Addresses: the road name stays, the door number and everything below it (building, unit, room) goes.
_UNIT_WORD = r"(?:号楼|号院|幢|栋|座|单元|层|楼|室|户|号房|房间|房)"
_UNIT = r"\d+[A-Za-z]?" + r"\s*" + _UNIT_WORD
_TAIL = r"(?:\s*[-—]?\s*" + _UNIT + r")*(?:\s*[-—]?\s*\d{3,4}(?![\d年月日号点时分秒元角A-Za-z吨米个万千百斤公平多余人次台辆块天周岁度㎡%.]))?"
_ROAD_NUMBER = re.compile(r"(?<=[路街道巷弄里村屯区苑园府城庭寓同厦院湾坊])"
                          r"\s*\d+(?:[-之]\d+)?号(?![线口门地站台车机码楼院令文件字])" + _TAIL)
_UNIT_CHAIN = re.compile(r"(?<![\d])" + _UNIT + _TAIL)
_DASHED = re.compile(r"(?<![\d\-/.])\d{1,3}-\d{1,2}-\d{3,4}(?![\d\-/.])")
_ROOM_ONLY = r"(?:室|号房|房间?)"


# A rule sees the match in the folded text and in the original, and says the label or None (keep it).
Rule = Callable[[str, str], str | None]


def _always(label: str) -> Rule:
    return lambda value, original: label


def _unit_chain(value: str, original: str) -> str | None:
    """A building, a floor or a list of them ("3幢", "一楼二楼", "22栋23栋") stays; down to a room goes."""
    units = re.findall(_UNIT_WORD, value)
    room = re.search(r"\d{3,}\s*" + _ROOM_ONLY, value) or (len(units) >= 2 and re.search("单元|户|室|房", value))
    return HOUSE if room or re.search(r"\d{3,4}$", value) else None


def _long_number(value: str, original: str) -> str | None:
    """Twelve digits or more is an account, card or old ID number; a ticket number stays."""
    if _TICKET_NUMBER.fullmatch(value) or len(re.sub(r"\D", "", value)) < 12:
        return None
    return ACCOUNT


def _plate(value: str, original: str) -> str | None:
    """A plate has at least three digits after the city letter ("浙A12345", "浙AD12345")."""
    return PLATE if len(re.findall(r"\d", value)) >= 3 else None


def _cued(value: str, original: str) -> str | None:
    """After a cue ("电话", "QQ"), a value of six characters or more; service numbers (12345) stay."""
    return ACCOUNT if len(value) >= 6 else None


def _door_number(value: str, original: str) -> str | None:
    """"文三路138号" loses its number; "公园一号", "江山一号" (estate names in words) stay."""
    return HOUSE if re.search(r"\d", original) else None


# (pattern, rule): a pattern with a "value" group has only that group cut ("电话：" stays).
_RULES: list[tuple[re.Pattern[str], Rule]] = [
    (_EMAIL, _always(EMAIL)),
    (_ID_CARD, _always(ID_NUMBER)),
    (_INTL, _always(PHONE)),
    (_MOBILE, _always(PHONE)),
    (_LONG_NUMBER, _long_number),
    (_LANDLINE, _always(PHONE)),
    (_PLATE, _plate),
    (_CUED_PLATE, _always(PLATE)),
    (_CUED, _cued),
    (_ROAD_NUMBER, _door_number),
    (_DASHED, _always(HOUSE)),
    (_UNIT_CHAIN, _unit_chain),
]


def _apply(original: str, pattern: re.Pattern[str], rule: Rule) -> str:
    """Find on the folded copy, cut from the original (the fold keeps every offset)."""
    folded = original.translate(_FOLD)
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(folded):
        start, end = match.span("value") if "value" in pattern.groupindex else match.span()
        label = rule(folded[start:end], original[start:end])
        if label is None:
            continue
        pieces += [original[last:start], label]
        last = end
    return "".join(pieces) + original[last:]


def scrub_public_text(text: str) -> str:
    """The text without phones, e-mails, ID/account numbers, plates, self-stated names and door numbers."""
    for pattern, replace in _RULES:
        text = _apply(text, pattern, replace)
    text = replace_name(text)
    return honorific_replacement(text)
