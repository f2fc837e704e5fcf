"""Urgency suggested from the words of a request: outages of water, power, gas and heating are 加急."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.tickets.enums import Urgency

# DESIGN section 1: urgent = water/power/gas/heating outages. Longer phrases first so the reason is precise.
URGENT_WORDS = ("燃气泄漏", "煤气泄漏", "停电", "断电", "没电", "停水", "断水", "没水", "停气", "燃气",
                "煤气", "停暖", "暖气不热", "供暖中断", "没有暖气")


@dataclass(frozen=True)
class UrgencyHint:
    """A suggested urgency and the words that suggest it."""

    urgency: Urgency
    reason: str


def suggest_urgency(text: str) -> UrgencyHint | None:
    """加急 when the text names an outage of water, power, gas or heating; None when nothing suggests it."""
    found = [word for word in URGENT_WORDS if word in (text or "")]
    if not found:
        return None
    return UrgencyHint(Urgency.URGENT, "、".join(dict.fromkeys(found[:3])))
