"""工作日历 (admins): the official days of a year from the State Council notice, entered and removed here."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hotline.clock import local, utcnow
from hotline.db import session as db_session
from hotline.deadlines import official
from hotline.deadlines.calendar import chinese_calendar_knows
from hotline.departments.roles import Role
from hotline.errors import ValidationError
from hotline.tickets import recompute
from hotline.tickets.rules import rules_at
from hotline.web.admin.common import refused
from hotline.web.auth import login_required
from hotline.web.blueprint import bp, error_page

TEMPLATE = "web/admin/calendar.html"
KINDS = {"放假": False, "休": False, "上班": True, "班": True}
LINE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|～|至|到)\s*(\d{4}-\d{1,2}-\d{1,2}))?\s+(\S+)(?:\s+(.{1,40}))?")
WEEKDAYS = "一二三四五六日"
MAX_DAYS = 400


def _date(text: str) -> date:
    year, month, day = (int(part) for part in text.split("-"))
    return date(year, month, day)


def parse_lines(text: str) -> list[tuple[date, bool, str | None]]:
    """Lines like "2027-01-01 放假 元旦", "2027-02-06~2027-02-12 放假 春节", "2027-02-14 上班 春节调休"."""
    days: list[tuple[date, bool, str | None]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = LINE.fullmatch(line)
        try:
            if match is None or match.group(3) not in KINDS:
                raise ValueError(line)
            first = _date(match.group(1))
            last = _date(match.group(2)) if match.group(2) else first
        except ValueError:
            raise ValidationError(f"第 {number} 行格式不正确：应为「日期 放假|上班 名称」，如 2027-01-01 放假 元旦") from None
        if not date(1900, 1, 1) <= first <= last <= date(2200, 12, 31) or (last - first).days > 60:
            raise ValidationError(f"第 {number} 行的日期范围无效（起止须有序，且不超过 60 天）")
        name = (match.group(4) or "").strip() or None
        days += [(first + timedelta(n), KINDS[match.group(3)], name) for n in range((last - first).days + 1)]
    if not days:
        raise ValidationError("请至少填写一行日期")
    if len(days) > MAX_DAYS:
        raise ValidationError(f"一次最多录入 {MAX_DAYS} 天")
    return days


def _year() -> int:
    raw = request.values.get("year") or ""
    this_year = local(utcnow()).year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else this_year


def _context(year: int, lines: str = "") -> dict[str, Any]:
    rows = official.entered_days(db_session(), year=year)
    return {"year": year, "rows": rows, "weekdays": WEEKDAYS, "lines": lines,
            "library_knows": chinese_calendar_knows(year), "holidays": sum(1 for r in rows if not r.workday),
            "workdays": sum(1 for r in rows if r.workday)}


@bp.get("/admin/calendar")
@login_required(Role.ADMIN)
def admin_calendar() -> Any:
    """The official days entered for a year, whether the built-in calendar knows the year, and the entry form."""
    return render_template(TEMPLATE, **_context(_year()))


def _recompute() -> int:
    db = db_session()
    return len(recompute.recompute_provisional(db, rules=rules_at(db, utcnow())))


@bp.post("/admin/calendar")
@login_required(Role.ADMIN)
def admin_calendar_enter() -> Any:
    """Enter official days (one per line, or a range); provisional deadlines are recomputed at once."""
    year, lines = _year(), request.form.get("lines", "")[:20000]
    db = db_session()
    try:
        days = parse_lines(lines)
        count = official.enter_days(db, days=days, now=utcnow())
        changed = _recompute()
    except ValidationError as exc:
        return refused(exc, TEMPLATE, lambda: _context(year, lines))
    db.commit()
    flash(f"已录入 {count} 天官方安排，重新计算了 {changed} 张工单的期限", "success")
    return redirect(url_for("web.admin_calendar", year=days[0][0].year))


@bp.post("/admin/calendar/<day>/remove")
@login_required(Role.ADMIN)
def admin_calendar_remove(day: str) -> Any:
    """Remove one entered day (the built-in calendar decides it again)."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        return error_page(404, "日期无效")
    db = db_session()
    if not official.remove_day(db, day=when):
        return error_page(404, "该日期没有录入官方安排")
    changed = _recompute()
    db.commit()
    flash(f"已删除 {when.isoformat()} 的官方安排，重新计算了 {changed} 张工单的期限", "success")
    return redirect(url_for("web.admin_calendar", year=when.year))
