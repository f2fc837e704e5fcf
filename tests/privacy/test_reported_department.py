"""举报 about a department: confidential by itself, never dispatched (or re-dispatched, co-assigned, merged)
to that department, and invisible to it in every list, search, suggestion, export and report."""

from __future__ import annotations

import time_machine
from sqlalchemy import func, select

from hotline.tickets.models import Ticket
from tests.support.factories import T0
from tests.support.footprint import unchanged
from tests.support.sessions import page_client

REPORT = "举报：市水务局某科室工作人员收受施工队好处费，滨湖路管网改造验收走过场，请纪检部门调查。"
WORD = "好处费"


def count(app) -> int:
    from hotline.db import session

    with app.app_context():
        return session().scalar(select(func.count(Ticket.id)))


def report(api, **overrides):
    return api.create(**{"content": REPORT, "reported_department": "water", "kind": None, **overrides})


def test_a_report_on_a_department_is_confidential_and_names_it(api):
    with time_machine.travel(T0, tick=False):
        created = report(api)
    assert created["reported_department"] == "water" and created["confidential"] is True
    assert created["kind"] == "report"
    assert created["auto_dispatch"] is None  # a report is always dispatched by a person


def test_an_unknown_reported_department_is_refused(app, api):
    before = count(app)
    response = api.post("/tickets", {"content": REPORT, "reported_department": "nowhere"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "reported_department"
    assert count(app) == before


def test_dispatch_at_intake_to_the_reported_department_is_refused_and_nothing_is_written(app, api):
    before = count(app)
    response = api.post("/tickets", {"content": REPORT, "reported_department": "water", "department": "water"})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "reported_department" and "市水务局" in error["message"] and "举报" in error["message"]
    assert count(app) == before


def test_dispatch_redispatch_and_co_assignment_to_the_reported_department_are_refused(api):
    with time_machine.travel(T0, tick=False):
        tid = report(api)["id"]
        refused = api.act(tid, "dispatch", "dispatcher", {"department": "water"}, status=409)
        assert refused["error"]["code"] == "reported_department"
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology", "assisting": ["water"]}, status=409)
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
        api.act(tid, "return", "dept_ecology", {"reason": "不属于本单位职责"})
        api.act(tid, "approve-return", "dispatcher")
        api.act(tid, "dispatch", "dispatcher", {"department": "water"}, status=409)
        again = api.act(tid, "dispatch", "dispatcher", {"department": "housing"})
    assert again["department"] == "housing" and again["assisting"] == []


def test_a_report_is_not_merged_into_a_ticket_the_reported_department_handles(api):
    with time_machine.travel(T0, tick=False):
        primary = api.create(content="滨湖路管网改造施工噪音大")["id"]
        api.act(primary, "dispatch", "dispatcher", {"department": "water"})
        tid = report(api)["id"]
        refused = api.act(tid, "merge", "operator", {"into": primary}, status=409)
        assert refused["error"]["code"] == "reported_department"
        # a report merged into a ticket not yet dispatched keeps that ticket away from the department
        other = api.create(content="滨湖路管网改造验收问题")["id"]
        api.act(report(api)["id"], "merge", "operator", {"into": other})
        api.act(other, "dispatch", "dispatcher", {"department": "water"}, status=409)


def test_the_reported_department_never_sees_the_report(app, api):
    with time_machine.travel(T0, tick=False):
        tid = report(api, caller_phone="13811112222")["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology", "assisting": ["housing"]})
        number = api.get(f"/tickets/{tid}", user="dispatcher").get_json()["number"]
        # even if the ticket were once given to it (data from before the rule), the department cannot see it
        from hotline.db import session
        from hotline.departments.models import Department

        with app.app_context():
            db = session()
            ticket = db.get(Ticket, tid)
            ticket.assisting = [*ticket.assisting, db.scalar(select(Department).where(Department.code == "water"))]
            db.commit()
        water = "dept_water"
        assert api.get(f"/tickets/{tid}", user=water).status_code == 404
        for query in ("", f"?q={WORD}", f"?q={number}", "?department=ecology"):
            listed = api.get(f"/tickets{query}&per_page=100".replace("s&", "s?", 1), user=water).get_json()
            assert tid not in [t["id"] for t in listed["items"]], query
        with unchanged(api.app):
            assert api.post(f"/tickets/{tid}/sign", {}, user=water).status_code == 404
        for path in ("/metrics?from=2026-11-26&to=2026-11-26", "/metrics/tickets", "/metrics/export?format=csv",
                     "/metrics/report", "/hotspots", f"/tickets/{tid}/duplicates", "/followups/queue"):
            assert api.get(path, user=water).status_code == 403, path
        housing = api.get(f"/tickets?q={WORD}", user="dept_housing").get_json()
        assert [t["id"] for t in housing["items"]] == [tid]  # the co-assigned unit still sees it
        pages = page_client(app, water)
        listing = pages.get(f"/tickets?q={WORD}").get_data(as_text=True)
        detail = pages.get(f"/tickets/{tid}")
    assert number not in listing and REPORT[:12] not in listing and f"/tickets/{tid}" not in listing
    assert detail.status_code == 404 and WORD not in detail.get_data(as_text=True)


def test_suggestions_to_the_reported_department_leave_the_report_out(app, api):
    from hotline.db import session
    from hotline.departments.models import User
    from hotline.privacy import suggestions

    with time_machine.travel(T0, tick=False):
        tid = report(api)["id"]
    with app.app_context():
        db = session()
        ticket = db.get(Ticket, tid)
        ticket.department_id = db.scalar(select(User.department_id).where(User.username == "dept_water"))
        db.flush()
        water = db.scalar(select(User).where(User.username == "dept_water"))
        raw = [{"id": tid, "number": ticket.number, "score": 0.9, "reason": "内容相似度 90%",
                suggestions.ANONYMOUS: {"score": 0.9, "reason": "内容相似度 90%"}}]
        assert suggestions.duplicates_for(db, user=water, items=raw) == []
        clusters = [{"tickets": [{"id": tid}], "sample": REPORT, "sample_id": tid}]
        assert suggestions.hotspots_for(db, user=water, clusters=clusters) == []
        db.rollback()


def test_the_console_form_takes_the_reported_department(app):
    app.config["WTF_CSRF_ENABLED"] = False
    client = page_client(app, "operator")
    assert 'name="reported_department"' in client.get("/console").get_data(as_text=True)
    response = client.post("/console", data={"content": REPORT, "reported_department": "water",
                                             "channel": "phone", "kind": "report", "urgency": "normal"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    refused = client.post("/console", data={"content": REPORT, "reported_department": "water",
                                            "department": "water", "channel": "phone"})
    assert "被举报单位" in page and "市水务局" in page
    from hotline.db import session

    with app.app_context():
        made = session().scalars(select(Ticket).where(Ticket.content == REPORT)).all()
    assert len(made) == 1 and made[0].confidential and made[0].reported_department_id is not None
    assert refused.status_code == 422 and "不能派给被举报单位" in refused.get_data(as_text=True)


def test_the_dispatch_forms_do_not_offer_the_reported_department(app, api):
    import re

    app.config["WTF_CSRF_ENABLED"] = False
    tid = report(api)["id"]
    page = page_client(app, "dispatcher").get(f"/tickets/{tid}").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="move move-dispatch.*?</form>', page, re.S)
    assert form is not None
    assert 'value="ecology"' in form.group(0) and 'value="water"' not in form.group(0)
    assert "被举报单位" in page and "市水务局" in page
