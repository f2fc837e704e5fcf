"""网上诉求: an online request enters the operator's queue through the phone intake, with a receipt."""

from __future__ import annotations

from sqlalchemy import func, select

from hotline.departments.models import User
from hotline.notify.models import OutboxMessage
from hotline.tickets.models import Ticket, TicketEvent
from tests.support.citizen import number_on, online_request
from tests.support.footprint import unchanged

COUNT = select(func.count(Ticket.id))


def test_an_online_request_waits_for_the_operator_with_a_receipt(citizen, stored, promote):
    promote(threshold=0.0)  # a model sure of everything: a phone call would be auto-dispatched
    response = citizen.submit(online_request(confidential="true"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/public/submit/receipt")
    page = citizen.get("/public/submit/receipt").get_data(as_text=True)
    number = number_on(page)
    # Thursday 10:00 + 5 working days of the normal limit = the next Thursday 10:00.
    assert "5 个工作日内答复" in page and "2026年12月3日（星期四）10:00" in page
    assert "139****5678" in page and "13912345678" not in page

    ticket = stored(lambda db: db.scalar(select(Ticket).where(Ticket.number == number)))
    assert (ticket.status, ticket.channel, ticket.urgency, ticket.confidential) == ("received", "web", "normal", True)
    assert ticket.caller_phone == "13912345678" and ticket.department_id is None and not ticket.auto_dispatched
    assert ticket.suggestions, "the model's suggestions are stored as at phone intake"
    actor = stored(lambda db: db.get(User, ticket.received_by_id))
    assert (actor.username, actor.role, actor.active) == ("channel-web", "channel", False)
    event = stored(lambda db: db.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)))
    assert event.actor_name == "网站（市民自助）" and event.payload == {"channel": "web"}

    sms = stored(lambda db: db.scalars(select(OutboxMessage)).all())
    assert [(m.channel, m.recipient, m.status) for m in sms] == [("sms", "13912345678", "pending")]
    assert number in sms[0].body and f"/public/track?number={number}" in sms[0].body


def test_the_operator_sees_it_in_the_online_queue_and_reviews_it(citizen, stored, app, api):
    from tests.web.conftest import Pages

    citizen.submit()
    citizen.wait(120)
    citizen.submit(online_request(content="湖滨花园小区门口路灯坏了一个多月了，晚上很黑，请尽快修好路灯。"))
    numbers = stored(lambda db: db.scalars(select(Ticket.number).order_by(Ticket.id)).all())
    operator = Pages(app).client("operator")
    queue = operator.get("/console/online").get_data(as_text=True)
    assert numbers[0] in queue and numbers[1] in queue and "139****5678" in queue and "13912345678" not in queue
    assert queue.index(numbers[0]) < queue.index(numbers[1]), "oldest first"
    second = stored(lambda db: db.scalar(select(Ticket).where(Ticket.number == numbers[1])))
    review = operator.get(f"/console/tickets/{second.id}").get_data(as_text=True)
    assert "move-dispatch" in review and "move-mark-invalid" in review and "move-merge" in review
    duplicates = review.split("疑似重复")[1]
    assert numbers[0] in duplicates, "the duplicate check runs for the operator's review"
    assert Pages(app).client("dept_ecology").get("/console/online").status_code == 403


def test_a_filled_honeypot_stores_nothing(app, citizen, stored):
    with unchanged(app):
        response = citizen.submit(online_request(website="http://spam.example"))
    assert response.status_code == 400 and "提交未成功" in response.get_data(as_text=True)
    assert stored(lambda db: db.scalar(COUNT)) == 0
    assert stored(lambda db: db.scalar(select(func.count(OutboxMessage.id)))) == 0


def test_a_form_sent_too_fast_or_with_a_forged_time_stores_nothing(app, citizen, stored):
    with unchanged(app):
        fast = citizen.submit(fill_seconds=1)
        assert fast.status_code == 400 and "提交过快" in fast.get_data(as_text=True)
        assert "湖滨花园小区门口" in fast.get_data(as_text=True), "what was typed is kept"
        forged = citizen.submit(form_token="eyJ0IjowfQ.forged")
    assert forged.status_code == 400 and "页面已过期" in forged.get_data(as_text=True)
    assert stored(lambda db: db.scalar(COUNT)) == 0
    assert citizen.submit().status_code == 302


def test_without_the_csrf_token_nothing_is_stored(app, citizen, stored):
    with unchanged(app):
        response = citizen.submit(csrf_token="")
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    assert stored(lambda db: db.scalar(COUNT)) == 0


def test_bad_fields_answer_in_chinese_and_keep_the_input(app, citizen, stored):
    with unchanged(app):
        response = citizen.submit(online_request(caller_phone="12ab", kind="spam"))
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and "诉求类型" in html and "输入有误" in html
        response = citizen.submit(online_request(caller_phone="12ab"))
    assert response.status_code == 422 and "联系电话：格式不正确" in response.get_data(as_text=True)
    assert stored(lambda db: db.scalar(COUNT)) == 0


def test_per_phone_limit_answers_429_in_chinese(app, visitor, stored):
    for i in range(3):
        assert visitor(f"203.0.113.{i + 1}").submit().status_code == 302
    with unchanged(app):
        refused = visitor("203.0.113.9").submit(online_request(caller_phone="+86 139-1234-5678"))
    assert refused.status_code == 429 and "该手机号提交的诉求较多" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert stored(lambda db: db.scalar(COUNT)) == 3
    other = visitor("203.0.113.9").submit(online_request(caller_phone="13700001111"))
    assert other.status_code == 302, "another phone from another address is not held back"


def test_per_address_limit_answers_429_and_lets_go_after_the_window(citizen, stored):
    for i in range(5):
        assert citizen.submit(online_request(caller_phone=f"1370000{i:04d}")).status_code == 302
    with unchanged(citizen.client.application):
        refused = citizen.submit(online_request(caller_phone="13600009999"))
    assert refused.status_code == 429 and "本网络提交的诉求较多" in refused.get_data(as_text=True)
    assert stored(lambda db: db.scalar(COUNT)) == 5
    citizen.wait(3600)
    assert citizen.submit(online_request(caller_phone="13600009999")).status_code == 302


def test_a_channel_user_can_never_log_in(citizen, api, app):
    citizen.submit()
    token = api.client.post("/api/v1/auth/token", json={"username": "channel-web", "password": ""})
    assert token.status_code in (401, 422)
    token = api.client.post("/api/v1/auth/token",
                            json={"username": "channel-web", "password": "!channel-account-no-login"})
    assert token.status_code == 401
