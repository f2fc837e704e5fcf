"""Open311 API keys: issue (the plain key is returned once), find, revoke, list. Services flush only."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.errors import NotFound, ValidationError
from hotline.open311.models import ApiKey
from hotline.tickets.enums import Channel

KEY_CHANNELS = (Channel.APP.value, Channel.WECHAT.value)
PREFIX = "h311_"


def digest(key: str) -> str:
    """The stored form of a key (keys are long random strings, so a plain SHA-256 is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, name: str, channel: str, now: datetime, created_by: str) -> tuple[ApiKey, str]:
    """A new key for a client of a channel; returns the row and the plain key (shown once, never stored)."""
    name = name.strip()
    if not name or len(name) > 60:
        raise ValidationError("名称不能为空，且不超过 60 字", details=[{"field": "name", "message": "必填"}])
    if channel not in KEY_CHANNELS:
        raise ValidationError(f"渠道只能是 {' 或 '.join(KEY_CHANNELS)}", details=[{"field": "channel"}])
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise ValidationError(f"名称 {name} 已存在", details=[{"field": "name", "message": "已存在"}])
    plain = PREFIX + secrets.token_urlsafe(24)
    row = ApiKey(name=name, channel=channel, key_hash=digest(plain), key_prefix=plain[:10], created_at=now,
                 created_by=created_by)
    session.add(row)
    session.flush()
    return row, plain


def find_key(session: Session, plain: str) -> ApiKey | None:
    """The key row of a plain key (revoked ones too: the caller answers 403 for them)."""
    return session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(plain)))


def revoke_key(session: Session, *, name: str, now: datetime) -> ApiKey:
    """Revoke a key by name (idempotent); it answers 403 from then on."""
    row = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if row is None:
        raise NotFound(f"没有名为 {name} 的 API 密钥")
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return row


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, newest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))
