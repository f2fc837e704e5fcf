"""好差评: the citizen rates an accepted reply once per reply; 不满意 brings a follow-up call; ratings count
in the satisfaction rate as online ratings."""

from __future__ import annotations

import csv
import io

import time_machine
from sqlalchemy import select

from hotline.citizen.models import CitizenRating
from hotline.followups.models import FollowUpTask
from hotline.tickets.models import Ticket, TicketEvent
from tests.citizen.test_track import act, submitted
from tests.support.citizen import Citizen
from tests.support.footprint import footprint

SOLVED = {"result": "solved", "content": "已更换路灯灯头，经夜间复查路灯已正常亮起。"}


def replied(citizen: Citizen, stored, api, *, until: str = "awaiting_follow_up") -> Ticket:  # type: ignore[no-untyped-def]
    """An online ticket driven to an accepted reply (or closed by a satisfied follow-up), tracked."""
    ticket = submitted(citizen, stored)
    for action, user, body in (("dispatch", "operator", {"department": "urban"}), ("sign", "dept_urban", {}),
                               ("reply", "dept_urban", SOLVED), ("accept-reply", "dispatcher", {})):
        act(citizen, api, ticket.id, action, user, body)
    if until == "closed":
        act(citizen, api, ticket.id, "follow-up", "followup",
            {"contacted": True, "solved": "solved", "satisfaction": "satisfied"})
    assert citizen.track(ticket.number, "5678").status_code == 302
    return ticket


def queue(citizen: Citizen, api) -> list[dict]:  # type: ignore[no-untyped-def]
    with time_machine.travel(citizen.now, tick=False):
        return api.get("/followups/queue", user="followup").get_json()["items"]


def test_no_rating_before_the_centre_accepted_a_reply(app, citizen, stored, api):
    ticket = submitted(citizen, stored)
    citizen.track(ticket.number, "5678")
    assert "rate-form" not in citizen.get(f"/public/track/{ticket.number}").get_data(as_text=True)
    before = footprint(app, ticket.id)
    refused = citizen.rate(ticket.number, "satisfied")
    assert refused.status_code == 409 and "没有可评价的答复" in refused.get_data(as_text=True)
    assert stored(lambda db: db.scalars(select(CitizenRating)).all()) == []
    assert footprint(app, ticket.id) == before


def test_a_satisfied_rating_is_kept_once_per_reply(app, citizen, stored, api):
    ticket = replied(citizen, stored, api)
    done = citizen.rate(ticket.number, "satisfied", "很快就修好了，谢谢")
    assert done.status_code == 302
    page = citizen.get(f"/public/track/{ticket.number}").get_data(as_text=True)
    assert "感谢您的评价" in page and 'id="your-rating">满意' in page and "rate-form" not in page
    rated = footprint(app, ticket.id)
    again = citizen.rate(ticket.number, "dissatisfied")
    assert again.status_code == 409 and "已评价过本次答复" in again.get_data(as_text=True)
    assert footprint(app, ticket.id) == rated
    row = stored(lambda db: db.scalars(select(CitizenRating)).one())
    assert (row.rating, row.comment, row.cycle, row.channel) == ("satisfied", "很快就修好了，谢谢", 0, "web")
    events = stored(lambda db: db.scalars(select(TicketEvent).where(TicketEvent.action == "rate_reply")).all())
    assert [(e.from_status, e.to_status, e.payload["rating"]) for e in events] == [
        ("awaiting_follow_up", "awaiting_follow_up", "satisfied")]
    assert stored(lambda db: db.get(Ticket, ticket.id)).status == "awaiting_follow_up"


def test_dissatisfied_on_a_closed_ticket_brings_the_follow_up_call_back(citizen, stored, api):
    ticket = replied(citizen, stored, api, until="closed")
    assert citizen.rate(ticket.number, "dissatisfied", "灯只亮了两天又坏了").status_code == 302
    assert "安排回访" in citizen.get(f"/public/track/{ticket.number}").get_data(as_text=True)
    again = stored(lambda db: db.get(Ticket, ticket.id))
    assert (again.status, again.close_reason, again.closed_at) == ("awaiting_follow_up", None, None)
    items = queue(citizen, api)
    assert [i["number"] for i in items] == [ticket.number] and items[0]["task"]["id"] is not None
    task = stored(lambda db: db.scalars(select(FollowUpTask)).one())
    assert (task.status, task.sampled, task.cycle) == ("open", True, 0)
    # The call is made: the citizen is still dissatisfied, the unit reworks it (重办).
    act(citizen, api, ticket.id, "follow-up", "followup",
        {"contacted": True, "solved": "unsolved", "satisfaction": "dissatisfied"})
    assert stored(lambda db: db.get(Ticket, ticket.id)).status == "in_progress"


def test_dissatisfied_while_awaiting_opens_the_callers_task(citizen, stored, api):
    ticket = replied(citizen, stored, api)
    assert stored(lambda db: db.scalars(select(FollowUpTask)).all()) == []
    assert citizen.rate(ticket.number, "dissatisfied").status_code == 302
    task = stored(lambda db: db.scalars(select(FollowUpTask)).one())
    assert (task.ticket_id, task.status, task.sampled) == (ticket.id, "open", True)
    assert [i["number"] for i in queue(citizen, api)] == [ticket.number]


def test_a_reply_given_again_after_reopening_can_be_rated_again(citizen, stored, api):
    ticket = replied(citizen, stored, api)
    assert citizen.rate(ticket.number, "dissatisfied").status_code == 302
    act(citizen, api, ticket.id, "follow-up", "followup",
        {"contacted": True, "solved": "unsolved", "satisfaction": "dissatisfied"})
    act(citizen, api, ticket.id, "reply", "dept_urban", SOLVED)
    act(citizen, api, ticket.id, "accept-reply", "dispatcher")
    assert "rate-form" in citizen.get(f"/public/track/{ticket.number}").get_data(as_text=True)
    assert citizen.rate(ticket.number, "basically").status_code == 302
    rows = stored(lambda db: db.scalars(select(CitizenRating).order_by(CitizenRating.id)).all())
    assert [(r.cycle, r.rating) for r in rows] == [(0, "dissatisfied"), (1, "basically")]


def test_online_ratings_count_in_the_satisfaction_rate_and_the_export(citizen, stored, api):
    ticket = replied(citizen, stored, api, until="closed")  # the call: 满意
    assert citizen.rate(ticket.number, "dissatisfied").status_code == 302
    with time_machine.travel(citizen.now, tick=False):
        doc = api.get("/metrics?from=2026-11-26&to=2026-11-26&group_by=channel", user="supervisor").get_json()
        export = api.get("/metrics/export?format=csv&from=2026-11-26&to=2026-11-26&group_by=channel",
                         user="supervisor")
    web = next(r for r in doc["rows"] if r["group"] == "web")
    assert (web["valid_follow_ups"], web["satisfied"], web["online_ratings"], web["online_dissatisfied"]) == (1, 1, 1, 1)
    assert web["satisfied_rate"] == 0.5, "one 满意 call and one 不满意 online rating"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    web_row = next(r for r in rows if r["group"] == "web")
    assert (web_row["online_ratings"], web_row["online_dissatisfied"], web_row["satisfied_rate"]) == ("1", "1", "0.5")
