"""Search ranking through the API on a small fixture, filters, snippets and immediate index updates."""

from __future__ import annotations

import pytest

from tests.knowledge.helpers import act, create, put

FIXTURE = [
    {"title": "居民身份证到期换领办理指南", "department": "police", "tags": ["证件"],
     "questions": ["身份证过期了去哪里换"],
     "answer": "携带原证件到户籍所在地或居住地派出所户籍窗口办理，现场拍照，一般20个工作日内领取。"},
    {"title": "户口迁入办理条件", "department": "police", "tags": ["户籍"],
     "questions": ["怎么把户口迁进来"],
     "answer": "符合条件的，凭身份证、户口簿和房屋产权证明到派出所申请落户。"},
    {"title": "燃气欠费停气后恢复供气", "department": "gas", "tags": ["燃气"],
     "questions": ["充值后还是没有燃气"],
     "answer": "缴清欠费后24小时内远程恢复供气；插卡表用户需将燃气卡插回表内。"},
    {"title": "夜间施工噪声投诉", "department": "urban", "tags": ["噪音", "施工"],
     "questions": ["晚上工地施工太吵"],
     "answer": "夜间22时至次日6时禁止产生噪声的建筑施工，确需连续作业的须持夜间施工许可证。"},
]


# Other topics, so that the fixture's terms are as rare as in a real knowledge base (the index skips
# terms found in more than a fifth of the articles).
OTHERS = [("公交线路调整", "transport", "公交车线路调整以公交集团公告为准。"),
          ("生活垃圾分类投放时间", "urban", "厨余垃圾每天早晚定时投放。"),
          ("小区停车位租售纠纷", "housing", "车位租售按购房合同约定执行。"),
          ("医保异地就医备案", "health", "异地就医须先在医保经办机构备案。"),
          ("义务教育阶段入学登记", "education", "适龄儿童按学区登记入学。"),
          ("养犬登记与年检", "police", "犬只须办理养犬登记并按时年检。"),
          ("违法建设举报受理", "urban", "违章建筑由属地街道核查处置。"),
          ("物业服务收费标准", "housing", "物业服务收费实行政府指导价。")]


@pytest.fixture
def articles(api, empty_kb):  # type: ignore[no-untyped-def]
    """The fixture articles, published; returns title → id."""
    for title, department, answer in OTHERS:
        create(api, status="published", title=title, department=department, answer=answer, questions=[], tags=[])
    return {a["title"]: create(api, status="published", **a)["id"] for a in FIXTURE}


def search(api, query: str, user: str = "operator", **params):  # type: ignore[no-untyped-def]
    response = api.get("/kb/search", user=user, query_string={"q": query, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_ranking_title_and_synonyms(api, articles):
    hits = search(api, "身份证到期怎么换领")
    assert hits[0]["id"] == articles["居民身份证到期换领办理指南"]
    assert set(hits[0]) == {"id", "title", "snippet", "department", "score"}
    # 身份证 is in the title of the first article and only in the answer of the second: title boost wins.
    assert [h["id"] for h in search(api, "身份证")][:2] == [articles["居民身份证到期换领办理指南"],
                                                            articles["户口迁入办理条件"]]
    # Synonyms: 落户 / 户籍 are indexed as 户口; 吵闹 as 噪音 ("噪声" in the article).
    assert search(api, "落户")[0]["id"] == articles["户口迁入办理条件"]
    assert search(api, "工地晚上吵闹")[0]["id"] == articles["夜间施工噪声投诉"]
    assert search(api, "停气")[0]["department"] == "gas"
    assert search(api, "") == [] and search(api, "火星移民") == []


def test_filters_snippets_and_paging_limits(api, articles):
    assert {h["department"] for h in search(api, "身份证", department="gas")} == set()
    assert [h["id"] for h in search(api, "身份证", tag="户籍")] == [articles["户口迁入办理条件"]]
    assert len(search(api, "身份证 户口 燃气 施工", k=2)) == 2
    assert "<mark>" in search(api, "派出所")[0]["snippet"]
    assert api.get("/kb/search?q=x&k=0").status_code == 422
    assert api.get("/kb/search?q=x&status=draft").status_code == 422  # operators search published only
    assert api.get("/kb/search?q=x", user=None).status_code == 401


def test_index_sees_changes_at_once(api, articles):
    draft = create(api, user="dept_water", department=None, title="自来水水压低报修",
                   answer="水压低可拨打供水服务热线报修，维修人员两小时内上门。")
    assert search(api, "水压低") == []  # drafts are not searchable by operators
    act(api, draft["id"], "submit", "dept_water")
    act(api, draft["id"], "approve", "supervisor")
    assert search(api, "水压低")[0]["id"] == draft["id"]
    put(api, draft["id"], {"title": "自来水浑浊怎么办", "answer": "请先放水几分钟。"}, user="supervisor")
    assert search(api, "水压低") == [] and search(api, "浑浊")[0]["id"] == draft["id"]
    act(api, draft["id"], "retire", "supervisor")
    assert search(api, "浑浊") == []
    assert search(api, "浑浊", user="supervisor", status="retired")[0]["id"] == draft["id"]


def test_expired_and_future_articles_are_not_found(api, articles):
    create(api, status="published", title="家电以旧换新补贴", answer="活动已结束。", expires_on="2020-12-31")
    create(api, status="published", title="充电桩安装补贴", answer="明年起申领。", effective_from="2099-01-01")
    current = create(api, status="published", title="老旧小区加装电梯补贴", answer="向街道申请。")
    assert search(api, "以旧换新") == [] and search(api, "充电桩") == []
    assert search(api, "加装电梯")[0]["id"] == current["id"]
    assert search(api, "充电桩", user="supervisor", status="published") == []


def test_draft_edits_do_not_rebuild_the_operators_index(app, api, articles):
    from hotline.knowledge.search import CACHE

    search(api, "身份证")
    builds = CACHE.builds
    draft = create(api, user="dept_water", department=None, title="水表更换", answer="免费更换。")
    put(api, draft["id"], {"answer": "由供水公司免费更换。"}, user="dept_water")
    search(api, "身份证")
    assert CACHE.builds == builds
    act(api, draft["id"], "submit", "dept_water")
    act(api, draft["id"], "approve", "supervisor")
    assert search(api, "水表更换")[0]["id"] == draft["id"] and CACHE.builds == builds + 1


def test_a_second_process_sees_a_publish_made_by_the_first(app, api, articles):
    """Each process has its own cache; the database token tells both that the index is stale."""
    from hotline.db import session
    from hotline.knowledge import search as module
    from knowledge_base import IndexCache

    other = IndexCache()  # the cache of another web process
    with app.app_context():
        before = other.get(module.index_token(session()), lambda: module._docs(session(), published_only=True))
    published = create(api, status="published", title="水表更换", answer="免费更换。")
    with app.app_context():
        token = module.index_token(session())
        after = other.get(token, lambda: module._docs(session(), published_only=True))
    assert after is not before and other.builds == 2
    assert after.search("水表更换", k=1)[0].article_id == published["id"]
