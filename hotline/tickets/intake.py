"""Intake and moves with what surrounds them: help for the operator and the bookkeeping of each move."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hotline.departments.models import User
from hotline.dispatching import corrections, decide
from hotline.knowledge.search import search_published, use_on_call
from hotline.supervision.duplicates import at_intake
from hotline.tickets import service
from hotline.tickets.enums import Action
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.service import Intake
from hotline.tickets.transitions import Rules


def receive_with_help(session: Session, *, data: dict[str, Any], actor: User, rules: Rules,
                      idempotency_key: str | None = None) -> Intake:
    """Receive a ticket and attach what helps the operator decide (suggestions, answers, duplicates)."""
    result = service.receive(session, data=data, actor=actor, rules=rules, idempotency_key=idempotency_key)
    result.extras["duplicates"] = at_intake(session, ticket=result.ticket, now=rules.now)
    if result.created:
        # A likely duplicate waits for the operator (并单 is only possible before dispatch).
        result.extras.update(decide.propose_and_dispatch(session, ticket=result.ticket, rules=rules,
                                                         hold=bool(result.extras["duplicates"])))
    result.extras["knowledge"] = search_published(session, result.ticket.content, k=5, now=rules.now)
    return result


def act_with_hooks(session: Session, *, user: User | None, ticket: Ticket, action: Action, rules: Rules,
                   data: dict[str, Any], note: str | None = None, version: int | None = None) -> TicketEvent:
    """Make a move and the bookkeeping that belongs to it in the same transaction."""
    if action is Action.RESOLVE_ON_CALL:  # 直办: count the article's use (422/409 if unusable), link its title
        article = use_on_call(session, article_id=data["article_id"], now=rules.now)
        data = {**data, "article_title": article.title}
    event = service.act(session, user=user, ticket=ticket, action=action, rules=rules, data=data, note=note,
                        version=version)
    corrections.record(session, ticket=ticket, event=event, now=rules.now)
    return event
