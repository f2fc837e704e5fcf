"""The verdict of bench/faults.py, from the provider double's attempts file alone.

Expected messages and their due times come from the bench's own arithmetic: for each ticket, its
dispatch time plus the stated limit is the due time (超期), and 75 % of the limit the warning (临期).
The product's deadlines are only compared with that arithmetic (`deadline_mismatches`). An attempt is
matched to a message by what the recipient reads (ticket number, 签收/答复, 临期/超期), not by product ids.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.provider_double import attempts

DEADLINES = {"签收": "sign", "答复": "reply"}
_WARNING = re.compile(r"【临期提醒】工单 (\S+) (签收|答复)期限")
_DUE = re.compile(r"【超期】工单 (\S+) 已到(签收|答复)期限")


def expected_messages(tickets: list[dict[str, Any]], *, sign: timedelta, reply: timedelta
                      ) -> dict[tuple[str, str, str], datetime]:
    """(ticket number, deadline, kind) → when the SMS is due, from the dispatch time and the stated limits."""
    out = {}
    for t in tickets:
        for name, limit in (("sign", sign), ("reply", reply)):
            due = t["dispatched_at"] + limit
            out[(t["number"], name, "due")] = due
            out[(t["number"], name, "warning")] = t["dispatched_at"] + 0.75 * limit
    return out


def message_of(attempt: dict[str, Any]) -> tuple[str, str, str] | None:
    """The (number, deadline, kind) an attempt tells its recipient about; None for any other text."""
    subject = str((attempt.get("body") or {}).get("subject", ""))
    for kind, pattern in (("warning", _WARNING), ("due", _DUE)):
        m = pattern.search(subject)
        if m:
            return m.group(1), DEADLINES[m.group(2)], kind
    return None


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1)


def verdict(expected: dict[tuple[str, str, str], datetime], path: Path, tickets: list[dict[str, Any]],
            lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Deliveries, duplicates, misses and delays as the provider double saw them."""
    lines = attempts(path) if lines is None else lines
    accepted = [a for a in lines if not a["refused"]]
    per_key = Counter(a["key"] for a in accepted)
    keys_of: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    first: dict[tuple[str, str, str], float] = {}
    unexpected = 0
    for a in accepted:
        message = message_of(a)
        if message not in expected:
            unexpected += 1
            continue
        assert message is not None
        keys_of[message].add(a["key"])
        first[message] = min(first.get(message, a["received_at"]), a["received_at"])
    delays = [first[m] - expected[m].timestamp() for m in first]
    missed = sorted(m for m in expected if m not in first)
    mismatches = sum(1 for t in tickets for name in ("sign", "reply")
                     if abs((t[f"{name}_due_at"] - expected[(t["number"], name, "due")]).total_seconds()) > 1)
    return {
        "expected": len(expected), "deliveries": len(first), "missed": len(missed),
        "missed_by_kind": dict(Counter(f"{name}_{kind}" for _n, name, kind in missed)),
        "attempts": len(lines), "refused_attempts": len(lines) - len(accepted),
        "duplicate_attempts": sum(n - 1 for n in per_key.values()),
        "duplicates_after_key": sum(len(keys) - 1 for keys in keys_of.values()),
        "unexpected_messages": unexpected,
        "early": sum(1 for d in delays if d < -1),
        "max_delay_s": round(max(delays), 1) if delays else None, "p50_delay_s": _pct(delays, 50),
        "p95_delay_s": _pct(delays, 95), "deadline_mismatches": mismatches,
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"), "missed_keys": missed,
    }
