"""GET /api/v1/access-log: the access log for supervisors and admins, read-only (no route changes it)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from hotline.auth.web import require
from hotline.db import session
from hotline.departments.roles import Role
from hotline.privacy import access_log
from hotline.validation import paging_args

bp = Blueprint("access_log_api", __name__, url_prefix="/api/v1/access-log")
READERS = (Role.SUPERVISOR, Role.ADMIN)


@bp.get("")
@require(*READERS)
def index():  # type: ignore[no-untyped-def]
    """Who saw which caller's data or exported what, newest first (user, ticket, action, from, to, paging)."""
    db = session()
    filters = access_log.parse_filters(db, request.args)
    page, per_page = paging_args()
    entries, total = access_log.read_log(db, filters=filters, page=page, per_page=per_page)
    return jsonify({"items": [e.as_json() for e in entries], "page": page, "per_page": per_page, "total": total})
