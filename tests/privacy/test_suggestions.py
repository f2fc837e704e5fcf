"""Suggestions are not an oracle: only call-takers create tickets, and a duplicate or hotspot example
never shows a ticket its user could not open, nor a confidential caller's identity outside the centre."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import current_app
from sqlalchemy import func, select

from hotline.departments.models import User
from hotline.privacy import suggestions
from hotline.supervision import duplicates
from hotline.tickets.models import Ticket
from tests.support.factories import T0
from tests.support.footprint import unchanged

SUSPECT = "13955556666"
REPORT = "举报：滨湖路18号餐馆老板每天晚上把油烟直排进小区，还威胁投诉的住户，请查处。"
SAME_STORY = "滨湖路18号餐馆老板每天晚上把油烟直排进小区，还威胁投诉的住户，请尽快查处。"


def count_tickets(app) -> int:
    with app.app_context():
        from hotline.db import session

        return session().scalar(select(func.count()).select_from(Ticket))


@pytest.mark.parametrize("user", ["dept_ecology", "followup", "supervisor"])
def test_roles_that_take_no_calls_cannot_create_tickets(app, api, user):
    before = count_tickets(app)
    with unchanged(app):
        response = api.post("/tickets", {"content": REPORT, "caller_phone": SUSPECT}, user=user)
    assert response.status_code == 403
    assert set(response.get_json()) == {"error"}
    assert count_tickets(app) == before


@pytest.mark.parametrize("user", ["operator", "dispatcher", "admin"])
def test_call_takers_create_tickets(api, user):
    assert api.post("/tickets", {"content": REPORT}, user=user).status_code == 201


def test_a_department_posting_a_reports_text_with_the_suspects_phone_learns_nothing(api):
    with time_machine.travel(T0, tick=False):
        report = api.create(content=REPORT, caller_phone=SUSPECT, confidential=True, kind="report")
        api.act(report["id"], "dispatch", "dispatcher", {"department": "water"})
        with unchanged(api.app):
            probe = api.post("/tickets", {"content": REPORT, "caller_phone": SUSPECT, "address": "滨湖路18号"},
                             user="dept_ecology")
        peek = api.get(f"/tickets/{report['id']}/duplicates", user="dept_ecology")
    assert probe.status_code == 403 and peek.status_code == 403
    for response in (probe, peek):
        text = response.get_data(as_text=True)
        assert SUSPECT not in text and "同一来电号码" not in text and "score" not in text


def users(db) -> dict[str, User]:
    return {u.username: u for u in db.scalars(select(User))}


def service_session(app):
    """A session in an app context of its own, opened after the HTTP calls (a shared context would
    share the request globals, and so the logged-in user, between requests)."""
    from hotline.db import session

    context = app.app_context()
    context.push()
    return context, session()


def test_duplicates_for_a_department_only_show_its_own_tickets_and_no_confidential_identity(app, api):
    with time_machine.travel(T0, tick=False) as clock:
        mine = api.create(content=REPORT, caller_phone=SUSPECT, confidential=True)["id"]
        api.act(mine, "dispatch", "dispatcher", {"department": "ecology"})
        theirs = api.create(content=REPORT, caller_phone=SUSPECT)["id"]
        api.act(theirs, "dispatch", "dispatcher", {"department": "water"})
        # linked to the probe only by the caller's phone and address: text alone is far from it
        by_phone = api.create(content="滨湖路18号那家餐馆的营业执照是不是过期了？想核实一下。", caller_phone=SUSPECT,
                              confidential=True)["id"]
        api.act(by_phone, "dispatch", "dispatcher", {"department": "ecology"})
        clock.shift(timedelta(hours=1))
        probe = api.create(content=SAME_STORY, caller_phone=SUSPECT)["id"]
        context, db = service_session(app)
        ticket = db.get(Ticket, probe)
        people = users(db)
        settings = current_app.config["SUPERVISION"]
        centre = duplicates.find_duplicates(db, ticket=ticket, now=T0 + timedelta(hours=1), settings=settings,
                                            viewer=people["operator"])
        dept = duplicates.find_duplicates(db, ticket=ticket, now=T0 + timedelta(hours=1), settings=settings,
                                          viewer=people["dept_ecology"])
        context.pop()
    by_id = {d["id"]: d for d in centre}
    assert {mine, theirs, by_phone} <= set(by_id)
    assert "同一来电号码" in by_id[mine]["reason"] and "同一来电号码" in by_id[by_phone]["reason"]
    # the department sees its own confidential ticket on the text alone, and nothing else
    assert [d["id"] for d in dept] == [mine]
    assert dept[0]["reason"].startswith("同一区") or dept[0]["reason"].startswith("内容相似度")
    assert "同一来电号码" not in dept[0]["reason"] and "同一地址" not in dept[0]["reason"]
    assert dept[0]["score"] < by_id[mine]["score"]
    assert all(suggestions.ANONYMOUS not in d for d in centre + dept)


def test_the_centre_still_sees_why_a_confidential_ticket_matches(api):
    with time_machine.travel(T0, tick=False):
        first = api.create(confidential=True)["id"]
        again = api.create(user="dispatcher")
    assert [d["id"] for d in again["duplicates"]] == [first]
    assert "同一来电号码" in again["duplicates"][0]["reason"]
    assert "_anonymous" not in again["duplicates"][0]


def test_hotspot_examples_only_show_tickets_the_user_may_open(app, api):
    with time_machine.travel(T0, tick=False):
        ours = api.create(content=REPORT)["id"]
        api.act(ours, "dispatch", "dispatcher", {"department": "ecology"})
        secret = api.create(content=REPORT, confidential=True)["id"]
        api.act(secret, "dispatch", "dispatcher", {"department": "ecology"})
        elsewhere = api.create(content=REPORT)["id"]
        api.act(elsewhere, "dispatch", "dispatcher", {"department": "water"})
        hidden = api.create(content=REPORT)["id"]
        api.act(hidden, "dispatch", "dispatcher", {"department": "water"})
        answer = api.get("/hotspots?min_size=2", user="supervisor")
        assert answer.status_code == 200, answer.get_json()
        centre = answer.get_json()["clusters"]
    assert any({ours, secret, elsewhere, hidden} <= {t["id"] for t in c["tickets"]} for c in centre)
    context, db = service_session(app)
    people = users(db)
    clusters = [{"tickets": [{"id": i} for i in (ours, secret, elsewhere)], "sample": REPORT, "sample_id": secret},
                {"tickets": [{"id": hidden}], "sample": REPORT, "sample_id": hidden}]
    dept = suggestions.hotspots_for(db, user=people["dept_ecology"], clusters=clusters)
    assert [[t["id"] for t in c["tickets"]] for c in dept] == [[ours, secret]]
    assert dept[0]["sample"] is None  # the example text is a confidential caller's
    sup = suggestions.hotspots_for(db, user=people["supervisor"], clusters=clusters)
    context.pop()
    assert len(sup) == 2 and sup[0]["sample"] == REPORT


def statements_into(found: list[tuple[str, Any]]):  # type: ignore[no-untyped-def]
    """A before_cursor_execute listener that keeps each statement's SQL and parameters."""
    return lambda _conn, _cursor, statement, parameters, *_rest: found.append((statement, parameters))


