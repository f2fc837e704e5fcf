"""Ticket use cases: receive, act, read and list. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.clock import local
from hotline.db import paginate
from hotline.departments.models import Department, User
from hotline.departments.roles import INTAKE_ROLES, Role
from hotline.errors import Conflict, Forbidden, NotFound, ValidationError
from hotline.tickets.effects import received_here
from hotline.tickets.enums import REPLY_CLOCK_STATUSES, Action, Channel, Kind, Status, Urgency
from hotline.tickets.models import IdempotencyKey, Ticket, TicketEvent, ticket_assists
from hotline.tickets.numbered import insert_numbered
from hotline.tickets.transitions import Rules, after_move, can_see, transition


@dataclass
class Intake:
    """The outcome of receiving a ticket: the ticket and whether it is new."""

    ticket: Ticket
    created: bool
    extras: dict[str, Any] = field(default_factory=dict)


def _request_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def find_idempotent(session: Session, *, user: User, key: str, data: dict[str, Any]) -> Ticket | None:
    """The ticket an earlier request with this key created, if any (409 if the body differs)."""
    row = session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                                      IdempotencyKey.key == key))
    if row is None:
        return None
    if row.request_hash != _request_hash(data):
        raise Conflict("Idempotency-Key 已用于另一个不同的请求", code="idempotency_key_reused")
    return session.get(Ticket, row.ticket_id)


def check_may_receive(actor: User) -> None:
    """Only the intake roles and the citizen channels' users create tickets (403 otherwise)."""
    if actor.role not in INTAKE_ROLES and actor.role != Role.CHANNEL:
        raise Forbidden(f"角色 {actor.role} 不能受理工单")


def receive(session: Session, *, data: dict[str, Any], actor: User, rules: Rules,
            idempotency_key: str | None = None, suggestions: list[dict[str, Any]] | None = None,
            model_version: str | None = None) -> Intake:
    """受理: store the request and its first event; dispatch at once when a department is given.

    `suggestions`/`model_version`: the dispatch model's proposal, stored with the new ticket."""
    check_may_receive(actor)
    if idempotency_key:
        existing = find_idempotent(session, user=actor, key=idempotency_key, data=data)
        if existing is not None:
            return Intake(existing, created=False)
    reported = _reported_department(session, data.get("reported_department"))
    ticket = Ticket(
        status=Status.RECEIVED, content=data["content"], caller_name=data.get("caller_name"),
        caller_phone=data.get("caller_phone"), confidential=bool(data.get("confidential")) or reported is not None,
        reported_department_id=reported.id if reported is not None else None,
        channel=data.get("channel", Channel.PHONE),
        kind=data.get("kind", Kind.REPORT if reported is not None else Kind.CONSULTATION),
        urgency=data.get("urgency", Urgency.NORMAL), district=data.get("district"),
        address=data.get("address"), received_by_id=actor.id, received_at=rules.now, updated_at=rules.now,
        assisting=[], suggestions=suggestions or [], model_version=model_version,
    )
    first = {"at": rules.now, "actor_id": actor.id, "actor_name": actor.display_name, "action": Action.RECEIVE.value,
             "from_status": None, "to_status": Status.RECEIVED.value, "note": None,
             "payload": {"channel": ticket.channel}}
    insert_numbered(session, ticket, prefix=f"{local(rules.now):%Y%m%d}-", first_event=first)
    received_here(session, ticket)
    received = TicketEvent(ticket_id=ticket.id, **first)  # for the bookkeeping: stored by the INSERT above
    if idempotency_key:
        _remember_key(session, user=actor, key=idempotency_key, data=data, ticket=ticket, now=rules.now)
    session.flush()
    after_move(session, ticket=ticket, event=received, rules=rules)
    if data.get("department"):
        transition(session, ticket=ticket, action=Action.DISPATCH, actor=actor, rules=rules,
                   data={"department": data["department"], "assisting": data.get("assisting")})
    return Intake(ticket, created=True)


