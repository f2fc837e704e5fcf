"""受理台: the intake form, the live help panel and the new ticket with the operator's next moves."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, session, url_for

from hotline.casework import intake
from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.districts import district_names
from hotline.departments.roles import Role
from hotline.dispatching.urgency import suggest_urgency
from hotline.errors import ApiError, ValidationError
from hotline.held import hold_until_commit
from hotline.supervision.duplicates import at_intake
from hotline.tickets import service
from hotline.tickets.enums import Action, Channel, Kind, Status, Urgency
from hotline.tickets.rules import rules_at
from hotline.tickets.schemas import CREATE
from hotline.web import assist
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_message
from hotline.web.common import departments
from hotline.web.console_help import EMERGENCY_SERVICES
from hotline.web.forms import checked, flash_text, label
from hotline.web.tickets import move_forms, shown_caller

INTAKE_ROLES = (Role.OPERATOR, Role.DISPATCHER)
INTAKE_FIELDS = {name: spec for name, spec in CREATE.items() if name != "assisting"}
DUPLICATE_KEYS = ("duplicates", "possible_duplicates")
# The operator's moves on a new ticket, in the order they are usually chosen.
CONSOLE_ORDER = [Action.RESOLVE_ON_CALL, Action.DISPATCH, Action.TRANSFER_EMERGENCY, Action.MARK_INVALID,
                 Action.MERGE]


def _options() -> dict[str, Any]:
    return {"channels": [(c.value, label(c)) for c in Channel], "kinds": [(k.value, label(k)) for k in Kind],
            "urgencies": [(u.value, label(u)) for u in Urgency],
            "districts": [(d, d) for d in district_names(db_session())],
            "departments": departments(), "emergency_services": list(EMERGENCY_SERVICES.items())}


@bp.get("/console")
@login_required(*INTAKE_ROLES)
def console() -> Any:
    """The empty intake form; the idempotency key makes a double submit create one ticket."""
    return render_template("web/console.html", key=uuid.uuid4().hex, values={}, **_options())


def _trim(items: Any, keys: tuple[str, ...], limit: int = 5) -> list[dict[str, Any]]:
    # What rides in the session cookie until the result page is shown: a few short fields only.
    if not isinstance(items, list):
        return []
    return [{k: item[k] for k in keys if isinstance(item.get(k), str | int | float | bool)}
            for item in items[:limit] if isinstance(item, dict)]


def _stash(extras: dict[str, Any]) -> dict[str, Any]:
    dups = next((extras[k] for k in DUPLICATE_KEYS if k in extras), None)
    auto = extras.get("auto_dispatch")
    return {"duplicates": _trim(dups, ("id", "number", "status", "score", "reason")),
            "auto_dispatch": _trim([auto], ("by", "department", "confidence"))[0] if isinstance(auto, dict)
            else None}


@bp.post("/console")
@login_required(*INTAKE_ROLES)
def console_create() -> Any:
    """受理: create the ticket through the same intake service as the API."""
    form = request.form
    key = (form.get("idempotency_key") or "").strip()[:100] or None
    db = db_session()
    try:
        data = checked(form, INTAKE_FIELDS)
        hold_until_commit(db)  # as the API's intake: the side rows go in one statement at the commit
        result = intake.receive_with_help(db, data=data, actor=me(), rules=rules_at(db, utcnow()),
                                          idempotency_key=key)
        db.commit()
    except ApiError as exc:
        db.rollback()
        if exc.code == "idempotency_key_reused":  # the form was submitted before (Back button), then edited
            flash("此表单已提交过一次，内容有改动：请核对后再次提交以受理为新工单", "error")
            key = None
        else:
            flash(flash_text(exc) if isinstance(exc, ValidationError) else error_message(exc), "error")
        return render_template("web/console.html", key=key or uuid.uuid4().hex, values=form, **_options()), 422
    if result.created:
        session["intake"] = {"ticket_id": result.ticket.id, **_stash(result.extras)}
        flash(f"已受理，工单编号 {result.ticket.number}", "success")
    return redirect(url_for("web.console_ticket", ticket_id=result.ticket.id))


@bp.get("/console/tickets/<int:ticket_id>")
@login_required(*INTAKE_ROLES)
def console_ticket(ticket_id: int) -> Any:
    """The ticket just received, what the intake found, and 直办 / 派单 / 转办 / 无效."""
    db, user = db_session(), me()
    ticket = service.get_visible(db, user=user, ticket_id=ticket_id)
    stash = session.get("intake") or {}
    if stash.get("ticket_id") != ticket.id:
        # Not received in this browser (an online request under review): the same duplicate check again.
        stash = {"duplicates": _trim(duplicates_for(db, ticket, user), ("id", "number", "status", "score", "reason"))}
    # Suggestions are stored on the ticket and the search is repeatable; only the rest was stashed.
    extras = {"duplicates": [], "auto_dispatch": None, **stash,
              "suggestions": ticket.suggestions or [], "kb": assist.kb_matches(ticket.content)}
    hint = suggest_urgency(ticket.content)
    extras["urgency_hint"] = hint if hint and hint.urgency != ticket.urgency else None
    extras["answer_first"] = (ticket.kind == Kind.CONSULTATION and ticket.status == Status.RECEIVED
                              and intake.strong_match(extras["kb"]))
    names = dict(departments())
    article_choices = [(str(a["id"]), a.get("title", a["id"])) for a in extras["kb"] if "id" in a]
    reported = ticket.reported_department.code if ticket.reported_department else None
    tops = [s["department"] for s in extras["suggestions"] if s.get("department") != reported]
    top = tops[0] if tops else None
    choices = {"article_id": article_choices} if article_choices else {}
    if extras["duplicates"]:
        choices["into"] = [(str(d["id"]), f"{d.get('number', d['id'])}（{label(d.get('status', ''))}）")
                           for d in extras["duplicates"] if "id" in d]
    forms = sorted(move_forms(ticket, user, choices=choices, values={"department": top}),
                   key=lambda f: CONSOLE_ORDER.index(f["action"]) if f["action"] in CONSOLE_ORDER else 99)
    caller = shown_caller(user, ticket, "view_ticket")
    page = render_template("web/console_ticket.html", t=ticket, caller=caller, extras=extras, names=names,
                           forms=forms)
    db.commit()
    return page


def duplicates_for(db: Any, ticket: Any, user: Any) -> list[dict[str, Any]]:
    """Possible duplicates of a ticket the operator still decides on (none once it has moved on)."""
    if ticket.status not in (Status.RECEIVED, Status.PENDING_DISPATCH):
        return []
    return at_intake(db, ticket=ticket, now=utcnow(), viewer=user)


def _text() -> str:
    """The typed complaint, from the POST body (JSON or form): never a URL, which access logs keep."""
    body = request.get_json() if request.is_json else request.form
    text = body.get("text") if hasattr(body, "get") else None
    if text is not None and not isinstance(text, str):
        raise ValidationError("text 必须是字符串", details=[{"field": "text", "message": "必须是字符串"}])
    return (text or "")[:2000]


@bp.post("/console/assist/suggestions")
@login_required(*INTAKE_ROLES)
def assist_suggestions() -> Any:
    """Dispatch suggestions for the text being typed (JSON for the side panel; CSRF-checked POST)."""
    text = _text()
    hint = suggest_urgency(text)
    return jsonify({"items": assist.suggestions(text),
                    "urgency": {"urgency": hint.urgency.value, "label": label(hint.urgency), "reason": hint.reason}
                    if hint else None})


@bp.post("/console/assist/kb")
@login_required(*INTAKE_ROLES)
def assist_kb() -> Any:
    """Knowledge-base matches for the text being typed (JSON for the side panel; CSRF-checked POST)."""
    return jsonify({"items": assist.kb_matches(_text())})
