"""HTTP API of tickets: thin views that validate, call the service and commit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from hotline.auth.service import log_access
from hotline.auth.web import current_user, require
from hotline.casework import intake, moves
from hotline.clock import utcnow
from hotline.db import session
from hotline.departments.roles import INTAKE_ROLES, UNMASK_ROLES
from hotline.errors import NotFound, ValidationError
from hotline.held import hold_until_commit
from hotline.openapi import documented, object_schema
from hotline.tickets import service
from hotline.tickets.enums import LABELS, Action, Status
from hotline.tickets.rules import rules_at
from hotline.tickets.schemas import ACTION_BY_SLUG, ACTIONS, COMMON_FIELDS, CREATE, split_action_body
from hotline.tickets.serialize import caller_json, shows_unmasked, ticket_json
from hotline.validation import json_body, paging_args, validate

bp = Blueprint("tickets_api", __name__, url_prefix="/api/v1/tickets")


def _log_unmasked(ticket: Any, action: str) -> None:
    user = current_user()
    if shows_unmasked(user, ticket):
        log_access(session(), user=user, action=action, ticket_id=ticket.id, now=utcnow())


@bp.post("")
@require(*sorted(INTAKE_ROLES))
@documented(CREATE, status=(201, 200))
def create():  # type: ignore[no-untyped-def]
    """受理: create a ticket (honours Idempotency-Key)."""
    data = validate(json_body(), CREATE)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 100:
        raise ValidationError("Idempotency-Key 长度须在 1 到 100 之间")
    db = session()
    hold_until_commit(db)  # nothing here reads back the new ticket's side rows: one statement at the commit
    result = intake.receive_with_help(db, data=data, actor=current_user(), rules=rules_at(db, utcnow()),
                                      idempotency_key=key)
    body = ticket_json(result.ticket, current_user(), reveal=True) | result.extras
    _log_unmasked(result.ticket, "view_ticket")
    db.commit()
    return jsonify(body), 201 if result.created else 200


@bp.get("")
@require()
def index():  # type: ignore[no-untyped-def]
    """List tickets the caller may see, with filters and paging."""
    overdue = request.args.get("overdue")
    if overdue not in (None, "", "true", "false", "1", "0"):
        raise ValidationError("overdue 只能是 true 或 false")
    status = request.args.get("status") or None
    if status and status not in set(Status):
        raise ValidationError(f"未知状态 {status}")
    filters = service.TicketFilter(status=status, department=request.args.get("department") or None,
                                   overdue=None if not overdue else overdue in ("true", "1"),
                                   q=(request.args.get("q") or "").strip()[:100] or None)
    page, per_page = paging_args()
    user = current_user()
    rows, total = service.list_tickets(session(), user=user, filters=filters, now=utcnow(), page=page,
                                       per_page=per_page)
    return jsonify({"items": [ticket_json(t, user) for t in rows], "page": page, "per_page": per_page,
                    "total": total})


@bp.get("/<int:ticket_id>")
@require()
def show(ticket_id: int):  # type: ignore[no-untyped-def]
    """One ticket with its events and deadlines."""
    db = session()
    ticket = service.get_visible(db, user=current_user(), ticket_id=ticket_id)
    body = ticket_json(ticket, current_user(), events=service.events_of(db, ticket), reveal=True)
    _log_unmasked(ticket, "view_ticket")
    db.commit()
    return jsonify(body)


@bp.post("/<int:ticket_id>/reveal-phone")
@require(*sorted(UNMASK_ROLES))
def reveal_phone(ticket_id: int):  # type: ignore[no-untyped-def]
    """显示号码: the caller's full phone number of one ticket, written to the access log."""
    db, user = session(), current_user()
    ticket = service.get_visible(db, user=user, ticket_id=ticket_id)
    caller = caller_json(user, ticket, reveal=True)
    _log_unmasked(ticket, "reveal_phone")
    db.commit()
    return jsonify({"id": ticket.id, "number": ticket.number, **caller})


def _action_body(action: Action) -> tuple[dict[str, Any], str | None, int | None]:
    raw = json_body()
    if action is Action.TRANSFER_EMERGENCY and isinstance(raw.get("service"), int):
        raw["service"] = str(raw["service"])
    return split_action_body(action, validate(raw, ACTIONS[action] | COMMON_FIELDS))


# Only the real action slugs match, so /tickets/{id}/duplicates and friends keep a true Allow header.
SLUGS = "any(" + ", ".join(f'"{slug}"' for slug in sorted(ACTION_BY_SLUG)) + ")"


@bp.post(f"/<int:ticket_id>/<{SLUGS}:slug>")
@require()
def perform(ticket_id: int, slug: str):  # type: ignore[no-untyped-def]
    """Make one move of DESIGN section 2 on the ticket."""
    action = ACTION_BY_SLUG.get(slug)
    if action is None:
        raise NotFound(f"未知操作 {slug}")
    db = session()
    ticket = service.get_visible(db, user=current_user(), ticket_id=ticket_id, for_update=True)
    data, note, version = _action_body(action)
    moves.act_with_hooks(db, user=current_user(), ticket=ticket, action=action,
                          rules=rules_at(db, utcnow()), data=data, note=note, version=version)
    body = ticket_json(ticket, current_user(), events=service.events_of(db, ticket))
    db.commit()
    return jsonify(body)


def document_actions(paths: dict[str, Any]) -> None:
    """Show each action as its own path with its own body in the OpenAPI document."""
    generic = paths.pop("/api/v1/tickets/{ticket_id}/{slug}", {}).get("post")
    if generic is None:
        return
    for action, fields in ACTIONS.items():
        op = {**generic, "summary": LABELS[action], "operationId": f"tickets.{action.value}",
              "parameters": [p for p in generic["parameters"] if p["name"] == "ticket_id"],
              "requestBody": {"required": False,
                              "content": {"application/json": {"schema": object_schema(fields | COMMON_FIELDS)}}}}
        paths[f"/api/v1/tickets/{{ticket_id}}/{action.slug}"] = {"post": op}
