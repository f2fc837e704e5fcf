"""Live auto-dispatch monitor: labelled outcomes, rolling precision per model version, automatic reaction.

Every ticket the model dispatched at intake becomes a labelled outcome once its fate is known: accepted
when the department it was sent to replies, wrong when it is returned and re-dispatched to another
department. For each model version the monitor keeps the precision of the latest outcomes at or above
the threshold in force, with its Wilson lower bound. When that bound falls under the target (with enough
outcomes to judge), it raises the threshold to the lowest confidence whose outcomes still reach the
target, or, when none does, pauses auto-dispatch for that model version; either way it appends a
`MonitorEvent` (the audit trail, and the state: the latest event of a version rules) and tells every
supervisor through the notification inbox. A new model version starts with a clean slate.

Only a person ends a pause: `resume` (a supervisor or admin, with a reason) appends a "resume" event that
restores the threshold in force when the monitor paused and re-bases the rolling window. Outcomes decided
up to the resume stop counting for that version, so the monitor does not pause again at once on the very
outcomes that caused the pause; it judges the resumed auto-dispatch afresh once DISPATCH_MONITOR_MIN_OUTCOMES
new outcomes have come in (outcomes stay stored, and the resume event keeps the figures it set aside).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.threshold import NEVER, choose_threshold, wilson_lower
from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.dispatching.models import DispatchOutcome, MonitorEvent
from hotline.errors import Conflict, Forbidden, ValidationError
from hotline.notify.service import Audience, Message, notify, users_with_role
from hotline.tickets.enums import Action
from hotline.tickets.models import Ticket, TicketEvent


@dataclass(frozen=True)
class Settings:
    """DISPATCH_MONITOR_* of hotline/config.py."""

    target: float
    z: float
    min_outcomes: int
    window: int

    @classmethod
    def of(cls, config: Any) -> Settings:
        """The monitor's settings from the app configuration."""
        return cls(float(config["DISPATCH_MONITOR_TARGET"]), float(config["DISPATCH_MONITOR_Z"]),
                   int(config["DISPATCH_MONITOR_MIN_OUTCOMES"]), int(config["DISPATCH_MONITOR_WINDOW"]))


@dataclass(frozen=True)
class Control:
    """What the monitor allows for a model version: the threshold in force (None: the model's) or paused."""

    threshold: float | None = None
    paused: bool = False


def control(session: Session, *, model_version: str) -> Control:
    """The latest decision of the monitor for a model version (none yet: the model's own threshold)."""
    return _control_of(_last_event(session, model_version))


def _control_of(last: MonitorEvent | None) -> Control:
    return Control() if last is None else Control(last.threshold_after, last.paused)


def _last_event(session: Session, model_version: str) -> MonitorEvent | None:
    return session.scalar(select(MonitorEvent).where(MonitorEvent.model_version == model_version)
                          .order_by(MonitorEvent.id.desc()).limit(1))


def _model_decision(session: Session, ticket: Ticket) -> dict[str, Any] | None:
    """The model's decision in the ticket's first dispatch, when the model made it."""
    first = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                     TicketEvent.action == Action.DISPATCH.value)
                           .order_by(TicketEvent.id).limit(1))
    decision = (first.payload or {}).get("decision") if first is not None else None
    return decision if decision and decision.get("by") == "model" else None


def record_outcome(session: Session, *, ticket: Ticket, event: TicketEvent, now: datetime,
                   config: Any) -> DispatchOutcome | None:
    """After a move: label an auto-dispatched ticket once its department replies or it goes elsewhere,
    then let the monitor react. Returns the new outcome, if this move produced one."""
    if not ticket.auto_dispatched or event.action not in (Action.REPLY.value, Action.DISPATCH.value):
        return None
    decision = _model_decision(session, ticket)
    if decision is None or session.scalar(select(DispatchOutcome.id).where(
            DispatchOutcome.ticket_id == ticket.id)) is not None:
        return None
    sent_to = decision["department"]
    now_at = (ticket.department.code if ticket.department else None)
    if event.action == Action.REPLY.value and now_at == sent_to:
        correct, right = True, None
    elif event.action == Action.DISPATCH.value and event.payload.get("redispatch") and now_at != sent_to:
        correct, right = False, now_at
    else:
        return None
    outcome = DispatchOutcome(ticket_id=ticket.id, model_version=decision["model_version"], department=sent_to,
                              confidence=float(decision["confidence"]), correct=correct,
                              model_threshold=float(decision.get("model_threshold", decision["threshold"])),
                              right_department=right, decided_at=now)
    session.add(outcome)
    session.flush()
    react(session, model_version=outcome.model_version, model_threshold=outcome.model_threshold,
          now=now, config=config)
    return outcome


