"""主动治理: /hotspots finds planted clusters of similar requests within a district and window."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.support.factories import T0

WATER = ["西山区翠湖花园小区从早上开始停水，到现在还没来水，家里老人做饭都成问题。",
         "翠湖花园小区停水一整天了，也没有提前通知，什么时候恢复供水？",
         "西山区翠湖花园又停水了，这周已经第三次，物业说是管网维修，请水务部门尽快恢复供水。",
         "我家在翠湖花园8栋，停水到现在，楼里好多住户都没水用，请尽快恢复供水。"]
NIGHT_WORK = ["高新区科技园路工地夜间施工，凌晨两点还在打桩，噪音太大无法入睡。",
              "科技园路那个工地每天晚上施工到凌晨，打桩噪音扰民，请查处夜间施工。",
              "高新区科技园路夜间施工噪音严重，连续一周晚上都在施工，小孩睡不着。"]
OTHERS = [("东湖区", "东湖区人民公园门口的路灯坏了好几盏，晚上散步很黑。"),
          ("南湖区", "南湖区菜市场门口占道经营，早高峰车辆通行困难。"),
          ("北城区", "北城区幸福里小区电梯经常故障，上周困人两次。"),
          ("东湖区", "想咨询一下灵活就业人员怎么缴纳社保，在哪里办理。"),
          ("南湖区", "南湖中学门口放学时段交通拥堵，希望增派交警疏导。"),
          ("西山区", "西山区一家培训机构收费后关门跑路，学费无法退还。"),
          ("高新区", "高新区软件园食堂卫生条件差，吃完拉肚子。"),
          ("北城区", "北城区公交12路班次太少，早上等车要半小时。"),
          ("东湖区", "东湖区某药店销售过期药品，要求市场监管部门查处。"),
          ("西山区", "西山区滨江小区垃圾清运不及时，楼下垃圾堆积发臭。")]


def plant(api) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    ids: dict[str, list[int]] = {"water": [], "night": [], "noise": []}
    with time_machine.travel(T0 - timedelta(days=4), tick=False) as clock:
        for n in range(12):
            clock.shift(timedelta(hours=7))
            ids["water"].append(api.create(content=WATER[n % 4] + f"（第{n + 1}位来电）", district="西山区",
                                           address="翠湖花园", caller_phone=f"1380000{n:04d}")["id"])
            if n % 2 == 0:
                ids["night"].append(api.create(content=NIGHT_WORK[n % 3], district="高新区", address="科技园路",
                                               caller_phone=f"1390000{n:04d}")["id"])
        for n, (district, text) in enumerate(OTHERS):
            ids["noise"].append(api.create(content=text, district=district, address=None,
                                           caller_phone=f"1370000{n:04d}")["id"])
        # the same outage text in another district stays apart (and below the minimum size)
        for n in range(2):
            api.create(content=WATER[1], district="东湖区", address="湖畔小区", caller_phone=f"1360000{n:04d}")
    return ids


def test_planted_clusters_are_found(api):
    planted = plant(api)
    with time_machine.travel(T0, tick=False):
        response = api.get("/hotspots?days=7", user="supervisor")
        assert api.get("/hotspots", user="operator").status_code == 403
        assert api.get("/hotspots?days=0", user="supervisor").status_code == 422
        assert api.get("/hotspots?similarity=2", user="supervisor").status_code == 422
    body = response.get_json()
    clusters = body["clusters"]
    assert len(clusters) == 2, [(c["district"], c["top_terms"], c["size"]) for c in clusters]
    water, night = clusters
    assert water["district"] == "西山区" and water["size"] == 12 == water["callers"]
    assert sorted(t["id"] for t in water["tickets"]) == sorted(planted["water"])
    assert "停水" in water["top_terms"]
    assert night["district"] == "高新区" and sorted(t["id"] for t in night["tickets"]) == sorted(planted["night"])
    assert "施工" in night["top_terms"] or "夜间" in night["top_terms"]
    assert set(water["trend"]) >= {"recent", "earlier", "direction", "daily"}
    assert sum(water["trend"]["daily"].values()) == 12


def test_window_and_district_filter(api):
    plant(api)
    with time_machine.travel(T0, tick=False):
        short = api.get("/hotspots?days=1", user="supervisor").get_json()
        only = api.get("/hotspots?days=7&district=高新区", user="supervisor").get_json()
    assert all(c["size"] < 12 for c in short["clusters"])
    assert [c["district"] for c in only["clusters"]] == ["高新区"]


def test_requests_without_words_give_no_clusters(api):
    with time_machine.travel(T0 - timedelta(hours=5), tick=False):
        for n in range(4):
            api.create(content="急", address=str(n % 2), caller_phone=f"1350000{n:04d}")
    with time_machine.travel(T0, tick=False):
        body = api.get("/hotspots?days=1", user="supervisor").get_json()
    assert body["tickets_considered"] == 4 and body["clusters"] == []


def test_trend_is_this_week_against_the_last_with_a_long_window(api):
    plant(api)  # the bursts run from four days ago until about today
    with time_machine.travel(T0, tick=False):
        week = api.get("/hotspots?days=14", user="supervisor").get_json()["clusters"][0]["trend"]
        half = api.get("/hotspots?days=7", user="supervisor").get_json()["clusters"][0]["trend"]
    assert week["basis"] == "week" and (week["recent"], week["earlier"], week["direction"]) == (12, 0, "rising")
    assert half["basis"] == "half" and half["recent"] + half["earlier"] == 12
