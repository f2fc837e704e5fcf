"""GET /followups/queue: tickets waiting for a follow-up call, the most urgent first."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select

from hotline.auth.web import current_user, require
from hotline.db import session
from hotline.departments.roles import Role
from hotline.tickets.enums import Status
from hotline.tickets.models import Ticket
from hotline.tickets.serialize import ticket_json
from hotline.validation import int_arg

bp = Blueprint("followups_api", __name__, url_prefix="/api/v1/followups")


@bp.get("/queue")
@require(Role.FOLLOWUP, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN)
def queue():  # type: ignore[no-untyped-def]
    """Tickets awaiting follow-up, ordered by their follow-up due time."""
    page = int_arg("page", 1, high=100000)
    per_page = int_arg("per_page", 20, high=current_app.config["PAGE_SIZE_MAX"])
    waiting = select(Ticket).where(Ticket.status == Status.AWAITING_FOLLOW_UP.value)
    db = session()
    total = db.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    rows = db.scalars(waiting.order_by(Ticket.follow_up_due_at, Ticket.id)
                      .offset((page - 1) * per_page).limit(per_page))
    user = current_user()
    return jsonify({"items": [ticket_json(t, user) for t in rows], "page": page, "per_page": per_page,
                    "total": total})
