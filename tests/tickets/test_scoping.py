"""Role and department scoping on every ticket route."""

from __future__ import annotations

import time_machine

from tests.support.factories import T0
from tests.support.footprint import footprint, plan_reminders


def test_department_sees_only_its_tickets_on_every_route(app, api):
    with time_machine.travel(T0, tick=False):
        mine = api.create()["id"]
        theirs = api.create(content="自来水发黄有异味")["id"]
        api.act(mine, "dispatch", "dispatcher", {"department": "ecology", "assisting": ["urban"]})
        api.act(theirs, "dispatch", "dispatcher", {"department": "water"})
        plan_reminders(app)
        before = footprint(app, mine), footprint(app, theirs)
        listed = {t["id"] for t in api.get("/tickets", user="dept_ecology").get_json()["items"]}
        assert listed == {mine}
        assert api.get(f"/tickets/{theirs}", user="dept_ecology").status_code == 404
        assert api.post(f"/tickets/{theirs}/sign", {}, user="dept_ecology").status_code == 404
        assert api.post(f"/tickets/{theirs}/return", {"reason": "x"}, user="dept_ecology").status_code == 404
        # An assisting department sees the ticket but may not act as the lead.
        assert api.get(f"/tickets/{mine}", user="dept_urban").status_code == 200
        assert api.post(f"/tickets/{mine}/sign", {}, user="dept_urban").status_code == 403
        assert {t["id"] for t in api.get("/tickets", user="dept_urban").get_json()["items"]} == {mine}
        assert api.get("/followups/queue", user="dept_ecology").status_code == 403
        assert api.get("/followups/queue", user="followup").status_code == 200
        plan_reminders(app)
    assert (footprint(app, mine), footprint(app, theirs)) == before


def test_centre_roles_see_everything(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        for user in ("operator", "dispatcher", "followup", "supervisor", "admin"):
            assert api.get(f"/tickets/{tid}", user=user).status_code == 200, user


def test_departments_list_for_every_role(api):
    for user in ("operator", "dept_water", "followup", "supervisor"):
        items = api.get("/departments", user=user).get_json()["items"]
        assert {"code": "water", "name": "市水务局"}.items() <= next(i for i in items if i["code"] == "water").items()
        assert len(items) >= 12
