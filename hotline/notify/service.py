"""Inbox and outbox use cases. Services flush, never commit; the caller (view or job) owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from hotline.db import paginate
from hotline.departments.models import Department, User
from hotline.departments.roles import Role
from hotline.errors import NotFound
from hotline.notify.gateways import Gateway, OutboundMessage, PermanentError, TransportError
from hotline.notify.models import Notification, OutboxMessage
from hotline.upsert import insert_ignore, skip_locked

CHANNELS = ("sms", "email")


@dataclass(frozen=True)
class Message:
    """What to tell: the same text goes to the inbox and, where contacts are configured, out by SMS/e-mail."""

    kind: str
    title: str
    body: str = ""
    ticket_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Audience:
    """Who is told: department inboxes and user inboxes."""

    departments: tuple[Department, ...] = ()
    users: tuple[User, ...] = ()


def users_with_role(session: Session, role: Role) -> tuple[User, ...]:
    """Active users of a role (e.g. every supervisor)."""
    return tuple(session.scalars(select(User).where(User.role == role.value, User.active.is_(True))
                                 .order_by(User.id)))


def notify(session: Session, *, key: str, audience: Audience, message: Message, now: datetime,
           contacts: dict[str, dict[str, str]] | None = None) -> list[int]:
    """Put the message in each inbox once (keys ``{key}:d{id}`` / ``{key}:u{id}``) and queue it to the
    recipients' configured contacts (NOTIFY_CONTACTS: "department:CODE" / "user:NAME" / "role:ROLE" →
    {"sms": number, "email": address}). Returns the ids of outbox messages to send after commit."""
    base = {"kind": message.kind, "title": message.title[:200], "body": message.body,
            "ticket_id": message.ticket_id, "data": message.data, "created_at": now}
    rows = [base | {"key": f"{key}:d{d.id}", "department_id": d.id, "user_id": None} for d in audience.departments]
    rows += [base | {"key": f"{key}:u{u.id}", "department_id": None, "user_id": u.id} for u in audience.users]
    insert_ignore(session, Notification, rows)
    targets = [f"department:{d.code}" for d in audience.departments]
    targets += [f"user:{u.username}" for u in audience.users]
    targets += sorted({f"role:{u.role}" for u in audience.users})
    outbox: list[dict[str, Any]] = []
    for target in targets:
        for channel, recipient in sorted((contacts or {}).get(target, {}).items()):
            if channel in CHANNELS and recipient:
                outbox.append({"idempotency_key": f"{key}:{channel}:{recipient}"[:160], "channel": channel,
                               "recipient": recipient, "subject": message.title[:200], "body": message.body,
                               "ticket_id": message.ticket_id, "status": "pending", "attempts": 0,
                               "created_at": now, "next_attempt_at": now})
    unique = list({row["idempotency_key"]: row for row in outbox}.values())
    insert_ignore(session, OutboxMessage, unique)
    keys = [row["idempotency_key"] for row in unique]
    return list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.idempotency_key.in_(keys),
                                                               OutboxMessage.status == "pending"))) if keys else []


# --- the outbox ---------------------------------------------------------------------------------------

def sendable_outbox(session: Session, *, now: datetime, lease: timedelta, limit: int = 500) -> list[int]:
    """Messages to hand to a send job: pending and due, or claimed by a job that died (stale claim)."""
    query = (select(OutboxMessage.id)
             .where(OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.status == "pending", OutboxMessage.claimed_at < now - lease))
             .order_by(OutboxMessage.next_attempt_at).limit(limit))
    return list(session.scalars(skip_locked(session, query, of=OutboxMessage)))


def claim(session: Session, message_id: int, *, now: datetime, lease: timedelta) -> OutboxMessage | None:
    """Take a message for sending (commit before sending); None when another job has it or it is done."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id,
               or_(OutboxMessage.status == "pending",
                   (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < now - lease)))
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    return message


def deliver(message: OutboxMessage, gateway: Gateway) -> str:
    """Hand a claimed message to the gateway (raises TransportError or PermanentError)."""
    return gateway.send(OutboundMessage(key=message.idempotency_key, channel=message.channel,
                                        recipient=message.recipient, subject=message.subject,
                                        body=message.body))


def record_sent(message: OutboxMessage, *, provider_id: str, now: datetime) -> None:
    """The gateway took it."""
    message.status, message.sent_at, message.provider_id, message.last_error = "sent", now, provider_id, None


def record_failure(message: OutboxMessage, error: Exception, *, now: datetime, max_attempts: int,
                   backoff: timedelta) -> bool:
    """A failed send: permanent errors and exhausted attempts fail the message; returns whether to retry."""
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.claimed_at = None
    if isinstance(error, PermanentError) or message.attempts >= max_attempts:
        message.status = "failed"
        return False
    message.status = "pending"
    message.next_attempt_at = now + backoff * (2 ** max(message.attempts - 1, 0))
    return isinstance(error, TransportError)


# --- the inbox ----------------------------------------------------------------------------------------

def _visible(user: User) -> Any:
    mine = Notification.user_id == user.id
    if user.role == Role.DEPARTMENT and user.department_id is not None:
        return or_(mine, Notification.department_id == user.department_id)
    return mine


def inbox(session: Session, *, user: User, unread_only: bool, page: int, per_page: int
          ) -> tuple[list[Notification], int]:
    """One page of the user's inbox (their own and their department's), newest first, and the total."""
    query = select(Notification).where(_visible(user))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return paginate(session, query.order_by(Notification.created_at.desc(), Notification.id.desc()),
                    page=page, per_page=per_page)


def unread_counts(session: Session, *, user: User) -> dict[str, int]:
    """Unread entries in the user's own inbox, the department's, and together."""
    mine = session.scalar(select(func.count()).where(Notification.user_id == user.id,
                                                     Notification.read_at.is_(None))) or 0
    dept = 0
    if user.role == Role.DEPARTMENT and user.department_id is not None:
        dept = session.scalar(select(func.count()).where(Notification.department_id == user.department_id,
                                                         Notification.read_at.is_(None))) or 0
    return {"user": mine, "department": dept, "total": mine + dept}


def mark_read(session: Session, *, user: User, notification_id: int, now: datetime) -> Notification:
    """Mark one entry read (idempotent); entries the user may not see answer 404."""
    row = session.scalar(select(Notification).where(Notification.id == notification_id, _visible(user)))
    if row is None:
        raise NotFound(f"通知 {notification_id} 不存在")
    if row.read_at is None:
        row.read_at, row.read_by_id = now, user.id
        session.flush()
    return row


def mark_all_read(session: Session, *, user: User, now: datetime) -> int:
    """Mark every unread entry of the user's inboxes read; returns how many."""
    result = session.execute(update(Notification).where(_visible(user), Notification.read_at.is_(None))
                             .values(read_at=now, read_by_id=user.id)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0  # type: ignore[attr-defined]
