"""What each move does to a ticket besides its state: fields, deadlines and the event payload.

Each effect takes (session, ticket, data, rules) and returns the event payload; a payload key
"_to" names the target state for moves whose target depends on the data (follow-up).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import transaction_note
from hotline.deadlines import policy
from hotline.departments.lookup import active_department
from hotline.departments.models import Department
from hotline.errors import Conflict, ValidationError
from hotline.tickets import approvals
from hotline.tickets.approvals import iso_or_none, reply_limit
from hotline.tickets.enums import OPEN_STATUSES, Action, CloseReason, Satisfaction, Status
from hotline.tickets.models import Ticket

if TYPE_CHECKING:
    from hotline.tickets.transitions import Rules

Effect = Callable[[Session, Ticket, dict[str, Any], "Rules"], dict[str, Any]]


def _department(session: Session, code: str) -> Department:
    dept = active_department(session, code=code)
    if dept is None:
        raise ValidationError(f"department: 未知承办单位 {code!r}", details=[{"field": "department"}])
    return dept


# session.info: tickets received in the open transaction, none merged into
FRESH = transaction_note("tickets_received_here")


def received_here(session: Session, ticket: Ticket) -> None:
    """Note a ticket received in the open transaction: nothing can have been merged into it yet."""
    session.info.setdefault(FRESH, set()).add(ticket.id)


def not_to_reported(session: Session, ticket: Ticket, departments: list[Department]) -> None:
    """409 when a report (举报) on this ticket, or on a ticket merged into it, is about one of `departments`.
    A ticket received in this transaction (and merged into by none since) needs no look-up."""
    fresh = ticket.id in session.info.get(FRESH, ())
    reported = set() if fresh else set(session.scalars(select(Ticket.reported_department_id).where(
        Ticket.merged_into_id == ticket.id, Ticket.reported_department_id.is_not(None))))
    if ticket.reported_department_id is not None:
        reported.add(ticket.reported_department_id)
    for department in departments:
        if department.id in reported:
            raise Conflict(f"该工单是对「{department.name}」的举报，不能派给被举报单位承办或协办，请选择其他单位",
                           code="reported_department")


def _set_dispatch_deadlines(ticket: Ticket, rules: Rules) -> None:
    deadlines = policy.deadlines_on_dispatch(urgency=ticket.urgency, dispatched_at=rules.now,
                                             calendar=rules.calendar, limits=rules.limits)
    ticket.sign_due_at = deadlines.sign_due_at
    ticket.reply_due_at = deadlines.reply_due_at
    ticket.return_until = deadlines.return_until
    ticket.deadline_fallback = deadlines.on_fallback


def dispatch(session: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """派单: lead and assisting departments; the clocks start now."""
    lead = _department(session, data["department"])
    assisting = [_department(session, code) for code in data.get("assisting") or [] if code != lead.code]
    not_to_reported(session, ticket, [lead, *assisting])
    previous = ticket.department.code if ticket.department else None
    ticket.department = lead
    ticket.department_id = lead.id
    ticket.assisting = assisting
    ticket.dispatched_at = rules.now
    ticket.signed_at = None
    ticket.dispatch_count += 1
    if data.get("urgency"):
        ticket.urgency = data["urgency"]
    _set_dispatch_deadlines(ticket, rules)
    return {"department": lead.code, "assisting": [d.code for d in assisting], "previous": previous,
            "auto": bool(data.get("auto")), "decision": data.get("decision"),
            "redispatch": ticket.dispatch_count > 1}


def sign(_s: Session, ticket: Ticket, _d: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """签收."""
    ticket.signed_at = rules.now
    on_time = ticket.sign_due_at is None or rules.now <= ticket.sign_due_at
    return {"on_time": on_time}


def return_(_s: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """退单: only within the return window, with reason, basis and a suggested unit."""
    if ticket.return_until is not None and rules.now > ticket.return_until:
        raise Conflict("已超过退单时限，不能退单", code="return_window_passed")
    ticket.return_count += 1
    return {"department": ticket.department.code if ticket.department else None, "reason": data["reason"],
            "basis": data.get("basis"), "suggested_department": data.get("suggested_department")}


def approve_return(_s: Session, ticket: Ticket, _d: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """同意退单: the ticket goes back to the dispatch queue; the returning unit is recorded."""
    returned_by = ticket.department.code if ticket.department else None
    ticket.department = None
    ticket.department_id = None
    ticket.assisting = []
    ticket.sign_due_at = ticket.reply_due_at = ticket.return_until = None
    return {"returned_by": returned_by, "correction": True}


def reject_return(_s: Session, ticket: Ticket, _d: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """驳回退单: back to the same department; the clock kept running."""
    return {"department": ticket.department.code if ticket.department else None}


def contact(_s: Session, ticket: Ticket, _d: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """联系诉求人: the first contact counts for the response rate."""
    first = ticket.first_contact_at is None
    if first:
        ticket.first_contact_at = rules.now
    return {"first": first}


def reply(_s: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """答复: the department's result."""
    ticket.replied_at = rules.now
    ticket.reply_result = data["result"]
    ticket.reply_content = data["content"]
    if ticket.first_contact_at is None:
        ticket.first_contact_at = rules.now
    on_time = ticket.reply_due_at is None or rules.now <= ticket.reply_due_at
    return {"result": data["result"], "content": data["content"], "on_time": on_time}


