"""Test data: the fixed clock and ticket bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Thursday 2026-11-26 10:00 in Asia/Shanghai: a working day.
T0 = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)


def ticket_body(**overrides: Any) -> dict[str, Any]:
    """A valid create body; keyword arguments override fields (None removes one)."""
    body: dict[str, Any] = {
        "content": "东湖区滨湖路18号小区楼下餐馆油烟直排，晚上十点后还在营业，噪音扰民，希望有关部门处理。",
        "caller_name": "张先生", "caller_phone": "13812345678", "channel": "phone", "kind": "complaint",
        "urgency": "normal", "district": "东湖区", "address": "滨湖路18号",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def stored_ticket(at: datetime) -> Any:
    """A received ticket flushed in the open transaction of the app context's session (side rows name it)."""
    from hotline.db import session
    from hotline.tickets.models import Ticket

    ticket = Ticket(status="received", content="工地夜间施工噪音", channel="phone", kind="complaint",
                    urgency="normal", district="东湖区", received_at=at, updated_at=at, assisting=[], suggestions=[])
    session().add(ticket)
    session().flush()
    return ticket
