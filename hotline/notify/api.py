"""GET /api/v1/notifications (with unread counts), POST /api/v1/notifications/{id}/read and /read-all."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from hotline.auth.web import current_user, require
from hotline.clock import iso, utcnow
from hotline.db import session
from hotline.errors import ValidationError
from hotline.notify import service
from hotline.notify.models import Notification
from hotline.validation import paging_args

bp = Blueprint("notify_api", __name__, url_prefix="/api/v1/notifications")


def notification_json(row: Notification) -> dict[str, Any]:
    """One inbox entry as the API returns it."""
    return {"id": row.id, "kind": row.kind, "title": row.title, "body": row.body, "ticket_id": row.ticket_id,
            "inbox": "department" if row.department_id is not None else "user", "data": row.data or {},
            "created_at": iso(row.created_at), "read": row.read_at is not None, "read_at": iso(row.read_at)}


@bp.get("")
@require()
def index():  # type: ignore[no-untyped-def]
    """The caller's inbox (own and department's), newest first, with unread counts."""
    unread = request.args.get("unread", "")
    if unread not in ("", "0", "1", "true", "false"):
        raise ValidationError("unread 只能是 true 或 false")
    page, per_page = paging_args()
    db, user = session(), current_user()
    rows, total = service.inbox(db, user=user, unread_only=unread in ("1", "true"), page=page, per_page=per_page)
    return jsonify({"items": [notification_json(r) for r in rows], "page": page, "per_page": per_page,
                    "total": total, "unread": service.unread_counts(db, user=user)})


@bp.post("/<int:notification_id>/read")
@require()
def read(notification_id: int):  # type: ignore[no-untyped-def]
    """Mark one entry read."""
    db, user = session(), current_user()
    row = service.mark_read(db, user=user, notification_id=notification_id, now=utcnow())
    body = {"notification": notification_json(row), "unread": service.unread_counts(db, user=user)}
    db.commit()
    return jsonify(body)


@bp.post("/read-all")
@require()
def read_all():  # type: ignore[no-untyped-def]
    """Mark every unread entry of the caller's inboxes read."""
    db, user = session(), current_user()
    marked = service.mark_all_read(db, user=user, now=utcnow())
    body = {"marked": marked, "unread": service.unread_counts(db, user=user)}
    db.commit()
    return jsonify(body)
