"""What a suggestion may show its user (DESIGN section 7): the one filter of every suggestion path.

A suggestion (possible duplicate, hotspot example) never names a ticket its user could not open, and
outside the centre it never tells from a confidential caller's identity (same phone, same address) that
two requests are linked: the match is then judged, scored and explained on the text alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.tickets.models import Ticket
from hotline.tickets.transitions import can_see, sees_every_ticket

# The centre's desk: who may learn that two requests share a caller, even a confidential one.
IDENTITY_CENTRE = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
# The anonymous version of a match, carried by each raw duplicate item until this filter decides.
ANONYMOUS = "_anonymous"


def identity_private(user: User, ticket: Ticket) -> bool:
    """Whether a suggestion to this user must not use the ticket's caller identity."""
    if user.role in IDENTITY_CENTRE:
        return False
    return bool(ticket.confidential or ticket.reported_department_id is not None)


def _openable(session: Session, user: User, ids: Iterable[int]) -> dict[int, Ticket]:
    """The tickets among `ids` this user may open, by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(Ticket).where(Ticket.id.in_(wanted)))
    return {t.id: t for t in rows if can_see(user, t)}


def duplicates_for(session: Session, *, user: User, items: list[dict[str, Any]],
                   limit: int | None = None) -> list[dict[str, Any]]:
    """Raw duplicate matches as this user may see them, best first (the first `limit` of them).

    Each raw item has the full-signal ``score``/``reason`` and, under ``_anonymous``, the text-and-district
    version ({"score", "reason"}, or None when that alone is below the threshold). The filter can only lower
    a score, so the items are judged best full score first, a few at a time, and judging stops once the
    `limit` best shown beat every full score left: a common complaint's 150 candidates cost a handful of
    ticket loads, not 150."""
    order = {id(item): n for n, item in enumerate(items)}  # ties keep the candidates' order
    ranked = sorted(items, key=lambda d: (-d["score"], order[id(d)]))
    step = 2 * limit if limit else len(ranked) or 1
    shown: list[tuple[int, dict[str, Any]]] = []
    for start in range(0, len(ranked), step):
        batch = ranked[start:start + step]
        shown += _judged(session, user, batch, order)
        shown.sort(key=lambda p: (-p[1]["score"], p[0]))
        rest = ranked[start + step:start + step + 1]
        if limit and len(shown) >= limit and (not rest or shown[limit - 1][1]["score"] > rest[0]["score"]):
            break
    return [item for _n, item in shown][:limit]


def _judged(session: Session, user: User, items: list[dict[str, Any]],
            order: dict[int, int]) -> list[tuple[int, dict[str, Any]]]:
    """The items this user may see, each with its place among the candidates and the score it may see."""
    if sees_every_ticket(user) and user.role in IDENTITY_CENTRE:  # the call-takers at intake: no ticket to load
        return [(order[id(item)], {k: v for k, v in item.items() if k != ANONYMOUS}) for item in items]
    tickets = _openable(session, user, (item["id"] for item in items))
    shown = []
    for item in items:
        anonymous = item.get(ANONYMOUS)
        public = {k: v for k, v in item.items() if k != ANONYMOUS}
        ticket = tickets.get(item["id"])
        if ticket is None:
            continue
        if identity_private(user, ticket):
            if anonymous is None:
                continue
            public |= {"score": anonymous["score"], "reason": anonymous["reason"]}
        shown.append((order[id(item)], public))
    return shown


def hotspots_for(session: Session, *, user: User, clusters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Hotspot clusters with only the example tickets this user may open; a cluster with none is left
    out, and its sample text only shows when its ticket is openable and not private to the user."""
    ids = [t["id"] for c in clusters for t in c.get("tickets", [])]
    ids += [c["sample_id"] for c in clusters if c.get("sample_id") is not None]
    tickets = _openable(session, user, ids)
    shown = []
    for cluster in clusters:
        examples = [t for t in cluster.get("tickets", []) if t["id"] in tickets]
        if not examples:
            continue
        sample = tickets.get(cluster.get("sample_id"))  # type: ignore[arg-type]
        text = cluster.get("sample") if sample is not None and not identity_private(user, sample) else None
        shown.append(cluster | {"tickets": examples, "sample": text})
    return shown
