"""派单台: the dispatcher's queues with counts in the header, and re-dispatch to the unit the return named."""

from __future__ import annotations

import re

from tests.web.conftest import text


def selected_department(html: str, slug: str = "dispatch") -> str | None:
    """The department pre-selected in the first form of a move on a page."""
    form = re.search(rf'<form[^>]*class="move move-{slug}[" ].*?</form>', html, re.S)
    assert form, f"no {slug} form"
    picked = re.search(r'<select name="department"[^>]*>.*?<option value="([^"]*)" selected', form.group(0), re.S)
    return picked.group(1) if picked else None


def returned_ticket(api, suggested: str = "water") -> dict:  # type: ignore[no-untyped-def]
    ticket = api.create(content="幸福路自来水管爆裂，路面积水")
    api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
    api.act(ticket["id"], "return", "dept_ecology", {"reason": "供水管网不属本局职责", "basis": "三定方案",
                                                     "suggested_department": suggested})
    return ticket


def test_queues_count_what_waits_and_show_it_in_the_header(pages, api):
    waiting = api.create(content="南湖区公园路路灯不亮")
    returned = returned_ticket(api)
    replied = api.create(content="小区门口垃圾清运不及时")
    api.drive(replied["id"], until="replied")
    client = pages.client("dispatcher")
    html = text(client.get("/desk"))
    header = re.search(r'<header.*?</header>', html, re.S).group(0)
    for key, count in (("dispatch", 1), ("returns", 1), ("review", 1)):
        assert re.search(rf'id="count-desk-{key}">{count}<', header), key
        assert re.search(rf'id="queue-count-{key}">{count}<', html), key  # the desk's own queue bar
    assert waiting["number"] in html and returned["number"] not in html
    returns = text(client.get("/desk?queue=returns"))
    assert returned["number"] in returns and "供水管网不属本局职责" in returns and "市水务局" in returns
    assert 'data-move="approve-return"' in returns and 'data-move="reject-return"' in returns
    review = text(client.get("/desk?queue=review"))
    assert replied["number"] in review and 'data-move="accept-reply"' in review and 'data-move="send-back"' in review


def test_duplicates_to_decide_are_a_queue_of_their_own(pages, api):
    first = api.create(content="幸福路12号门口下水道堵塞，污水漫到路面", caller_phone="13912340000",
                       address="幸福路12号", department="water")
    second = api.create(content="幸福路12号门口下水道堵塞，污水漫到路面了", caller_phone="13912340000",
                        address="幸福路12号")
    assert second["duplicates"], "the demo settings should find the duplicate"
    html = text(pages.client("dispatcher").get("/desk?queue=duplicates"))
    assert re.search(r'id="queue-count-duplicates">1<', html)
    elsewhere = text(pages.client("dispatcher").get("/tickets"))  # a cheap header: no similarity searches
    assert 'id="count-desk-dispatch">1<' in elsewhere and "count-desk-duplicates" not in elsewhere
    assert second["number"] in html and first["number"] in html and 'data-move="merge"' in html


def test_after_an_approved_return_the_dispatch_form_preselects_the_suggested_unit(pages, api):
    ticket = returned_ticket(api, suggested="water")
    client = pages.client("dispatcher")
    client.post(f"/tickets/{ticket['id']}/act/approve-return", data={})
    assert pages.ticket(ticket["id"]).status == "pending_dispatch"
    desk = text(client.get("/desk"))
    assert ticket["number"] in desk and selected_department(desk) == "water"
    assert selected_department(text(client.get(f"/tickets/{ticket['id']}"))) == "water"


def test_department_staff_and_operators_have_no_desk(pages):
    for user in ("dept_ecology", "operator", "followup"):
        assert pages.client(user).get("/desk").status_code == 403
