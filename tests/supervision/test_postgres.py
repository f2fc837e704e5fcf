"""The same known history on PostgreSQL: the rates, snapshots, duplicates and hotspots queries run there too."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from tests.supervision.history import at, build


@pytest.mark.postgres
def test_known_history_on_postgres(pg_app):
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.supervision.snapshots import take_snapshot
    from tests.support.api import ApiClient

    api = ApiClient(pg_app)
    k = build(api, pg_app)
    period = "from=2026-11-26&to=2026-12-05"
    with time_machine.travel(at("12-06 10:00"), tick=False):
        with pg_app.app_context():
            db = session()
            for day in range(26, 31):
                take_snapshot(db, day=date(2026, 11, day), now=utcnow())
            db.commit()
        live = api.get(f"/metrics?{period}", user="supervisor").get_json()
        stored = api.get("/metrics?from=2026-11-26&to=2026-11-30&source=snapshot", user="supervisor").get_json()
        first_days = api.get("/metrics?from=2026-11-26&to=2026-11-30", user="supervisor").get_json()
        drill = api.get(f"/metrics/tickets?metric=overdue&group=ecology&{period}", user="supervisor").get_json()
        hotspots = api.get("/hotspots?days=30&min_size=2", user="supervisor")
        group = api.get(f"/tickets/{k.g}/duplicates", user="supervisor").get_json()
    eco = {r["group"]: r for r in live["rows"]}["ecology"]
    assert (eco["dispatched"], eco["signed_on_time"], eco["due"], eco["overdue"], eco["valid_follow_ups"]) == (4, 3, 4, 3, 4)
    assert eco["score"] == pytest.approx(0.43875, abs=1e-4)
    assert stored["total"] == first_days["total"]
    assert sorted(i["ticket_id"] for i in drill["items"]) == sorted([k.b, k.c, k.f])
    assert hotspots.status_code == 200
    assert group["primary"]["id"] == k.a and group["citizens"] == 2
