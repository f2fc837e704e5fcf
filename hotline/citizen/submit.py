"""网上诉求: a citizen's request from a citizen channel, received through the same intake as a call.

Online requests are not auto-dispatched: nobody in the centre has read them yet, and the operator's
review catches what a call would have caught on the line (emergencies for 110/119/120, abuse, a 举报
about a department, a duplicate). They wait in the operator's queue (``online_queue``) with the
model's suggestions and the duplicate check already attached, as at phone intake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hotline.casework.intake import receive_with_help
from hotline.citizen.channels import CITIZEN_CHANNELS, channel_user
from hotline.deadlines import policy
from hotline.errors import ValidationError
from hotline.notify.models import OutboxMessage
from hotline.tickets.enums import Channel, Kind, Status, Urgency
from hotline.tickets.models import Ticket
from hotline.tickets.service import Intake
from hotline.tickets.transitions import Rules
from hotline.upsert import insert_ignore
from hotline.validation import Field, choices

MOBILE = re.compile(r"1[3-9]\d{9}")
FIELDS: dict[str, Field] = {
    "content": Field(str, required=True, max_len=2000),
    "kind": Field(str, required=True, choices=choices(Kind)),
    "district": Field(str, required=True, max_len=40),
    "address": Field(str, max_len=200),
    "caller_name": Field(str, max_len=60),
    "caller_phone": Field(str, required=True, max_len=30),
    "confidential": Field(bool),
}


def normalize_phone(raw: str) -> str:
    """Digits only, without a +86 prefix; a 422 for anything that is not a phone number."""
    digits = re.sub(r"[\s\-()（）+]", "", raw)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not re.fullmatch(r"\d{7,15}", digits):
        raise ValidationError("联系电话格式不正确", details=[{"field": "caller_phone", "message": "格式不正确"}])
    return digits


def is_mobile(phone: str | None) -> bool:
    """Whether an SMS can reach the number."""
    return bool(phone) and MOBILE.fullmatch(phone or "") is not None


@dataclass(frozen=True)
class Promise:
    """The reply the citizen is promised: the limit counted from dispatch, and the date if dispatched now."""

    limit_text: str
    reply_by: datetime


def promise(rules: Rules, urgency: str = Urgency.NORMAL.value) -> Promise:
    """The reply time limit of the urgency, in words, and its end if the ticket were dispatched now."""
    limit = rules.limits.for_urgency(urgency).reply
    if limit.clock:
        text = f"{limit.hours:g} 小时内答复"
    else:
        text = f"{limit.working_days:g} 个工作日内答复（遇法定节假日顺延）"
    return Promise(text, policy.due_at(limit=limit, start=rules.now, calendar=rules.calendar))


def submit(session: Session, *, data: dict[str, Any], channel: Channel, rules: Rules) -> Intake:
    """Receive a citizen's request as its channel's user, held for the operator's review."""
    if channel not in CITIZEN_CHANNELS:
        raise ValueError(f"not a citizen channel: {channel}")
    body = {**data, "channel": channel.value, "urgency": Urgency.NORMAL.value}
    actor = channel_user(session, channel, now=rules.now)
    return receive_with_help(session, data=body, actor=actor, rules=rules, hold=True)


def queue_receipt(session: Session, *, ticket: Ticket, track_url: str, now: datetime) -> int | None:
    """Put the SMS receipt (number and tracking link) in the outbox once; None when no mobile number."""
    if not is_mobile(ticket.caller_phone) or ticket.number is None:
        return None
    key = f"citizen-receipt:{ticket.id}"
    body = (f"【12345热线】您的诉求已受理，工单编号 {ticket.number}。"
            f"查询办理进度：{track_url}（需输入本手机号后四位）")
    insert_ignore(session, OutboxMessage, [{
        "idempotency_key": key, "channel": "sms", "recipient": ticket.caller_phone, "subject": "诉求受理回执",
        "body": body, "ticket_id": ticket.id, "status": "pending", "attempts": 0, "created_at": now,
        "next_attempt_at": now}])
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key))


def online_queue() -> Select[tuple[Ticket]]:
    """Requests from the citizen channels waiting for the operator's review, oldest first."""
    return (select(Ticket).where(Ticket.status == Status.RECEIVED.value,
                                 Ticket.channel.in_([c.value for c in CITIZEN_CHANNELS]))
            .order_by(Ticket.received_at, Ticket.id))
