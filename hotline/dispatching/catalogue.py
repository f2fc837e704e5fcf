"""派单目录: explicit rules that override the model, versioned and edited by admins."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline import refdata
from hotline.departments.districts import check_district
from hotline.departments.models import Department
from hotline.dispatching.models import DispatchRule
from hotline.errors import NotFound, ValidationError

SPLIT = re.compile(r"[、,，;；\s]+")


@dataclass(frozen=True)
class RuleMatch:
    """The rule that decided a dispatch."""

    rule_id: int
    rule_key: str
    version: int
    name: str
    department: str


@dataclass(frozen=True)
class ActiveRule:
    """An active rule's conditions and what it decides, detached from any session (kept per process)."""

    keywords: str
    category: str | None
    district: str | None
    decides: RuleMatch


def keywords_of(rule: DispatchRule | ActiveRule) -> list[str]:
    """The rule's keywords as a list."""
    return [k for k in SPLIT.split(rule.keywords or "") if k]


def matches(rule: DispatchRule | ActiveRule, *, text: str, kind: str | None, district: str | None) -> bool:
    """A rule matches when every condition it sets holds (keywords: any one of them)."""
    words = keywords_of(rule)
    if words and not any(word in text for word in words):
        return False
    if rule.category and rule.category != kind:
        return False
    return not (rule.district and rule.district != district)


def match(session: Session, *, text: str, kind: str | None, district: str | None) -> RuleMatch | None:
    """The highest-priority active rule matching the request, if any."""
    for rule in active_rules(session):
        if matches(rule, text=text, kind=kind, district=district):
            return rule.decides
    return None


def active_rules(session: Session) -> tuple[ActiveRule, ...]:
    """The active rules in priority order (kept per process until the catalogue changes: hotline.refdata)."""

    def load() -> tuple[ActiveRule, ...]:
        rules = session.scalars(select(DispatchRule).where(DispatchRule.active.is_(True))
                                .order_by(DispatchRule.priority, DispatchRule.id))
        return tuple(ActiveRule(r.keywords, r.category, r.district,
                                RuleMatch(r.id, r.rule_key, r.version, r.name, r.department.code)) for r in rules)

    return refdata.cached(session, "catalogue", load)


def catalogue_version(session: Session) -> int:
    """The catalogue's version: it grows with every change."""
    return session.scalar(select(func.coalesce(func.max(DispatchRule.version), 0))) or 0


def _department(session: Session, code: str) -> Department:
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        raise ValidationError(f"department: 未知承办单位 {code!r}", details=[{"field": "department"}])
    return dept


def save_rule(session: Session, *, data: dict, actor: str, now: datetime, rule_key: str | None = None) -> DispatchRule:
    """Add a rule, or a new version of an existing one (the old row is retired, not changed)."""
    if not (data.get("keywords") or data.get("category") or data.get("district")):
        raise ValidationError("规则至少需要关键词、类别或区域之一")
    check_district(session, name=data.get("district"))  # a rule names a district of the table, like intake
    version = catalogue_version(session) + 1
    if rule_key is not None:
        retire_rule(session, rule_key=rule_key, now=now)
    rule = DispatchRule(rule_key=rule_key or uuid.uuid4().hex[:12], version=version, name=data["name"],
                        keywords=data.get("keywords") or "", category=data.get("category"),
                        district=data.get("district"), department=_department(session, data["department"]),
                        priority=data.get("priority", 100), active=True, created_by=actor, created_at=now)
    session.add(rule)
    session.flush()
    return rule


def retire_rule(session: Session, *, rule_key: str, now: datetime) -> None:
    """Retire a rule's active version; its history stays."""
    current = session.scalar(select(DispatchRule).where(DispatchRule.rule_key == rule_key,
                                                        DispatchRule.active.is_(True)).with_for_update(of=DispatchRule))
    if current is None:
        raise NotFound(f"派单目录规则 {rule_key} 不存在")
    current.active = False
    current.retired_at = now


def rule_json(rule: DispatchRule) -> dict:
    """A rule as the API shows it."""
    return {"id": rule.id, "rule_key": rule.rule_key, "version": rule.version, "name": rule.name,
            "keywords": keywords_of(rule), "category": rule.category, "district": rule.district,
            "department": rule.department.code, "priority": rule.priority, "active": rule.active,
            "created_by": rule.created_by, "created_at": rule.created_at.isoformat(),
            "retired_at": rule.retired_at.isoformat() if rule.retired_at else None}
