"""工单列表, 工单详情 and the moves posted from them; home redirects by role."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from hotline.auth.service import log_access
from hotline.casework import moves
from hotline.casework.desk import last_return
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.errors import ApiError, ValidationError
from hotline.tickets import service
from hotline.tickets.enums import LABELS, Action, Status
from hotline.tickets.models import Ticket
from hotline.tickets.rules import rules_at
from hotline.tickets.schemas import ACTION_BY_SLUG
from hotline.tickets.serialize import caller_json, shows_unmasked
from hotline.tickets.transitions import MOVES, check_allowed
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_message, error_page, safe_next
from hotline.web.common import Badges, departments, page_size
from hotline.web.forms import action_body, action_widgets, flash_text

LANDING = {Role.OPERATOR: "web.console", Role.DISPATCHER: "web.dispatch_desk", Role.FOLLOWUP: "web.followups",
           Role.SUPERVISOR: "web.supervision_dashboard", Role.ADMIN: "web.admin_home"}
NUMBER = re.compile(r"\d{8}-\d{6}")
# A move is offered only when its precondition holds (the service still decides): nobody approves a
# request nobody made, or asks again for what is already pending.
PRECONDITIONS: dict[Action, Callable[[Ticket], bool]] = {
    Action.APPROVE_EXTENSION: lambda t: bool(t.pending_extension_days),
    Action.DENY_EXTENSION: lambda t: bool(t.pending_extension_days),
    Action.REQUEST_EXTENSION: lambda t: not t.pending_extension_days,
    Action.APPROVE_EXCLUSION: lambda t: bool(t.exclusion_requested),
    Action.DENY_EXCLUSION: lambda t: bool(t.exclusion_requested),
    Action.REQUEST_EXCLUSION: lambda t: not (t.exclusion_requested or t.excluded),
    Action.SUSPEND: lambda t: bool(t.suspension_requested),
    Action.REQUEST_SUSPENSION: lambda t: not t.suspension_requested,
}
# The move a page shows first and strongest, and the rarely used ones behind 更多操作.
PRIMARY_MOVES = frozenset({Action.SIGN, Action.REPLY, Action.DISPATCH, Action.ACCEPT_REPLY, Action.FOLLOW_UP,
                           Action.RESOLVE_ON_CALL})
RARE_MOVES = frozenset({Action.REQUEST_EXCLUSION, Action.REQUEST_SUSPENSION})


@bp.get("/")
@login_required()
def home() -> Any:
    """Each role starts where its work is (the counts are in the header of every page)."""
    return redirect(url_for(LANDING.get(me().role, "web.ticket_list")))


def _filters() -> tuple[service.TicketFilter, int]:
    args = request.args
    status = args.get("status") or None
    if status and status not in set(Status):
        flash(f"未知状态 {status}，已忽略", "error")
        status = None
    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    page = args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
    return service.TicketFilter(status=status, department=args.get("department") or None, overdue=overdue,
                                q=(args.get("q") or "").strip()[:100] or None), page_no


@bp.get("/tickets")
@login_required()
def ticket_list() -> Any:
    """工单列表 with filters, paging and deadline badges."""
    user, now = me(), utcnow()
    filters, page = _filters()
    per_page = page_size()
    rows, total = service.list_tickets(db_session(), user=user, filters=filters, now=now,
                                       page=page, per_page=per_page)
    badges = Badges(now)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("web/tickets.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // per_page)), badges={t.id: badges.of(t) for t in rows},
                           filters=filters, args=args, statuses=[(s.value, LABELS[s]) for s in Status],
                           departments=departments(), overdue=request.args.get("overdue", ""))


def available_moves(ticket: Ticket, user: User) -> list[Action]:
    """The moves this user may make on the ticket now, as the transition function decides."""
    moves = []
    for action in MOVES:
        if action in PRECONDITIONS and not PRECONDITIONS[action](ticket):
            continue
        if action is Action.DENY_SUSPENSION and not ticket.suspension_requested:
            continue
        try:
            check_allowed(ticket=ticket, action=action, actor=user)
        except ApiError:
            continue
        moves.append(action)
    return moves


def shown_caller(user: User, ticket: Ticket, what: str) -> dict[str, Any]:
    """The caller block of one opened ticket as the user may see it; an unmasked view goes to the access
    log (as the API). Lists and queues use caller_json without `reveal`: masked."""
    if shows_unmasked(user, ticket):
        log_access(db_session(), user=user, action=what, ticket_id=ticket.id, now=utcnow())
    return caller_json(user, ticket, reveal=True)


def move_forms(ticket: Ticket, user: User, **kwargs: Any) -> list[dict[str, Any]]:
    """One form description per move the user may make now (a report's department is not offered)."""
    reported = ticket.reported_department.code if ticket.reported_department else None
    depts = [(code, name) for code, name in departments() if code != reported]
    forms = [{"action": a, "label": LABELS[a], "slug": a.slug, "weight": weight(a),
              "widgets": action_widgets(a, departments=depts, **kwargs)} for a in available_moves(ticket, user)]
    return sorted(forms, key=lambda f: f["weight"] != "primary")


def weight(action: Action) -> str:
    """"primary" (shown first and strongest), "rare" (behind 更多操作) or "normal"."""
    return "primary" if action in PRIMARY_MOVES else "rare" if action in RARE_MOVES else "normal"


@bp.get("/tickets/<int:ticket_id>")
@login_required()
def ticket_detail(ticket_id: int) -> Any:
    """工单详情: fields, deadlines, the timeline and the forms of the moves possible now."""
    db, user = db_session(), me()
    ticket = service.get_visible(db, user=user, ticket_id=ticket_id)
    caller = shown_caller(user, ticket, "view_ticket")
    values = {}
    if ticket.status == Status.PENDING_DISPATCH:  # after an approved return: the unit the returning one named
        values = {"department": (last_return(db, ticket) or {}).get("suggested_department")}
    page = render_template("web/ticket.html", t=ticket, caller=caller, events=service.events_of(db, ticket),
                           forms=move_forms(ticket, user, values=values), badge=Badges(utcnow()).of(ticket))
    db.commit()
    return page


def with_into_id(db: Any, user: User, form: MultiDict[str, str]) -> MultiDict[str, str]:
    """并单 by the number the operator sees (20261130-000001): the form's `into` becomes the ticket id."""
    into = (form.get("into") or "").strip()
    if not NUMBER.fullmatch(into):
        return form
    found = db.scalar(select(Ticket.id).where(Ticket.number == into))
    if found is None:
        raise ValidationError(f"工单编号 {into} 不存在", details=[{"field": "into", "message": f"{into} 不存在"}])
    service.get_visible(db, user=user, ticket_id=found)  # 404 for a ticket this user may not open
    copy = MultiDict(form)
    copy["into"] = str(found)
    return copy


@bp.post("/tickets/<int:ticket_id>/act/<slug>")
@login_required()
def ticket_act(ticket_id: int, slug: str) -> Any:
    """Make one move from a page form, then go back with a flash message."""
    action = ACTION_BY_SLUG.get(slug)
    if action is None:
        return error_page(404, f"未知操作 {slug}")
    db, user = db_session(), me()
    ticket = service.get_visible(db, user=user, ticket_id=ticket_id, for_update=True)
    back = safe_next(request.form.get("next")) or url_for("web.ticket_detail", ticket_id=ticket_id)
    try:
        form = with_into_id(db, user, request.form) if action is Action.MERGE else request.form
        data, note, version = action_body(action, form)
        moves.act_with_hooks(db, user=user, ticket=ticket, action=action, rules=rules_at(db, utcnow()),
                              data=data, note=note, version=version)
        db.commit()
    except ValidationError as exc:
        db.rollback()
        flash(flash_text(exc, action), "error")
        return redirect(back)
    except (ApiError, StaleDataError) as exc:
        db.rollback()
        flash(error_message(exc), "error")
        return redirect(back)
    flash(f"「{LABELS[action]}」已完成，工单状态：{LABELS.get(ticket.status, ticket.status)}", "success")
    return redirect(back)
