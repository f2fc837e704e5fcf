"""Moves with the bookkeeping that belongs to them: 直办's article use, corrections for the classifier."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from hotline.departments.models import User
from hotline.dispatching import corrections, monitor
from hotline.knowledge.search import use_on_call
from hotline.tickets import service
from hotline.tickets.enums import Action
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.transitions import Rules


def act_with_hooks(session: Session, *, user: User | None, ticket: Ticket, action: Action, rules: Rules,
                   data: dict[str, Any], note: str | None = None, version: int | None = None) -> TicketEvent:
    """Make a move and the bookkeeping that belongs to it in the same transaction."""
    if action is Action.RESOLVE_ON_CALL:  # 直办: count the article's use (422/409 if unusable), link its title
        article = use_on_call(session, article_id=data["article_id"], now=rules.now)
        data = {**data, "article_title": article.title}
    event = service.act(session, user=user, ticket=ticket, action=action, rules=rules, data=data, note=note,
                        version=version)
    corrections.record(session, ticket=ticket, event=event, now=rules.now)
    monitor.record_outcome(session, ticket=ticket, event=event, now=rules.now, config=current_app.config)
    return event
