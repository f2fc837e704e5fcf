"""Districts (区) of the city, kept by admins in the database: the lists on every form and the intake check."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import refdata
from hotline.departments.models import District
from hotline.errors import Conflict, NotFound, ValidationError

CODE_PATTERN = r"[a-z][a-z0-9_]{0,39}"


def list_districts(session: Session, *, active_only: bool = False) -> list[District]:
    """Every district in the admins' order (then by id); only the active ones when asked."""
    query = select(District).order_by(District.id)
    if active_only:
        query = query.where(District.active.is_(True))
    return list(session.scalars(query))


def district_names(session: Session) -> list[str]:
    """The names of the active districts, for form selects and intake checks (kept per process until
    the districts change: hotline.refdata)."""
    names = refdata.cached(session, "districts",
                           lambda: tuple(d.name for d in list_districts(session, active_only=True)))
    return list(names)


def check_district(session: Session, *, name: str | None) -> str | None:
    """The district name when it is an active district (None stays None); otherwise a 422 in Chinese."""
    if name is None or name == "":
        return None
    if name not in district_names(session):
        raise ValidationError(f"所属区「{name}」不在区域列表中，请从列表中选择",
                              details=[{"field": "district", "message": "不在区域列表中"}])
    return name


def district_in(session: Session, *, text: str) -> str | None:
    """The first active district named in a free text (an address), or None."""
    return next((name for name in district_names(session) if name in text), None)


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 40:
        raise ValidationError("区名称必填，且不超过 40 字", details=[{"field": "name", "message": "必填，不超过 40 字"}])
    return name


def _name_free(session: Session, *, name: str, district: District | None = None) -> None:
    other = session.scalar(select(District).where(District.name == name))
    if other is not None and other is not district:
        raise Conflict(f"区名称「{name}」已存在", code="district_exists")


def create_district(session: Session, *, code: str, name: str) -> District:
    """Add an active district; code (lowercase letters, digits, _) and name must both be new."""
    code = code.strip()
    if not re.fullmatch(CODE_PATTERN, code):
        raise ValidationError("区代码须以小写字母开头，只含小写字母、数字和下划线，不超过 40 位",
                              details=[{"field": "code", "message": "格式不正确"}])
    name = _clean_name(name)
    if session.scalar(select(District).where(District.code == code)) is not None:
        raise Conflict(f"区代码「{code}」已存在", code="district_exists")
    _name_free(session, name=name)
    district = District(code=code, name=name, active=True)
    session.add(district)
    session.flush()
    return district


def get_district(session: Session, *, code: str) -> District:
    """The district with this code, or 404."""
    district = session.scalar(select(District).where(District.code == code))
    if district is None:
        raise NotFound(f"区 {code} 不存在")
    return district


def update_district(session: Session, *, district: District, name: str | None = None,
                    active: bool | None = None) -> District:
    """Rename a district or switch it off/on (earlier tickets keep the name they were received with)."""
    if name is not None:
        name = _clean_name(name)
        _name_free(session, name=name, district=district)
        district.name = name
    if active is not None:
        district.active = active
    session.flush()
    return district


def load_districts(session: Session, *, rows: list[tuple[str, str]]) -> int:
    """Insert the (code, name) districts whose code and name are both new; returns how many were added."""
    known = set(session.scalars(select(District.code))) | set(session.scalars(select(District.name)))
    added = 0
    for code, name in rows:
        if code not in known and name not in known:
            session.add(District(code=code, name=name, active=True))
            known |= {code, name}
            added += 1
    session.flush()
    return added


def district_json(district: District) -> dict[str, object]:
    """A district as the API shows it."""
    return {"code": district.code, "name": district.name, "active": district.active}
