"""Hotspots placed at intake: the window's clusters are a query, and they find what re-clustering finds."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from hotline.demo.history_texts import PLANTED
from tests.supervision.test_hotspots import plant
from tests.support.factories import T0


def _burst_tickets(db, burst) -> set[int]:  # type: ignore[no-untyped-def]
    from hotline.tickets.models import Ticket

    return set(db.scalars(select(Ticket.id).where(Ticket.address == burst.address, Ticket.district == burst.district,
                                                  Ticket.invalid.is_(False), Ticket.status != "merged")))


def test_planted_bursts_of_a_simulated_history_are_the_placed_clusters(app):
    from hotline.db import session
    from hotline.deadlines.service import load_calendar, time_limits
    from hotline.demo.history import load_history
    from hotline.supervision import hotspot_clusters, hotspots

    with app.app_context():
        db = session()
        load_history(db, days=10, seed=7, now=T0, calendar=load_calendar(db), limits=time_limits(), per_day=25,
                     batch=db.commit)
        placed = hotspot_clusters.find(db, now=T0, days=10, min_size=5)
        reference = hotspots.find_hotspots(db, now=T0, days=10, min_size=5, similarity=0.4)
        assert placed["tickets_considered"] == reference["tickets_considered"] > 200
        for burst in PLANTED:
            expected = _burst_tickets(db, burst)
            for found in (placed, reference):
                best = max(found["clusters"], key=lambda c: len(expected & {t["id"] for t in c["tickets"]}))
                members = {t["id"] for t in best["tickets"]}
                assert best["district"] == burst.district
                assert len(expected & members) >= 0.8 * len(expected), (burst.address, best["top_terms"])
                assert len(members - expected) <= 0.2 * len(members), (burst.address, best["top_terms"])


def test_left_out_tickets_leave_the_cluster_and_other_similarities_recluster(api, app):
    planted = plant(api)
    with time_machine.travel(T0 - timedelta(hours=1), tick=False):
        api.act(planted["water"][0], "mark-invalid", "operator", {"note": "重复来电，无新诉求"})
    with time_machine.travel(T0, tick=False):
        placed = api.get("/hotspots?days=7", user="supervisor").get_json()
        looser = api.get("/hotspots?days=7&similarity=0.2", user="supervisor").get_json()
    water = placed["clusters"][0]
    assert water["district"] == "西山区" and water["size"] == 11
    assert sorted(t["id"] for t in water["tickets"]) == sorted(planted["water"][1:])
    assert looser["clusters"] and looser["clusters"][0]["size"] >= 11  # re-clustered on request


def test_every_received_ticket_with_words_is_placed_once(api, app):
    from hotline.db import session
    from hotline.supervision.models import HotspotMember

    plant(api)
    with app.app_context():
        members = session().execute(select(HotspotMember.ticket_id, HotspotMember.cluster_id)).all()
    clusters = {}
    for ticket_id, cluster_id in members:
        clusters.setdefault(cluster_id, []).append(ticket_id)
    assert len(members) == 12 + 6 + 10 + 2  # water, night work, the others, the outage text elsewhere
    assert all(cluster_id == min(ids) for cluster_id, ids in clusters.items())  # named after its first ticket
    assert sorted(len(ids) for ids in clusters.values())[-2:] == [6, 12]


def test_leading_terms_are_what_the_index_stores():
    """Cut to the column's 40 characters, once each: two long words sharing their first 40 would otherwise
    be one key twice in the ticket's index rows."""
    from hotline.supervision.hotspot_clusters import leading_terms

    long = "长" * 45
    terms = {long + "甲": 0.5, long + "乙": 0.5, "噪音": 0.7}
    assert leading_terms(terms) == ["噪音", "长" * 40]
