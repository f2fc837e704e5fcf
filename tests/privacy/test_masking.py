"""Lists and queues carry masked phone numbers; the full number is revealed one ticket at a time by a
deliberate action, and each reveal and each export is written to the access log."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from hotline.auth.models import AccessLog
from hotline.departments.models import User
from tests.support.factories import T0
from tests.support.footprint import unchanged
from tests.support.sessions import page_client

FULL, MASKED = "13812345678", "138****5678"


def log_rows(app) -> list[tuple[str, str, int | None]]:
    from hotline.db import session

    with app.app_context():
        db = session()
        return [(db.get(User, r.user_id).username, r.action, r.ticket_id)
                for r in db.scalars(select(AccessLog).order_by(AccessLog.id))]


def awaiting(api) -> dict:
    ticket = api.create()
    return api.drive(ticket["id"], until="awaiting_follow_up")


@pytest.mark.parametrize("user", ["operator", "followup", "admin", "dispatcher", "supervisor"])
def test_the_ticket_list_masks_every_number_and_logs_nothing(app, api, user):
    with time_machine.travel(T0, tick=False):
        api.create()
        api.create(confidential=True, caller_phone="13900001111")
        before = log_rows(app)
        body = api.get("/tickets?per_page=100", user=user).get_json()
        searched = api.get("/tickets?q=滨湖路", user=user).get_data(as_text=True)
    phones = {t["caller_phone"] for t in body["items"]}
    assert phones == {MASKED, "139****1111"}
    assert FULL not in searched and "13900001111" not in searched
    assert log_rows(app) == before


@pytest.mark.parametrize("user", ["followup", "admin", "dispatcher", "supervisor"])
def test_the_follow_up_queue_masks_every_number(api, user):
    with time_machine.travel(T0, tick=False):
        awaiting(api)
        queue = api.get("/followups/queue", user=user)
    assert queue.status_code == 200
    assert [t["caller_phone"] for t in queue.get_json()["items"]] == [MASKED]
    assert FULL not in queue.get_data(as_text=True)


def test_reveal_phone_shows_one_number_and_logs_it(app, api):
    with time_machine.travel(T0, tick=False):
        tid = awaiting(api)["id"]
        nophone = api.create(caller_phone=None)["id"]
        before = len(log_rows(app))
        revealed = api.post(f"/tickets/{tid}/reveal-phone", user="followup")
        empty = api.post(f"/tickets/{nophone}/reveal-phone", user="followup")
        with unchanged(app, count_reads=True):  # not even an entry in the access log
            refused = {u: api.post(f"/tickets/{tid}/reveal-phone", user=u).status_code
                       for u in ("dispatcher", "supervisor", "dept_ecology")}
            missing = api.post("/tickets/999999/reveal-phone", user="followup").status_code
    assert revealed.status_code == 200
    assert revealed.get_json() == {"id": tid, "number": revealed.get_json()["number"], "caller_name": "张先生",
                                   "caller_phone": FULL}
    assert empty.status_code == 200 and empty.get_json()["caller_phone"] is None
    assert refused == {"dispatcher": 403, "supervisor": 403, "dept_ecology": 403} and missing == 404
    assert log_rows(app)[before:] == [("followup", "reveal_phone", tid)]


def test_the_follow_up_page_reveals_a_number_once_by_a_logged_step(app, api):
    app.config["WTF_CSRF_ENABLED"] = False
    ticket = awaiting(api)
    awaiting(api)
    client = page_client(app, "followup")
    queue = client.get("/followups").get_data(as_text=True)
    assert FULL not in queue and queue.count("显示/拨打号码") == 2
    before = len(log_rows(app))
    response = client.post(f"/followups/{ticket['id']}/reveal-phone", data={"next": "/followups?page=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/followups?page=1#followup-{ticket['id']}"
    shown = client.get("/followups").get_data(as_text=True)
    assert shown.count(FULL) == 2  # the number and its tel: link, for that one ticket only
    assert f'href="tel:{FULL}"' in shown and shown.count("显示/拨打号码") == 1
    assert log_rows(app)[before:] == [("followup", "reveal_phone", ticket["id"])]
    assert FULL not in client.get("/followups").get_data(as_text=True)  # shown once; reveal again to see it


def test_queue_roles_without_the_unmask_right_get_no_reveal_step(app, api):
    awaiting(api)
    client = page_client(app, "dispatcher")
    queue = client.get("/followups").get_data(as_text=True)
    assert MASKED in queue and FULL not in queue and "显示/拨打号码" not in queue


def test_exports_are_access_logged(app, api):
    before = len(log_rows(app))
    kb = api.get("/kb/export?format=csv", user="supervisor")
    metrics = api.get("/metrics/export?format=csv&from=2026-11-01&to=2026-11-30", user="admin")
    assert kb.status_code == 200 and metrics.status_code == 200
    assert [(u, a) for u, a, _t in log_rows(app)[before:]] == [("supervisor", "export_kb"), ("admin", "export_metrics")]
