"""What a ticket has left in the database, to show that a refused move changed nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


# Credentials the test clients issue on a user's first request: a new row there is the caller's login, not a
# change made by the refused request (an existing token revoked or edited still counts).
CREDENTIALS = {"api_tokens"}


def snapshot(app: Flask, *, skip: frozenset[str] | set[str] = frozenset(),
             count_reads: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but `skip` (and access_log unless `count_reads`), ordered by primary key."""
    from hotline.db import Base

    ignored = set(skip) | (set() if count_reads else NOT_A_CHANGE)
    found: dict[str, list[tuple[Any, ...]]] = {}
    with app.extensions["db"].sessions() as db:
        for table in Base.metadata.sorted_tables:
            if table.name in ignored:
                continue
            order = list(table.primary_key.columns) or list(table.c)
            found[table.name] = [tuple(row) for row in db.execute(select(table).order_by(*order)).all()]
    return found


def changes(before: dict[str, list[tuple[Any, ...]]],
            after: dict[str, list[tuple[Any, ...]]]) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Per changed table, the rows that appeared and the rows that went (an edit shows as both)."""
    diff = {}
    for name, rows in before.items():
        if name in CREDENTIALS:  # tokens issued meanwhile are logins; the ones there before must stay as they were
            known = {row[0] for row in rows}
            after = {**after, name: [row for row in after[name] if row[0] in known]}
        if rows != after[name]:
            # repr, not the rows: JSON columns hold dicts, which do not hash
            old, new = {repr(r): r for r in rows}, {repr(r): r for r in after[name]}
            diff[name] = {"added": [new[k] for k in sorted(new.keys() - old.keys())][:5],
                          "removed": [old[k] for k in sorted(old.keys() - new.keys())][:5]}
    return diff


@contextmanager
def unchanged(app: Flask, *, skip: frozenset[str] | set[str] = frozenset(),
              count_reads: bool = False) -> Iterator[None]:
    """Assert that the block (refused requests) left every table as it found it: no row added, edited or
    deleted anywhere (knowledge articles and versions, official days, year settings, tickets, events,
    reminders, notifications, Open311 requests, exclusion requests, ...). `count_reads`: the access log
    too, for refusals that must not even be logged as a read (a refused reveal of a number)."""
    before = snapshot(app, skip=skip, count_reads=count_reads)
    yield
    diff = changes(before, snapshot(app, skip=skip, count_reads=count_reads))
    assert not diff, f"a refused request changed the database: {diff}"
