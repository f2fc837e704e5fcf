"""The live auto-dispatch monitor: outcomes of auto-dispatched tickets move the threshold or pause it."""

from __future__ import annotations

import collections

import pytest
import time_machine

import classifier
from tests.support.factories import T0
from tests.support.model import CORPUS, LABELS

OTHER = {"water": "ecology", "ecology": "water", "education": "hrss", "hrss": "education"}


@pytest.fixture
def monitored(app, promote):  # type: ignore[no-untyped-def]
    """A small model dispatching everything it sees, watched with a low target so a few outcomes suffice."""
    promote(threshold=0.0)
    app.config.update({"DISPATCH_MONITOR_TARGET": 0.8, "DISPATCH_MONITOR_Z": 1.0,
                       "DISPATCH_MONITOR_MIN_OUTCOMES": 10, "DISPATCH_MONITOR_WINDOW": 100,
                       # the templated demo texts look alike; duplicate holds would stop auto-dispatch
                       "SUPERVISION": {**app.config["SUPERVISION"], "duplicate_min_score": 1.1}})
    return app


def _unseen(n: int) -> list[str]:
    """Demo messages the small model was not trained on (it saw the first 60 of each label)."""
    by_label = collections.defaultdict(list)
    for text, label in classifier.read_rows(CORPUS):
        by_label[label].append(text)
    texts = [t for i in range(60, 110) for label in LABELS for t in by_label[label][i:i + 1]]
    return texts[:n]


def _create(api, text: str, i: int) -> dict:
    return api.create(content=text, caller_phone=f"139{i:08d}", address=f"测试路{i}号")


def _accept(api, ticket: dict) -> None:
    staff = f"dept_{ticket['department']}"
    api.act(ticket["id"], "sign", staff)
    api.act(ticket["id"], "reply", staff, {"result": "solved", "content": "已到现场处理完毕。"})


def _send_back(api, ticket: dict) -> None:
    wrong = ticket["department"]
    api.act(ticket["id"], "return", f"dept_{wrong}", {"reason": "不属本单位职责", "suggested_department": OTHER[wrong]})
    api.act(ticket["id"], "approve-return", "dispatcher")
    api.act(ticket["id"], "dispatch", "dispatcher", {"department": OTHER[wrong]})


def _monitor(api) -> dict:
    response = api.get("/dispatch/monitor", user="supervisor")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_returns_until_the_bound_crosses_the_target_raise_the_threshold(monitored, api):
    with time_machine.travel(T0, tick=False):
        tickets = [_create(api, text, i) for i, text in enumerate(_unseen(16))]
        assert all(t["auto_dispatched"] for t in tickets)
        tickets.sort(key=lambda t: -t["auto_dispatch"]["confidence"])
        sure, unsure = tickets[:12], tickets[12:]
        for ticket in sure:  # the departments accept the confident ones
            _accept(api, ticket)
        before = _monitor(api)["models"][0]
        assert before["status"] == "ok" and before["outcomes"] == 12 and before["lower_bound"] >= 0.8
        crossed = None
        for n, ticket in enumerate(reversed(unsure), 1):  # least confident first: returned and re-dispatched
            _send_back(api, ticket)
            figures = _monitor(api)
            if figures["events"]:
                crossed = n
                break
            assert figures["models"][0]["lower_bound"] >= 0.8  # no action while the bound holds
        assert crossed is not None
        event = figures["events"][0]
        model = figures["models"][0]
        assert event["action"] == "raise_threshold" and event["lower_bound"] < 0.8 and event["wrong"] == crossed
        returned = list(reversed(unsure))[:crossed]
        assert event["threshold_before"] == 0.0
        # raised above the least confident mistake, as far as the outcomes above it still reach the target
        assert event["threshold_after"] > returned[0]["auto_dispatch"]["confidence"]
        assert model["status"] == "raised" and model["threshold"] == event["threshold_after"]
        assert model["lower_bound"] >= 0.8  # judged again above the new threshold
        # the same text as a returned one (same confidence) now waits for the operator; a sure one still goes
        low = _create(api, returned[0]["content"], 99)
        high = _create(api, sure[0]["content"], 98)
        inbox = api.get("/notifications", user="supervisor").get_json()["items"]
    assert low["status"] == "received" and not low["auto_dispatched"]
    assert high["auto_dispatched"] and high["auto_dispatch"]["threshold"] == event["threshold_after"]
    assert any(item["kind"] == "dispatch_monitor" and "提高" in item["body"] for item in inbox)


def test_wrong_at_every_confidence_pauses_auto_dispatch(monitored, api):
    with time_machine.travel(T0, tick=False):
        tickets = [_create(api, text, i) for i, text in enumerate(_unseen(10))]
        for ticket in tickets:
            _send_back(api, ticket)
        figures = _monitor(api)
        again = _create(api, tickets[0]["content"], 50)
    assert figures["events"][0]["action"] == "pause" and figures["models"][0]["paused"] is True
    assert figures["models"][0]["status"] == "paused" and figures["models"][0]["threshold"] is None
    assert again["status"] == "received" and not again["auto_dispatched"] and again["suggestions"]


def test_monitor_is_for_the_centre_only(monitored, api):
    assert api.get("/dispatch/monitor", user="dispatcher").status_code == 200
    assert api.get("/dispatch/monitor", user="operator").status_code == 403
    assert api.get("/dispatch/monitor", user="dept_water").status_code == 403
