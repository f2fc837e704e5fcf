"""Timing of a failed progress look-up (/public/track): an unknown number against a known number with
wrong digits. The no-oracle rule asks for the same answer and the same work; this measures whether the
time tells them apart.

It builds a SQLite database with the demo city and N tickets (phones on every one), then times, in
alternating order so drift hits both alike, (1) the look-up service `find_for_citizen` and (2) the whole
HTTP POST through a test client (CSRF off, limits raised so nothing is refused; a private Redis).
Prints medians, the difference and the p-value of a Mann-Whitney U test per pair (scipy).

Run: .venv/bin/python bench/track_timing.py [--tickets 5000] [--rounds 3000]   (last line: JSON)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.redis_server import RedisServer  # noqa: E402


def _build(url: str, tickets: int) -> list[str]:
    from hotline import create_app
    from hotline.db import Base, session
    from hotline.demo.load import load_city
    from hotline.tickets.models import Ticket
    from tests.support.factories import T0

    app = create_app({"DATABASE_URL": url, "QUEUES_ENABLED": False})
    Base.metadata.create_all(app.extensions["db"].engine)
    with app.app_context():
        db = session()
        load_city(db, now=T0)
        rows = [Ticket(number=f"20261126-{i:06d}", status="received", version=1, content="路灯不亮",
                       caller_phone=f"139{i:08d}", channel="web", kind="help", urgency="normal",
                       received_at=T0, updated_at=T0, assisting=[], suggestions=[]) for i in range(1, tickets + 1)]
        db.add_all(rows)
        db.commit()
    app.extensions["db"].dispose()
    return [f"20261126-{i:06d}" for i in range(1, tickets + 1)]


def _pairs(rounds: int, known: list[str]) -> list[tuple[str, str, str]]:
    rng = random.Random(7)
    out = []
    for _ in range(rounds):
        number = rng.choice(known)
        unknown = f"20261126-{rng.randrange(900000, 999999):06d}"
        wrong = f"{(int(number[-4:]) + 1) % 10000:04d}"  # the ticket's phone ends with its number's digits
        out.append(("wrong_digits", number, wrong))
        out.append(("unknown_number", unknown, wrong))
    return out


def _time(fn: Any, pairs: list[tuple[str, str, str]]) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"wrong_digits": [], "unknown_number": []}
    for kind, number, digits in pairs:
        start = time.perf_counter()
        fn(number, digits)
        samples[kind].append((time.perf_counter() - start) * 1e6)
    return samples


def _summary(samples: dict[str, list[float]]) -> dict[str, Any]:
    from scipy.stats import mannwhitneyu

    a, b = samples["wrong_digits"], samples["unknown_number"]
    return {"median_us_wrong_digits": round(statistics.median(a), 1),
            "median_us_unknown_number": round(statistics.median(b), 1),
            "median_difference_us": round(statistics.median(a) - statistics.median(b), 1),
            "mann_whitney_p": round(float(mannwhitneyu(a, b).pvalue), 4), "n_each": len(a)}


def main() -> None:
    """Build, measure both paths, print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3000)
    args = parser.parse_args()
    from hotline import create_app
    from hotline.citizen.tracking import find_for_citizen
    from hotline.db import session

    redis = RedisServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'track.db'}"
            known = _build(url, args.tickets)
            app = create_app({"DATABASE_URL": url, "REDIS_URL": redis.url, "QUEUES_ENABLED": False,
                              "WTF_CSRF_ENABLED": False,
                              "CITIZEN_LIMITS": {"track_fail_address": "1000000/minute",
                                                 "track_fail_number": "1000000/minute"}})
            pairs = _pairs(args.rounds, known)
            with app.app_context():
                db = session()
                service = _time(lambda n, d: find_for_citizen(db, number=n, last4=d), pairs)
            client = app.test_client()

            def http(number: str, digits: str) -> None:
                response = client.post("/public/track", data={"number": number, "last4": digits})
                assert response.status_code == 404, response.status_code

            whole = _time(http, pairs)
            app.extensions["db"].dispose()
    finally:
        redis.stop()
        redis.wipe()
    print(json.dumps({"tickets": args.tickets, "service": _summary(service), "http": _summary(whole)}))


if __name__ == "__main__":
    main()