def test_the_first_duplicates_judged_a_few_at_a_time_are_the_first_of_all_judged(app, api):
    """duplicates_for with a limit stops judging once the best shown beat every full score left: the same
    list a user would see from judging every candidate, with ties kept in the candidates' order."""
    import random

    from sqlalchemy import event

    with time_machine.travel(T0, tick=False):
        ids = []
        for n in range(24):
            tid = api.create(content=f"{REPORT}（第{n}次）", confidential=n % 3 == 0)["id"]
            api.act(tid, "dispatch", "dispatcher", {"department": ("ecology", "water")[n % 2]})
            ids.append(tid)
    context, db = service_session(app)
    people = users(db)
    rng = random.Random(5)
    for round_ in range(20):
        raw = []
        for tid in rng.sample(ids, 18):
            score = rng.choice((0.9, 0.8, 0.8, 0.7, 0.6, 0.5))  # ties on purpose
            anonymous = rng.choice((None, {"score": round(score - 0.25, 3), "reason": "内容相似度 60%"}))
            raw.append({"id": tid, "score": score, "reason": "同一来电号码", suggestions.ANONYMOUS: anonymous})
        for who in ("dept_ecology", "operator"):
            everything = suggestions.duplicates_for(db, user=people[who], items=raw)
            for limit in (1, 2, 5):
                statements: list[tuple[str, Any]] = []
                listener = statements_into(statements)
                event.listen(db.get_bind(), "before_cursor_execute", listener)
                try:
                    first = suggestions.duplicates_for(db, user=people[who], items=raw, limit=limit)
                finally:
                    event.remove(db.get_bind(), "before_cursor_execute", listener)
                assert first == everything[:limit], (round_, who, limit)
                loads = [p for sql, p in statements if sql.startswith("SELECT tickets.id")]
                if who == "operator":  # the call-taker sees every ticket at its full score: nothing to load
                    assert loads == []
                else:  # only the ties of the last one shown are judged past the first batches
                    tied = sum(r["score"] >= first[-1]["score"] for r in raw)
                    assert sum(map(len, loads)) <= tied + 4 * limit
    context.pop()
