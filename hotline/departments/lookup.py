"""Active departments by code, kept per process (hotline.refdata): dispatching reads no table for them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from hotline import refdata
from hotline.departments.models import Department


def active_departments(session: Session) -> dict[str, dict[str, Any]]:
    """Every active department's columns, by code (reloaded when any department changes)."""

    def load() -> dict[str, dict[str, Any]]:
        keys = [attr.key for attr in inspect(Department).column_attrs]
        rows = session.scalars(select(Department).where(Department.active.is_(True)))
        return {d.code: {key: getattr(d, key) for key in keys} for d in rows}

    return refdata.cached(session, "active_departments", load)


def active_department(session: Session, *, code: str) -> Department | None:
    """The active department with this code as an instance of the session, without a SELECT."""
    columns = active_departments(session).get(code)
    if columns is None:
        return None
    department = Department(**columns)
    make_transient_to_detached(department)  # as if just loaded: clean, every column present
    return session.merge(department, load=False)
