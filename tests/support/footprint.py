"""What a ticket has left in the database, to show that a refused move changed nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

# Reading a ticket may be logged (a view of an unmasked caller); that is not a change to the ticket.
NOT_A_CHANGE = {"access_log"}


def footprint(app: Flask, ticket_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """The ticket's row and every row of every table keyed by its id (events, reminders, notifications, ...)."""
    from hotline.db import Base

    tables = Base.metadata.sorted_tables
    found: dict[str, list[tuple[Any, ...]]] = {}
    with app.extensions["db"].sessions() as db:
        for table in tables:
            if table.name == "tickets":
                query = select(table).where(table.c.id == ticket_id)
            elif "ticket_id" in table.c and table.name not in NOT_A_CHANGE:
                query = select(table).where(table.c.ticket_id == ticket_id)
            else:
                continue
            order = list(table.primary_key.columns) or list(table.c)
            found[table.name] = [tuple(row) for row in db.execute(query.order_by(*order)).all()]
    assert found["tickets"], f"ticket {ticket_id} does not exist"
    return found


def plan_reminders(app: Flask) -> int:
    """Store the reminder rows of every open deadline, as the minute sweep does; rows inserted."""
    from hotline.clock import utcnow
    from hotline.db import session
    from hotline.reminders.service import plan
    from hotline.tickets.rules import rules_at

    with app.app_context():
        db = session()
        inserted = plan(db, rules=rules_at(db, utcnow()))
        db.commit()
    return inserted
