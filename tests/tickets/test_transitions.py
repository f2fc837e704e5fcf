"""Table-driven: every allowed move of DESIGN section 2, and a sample of forbidden ones."""

from __future__ import annotations

import pytest
import time_machine

from hotline.tickets.enums import Action
from hotline.tickets.transitions import MOVES
from tests.support.factories import T0
from tests.support.footprint import footprint, plan_reminders

REPLY = {"result": "solved", "content": "已处理完毕。"}
SATISFIED = {"contacted": True, "solved": "solved", "satisfaction": "satisfied"}

# (state to reach first, action, user, body, expected status)
ALLOWED = [
    ("received", "dispatch", "operator", {"department": "ecology"}, "dispatched"),
    ("received", "dispatch", "dispatcher", {"department": "ecology", "assisting": ["urban"]}, "dispatched"),
    ("dispatched", "sign", "dept_ecology", {}, "in_progress"),
    ("dispatched", "return", "dept_ecology", {"reason": "不属本单位职责"}, "returned"),
    ("returned", "approve-return", "dispatcher", {}, "pending_dispatch"),
    ("returned", "reject-return", "dispatcher", {}, "dispatched"),
    ("pending_dispatch", "dispatch", "dispatcher", {"department": "urban"}, "dispatched"),
    ("pending_dispatch", "mark-invalid", "dispatcher", {"note": "已告知法定途径"}, "closed"),
    ("in_progress", "contact", "dept_ecology", {}, "in_progress"),
    ("in_progress", "request-extension", "dept_ecology", {"days": 3, "reason": "需协调多部门"}, "in_progress"),
    ("extension_pending", "approve-extension", "supervisor", {}, "in_progress"),
    ("extension_pending", "deny-extension", "supervisor", {}, "in_progress"),
    ("in_progress", "request-suspension", "dept_ecology", {"reason": "等待司法鉴定"}, "in_progress"),
    ("suspension_pending", "deny-suspension", "supervisor", {}, "in_progress"),
    ("in_progress", "suspend", "supervisor", {"note": "司法鉴定期间"}, "suspended"),
    ("suspended", "resume", "supervisor", {}, "in_progress"),
    ("suspended", "resume", "dept_ecology", {}, "in_progress"),
    ("in_progress", "reply", "dept_ecology", REPLY, "replied"),
    ("replied", "accept-reply", "dispatcher", {}, "awaiting_follow_up"),
    ("replied", "send-back", "dispatcher", {"note": "答复未说明处理结果"}, "in_progress"),
    ("awaiting_follow_up", "follow-up", "followup", SATISFIED, "closed"),
    ("awaiting_follow_up", "follow-up", "followup",
     {"contacted": True, "solved": "partly", "satisfaction": "basically"}, "closed"),
    ("awaiting_follow_up", "follow-up", "followup",
     {"contacted": True, "solved": "unsolved", "satisfaction": "dissatisfied"}, "in_progress"),
    ("awaiting_follow_up", "follow-up", "followup",
     {"contacted": True, "solved": "unsolved", "satisfaction": "dissatisfied", "unit_fault": False}, "closed"),
    ("awaiting_follow_up", "follow-up", "followup", {"reached": False}, "awaiting_follow_up"),
    ("dispatched", "urge", "supervisor", {}, "dispatched"),
    ("in_progress", "urge", "dispatcher", {}, "in_progress"),
    ("in_progress", "supervise", "supervisor", {}, "in_progress"),
    ("awaiting_follow_up", "supervise", "supervisor", {}, "awaiting_follow_up"),
    ("received", "merge", "operator", "PRIMARY", "merged"),
    ("received", "resolve-on-call", "operator", {"article_id": 1}, "closed"),
    ("received", "transfer-emergency", "operator", {"service": "119"}, "transferred"),
    ("received", "transfer-emergency", "operator", {"service": 120}, "transferred"),
    ("received", "mark-invalid", "operator", {"note": "属司法诉讼程序，已告知"}, "closed"),
    ("in_progress", "request-exclusion", "dept_ecology", {"reason": "诉求超出政策范围"}, "in_progress"),
    ("exclusion_pending", "approve-exclusion", "supervisor", {}, "closed"),
    ("exclusion_pending", "deny-exclusion", "supervisor", {}, "closed"),
]

# (state, action, user, body, expected HTTP status)
FORBIDDEN = [
    ("received", "sign", "dept_ecology", {}, 404),  # not dispatched to them: invisible
    ("dispatched", "sign", "operator", {}, 403),
    ("dispatched", "sign", "dept_water", {}, 404),
    ("dispatched", "reply", "dept_ecology", REPLY, 409),
    ("in_progress", "sign", "dept_ecology", {}, 409),
    ("in_progress", "return", "dept_ecology", {"reason": "x"}, 409),
    ("returned", "approve-return", "operator", {}, 403),
    ("in_progress", "approve-extension", "supervisor", {}, 409),  # nothing pending
    ("in_progress", "suspend", "dept_ecology", {"note": "x"}, 403),
    ("replied", "accept-reply", "supervisor", {}, 403),
    ("replied", "follow-up", "followup", SATISFIED, 409),
    ("awaiting_follow_up", "follow-up", "operator", SATISFIED, 403),
    ("closed", "dispatch", "dispatcher", {"department": "ecology"}, 409),
    ("closed", "urge", "supervisor", {}, 409),
    ("dispatched", "resolve-on-call", "operator", {"article_id": 1}, 409),
    ("dispatched", "dispatch", "dispatcher", {"department": "water"}, 409),
    ("in_progress", "supervise", "dispatcher", {}, 403),
    ("received", "transfer-emergency", "dispatcher", {"service": "110"}, 403),
    ("closed", "approve-exclusion", "supervisor", {}, 409),  # nothing requested
    ("exclusion_pending", "approve-exclusion", "dept_ecology", {}, 403),
    ("suspension_pending", "deny-suspension", "dept_ecology", {}, 403),
    ("in_progress", "deny-suspension", "supervisor", {}, 409),
]


