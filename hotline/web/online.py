"""网上诉求: requests from the citizen channels waiting for the operator's review (oldest first)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from hotline.citizen.submit import online_queue
from hotline.clock import utcnow
from hotline.db import paginate
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.tickets.serialize import mask_phone
from hotline.web.auth import login_required
from hotline.web.blueprint import bp
from hotline.web.common import page_size


@bp.get("/console/online")
@login_required(Role.OPERATOR, Role.DISPATCHER)
def online_requests() -> Any:
    """The queue of online requests; each opens the operator's review (受理台) with its moves."""
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) <= 100000 else 1
    per_page = page_size()
    rows, total = paginate(db_session(), online_queue(), page=page_no, per_page=per_page)
    now = utcnow()
    items = [{"t": t, "phone": mask_phone(t.caller_phone), "waited_hours": (now - t.received_at).total_seconds() / 3600}
             for t in rows]
    return render_template("web/online.html", items=items, total=total, page=page_no,
                           pages=max(1, -(-total // per_page)))
