"""A city-sized history in minutes: tickets and events drawn from the simulation's distributions
(bulk_course.py) written with COPY on PostgreSQL (batched INSERTs elsewhere), then what intake and the
moves would have kept beside them: the rate facts (computed by facts.py from the events, as every move
does) and their daily roll-up, the reminders of open tickets, hotspot clusters and duplicate signatures of
the recent window.

For benchmarks and capacity planning (bench/scale.py), never for a live database."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from hotline.deadlines.calendar import WorkCalendar
from hotline.deadlines.policy import TimeLimits
from hotline.demo.bulk_course import Course, arrival_times, draw, reminders
from hotline.departments.models import Department, User
from hotline.reminders.models import Reminder
from hotline.supervision import duplicates, rollup, signature
from hotline.supervision.facts import READ_ACTIONS, facts_from_rows
from hotline.supervision.hotspot_clusters import leading_terms, vectors
from hotline.supervision.live_facts import ALL_TIME, fact_row
from hotline.supervision.models import (
    HotspotMember,
    HotspotTerm,
    TicketSignature,
    TicketTextBand,
    rate_days,
    rate_facts,
)
from hotline.tickets.models import Ticket, TicketEvent

CHUNK = 20_000
HOTSPOT_DAYS = 90  # the longest hotspot window: members older than it are never read
TERM_DAYS = 7  # the placement horizon: older leading words are never looked up
SIGNATURE_DAYS = 30  # the duplicate window (signatures older than it are pruned)


def _table(model: Any) -> Table:
    return model.__table__ if hasattr(model, "__table__") else model


def write(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Rows into a table: COPY on PostgreSQL, one executemany elsewhere."""
    if not rows:
        return
    table = _table(model)
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                            for v in (row[c] for c in columns)])


def _uniform(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{c: row.get(c) for c in columns} for row in rows]


TICKET_COLUMNS = tuple(c.name for c in Ticket.__table__.columns)
EVENT_COLUMNS = ("ticket_id", "at", "actor_id", "actor_name", "action", "from_status", "to_status", "note",
                 "payload")


