"""Every rate of DESIGN section 6 on a small history with known answers."""

from __future__ import annotations

import pytest
import time_machine

from hotline.supervision.rates import rates_of, weights_for
from tests.supervision.history import at, build

PERIOD = "from=2026-11-26&to=2026-12-05"


def rows_by_group(api, query: str) -> dict:  # type: ignore[no-untyped-def]
    with time_machine.travel(at("12-06 10:00"), tick=False):
        response = api.get(f"/metrics?{query}", user="supervisor")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return {row["group"]: row for row in body["rows"]} | {"_total": body["total"]}


def test_counts_and_rates_per_department(api, app):
    build(api, app)
    rows = rows_by_group(api, f"{PERIOD}&group_by=department")
    eco = rows["ecology"]
    expected = {"received": 4, "citizens": 5, "dispatched": 4, "signed_on_time": 3, "returned": 0, "responded": 2,
                "due": 4, "replied": 2, "replied_on_time": 1, "overdue": 3, "to_follow_up": 4, "followed_up": 4,
                "valid_follow_ups": 4, "solved": 1, "partly_solved": 1, "satisfied": 1, "basically_satisfied": 1,
                "dissatisfied": 2, "reopened": 2, "repeat_dissatisfied": 1, "resolved_on_call": 0}
    assert {k: eco[k] for k in expected} == expected
    rates = {"sign_on_time_rate": 0.75, "return_rate": 0.0, "response_rate": 0.5, "on_time_closing_rate": 0.25,
             "closing_rate": 0.5, "follow_up_rate": 1.0, "solved_rate": 0.375, "satisfied_rate": 0.45,
             "reopen_rate": 0.5, "resolved_on_call_rate": 0.0}
    assert {k: eco[k] for k in rates} == pytest.approx(rates)
    assert eco["score"] == pytest.approx(0.3 * 0.5 + 0.35 * 0.375 + 0.35 * 0.45, abs=1e-4)
    assert eco["label"] == "市生态环境局" and eco["category"] == "municipal"


def test_returning_department_and_zero_denominators(api, app):
    build(api, app)
    rows = rows_by_group(api, f"{PERIOD}&group_by=department")
    water = rows["water"]
    assert (water["dispatched"], water["returned"], water["return_rate"]) == (1, 1, 1.0)
    assert water["sign_on_time_rate"] == 0.0 and water["response_rate"] == 0.0
    # Nothing due, no follow-up, nothing received: null, never 0.
    assert water["closing_rate"] is None and water["satisfied_rate"] is None and water["score"] is None
    assert water["resolved_on_call_rate"] is None
    quiet = rows["health"]  # every department is listed, with null rates when it had nothing to count
    assert quiet["dispatched"] == 0 and all(quiet[k] is None for k in ("sign_on_time_rate", "score", "closing_rate"))
    gas = rows["gas"]  # e was answered on the call with the gas company's article: its 直办
    assert (gas["received"], gas["resolved_on_call"], gas["resolved_on_call_rate"]) == (1, 1, 1.0)
    assert "none" not in rows


def test_invalid_excluded_and_merged_are_left_out(api, app):
    build(api, app)
    total = rows_by_group(api, f"{PERIOD}&group_by=department")["_total"]
    # a, b, c, f and e: d is invalid, h is an approved exclusion, g is merged into a (a citizen, not a request).
    assert total["received"] == 5 and total["citizens"] == 6
    assert total["dispatched"] == 5  # a, b, f, c twice; h left out


def test_period_is_asia_shanghai_days(api, app):
    build(api, app)
    eco = rows_by_group(api, "from=2026-11-26&to=2026-11-26&group_by=department")["ecology"]
    assert (eco["dispatched"], eco["due"], eco["to_follow_up"], eco["valid_follow_ups"]) == (4, 0, 3, 3)
    assert eco["on_time_closing_rate"] is None
    later = rows_by_group(api, "from=2026-11-27&to=2026-12-05&group_by=department")["ecology"]
    assert (later["dispatched"], later["due"], later["to_follow_up"], later["valid_follow_ups"]) == (0, 4, 1, 1)


def test_local_midnight_boundary(api):
    # 23:30 on the 26th in Shanghai is 15:30 UTC; 00:30 on the 27th is still the 26th in UTC.
    with time_machine.travel(at("11-26 23:30"), tick=False) as clock:
        late = api.create()["id"]
        api.act(late, "dispatch", "dispatcher", {"department": "water"})
        clock.move_to(at("11-27 00:30"))
        early = api.create()["id"]
        api.act(early, "dispatch", "dispatcher", {"department": "water"})
        clock.move_to(at("11-28 09:00"))
        first = api.get("/metrics?from=2026-11-26&to=2026-11-26", user="supervisor").get_json()
        second = api.get("/metrics?from=2026-11-27&to=2026-11-27", user="supervisor").get_json()
        tickets = api.get("/metrics/tickets?metric=dispatched&from=2026-11-27&to=2026-11-27",
                          user="supervisor").get_json()
    assert first["total"]["dispatched"] == 1 and second["total"]["dispatched"] == 1
    assert [i["ticket_id"] for i in tickets["items"]] == [early]


