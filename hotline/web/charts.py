"""Server-drawn SVG bar charts: the geometry is computed here, the template only writes the shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LABEL_WIDTH = 170
BAR_AREA = 420
VALUE_WIDTH = 130
ROW_HEIGHT = 30
BAR_HEIGHT = 11
TOP = 24


@dataclass(frozen=True)
class Bar:
    """One group: this period's bar above the previous period's, both scaled to the chart's maximum."""

    label: str
    y: int
    width: float
    previous_width: float
    text: str
    href: str


@dataclass(frozen=True)
class Chart:
    """The whole picture: its size, the scale's width and the bars."""

    width: int
    height: int
    label_width: int
    bar_area: int
    bars: tuple[Bar, ...]
    top: str = "100.0%"  # the value at the right end of the scale


def percent(value: float | None) -> str:
    """A rate as 87.5%, or a dash when it has no denominator."""
    return "—" if value is None else f"{value * 100:.1f}%"


def bar_chart(rows: Sequence[Mapping[str, Any]], *, key: str, previous: Mapping[str, Mapping[str, Any]],
              href: Callable[[Mapping[str, Any]], str], limit: int = 30) -> Chart:
    """Horizontal bars of one rate per row (groups with a value first), the previous period's beside."""
    valued = [r for r in rows if r.get(key) is not None or (previous.get(r["group"]) or {}).get(key) is not None]
    valued = sorted(valued, key=lambda r: -(r.get(key) or 0))[:limit]
    top = max([1.0] + [float(r.get(key) or 0) for r in valued]
              + [float((previous.get(r["group"]) or {}).get(key) or 0) for r in valued])
    bars = []
    for index, row in enumerate(valued):
        before = (previous.get(row["group"]) or {}).get(key)
        now = row.get(key)
        bars.append(Bar(label=str(row["label"])[:12], y=TOP + index * ROW_HEIGHT,
                        width=round(BAR_AREA * float(now or 0) / top, 1),
                        previous_width=round(BAR_AREA * float(before or 0) / top, 1),
                        text=f"{percent(now)}（上期 {percent(before)}）", href=href(row)))
    return Chart(width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH, height=TOP + max(1, len(bars)) * ROW_HEIGHT + 6,
                 label_width=LABEL_WIDTH, bar_area=BAR_AREA, bars=tuple(bars), top=percent(top))