def accept_reply(_s: Session, ticket: Ticket, _d: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """审核通过: the follow-up is due by the end of the next working day after the reply."""
    ticket.accepted_at = rules.now
    ticket.follow_up_attempts = 0
    ticket.follow_up_due_at = policy.follow_up_due(replied_at=ticket.replied_at or rules.now,
                                                   calendar=rules.calendar)
    return {"follow_up_due_at": iso_or_none(ticket.follow_up_due_at)}


def send_back(_s: Session, ticket: Ticket, _d: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """审核退回: the department must reply again."""
    ticket.replied_at = None
    return {}


def follow_up(_s: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """回访: closes, reopens (dissatisfied, the unit's fault) or counts an unanswered call."""
    ticket.follow_up_attempts += 1
    if not data.get("reached", True):
        if ticket.follow_up_attempts >= rules.max_follow_up_attempts:
            _close(ticket, rules, CloseReason.UNREACHABLE)
            return {"reached": False, "attempt": ticket.follow_up_attempts, "_to": Status.CLOSED}
        return {"reached": False, "attempt": ticket.follow_up_attempts}
    ticket.contacted = data["contacted"]
    ticket.solved = data["solved"]
    ticket.satisfaction = data["satisfaction"]
    payload = {"reached": True, "contacted": data["contacted"], "solved": data["solved"],
               "satisfaction": data["satisfaction"], "attempt": ticket.follow_up_attempts}
    if data["satisfaction"] == Satisfaction.DISSATISFIED and data.get("unit_fault", True):
        ticket.reopen_count += 1
        ticket.replied_at = None
        ticket.follow_up_due_at = None
        ticket.reply_due_at = policy.due_at(limit=reply_limit(rules, ticket), start=rules.now,
                                            calendar=rules.calendar)
        return {**payload, "reopened": True, "reply_due_at": iso_or_none(ticket.reply_due_at),
                "_to": Status.IN_PROGRESS}
    _close(ticket, rules, CloseReason.FOLLOWED_UP)
    return {**payload, "_to": Status.CLOSED}


def skip_follow_up(_s: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """未抽中: the sampling rule left this ticket out of the follow-up calls; closed without one."""
    _close(ticket, rules, CloseReason.NOT_SAMPLED)
    return {"sample_rate": data.get("sample_rate")}


def rate_reply(_s: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """网上评价: the citizen's rating of the accepted reply; 不满意 asks for a follow-up call, which
    takes a closed ticket back to awaiting_follow_up (due by the end of the next working day)."""
    if ticket.reply_content is None or ticket.close_reason in (CloseReason.INVALID, CloseReason.RESOLVED_ON_CALL):
        raise Conflict("该工单没有可评价的答复", code="nothing_to_rate")
    payload = {"rating": data["rating"], "comment": data.get("comment"), "cycle": ticket.reopen_count,
               "channel": data.get("channel"), "online": True}
    if data["rating"] != Satisfaction.DISSATISFIED:
        return payload
    payload["call_requested"] = True
    if ticket.status == Status.CLOSED:
        payload["was_closed"] = ticket.close_reason
        ticket.closed_at = ticket.close_reason = None
        ticket.follow_up_attempts = 0
        ticket.follow_up_due_at = policy.follow_up_due(replied_at=rules.now, calendar=rules.calendar)
        payload["follow_up_due_at"] = iso_or_none(ticket.follow_up_due_at)
        payload["_to"] = Status.AWAITING_FOLLOW_UP
    return payload


def _close(ticket: Ticket, rules: Rules, reason: CloseReason) -> None:
    ticket.closed_at = rules.now
    ticket.close_reason = reason.value


def count(field: str) -> Effect:
    """Urge (催办) and supervise (督办) do not move the ticket; they are counted."""

    def effect(_s: Session, ticket: Ticket, data: dict[str, Any], _r: Rules) -> dict[str, Any]:
        setattr(ticket, field, getattr(ticket, field) + 1)
        return {"count": getattr(ticket, field), "system": bool(data.get("system"))}

    return effect


def merge(session: Session, ticket: Ticket, data: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """并单: a duplicate joins an open primary ticket and shares its result."""
    primary = session.get(Ticket, data["into"])
    if primary is None or primary.id == ticket.id:
        raise ValidationError("并入的工单不存在", details={"field": "into"})
    if primary.status not in OPEN_STATUSES or primary.merged_into_id is not None:
        raise Conflict("只能并入未办结的主工单", code="merge_target_closed")
    if ticket.reported_department_id is not None and ticket.reported_department_id in (
            primary.department_id, *(d.id for d in primary.assisting)):
        raise Conflict("举报件不能并入由被举报单位承办或协办的工单", code="reported_department")
    ticket.merged_into_id = primary.id
    session.info.get(FRESH, set()).discard(primary.id)  # merged into: its reports must be looked up again
    return {"into": primary.id, "into_number": primary.number}


def resolve_on_call(_s: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """直办: answered from the knowledge base while the caller is on the line."""
    ticket.kb_article_id = data["article_id"]
    ticket.first_contact_at = rules.now
    _close(ticket, rules, CloseReason.RESOLVED_ON_CALL)
    return {"article_id": data["article_id"], "article_title": data.get("article_title")}


def transfer_emergency(_s: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """转110/119/120: recorded and handed over."""
    ticket.closed_at = rules.now
    return {"service": data["service"]}


def mark_invalid(_s: Session, ticket: Ticket, _d: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """无效诉求: closed and left out of every rate."""
    ticket.invalid = True
    _close(ticket, rules, CloseReason.INVALID)
    return {}


EFFECTS: dict[Action, Effect] = {
    Action.DISPATCH: dispatch, Action.SIGN: sign, Action.RETURN: return_,
    Action.APPROVE_RETURN: approve_return, Action.REJECT_RETURN: reject_return, Action.CONTACT: contact,
    Action.REQUEST_EXTENSION: approvals.request_extension, Action.APPROVE_EXTENSION: approvals.approve_extension,
    Action.DENY_EXTENSION: approvals.deny_extension, Action.REQUEST_SUSPENSION: approvals.request_suspension,
    Action.DENY_SUSPENSION: approvals.deny_suspension,
    Action.SUSPEND: approvals.suspend, Action.RESUME: approvals.resume, Action.REPLY: reply, Action.ACCEPT_REPLY: accept_reply,
    Action.SEND_BACK: send_back, Action.FOLLOW_UP: follow_up, Action.URGE: count("urge_count"),
    Action.SUPERVISE: count("supervise_count"), Action.MERGE: merge,
    Action.RESOLVE_ON_CALL: resolve_on_call, Action.TRANSFER_EMERGENCY: transfer_emergency,
    Action.MARK_INVALID: mark_invalid, Action.SKIP_FOLLOW_UP: skip_follow_up,
    Action.REQUEST_EXCLUSION: approvals.request_exclusion, Action.APPROVE_EXCLUSION: approvals.approve_exclusion,
    Action.DENY_EXCLUSION: approvals.deny_exclusion, Action.RATE_REPLY: rate_reply,
}
