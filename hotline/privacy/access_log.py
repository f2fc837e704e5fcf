"""The access log read back (DESIGN section 7): who saw which caller's data or exported what, and when.

Entries are written by `hotline.auth.service.log_access` and never changed: no service here updates or
deletes, the ORM refuses it (hotline.auth.models), and nothing but reading is routed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hotline.auth.models import AccessLog
from hotline.clock import LOCAL_TZ, iso
from hotline.db import paginate
from hotline.departments.models import User
from hotline.departments.roles import ROLE_LABELS, Role
from hotline.errors import ValidationError
from hotline.tickets.models import Ticket
from hotline.validation import date_value

# What each entry records, in the words of the page.
ACTION_LABELS = {
    "view_ticket": "查看工单（完整号码）",
    "view_followup_queue": "回访队列（完整号码）",
    "reveal_phone": "显示号码",
    "export_metrics": "导出考核数据",
    "export_kb": "导出知识库",
    "reset_password": "重置密码",
    "disable_user": "停用用户",
    "enable_user": "启用用户",
}
DETAIL_LABELS = {"format": "格式", "status": "状态", "group_by": "分组", "from": "起", "to": "止", "rows": "行数",
                 "via": "途径", "display_name": "账号姓名", "metric": "指标", "group": "分组值"}
VALUE_LABELS = {"csv": "逗号分隔表格", "xlsx": "电子表格", "json": "数据文件", "page": "页面", "api": "接口",
                "department": "按单位", "district": "按区", "category": "按类别", "kind": "按类型",
                "channel": "按渠道", "published": "已发布", "draft": "草稿", "review": "待审核"}

@dataclass(frozen=True)
class LogFilter:
    """Filters of the access log: who (user id), which ticket, which action, local dates inclusive."""

    user_id: int | None = None
    ticket_id: int | None = None
    action: str | None = None
    first: date | None = None
    last: date | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def _query(filters: LogFilter) -> Select:
    query = (select(AccessLog, User, Ticket.number)
             .join(User, User.id == AccessLog.user_id)
             .outerjoin(Ticket, Ticket.id == AccessLog.ticket_id))
    if filters.user_id is not None:
        query = query.where(AccessLog.user_id == filters.user_id)
    if filters.ticket_id is not None:
        query = query.where(AccessLog.ticket_id == filters.ticket_id)
    if filters.action:
        query = query.where(AccessLog.action == filters.action)
    if filters.first is not None:
        query = query.where(AccessLog.at >= _start_of(filters.first))
    if filters.last is not None:
        query = query.where(AccessLog.at < _start_of(filters.last + timedelta(days=1)))
    return query.order_by(AccessLog.id.desc())


def describe(detail: dict[str, Any] | None) -> str:
    """The entry's details in Chinese words ("格式：电子表格；行数：12"); unknown keys are left out."""
    if not detail:
        return ""
    return "；".join(f"{DETAIL_LABELS.get(k, k)}：{VALUE_LABELS.get(str(v), v)}" for k, v in detail.items()
                    if k in DETAIL_LABELS and v not in (None, ""))


@dataclass(frozen=True)
class Entry:
    """One access-log entry with who made it and the ticket it concerns."""

    log: AccessLog
    user: User
    ticket_number: str | None

    def as_json(self) -> dict[str, Any]:
        """The entry as the API returns it."""
        return {"id": self.log.id, "at": iso(self.log.at), "action": self.log.action,
                "action_label": ACTION_LABELS.get(self.log.action, self.log.action),
                "user": {"id": self.user.id, "username": self.user.username,
                         "display_name": self.user.display_name, "role": self.user.role,
                         "role_label": ROLE_LABELS.get(Role(self.user.role), self.user.role)},
                "ticket_id": self.log.ticket_id, "ticket_number": self.ticket_number,
                "detail": self.log.detail or {}}


def read_log(session: Session, *, filters: LogFilter, page: int, per_page: int) -> tuple[list[Entry], int]:
    """One page of the access log, newest first, and the total count of entries that match."""
    rows, total = paginate(session, _query(filters), page=page, per_page=per_page)
    return [Entry(log, user, number) for log, user, number in rows], total


def user_by_name(session: Session, username: str) -> User | None:
    """The user with this username, or None."""
    return session.scalar(select(User).where(User.username == username))


def parse_filters(session: Session, args: Mapping[str, str]) -> LogFilter:
    """Filters from query arguments user (username), ticket (number or id), action, from, to; a 422 names
    the argument that is wrong."""
    def text(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        return value[:60] or None

    user_id = ticket_id = None
    if (username := text("user")) is not None:
        user = user_by_name(session, username)
        if user is None:
            raise ValidationError(f"没有用户「{username}」", details=[{"field": "user", "message": "未知用户"}])
        user_id = user.id
    if (reference := text("ticket")) is not None:
        ticket = ticket_by_reference(session, reference)
        if ticket is None:
            raise ValidationError(f"没有工单「{reference}」", details=[{"field": "ticket", "message": "未知工单"}])
        ticket_id = ticket.id
    action = text("action")
    if action is not None and action not in ACTION_LABELS:
        raise ValidationError("未知操作类型", details=[{"field": "action", "message": "未知操作类型"}])
    first = date_value(raw, "from") if (raw := text("from")) else None
    last = date_value(raw, "to") if (raw := text("to")) else None
    if first and last and first > last:
        raise ValidationError("起始日期晚于结束日期", details=[{"field": "from", "message": "晚于结束日期"}])
    return LogFilter(user_id=user_id, ticket_id=ticket_id, action=action, first=first, last=last)


def ticket_by_reference(session: Session, reference: str) -> Ticket | None:
    """A ticket by its number (20261126-000001) or its id."""
    reference = reference.strip()
    ticket = session.scalar(select(Ticket).where(Ticket.number == reference))
    if ticket is None and reference.isdigit() and len(reference) <= 9:
        ticket = session.get(Ticket, int(reference))
    return ticket
