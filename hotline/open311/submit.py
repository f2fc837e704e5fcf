"""POST /open311/v2/requests.json (GeoReport v2 "POST Service Request") for the city's app and WeChat
mini-program: an API key names the client and its channel; the request enters the operator's queue as
an online request of that channel (held for review, as /public/submit).

Arguments (form-encoded as the spec says, or a JSON object): api_key, service_code (from services.json),
description, a location (lat + long, or address_string), and optional first_name, last_name, phone,
email, device_id, account_id. The answer is the spec's ``[{"service_request_id", "service_notice",
"account_id"}]``; errors are the spec's ``[{"code", "description"}]`` with the same HTTP status.
"""

from __future__ import annotations

import math
from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from hotline.citizen import abuse
from hotline.citizen.blueprint import public_url
from hotline.citizen.submit import normalize_phone, promise, queue_receipt, submit
from hotline.clock import utcnow
from hotline.db import session
from hotline.departments.districts import district_in
from hotline.errors import ApiError, Forbidden, ValidationError
from hotline.open311 import keys
from hotline.open311.api import bp
from hotline.open311.models import Open311Request
from hotline.openapi import documented, object_schema
from hotline.tickets.enums import Channel, Kind
from hotline.tickets.rules import rules_at
from hotline.validation import Field, choices, validate

EMAIL = r"[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}"
FIELDS: dict[str, Field] = {
    "service_code": Field(str, required=True, choices=choices(Kind)),
    "description": Field(str, required=True, max_len=2000),
    "address_string": Field(str, max_len=200),
    "first_name": Field(str, max_len=30),
    "last_name": Field(str, max_len=30),
    "phone": Field(str, max_len=30),
    "email": Field(str, max_len=200, pattern=EMAIL),
    "device_id": Field(str, max_len=100),
    "account_id": Field(str, max_len=100),
}
IGNORED = frozenset({"api_key", "lat", "long", "address_id", "media_url", "jurisdiction_id"})


def _body_schema() -> dict[str, Any]:
    """The documented arguments: FIELDS plus the key, the coordinates and the spec's ignored extras."""
    schema = object_schema(FIELDS)
    schema["properties"] |= {
        "api_key": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        **{name: {"type": ["string", "null"], "maxLength": 200}
           for name in ("address_id", "media_url", "jurisdiction_id")},
    }
    schema["required"] = ["api_key", *schema["required"]]
    return schema


BODY = _body_schema()


@bp.errorhandler(ApiError)
def _spec_error(exc: ApiError) -> Any:
    from flask import g

    db = g.get("db_session")
    if db is not None:
        db.rollback()
    return jsonify([{"code": exc.status, "description": exc.message}]), exc.status


@bp.errorhandler(HTTPException)
def _spec_http_error(exc: HTTPException) -> Any:
    return jsonify([{"code": exc.code or 400, "description": exc.description or exc.name}]), exc.code or 400


def _arguments() -> dict[str, Any]:
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ValidationError("请求体必须是 JSON 对象或表单")
        return {k: v if isinstance(v, str) else str(v) for k, v in body.items() if v is not None}
    return {k: v for k, v in request.values.items() if not k.startswith("attribute[")}


def _key(args: dict[str, Any]) -> keys.ApiKey:
    plain = args.get("api_key") or ""
    if not plain:
        raise ApiError("缺少 api_key", code="api_key_missing", status=400)
    row = keys.find_key(session(), plain[:200])
    if row is None or row.revoked_at is not None:
        raise Forbidden("api_key 无效或已被吊销", code="api_key_invalid")
    return row


def _coordinate(args: dict[str, Any], name: str, bound: float) -> float | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > bound:
        raise ValidationError(f"{name} 应为 -{bound:g} 到 {bound:g} 之间的数值", details=[{"field": name}])
    return value


def _ticket_data(args: dict[str, Any]) -> tuple[dict[str, Any], float | None, float | None]:
    clean = validate({k: v for k, v in args.items() if k not in IGNORED}, FIELDS)
    lat, long = _coordinate(args, "lat", 90), _coordinate(args, "long", 180)
    if (lat is None) != (long is None) or (lat is None and not clean.get("address_string")):
        raise ValidationError("须提供位置：lat 与 long，或 address_string", details=[{"field": "address_string"}])
    address = clean.get("address_string") or f"坐标 {lat:.6f},{long:.6f}"
    data: dict[str, Any] = {"content": clean["description"], "kind": clean["service_code"], "address": address,
                            "district": district_in(session(), text=address)}
    name = f"{clean.get('last_name', '')}{clean.get('first_name', '')}".strip()
    if name:
        data["caller_name"] = name
    if clean.get("phone"):
        data["caller_phone"] = normalize_phone(clean["phone"])
    return data | {"_extra": {k: clean.get(k) for k in ("email", "device_id", "account_id")}}, lat, long


@bp.post("/requests.json")
@documented(files={"application/x-www-form-urlencoded": BODY, "application/json": BODY})
def create_request():  # type: ignore[no-untyped-def]
    """Create a service request from an Open311 client with an API key (held for the operator's review)."""
    args = _arguments()
    key = _key(args)
    data, lat, long = _ticket_data(args)
    extra = data.pop("_extra")
    checks = [("open311_key", str(key.id))] + ([("submit_phone", data["caller_phone"])]
                                                if data.get("caller_phone") else [])
    refusal = abuse.first_refusal(checks)
    if refusal is not None:
        raise ApiError(f"请求过于频繁，请 {refusal.minutes()} 分钟后再试", code="rate_limited", status=429)
    db = session()
    rules = rules_at(db, utcnow())
    result = submit(db, data=data, channel=Channel(key.channel), rules=rules)
    ticket = result.ticket
    db.add(Open311Request(ticket_id=ticket.id, api_key_id=key.id, lat=lat, long=long, created_at=rules.now,
                          **extra))
    key.last_used_at = rules.now
    queue_receipt(db, ticket=ticket, track_url=public_url("public.track_form", number=ticket.number),
                  now=rules.now)
    db.commit()
    for name, ident in checks:
        abuse.count(name, ident)
    notice = f"已受理，工作人员审核派发后，承办单位将在{promise(rules).limit_text}"
    return jsonify([{"service_request_id": ticket.number, "service_notice": notice,
                     "account_id": extra.get("account_id")}])