def generate(session: Session, *, tickets: int, days: int, now: datetime, seed: int, calendar: WorkCalendar,
             limits: TimeLimits, echo: Callable[[str], None] = lambda _m: None) -> dict[str, int]:
    """Append `tickets` tickets received over the last `days` days before `now`; commits per chunk."""
    rng = random.Random(seed)
    departments = dict(session.execute(select(Department.code, Department.id)).all())
    codes = {v: k for k, v in departments.items()}  # the facts name a department by its code
    operator = session.scalar(select(User.id).where(User.username == "operator"))
    first_id = (session.scalar(select(func.max(Ticket.id))) or 0) + 1
    moments = arrival_times(rng, start=now - timedelta(days=days), days=days, total=tickets)
    moments = [m for m in moments if m <= now] or [now]
    stats = {"tickets": 0, "open": 0, "events": 0, "facts": 0, "reminders": 0, "hotspot_members": 0,
             "signatures": 0}
    caches: dict[str, dict[Any, Any]] = {"vectors": {}, "signatures": {}, "clusters": {}}
    for start in range(0, len(moments), CHUNK):
        chunk = [draw(rng, ticket_id=first_id + start + i, at=at, now=now, phones=tickets * 2 // 3 + 1,
                      calendar=calendar, limits=limits, departments=departments, operator_id=operator)
                 for i, at in enumerate(moments[start:start + CHUNK])]
        _write_chunk(session, chunk, codes=codes, now=now, calendar=calendar, limits=limits, stats=stats,
                     caches=caches)
        session.commit()
        echo(f"bulk: {stats['tickets']} tickets, {stats['open']} open, {stats['facts']} facts")
    rollup.compact(session)  # the chunks' roll-up rows of a day merged, as the hourly job does
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        for table in ("tickets", "ticket_events", "rate_facts", "rate_days", "reminders"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        session.commit()
    return stats


def _write_chunk(session: Session, chunk: list[Course], *, codes: dict[int, str], now: datetime,
                 calendar: WorkCalendar, limits: TimeLimits, stats: dict[str, int], caches: dict[str, dict[Any, Any]]) -> None:
    write(session, Ticket, _uniform((c.ticket for c in chunk), TICKET_COLUMNS))
    events = [e for c in chunk for e in c.events]
    write(session, TicketEvent, _uniform(events, EVENT_COLUMNS))
    facts = _facts(chunk, codes, calendar=calendar, limits=limits)
    rows = [fact_row(f) for f in facts]
    write(session, rate_facts, rows)
    write(session, rate_days, rollup.differences(added=rows))
    due = [r for c in chunk for r in reminders(c, now=now)]
    write(session, Reminder, due)
    stats["hotspot_members"] += _hotspots(session, chunk, now=now, caches=caches)
    stats["signatures"] += _signatures(session, chunk, now=now, cache=caches["signatures"])
    stats["tickets"] += len(chunk)
    stats["open"] += sum(c.ticket["status"] not in ("closed", "merged", "transferred") for c in chunk)
    stats["events"] += len(events)
    stats["facts"] += len(facts)
    stats["reminders"] += len(due)


def _facts(chunk: list[Course], codes: dict[int, str], *, calendar: WorkCalendar,
           limits: TimeLimits) -> list[Any]:
    """The rate facts of the chunk by facts.py's own rules, from the rows in hand (no read-back): bulk
    tickets are never merged, excluded or answered from the knowledge base."""
    rows, events = [], {}
    for course in chunk:
        t = course.ticket
        if t["invalid"]:
            continue
        rows.append(SimpleNamespace(
            id=t["id"], code=codes.get(t["department_id"]), district=t["district"], kind=t["kind"],
            channel=t["channel"], urgency=t["urgency"], received_at=t["received_at"],
            reply_due_at=t.get("reply_due_at"), replied_at=t.get("replied_at"), close_reason=t.get("close_reason"),
            answered_by=None))
        events[t["id"]] = [SimpleNamespace(ticket_id=t["id"], at=e["at"], action=e["action"],
                                           payload=json.dumps(e["payload"]))
                           for e in course.events if e["action"] in READ_ACTIONS]
    return facts_from_rows(tickets=rows, events=events, period=ALL_TIME, now=ALL_TIME.end, calendar=calendar,
                           limits=limits)


def _hotspots(session: Session, chunk: list[Course], *, now: datetime, caches: dict[str, dict[Any, Any]]) -> int:
    """Cluster members of the hotspot window: one cluster per place, topic text and week (its first ticket)."""
    members, terms = [], []
    for course in chunk:
        t = course.ticket
        if now - t["received_at"] > timedelta(days=HOTSPOT_DAYS):
            continue
        key = (t["content"], t["address"])
        if key not in caches["vectors"]:
            caches["vectors"][key] = vectors(t["content"], t["address"])
        words, places = caches["vectors"][key]
        week = (now - t["received_at"]).days // 7
        cluster = caches["clusters"].setdefault((t["district"], t["address"], course.template, week), t["id"])
        members.append({"ticket_id": t["id"], "cluster_id": cluster, "district": t["district"],
                        "received_at": t["received_at"], "terms": words, "places": places,
                        "counted": not t["invalid"]})
        if now - t["received_at"] <= timedelta(days=TERM_DAYS):
            leading = leading_terms(words)
            terms += [{"ticket_id": t["id"], "term": w, "district": t["district"],
                       "received_at": t["received_at"]} for w in leading]
    write(session, HotspotMember, members)
    write(session, HotspotTerm, terms)
    return len(members)


def _signatures(session: Session, chunk: list[Course], *, now: datetime, cache: dict[str, Any]) -> int:
    """Duplicate signatures and band keys of the tickets inside the duplicate window."""
    rows, bands = [], []
    for course in chunk:
        t = course.ticket
        if now - t["received_at"] > timedelta(days=SIGNATURE_DAYS):
            continue
        if t["content"] not in cache:
            cache[t["content"]] = duplicates.text_signature(t["content"])
        minhash = cache[t["content"]]
        rows.append({"ticket_id": t["id"], "received_at": t["received_at"],
                     "minhash": signature.to_bytes(minhash) if minhash is not None else None})
        if minhash is not None:
            bands += [{"band_key": k, "ticket_id": t["id"], "received_at": t["received_at"]}
                      for k in sorted(set(signature.band_keys(minhash)))]
    write(session, TicketSignature, rows)
    write(session, TicketTextBand, bands)
    return len(rows)
