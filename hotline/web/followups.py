"""回访队列: tickets awaiting a follow-up call, the most urgent first, each with its form inline."""

from __future__ import annotations

from datetime import datetime
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
from hotline.web.forms import Widget, action_widgets
from hotline.web.tickets import available_moves

READY_SCAN = 500  # the 可拨打 tab plans this many waiting tickets, the most urgent first
# The outcome form as questions put to the caller, each answer saying what it records.
QUESTIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "reached": ("本次电话是否接通？", [("true", "接通了，已与诉求人通话"), ("false", "未接通（记一次未接通）")]),
    "contacted": ("承办单位是否联系过您？", [("true", "联系过"), ("false", "没有联系过")]),
    "solved": ("您反映的问题解决了吗？", [("solved", "已解决"), ("partly", "部分解决"), ("unsolved", "没有解决")]),
    "satisfaction": ("您对办理结果满意吗？", [("satisfied", "满意"), ("basically", "基本满意"),
                                             ("dissatisfied", "不满意")]),
    "unit_fault": ("不满意是否因承办单位办理不到位？", [("true", "是，退回承办单位重办"),
                                                       ("false", "否，如实记录后办结")]),
}
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
    windows = service.windows_of(current_app.config)
    waiting = service.queue_query(ready_at=now if ready else None).order_by(
        func.coalesce(FollowUpTask.due_at, Ticket.follow_up_due_at), Ticket.id)
    if ready:
        rows, total, plans = _callable_now(db, waiting, now=now, windows=windows, page=page_no, per_page=per_page)
    else:
        rows, total = paginate(db, waiting, page=page_no, per_page=per_page)
        plans = service.attempt_plan(db, [t for t, _task in rows], now=now, windows=windows)
    revealed = session.pop(REVEALED, None)  # the one number just revealed (and logged), shown once
    form = questions(action_widgets(Action.FOLLOW_UP, departments=departments(), values={"reached": "true"}))
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


def questions(form: list[Widget]) -> list[Widget]:
    """The follow-up inputs with the questions a caller is asked and answers that say what they record."""
    for w in form:
        if w.name in QUESTIONS:
            w.label, w.choices = QUESTIONS[w.name]
            w.kind = "select"
    return form


def _callable_now(db: Any, waiting: Any, *, now: datetime, windows: Any, page: int,
                  per_page: int) -> tuple[list[Any], int, dict[int, Any]]:
    """One page of the tickets whose next attempt is due now (in a calling window, not too soon after
    the last unanswered call), the total, and the plans."""
    rows = db.execute(waiting.limit(READY_SCAN)).all()
    plans = service.attempt_plan(db, [t for t, _task in rows], now=now, windows=windows)
    due = [(t, task) for t, task in rows if plans[t.id][1] <= now]
    return due[(page - 1) * per_page:page * per_page], len(due), plans
