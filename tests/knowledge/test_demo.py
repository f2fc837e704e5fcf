"""The demo city's knowledge base: loaded published by `demo load`, idempotently, and searchable."""

from __future__ import annotations


def test_demo_articles_are_published_and_found(api, app):
    from hotline.db import session
    from hotline.demo.load import load_city
    from hotline.knowledge.search import search_published
    from tests.support.factories import T0

    listed = api.get("/kb/articles?status=published&per_page=1").get_json()
    assert listed["total"] >= 40
    with app.app_context():
        db = session()
        assert load_city(db, now=T0)["articles"] == 0  # idempotent
        db.commit()
        hits = search_published(db, "个体户怎么交社保", now=T0)
    assert hits and hits[0]["department"] == "hrss"
    ticket = api.create(content="我是个体户，没有单位，想自己交养老保险，去哪里办？", kind="consultation")
    assert ticket["knowledge"] and ticket["knowledge"][0]["department"] == "hrss"
    body = api.act(ticket["id"], "resolve-on-call", "operator", {"article_id": ticket["knowledge"][0]["id"]})
    assert body["status"] == "closed"
