"""Open311 GeoReport v2 (read-only): request kinds as services, tickets as requests, no personal data.

Confidential tickets and reports (举报) are never public; descriptions pass through scrub_public_text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from hotline.clock import LOCAL_TZ, iso
from hotline.db import session
from hotline.errors import NotFound, ValidationError
from hotline.privacy.scrub import scrub_public_text
from hotline.tickets.enums import LABELS, OPEN_STATUSES, Kind, Status
from hotline.tickets.models import Ticket
from hotline.validation import datetime_value, int_arg

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

HIDDEN = (Status.MERGED, Status.TRANSFERRED)


def request_json(ticket: Ticket) -> dict[str, Any]:
    """One ticket as an Open311 service request (no caller, no street address)."""
    return {
        "service_request_id": ticket.number, "status": "open" if ticket.status in OPEN_STATUSES else "closed",
        "status_notes": LABELS.get(ticket.status), "service_name": LABELS.get(ticket.kind),
        "service_code": ticket.kind, "description": scrub_public_text(ticket.content)[:500],
        "agency_responsible": ticket.department.name if ticket.department else None,
        "service_notice": None, "requested_datetime": iso(ticket.received_at),
        "updated_datetime": iso(ticket.updated_at), "expected_datetime": iso(ticket.reply_due_at),
        "address": ticket.district, "zipcode": None, "lat": None, "long": None,
    }


def _public() -> Any:
    """Tickets anyone may see: not confidential, not a report (举报), not about a department, valid, live."""
    return select(Ticket).where(Ticket.confidential.is_(False), Ticket.invalid.is_(False),
                                Ticket.kind != Kind.REPORT.value, Ticket.reported_department_id.is_(None),
                                Ticket.status.not_in([s.value for s in HIDDEN]))


def _date(name: str) -> datetime | None:
    raw = request.args.get(name)
    return datetime_value(raw, name, tz=LOCAL_TZ) if raw else None


@bp.get("/services.json")
def services():  # type: ignore[no-untyped-def]
    """The request kinds, as Open311 services."""
    return jsonify([{"service_code": kind.value, "service_name": LABELS[kind.value], "description":
                     f"12345 热线{LABELS[kind.value]}类诉求", "metadata": False, "type": "realtime",
                     "keywords": LABELS[kind.value], "group": "12345"} for kind in Kind])


@bp.get("/requests.json")
def requests_index():  # type: ignore[no-untyped-def]
    """Public requests, newest first (service_code, status, start_date, end_date, page)."""
    query = _public()
    if request.args.get("service_code"):
        query = query.where(Ticket.kind.in_(request.args["service_code"].split(",")))
    status = request.args.get("status")
    if status not in (None, "", "open", "closed"):
        raise ValidationError("status 只能是 open 或 closed")
    if status:
        opened = Ticket.status.in_([s.value for s in OPEN_STATUSES])
        query = query.where(opened if status == "open" else ~opened)
    start, end = _date("start_date"), _date("end_date")
    if start:
        query = query.where(Ticket.received_at >= start)
    if end:
        query = query.where(Ticket.received_at < end)
    page = int_arg("page", 1, high=100000)
    rows = session().scalars(query.order_by(Ticket.id.desc()).offset((page - 1) * 50).limit(50))
    return jsonify([request_json(t) for t in rows])


@bp.get("/requests/<service_request_id>.json")
def requests_show(service_request_id: str):  # type: ignore[no-untyped-def]
    """One public request by its number."""
    ticket = session().scalar(_public().where(Ticket.number == service_request_id))
    if ticket is None:
        raise NotFound(f"诉求 {service_request_id} 不存在或不公开")
    return jsonify([request_json(ticket)])
