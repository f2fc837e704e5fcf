"""Admin entry of the official calendar (State Council notice) and a working-day lookup for everyone."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from hotline.auth.web import current_user, require
from hotline.casework import rate_refresh
from hotline.clock import utcnow
from hotline.db import session
from hotline.deadlines import official
from hotline.deadlines.service import load_calendar, year_limits
from hotline.departments.roles import Role
from hotline.errors import ValidationError
from hotline.openapi import documented
from hotline.supervision import live_facts, refreshes
from hotline.tickets import recompute
from hotline.tickets.rules import rules_at
from hotline.validation import Field, date_value, int_arg, json_body, validate

bp = Blueprint("calendar_api", __name__, url_prefix="/api/v1/calendar")

DAYS = {"days": Field(list, required=True, max_items=400, item_max_len=40)}


def _parse(items: list[str]) -> list[tuple[date, bool, str | None]]:
    """Items look like "2027-01-01:off:元旦" or "2027-02-07:work:春节调休"."""
    parsed, errors = [], []
    for number, item in enumerate(items, start=1):
        parts = item.split(":", 2)
        try:
            day = date.fromisoformat(parts[0])
            kind = parts[1]
            if kind not in ("off", "work"):
                raise ValueError(kind)
        except (ValueError, IndexError):
            errors.append({"field": f"days[{number}]", "message": f"格式应为 YYYY-MM-DD:off|work[:名称]，收到 {item!r}"})
            continue
        parsed.append((day, kind == "work", parts[2] if len(parts) > 2 else None))
    if errors:
        raise ValidationError("日历数据有误", details=errors)
    return parsed


@bp.get("/days")
@require()
def days():  # type: ignore[no-untyped-def]
    """Entered official days (?year=2027) and whether a date is a working day (?date=...)."""
    db = session()
    body: dict = {"days": official.days_json(db, int_arg("year", 0, low=0, high=2100) or None)}
    if request.args.get("date"):
        day = date_value(request.args["date"], "date")
        calendar = load_calendar(db)
        body["date"] = {"day": day.isoformat(), "workday": calendar.is_workday(day),
                        "official": calendar.is_official(day)}
    return jsonify(body)


@bp.post("/days")
@require(Role.ADMIN)
@documented(DAYS, status=201)
def enter():  # type: ignore[no-untyped-def]
    """Enter official days; provisional deadlines of open tickets are recomputed at once."""
    parsed = _parse(validate(json_body(), DAYS)["days"])
    db = session()
    now = utcnow()
    count = official.enter_days(db, days=parsed, now=now)
    rules = rules_at(db, now)
    changed = recompute.recompute_provisional(db, rules=rules)
    # The rate facts follow: recomputed deadlines, and response limits that may cross the entered days.
    live_facts.refresh(db, ticket_ids=changed, calendar=rules.calendar, limits=year_limits(db))
    body: dict[str, Any] = {"entered": count, "recomputed_tickets": changed, "rate_refresh": None}
    if parsed:
        refresh = refreshes.after_calendar_change(db, first_day=min(day for day, _w, _n in parsed), now=now,
                                                  actor=current_user().username)
        rate_refresh.start(db, refresh=refresh, config=current_app.config, now=now)
        body["rate_refresh"] = {"id": refresh.id, "finished": refresh.finished_at is not None}
    db.commit()
    return jsonify(body), 201
