"""The knowledge base at intake: matches on POST /tickets, 直办 with resolve-on-call."""

from __future__ import annotations

from tests.knowledge.helpers import act, create
from tests.support.footprint import footprint


def _gas_article(api):  # type: ignore[no-untyped-def]
    return create(api, status="published", title="燃气欠费停气后恢复供气", department="gas",
                  answer="缴清欠费后24小时内远程恢复供气。")


def test_post_tickets_returns_knowledge_matches(api, empty_kb):
    article = _gas_article(api)
    ticket = api.create(content="家里燃气欠费停气了，已经交了钱，什么时候能恢复供气？", kind="consultation")
    assert ticket["knowledge"][0]["id"] == article["id"]
    assert ticket["knowledge"][0]["title"] == "燃气欠费停气后恢复供气"


def test_resolve_on_call_closes_counts_and_links(api, empty_kb):
    article = _gas_article(api)
    ticket = api.create(content="燃气欠费停气怎么恢复", kind="consultation")
    body = api.act(ticket["id"], "resolve-on-call", "operator", {"article_id": article["id"]})
    assert body["status"] == "closed" and body["close_reason"] == "resolved_on_call"
    event = body["events"][-1]
    assert event["action"] == "resolve_on_call"
    assert event["payload"]["article_id"] == article["id"]
    assert event["payload"]["article_title"] == "燃气欠费停气后恢复供气"
    after = api.get(f"/kb/articles/{article['id']}").get_json()
    assert after["use_count"] == 1


def _unchanged(api, ticket_id: int, before: dict, article_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    assert footprint(api.app, ticket_id) == before
    ticket = api.get(f"/tickets/{ticket_id}").get_json()
    assert ticket["status"] == "received" and len(ticket["events"]) == 1
    if article_id is not None:
        assert api.get(f"/kb/articles/{article_id}", user="supervisor").get_json()["use_count"] == 0


def test_unknown_retired_or_expired_article_is_refused_and_nothing_written(api, empty_kb):
    ticket = api.create(content="燃气欠费停气怎么恢复", kind="consultation")
    before = footprint(api.app, ticket["id"])
    api.act(ticket["id"], "resolve-on-call", "operator", {"article_id": 99999}, status=422)
    _unchanged(api, ticket["id"], before)
    retired = _gas_article(api)
    act(api, retired["id"], "retire", "supervisor")
    api.act(ticket["id"], "resolve-on-call", "operator", {"article_id": retired["id"]}, status=409)
    _unchanged(api, ticket["id"], before, retired["id"])
    expired = create(api, status="published", title="过期条目", answer="旧答复", expires_on="2020-01-01")
    api.act(ticket["id"], "resolve-on-call", "operator", {"article_id": expired["id"]}, status=409)
    _unchanged(api, ticket["id"], before, expired["id"])
    draft = create(api, title="草稿条目", answer="未审核")
    api.act(ticket["id"], "resolve-on-call", "operator", {"article_id": draft["id"]}, status=409)
    _unchanged(api, ticket["id"], before, draft["id"])


def test_wrong_role_or_state_counts_no_use(api, empty_kb):
    article = _gas_article(api)
    ticket = api.create(content="燃气欠费停气怎么恢复", kind="consultation")
    before = footprint(api.app, ticket["id"])
    api.act(ticket["id"], "resolve-on-call", "dispatcher", {"article_id": article["id"]}, status=403)
    _unchanged(api, ticket["id"], before, article["id"])
    api.act(ticket["id"], "dispatch", "dispatcher", {"department": "gas"})
    dispatched = footprint(api.app, ticket["id"])
    api.act(ticket["id"], "resolve-on-call", "operator", {"article_id": article["id"]}, status=409)
    assert footprint(api.app, ticket["id"]) == dispatched
    assert api.get(f"/kb/articles/{article['id']}").get_json()["use_count"] == 0
