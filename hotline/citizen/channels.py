"""The actor of a ticket a citizen creates: one channel user per citizen channel.

A ticket's first event names who received it (``received_by_id``, the event's actor). For 网站, APP and
微信 nobody in the centre did: the channel did. Each channel is a ``User`` with role ``channel``,
inactive and with a password hash nothing verifies against, so it can never log in or hold a token;
it shows in the timeline as "网站（市民自助）". Created on first use (no migration data to keep in step).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.departments.models import User
from hotline.departments.roles import Role
from hotline.tickets.enums import Channel

CITIZEN_CHANNELS = (Channel.WEB, Channel.APP, Channel.WECHAT)
CHANNEL_NAMES = {Channel.WEB: "网站（市民自助）", Channel.APP: "APP（市民自助）", Channel.WECHAT: "微信（市民自助）"}
# Not an argon2 hash: verify_password answers False for it, so no password opens this account.
NO_LOGIN = "!channel-account-no-login"


def username_of(channel: Channel) -> str:
    """The channel user's username."""
    return f"channel-{channel.value}"


def channel_user(session: Session, channel: Channel, *, now: datetime) -> User:
    """The user standing for a citizen channel, created on first use (safe under concurrent first uses)."""
    if channel not in CITIZEN_CHANNELS:
        raise ValueError(f"not a citizen channel: {channel}")
    query = select(User).where(User.username == username_of(channel))
    user = session.scalar(query)
    if user is not None:
        return user
    try:
        with session.begin_nested():
            user = User(username=username_of(channel), display_name=CHANNEL_NAMES[channel], role=Role.CHANNEL,
                        password_hash=NO_LOGIN, active=False, created_at=now)
            session.add(user)
    except IntegrityError:  # another request made it first
        user = session.scalar(query)
        assert user is not None
    return user
