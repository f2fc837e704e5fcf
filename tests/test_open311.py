"""Open311 GeoReport v2: public requests without personal data."""

from __future__ import annotations

import time_machine

from tests.support.factories import T0


def test_requests_hide_personal_data_and_confidential_tickets(api):
    with time_machine.travel(T0, tick=False):
        public = api.create(content="路灯坏了，请联系我 13812345678")
        secret = api.create(confidential=True)
        api.act(public["id"], "dispatch", "dispatcher", {"department": "urban"})
    listing = api.client.get("/open311/v2/requests.json").get_json()
    assert [r["service_request_id"] for r in listing] == [public["number"]]
    request = listing[0]
    assert "13812345678" not in request["description"] and request["agency_responsible"] == "市城市管理局"
    assert request["address"] == "东湖区" and "caller_name" not in request
    one = api.client.get(f"/open311/v2/requests/{public['number']}.json")
    assert one.status_code == 200 and one.get_json()[0]["status"] == "open"
    assert api.client.get(f"/open311/v2/requests/{secret['number']}.json").status_code == 404
    services = api.client.get("/open311/v2/services.json").get_json()
    assert {s["service_code"] for s in services} >= {"complaint", "consultation"}
    bad = api.client.get("/open311/v2/requests.json?status=maybe")
    assert bad.status_code == 422 and bad.get_json()[0]["code"] == 422 and bad.get_json()[0]["description"]


def test_descriptions_are_scrubbed_and_reports_never_public(api):
    text = ("我叫张三，电话138.0000.1111，邮箱zs@qq.com，住文三路138号3幢2单元501室，"
            "楼下浙A12345长期占用消防通道。")
    with time_machine.travel(T0, tick=False):
        public = api.create(content=text)
        report = api.create(kind="report", content="举报某餐馆无证经营，地址在滨湖路。")
    listing = api.client.get("/open311/v2/requests.json").get_json()
    assert [r["service_request_id"] for r in listing] == [public["number"]]
    assert listing[0]["description"] == (
        "我叫[姓名已隐藏]，电话[电话已隐藏]，邮箱[邮箱已隐藏]，住文三路[门牌已隐藏]，楼下[车牌已隐藏]长期占用消防通道。")
    assert api.client.get(f"/open311/v2/requests/{report['number']}.json").status_code == 404
    assert api.client.get("/open311/v2/requests.json?service_code=report").get_json() == []
