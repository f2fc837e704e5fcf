"""Tickets as JSON, with the caller's identity masked for roles without the unmask right."""

from __future__ import annotations

from typing import Any

from hotline.clock import iso
from hotline.departments.models import User
from hotline.departments.roles import UNMASK_ROLES, Role
from hotline.tickets.enums import LABELS
from hotline.tickets.models import Ticket, TicketEvent


def mask_phone(phone: str | None) -> str | None:
    """138****1234: the first three and last four digits stay."""
    if not phone:
        return phone
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def identity_hidden(user: User, ticket: Ticket) -> bool:
    """Department staff never see who called when the caller asked for it or the call reports on them."""
    if user.role != Role.DEPARTMENT:
        return False
    return ticket.confidential or ticket.reported_department_id == user.department_id


def shows_unmasked(user: User, ticket: Ticket) -> bool:
    """Whether this user sees the caller's full phone number (an access-log entry follows)."""
    return bool(ticket.caller_phone) and user.role in UNMASK_ROLES


def caller_json(user: User, ticket: Ticket, *, reveal: bool = False) -> dict[str, Any]:
    """The caller block as this user may see it: the phone masked unless `reveal` (one ticket, opened
    deliberately, and the caller writes the access log) and the user has the unmask right."""
    if identity_hidden(user, ticket):
        return {"caller_name": "（保密）", "caller_phone": None}
    shown = reveal and shows_unmasked(user, ticket)
    phone = ticket.caller_phone if shown else mask_phone(ticket.caller_phone)
    return {"caller_name": ticket.caller_name, "caller_phone": phone}


def deadlines_json(ticket: Ticket) -> dict[str, Any]:
    """The ticket's deadlines, ISO 8601 with the +08:00 offset."""
    return {
        "sign_due_at": iso(ticket.sign_due_at), "reply_due_at": iso(ticket.reply_due_at),
        "return_until": iso(ticket.return_until), "follow_up_due_at": iso(ticket.follow_up_due_at),
        "provisional": ticket.deadline_fallback,
    }


def event_json(event: TicketEvent) -> dict[str, Any]:
    """One step of the ticket's course."""
    return {"at": iso(event.at), "actor": event.actor_name, "actor_id": event.actor_id,
            "action": event.action, "action_label": LABELS.get(event.action, event.action),
            "from": event.from_status, "to": event.to_status, "note": event.note, "payload": event.payload}


def shared_result(primary: Ticket) -> dict[str, Any] | None:
    """The primary's result and follow-up, which every ticket merged into it shows as its own."""
    if primary.reply_result is None and primary.closed_at is None:
        return None
    return {"from_ticket": primary.id, "status": primary.status, "reply_result": primary.reply_result,
            "reply_content": primary.reply_content, "replied_at": iso(primary.replied_at),
            "closed_at": iso(primary.closed_at), "close_reason": primary.close_reason,
            "follow_up": {"contacted": primary.contacted, "solved": primary.solved,
                          "satisfaction": primary.satisfaction}}


def ticket_json(ticket: Ticket, user: User, *, events: list[TicketEvent] | None = None,
                reveal: bool = False) -> dict[str, Any]:
    """The ticket as the API returns it; the phone masked unless `reveal` (see caller_json)."""
    body: dict[str, Any] = {
        "id": ticket.id, "number": ticket.number, "status": ticket.status,
        "status_label": LABELS.get(ticket.status), "version": ticket.version, "content": ticket.content,
        **caller_json(user, ticket, reveal=reveal), "confidential": ticket.confidential, "channel": ticket.channel,
        "kind": ticket.kind, "urgency": ticket.urgency, "district": ticket.district, "address": ticket.address,
        "department": ticket.department.code if ticket.department else None,
        "department_name": ticket.department.name if ticket.department else None,
        "assisting": [d.code for d in ticket.assisting], "deadlines": deadlines_json(ticket),
        "reported_department": ticket.reported_department.code if ticket.reported_department else None,
        "received_at": iso(ticket.received_at), "dispatched_at": iso(ticket.dispatched_at),
        "signed_at": iso(ticket.signed_at), "replied_at": iso(ticket.replied_at),
        "closed_at": iso(ticket.closed_at), "reply": {"result": ticket.reply_result,
                                                      "content": ticket.reply_content},
        "follow_up": {"attempts": ticket.follow_up_attempts, "contacted": ticket.contacted,
                      "solved": ticket.solved, "satisfaction": ticket.satisfaction},
        "pending_extension": ({"days": ticket.pending_extension_days,
                               "reason": ticket.pending_extension_reason}
                              if ticket.pending_extension_days else None),
        "extension_days": ticket.extension_days, "close_reason": ticket.close_reason,
        "exclusion": {"requested": ticket.exclusion_requested, "approved": ticket.excluded,
                      "reason": ticket.exclusion_reason},
        "invalid": ticket.invalid, "merged_into": ticket.merged_into_id,
        "shared_result": shared_result(ticket.merged_into) if ticket.merged_into is not None else None,
        "counts": {"dispatch": ticket.dispatch_count, "return": ticket.return_count,
                   "reopen": ticket.reopen_count, "urge": ticket.urge_count,
                   "supervise": ticket.supervise_count},
        "auto_dispatched": ticket.auto_dispatched, "model_version": ticket.model_version,
        "suggestions": ticket.suggestions or [],
    }
    if events is not None:
        body["events"] = [event_json(e) for e in events]
    return body