def reach(api, state: str) -> int:
    """A new ticket brought to the named state along the usual path."""
    tid = api.create()["id"]
    path = {
        "received": [], "dispatched": ["d"], "in_progress": ["d", "s"], "returned": ["d", "r"],
        "pending_dispatch": ["d", "r", "ar"], "suspended": ["d", "s", "sus"],
        "extension_pending": ["d", "s", "ext"], "replied": ["d", "s", "rep"],
        "awaiting_follow_up": ["d", "s", "rep", "acc"], "closed": ["d", "s", "rep", "acc", "fu"],
        "exclusion_pending": ["d", "s", "rep", "acc", "fu", "exc"], "suspension_pending": ["d", "s", "rsus"],
    }[state]
    steps = {
        "d": ("dispatch", "dispatcher", {"department": "ecology"}), "s": ("sign", "dept_ecology", {}),
        "r": ("return", "dept_ecology", {"reason": "不属本单位"}), "ar": ("approve-return", "dispatcher", {}),
        "sus": ("suspend", "supervisor", {"note": "鉴定"}),
        "rsus": ("request-suspension", "dept_ecology", {"reason": "等待司法鉴定"}),
        "ext": ("request-extension", "dept_ecology", {"days": 2, "reason": "协调"}),
        "rep": ("reply", "dept_ecology", REPLY), "acc": ("accept-reply", "dispatcher", {}),
        "fu": ("follow-up", "followup", SATISFIED),
        "exc": ("request-exclusion", "dept_ecology", {"reason": "属历史遗留问题，超出职权"}),
    }
    for key in path:
        action, user, body = steps[key]
        api.act(tid, action, user, body)
    return tid


@pytest.mark.parametrize(("state", "action", "user", "body", "expected"), ALLOWED,
                         ids=[f"{a}-from-{s}-by-{u}" for s, a, u, _b, _e in ALLOWED])
def test_allowed_move(api, state, action, user, body, expected):
    with time_machine.travel(T0, tick=False):
        tid = reach(api, state)
        if body == "PRIMARY":
            body = {"into": reach(api, "dispatched")}
        result = api.act(tid, action, user, body)
    assert result["status"] == expected
    last = result["events"][-1]
    assert last["action"] == action.replace("-", "_")
    assert last["to"] == expected


@pytest.mark.parametrize(("state", "action", "user", "body", "status"), FORBIDDEN,
                         ids=[f"{a}-from-{s}-by-{u}" for s, a, u, _b, _e in FORBIDDEN])
def test_forbidden_move_writes_nothing(app, api, state, action, user, body, status):
    with time_machine.travel(T0, tick=False):
        tid = reach(api, state)
        plan_reminders(app)
        before = footprint(app, tid)
        response = api.post(f"/tickets/{tid}/{action}", body, user=user)
        plan_reminders(app)  # a deadline the refused move had moved would get new reminder rows here
        after = footprint(app, tid)
    assert response.status_code == status
    assert set(response.get_json()["error"]) >= {"code", "message"}
    assert after == before
    if state in {"dispatched", "in_progress", "extension_pending", "awaiting_follow_up"}:
        assert before["reminders"], "the ticket has reminders that a refused move could have touched"


def test_every_move_is_covered_by_the_allowed_table():
    covered = {a.replace("-", "_") for _s, a, _u, _b, _e in ALLOWED}
    # Role-less moves are made by the system only (tests/followups covers skip_follow_up).
    assert covered == {action.value for action, move in MOVES.items() if move.roles}


def test_three_unanswered_follow_up_calls_close_the_ticket(api):
    with time_machine.travel(T0, tick=False) as clock:
        tid = reach(api, "awaiting_follow_up")
        for attempt in (1, 2):
            clock.shift(4 * 3600)
            body = api.act(tid, "follow-up", "followup", {"reached": False})
            assert body["status"] == "awaiting_follow_up" and body["follow_up"]["attempts"] == attempt
        clock.shift(4 * 3600)
        body = api.act(tid, "follow-up", "followup", {"reached": False})
    assert body["status"] == "closed" and body["close_reason"] == "unreachable"


def test_return_after_the_window_is_refused(app, api):
    with time_machine.travel(T0, tick=False) as clock:
        tid = reach(api, "dispatched")
        clock.shift(6 * 86400)  # well past 2 working days
        plan_reminders(app)
        before = footprint(app, tid)
        response = api.post(f"/tickets/{tid}/return", {"reason": "不属本单位"}, user="dept_ecology")
        plan_reminders(app)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "return_window_passed"
    assert footprint(app, tid) == before


def test_merge_into_closed_ticket_is_refused(app, api):
    with time_machine.travel(T0, tick=False):
        closed = reach(api, "closed")
        tid = reach(api, "received")
        before = footprint(app, tid), footprint(app, closed)
        response = api.post(f"/tickets/{tid}/merge", {"into": closed}, user="operator")
    assert response.status_code == 409
    assert (footprint(app, tid), footprint(app, closed)) == before


def test_unknown_action_is_404(api):
    with time_machine.travel(T0, tick=False):
        tid = reach(api, "received")
        response = api.post(f"/tickets/{tid}/explode", {}, user="operator")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_transition_module_knows_every_action_label():
    from hotline.tickets.enums import LABELS

    assert all(action.value in LABELS for action in Action)
