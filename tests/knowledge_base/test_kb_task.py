"""bench/kb_task.py: the benchmark's articles carry no text of the citizen's subject."""

from bench.kb_task import article_text, quotes_subject, split

SUBJECT = "A市雨花区洞井路段路灯不亮"
REPLY = ("网友“UU0081234”：您好！您反映的“A市雨花区洞井路段路灯不亮”的问题已收悉，现将有关情况回复如下："
         "经区城管局现场核查，该路段因电缆被盗导致“洞井路段路灯不亮”，已于3月2日更换电缆，恢复照明。"
         "感谢您对我们工作的支持。")


def test_the_opening_and_every_quotation_of_the_subject_are_removed():
    article = article_text(REPLY, SUBJECT)
    assert article.startswith("经区城管局现场核查")
    assert "路灯不亮" not in article and "UU0081234" not in article and "收悉" not in article
    assert "已于3月2日更换电缆，恢复照明" in article


def test_a_quotation_of_something_else_stays():
    reply = "现答复如下：根据《城市照明管理规定》及“路灯巡查制度”，已安排夜间巡查。"
    assert article_text(reply, SUBJECT) == "根据《城市照明管理规定》及“路灯巡查制度”，已安排夜间巡查。"
    assert quotes_subject("洞井路段路灯不亮", SUBJECT) and not quotes_subject("路灯巡查制度", SUBJECT)


def test_the_split_is_fixed_and_disjoint():
    pairs = list(range(11))
    tuning, test = split(pairs)  # type: ignore[arg-type]
    assert split(pairs) == (tuning, test)  # type: ignore[arg-type]
    assert len(tuning) == 6 and len(test) == 5 and not set(tuning) & set(test)
