"""On PostgreSQL: concurrent moves on one ticket — one wins, the other gets 409, nothing half-written."""

from __future__ import annotations

import threading

import pytest
import time_machine

from tests.support.factories import T0


@pytest.mark.postgres
def test_concurrent_sign_and_return_one_wins(pg_app):
    from tests.support.api import ApiClient

    api = ApiClient(pg_app)
    with time_machine.travel(T0, tick=True):
        ticket = api.create()
        api.act(ticket["id"], "dispatch", "dispatcher", {"department": "ecology"})
        version = api.get(f"/tickets/{ticket['id']}").get_json()["version"]
        api.token("dept_ecology")
        results: list[int] = []
        barrier = threading.Barrier(2)

        def attempt(action: str, body: dict) -> None:
            client = ApiClient(pg_app)
            client.tokens = api.tokens
            barrier.wait()
            response = client.post(f"/tickets/{ticket['id']}/{action}", {**body, "version": version},
                                   user="dept_ecology")
            results.append(response.status_code)

        threads = [threading.Thread(target=attempt, args=("sign", {})),
                   threading.Thread(target=attempt, args=("return", {"reason": "不属本单位"}))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        detail = api.get(f"/tickets/{ticket['id']}").get_json()
    assert sorted(results) == [200, 409]
    assert len(detail["events"]) == 3  # receive, dispatch and exactly one of the two moves
    assert detail["status"] in ("in_progress", "returned")
