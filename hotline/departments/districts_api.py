"""GET /districts for every logged-in role; POST and PATCH /districts/{code} for admins."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from hotline.auth.web import require
from hotline.db import session
from hotline.departments import districts
from hotline.departments.roles import Role
from hotline.openapi import documented
from hotline.validation import Field, json_body, validate

bp = Blueprint("districts_api", __name__, url_prefix="/api/v1/districts")

CREATE = {"code": Field(str, required=True, max_len=40, pattern=districts.CODE_PATTERN),
          "name": Field(str, required=True, max_len=40)}
CHANGE = {"name": Field(str, max_len=40), "active": Field(bool)}


@bp.get("")
@require()
def index():  # type: ignore[no-untyped-def]
    """The districts: active ones (?all=1 adds the switched-off ones)."""
    rows = districts.list_districts(session(), active_only=request.args.get("all") != "1")
    return jsonify({"items": [districts.district_json(d) for d in rows]})


@bp.post("")
@require(Role.ADMIN)
@documented(CREATE, status=201)
def create():  # type: ignore[no-untyped-def]
    """Add a district."""
    data = validate(json_body(), CREATE)
    db = session()
    district = districts.create_district(db, code=data["code"], name=data["name"])
    db.commit()
    return jsonify(districts.district_json(district)), 201


@bp.patch("/<code>")
@require(Role.ADMIN)
@documented(CHANGE)
def change(code: str):  # type: ignore[no-untyped-def]
    """Rename a district or switch it off/on."""
    data = validate(json_body(), CHANGE)
    db = session()
    district = districts.update_district(db, district=districts.get_district(db, code=code),
                                         name=data.get("name"), active=data.get("active"))
    db.commit()
    return jsonify(districts.district_json(district))
