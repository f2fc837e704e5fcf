"""A small history with known answers, driven through the API with a frozen clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """A local Asia/Shanghai time, e.g. "11-26 10:00" in 2026."""
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=SH)


@dataclass
class Known:
    """Ticket ids of the small history."""

    a: int
    b: int
    c: int
    d: int
    e: int
    f: int
    g: int
    h: int


FOLLOW_OK = {"contacted": True, "solved": "solved", "satisfaction": "satisfied"}
FOLLOW_BAD = {"contacted": True, "solved": "unsolved", "satisfaction": "dissatisfied"}


def published_article(app) -> int:  # type: ignore[no-untyped-def]
    """A published knowledge article of the gas company, to resolve a call with."""
    from sqlalchemy import select

    from hotline.db import session
    from hotline.departments.models import Department
    from hotline.knowledge.models import Article

    with app.app_context():
        db = session()
        gas = db.scalar(select(Department.id).where(Department.code == "gas"))
        article = Article(title="燃气报修电话", questions=[], answer="请拨打燃气抢修热线。", department_id=gas,
                          tags=[], status="published", created_at=at("11-01 09:00"), updated_at=at("11-01 09:00"),
                          published_at=at("11-01 09:00"))
        db.add(article)
        db.commit()
        return article.id


def build(api, app) -> Known:  # type: ignore[no-untyped-def]
    """Eight tickets from Thu 2026-11-26 10:00 on; see test_rates for the expected counts."""
    article = published_article(app)
    with time_machine.travel(at("11-26 10:00"), tick=False) as clock:
        def move(when: str) -> None:
            clock.move_to(at(when))

        ids = [api.create(content=f"测试工单{n}：小区路灯不亮，晚上出行不便。")["id"] for n in "abcdefh"]
        a, b, c, d, e, f, h = ids
        for tid in (a, b, f, h):
            api.act(tid, "dispatch", "dispatcher", {"department": "ecology"})
        api.act(c, "dispatch", "dispatcher", {"department": "water"})
        api.act(d, "mark-invalid", "operator", {"note": "骚扰电话"})
        api.act(e, "resolve-on-call", "operator", {"article_id": article})
        move("11-26 10:05")
        g = api.create(content="测试工单g：小区路灯不亮。")["id"]
        api.act(g, "merge", "operator", {"into": a})
        move("11-26 11:00")
        api.act(a, "sign", "dept_ecology")
        api.act(f, "sign", "dept_ecology")
        api.act(c, "return", "dept_water", {"reason": "不属本单位职责"})
        move("11-26 11:30")
        api.act(c, "approve-return", "dispatcher")
        move("11-26 12:00")
        api.act(c, "dispatch", "dispatcher", {"department": "ecology"})
        for tid in (a, f):
            api.act(tid, "reply", "dept_ecology", {"result": "solved", "content": "已修复。"})
        move("11-26 13:00")
        api.act(c, "sign", "dept_ecology")
        for tid in (a, f):
            api.act(tid, "accept-reply", "dispatcher")
        move("11-26 14:00")
        api.act(a, "follow-up", "followup", FOLLOW_OK)
        api.act(f, "follow-up", "followup", FOLLOW_BAD)
        move("11-26 15:00")
        api.act(f, "reply", "dept_ecology", {"result": "solved", "content": "再次修复。"})
        move("11-26 16:00")
        api.act(f, "accept-reply", "dispatcher")
        move("11-26 17:00")
        api.act(f, "follow-up", "followup", FOLLOW_BAD)
        move("11-28 10:00")
        api.act(b, "sign", "dept_ecology")
        move("12-04 12:00")
        api.act(b, "reply", "dept_ecology", {"result": "partly_solved", "content": "部分修复。"})
        move("12-04 13:00")
        api.act(b, "accept-reply", "dispatcher")
        move("12-04 14:00")
        api.act(b, "follow-up", "followup", {"contacted": True, "solved": "partly", "satisfaction": "basically"})
        api.act(h, "request-exclusion", "dept_ecology", {"reason": "超出本单位职权"})
        api.act(h, "approve-exclusion", "supervisor")
    return Known(a, b, c, d, e, f, g, h)
