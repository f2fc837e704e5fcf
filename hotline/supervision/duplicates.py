"""并单: similar open tickets offered at intake, and what a merged group shares (result, citizens)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.clock import iso
from hotline.tickets.enums import LABELS, OPEN_STATUSES
from hotline.tickets.models import Ticket
from hotline.tickets.serialize import shared_result

TEXT_WEIGHT, PHONE_WEIGHT, PLACE_WEIGHT = 0.6, 0.25, 0.15
COLUMNS = (Ticket.id, Ticket.number, Ticket.status, Ticket.content, Ticket.caller_phone, Ticket.district,
           Ticket.address, Ticket.received_at)


def _candidates(session: Session, ticket: Ticket, *, since: datetime, limit: int) -> list[Any]:
    """A bounded set: the same caller, the same address, then the most recent in the same district."""
    base = select(*COLUMNS).where(Ticket.id != ticket.id, Ticket.received_at >= since,
                                  Ticket.status.in_([s.value for s in OPEN_STATUSES]),
                                  Ticket.merged_into_id.is_(None), Ticket.invalid.is_(False))
    same = []
    if ticket.caller_phone:
        same.append(Ticket.caller_phone == ticket.caller_phone)
    if ticket.address:
        same.append(Ticket.address == ticket.address)
    rows: dict[int, Any] = {}
    if same:
        rows.update((r.id, r) for r in session.execute(base.where(or_(*same)).order_by(Ticket.id.desc())
                                                       .limit(limit)))
    near = base.where(Ticket.district == ticket.district) if ticket.district else base
    rows.update((r.id, r) for r in session.execute(near.order_by(Ticket.id.desc()).limit(limit)))
    return list(rows.values())


def _text_similarity(text: str, others: list[str]) -> list[float]:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([text, *others])
    except ValueError:  # no n-gram at all (one-character texts): nothing to compare
        return [0.0] * len(others)
    return [float(v) for v in cosine_similarity(matrix[0], matrix[1:])[0]]


def find_duplicates(session: Session, *, ticket: Ticket, now: datetime, settings: Mapping[str, Any],
                    limit: int = 5) -> list[dict[str, Any]]:
    """Open tickets of the last days that look like the same request, best first, with the reason."""
    since = now - timedelta(days=settings["duplicate_days"])
    rows = _candidates(session, ticket, since=since, limit=settings["duplicate_candidates"])
    if not rows:
        return []
    texts = _text_similarity(ticket.content, [r.content for r in rows])
    found = []
    for row, text in zip(rows, texts, strict=True):
        phone = bool(ticket.caller_phone) and row.caller_phone == ticket.caller_phone
        address = bool(ticket.address) and row.address == ticket.address
        district = bool(ticket.district) and row.district == ticket.district
        place = 1.0 if address else 0.5 if district else 0.0
        score = TEXT_WEIGHT * text + PHONE_WEIGHT * phone + PLACE_WEIGHT * place
        if score < settings["duplicate_min_score"]:
            continue
        reasons = [label for flag, label in ((phone, "同一来电号码"), (address, "同一地址"),
                                             (district and not address, "同一区")) if flag]
        reasons.append(f"内容相似度 {text:.0%}")
        found.append({"id": row.id, "number": row.number, "status": row.status,
                      "status_label": LABELS.get(row.status), "received_at": iso(row.received_at),
                      "score": round(score, 3), "text_similarity": round(text, 3), "reason": "；".join(reasons)})
    return sorted(found, key=lambda d: -d["score"])[:limit]


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


def at_intake(session: Session, *, ticket: Ticket, now: datetime) -> list[dict[str, Any]]:
    """The possible duplicates POST /tickets returns: [{id, number, status, score, reason}]."""
    return find_duplicates(session, ticket=ticket, now=now, settings=current_app.config["SUPERVISION"])
