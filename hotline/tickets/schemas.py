"""The JSON bodies the ticket API accepts (DESIGN section 10)."""

from __future__ import annotations

from typing import Any

from hotline.errors import ValidationError
from hotline.tickets.enums import Action, Channel, Kind, ReplyResult, Satisfaction, Solved, Urgency
from hotline.validation import Field, choices

PHONE = r"[0-9+\-() ]{3,30}"
TEXT = 2000

CREATE = {
    "content": Field(str, required=True, max_len=5000),
    "caller_name": Field(str, max_len=60),
    "caller_phone": Field(str, max_len=30, pattern=PHONE),
    "confidential": Field(bool),
    "channel": Field(str, choices=choices(Channel)),
    "kind": Field(str, choices=choices(Kind)),
    "urgency": Field(str, choices=choices(Urgency)),
    "district": Field(str, max_len=40),
    "address": Field(str, max_len=200),
    "department": Field(str, max_len=40),
    "assisting": Field(list),
    "reported_department": Field(str, max_len=40),  # 举报: the department the report is about
}

# Every move also takes the version the client saw and a note.
COMMON_FIELDS = {"version": Field(int, min_value=1), "note": Field(str, max_len=2000)}

ACTIONS: dict[Action, dict[str, Field]] = {
    Action.DISPATCH: {"department": Field(str, required=True, max_len=40), "assisting": Field(list),
                      "urgency": Field(str, choices=choices(Urgency))},
    Action.SIGN: {},
    Action.RETURN: {"reason": Field(str, required=True, max_len=TEXT), "basis": Field(str, max_len=TEXT),
                    "suggested_department": Field(str, max_len=40)},
    Action.APPROVE_RETURN: {},
    Action.REJECT_RETURN: {},
    Action.CONTACT: {},
    Action.REQUEST_EXTENSION: {"days": Field(int, required=True, min_value=1),
                               "reason": Field(str, required=True, max_len=TEXT)},
    Action.APPROVE_EXTENSION: {},
    Action.DENY_EXTENSION: {},
    Action.REQUEST_SUSPENSION: {"reason": Field(str, required=True, max_len=TEXT)},
    Action.DENY_SUSPENSION: {},
    Action.SUSPEND: {},
    Action.RESUME: {},
    Action.REPLY: {"result": Field(str, required=True, choices=choices(ReplyResult)),
                   "content": Field(str, required=True, max_len=5000)},
    Action.ACCEPT_REPLY: {},
    Action.SEND_BACK: {},
    Action.FOLLOW_UP: {"reached": Field(bool), "contacted": Field(bool),
                       "solved": Field(str, choices=choices(Solved)),
                       "satisfaction": Field(str, choices=choices(Satisfaction)), "unit_fault": Field(bool)},
    Action.URGE: {},
    Action.SUPERVISE: {},
    Action.MERGE: {"into": Field(int, required=True, min_value=1)},
    Action.RESOLVE_ON_CALL: {"article_id": Field(int, required=True, min_value=1)},
    Action.TRANSFER_EMERGENCY: {"service": Field(str, required=True, choices=("110", "119", "120"))},
    Action.MARK_INVALID: {},
    Action.REQUEST_EXCLUSION: {"reason": Field(str, required=True, max_len=TEXT)},
    Action.APPROVE_EXCLUSION: {},
    Action.DENY_EXCLUSION: {},
}

ACTION_BY_SLUG = {action.slug: action for action in ACTIONS}

# Moves whose note is the substance of the decision, so it may not be empty.
NOTE_REQUIRED = frozenset({Action.MARK_INVALID, Action.SEND_BACK, Action.SUSPEND})

FOLLOW_UP_REACHED = ("contacted", "solved", "satisfaction")


def split_action_body(action: Action, clean: dict[str, Any]) -> tuple[dict[str, Any], str | None, int | None]:
    """Take note and version out of a validated move body and check the rules that span fields."""
    note, version = clean.pop("note", None), clean.pop("version", None)
    if action in NOTE_REQUIRED and not note:
        raise ValidationError("note: 此操作须填写说明", details=[{"field": "note", "message": "必填"}])
    if action is Action.FOLLOW_UP and clean.get("reached", True):
        missing = [name for name in FOLLOW_UP_REACHED if name not in clean]
        if missing:
            raise ValidationError(f"回访接通时须填写：{', '.join(missing)}",
                                  details=[{"field": m, "message": "必填"} for m in missing])
    return clean, note, version
