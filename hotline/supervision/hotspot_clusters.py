"""Hotspots that scale: each ticket is placed in a cluster when it is received, so a window's hotspots
are a GROUP BY over cluster members, not a re-clustering of the window's texts.

Placement is online average linkage (the rule hotspots.py applies to a whole window): the ticket joins
the cluster whose recent members sharing its leading words are on average at least `similarity` alike
(0.75 × word cosine + 0.25 × address-bigram cosine, within one district), else it starts its own.
Candidates come from an index of leading words by district and time and from the recent tickets at the
same address (both index ranges), so intake never scans the table.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Select, Text, bindparam, cast, func, select, union, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hotline.clock import iso
from hotline.db import column_rows, one_of
from hotline.held import insert_together
from hotline.supervision.hotspots import PLACE_WEIGHT, TEXT_WEIGHT, describe, find_hotspots, tokens
from hotline.supervision.models import HotspotMember, HotspotTerm
from hotline.tickets.enums import Action, Status
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.transitions import Rules, on_move

log = logging.getLogger(__name__)
LEADING_TERMS = 10  # words of a ticket indexed for the candidate look-up (most texts have about ten)
HORIZON = timedelta(days=7)  # a cluster continues if one of its members arrived this recently
TERM_CHARS = 40  # hotspot_terms.term
CANDIDATES = 300  # most recent indexed members read per placement
DEFAULT_SIMILARITY = 0.4


def _unit(counts: Counter[str]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in counts.values()))
    return {k: round(v / norm, 5) for k, v in counts.items()} if norm else {}


def vectors(content: str, address: str | None) -> tuple[dict[str, float], dict[str, float]]:
    """The ticket's normalised word frequencies and address character-bigram frequencies."""
    place = address or ""
    return _unit(Counter(tokens(content))), _unit(Counter(place[i:i + 2] for i in range(len(place) - 1)))


def _dot(a: dict[str, float], b: dict[str, Any]) -> float:
    # fsum: exact whatever order the set of shared words iterates in (that order varies by process)
    return math.fsum([a[k] * b[k] for k in a.keys() & b.keys()])


@lru_cache(maxsize=8192)
def _decoded(stored: str) -> dict[str, float]:
    """A member's stored vector, decoded once per process: keyed by its own text, so a hit is always right.

    Every placement compares the ticket with up to 300 recent members, mostly the same ones as the last
    placement's; decoding their JSON again each time was about a third of the placement's CPU. Callers only
    read it."""
    return json.loads(stored)


def similarity_setting() -> float:
    """The similarity clusters are formed with (the app's setting; the default outside an app)."""
    if has_app_context():
        return float(current_app.config["SUPERVISION"]["hotspot_similarity"])
    return DEFAULT_SIMILARITY


def place_ticket(session: Session, *, ticket: Ticket, similarity: float) -> int | None:
    """Place a newly received ticket in its cluster (an existing one or its own); flush only.
    Returns the cluster id, or None for a text without words to compare."""
    placement = _placement(session, ticket=ticket, similarity=similarity)
    if placement is None:
        return None
    store(session, ticket=ticket, **placement)
    return placement["cluster"]


def _placement(session: Session, *, ticket: Ticket, similarity: float) -> dict[str, Any] | None:
    """What `store` writes for the ticket (cluster, terms, places, leading), or None for a text without words:
    the words and scores computed in Python around two reads, nothing written."""
    terms, places = vectors(ticket.content, ticket.address)
    if not terms:
        return None
    leading = leading_terms(terms)
    members = _candidate_members(session, ticket=ticket, leading=leading)
    cluster = _best_cluster(members, terms=terms, places=places, similarity=similarity) or ticket.id
    return {"cluster": cluster, "terms": terms, "places": places, "leading": leading}


def leading_terms(terms: dict[str, float]) -> list[str]:
    """The ticket's most frequent words (ties by the word), indexed for the candidate look-up, as stored:
    cut to the column's 40 characters, once each (two long words may share their first 40)."""
    ranked = sorted(terms, key=lambda t: (-terms[t], t))[:LEADING_TERMS]
    return list(dict.fromkeys(t[:TERM_CHARS] for t in ranked))


