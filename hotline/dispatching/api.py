"""GET /classifier/suggest for the operator's typing; the dispatch catalogue for admins."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from hotline.auth.web import current_user, require
from hotline.clock import utcnow
from hotline.db import session
from hotline.departments.roles import Role
from hotline.dispatching import catalogue
from hotline.dispatching.models import DispatchRule
from hotline.dispatching.suggest import suggest_for_text
from hotline.errors import ValidationError
from hotline.openapi import documented
from hotline.tickets.enums import Kind
from hotline.validation import Field, choices, json_body, validate

bp = Blueprint("dispatching_api", __name__, url_prefix="/api/v1")

RULE = {
    "name": Field(str, required=True, max_len=100),
    "keywords": Field(str, max_len=1000),
    "category": Field(str, choices=choices(Kind)),
    "district": Field(str, max_len=40),
    "department": Field(str, required=True, max_len=40),
    "priority": Field(int, min_value=0),
}


@bp.get("/classifier/suggest")
@require(Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)
def suggest():  # type: ignore[no-untyped-def]
    """Top-3 departments for the text the operator is typing."""
    text = (request.args.get("text") or "").strip()
    if not text:
        raise ValidationError("text: 必填", details=[{"field": "text", "message": "必填"}])
    if len(text) > 5000:
        raise ValidationError("text: 不能超过 5000 字", details=[{"field": "text"}])
    return jsonify({"suggestions": suggest_for_text(text, k=3)})


@bp.get("/dispatch/monitor")
@require(Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER)
def monitor_view():  # type: ignore[no-untyped-def]
    """The live auto-dispatch monitor: rolling precision per model version, threshold in force, events."""
    from flask import current_app

    from hotline.dispatching.monitor import monitor_summary
    from hotline.dispatching.suggest import current_model

    return jsonify(monitor_summary(session(), config=current_app.config, current=current_model()))


RESUME = {"reason": Field(str, required=True, max_len=500)}


@bp.post("/dispatch/monitor/<model_version>/resume")
@require(Role.SUPERVISOR, Role.ADMIN)
@documented(RESUME)
def monitor_resume(model_version: str):  # type: ignore[no-untyped-def]
    """Resume auto-dispatch of a model version the monitor paused (who and why are recorded; the rolling
    window restarts after the outcomes so far); answers the event and the version's figures now."""
    from flask import current_app

    from hotline.dispatching.monitor import event_json, monitor_summary, resume
    from hotline.dispatching.suggest import current_model

    db = session()
    data = validate(json_body(), RESUME)
    event = resume(db, model_version=model_version[:80], actor=current_user(), reason=data["reason"],
                   now=utcnow(), config=current_app.config)
    db.commit()
    models = monitor_summary(db, config=current_app.config, current=current_model(), events=0)["models"]
    return jsonify({"event": event_json(event),
                    "model": next((m for m in models if m["model_version"] == event.model_version), None)})


@bp.get("/catalogue")
@require(Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)
def rules():  # type: ignore[no-untyped-def]
    """The active rules of the dispatch catalogue (?history=1 for every version)."""
    query = select(DispatchRule).order_by(DispatchRule.priority, DispatchRule.id)
    if request.args.get("history") != "1":
        query = query.where(DispatchRule.active.is_(True))
    db = session()
    return jsonify({"version": catalogue.catalogue_version(db),
                    "items": [catalogue.rule_json(r) for r in db.scalars(query)]})


@bp.post("/catalogue")
@require(Role.ADMIN)
@documented(RULE, status=201)
def add_rule():  # type: ignore[no-untyped-def]
    """Add a rule to the dispatch catalogue."""
    db = session()
    rule = catalogue.save_rule(db, data=validate(json_body(), RULE), actor=current_user().username,
                               now=utcnow())
    db.commit()
    return jsonify(catalogue.rule_json(rule)), 201


@bp.put("/catalogue/<rule_key>")
@require(Role.ADMIN)
@documented(RULE)
def change_rule(rule_key: str):  # type: ignore[no-untyped-def]
    """Change a rule: its current version is retired and a new version added."""
    db = session()
    rule = catalogue.save_rule(db, data=validate(json_body(), RULE), actor=current_user().username,
                               now=utcnow(), rule_key=rule_key)
    db.commit()
    return jsonify(catalogue.rule_json(rule))


@bp.delete("/catalogue/<rule_key>")
@require(Role.ADMIN)
def retire(rule_key: str):  # type: ignore[no-untyped-def]
    """Retire a rule (its history stays)."""
    db = session()
    catalogue.retire_rule(db, rule_key=rule_key, now=utcnow())
    db.commit()
    return jsonify({"retired": rule_key})
