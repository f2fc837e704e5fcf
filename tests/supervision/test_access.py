"""Who may read the supervision routes: supervisors, admins and the centre's dispatchers (operators: duplicates)."""

from __future__ import annotations

import pytest
import time_machine

from tests.support.factories import T0

ROUTES = ["/metrics", "/metrics/tickets?metric=dispatched", "/metrics/ranking", "/metrics/report?month=2026-11",
          "/metrics/export?format=csv", "/hotspots"]


@pytest.mark.parametrize("path", ROUTES)
def test_supervision_routes_roles(api, path):
    with time_machine.travel(T0, tick=False):
        for user in ("supervisor", "admin", "dispatcher"):
            assert api.get(path, user=user).status_code == 200, (path, user)
        for user in ("operator", "followup", "dept_ecology"):
            assert api.get(path, user=user).status_code == 403, (path, user)
        assert api.get(path, user=None).status_code == 401


def test_duplicates_route_roles(api):
    with time_machine.travel(T0, tick=False):
        tid = api.create()["id"]
        api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
        for user in ("operator", "dispatcher", "supervisor", "admin"):
            assert api.get(f"/tickets/{tid}/duplicates", user=user).status_code == 200, user
        assert api.get(f"/tickets/{tid}/duplicates", user="dept_ecology").status_code == 403
        assert api.get("/tickets/999999/duplicates", user="supervisor").status_code == 404
