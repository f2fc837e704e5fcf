"""HTTP API of hotspots (主动治理) and duplicates (并单)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from hotline.auth.web import current_user, require
from hotline.clock import utcnow
from hotline.db import session
from hotline.departments.roles import Role
from hotline.errors import ValidationError
from hotline.privacy import suggestions
from hotline.supervision import duplicates, hotspot_clusters
from hotline.tickets import service
from hotline.tickets.enums import OPEN_STATUSES
from hotline.validation import int_arg

bp = Blueprint("hotspots_api", __name__, url_prefix="/api/v1")


@bp.get("/hotspots")
@require(Role.SUPERVISOR, Role.ADMIN, Role.DISPATCHER)
def hotspot_list():  # type: ignore[no-untyped-def]
    """Clusters of similar recent requests (days, min_size, similarity, district, limit)."""
    settings = current_app.config["SUPERVISION"]
    raw = request.args.get("similarity")
    try:
        similarity = float(raw) if raw else settings["hotspot_similarity"]
    except ValueError:
        raise ValidationError("similarity 必须是 0 到 1 之间的数", details=[{"field": "similarity"}]) from None
    if not 0 < similarity < 1:
        raise ValidationError("similarity 必须是 0 到 1 之间的数", details=[{"field": "similarity"}])
    result = hotspot_clusters.find(
        session(), now=utcnow(), days=int_arg("days", 7, high=90),
        min_size=int_arg("min_size", settings["hotspot_min_size"], low=2, high=1000), similarity=similarity,
        district=(request.args.get("district") or "").strip()[:40] or None, limit=int_arg("limit", 20, high=100))
    result["clusters"] = suggestions.hotspots_for(session(), user=current_user(), clusters=result["clusters"])
    return jsonify(result)


@bp.get("/tickets/<int:ticket_id>/duplicates")
@require(Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)
def ticket_duplicates(ticket_id: int):  # type: ignore[no-untyped-def]
    """The ticket's merge group (primary, merged, citizens, shared result) and similar open tickets."""
    db = session()
    ticket = service.get_visible(db, user=current_user(), ticket_id=ticket_id)
    group = duplicates.merge_group(db, ticket=ticket)
    open_alone = ticket.status in OPEN_STATUSES and ticket.merged_into_id is None
    candidates = (duplicates.find_duplicates(db, ticket=ticket, now=utcnow(),
                                             settings=current_app.config["SUPERVISION"], viewer=current_user())
                  if open_alone else [])
    return jsonify(group | {"candidates": candidates})

