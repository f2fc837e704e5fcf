"""访问日志: the access log for supervisors and admins, filtered and paged; read-only like the API."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request
from sqlalchemy import select

from hotline.db import session as db_session
from hotline.departments.models import User
from hotline.departments.roles import PERSON_ROLES, Role
from hotline.errors import ValidationError
from hotline.privacy import access_log
from hotline.web.auth import login_required
from hotline.web.blueprint import bp
from hotline.web.common import page_size

READERS = (Role.SUPERVISOR, Role.ADMIN)  # as GET /api/v1/access-log


@bp.get("/supervision/access-log")
@login_required(*READERS)
def access_log_page() -> Any:
    """Who saw which caller's data or exported what: filters by user, ticket, action and dates."""
    db = db_session()
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
    per_page = page_size()
    status = 200
    try:
        filters = access_log.parse_filters(db, request.args)
        entries, total = access_log.read_log(db, filters=filters, page=page_no, per_page=per_page)
    except ValidationError as exc:
        flash(exc.message, "error")
        entries, total, status = [], 0, 422
    people = db.scalars(select(User).where(User.role.in_([r.value for r in PERSON_ROLES]))
                        .order_by(User.role, User.username))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    html = render_template("web/access_log.html", entries=entries, total=total, page=page_no,
                           pages=max(1, -(-total // per_page)), args=args, values=request.args,
                           users=[(u.username, u.display_name) for u in people],
                           actions=list(access_log.ACTION_LABELS.items()), describe=access_log.describe)
    return html, status
