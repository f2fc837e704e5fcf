"""派单台: the dispatcher's queues with their counts, each ticket with the moves that queue is about."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request, url_for

from hotline.casework import desk
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.tickets.enums import Action, Status
from hotline.tickets.models import Ticket
from hotline.web.auth import login_required, me, page_user
from hotline.web.blueprint import bp
from hotline.web.common import departments
from hotline.web.tickets import move_forms

DESK_ROLES = (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)
QUEUE_LABELS = {"dispatch": "待派单", "returns": "待审退单", "review": "待审核答复", "duplicates": "疑似重复待定"}
QUEUE_MOVES = {"dispatch": (Action.DISPATCH, Action.MERGE),
               "returns": (Action.APPROVE_RETURN, Action.REJECT_RETURN),
               "review": (Action.ACCEPT_REPLY, Action.SEND_BACK),
               "duplicates": (Action.MERGE, Action.DISPATCH)}


def redispatch_values(ticket: Ticket, returned: dict[str, Any] | None) -> dict[str, Any]:
    """The dispatch form's defaults: after an approved return the unit the returning one suggested,
    else the model's top suggestion."""
    if ticket.status == Status.PENDING_DISPATCH and returned and returned.get("suggested_department"):
        return {"department": returned["suggested_department"]}
    top = (ticket.suggestions or [{}])[0].get("department")
    return {"department": top} if top else {}


def _forms(item: desk.DeskItem, user: User, name: str) -> list[dict[str, Any]]:
    choices = {}
    if item.duplicates:
        choices["into"] = [(str(d["id"]), f"{d.get('number', d['id'])}（{d.get('status_label') or ''}）")
                           for d in item.duplicates if "id" in d]
    wanted = QUEUE_MOVES[name]
    forms = [f for f in move_forms(item.ticket, user, choices=choices,
                                   values=redispatch_values(item.ticket, item.returned))
             if f["action"] in wanted and (f["action"] is not Action.MERGE or item.duplicates)]
    return sorted(forms, key=lambda f: wanted.index(f["action"]))


@bp.get("/desk")
@login_required(*DESK_ROLES)
def dispatch_desk() -> Any:
    """The queues and their counts; ?queue= picks one (待派单 first)."""
    db, user, now = db_session(), me(), utcnow()
    name = request.args.get("queue", "dispatch")
    if name not in QUEUE_LABELS:
        name = "dispatch"
    counts = desk.queue_counts(db, user=user, now=now)
    g.desk_counts = counts
    items = [{"item": item, "forms": _forms(item, user, name)}
             for item in desk.queue(db, user=user, name=name, now=now)]
    html = render_template("web/desk.html", queue=name, labels=QUEUE_LABELS, desk_queue_counts=counts, items=items,
                           back=url_for("web.dispatch_desk", queue=name), names=dict(departments()))
    db.commit()
    return html


@bp.app_context_processor
def _desk_counts() -> dict[str, Any]:
    def counts() -> dict[str, int]:
        user = page_user()
        if user is None or user.role == Role.DEPARTMENT:
            return {}
        return _counts(user)

    return {"desk_counts": counts, "desk_labels": QUEUE_LABELS}


def _counts(user: User) -> dict[str, int]:
    """The header's queue counts: the desk page's own when it computed them, else the cheap ones
    (the duplicate count needs a similarity search per waiting ticket, so only the desk shows it)."""
    if "desk_counts" not in g:
        g.desk_counts = desk.queue_counts(db_session(), user=user, now=utcnow(), duplicates=False)
    return g.desk_counts
