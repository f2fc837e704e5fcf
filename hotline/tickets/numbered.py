"""A new ticket's INSERT: its 受理 number (the day's prefix + the id, at least six digits) made by the
statement itself, and the ticket persistent afterwards without the unit of work or a read-back; on
PostgreSQL its first event (受理) goes in the same statement, a data-modifying CTE reading the new id.

Every intake passes here. The unit of work pads a new ticket's INSERT to all 56 columns and costs about as
much again in Python. On PostgreSQL the row and its event travel as two JSON parameters read by
json_populate_recordset (the table's row type gives every column its type): a handful of parameters and a
statement under 4 KB, which psycopg parses once per process (one of more than 50 parameters or 4 KB it
parses afresh on every execution), and only the drawn id and number come back. Elsewhere the statement binds the
values the ticket was given, is compiled once per set of them, and returns every column.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Executable, Insert, String, Text, bindparam, cast, func, insert, select, true
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from hotline.tickets.models import Ticket, TicketEvent
from hotline.upsert import dialect, json_rows, json_source

DRAWN = ("id", "number")  # made by the statement


def insert_numbered(session: Session, ticket: Ticket, *, prefix: str, first_event: dict[str, Any]) -> None:
    """INSERT the transient ticket with its number and its first event (every column of the event but its
    ids), and make the ticket persistent in `session`: one statement on PostgreSQL, two elsewhere."""
    given = {key: value for key, value in instance_dict(ticket).items() if key in Ticket.__table__.c
             and key not in DRAWN}
    given[Ticket.__mapper__.version_id_col.key] = Ticket.__mapper__.version_id_generator(None)
    postgres = dialect(session) == "postgresql"
    if postgres:
        values = _full_row(given)
        drawn = session.execute(_postgresql_statement(), {"number_prefix": prefix, "row": json_rows([values]),
                                                          "event": json_rows([first_event])}).one()
        instance_dict(ticket).update(values, id=drawn.id, number=drawn.number)
    else:
        row = session.execute(_statement(tuple(sorted(given))), {**given, "number_prefix": prefix}).one()
        instance_dict(ticket).update(row._mapping)
    make_transient_to_detached(ticket)  # as if loaded: the row's values are its committed state
    session.add(ticket)
    if not postgres:
        session.execute(insert(TicketEvent.__table__), [{**first_event, "ticket_id": ticket.id}])


def _full_row(given: dict[str, Any]) -> dict[str, Any]:
    """Every column of the ticket but the drawn ones, as the row will hold it: the given values, else the
    column's Python default, else NULL (enum members as their stored values)."""
    scalars, makers = _defaults()
    row = {**scalars, **{key: make() for key, make in makers.items() if key not in given}, **given}
    return {key: value.value if isinstance(value, Enum) else value for key, value in row.items()}


@lru_cache(maxsize=1)
def _defaults() -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """The columns' values when none is given, worked out once: constants (NULL without a default), and
    callables such as `list`, called per row so that no two tickets share one list."""
    scalars: dict[str, Any] = {}
    makers: dict[str, Callable[[], Any]] = {}
    for column in Ticket.__table__.c:
        default = column.default
        if column.key in DRAWN:
            continue
        if default is not None and default.is_callable:
            makers[column.key] = partial(default.arg, None)  # SQLAlchemy wraps it to take the context
        else:
            scalars[column.key] = default.arg if default is not None else None
    return scalars, makers


@lru_cache(maxsize=1)
def _postgresql_statement() -> Executable:
    """INSERT the ticket from the `row` parameter with an id drawn once and its number made from it, and its
    first event from the `event` parameter, as CTEs; returns (id, number)."""
    table, events = Ticket.__table__, TicketEvent.__table__
    names = [c.key for c in table.c if c.key not in DRAWN]
    row = json_source(table, names, "row")
    drawn = select(func.nextval(func.pg_get_serial_sequence("tickets", "id")).label("id")).subquery("drawn")
    text_id = cast(drawn.c.id, Text)
    number = bindparam("number_prefix", type_=String) + func.lpad(text_id, func.greatest(6, func.length(text_id)),
                                                                   "0")
    values = select(drawn.c.id, number, *(row.c[n] for n in names)).select_from(drawn.join(row, true()))
    ticket: Insert = insert(table).from_select(["id", "number", *names], values).returning(table.c.id, table.c.number)
    new = ticket.cte("new_ticket")
    given = [c.key for c in events.c if c.key not in ("id", "ticket_id")]
    event = json_source(events, given, "event")
    first = insert(events).from_select(["ticket_id", *given], select(
        new.c.id, *(event.c[n] for n in given)).select_from(new.join(event, true())))
    return select(new.c.id, new.c.number).add_cte(first.cte("first_event"))


@lru_cache(maxsize=8)
def _statement(keys: tuple[str, ...]) -> Executable:
    """The INSERT of a ticket given these columns, returning every column (SQLite: one writer at a time, so
    both subqueries see the same highest id, and its rowid rule is max + 1); built once per shape."""
    table = Ticket.__table__
    next_id = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
    made = {"id": next_id, "number": bindparam("number_prefix", type_=String) + func.printf("%06d", next_id)}
    values = {**made, **{key: bindparam(key, type_=table.c[key].type) for key in keys}}
    return insert(table).values(values).returning(*table.c)
