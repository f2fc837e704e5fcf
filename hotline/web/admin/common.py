"""What the admin pages share: the rendering of a page with its form message, and the error text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, render_template

from hotline.db import session as db_session
from hotline.errors import ApiError, ValidationError

# Field codes of the admin forms → the labels the user sees next to the input.
FIELD_NAMES = {
    "username": "登录名", "display_name": "姓名", "role": "角色", "department": "所属单位",
    "new_password": "密码", "password": "密码", "code": "代码", "name": "名称", "category": "类别",
    "district": "所属区", "active": "状态", "date": "日期", "kind": "类型", "year": "年度",
    "keywords": "关键词", "priority": "优先级", "lines": "日期",
}


def _detail(detail: dict[str, Any]) -> str:
    name = FIELD_NAMES.get(str(detail.get("field", "")), "某项")
    message = str(detail.get("message") or "无效")
    return f"{name}：{'请从列表中选择' if message.startswith('取值无效') else message}"


def message_of(exc: ApiError) -> str:
    """The Chinese message of a refused admin form; a field check's codes become the inputs' labels."""
    details = exc.details if isinstance(exc.details, list) else []
    coded = exc.message.startswith("请求参数有误") or any(":" in exc.message[:30] and isinstance(d, dict)
                                                       and not d.get("message") for d in details)
    if isinstance(exc, ValidationError) and coded and details:
        return "输入有误：" + "；".join(_detail(d) for d in details if isinstance(d, dict))
    return exc.message


def refused(exc: ApiError, template: str, context: Callable[[], dict[str, Any]]) -> tuple[str, int]:
    """Roll back, flash the message and show the page again (its context read after the rollback, so
    nothing half-changed is shown or flushed) with the status of the refusal."""
    db_session().rollback()
    flash(message_of(exc), "error")
    return render_template(template, **context()), exc.status if 400 <= exc.status < 500 else 422
