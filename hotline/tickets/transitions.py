"""The one transition function: every move of a ticket goes through `transition`.

It checks scope, role, version and state, applies the move's effect (fields and deadlines),
and appends the TicketEvent in the same transaction. The session is flushed, never committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import TimeLimits
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.errors import Conflict, Forbidden, NotFound
from hotline.tickets.effects import EFFECTS
from hotline.tickets.enums import LABELS, Action, Status
from hotline.tickets.models import Ticket, TicketEvent

S = Status
R = Role
HANDLING = frozenset({S.DISPATCHED, S.RETURNED, S.IN_PROGRESS, S.SUSPENDED, S.REPLIED})
EXCLUDABLE = HANDLING | {S.AWAITING_FOLLOW_UP, S.CLOSED}
# Urged and supervised while someone still owes work: the unit (handling) or the follow-up caller.
SUPERVISED = HANDLING | {S.AWAITING_FOLLOW_UP}


@dataclass(frozen=True)
class Move:
    """Which states and roles a move is allowed from, and where it leads (None: effect decides)."""

    sources: frozenset[Status]
    target: Status | None
    roles: frozenset[Role]
    lead_department_only: bool = False


def _m(sources: set[Status], target: Status | None, *roles: Role, lead: bool = False) -> Move:
    return Move(frozenset(sources), target, frozenset(roles), lead)


MOVES: dict[Action, Move] = {
    Action.DISPATCH: _m({S.RECEIVED, S.PENDING_DISPATCH}, S.DISPATCHED, R.OPERATOR, R.DISPATCHER),
    Action.SIGN: _m({S.DISPATCHED}, S.IN_PROGRESS, R.DEPARTMENT, lead=True),
    Action.RETURN: _m({S.DISPATCHED}, S.RETURNED, R.DEPARTMENT, lead=True),
    Action.APPROVE_RETURN: _m({S.RETURNED}, S.PENDING_DISPATCH, R.DISPATCHER),
    Action.REJECT_RETURN: _m({S.RETURNED}, S.DISPATCHED, R.DISPATCHER),
    Action.CONTACT: _m({S.IN_PROGRESS}, None, R.DEPARTMENT, lead=True),
    Action.REQUEST_EXTENSION: _m({S.IN_PROGRESS}, None, R.DEPARTMENT, lead=True),
    Action.APPROVE_EXTENSION: _m({S.IN_PROGRESS, S.SUSPENDED}, None, R.SUPERVISOR),
    Action.DENY_EXTENSION: _m({S.IN_PROGRESS, S.SUSPENDED}, None, R.SUPERVISOR),
    Action.REQUEST_SUSPENSION: _m({S.IN_PROGRESS}, None, R.DEPARTMENT, lead=True),
    Action.DENY_SUSPENSION: _m({S.IN_PROGRESS}, None, R.SUPERVISOR),
    Action.SUSPEND: _m({S.IN_PROGRESS}, S.SUSPENDED, R.SUPERVISOR),
    Action.RESUME: _m({S.SUSPENDED}, S.IN_PROGRESS, R.SUPERVISOR, R.DEPARTMENT, lead=True),
    Action.REPLY: _m({S.IN_PROGRESS}, S.REPLIED, R.DEPARTMENT, lead=True),
    Action.ACCEPT_REPLY: _m({S.REPLIED}, S.AWAITING_FOLLOW_UP, R.DISPATCHER),
    Action.SEND_BACK: _m({S.REPLIED}, S.IN_PROGRESS, R.DISPATCHER),
    Action.FOLLOW_UP: _m({S.AWAITING_FOLLOW_UP}, None, R.FOLLOWUP),
    Action.URGE: _m(set(SUPERVISED), None, R.SUPERVISOR, R.DISPATCHER),
    Action.SUPERVISE: _m(set(SUPERVISED), None, R.SUPERVISOR),
    Action.MERGE: _m({S.RECEIVED, S.PENDING_DISPATCH}, S.MERGED, R.OPERATOR, R.DISPATCHER),
    Action.RESOLVE_ON_CALL: _m({S.RECEIVED}, S.CLOSED, R.OPERATOR),
    Action.TRANSFER_EMERGENCY: _m({S.RECEIVED}, S.TRANSFERRED, R.OPERATOR),
    Action.MARK_INVALID: _m({S.RECEIVED, S.PENDING_DISPATCH}, S.CLOSED, R.OPERATOR, R.DISPATCHER),
    Action.REQUEST_EXCLUSION: _m(set(EXCLUDABLE), None, R.DEPARTMENT, lead=True),
    Action.APPROVE_EXCLUSION: _m(set(EXCLUDABLE), None, R.SUPERVISOR),
    Action.DENY_EXCLUSION: _m(set(EXCLUDABLE), None, R.SUPERVISOR),
    # System moves: no role may make them, only the system (actor None).
    Action.SKIP_FOLLOW_UP: _m({S.AWAITING_FOLLOW_UP}, S.CLOSED),
    # The citizen's online rating of an accepted reply; 不满意 on a closed ticket brings the call back.
    Action.RATE_REPLY: _m({S.AWAITING_FOLLOW_UP, S.CLOSED}, None),
}


@dataclass(frozen=True)
class Rules:
    """What a move needs besides the ticket: the time, the calendar and the time limits."""

    now: datetime
    calendar: WorkCalendar
    limits: TimeLimits
    max_follow_up_attempts: int = 3


AfterMove = Callable[[Session, Ticket, TicketEvent, Rules], None]
# Bookkeeping the domains above register (e.g. the rate facts): run after every move, in its transaction.
AFTER_MOVE: list[AfterMove] = []


def on_move(hook: AfterMove) -> AfterMove:
    """Register bookkeeping to run after every move (once, however often it is registered)."""
    if hook not in AFTER_MOVE:
        AFTER_MOVE.append(hook)
    return hook


def after_move(session: Session, *, ticket: Ticket, event: TicketEvent, rules: Rules) -> None:
    """Run the registered bookkeeping of a move (receive calls it too); flush only."""
    for hook in AFTER_MOVE:
        hook(session, ticket, event, rules)


def sees_every_ticket(user: User) -> bool:
    """Whether `can_see` is true of every ticket for this user (everyone but department staff)."""
    return user.role != Role.DEPARTMENT


def can_see(user: User, ticket: Ticket) -> bool:
    """Department staff see only tickets dispatched to their department (lead or assisting)."""
    if sees_every_ticket(user):
        return True
    if ticket.reported_department_id is not None and ticket.reported_department_id == user.department_id:
        return False  # a report about the department: never, whatever else happens
    if ticket.department_id == user.department_id:
        return True
    return any(d.id == user.department_id for d in ticket.assisting)


def check_allowed(*, ticket: Ticket, action: Action, actor: User | None) -> Move:
    """Raise the error the API answers when the actor may not make this move now."""
    move = MOVES.get(action)
    if move is None:
        raise NotFound(f"未知操作 {action}")
    if actor is not None:
        if not can_see(actor, ticket):
            raise NotFound("工单不存在")
        if actor.role not in move.roles:
            raise Forbidden(f"角色 {actor.role} 不能执行「{LABELS[action]}」")
        if (move.lead_department_only and actor.role == Role.DEPARTMENT
                and ticket.department_id != actor.department_id):
            raise Forbidden(f"只有主办单位可以执行「{LABELS[action]}」")
    if ticket.status not in move.sources:
        raise Conflict(f"工单状态为「{LABELS[ticket.status]}」，不能执行「{LABELS[action]}」",
                       code="invalid_transition")
    return move


# Where a pending request can still be decided: an extension while the reply clock runs or is stopped,
# a suspension while the ticket is being handled.
EXTENSION_OPEN = frozenset({S.IN_PROGRESS, S.SUSPENDED})
SUSPENSION_OPEN = frozenset({S.IN_PROGRESS})


def _close_stale_requests(ticket: Ticket, target: str) -> dict[str, Any]:
    """A request the ticket has moved past (replied, returned, closed...) is closed, not left to approve."""
    closed: dict[str, Any] = {}
    if ticket.pending_extension_days and target not in EXTENSION_OPEN:
        closed["extension_request_closed"] = ticket.pending_extension_days
        ticket.pending_extension_days = None
        ticket.pending_extension_reason = None
    if ticket.suspension_requested and target not in SUSPENSION_OPEN:
        closed["suspension_request_closed"] = True
        ticket.suspension_requested = False
    return closed


def transition(session: Session, *, ticket: Ticket, action: Action, actor: User | None, rules: Rules,
               data: dict[str, Any] | None = None, note: str | None = None,
               expected_version: int | None = None) -> TicketEvent:
    """Make one move: check it, apply its effect, append its event; flush only."""
    if expected_version is not None and expected_version != ticket.version:
        raise Conflict(f"工单版本已变为 {ticket.version}（提交的是 {expected_version}），请刷新后重试",
                       code="stale_version")
    move = check_allowed(ticket=ticket, action=action, actor=actor)
    before = ticket.status
    effect = EFFECTS.get(action)
    payload = effect(session, ticket, data or {}, rules) if effect else {}
    target = payload.pop("_to", None) or move.target or before
    payload.update(_close_stale_requests(ticket, target))
    ticket.status = target
    ticket.updated_at = rules.now
    event = TicketEvent(ticket_id=ticket.id, at=rules.now, actor_id=actor.id if actor else None,
                        actor_name=actor.display_name if actor else "系统", action=action.value,
                        from_status=before, to_status=target, note=note, payload=payload)
    session.add(event)
    session.flush()
    after_move(session, ticket=ticket, event=event, rules=rules)
    return event
