"""月度报告: the supervision monthly report as a page behind the page login."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from hotline.clock import local, utcnow
from hotline.db import session
from hotline.errors import ValidationError
from hotline.supervision import report
from hotline.supervision.api import VIEWERS
from hotline.web.auth import login_required
from hotline.web.blueprint import bp, error_page


@bp.get("/reports/monthly")
@login_required(*VIEWERS)
def monthly_report() -> Any:
    """The printable monthly report (?month=YYYY-MM, this month by default)."""
    month = request.args.get("month") or f"{local(utcnow()):%Y-%m}"
    try:
        data = report.monthly(session(), month=month, now=utcnow())
    except ValidationError as exc:
        return error_page(400, exc.message)
    return Response(report.render(data), mimetype="text/html")
