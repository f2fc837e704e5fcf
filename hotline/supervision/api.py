"""HTTP API of the rates: metrics, drill-down, ranking, monthly report and exports (supervisors and the centre)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select

from hotline.auth.service import log_access
from hotline.auth.web import current_user, require
from hotline.clock import local, utcnow
from hotline.db import session
from hotline.departments.models import Department
from hotline.departments.roles import Role
from hotline.errors import ValidationError
from hotline.supervision import exports, fact_queries, periods, rates, report, snapshots
from hotline.supervision.ranking import rank
from hotline.tickets.enums import LABELS
from hotline.tickets.models import Ticket
from hotline.validation import paging_args

bp = Blueprint("metrics_api", __name__, url_prefix="/api/v1/metrics", template_folder="templates")
VIEWERS = (Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER)


def _period() -> periods.Period:
    return periods.parse(request.args.get("from"), request.args.get("to"), today=local(utcnow()).date())


def _group_by() -> str:
    return rates.check_group_by(request.args.get("group_by") or "department")


def _document() -> dict[str, Any]:
    source = request.args.get("source") or "live"
    if source not in ("live", "snapshot"):
        raise ValidationError("source 只能是 live 或 snapshot", details=[{"field": "source"}])
    if source == "snapshot":
        return snapshots.from_snapshots(session(), period=_period(), group_by=_group_by())
    return rates.metrics(session(), period=_period(), group_by=_group_by(), now=utcnow()) | {"source": "live"}


@bp.get("")
@require(*VIEWERS)
def index():  # type: ignore[no-untyped-def]
    """Every rate of DESIGN section 6 with its counts, per group (from, to, group_by, source=live|snapshot)."""
    return jsonify(_document())


@bp.get("/tickets")
@require(*VIEWERS)
def drill_down():  # type: ignore[no-untyped-def]
    """The tickets behind one number (metric, group_by, group, from, to, page, per_page)."""
    metric = request.args.get("metric") or ""
    group = request.args.get("group")
    group_by = _group_by() if group else None
    period = _period()
    numerator, denominator = rates.drill_terms(metric)
    page, per_page = paging_args(default_per_page=50, max_per_page=500)
    found = fact_queries.drill(session(), period=period, now=utcnow(), numerator=numerator,
                               denominator=denominator, group_by=group_by, group=group, page=page,
                               per_page=per_page)
    _attach_tickets(found["items"])
    return jsonify({**period.as_json(), "metric": metric, "group_by": group_by, "group": group,
                    "counted": found["counted"], "denominator": found["denominator"],
                    "total": found["total"], "page": page, "per_page": per_page, "items": found["items"]})


def _attach_tickets(items: list[dict[str, Any]]) -> None:
    ids = {i["ticket_id"] for i in items}
    rows = session().execute(
        select(Ticket.id, Ticket.number, Ticket.status, Ticket.district, Ticket.content, Department.code)
        .outerjoin(Department, Department.id == Ticket.department_id).where(Ticket.id.in_(ids))).all()
    by_id = {r.id: r for r in rows}
    for item in items:
        r = by_id[item["ticket_id"]]
        item.update({"number": r.number, "status": r.status, "status_label": LABELS.get(r.status),
                     "department": r.code, "district": r.district, "summary": r.content[:60]})


@bp.get("/ranking")
@require(*VIEWERS)
def ranking():  # type: ignore[no-untyped-def]
    """Departments ranked by score within their category, rates beside, red/yellow flags."""
    doc = rates.metrics(session(), period=_period(), group_by="department", now=utcnow())
    return jsonify({"from": doc["from"], "to": doc["to"], "weights": doc["weights"],
                    "categories": rank(doc["rows"], current_app.config["SUPERVISION"])})


@bp.get("/report")
@require(*VIEWERS)
def monthly_report():  # type: ignore[no-untyped-def]
    """The monthly report (month=YYYY-MM, format=html|json); the HTML prints on A4."""
    month = request.args.get("month") or f"{local(utcnow()):%Y-%m}"
    fmt = request.args.get("format") or "html"
    if fmt not in ("html", "json"):
        raise ValidationError("format 只能是 html 或 json", details=[{"field": "format"}])
    data = report.monthly(session(), month=month, now=utcnow())
    if fmt == "json":
        return jsonify(data)
    return Response(report.render(data), mimetype="text/html")


@bp.get("/export")
@require(*VIEWERS)
def export():  # type: ignore[no-untyped-def]
    """The metrics rows as csv or xlsx (format=csv|xlsx); every export is written to the access log."""
    fmt = request.args.get("format") or "csv"
    if fmt not in ("csv", "xlsx"):
        raise ValidationError("format 只能是 csv 或 xlsx", details=[{"field": "format"}])
    doc = _document()
    body = exports.to_csv(doc) if fmt == "csv" else exports.to_xlsx(doc)
    db = session()
    log_access(db, user=current_user(), action="export_metrics", now=utcnow(),
               detail={"format": fmt, "from": doc["from"], "to": doc["to"], "group_by": doc["group_by"],
                       "rows": len(doc["rows"])})
    db.commit()
    name = f"metrics_{doc['group_by']}_{doc['from']}_{doc['to']}.{fmt}"
    mimetype = ("text/csv; charset=utf-8" if fmt == "csv"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def blueprints() -> tuple[Blueprint, ...]:
    """Every blueprint of supervision, for hotline.routes."""
    from hotline.supervision.cases_api import bp as cases_bp

    return bp, cases_bp
