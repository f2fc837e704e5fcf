"""A new ticket's INSERT: its 受理 number (the day's prefix + the id, at least six digits) made by the
statement itself, and the ticket persistent afterwards without the unit of work or a read-back.

Every intake passes here. The unit of work pads a new ticket's INSERT to all 56 columns (psycopg parses a
statement with more than 50 parameters afresh each time) and costs about as much again in Python; this one
binds the values the ticket was given, is compiled once per set of them, and returns every column, so
the object holds what the row holds (defaults included) and no attribute is left to load.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Insert, String, bindparam, cast, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from hotline.tickets.models import Ticket
from hotline.upsert import dialect

DRAWN = ("id", "number")  # made by the statement


def insert_numbered(session: Session, ticket: Ticket, *, prefix: str) -> None:
    """INSERT the transient ticket with its number in one statement and make it persistent in `session`."""
    table = Ticket.__table__
    given = {key: value for key, value in instance_dict(ticket).items() if key in table.c and key not in DRAWN}
    given[Ticket.__mapper__.version_id_col.key] = Ticket.__mapper__.version_id_generator(None)
    statement = _statement(dialect(session), tuple(sorted(given)))
    row = session.execute(statement, {**given, "number_prefix": prefix}).one()
    instance_dict(ticket).update(row._mapping)
    make_transient_to_detached(ticket)  # as if loaded: the row's values are its committed state
    session.add(ticket)


@lru_cache(maxsize=8)
def _statement(backend: str, keys: tuple[str, ...]) -> Insert:
    """The INSERT of a ticket given these columns, returning every column; built once per shape."""
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
    return insert(table).values(values).returning(*table.c)