def window_start(session: Session, *, model_version: str) -> int:
    """The id of the last outcome a resume set aside for this version (0: every outcome counts)."""
    return session.scalar(select(MonitorEvent.window_after).where(MonitorEvent.model_version == model_version,
                                                                  MonitorEvent.window_after.is_not(None))
                          .order_by(MonitorEvent.id.desc()).limit(1)) or 0


def _window(session: Session, model_version: str, floor: float, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, correct) of the latest outcomes of a version at or above the threshold in force,
    decided after the last resume."""
    after = window_start(session, model_version=model_version)
    rows = session.execute(select(DispatchOutcome.confidence, DispatchOutcome.correct)
                           .where(DispatchOutcome.model_version == model_version,
                                  DispatchOutcome.id > after, DispatchOutcome.confidence >= floor)
                           .order_by(DispatchOutcome.decided_at.desc(), DispatchOutcome.id.desc())
                           .limit(window)).all()
    return np.array([r[0] for r in rows], dtype=float), np.array([r[1] for r in rows], dtype=bool)


def rolling(session: Session, *, model_version: str, threshold: float, settings: Settings) -> dict[str, Any]:
    """Outcomes, precision and Wilson lower bound of a version's latest outcomes at or above `threshold`."""
    _conf, ok = _window(session, model_version, threshold, settings.window)
    return _figures(ok, settings)


def _figures(ok: np.ndarray, settings: Settings) -> dict[str, Any]:
    """The rolling figures of a window's outcomes (`ok`: whether each was right)."""
    n, hits = int(ok.size), int(ok.sum())
    bound = float(wilson_lower(np.array([hits]), np.array([n]), settings.z)[0]) if n else None
    return {"outcomes": n, "correct": hits, "wrong": n - hits, "precision": round(hits / n, 4) if n else None,
            "lower_bound": round(bound, 4) if bound is not None else None}


def react(session: Session, *, model_version: str, model_threshold: float, now: datetime,
          config: Any) -> MonitorEvent | None:
    """Raise the threshold or pause auto-dispatch when the bound is under the target; None when all is well."""
    settings = Settings.of(config)
    state = control(session, model_version=model_version)
    if state.paused:
        return None
    threshold = max(model_threshold, state.threshold or 0.0)
    # One read of the window (each outcome of an auto-dispatched ticket comes here) for figures and choice.
    conf, ok = _window(session, model_version, threshold, settings.window)
    figures = _figures(ok, settings)
    if figures["outcomes"] < settings.min_outcomes or figures["lower_bound"] >= settings.target:
        return None
    choice = choose_threshold(conf, ok, settings.target, settings.z)
    raised = choice.threshold if choice.threshold < NEVER and choice.threshold > threshold else None
    event = MonitorEvent(at=now, model_version=model_version, action="raise_threshold" if raised else "pause",
                         threshold_before=threshold, threshold_after=raised, paused=raised is None,
                         outcomes=figures["outcomes"], wrong=figures["wrong"], precision=figures["precision"],
                         lower_bound=figures["lower_bound"], target=settings.target)
    session.add(event)
    session.flush()
    _tell_supervisors(session, event=event, config=config)
    return event


def _tell_supervisors(session: Session, *, event: MonitorEvent, config: Any) -> None:
    what = (f"已将自动派单阈值由 {event.threshold_before:.3f} 提高到 {event.threshold_after:.3f}"
            if event.threshold_after is not None else "已暂停该模型的自动派单，改由话务员选择承办单位")
    body = (f"模型 {event.model_version} 最近 {event.outcomes} 件自动派单中 {event.wrong} 件被退回改派，"
            f"准确率 {event.precision:.1%}，置信下限 {event.lower_bound:.1%}，低于目标 {event.target:.0%}。{what}。")
    notify(session, key=f"dispatch-monitor:{event.id}", audience=Audience(users=users_with_role(session,
           Role.SUPERVISOR)), message=Message(kind="dispatch_monitor", title="自动派单准确率低于目标",
           body=body, data={"monitor_event_id": event.id}), now=event.at, contacts=config["NOTIFY_CONTACTS"])


