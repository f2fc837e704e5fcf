"""At intake: the catalogue decides where a rule is explicit, else the model when it is sure enough."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.departments.models import Department
from hotline.dispatching import catalogue, monitor
from hotline.dispatching.suggest import suggest
from hotline.tickets.enums import Action, Status
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import Rules, transition


def propose_and_dispatch(session: Session, *, ticket: Ticket, rules: Rules, hold: bool = False,
                         words: list[str] | None = None) -> dict[str, Any]:
    """Store the suggestions on the ticket and auto-dispatch it when a rule or a sure model says where
    (unless `hold`: the operator must look at it first). `words`: the content already segmented."""
    found, model = suggest(ticket.content, k=3, words=words)
    ticket.suggestions = [{"department": s.department, "confidence": s.confidence} for s in found]
    ticket.model_version = getattr(model, "version", None)
    extras: dict[str, Any] = {"auto_dispatch": None}  # the suggestions are on the ticket itself
    if ticket.status != Status.RECEIVED or hold or ticket.reported_department_id is not None:
        return extras  # the operator already chose a department, or must decide (always for a report)
    rule = catalogue.match(session, text=ticket.content, kind=ticket.kind, district=ticket.district)
    if rule is not None:
        decision = {"by": "catalogue", "rule": asdict(rule), "department": rule.department}
    elif found and model is not None and (threshold := _in_force(session, model)) is not None \
            and found[0].confidence >= threshold and _known(session, found[0].department):
        decision = {"by": "model", "department": found[0].department, "confidence": found[0].confidence,
                    "threshold": threshold, "model_threshold": model.threshold, "model_version": model.version}
    else:
        return extras
    ticket.auto_dispatched = True
    transition(session, ticket=ticket, action=Action.DISPATCH, actor=None, rules=rules,
               data={"department": decision["department"], "auto": True, "decision": decision},
               note="自动派单" if decision["by"] == "model" else f"按派单目录「{rule.name}」派单")
    extras["auto_dispatch"] = decision
    return extras


def _known(session: Session, code: str) -> bool:
    return session.scalar(select(Department.id).where(Department.code == code,
                                                      Department.active.is_(True))) is not None


def _in_force(session: Session, model: Any) -> float | None:
    """The model's threshold as the live monitor leaves it: raised, or None while auto-dispatch is paused."""
    state = monitor.control(session, model_version=model.version)
    return None if state.paused else max(model.threshold, state.threshold or 0.0)
