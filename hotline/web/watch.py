"""督办监控: overdue and nearly due tickets by lateness, escalated tickets, requests waiting for a supervisor.

The approve/deny forms post to web.ticket_act (the same moves and checks as the ticket page) and come back here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import render_template, url_for
from sqlalchemy import func, or_, select

from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.models import User
from hotline.supervision.api import VIEWERS
from hotline.tickets.enums import LABELS, Action
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.transitions import SUPERVISED, can_see
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp
from hotline.web.common import CLOCKED, Badges
from hotline.web.tickets import available_moves

SCAN = 1000  # deadlines looked at, earliest first: every overdue ticket comes before any nearly due one
SHOWN = 200
# Which moves each list offers in place; the transition function still decides.
REQUEST_MOVES = {"extension": (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION),
                 "suspension": (Action.SUSPEND, Action.DENY_SUSPENSION),
                 "exclusion": (Action.APPROVE_EXCLUSION, Action.DENY_EXCLUSION)}
LATE_MOVES = (Action.URGE, Action.SUPERVISE)
REQUEST_LABELS = {"extension": "延期申请", "suspension": "挂起申请", "exclusion": "不纳入考核申请"}
APPROVE_LABELS = {Action.SUSPEND: "批准挂起"}


@dataclass(frozen=True)
class Row:
    """One ticket of a list with what the list says about it and the moves offered in place."""

    t: Ticket
    badge: str | None
    lateness: str
    detail: str
    moves: tuple[tuple[str, str, bool], ...]  # (slug, label, note required)


def span(delta: timedelta) -> str:
    """A duration in Chinese: 2天3小时, 5小时20分钟, 12分钟."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分钟" if mins else f"{hours}小时"
    return f"{mins}分钟"


def lateness(ticket: Ticket, now: datetime) -> str:
    """已超期 … or 剩余 … against the reply deadline."""
    if ticket.reply_due_at is None:
        return "—"
    delta = now - ticket.reply_due_at
    return f"已超期 {span(delta)}" if delta > timedelta(0) else f"剩余 {span(delta)}"


def _moves(ticket: Ticket, user: User, wanted: tuple[Action, ...]) -> tuple[tuple[str, str, bool], ...]:
    allowed = set(available_moves(ticket, user))
    return tuple((a.slug, APPROVE_LABELS.get(a, LABELS[a]), a is Action.SUSPEND) for a in wanted if a in allowed)


def late_rows(user: User, now: datetime) -> tuple[list[Row], int]:
    """Overdue and nearly due tickets, the latest first, and how many are overdue in all."""
    db = db_session()
    clocked = [s.value for s in CLOCKED]
    tickets = db.scalars(select(Ticket).where(Ticket.status.in_(clocked), Ticket.reply_due_at.is_not(None))
                         .order_by(Ticket.reply_due_at, Ticket.id).limit(SCAN))
    badges = Badges(now)
    rows = []
    for t in tickets:
        badge = badges.of(t)
        if badge is None or not can_see(user, t):
            continue
        rows.append(Row(t, badge, lateness(t, now), f"督办 {t.supervise_count} 次 · 催办 {t.urge_count} 次",
                        _moves(t, user, LATE_MOVES)))
        if len(rows) >= SHOWN:
            break
    overdue = db.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.status.in_(clocked), Ticket.reply_due_at < now)) or 0
    return rows, overdue


def escalated_rows(user: User, now: datetime) -> list[Row]:
    """Open tickets escalated (督办) at least once, the latest deadline first."""
    db = db_session()
    tickets = db.scalars(select(Ticket).where(Ticket.supervise_count > 0,
                                              Ticket.status.in_([s.value for s in SUPERVISED]))
                         .order_by(Ticket.reply_due_at.is_(None), Ticket.reply_due_at, Ticket.id).limit(SHOWN))
    badges = Badges(now)
    return [Row(t, badges.of(t), lateness(t, now), f"督办 {t.supervise_count} 次 · 催办 {t.urge_count} 次",
                _moves(t, user, LATE_MOVES)) for t in tickets if can_see(user, t)]


def _suspension_reasons(ids: list[int]) -> dict[int, str]:
    """The reason of each ticket's latest 申请挂起 (the ticket keeps only the flag)."""
    if not ids:
        return {}
    events = db_session().scalars(select(TicketEvent).where(
        TicketEvent.ticket_id.in_(ids), TicketEvent.action == Action.REQUEST_SUSPENSION.value)
        .order_by(TicketEvent.id))
    return {e.ticket_id: (e.payload or {}).get("reason") or e.note or "" for e in events}


def request_rows(user: User, now: datetime) -> dict[str, list[Row]]:
    """Pending extension, suspension and exclusion requests, the oldest deadline first."""
    db = db_session()
    tickets = list(db.scalars(select(Ticket).where(or_(Ticket.pending_extension_days.is_not(None),
                                                       Ticket.suspension_requested.is_(True),
                                                       Ticket.exclusion_requested.is_(True)))
                              .order_by(Ticket.reply_due_at.is_(None), Ticket.reply_due_at, Ticket.id)
                              .limit(SHOWN)))
    tickets = [t for t in tickets if can_see(user, t)]
    reasons = _suspension_reasons([t.id for t in tickets if t.suspension_requested])
    badges = Badges(now)
    out: dict[str, list[Row]] = {kind: [] for kind in REQUEST_MOVES}
    for t in tickets:
        wanted = {"extension": t.pending_extension_days is not None, "suspension": t.suspension_requested,
                  "exclusion": t.exclusion_requested}
        details = {"extension": f"申请延期 {t.pending_extension_days} 个工作日：{t.pending_extension_reason or ''}",
                   "suspension": f"理由：{reasons.get(t.id) or '未填写'}",
                   "exclusion": f"理由：{t.exclusion_reason or '未填写'}"}
        for kind, pending in wanted.items():
            if pending:
                out[kind].append(Row(t, badges.of(t), lateness(t, now), details[kind],
                                     _moves(t, user, REQUEST_MOVES[kind])))
    return out


@bp.get("/supervision/watch")
@login_required(*VIEWERS)
def supervision_watch() -> Any:
    """The three watch lists on one page, each row with its moves in place."""
    user, now = me(), utcnow()
    late, overdue = late_rows(user, now)
    return render_template("web/supervision_watch.html", late=late, overdue=overdue,
                           escalated=escalated_rows(user, now), requests=request_rows(user, now),
                           request_labels=REQUEST_LABELS, back=url_for("web.supervision_watch"))
