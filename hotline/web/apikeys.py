"""API 密钥 (admins): issue Open311 keys for the city's app and WeChat mini-program, see them, revoke them."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from hotline.clock import utcnow
from hotline.db import session as db_session
from hotline.departments.roles import Role
from hotline.errors import ApiError
from hotline.open311 import keys
from hotline.open311.models import ApiKey
from hotline.web.auth import login_required, me
from hotline.web.blueprint import bp, error_page

CHANNEL_NAMES = {"app": "APP", "wechat": "微信"}


def _page(new_key: str | None = None, new_name: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("web/apikeys.html", rows=keys.list_keys(db_session()), channels=CHANNEL_NAMES,
                           new_key=new_key, new_name=new_name), status


@bp.get("/admin/apikeys")
@login_required(Role.ADMIN)
def apikeys() -> Any:
    """The keys: name, channel, prefix, issued, last used, revoked."""
    return _page()


@bp.post("/admin/apikeys")
@login_required(Role.ADMIN)
def apikeys_create() -> Any:
    """Issue a key; the page shows it this once (only its hash is stored)."""
    db = db_session()
    try:
        row, plain = keys.create_key(db, name=request.form.get("name") or "",
                                     channel=request.form.get("channel") or "", now=utcnow(),
                                     created_by=me().username)
    except ApiError as exc:
        db.rollback()
        flash(exc.message, "error")
        return _page(status=422)
    db.commit()
    flash(f"已签发 API 密钥「{row.name}」，请立即复制保存：离开本页后无法再次查看。", "success")
    return _page(new_key=plain, new_name=row.name)


@bp.post("/admin/apikeys/<int:key_id>/revoke")
@login_required(Role.ADMIN)
def apikeys_revoke(key_id: int) -> Any:
    """Revoke a key: its requests answer 403 from now on."""
    db = db_session()
    row = db.get(ApiKey, key_id)
    if row is None:
        return error_page(404, "API 密钥不存在")
    keys.revoke_key(db, name=row.name, now=utcnow())
    db.commit()
    flash(f"已吊销 API 密钥「{row.name}」", "success")
    return redirect(url_for("web.apikeys"))
