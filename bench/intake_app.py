"""The bench-only WSGI app of bench/intake.py: the real app plus one bare-insert endpoint.

`POST /bench/insert` parses the same JSON body as `POST /api/v1/tickets` and does one ORM insert and
commit into a bench-only table of the same database, through the same engine and session: the floor
that any intake path on this stack is compared with. This module is never imported by the product;
gunicorn loads it only in the benchmark (`bench.intake_app:create_bench_app()`).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import DateTime, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hotline import create_app
from hotline.clock import utcnow
from hotline.db import session


class BenchBase(DeclarativeBase):
    """A metadata of its own: the bench table is never part of the product's schema."""

    metadata = MetaData()


class BareInsert(BenchBase):
    """One row per bare-insert request."""

    __tablename__ = "bench_bare_inserts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    caller_phone: Mapped[str | None] = mapped_column(String(30))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


bp = Blueprint("bench_bare", __name__, url_prefix="/bench")


@bp.post("/insert")
def insert():  # type: ignore[no-untyped-def]
    """One insert + commit of the posted message, nothing else."""
    body = request.get_json()
    row = BareInsert(content=body["content"], caller_phone=body.get("caller_phone"), received_at=utcnow())
    db = session()
    db.add(row)
    db.commit()
    return jsonify({"id": row.id}), 201


def create_table(database_url: str) -> None:
    """Create the bench table before gunicorn starts: two workers creating it at boot race each other."""
    from sqlalchemy import create_engine

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    BenchBase.metadata.create_all(engine)
    engine.dispose()


def create_bench_app() -> Flask:
    """The product app with the bare-insert blueprint (bench only)."""
    app = create_app()
    BenchBase.metadata.create_all(app.extensions["db"].engine)
    app.register_blueprint(bp)
    try:  # the access table refuses undeclared routes; declare this one in the bench process only
        from hotline.access import ACCESS, public

        ACCESS.setdefault("bench_bare.insert", public())
    except ImportError:  # before the access table existed
        pass
    return app
