"""GET /followups/queue: the follow-up callers' queue, ordered by the task's due time, with attempts."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import func

from hotline.auth.web import current_user, require
from hotline.clock import iso, utcnow
from hotline.db import paginate, session
from hotline.departments.roles import Role
from hotline.errors import ValidationError
from hotline.followups import service
from hotline.followups.models import FollowUpTask
from hotline.tickets.models import Ticket
from hotline.tickets.serialize import ticket_json
from hotline.validation import paging_args

bp = Blueprint("followups_api", __name__, url_prefix="/api/v1/followups")


@bp.get("/queue")
@require(Role.FOLLOWUP, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN)
def queue():  # type: ignore[no-untyped-def]
    """Tickets awaiting follow-up, by due time; ``ready=true`` keeps those whose next call window is open."""
    ready = request.args.get("ready", "")
    if ready not in ("", "0", "1", "true", "false"):
        raise ValidationError("ready 只能是 true 或 false")
    page, per_page = paging_args()
    now = utcnow()
    waiting = service.queue_query(ready_at=now if ready in ("1", "true") else None)
    db = session()
    rows, total = paginate(db, waiting.order_by(func.coalesce(FollowUpTask.due_at, Ticket.follow_up_due_at),
                                                Ticket.id), page=page, per_page=per_page)
    windows = service.windows_of(current_app.config)
    plans = service.attempt_plan(db, [ticket for ticket, _task in rows], now=now, windows=windows)
    user = current_user()
    max_attempts = current_app.config["FOLLOW_UP_MAX_ATTEMPTS"]
    items = []
    for ticket, task in rows:
        tried, nxt = plans[ticket.id]
        due = task.due_at if task is not None else ticket.follow_up_due_at
        items.append(ticket_json(ticket, user) | {"task": {
            "id": task.id if task is not None else None, "due_at": iso(due),
            "attempts": ticket.follow_up_attempts, "max_attempts": max_attempts,
            "attempt_times": [iso(t) for t in tried], "next_attempt_at": iso(nxt), "ready": nxt <= now,
            "overdue": due is not None and due < now}})
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})
