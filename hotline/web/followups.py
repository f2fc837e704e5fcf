"""回访队列: tickets awaiting a follow-up call, the most urgent first, each with its form inline."""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from sqlalchemy import func

from hotline.auth.service import log_access
from hotline.clock import utcnow
from hotline.db import paginate
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.followups import service
from hotline.followups.models import FollowUpTask
from hotline.tickets import service as tickets
from hotline.tickets.enums import Action
from hotline.tickets.models import Ticket
from hotline.tickets.serialize import caller_json, identity_hidden, shows_unmasked
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, safe_next
from hotline.web.common import departments, page_size
from hotline.web.forms import action_widgets
from hotline.web.tickets import available_moves

QUEUE_ROLES = (Role.FOLLOWUP, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN)  # as GET /api/v1/followups/queue
REVEAL_ROLES = (Role.FOLLOWUP, Role.ADMIN)  # queue roles with the unmask right
REVEALED = "revealed_phone"


@bp.get("/followups")
@login_required(*QUEUE_ROLES)
def followups() -> Any:
    """The queue as GET /api/v1/followups/queue orders it; ready=1 keeps those that may be called now."""
    db, user, now = db_session(), me(), utcnow()
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
    ready = request.args.get("ready") == "1"
    per_page = page_size()
    waiting = service.queue_query(ready_at=now if ready else None)
    rows, total = paginate(db, waiting.order_by(func.coalesce(FollowUpTask.due_at, Ticket.follow_up_due_at),
                                                Ticket.id), page=page_no, per_page=per_page)
    plans = service.attempt_plan(db, [t for t, _task in rows], now=now,
                                 windows=service.windows_of(current_app.config))
    revealed = session.pop(REVEALED, None)  # the one number just revealed (and logged), shown once
    form = action_widgets(Action.FOLLOW_UP, departments=departments(),
                          values={"reached": "true", "contacted": "true"})
    items = [{"t": t, "due": task.due_at if task is not None else t.follow_up_due_at,
              "tried": plans[t.id][0], "next_at": plans[t.id][1],
              "caller": caller_json(user, t, reveal=t.id == revealed), "revealed": t.id == revealed,
              "can_reveal": bool(t.caller_phone) and shows_unmasked(user, t) and not identity_hidden(user, t),
              "can_follow_up": Action.FOLLOW_UP in available_moves(t, user)} for t, task in rows]
    html = render_template("web/followups.html", items=items, total=total, page=page_no, ready=ready,
                           pages=max(1, -(-total // per_page)), form=form, now=now,
                           max_attempts=current_app.config["FOLLOW_UP_MAX_ATTEMPTS"])
    db.commit()
    return html


@bp.post("/followups/<int:ticket_id>/reveal-phone")
@login_required(*REVEAL_ROLES)
def followup_reveal(ticket_id: int) -> Any:
    """显示/拨打号码: one ticket's full number, written to the access log, then shown once on the queue."""
    db, user = db_session(), me()
    ticket = tickets.get_visible(db, user=user, ticket_id=ticket_id)
    if ticket.caller_phone and shows_unmasked(user, ticket) and not identity_hidden(user, ticket):
        log_access(db, user=user, action="reveal_phone", ticket_id=ticket.id, now=utcnow())
        session[REVEALED] = ticket.id
    db.commit()
    back = safe_next(request.form.get("next")) or url_for("web.followups")
    return redirect(f"{back}#followup-{ticket.id}")