def test_group_by_district_kind_channel(api, app):
    build(api, app)
    for group_by, key in (("district", "东湖区"), ("kind", "complaint"), ("channel", "phone")):
        rows = rows_by_group(api, f"{PERIOD}&group_by={group_by}")
        assert rows[key]["dispatched"] == 5 and rows[key]["received"] == 5


def test_weights_by_year_from_configuration():
    config = {"RATE_WEIGHTS": {"default": {"response": 0.3, "solved": 0.35, "satisfied": 0.35,
                                           "partly_solved": 0.5, "basically_satisfied": 0.8},
                               "2027": {"response": 0.2, "solved": 0.4, "satisfied": 0.4, "partly_solved": 0.6}}}
    counts = {"dispatched": 10, "responded": 5, "valid_follow_ups": 10, "solved": 4, "partly_solved": 2,
              "satisfied": 5, "basically_satisfied": 5}
    old = rates_of(counts, weights_for(config, 2026))
    new = rates_of(counts, weights_for(config, 2027))
    assert old["solved_rate"] == pytest.approx(0.5) and new["solved_rate"] == pytest.approx(0.52)
    assert old["satisfied_rate"] == pytest.approx(0.9) and new["satisfied_rate"] == pytest.approx(0.9)
    assert old["score"] == pytest.approx(0.3 * 0.5 + 0.35 * 0.5 + 0.35 * 0.9, abs=1e-4)
    assert new["score"] == pytest.approx(0.2 * 0.5 + 0.4 * 0.52 + 0.4 * 0.9, abs=1e-4)


def test_weights_in_force_follow_the_app_config(api, app):
    build(api, app)
    app.config["RATE_WEIGHTS"] = {**app.config["RATE_WEIGHTS"],
                                  "2026": {"response": 1.0, "solved": 0.0, "satisfied": 0.0}}
    eco = rows_by_group(api, f"{PERIOD}&group_by=department")["ecology"]
    assert eco["score"] == pytest.approx(0.5)


def test_drill_down_lists_the_tickets_behind_a_number(api, app):
    k = build(api, app)
    with time_machine.travel(at("12-06 10:00"), tick=False):
        overdue = api.get(f"/metrics/tickets?metric=overdue&group_by=department&group=ecology&{PERIOD}",
                          user="supervisor").get_json()
        signs = api.get(f"/metrics/tickets?metric=sign_on_time_rate&group_by=department&group=ecology&{PERIOD}",
                        user="supervisor").get_json()
    assert sorted(i["ticket_id"] for i in overdue["items"]) == sorted([k.b, k.c, k.f])
    assert overdue["counted"] == 3 and overdue["items"][0]["number"]
    counted = {i["ticket_id"]: i["counted"] for i in signs["items"]}
    assert counted == {k.a: 1, k.b: 0, k.c: 1, k.f: 1}
    assert (signs["counted"], signs["denominator"]) == (3, 4)


def test_bad_queries_are_4xx_and_roles_checked(api):
    assert api.get("/metrics?group_by=weather", user="supervisor").status_code == 422
    assert api.get("/metrics?from=2026-13-01", user="supervisor").status_code == 422
    assert api.get("/metrics?from=2026-12-01&to=2026-11-01", user="supervisor").status_code == 422
    assert api.get("/metrics?from=0001-01-01&to=0001-01-02", user="supervisor").status_code == 422
    assert api.get("/metrics/report?month=0001-01", user="supervisor").status_code == 422
    assert api.get("/metrics?from=2025-01-01&to=2026-11-26", user="supervisor").status_code == 422  # > 400 days
    assert api.get("/metrics?source=cache", user="supervisor").status_code == 422
    assert api.get("/metrics/export?format=csv&group_by=x", user="supervisor").status_code == 422
    assert api.get("/metrics/tickets?metric=nonsense", user="supervisor").status_code == 422
    assert api.get("/metrics", user="operator").status_code == 403
    assert api.get("/metrics", user="dept_ecology").status_code == 403
    assert api.get("/metrics", user=None).status_code == 401
    for user in ("supervisor", "admin", "dispatcher"):
        assert api.get("/metrics", user=user).status_code == 200


def test_replies_closed_without_a_call_under_sampling_are_not_owed_a_follow_up(api, app):
    from hotline.db import session
    from hotline.tickets.enums import Action
    from hotline.tickets.models import Ticket
    from hotline.tickets.rules import rules_at
    from hotline.tickets.transitions import transition

    with time_machine.travel(at("11-26 10:00"), tick=False):
        skipped, called = api.create()["id"], api.create()["id"]
        api.drive(skipped, until="awaiting_follow_up")
        api.drive(called, until="closed")
        with app.app_context():
            db = session()
            transition(db, ticket=db.get(Ticket, skipped), action=Action.SKIP_FOLLOW_UP, actor=None,
                       rules=rules_at(db, at("11-26 10:00")))
            db.commit()
        eco = {r["group"]: r for r in api.get("/metrics?from=2026-11-26&to=2026-11-26",
                                              user="supervisor").get_json()["rows"]}["ecology"]
    assert (eco["to_follow_up"], eco["followed_up"], eco["follow_up_rate"]) == (1, 1, 1.0)
