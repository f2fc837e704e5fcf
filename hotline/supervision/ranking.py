"""Department ranking by score, graded within each category of department, with red/yellow flags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CATEGORY_LABELS = {"municipal": "市直部门", "utility": "公共服务企业", "district": "区政府"}


def flags(row: Mapping[str, Any], settings: Mapping[str, Any]) -> list[dict[str, str]]:
    """Red/yellow flags of one department row: overdue replies and repeated dissatisfaction."""
    out: list[dict[str, str]] = []
    due, overdue = row["due"], row["overdue"]
    if due >= settings["min_due_for_flag"] and overdue:
        share = overdue / due
        level = ("red" if share >= settings["red_overdue_rate"]
                 else "yellow" if share >= settings["yellow_overdue_rate"] else None)
        if level:
            out.append({"level": level, "code": "overdue",
                        "message": f"超期 {overdue} 件，占到期工单 {share:.0%}"})
    repeats = row["repeat_dissatisfied"]
    if repeats:
        level = "red" if repeats >= settings["red_repeat_dissatisfied"] else "yellow"
        out.append({"level": level, "code": "repeat_dissatisfied",
                    "message": f"{repeats} 件工单 {settings['repeat_dissatisfied_times']} 次及以上回访不满意"})
    return out


def rank(rows: list[dict[str, Any]], settings: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Categories, each with its departments ranked by score (no score last), rates and flags beside."""
    by_category: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("category") is None:
            continue  # tickets not (or no longer) with a department
        by_category.setdefault(row["category"], []).append(row)
    out = []
    for category in sorted(by_category, key=lambda c: (list(CATEGORY_LABELS).index(c)
                                                       if c in CATEGORY_LABELS else 99, c)):
        members = sorted(by_category[category],
                         key=lambda r: (r["score"] is None, -(r["score"] or 0), r["group"]))
        ranked = []
        for position, row in enumerate(members, start=1):
            row_flags = flags(row, settings)
            ranked.append({"rank": position if row["score"] is not None else None, **row, "flags": row_flags,
                           "flag": _worst(row_flags)})
        out.append({"category": category, "category_label": CATEGORY_LABELS.get(category, category),
                    "departments": ranked})
    return out


def _worst(row_flags: list[dict[str, str]]) -> str | None:
    levels = {f["level"] for f in row_flags}
    return "red" if "red" in levels else "yellow" if "yellow" in levels else None
