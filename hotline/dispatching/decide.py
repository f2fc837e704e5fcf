"""At intake: the catalogue decides where a rule is explicit, else the model when it is sure enough."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from hotline import refdata
from hotline.departments.lookup import active_departments
from hotline.dispatching import catalogue, monitor
from hotline.dispatching.suggest import Suggestion, suggest
from hotline.tickets.enums import Action, Status
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import Rules, transition


@dataclass(frozen=True)
class Proposal:
    """The model's suggestions for a request (stored with the new ticket) and the model that made them."""

    suggestions: list[dict[str, Any]] = field(default_factory=list)
    model_version: str | None = None
    best: Suggestion | None = None
    model: Any = None


@dataclass(frozen=True)
class Decision:
    """Where a received ticket goes at once, why (the event's payload) and the event's note."""

    department: str
    payload: dict[str, Any]
    note: str


def propose(content: str, *, words: list[str] | None = None) -> Proposal:
    """The model's top-3 departments for the content, computed before the ticket is stored (no SQL).
    `words`: the content already segmented."""
    found, model = suggest(content, k=3, words=words)
    return Proposal([{"department": s.department, "confidence": s.confidence} for s in found],
                    getattr(model, "version", None), found[0] if found else None, model)


def decide(session: Session, *, ticket: Ticket, proposal: Proposal) -> Decision | None:
    """Where a rule or a sure model dispatches the received ticket (None: the operator decides; always for
    a report on a department). Reads only what the process keeps (hotline.refdata)."""
    if ticket.status != Status.RECEIVED or ticket.reported_department_id is not None:
        return None
    rule = catalogue.match(session, text=ticket.content, kind=ticket.kind, district=ticket.district)
    if rule is not None:
        return Decision(rule.department, {"by": "catalogue", "rule": asdict(rule), "department": rule.department},
                        f"按派单目录「{rule.name}」派单")
    best, model = proposal.best, proposal.model
    if best is None or model is None:
        return None
    threshold = _in_force(session, model)
    if threshold is None or best.confidence < threshold or best.department not in active_departments(session):
        return None
    return Decision(best.department, {"by": "model", "department": best.department, "confidence": best.confidence,
                                      "threshold": threshold, "model_threshold": model.threshold,
                                      "model_version": model.version}, "自动派单")


def dispatch(session: Session, *, ticket: Ticket, decision: Decision, rules: Rules) -> dict[str, Any]:
    """Auto-dispatch the ticket as decided; the extras POST /tickets answers with."""
    ticket.auto_dispatched = True
    transition(session, ticket=ticket, action=Action.DISPATCH, actor=None, rules=rules,
               data={"department": decision.department, "auto": True, "decision": decision.payload},
               note=decision.note)
    return {"auto_dispatch": decision.payload}


def _in_force(session: Session, model: Any) -> float | None:
    """The model's threshold as the live monitor leaves it: raised, or None while auto-dispatch is paused
    (the monitor's decision is kept per process until it makes a new one: hotline.refdata)."""
    state = refdata.cached(session, f"monitor:{model.version}", lambda: monitor.control(session, model_version=model.version))
    return None if state.paused else max(model.threshold, state.threshold or 0.0)
