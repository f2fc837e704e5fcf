"""Intake with what helps the operator decide: suggestions, knowledge matches and possible duplicates."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, has_app_context
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hotline.casework.text import PreparedText, prepare
from hotline.departments.districts import check_district
from hotline.departments.models import User
from hotline.dispatching import decide
from hotline.dispatching.urgency import suggest_urgency
from hotline.knowledge.search import search_published
from hotline.supervision.duplicates import at_intake, remember
from hotline.tickets import service
from hotline.tickets.enums import Kind
from hotline.tickets.models import Ticket
from hotline.tickets.service import Intake
from hotline.tickets.transitions import Rules

log = logging.getLogger(__name__)
T = TypeVar("T")


def receive_with_help(session: Session, *, data: dict[str, Any], actor: User, rules: Rules,
                      idempotency_key: str | None = None, hold: bool = False) -> Intake:
    """Receive a ticket and attach what helps the operator decide (suggestions, answers, duplicates);
    ``hold`` keeps it for the operator instead of auto-dispatching (the citizen channels).

    The content is segmented once; classifier, knowledge search and duplicate signature share the words.
    Knowledge matches and the model's suggestions only read (the process's index and model; the index's
    version token is kept by hotline.refdata), so they run before anything is written and need no
    savepoint: the suggestions go into the ticket's INSERT, and a savepoint is opened only to dispatch."""
    check_district(session, name=data.get("district"))
    service.check_may_receive(actor)
    content = data["content"]
    text = prepare(content)
    # Lexical only: every ticket passes here, and a query embedding would cost ~0.3 s of CPU each (the
    # operator's own searches in the console use the matching by meaning).
    knowledge = _read_only("knowledge matches", lambda: search_published(
        session, content, k=5, now=rules.now, words=text.words, by_meaning=False), [])
    proposal = _read_only("dispatch suggestions", lambda: decide.propose(content, words=text.words), None)
    result = service.receive(session, data=data, actor=actor, rules=rules, idempotency_key=idempotency_key,
                             suggestions=proposal.suggestions if proposal else None,
                             model_version=proposal.model_version if proposal else None)
    ticket = result.ticket
    duplicates = _duplicates(session, result, text, rules, actor)
    result.extras["duplicates"] = duplicates
    result.extras["knowledge"] = knowledge
    hint = suggest_urgency(ticket.content)
    result.extras["urgency_suggestion"] = {"urgency": hint.urgency.value, "reason": hint.reason} if hint else None
    if result.created:
        # A likely duplicate waits for the operator (并单 is only possible before dispatch), and so does a
        # consultation the knowledge base answers: the operator may close it on the call (直办).
        answerable = ticket.kind == Kind.CONSULTATION and strong_match(knowledge)
        result.extras["held_for_answer"] = answerable
        result.extras.update(_auto_dispatch(session, ticket, proposal, rules,
                                            held=hold or bool(duplicates) or answerable))
    return result


def _auto_dispatch(session: Session, ticket: Ticket, proposal: decide.Proposal | None, rules: Rules, *,
                   held: bool) -> dict[str, Any]:
    """Dispatch where a rule or the sure model says, in a savepoint opened only when there is a dispatch."""
    if proposal is None or held:
        return {"auto_dispatch": None}
    decision = _read_only("dispatch decision", lambda: decide.decide(session, ticket=ticket,
                                                                         proposal=proposal), None)
    if decision is None:
        return {"auto_dispatch": None}
    return _optional(session, "auto-dispatch", lambda: decide.dispatch(
        session, ticket=ticket, decision=decision, rules=rules), {"auto_dispatch": None})


def strong_match(matches: list[dict[str, Any]], *, min_score: float | None = None,
                 min_ratio: float | None = None) -> bool:
    """Whether the best knowledge match is clearly the answer: a high score, well ahead of the next one."""
    config = current_app.config if has_app_context() else {}
    min_score = float(config.get("KB_HOLD_MIN_SCORE", 18.0)) if min_score is None else min_score
    min_ratio = float(config.get("KB_HOLD_MIN_RATIO", 1.3)) if min_ratio is None else min_ratio
    scores = [float(m.get("score") or 0.0) for m in matches[:2]]
    if not scores or scores[0] < min_score:
        return False
    return len(scores) < 2 or scores[1] <= 0 or scores[0] / scores[1] >= min_ratio


def _duplicates(session: Session, result: Intake, text: PreparedText, rules: Rules,
                actor: User) -> list[dict[str, Any]]:
    """Possible duplicates of the ticket as the actor may see them; a new ticket's signature is stored.

    No savepoint: the look-up only reads, and the signature's rows are the new ticket's own; a failure of
    the Python work costs the help (logged), a database error is the database failing."""
    found = _read_only("duplicates", lambda: at_intake(session, ticket=result.ticket, now=rules.now, viewer=actor,
                                                       signature=text.signature, signed=result.created), [])
    if result.created:
        _read_only("duplicate signature", lambda: remember(session, ticket=result.ticket,
                                                           signature=text.signature), None)
    return found


def _read_only(what: str, compute: Callable[[], T], fallback: T) -> T:
    """Read-only help (no savepoint): on failure, log and go without it.

    A database error is the database failing, not the help: it is raised, like a failing district check,
    because the transaction it aborted cannot store the ticket either."""
    try:
        return compute()
    except SQLAlchemyError:
        raise
    except Exception:
        log.exception("intake: %s failed; the ticket is received without them", what)
        return fallback


def _optional(session: Session, what: str, compute: Callable[[], T], fallback: T) -> T:
    """Help for the operator must never cost the citizen's ticket: on failure, log and go without it."""
    try:
        with session.begin_nested():
            return compute()
    except Exception:
        log.exception("intake: %s failed; the ticket is received without them", what)
        return fallback
