"""What the admin pages share: the rendering of a page with its form message, and the error text."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template

from hotline.db import session as db_session
from hotline.errors import ApiError, ValidationError

# Field codes of the admin forms → the labels the user sees next to the input.
FIELD_NAMES = {
    "username": "登录名", "display_name": "姓名", "role": "角色", "department": "所属单位",
    "new_password": "密码", "password": "密码", "code": "代码", "name": "名称", "category": "类别",
    "district": "所属区", "active": "状态", "date": "日期", "kind": "类型", "year": "年度",
}


def message_of(exc: ApiError) -> str:
    """The Chinese message of a refused admin form; a field check's codes become the inputs' labels."""
    if isinstance(exc, ValidationError) and exc.message.startswith("请求参数有误") and isinstance(exc.details, list):
        parts = [f"{FIELD_NAMES.get(d.get('field', ''), '某项')}：{d['message']}"
                 for d in exc.details if isinstance(d, dict) and d.get("message")]
        if parts:
            return "输入有误：" + "；".join(parts)
    return exc.message


def refused(exc: ApiError, template: str, context: dict[str, Any]) -> tuple[str, int]:
    """Roll back, flash the message and show the page again with the status of the refusal."""
    db_session().rollback()
    flash(message_of(exc), "error")
    return render_template(template, **context), exc.status if 400 <= exc.status < 500 else 422
