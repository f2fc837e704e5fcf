"""GET /departments for every role."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select

from hotline.auth.web import require
from hotline.db import session
from hotline.departments.models import Department

bp = Blueprint("departments_api", __name__, url_prefix="/api/v1/departments")


@bp.get("")
@require()
def index():  # type: ignore[no-untyped-def]
    """Every active department: code and name."""
    rows = session().scalars(select(Department).where(Department.active.is_(True)).order_by(Department.id))
    return jsonify({"items": [{"code": d.code, "name": d.name, "category": d.category, "district": d.district}
                              for d in rows]})
