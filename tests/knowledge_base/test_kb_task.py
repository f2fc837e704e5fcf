"""bench/kb_task.py: the benchmark's articles carry no text of the citizen's subject."""

from bench.kb_task import article_text, quotes_subject, split

# Written for this test in the demo city's style (滨江市), in the shape of an official reply.
SUBJECT = "滨江市北城区梧桐街夜里路灯不亮"
REPLY = ("网友“xiaolin_2026”：您好！您反映的“滨江市北城区梧桐街夜里路灯不亮”的问题已收悉，现将有关情况回复如下："
         "经区市政所现场查看，该段线路老化导致“梧桐街夜里路灯不亮”，已于6月5日更换线路，恢复照明。"
         "感谢您对我们工作的支持。")


def test_the_opening_and_every_quotation_of_the_subject_are_removed():
    article = article_text(REPLY, SUBJECT)
    assert article.startswith("经区市政所现场查看")
    assert "路灯不亮" not in article and "xiaolin_2026" not in article and "收悉" not in article
    assert "已于6月5日更换线路，恢复照明" in article


def test_a_quotation_of_something_else_stays():
    reply = "现答复如下：根据《滨江市照明设施管理办法》及“路灯巡查制度”，已安排夜间巡查。"
    assert article_text(reply, SUBJECT) == "根据《滨江市照明设施管理办法》及“路灯巡查制度”，已安排夜间巡查。"
    assert quotes_subject("梧桐街夜里路灯不亮", SUBJECT) and not quotes_subject("路灯巡查制度", SUBJECT)


def test_the_split_is_fixed_and_disjoint():
    pairs = list(range(11))
    tuning, test = split(pairs)  # type: ignore[arg-type]
    assert split(pairs) == (tuning, test)  # type: ignore[arg-type]
    assert len(tuning) == 6 and len(test) == 5 and not set(tuning) & set(test)
