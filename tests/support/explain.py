"""EXPLAIN on PostgreSQL at a realistic row count: does a hot query use an index? (shared by the tests of
scale-intake and scale-rates).

`bulk_tickets` fills the tickets table fast with generate_series (no ORM), `analyze` refreshes the
planner's statistics, `plan` returns the JSON plan of a statement and `scans` lists (node type, table,
index) of every scan node, so a test asserts "no Seq Scan on tickets" and names the index it expects.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import literal, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement


def bulk_tickets(conn: Connection, n: int, *, days: int = 365, open_share: float = 0.25) -> None:
    """n tickets over the last `days` (UTC now), `open_share` of them open, 5 districts, varied phones and
    addresses, in one INSERT ... SELECT generate_series (a million rows in well under a minute)."""
    conn.execute(text("""
        INSERT INTO tickets (number, status, version, content, caller_phone, confidential, channel, kind,
            urgency, district, address, received_at, updated_at, reply_due_at, deadline_fallback,
            extension_days, suspension_requested, follow_up_attempts, invalid, excluded, exclusion_requested,
            dispatch_count, return_count, reopen_count, urge_count, supervise_count, auto_dispatched,
            suggestions)
        SELECT 'B' || g, CASE WHEN random() < :open THEN 'in_progress' ELSE 'closed' END, 1,
               '批量历史工单 ' || g, '139' || lpad((g % 400000)::text, 8, '0'), false, 'phone', 'complaint',
               'normal', (ARRAY['东湖区','西山区','南湖区','北城区','高新区'])[1 + g % 5],
               '批量路' || (g % 50000) || '号', now() - random() * :days * interval '1 day', now(),
               now() + (random() * 20 - 10) * interval '1 day', false, 0, false, 0, false, false, false,
               1, 0, 0, 0, 0, false, '[]'
        FROM generate_series(1, :n) AS g
    """), {"n": n, "days": days, "open": open_share})


def analyze(conn: Connection) -> None:
    """Refresh the planner statistics after a bulk load."""
    conn.execute(text("ANALYZE"))


def plan(conn: Connection, statement: ClauseElement | str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON plan (EXPLAIN, no ANALYZE) of a statement, compiled for PostgreSQL with literal binds."""
    if not isinstance(statement, str):
        statement = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    return conn.execute(text(f"EXPLAIN (FORMAT JSON) {statement}"), params or {}).scalar_one()[0]["Plan"]


def scans(node: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """(node type, relation, index) of every scan in the plan tree."""
    found = []
    if "Scan" in node["Node Type"]:
        found.append((node["Node Type"], node.get("Relation Name"), node.get("Index Name")))
    for child in node.get("Plans", []):
        found.extend(scans(child))
    return found


def seq_scanned(node: dict[str, Any]) -> set[str]:
    """Tables the plan reads whole."""
    return {rel for kind, rel, _ in scans(node) if kind == "Seq Scan" and rel}


def generic_plan(conn: Connection, statement: ClauseElement) -> dict[str, Any]:
    """The JSON plan PostgreSQL runs once the statement is prepared and planned blind (plan_cache_mode
    force_generic_plan), as for a statement psycopg prepares after a few executions: a plan that is
    only good for the bound values (a custom plan) can hide a scan here."""
    compiled = statement.compile(dialect=conn.dialect)
    expanded = compiled.construct_expanded_state()
    types = {bind.key: bind.type for bind in compiled.binds.values()}  # an array needs its type to be written
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    sql = re.sub(r"%\((\w+)\)s", number, expanded.statement)
    values = [str(literal(expanded.parameters[name], type_=types.get(name)).compile(
        dialect=conn.dialect, compile_kwargs={"literal_binds": True})) for name in names]
    conn.execute(text("SET plan_cache_mode = force_generic_plan"))
    conn.exec_driver_sql(f"PREPARE generic_probe AS {sql}".replace("%", "%%"))
    try:
        return conn.exec_driver_sql(
            f"EXPLAIN (FORMAT JSON) EXECUTE generic_probe({', '.join(values)})".replace("%", "%%")).scalar_one()[0]["Plan"]
    finally:
        conn.exec_driver_sql("DEALLOCATE generic_probe")
        conn.execute(text("RESET plan_cache_mode"))
