"""Working-day arithmetic timing: one 15-working-day deadline (the complex reply limit) per call.

Times `WorkCalendar.add_working_days(start, 15)` from starts spread over two years (across Spring
Festival, National Day and the 2026→2027 fallback year), warm per-day cache, and reports the per-call
wall and thread-CPU time (min and median of `--repeat` batches of `--number` calls each).
Run: .venv/bin/python bench/workdays.py   (prints one JSON object as its last line)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    """Time the calendar and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from hotline.deadlines.calendar import WorkCalendar

    calendar = WorkCalendar()
    first = datetime(2025, 9, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    starts = [first + timedelta(hours=7 * i) for i in range(args.number)]  # ~4.8 months at 500
    for start in starts:
        calendar.add_working_days(start, 15)  # warm the per-day cache
    wall, cpu = [], []
    for _ in range(args.repeat):
        w0, c0 = time.perf_counter(), time.thread_time()
        for start in starts:
            calendar.add_working_days(start, 15)
        wall.append((time.perf_counter() - w0) / len(starts) * 1e6)
        cpu.append((time.thread_time() - c0) / len(starts) * 1e6)
    print(json.dumps({"calls_per_batch": len(starts), "batches": args.repeat,
                      "wall_us_min": round(min(wall), 2), "wall_us_median": round(statistics.median(wall), 2),
                      "cpu_us_min": round(min(cpu), 2), "cpu_us_median": round(statistics.median(cpu), 2)}))


if __name__ == "__main__":
    main()