def _reported_department(session: Session, code: str | None) -> Department | None:
    """The department a report (举报) is about, by code; 422 when unknown."""
    if not code:
        return None
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise ValidationError(f"reported_department: 未知单位 {code!r}",
                              details=[{"field": "reported_department", "message": "未知单位"}])
    return department


def _remember_key(session: Session, *, user: User, key: str, data: dict[str, Any], ticket: Ticket,
                  now: datetime) -> None:
    try:
        with session.begin_nested():
            session.add(IdempotencyKey(user_id=user.id, key=key, request_hash=_request_hash(data),
                                       ticket_id=ticket.id, created_at=now))
    except IntegrityError:
        raise Conflict("同一 Idempotency-Key 的请求正在处理，请稍后重试", code="idempotency_in_flight") from None


def get_visible(session: Session, *, user: User, ticket_id: int, for_update: bool = False) -> Ticket:
    """A ticket the user may see; others answer 404 so their existence does not leak."""
    query = select(Ticket).where(Ticket.id == ticket_id)
    if for_update:
        query = query.with_for_update(of=Ticket)
    ticket = session.scalar(query)
    if ticket is None or not can_see(user, ticket):
        raise NotFound(f"工单 {ticket_id} 不存在")
    return ticket


def act(session: Session, *, user: User | None, ticket: Ticket, action: Action, rules: Rules,
        data: dict[str, Any], note: str | None = None, version: int | None = None) -> TicketEvent:
    """Make one move on a ticket on behalf of a user (or the system when user is None)."""
    return transition(session, ticket=ticket, action=action, actor=user, rules=rules, data=data, note=note,
                      expected_version=version)


def events_of(session: Session, ticket: Ticket) -> list[TicketEvent]:
    """The ticket's whole course, oldest first."""
    return list(session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                .order_by(TicketEvent.id)))


@dataclass(frozen=True)
class TicketFilter:
    """Filters of GET /tickets."""

    status: str | None = None
    department: str | None = None
    overdue: bool | None = None
    q: str | None = None


def _scoped(query: Select, user: User) -> Select:
    if user.role != Role.DEPARTMENT:
        return query
    assisted = select(ticket_assists.c.ticket_id).where(ticket_assists.c.department_id == user.department_id)
    # A report about the department stays invisible to it whatever else happens (DESIGN section 7).
    not_about_them = or_(Ticket.reported_department_id.is_(None),
                         Ticket.reported_department_id != user.department_id)
    return query.where(or_(Ticket.department_id == user.department_id, Ticket.id.in_(assisted)), not_about_them)


def list_tickets(session: Session, *, user: User, filters: TicketFilter, now: datetime, page: int,
                 per_page: int) -> tuple[list[Ticket], int]:
    """One page of the tickets the user may see, newest first, and the total count."""
    query = _scoped(select(Ticket), user)
    if filters.status:
        query = query.where(Ticket.status == filters.status)
    if filters.department:
        query = query.join(Department, Department.id == Ticket.department_id).where(
            Department.code == filters.department)
    if filters.overdue is not None:
        late = (Ticket.reply_due_at < now) & Ticket.status.in_([s.value for s in REPLY_CLOCK_STATUSES])
        query = query.where(late if filters.overdue else ~late | Ticket.reply_due_at.is_(None))
    if filters.q:
        like = f"%{filters.q}%"
        query = query.where(or_(Ticket.content.like(like), Ticket.number.like(like), Ticket.address.like(like)))
    return paginate(session, query.order_by(Ticket.id.desc()), page=page, per_page=per_page)


def caller_history(session: Session, *, user: User, phone: str, limit: int = 20) -> list[Ticket]:
    """The caller's earlier tickets, newest first, among those the user may open (one index range).

    Department staff never learn a caller's identity they may not see, so for them a phone number does
    not find tickets whose caller is confidential or that report on their own department."""
    query = _scoped(select(Ticket), user).where(Ticket.caller_phone == phone)
    if user.role == Role.DEPARTMENT:
        query = query.where(Ticket.confidential.is_(False), or_(
            Ticket.reported_department_id.is_(None), Ticket.reported_department_id != user.department_id))
    return list(session.scalars(query.order_by(Ticket.received_at.desc()).limit(limit)))
