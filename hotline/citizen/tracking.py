"""进度查询 and 好差评: find a ticket by number + the phone's last four digits, show it in plain words,
and take the citizen's rating of the reply.

What a citizen sees is the public status, the handling department's name, the deadlines and, once the
centre accepted the reply, the reply text through the one public-text scrub. Never the content's
handling notes, the staff's names, the events or anybody's identity.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.citizen.models import CitizenRating
from hotline.errors import Conflict
from hotline.privacy.scrub import scrub_public_text
from hotline.tickets.enums import Action, CloseReason, Satisfaction, Status
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import Rules, check_allowed, transition

NUMBER = re.compile(r"\d{8}-\d{6}")
LAST4 = re.compile(r"\d{4}")
# Compared when there is no such ticket, so a miss costs the same comparison as a wrong guess.
NO_TICKET = "\x00\x00\x00\x00"
STAND_IN = "00000000000"

# The public status in plain words (title, what happens next).
PUBLIC_STATUS: dict[str, tuple[str, str]] = {
    Status.RECEIVED: ("已受理", "工作人员正在审核您的诉求，审核后派发至承办单位。"),
    Status.PENDING_DISPATCH: ("待派发", "工作人员正在为您的诉求确定承办单位。"),
    Status.DISPATCHED: ("已派发", "诉求已派发至承办单位，等待其签收办理。"),
    Status.RETURNED: ("重新派发中", "工作人员正在为您的诉求重新确定承办单位。"),
    Status.IN_PROGRESS: ("办理中", "承办单位正在办理，将在答复期限前答复您。"),
    Status.SUSPENDED: ("办理中", "承办单位正在办理（经批准暂停计时），将尽快答复您。"),
    Status.REPLIED: ("已答复，审核中", "承办单位已答复，热线中心正在审核答复内容。"),
    Status.AWAITING_FOLLOW_UP: ("已答复", "承办单位已答复，热线将回访了解您的意见。"),
    Status.CLOSED: ("已办结", "您的诉求已办结。"),
    Status.MERGED: ("合并办理", "您的诉求与相同事项合并办理，办理结果一并答复。"),
    Status.TRANSFERRED: ("已转交", "您的诉求已转交 110 / 119 / 120 处理。"),
}
INVALID = ("已办结", "经审核，该诉求不属于 12345 热线受理范围，工作人员已告知相关办理途径。")
RATINGS = (Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value, Satisfaction.DISSATISFIED.value)


def find_for_citizen(session: Session, *, number: str, last4: str) -> Ticket | None:
    """The ticket whose number and phone's last four digits both match, else None: an unknown number
    and a wrong guess take the same query and the same constant-time comparison."""
    # Always exactly one row (an outer join from a one-row select), two columns by the unique index, and
    # the same digit work on a stand-in phone: a miss reads, returns and compares what a hit does.
    one = select(literal(1).label("one")).subquery()
    row = session.execute(select(Ticket.id, Ticket.caller_phone).select_from(one)
                          .outerjoin(Ticket, Ticket.number == number[:20])).one()
    phone = "".join(ch for ch in (row.caller_phone or STAND_IN) if ch.isdigit())
    expected = phone[-4:] if row.id is not None and len(phone) >= 4 else NO_TICKET
    matches = hmac.compare_digest(expected.encode(), last4.encode())
    return session.get(Ticket, row.id) if row.id is not None and matches else None


def find_ticket(session: Session, *, number: str) -> Ticket | None:
    """A ticket by its number (for a browser that already proved the digits)."""
    return session.scalar(select(Ticket).where(Ticket.number == number[:20]))


@dataclass(frozen=True)
class PublicView:
    """What the tracking page shows of one ticket."""

    number: str
    status: str
    status_title: str
    status_hint: str
    kind: str
    received_at: datetime
    department: str | None
    reply_due_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    reply_text: str | None
    merged_into: str | None
    can_rate: bool
    rating: str | None


def _shown_reply(ticket: Ticket) -> bool:
    # Only a reply the centre accepted (a sent-back one is withdrawn) is shown and can be rated.
    return ticket.reply_content is not None and ticket.accepted_at is not None and ticket.status in (
        Status.AWAITING_FOLLOW_UP, Status.CLOSED)


def current_rating(session: Session, ticket: Ticket) -> CitizenRating | None:
    """The citizen's rating of the current reply, if given."""
    return session.scalar(select(CitizenRating).where(CitizenRating.ticket_id == ticket.id,
                                                      CitizenRating.cycle == ticket.reopen_count))


def public_view(session: Session, ticket: Ticket) -> PublicView:
    """The ticket as its citizen may see it (a merged ticket shows its primary's course)."""
    shown = session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else ticket
    shown = shown or ticket
    title, hint = INVALID if shown.invalid else PUBLIC_STATUS.get(shown.status, ("处理中", ""))
    if shown.status == Status.CLOSED and shown.close_reason == CloseReason.RESOLVED_ON_CALL:
        hint = "工作人员已直接答复您的诉求。"
    reply = _shown_reply(shown)
    rating = current_rating(session, ticket) if ticket is shown else None
    return PublicView(
        number=ticket.number or "", status=shown.status, status_title=title, status_hint=hint,
        kind=ticket.kind, received_at=ticket.received_at,
        department=shown.department.name if shown.department else None,
        reply_due_at=shown.reply_due_at if shown.status not in (Status.CLOSED, Status.TRANSFERRED) else None,
        replied_at=shown.replied_at if reply else None, closed_at=shown.closed_at,
        reply_text=scrub_public_text(shown.reply_content or "") if reply else None,
        merged_into=shown.number if shown is not ticket else None,
        can_rate=reply and ticket is shown and rating is None and not shown.invalid,
        rating=rating.rating if rating else None)


def rate(session: Session, *, ticket: Ticket, rating: str, comment: str | None, channel: str,
         rules: Rules) -> CitizenRating:
    """Record the citizen's rating of the current reply (once per reply) through the transition;
    the caller asks the follow-up service for a call when the rating is 不满意."""
    if not _shown_reply(ticket) or ticket.invalid:
        raise Conflict("该工单目前没有可评价的答复", code="nothing_to_rate")
    if current_rating(session, ticket) is not None:
        raise Conflict("您已评价过本次答复，感谢您的反馈", code="already_rated")
    check_allowed(ticket=ticket, action=Action.RATE_REPLY, actor=None)
    row = CitizenRating(ticket_id=ticket.id, cycle=ticket.reopen_count, rating=rating, comment=comment,
                        channel=channel, created_at=rules.now)
    try:
        with session.begin_nested():  # the unique (ticket, cycle) key stops a second rating sent at once
            session.add(row)
    except IntegrityError:
        raise Conflict("您已评价过本次答复，感谢您的反馈", code="already_rated") from None
    transition(session, ticket=ticket, action=Action.RATE_REPLY, actor=None, rules=rules,
               data={"rating": rating, "comment": comment, "channel": channel}, note=_note(rating, comment))
    return row


def _note(rating: str, comment: str | None) -> str:
    labels: dict[str, Any] = {"satisfied": "满意", "basically": "基本满意", "dissatisfied": "不满意"}
    text = f"市民网上评价：{labels[rating]}"
    return f"{text}。{comment}" if comment else text
