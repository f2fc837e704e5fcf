"""进度查询: number + the phone's last four digits; plain status, department, deadlines, scrubbed reply;
the same answer for every failure, and throttled failures."""

from __future__ import annotations

import re

import time_machine
from sqlalchemy import select

from hotline.tickets.models import Ticket
from tests.support.citizen import Citizen, online_request
from tests.support.footprint import unchanged

REPLY = "已派王师傅到现场更换路灯灯头，如仍不亮请致电 138-0013-8000 联系。"


def submitted(citizen: Citizen, stored, **overrides) -> Ticket:  # type: ignore[no-untyped-def]
    """Submit an online request and return the stored ticket."""
    assert citizen.submit(online_request(**overrides)).status_code == 302
    return stored(lambda db: db.scalars(select(Ticket).order_by(Ticket.id.desc())).first())


def act(citizen: Citizen, api, ticket_id: int, action: str, user: str, body=None):  # type: ignore[no-untyped-def]
    """A move by the centre at the citizen's clock."""
    with time_machine.travel(citizen.now, tick=False):
        return api.act(ticket_id, action, user, body)


def page_of(citizen: Citizen, number: str) -> str:
    """The tracking page's text as the citizen sees it now."""
    response = citizen.get(f"/public/track/{number}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_citizen_follows_the_ticket_in_plain_words(citizen, stored, api):
    ticket = submitted(citizen, stored)
    found = citizen.track(ticket.number, "5678")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/public/track/{ticket.number}")
    page = page_of(citizen, ticket.number)
    assert "已受理" in page and "工作人员正在审核" in page and "待确定" in page
    act(citizen, api, ticket.id, "dispatch", "operator", {"department": "urban"})
    page = page_of(citizen, ticket.number)
    assert "已派发" in page and "市城市管理局" in page and "答复期限" in page and "2026年12月3日" in page
    act(citizen, api, ticket.id, "sign", "dept_urban")
    act(citizen, api, ticket.id, "reply", "dept_urban", {"result": "solved", "content": REPLY})
    page = page_of(citizen, ticket.number)
    assert "审核中" in page and "办理答复" not in page, "a reply the centre has not accepted is not shown"
    act(citizen, api, ticket.id, "accept-reply", "dispatcher")
    page = page_of(citizen, ticket.number)
    reply = re.search(r'id="reply-text">([^<]*)<', page).group(1)  # type: ignore[union-attr]
    assert "更换路灯灯头" in reply
    assert "138" not in reply and "8000" not in reply and "王师傅" not in reply, reply
    for private in ("李女士", "13912345678", "联络员", "小区门口的路灯", "湖滨花园小区东门"):
        assert private not in page, private
    assert page_of(citizen, ticket.number).count("rate-form") == 1


def test_the_ticket_page_needs_the_digits_in_this_browser(citizen, stored, visitor):
    ticket = submitted(citizen, stored)
    stranger = visitor("192.0.2.50")
    response = stranger.get(f"/public/track/{ticket.number}")
    assert response.status_code == 302 and "/public/track?number=" in response.headers["Location"]
    with unchanged(citizen.client.application):
        assert stranger.post(f"/public/track/{ticket.number}/rate", {"rating": "dissatisfied"}).status_code == 400
    citizen.track(ticket.number, "5678")
    citizen.wait(3601)
    assert citizen.get(f"/public/track/{ticket.number}").status_code == 302, "an hour later: ask again"


def _answer(response, number: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """Status, body and headers, with the echoed number and the (time-signed) CSRF token set aside."""
    body = re.sub(r'name="csrf_token" value="[^"]+"', "CSRF", response.get_data(as_text=True))
    headers = sorted((k, v) for k, v in response.headers.items() if k not in ("Set-Cookie", "Retry-After"))
    return response.status_code, body.replace(number, "NUMBER"), str(headers)


def test_a_wrong_number_and_wrong_digits_give_the_same_answer(citizen, stored):
    ticket = submitted(citizen, stored)
    unknown = re.sub(r"\d{6}$", "999999", ticket.number)
    wrong_digits = _answer(citizen.track(ticket.number, "0000"), ticket.number)
    no_ticket = _answer(citizen.track(unknown, "5678"), unknown)
    assert wrong_digits == no_ticket
    assert wrong_digits[0] == 404 and "未查询到与该工单编号和手机号后四位相符的诉求" in wrong_digits[1]


def test_failures_are_throttled_per_address(citizen, stored, visitor):
    ticket = submitted(citizen, stored)
    guesser = visitor("192.0.2.66")
    numbers = [f"20261126-{n:06d}" for n in range(500, 510)]
    for number in numbers:
        assert guesser.track(number, "1234").status_code == 404
    refused = guesser.track(ticket.number, "5678")
    assert refused.status_code == 429 and "查询失败次数过多" in refused.get_data(as_text=True)
    assert citizen.track(ticket.number, "5678").status_code == 302, "another address is not held back"
    guesser.wait(15 * 60)
    assert guesser.track(ticket.number, "5678").status_code == 302


def test_failures_are_throttled_per_ticket_number_existing_or_not(citizen, stored, visitor):
    ticket = submitted(citizen, stored)
    unknown = "20261126-777777"
    for number in (ticket.number, unknown):
        for i, digits in enumerate(("0001", "0002", "0003", "0004", "0005")):
            assert visitor(f"192.0.2.{i + 100}").track(number, digits).status_code == 404
    late = visitor("192.0.2.200")
    real, fake = late.track(ticket.number, "5678"), late.track(unknown, "5678")
    assert _answer(real, ticket.number) == _answer(fake, unknown)
    assert real.status_code == 429 and "该工单编号查询失败次数过多" in real.get_data(as_text=True)
    assert int(real.headers["Retry-After"]) > 0 and int(fake.headers["Retry-After"]) > 0


def test_malformed_input_is_a_form_error_that_counts_nothing(citizen, stored):
    ticket = submitted(citizen, stored)
    for _ in range(12):
        bad = citizen.track("abc", "12")
        assert bad.status_code == 422 and "工单编号格式" in bad.get_data(as_text=True)
    assert citizen.track(ticket.number, "56x8").status_code == 422
    assert citizen.track(ticket.number, "5678").status_code == 302
