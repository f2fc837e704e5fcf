"""回访队列: tickets awaiting a follow-up call, the most urgent first, each with its form inline."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import func, select

from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.tickets.enums import Action, Status
from hotline.tickets.models import Ticket
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp
from hotline.web.common import departments, page_size
from hotline.web.forms import action_widgets
from hotline.web.tickets import available_moves, shown_caller

QUEUE_ROLES = (Role.FOLLOWUP, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN)  # as GET /api/v1/followups/queue


@bp.get("/followups")
@login_required(*QUEUE_ROLES)
def followups() -> Any:
    """The queue, ordered by follow-up due time."""
    db, user = db_session(), me()
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
    per_page = page_size()
    waiting = select(Ticket).where(Ticket.status == Status.AWAITING_FOLLOW_UP.value)
    total = db.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    rows = list(db.scalars(waiting.order_by(Ticket.follow_up_due_at, Ticket.id)
                           .offset((page_no - 1) * per_page).limit(per_page)))
    form = action_widgets(Action.FOLLOW_UP, departments=departments(),
                          values={"reached": "true", "contacted": "true"})
    items = [{"t": t, "caller": shown_caller(user, t, "view_followup_queue"),
              "can_follow_up": Action.FOLLOW_UP in available_moves(t, user)} for t in rows]
    html = render_template("web/followups.html", items=items, total=total, page=page_no,
                           pages=max(1, -(-total // per_page)), form=form, now=utcnow())
    db.commit()
    return html
