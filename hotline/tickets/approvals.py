"""Requests a supervisor decides: extension (延期), suspension (挂起), exclusion from the rates (不纳入考核).

Effects in the same shape as hotline.tickets.effects: (session, ticket, data, rules) → event payload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from hotline.deadlines import policy
from hotline.errors import Conflict, ValidationError
from hotline.tickets.models import Ticket

if TYPE_CHECKING:
    from hotline.tickets.transitions import Rules


def iso_or_none(value: Any) -> str | None:
    """A datetime in an event payload (UTC ISO 8601), None kept."""
    return value.isoformat() if value is not None else None


def reply_limit(rules: Rules, ticket: Ticket) -> policy.Limit:
    """The reply time limit of the ticket's urgency."""
    return rules.limits.for_urgency(ticket.urgency).reply


def request_extension(_s: Session, ticket: Ticket, data: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """申请延期: before the reply deadline, at most the configured working days."""
    days = data["days"]
    if ticket.pending_extension_days:
        raise Conflict("已有待审批的延期申请", code="extension_pending")
    if ticket.reply_due_at is not None and rules.now >= ticket.reply_due_at:
        raise Conflict("已超过答复期限，不能申请延期", code="extension_too_late")
    if not 1 <= days <= rules.limits.max_extension_days - ticket.extension_days:
        raise ValidationError(f"延期天数须在 1 到 {rules.limits.max_extension_days - ticket.extension_days} "
                              "个工作日之间", details={"field": "days"})
    ticket.pending_extension_days = days
    ticket.pending_extension_reason = data["reason"]
    return {"days": days, "reason": data["reason"]}


def approve_extension(_s: Session, ticket: Ticket, _d: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """批准延期: the reply deadline moves by the working days asked for."""
    days = _pending_extension(ticket)
    old = ticket.reply_due_at
    if old is not None:
        ticket.reply_due_at = policy.extend(due=old, days=days, calendar=rules.calendar,
                                            max_days=rules.limits.max_extension_days)
    ticket.extension_days += days
    ticket.pending_extension_days = None
    ticket.pending_extension_reason = None
    return {"days": days, "old_due": iso_or_none(old), "new_due": iso_or_none(ticket.reply_due_at)}


def deny_extension(_s: Session, ticket: Ticket, _d: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """驳回延期: the deadline stays."""
    days = _pending_extension(ticket)
    ticket.pending_extension_days = None
    ticket.pending_extension_reason = None
    return {"days": days}


def _pending_extension(ticket: Ticket) -> int:
    if not ticket.pending_extension_days:
        raise Conflict("没有待审批的延期申请", code="no_extension_pending")
    return ticket.pending_extension_days


def request_suspension(_s: Session, ticket: Ticket, data: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """申请挂起: a supervisor decides."""
    ticket.suspension_requested = True
    return {"reason": data.get("reason")}


def deny_suspension(_s: Session, ticket: Ticket, _d: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """驳回挂起申请: the clock keeps running and the request is closed."""
    if not ticket.suspension_requested:
        raise Conflict("没有待审批的挂起申请", code="no_suspension_pending")
    ticket.suspension_requested = False
    return {}


def suspend(_s: Session, ticket: Ticket, _d: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """挂起 (approved): the clock stops."""
    ticket.suspended_at = rules.now
    ticket.suspension_requested = False
    return {"reply_due_at": iso_or_none(ticket.reply_due_at)}


def resume(_s: Session, ticket: Ticket, _d: dict[str, Any], rules: Rules) -> dict[str, Any]:
    """解挂: the time left when suspended is counted again from now."""
    old = ticket.reply_due_at
    if old is not None and ticket.suspended_at is not None:
        ticket.reply_due_at = policy.resume(due=old, suspended_at=ticket.suspended_at, resumed_at=rules.now,
                                            limit_kind_is_clock=reply_limit(rules, ticket).clock,
                                            calendar=rules.calendar)
    ticket.suspended_at = None
    return {"old_due": iso_or_none(old), "new_due": iso_or_none(ticket.reply_due_at)}


def request_exclusion(_s: Session, ticket: Ticket, data: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """申请不纳入考核: e.g. the request is outside any unit's power; a supervisor decides."""
    if ticket.excluded:
        raise Conflict("工单已不纳入考核", code="already_excluded")
    if ticket.exclusion_requested:
        raise Conflict("已有待审批的不纳入考核申请", code="exclusion_pending")
    ticket.exclusion_requested = True
    ticket.exclusion_reason = data["reason"]
    return {"reason": data["reason"]}


def approve_exclusion(_s: Session, ticket: Ticket, _d: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """批准不纳入考核: the ticket leaves every rate."""
    _pending_exclusion(ticket)
    ticket.excluded = True
    ticket.exclusion_requested = False
    return {"reason": ticket.exclusion_reason}


def deny_exclusion(_s: Session, ticket: Ticket, _d: dict[str, Any], _r: Rules) -> dict[str, Any]:
    """驳回不纳入考核: the ticket keeps counting."""
    _pending_exclusion(ticket)
    ticket.exclusion_requested = False
    return {"reason": ticket.exclusion_reason}


def _pending_exclusion(ticket: Ticket) -> None:
    if not ticket.exclusion_requested:
        raise Conflict("没有待审批的不纳入考核申请", code="no_exclusion_pending")
