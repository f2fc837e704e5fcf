"""Self-stated names in citizen text: after the usual lead-ins, and surname + honorific ("王先生")."""

from __future__ import annotations

import re

NAME = "[姓名已隐藏]"

# Common surnames; characters that are also everyday words (文, 明, 路, 车, ...) are left out of the
# weak lead-ins ("我是…", "本人…") where "我是路过的" must stay, but strong lead-ins need no surname.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
            "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
            "严覃武戴莫孔汤温康施牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒"
            "阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲滕屈饶解牟艾尤阳穆农卓古吉缪"
            "简项连芦麦褚娄窦戚岑景宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲"
            "虞敖巩佘池查麻迟邝")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙", "夏侯",
                     "长孙", "宇文", "司徒", "端木", "南宫", "西门", "独孤")
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + "|[" + SURNAMES + "])"
_CJK = r"[\u4e00-\u9fff·]"
_HONORIFIC = "(?:先生|女士|小姐|老师|师傅|阿姨|大爷|大妈|同志)"

# Words that follow a name ("我是张三反映…", "本人李四住在…"): a name must end where one begins.
_AFTER = ("先生", "女士", "小姐", "同志", "电话", "手机", "号码", "联系", "家住", "现住", "居住", "住在", "住",
          "是", "在", "来电", "反映", "投诉", "举报", "求助", "咨询", "身份证", "今年", "现年", "男", "女", "家",
          "希望", "认为", "发现", "代表")
# Surname characters that are far more often a word after "本人" / "我是" ("本人曾…", "本人于…").
_WEAK_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + "|[" + re.sub("[曾于向和时尚可全应成从宁安华查管解包]", "",
                                                                         SURNAMES) + "])"
# A surname character at the end of a common word before an honorific: "班主任老师", "保安师傅".
_WORD_BEFORE_HONORIFIC = ("主任", "保安", "治安", "公安", "环卫", "门卫", "警卫", "后卫", "其余")
# Role words a weak lead-in often introduces: "我是房东", "本人安徽人" are not names.
_NOT_NAME_ENDINGS = tuple("人者员户们区市省县村镇方长主")
_NOT_NAMES = ("房东", "房客", "车主", "党员", "白领", "高层", "江边", "石桥", "马路", "方便", "黄金", "金牌",
              "华侨", "宁波", "苏州", "江苏", "安徽", "湖南", "广东", "常州", "温州", "金华", "台州", "嘉兴",
              "舟山", "丽水", "衢州", "湖州", "绍兴", "杭州", "南京", "上海", "北京", "周边", "周围", "高三",
              "高中", "高二", "高一", "初三", "钟点", "夏天", "于是")

# Lead-ins that always introduce a name, and role nouns that do only before a separator or a surname
# ("联系人：赵六", "联系人钱七" but not "投诉人反映…", "联系人未留").
_STRONG = re.compile(r"(?:名叫|署名|落款)\s*(?:是|为|:|：)?\s*")
_ROLE = re.compile(r"(?:(?<!\[)姓名|我的名字|我名字|联系人|诉求人|来电人|反映人|投诉人|举报人|求助人|户主)\s*"
                   r"(?P<sep>是|为|叫做|叫|:|：)?\s*")
_WEAK = re.compile(r"(?:我是|本人|鄙人|在下)\s*")
# "我叫张三" but not "我叫了物业", "我叫他们别吵", "我叫车".
_CALLED = re.compile(r"我叫\s*(?![了过他她它你们人车来去外救醒家回上下不])")
_SURNAME_ONLY = re.compile(r"(?:我|本人|免贵)姓\s*(" + _SURNAME + r")(?:[，,\s]*(?:名叫|叫|名)\s*(" + _CJK + r"{1,3}))?")
_WITH_HONORIFIC = re.compile("(" + _SURNAME + ")(?=" + _HONORIFIC + ")")


def _ends_here(text: str, at: int) -> bool:
    """A name may end at `at`: the text ends, punctuation follows, or a following word starts."""
    if at >= len(text) or text.startswith(_AFTER, at):
        return True
    return not re.match(_CJK, text[at]) and not text[at].isalnum()


def _strong_name_end(text: str, start: int) -> int:
    """Where the name after a strong lead-in ends: at most four characters, earlier at a following word."""
    end = start
    while end < len(text) and end - start < 4 and re.match(_CJK, text[end]):
        end += 1
        if end - start >= 2 and _ends_here(text, end):
            break
    return end


def _weak_name_end(text: str, start: int) -> int | None:
    """Where the name after "我是/本人/我叫" ends, or None when what follows is not a name."""
    surname = re.match(_WEAK_SURNAME, text[start:])
    if surname is None or re.match(_HONORIFIC, text[start + surname.end():]):
        return None  # "我是王先生" is left to honorific_replacement
    for length in (1, 2):
        end = start + surname.end() + length
        candidate = text[start:end]
        if end > len(text) or not re.fullmatch(_CJK + "+", candidate):
            return None
        if candidate in _NOT_NAMES or candidate.endswith(_NOT_NAME_ENDINGS):
            continue
        if _ends_here(text, end):
            return end
    return None


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace each span with the name label."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start >= last and end > start:
            out += [text[last:start], NAME]
            last = end
    return "".join(out) + text[last:]


def replace_name(text: str) -> str:
    """Replace names stated after lead-ins ("我叫张三", "本人李四", "姓名：王五", "我姓赵")."""
    starts = [m.end() for m in _STRONG.finditer(text)] + [m.end() for m in _CALLED.finditer(text)]
    spans = [(start, _strong_name_end(text, start)) for start in starts]
    for match in _ROLE.finditer(text):
        end = _strong_name_end(text, match.end()) if match.group("sep") else _weak_name_end(text, match.end())
        if end is not None:
            spans.append((match.end(), end))
    for match in _WEAK.finditer(text):
        end = _weak_name_end(text, match.end())
        if end is not None:
            spans.append((match.end(), end))
    for match in _SURNAME_ONLY.finditer(text):
        spans.append(match.span(1))
        if match.group(2):
            spans.append(match.span(2))
    return _cut(text, spans)


def honorific_replacement(text: str) -> str:
    """A surname before an honorific becomes 某: "王先生" → "某先生" (not "班主任老师")."""
    def replace(match: re.Match[str]) -> str:
        word = text[max(0, match.start() - 1):match.end()]
        return match.group(0) if word in _WORD_BEFORE_HONORIFIC else "某"
    return _WITH_HONORIFIC.sub(replace, text)
