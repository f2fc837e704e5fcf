"""并单: similar open tickets offered at intake, and what a merged group shares (result, citizens).

Candidates come from three index lookups over the duplicate window (config `duplicate_days`): the same
caller's phone, the same address, and tickets sharing an LSH band key of the text signature
(signature.py). Nothing at intake scans the tickets table or fits a vectoriser: the text similarity is
the estimated Dice coefficient of the stored signatures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import Select, any_, bindparam, delete, func, select, union
from sqlalchemy.orm import Session

from classifier import tokenizer
from hotline.clock import iso
from hotline.db import column_rows, one_of
from hotline.departments.models import User
from hotline.held import insert_together
from hotline.privacy import suggestions
from hotline.supervision import signature as sig
from hotline.supervision.models import TicketSignature, TicketTextBand
from hotline.tickets.enums import LABELS, OPEN_STATUSES
from hotline.tickets.models import Ticket
from hotline.tickets.serialize import shared_result

TEXT_WEIGHT, PHONE_WEIGHT, PLACE_WEIGHT = 0.6, 0.25, 0.15
COLUMNS = (Ticket.id, Ticket.number, Ticket.status, Ticket.content, Ticket.caller_phone, Ticket.district,
           Ticket.address, Ticket.received_at, TicketSignature.ticket_id.label("signed"), TicketSignature.minhash)


def text_signature(content: str, words: list[str] | None = None) -> np.ndarray | None:
    """The signature of a request's text: MinHash of its content words (`tokenizer.tokens`, given when
    the caller already segmented the text) joined, so punctuation, digits and stop words do not count."""
    words = tokenizer.tokens(content) if words is None else words
    return sig.minhash("".join(tokenizer.content(words)))


def remember(session: Session, *, ticket: Ticket, signature: np.ndarray | None) -> None:
    """Store a new ticket's signature and band keys (Core INSERTs, no unit of work), so later tickets find
    it by index (at the intake's commit: hotline.held). The rows are made before anything is written, so a
    failure writes neither."""
    bands = [{"band_key": key, "ticket_id": ticket.id, "received_at": ticket.received_at}
             for key in sorted(set(sig.band_keys(signature)))] if signature is not None else []
    signed = {"ticket_id": ticket.id, "received_at": ticket.received_at,
              "minhash": sig.to_bytes(signature) if signature is not None else None}
    insert_together(session, [(TicketSignature.__table__, [signed]), (TicketTextBand.__table__, bands)])


def prune(session: Session, *, before: datetime) -> int:
    """Forget signatures and bands of tickets received before `before` (older than any duplicate window)."""
    session.execute(delete(TicketTextBand).where(TicketTextBand.received_at < before))
    gone = session.execute(delete(TicketSignature).where(TicketSignature.received_at < before))
    return gone.rowcount or 0


def _stored(session: Session, ticket: Ticket) -> np.ndarray | None:
    row = session.execute(select(TicketSignature.minhash).where(TicketSignature.ticket_id == ticket.id)).first()
    if row is None:  # received before signatures existed
        return text_signature(ticket.content)
    return sig.from_bytes(row.minhash) if row.minhash is not None else None


@cache
def candidate_query(limit: int, *, phone: bool = True, address: bool = True, bands: bool = True,
                    dialect: str = "postgresql") -> Select[Any]:
    """Open, unmerged, valid tickets among the same caller's, the same address's and similar texts' recent
    tickets (bounded index lookups), newest first: one statement, built once per shape. Bound at
    execution: phone, address, bands (the LSH band keys), since and own (the ticket's id).

    Only the signals the ticket has are in the statement: once psycopg prepares a statement, PostgreSQL
    may run a generic plan, and `address = NULL` planned blind walks the whole window by time (a month
    of a big city's tickets). For the same reason the tickets are then fetched by primary key from an
    array of the candidate ids, not by a join the planner could turn into a scan of the open tickets."""
    since = bindparam("since")
    parts = [select(Ticket.id).where(column == bindparam(name), Ticket.received_at >= since)
             .order_by(Ticket.received_at.desc()).limit(limit)
             for column, name, present in ((Ticket.caller_phone, "phone", phone), (Ticket.address, "address", address))
             if present]
    if bands:
        parts.append(select(TicketTextBand.ticket_id.label("id")).where(
            one_of(TicketTextBand.band_key, "bands", dialect=dialect), TicketTextBand.received_at >= since)
            .limit(limit))
    # Each part is a bounded subquery, so SQLite accepts the LIMIT inside a compound SELECT.
    subqueries = [select(p.subquery().c.id) for p in parts]
    ids = union(*subqueries) if len(subqueries) > 1 else subqueries[0]
    among = (Ticket.id == any_(func.array(ids.scalar_subquery())) if dialect == "postgresql"
             else Ticket.id.in_(ids))
    return (select(*COLUMNS).outerjoin(TicketSignature, TicketSignature.ticket_id == Ticket.id)
            .where(among, Ticket.id != bindparam("own"),
                   Ticket.status.in_(sorted(s.value for s in OPEN_STATUSES)),
                   Ticket.merged_into_id.is_(None), Ticket.invalid.is_(False))
            .order_by(Ticket.id.desc()).limit(limit))


def candidate_shape(ticket: Ticket, signature: np.ndarray | None) -> dict[str, bool]:
    """Which signals the ticket has (the `candidate_query` shape to run)."""
    return {"phone": bool(ticket.caller_phone), "address": bool(ticket.address), "bands": signature is not None}


def candidate_params(ticket: Ticket, signature: np.ndarray | None, *, since: datetime) -> dict[str, Any]:
    """The values `candidate_query` of the ticket's shape is executed with."""
    params: dict[str, Any] = {"since": since, "own": ticket.id}
    if ticket.caller_phone:
        params["phone"] = ticket.caller_phone
    if ticket.address:
        params["address"] = ticket.address
    if signature is not None:
        params["bands"] = sorted(set(sig.band_keys(signature)))
    return params


def _candidates(session: Session, ticket: Ticket, signature: np.ndarray | None, *, since: datetime,
                limit: int) -> Sequence[Any]:
    """The candidates of a duplicate check: one round trip of a statement compiled once (never a scan)."""
    shape = candidate_shape(ticket, signature)
    if not any(shape.values()):
        return []
    statement = candidate_query(limit, **shape, dialect=session.get_bind().dialect.name)
    return column_rows(session, statement, candidate_params(ticket, signature, since=since))


def _similarities(signature: np.ndarray | None, rows: Sequence[Any]) -> list[float]:
    # Tickets received before signatures existed get theirs computed here, once per lookup.
    stored = [r.minhash if r.signed is not None else _bytes(text_signature(r.content)) for r in rows]
    return sig.similarity(signature, stored)


def _bytes(signature: np.ndarray | None) -> bytes | None:
    return sig.to_bytes(signature) if signature is not None else None


def _match(text: float, phone: bool, address: bool, district: bool) -> tuple[float, str]:
    """The score and the reason of a match from its signals."""
    place = 1.0 if address else 0.5 if district else 0.0
    score = TEXT_WEIGHT * text + PHONE_WEIGHT * phone + PLACE_WEIGHT * place
    reasons = [label for flag, label in ((phone, "同一来电号码"), (address, "同一地址"),
                                         (district and not address, "同一区")) if flag]
    reasons.append(f"内容相似度 {text:.0%}")
    return score, "；".join(reasons)


def find_duplicates(session: Session, *, ticket: Ticket, now: datetime, settings: Mapping[str, Any],
                    viewer: User, limit: int = 5, signature: np.ndarray | None = None,
                    signed: bool = False) -> list[dict[str, Any]]:
    """Open tickets of the last days that look like the same request, best first, with the reason,
    as `viewer` may see them (hotline.privacy.suggestions: only openable tickets, and no caller-identity
    signal of a confidential ticket outside the centre).

    `signature` (with `signed=True`) is the ticket's own, when the caller just computed it."""
    if not signed:
        signature = _stored(session, ticket)
    since = now - timedelta(days=settings["duplicate_days"])
    rows = _candidates(session, ticket, signature, since=since, limit=settings["duplicate_candidates"])
    if not rows:
        return []
    texts = _similarities(signature, rows)
    least = settings["duplicate_min_score"]
    found = []
    for row, text in zip(rows, texts, strict=True):
        phone = bool(ticket.caller_phone) and row.caller_phone == ticket.caller_phone
        address = bool(ticket.address) and row.address == ticket.address
        district = bool(ticket.district) and row.district == ticket.district
        score, reason = _match(text, phone, address, district)
        if score < least:
            continue
        anonymous_score, anonymous_reason = _match(text, False, False, district)
        found.append({"id": row.id, "number": row.number, "status": row.status,
                      "status_label": LABELS.get(row.status), "received_at": iso(row.received_at),
                      "score": round(score, 3), "text_similarity": round(text, 3), "reason": reason,
                      suggestions.ANONYMOUS: ({"score": round(anonymous_score, 3), "reason": anonymous_reason}
                                              if anonymous_score >= least else None)})
    return suggestions.duplicates_for(session, user=viewer, items=found, limit=limit)


def brief(ticket: Ticket) -> dict[str, Any]:
    """A ticket in a merge group, without the caller's identity."""
    return {"id": ticket.id, "number": ticket.number, "status": ticket.status,
            "status_label": LABELS.get(ticket.status), "received_at": iso(ticket.received_at),
            "district": ticket.district, "address": ticket.address, "summary": ticket.content[:80]}


def merge_group(session: Session, *, ticket: Ticket) -> dict[str, Any]:
    """The ticket's merge group: its primary, the merged tickets, the citizens and the shared result."""
    primary = session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else ticket
    assert primary is not None
    merged = list(session.scalars(select(Ticket).where(Ticket.merged_into_id == primary.id)
                                  .order_by(Ticket.id)))
    return {"ticket_id": ticket.id, "is_primary": primary.id == ticket.id, "primary": brief(primary),
            "merged": [brief(t) for t in merged], "citizens": 1 + len(merged), "result": shared_result(primary)}


def at_intake(session: Session, *, ticket: Ticket, now: datetime, viewer: User,
              signature: np.ndarray | None = None, signed: bool = False) -> list[dict[str, Any]]:
    """The possible duplicates POST /tickets returns: [{id, number, status, score, reason}].

    `signature`/`signed`: the new ticket's signature, computed from the words intake shares."""
    return find_duplicates(session, ticket=ticket, now=now, settings=current_app.config["SUPERVISION"],
                           viewer=viewer, signature=signature, signed=signed)
