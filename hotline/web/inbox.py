"""消息 (notifications inbox): the user's own and their department's entries, the unread count in the header."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.notify import service
from hotline.web.auth import login_required, me, page_user
from hotline.web.blueprint import bp, safe_next
from hotline.web.common import page_size

KIND_LABELS = {"reminder_warning": "临期提醒", "reminder_due": "到期提醒", "reminder_overdue": "超期提醒",
               "reminder_escalate": "督办", "kb_review": "知识库复核", "dispatch_monitor": "自动派单监控"}


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    def unread_total() -> int:
        user = page_user()
        return service.unread_counts(db_session(), user=user)["total"] if user is not None else 0

    return {"inbox_unread": unread_total}


@bp.get("/notifications")
@login_required()
def inbox() -> Any:
    """One page of the inbox, newest first; unread=1 keeps the unread ones."""
    db, user = db_session(), me()
    unread_only = request.args.get("unread") == "1"
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
    per_page = page_size()
    rows, total = service.inbox(db, user=user, unread_only=unread_only, page=page_no, per_page=per_page)
    return render_template("web/inbox.html", rows=rows, total=total, page=page_no, unread_only=unread_only,
                           pages=max(1, -(-total // per_page)), counts=service.unread_counts(db, user=user),
                           kinds=KIND_LABELS, args={"unread": "1"} if unread_only else {})


@bp.post("/notifications/<int:notification_id>/read")
@login_required()
def inbox_read(notification_id: int) -> Any:
    """Mark one entry read, then go on (to its ticket when asked, else back to the inbox)."""
    db = db_session()
    service.mark_read(db, user=me(), notification_id=notification_id, now=utcnow())
    db.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("web.inbox"))


@bp.post("/notifications/read-all")
@login_required()
def inbox_read_all() -> Any:
    """Mark every unread entry of the user's inboxes read."""
    db = db_session()
    marked = service.mark_all_read(db, user=me(), now=utcnow())
    db.commit()
    flash(f"已将 {marked} 条消息标为已读", "success")
    return redirect(url_for("web.inbox"))
