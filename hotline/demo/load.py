"""Load the demo city into the database (idempotent: existing rows are kept)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.service import create_user
from hotline.demo.city import DEMO_PASSWORD, DEPARTMENTS, DISTRICT_ROWS, USERS
from hotline.departments.districts import load_districts
from hotline.departments.models import Department, User


def load_departments(session: Session) -> int:
    """Insert the demo departments that are missing; returns how many were added."""
    known = set(session.scalars(select(Department.code)))
    added = 0
    for code, name, category, district in DEPARTMENTS:
        if code not in known:
            session.add(Department(code=code, name=name, category=category, district=district))
            added += 1
    session.flush()
    return added


def load_users(session: Session, *, now: datetime, password: str = DEMO_PASSWORD) -> int:
    """Insert the demo users that are missing; returns how many were added."""
    known = set(session.scalars(select(User.username)))
    added = 0
    for username, display, role, department in USERS:
        if username not in known:
            create_user(session, username=username, password=password, role=role, now=now,
                        department_code=department, display_name=display)
            added += 1
    return added


def load_city(session: Session, *, now: datetime) -> dict[str, int]:
    """Districts, departments, users and published articles of the demo city."""
    from hotline.knowledge.transfer import load_demo  # published demo articles (知识库), via the importer

    return {"districts": load_districts(session, rows=DISTRICT_ROWS),
            "departments": load_departments(session), "users": load_users(session, now=now),
            "articles": load_demo(session, now=now)}