def store(session: Session, *, ticket: Ticket, cluster: int, terms: dict[str, float], places: dict[str, float],
          leading: list[str]) -> None:
    """Write the ticket's membership and its leading words (Core, no unit of work; one statement on PostgreSQL,
    or held for the intake's commit: hotline.held)."""
    member = {"ticket_id": ticket.id, "cluster_id": cluster, "district": ticket.district,
              "received_at": ticket.received_at, "terms": terms, "places": places, "counted": True}
    words = [{"ticket_id": ticket.id, "term": t, "district": ticket.district, "received_at": ticket.received_at}
             for t in leading]
    insert_together(session, [(HotspotMember.__table__, [member]), (HotspotTerm.__table__, words)])


def _candidate_members(session: Session, *, ticket: Ticket,
                       leading: list[str]) -> list[tuple[int, dict[str, float], dict[str, float]]]:
    """(cluster_id, terms, places) of the recent members sharing a leading word or the address."""
    statement = placement_query(address=bool(ticket.address), district=ticket.district is not None,
                                dialect=session.get_bind().dialect.name)
    rows = column_rows(session, statement, placement_params(ticket, leading))
    return [(cluster, _decoded(terms), _decoded(places)) for cluster, terms, places in rows]


def placement_params(ticket: Ticket, leading: list[str]) -> dict[str, Any]:
    """The values `placement_query` of the ticket's shape is executed with."""
    return {"terms": leading, "since": ticket.received_at - HORIZON, "until": ticket.received_at,
            "own": ticket.id, "district": ticket.district, "address": ticket.address}


