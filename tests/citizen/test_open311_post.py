"""Open311 POST requests.json with an API key: the request enters the operator's queue with the key's
channel, GET shows it without personal data, a revoked key gets 403, errors in the spec's format."""

from __future__ import annotations

import json

import time_machine
from sqlalchemy import select

from hotline.open311.models import ApiKey, Open311Request
from hotline.tickets.models import Ticket
from tests.support.factories import T0
from tests.support.footprint import unchanged
from tests.web.conftest import Pages, csrf_token

REQUEST = {"service_code": "complaint", "description": "湖滨路8号工地夜里施工噪音扰民，我叫王小明，电话13800001111。",
           "address_string": "南湖区湖滨路8号", "first_name": "小明", "last_name": "王", "phone": "138-0000-1111",
           "email": "wang@example.cn", "device_id": "dev-1", "account_id": "acc-9"}


def cli(app, *args: str) -> str:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output.strip()


def post(client, body: dict, **kwargs):  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False):
        return client.post("/open311/v2/requests.json", data=body, **kwargs)


def test_a_keyed_request_enters_the_queue_and_reads_back_without_personal_data(app, stored):
    key = cli(app, "apikeys", "create", "城市APP", "--channel", "app")
    assert key.startswith("h311_") and len(key) > 30
    row = stored(lambda db: db.scalars(select(ApiKey)).one())
    assert row.key_hash != key and key not in json.dumps([row.key_hash, row.key_prefix, row.name])
    client = app.test_client()
    response = post(client, {**REQUEST, "api_key": key})
    assert response.status_code == 200, response.get_json()
    [answer] = response.get_json()
    number = answer["service_request_id"]
    assert answer["account_id"] == "acc-9" and "5 个工作日内答复" in answer["service_notice"]

    ticket = stored(lambda db: db.scalar(select(Ticket).where(Ticket.number == number)))
    assert (ticket.channel, ticket.status, ticket.kind, ticket.district) == ("app", "received", "complaint", "南湖区")
    assert (ticket.caller_name, ticket.caller_phone, ticket.address) == ("王小明", "13800001111",
                                                                         "南湖区湖滨路8号")
    extra = stored(lambda db: db.get(Open311Request, ticket.id))
    assert (extra.api_key_id, extra.email, extra.device_id) == (row.id, "wang@example.cn", "dev-1")
    assert stored(lambda db: db.get(ApiKey, row.id)).last_used_at is not None
    queue = Pages(app).client("operator").get("/console/online").get_data(as_text=True)
    assert number in queue and "APP" in queue

    listing = client.get("/open311/v2/requests.json")
    one = client.get(f"/open311/v2/requests/{number}.json")
    assert listing.status_code == 200 and one.status_code == 200
    assert number in [r["service_request_id"] for r in listing.get_json()]
    for body in (listing.get_data(as_text=True), one.get_data(as_text=True)):
        for private in ("13800001111", "1111", "王小明", "wang@example.cn", "湖滨路8号", "dev-1", "acc-9"):
            assert private not in body, private


def test_a_wechat_key_gives_channel_wechat_and_json_bodies_work(app, stored):
    key = cli(app, "apikeys", "create", "小程序", "--channel", "wechat")
    with time_machine.travel(T0, tick=False):
        response = app.test_client().post("/open311/v2/requests.json", json={
            "api_key": key, "service_code": "help", "description": "小区停水了", "lat": 30.25, "long": 120.17})
    assert response.status_code == 200, response.get_json()
    ticket = stored(lambda db: db.scalar(select(Ticket)))
    assert (ticket.channel, ticket.address, ticket.caller_phone) == ("wechat", "坐标 30.250000,120.170000", None)


def test_a_revoked_or_unknown_key_gets_403_in_the_spec_format(app, stored):
    key = cli(app, "apikeys", "create", "城市APP", "--channel", "app")
    assert "revoked 城市APP" in cli(app, "apikeys", "revoke", "城市APP")
    client = app.test_client()
    with unchanged(app):
        for body in ({**REQUEST, "api_key": key}, {**REQUEST, "api_key": "h311_guess"}):
            response = post(client, body)
            assert response.status_code == 403
            [error] = response.get_json()
            assert error["code"] == 403 and "api_key" in error["description"]
        missing = post(client, REQUEST)
    assert missing.status_code == 400 and missing.get_json()[0]["code"] == 400
    assert stored(lambda db: db.scalars(select(Ticket)).all()) == []
    assert "active" not in cli(app, "apikeys", "list") and "城市APP" in cli(app, "apikeys", "list")


def test_bad_arguments_answer_spec_errors_and_store_nothing(app, stored):
    key = cli(app, "apikeys", "create", "城市APP", "--channel", "app")
    client = app.test_client()
    cases = [{"service_code": "pothole"}, {"description": ""}, {"address_string": "", "lat": "30"},
             {"address_string": "", "lat": "91", "long": "120"}, {"email": "not-an-email"}]
    for change in cases:
        with unchanged(app):
            response = post(client, {**REQUEST, "api_key": key, **change})
        assert response.status_code == 422, (change, response.get_json())
        [error] = response.get_json()
        assert error["code"] == 422 and error["description"], change
    assert stored(lambda db: db.scalars(select(Ticket)).all()) == []


def test_each_key_is_rate_limited(app, stored):
    app.config["CITIZEN_LIMITS"] = {"open311_key": "2/minute"}
    key = cli(app, "apikeys", "create", "城市APP", "--channel", "app")
    other = cli(app, "apikeys", "create", "小程序", "--channel", "wechat")
    client = app.test_client()
    body = {k: v for k, v in REQUEST.items() if k != "phone"}
    assert [post(client, {**body, "api_key": key}).status_code for _ in range(2)] == [200, 200]
    with unchanged(app):
        assert post(client, {**body, "api_key": key}).status_code == 429
        refused = post(client, {**body, "api_key": key})
    assert refused.get_json()[0]["code"] == 429 and "请求过于频繁" in refused.get_json()[0]["description"]
    assert post(client, {**body, "api_key": other}).status_code == 200
    assert len(stored(lambda db: db.scalars(select(Ticket)).all())) == 3
    assert len(stored(lambda db: db.scalars(select(Open311Request)).all())) == 3


def test_admins_issue_and_revoke_keys_on_a_page(app, stored):
    app.config["WTF_CSRF_ENABLED"] = True
    admin = Pages(app).client("admin")
    page = admin.get("/admin/apikeys").get_data(as_text=True)
    created = admin.post("/admin/apikeys", data={"name": "城市APP", "channel": "app", "csrf_token": csrf_token(page)})
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and "仅显示这一次" in html
    key = html.split("<code>")[1].split("</code>")[0]
    assert key.startswith("h311_")
    again = admin.get("/admin/apikeys").get_data(as_text=True)
    assert key not in again and key[:10] in again and "有效" in again
    row = stored(lambda db: db.scalars(select(ApiKey)).one())
    assert row.created_by == "admin"
    admin.post(f"/admin/apikeys/{row.id}/revoke", data={"csrf_token": csrf_token(again)})
    assert "已吊销" in admin.get("/admin/apikeys").get_data(as_text=True)
    supervisor = Pages(app).client("supervisor")
    with unchanged(app):
        assert post(app.test_client(), {**REQUEST, "api_key": key}).status_code == 403
        assert supervisor.get("/admin/apikeys").status_code == 403
        assert supervisor.post("/admin/apikeys", data={"name": "冒名", "channel": "app"}).status_code == 403
        assert supervisor.post(f"/admin/apikeys/{row.id}/revoke").status_code == 403
