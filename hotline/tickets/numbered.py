"""A new ticket's INSERT: its 受理 number (the day's prefix + the id, at least six digits) made by the
statement itself, and the ticket persistent afterwards without the unit of work or a read-back; on
PostgreSQL its first event (受理) goes in the same statement, a data-modifying CTE reading the new id.

Every intake passes here. The unit of work pads a new ticket's INSERT to all 56 columns (psycopg parses a
statement with more than 50 parameters afresh each time) and costs about as much again in Python; this one
binds the values the ticket was given, is compiled once per set of them, and returns every column, so
the object holds what the row holds (defaults included) and no attribute is left to load.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Executable, Insert, String, bindparam, cast, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from hotline.tickets.models import Ticket, TicketEvent
from hotline.upsert import dialect

DRAWN = ("id", "number")  # made by the statement


def insert_numbered(session: Session, ticket: Ticket, *, prefix: str, first_event: dict[str, Any]) -> None:
    """INSERT the transient ticket with its number and its first event (every column of the event but its
    ids), and make the ticket persistent in `session`: one statement on PostgreSQL, two elsewhere."""
    table = Ticket.__table__
    given = {key: value for key, value in instance_dict(ticket).items() if key in table.c and key not in DRAWN}
    given[Ticket.__mapper__.version_id_col.key] = Ticket.__mapper__.version_id_generator(None)
    backend = dialect(session)
    statement = _statement(backend, tuple(sorted(given)), with_event=backend == "postgresql")
    row = session.execute(statement, {**given, "number_prefix": prefix,
                                      **{f"event_{key}": value for key, value in first_event.items()}}).one()
    instance_dict(ticket).update(row._mapping)
    make_transient_to_detached(ticket)  # as if loaded: the row's values are its committed state
    session.add(ticket)
    if backend != "postgresql":
        session.execute(insert(TicketEvent.__table__), [{**first_event, "ticket_id": ticket.id}])


@lru_cache(maxsize=8)
def _statement(backend: str, keys: tuple[str, ...], *, with_event: bool) -> Executable:
    """The INSERT of a ticket given these columns, returning every column (`with_event`: and the INSERT of
    its first event from the `event_*` parameters, as a CTE); built once per shape."""
    table = Ticket.__table__
    prefix = bindparam("number_prefix", type_=String)
    if backend == "postgresql":
        # id is the first column, so nextval is drawn before the number reads currval
        sequence = func.pg_get_serial_sequence("tickets", "id")
        drawn = cast(func.currval(sequence), String)
        made = {"id": func.nextval(sequence), "number": prefix + func.lpad(drawn, func.greatest(6, func.length(drawn)),
                                                                            "0")}
    else:
        # SQLite has one writer at a time: both subqueries see the same highest id (its rowid rule is max + 1)
        next_id = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
        made = {"id": next_id, "number": prefix + func.printf("%06d", next_id)}
    values = {**made, **{key: bindparam(key, type_=table.c[key].type) for key in keys}}
    ticket: Insert = insert(table).values(values).returning(*table.c)
    if not with_event:
        return ticket
    new = ticket.cte("new_ticket")
    events = TicketEvent.__table__
    given = [c for c in events.c if c.key not in ("id", "ticket_id")]
    event = insert(events).from_select(["ticket_id", *(c.key for c in given)], select(
        new.c.id, *(bindparam(f"event_{c.key}", type_=c.type) for c in given)))
    return select(*new.c).add_cte(event.cte("first_event"))