def resume(session: Session, *, model_version: str, actor: User, reason: str, now: datetime,
           config: Any) -> MonitorEvent:
    """A supervisor or admin resumes auto-dispatch of a paused version: the threshold in force before the
    pause again, the rolling window re-based after the latest outcome; supervisors are told who and why."""
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("只有督办或管理员可以恢复自动派单")
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError("reason: 请填写恢复理由（不超过 500 字）",
                              details=[{"field": "reason", "message": "请填写恢复理由（不超过 500 字）"}])
    pause = _last_event(session, model_version)
    if pause is None or not pause.paused:
        raise Conflict("该模型版本的自动派单没有被暂停", code="not_paused")
    settings = Settings.of(config)
    figures = rolling(session, model_version=model_version, threshold=pause.threshold_before, settings=settings)
    last, own = session.execute(select(func.max(DispatchOutcome.id), func.max(DispatchOutcome.model_threshold))
                                .where(DispatchOutcome.model_version == model_version)).one()
    # threshold_after None: the model's own threshold again (a raised one is kept as the monitor set it)
    raised = pause.threshold_before if own is None or pause.threshold_before > own else None
    event = MonitorEvent(at=now, model_version=model_version, action="resume", threshold_before=pause.threshold_before,
                         threshold_after=raised, paused=False, outcomes=figures["outcomes"],
                         wrong=figures["wrong"], precision=figures["precision"], lower_bound=figures["lower_bound"],
                         target=settings.target, actor_id=actor.id, actor_name=actor.display_name, reason=reason,
                         window_after=last or 0)
    session.add(event)
    session.flush()
    body = (f"{actor.display_name}恢复了模型 {model_version} 的自动派单，阈值 {event.threshold_before:.3f}。"
            f"理由：{reason}。此前的 {event.outcomes} 件判定结果不再计入，监控将按新结果重新判断。")
    notify(session, key=f"dispatch-monitor:{event.id}", audience=Audience(users=users_with_role(
           session, Role.SUPERVISOR)), message=Message(kind="dispatch_monitor", title="自动派单已恢复",
           body=body, data={"monitor_event_id": event.id}), now=now, contacts=config["NOTIFY_CONTACTS"])
    return event


def event_json(event: MonitorEvent) -> dict[str, Any]:
    """A monitor event as the API shows it."""
    return {"id": event.id, "at": event.at.isoformat(), "model_version": event.model_version,
            "action": event.action, "threshold_before": event.threshold_before,
            "threshold_after": event.threshold_after, "paused": event.paused, "outcomes": event.outcomes,
            "wrong": event.wrong, "precision": event.precision, "lower_bound": event.lower_bound,
            "target": event.target, "actor": event.actor_name, "reason": event.reason,
            "window_after": event.window_after}


def monitor_summary(session: Session, *, config: Any, current: Any | None = None,
                    events: int = 20) -> dict[str, Any]:
    """The monitor for the supervisor dashboard and GET /dispatch/monitor: its settings, each model version
    (the promoted one first, then those with outcomes, latest first) with the threshold in force, whether
    auto-dispatch is paused, and the rolling figures; and the latest monitor events, newest first.
    `current`: the promoted model (anything with `version` and `threshold`), if any."""
    settings = Settings.of(config)
    known = dict(session.execute(
        select(DispatchOutcome.model_version, func.max(DispatchOutcome.model_threshold))
        .group_by(DispatchOutcome.model_version).order_by(func.max(DispatchOutcome.decided_at).desc())).all())
    if current is not None:
        known = {current.version: float(current.threshold)} | known
    models = []
    for version, model_threshold in known.items():
        last = _last_event(session, version)
        state = _control_of(last)
        in_force = max(model_threshold, state.threshold or 0.0)
        figures = rolling(session, model_version=version, threshold=in_force, settings=settings)
        status = ("paused" if state.paused else "collecting" if figures["outcomes"] < settings.min_outcomes
                  else "raised" if state.threshold is not None else "ok")
        models.append({"model_version": version, "current": current is not None and current.version == version,
                       "model_threshold": model_threshold, "threshold": None if state.paused else in_force,
                       "paused": state.paused, "status": status, "resume_threshold": last.threshold_before if last and state.paused else None,
                       "window_after": window_start(session, model_version=version), **figures})
    recent = session.scalars(select(MonitorEvent).order_by(MonitorEvent.id.desc()).limit(events))
    return {"settings": asdict(settings), "models": models, "events": [event_json(e) for e in recent]}