@lru_cache(maxsize=8)
def placement_query(*, address: bool, district: bool, dialect: str = "postgresql") -> Select[Any]:
    """The candidates' statement, built once per shape (building it cost as much as running it): the word
    index's and, for a ticket with an address, the address index's ranges are its subqueries."""
    own = bindparam("own")
    moment = HotspotTerm.received_at.type
    since, until = bindparam("since", type_=moment), bindparam("until", type_=moment)
    in_district = HotspotTerm.district == bindparam("district") if district else HotspotTerm.district.is_(None)
    parts = [select(HotspotTerm.ticket_id.label("id")).where(
        in_district, one_of(HotspotTerm.term, "terms", dialect=dialect), HotspotTerm.received_at >= since,
        HotspotTerm.received_at <= until, HotspotTerm.ticket_id != own)
        .order_by(HotspotTerm.received_at.desc()).limit(CANDIDATES)]
    if address:  # the same place is a quarter of the similarity: its recent tickets are candidates too
        same_district = Ticket.district == bindparam("district") if district else Ticket.district.is_(None)
        parts.append(select(Ticket.id).where(
            Ticket.address == bindparam("address"), Ticket.received_at >= since, Ticket.received_at <= until,
            Ticket.id != own, same_district).order_by(Ticket.received_at.desc()).limit(CANDIDATES // 3))
    # Each part is a bounded subquery, so SQLite accepts the LIMIT inside a compound SELECT.
    ids = union(*(select(p.subquery().c.id) for p in parts)) if len(parts) > 1 else parts[0]
    return select(HotspotMember.cluster_id, cast(HotspotMember.terms, Text),
                  cast(HotspotMember.places, Text)).where(HotspotMember.ticket_id.in_(ids))


def _best_cluster(members: list[tuple[int, dict[str, float], dict[str, float]]], *, terms: dict[str, float],
                  places: dict[str, float], similarity: float) -> int | None:
    if not members:
        return None
    scores: dict[int, list[float]] = defaultdict(list)
    for cluster, member_terms, member_places in members:
        score = TEXT_WEIGHT * _dot(terms, member_terms)
        if places:  # without an address the place term is 0 with every member (most calls have none)
            score += PLACE_WEIGHT * _dot(places, member_places)
        scores[cluster].append(score)
    best = max(scores.items(), key=lambda kv: (sum(kv[1]) / len(kv[1]), len(kv[1]), -kv[0]))
    return best[0] if sum(best[1]) / len(best[1]) >= similarity else None


LEAVING = frozenset({Action.MARK_INVALID.value, Action.MERGE.value, Action.APPROVE_EXCLUSION.value})


def after_receive(session: Session, ticket: Ticket, event: TicketEvent, _rules: Rules) -> None:
    """Bookkeeping of 受理: the ticket's cluster; a failure of the placement's own work costs the hotspot,
    never the ticket. A ticket leaving the counts (invalid, merged, excluded) leaves its cluster's counts too.

    No savepoint: the words and scores are computed in Python around two reads, and the two INSERTs are
    the new ticket's own rows; a database error is the database failing (the ticket's transaction with it)."""
    if event.action in LEAVING:
        session.execute(update(HotspotMember).where(HotspotMember.ticket_id == ticket.id).values(counted=False))
        return
    if event.action != Action.RECEIVE.value:
        return
    try:
        placement = _placement(session, ticket=ticket, similarity=similarity_setting())
    except SQLAlchemyError:
        raise
    except Exception:
        log.exception("hotspots: ticket %s received without a cluster", ticket.id)
        return
    if placement is not None:
        store(session, ticket=ticket, **placement)


def install() -> None:
    """Register the placement with the transition function's bookkeeping (idempotent)."""
    on_move(after_receive)


def rebuild(session: Session, *, since: datetime, similarity: float, commit: bool = False) -> int:
    """Place every ticket received since a moment, oldest first (after the upgrade that adds the tables)."""
    placed = 0
    last = 0
    while True:
        tickets = session.scalars(select(Ticket).outerjoin(HotspotMember, HotspotMember.ticket_id == Ticket.id)
                                  .where(Ticket.received_at >= since, HotspotMember.ticket_id.is_(None),
                                         Ticket.id > last)
                                  .order_by(Ticket.id).limit(1000)).all()
        if not tickets:
            return placed
        for ticket in sorted(tickets, key=lambda t: (t.received_at, t.id)):
            placed += place_ticket(session, ticket=ticket, similarity=similarity) is not None
        last = tickets[-1].id
        if commit:
            session.commit()


def members_count(session: Session) -> int:
    """How many tickets have a cluster (for the CLI's report)."""
    return session.scalar(select(func.count()).select_from(HotspotMember)) or 0


def find(session: Session, *, now: datetime, days: int, min_size: int, similarity: float | None = None,
         district: str | None = None, limit: int = 20) -> dict[str, Any]:
    """The window's hotspots: a query over the clusters placed at intake for the configured similarity;
    another similarity re-clusters the window's texts (hotspots.find_hotspots, bounded and slower)."""
    if similarity is not None and similarity != similarity_setting():
        return find_hotspots(session, now=now, days=days, min_size=min_size, similarity=similarity,
                             district=district, limit=limit)
    since = now - timedelta(days=days)
    m = HotspotMember
    in_window = [m.received_at >= since, m.received_at <= now, m.counted.is_(True)]
    if district:
        in_window.append(m.district == district)
    sizes = session.execute(select(m.cluster_id).where(*in_window)
                            .group_by(m.cluster_id).having(func.count() >= min_size)
                            .order_by(func.count().desc(), m.cluster_id).limit(4 * limit)).scalars().all()
    rows: dict[int, list[Any]] = defaultdict(list)
    if sizes:
        for r in session.execute(select(m.cluster_id, m.terms, Ticket.id, Ticket.number, Ticket.status,
                                        Ticket.content, Ticket.district, Ticket.received_at)
                                 .join(Ticket, Ticket.id == m.ticket_id)
                                 .where(m.cluster_id.in_(sizes), *in_window).order_by(Ticket.id)):
            rows[r.cluster_id].append(r)
    ids = [r.id for members in rows.values() for r in members]
    merged = dict(session.execute(merged_counts_query(ids)).all()) if ids else {}
    found = [describe(members, _leading(members), merged, since, now) for members in rows.values()]
    found.sort(key=lambda c: (-c["size"], -c["trend"]["recent"], c["first_at"]))
    considered = select(func.count()).select_from(Ticket).where(
        Ticket.received_at >= since, Ticket.received_at <= now, *_counted(),
        *([Ticket.district == district] if district else []))
    return {"from": iso(since), "to": iso(now), "days": days, "tickets_considered": session.scalar(considered),
            "clusters": found[:limit]}


def merged_counts_query(ids: list[int]) -> Select[Any]:
    """(primary id, callers merged into it) for these tickets, by ix_tickets_merged_into (a merge may join an
    older ticket into a newer one, so no time bound); the statement `find` runs."""
    return (select(Ticket.merged_into_id, func.count()).where(Ticket.merged_into_id.in_(ids))
            .group_by(Ticket.merged_into_id))


def _counted() -> list[Any]:
    return [Ticket.invalid.is_(False), Ticket.excluded.is_(False), Ticket.status != Status.MERGED.value]


def _leading(members: list[Any]) -> list[str]:
    weights: Counter[str] = Counter()
    for member in members:
        weights.update(member.terms)
    return [t for t, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:6] if w > 0]
