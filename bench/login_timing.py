"""Login timing: does an unknown username answer as slowly as a wrong password? (no username oracle)

Builds a throw-away SQLite database with the demo users, then calls hotline.auth.service.authenticate
for four cases interleaved round-robin (unknown user, wrong password, disabled user, right password),
`--rounds` times each, and reports the median and p90 milliseconds per case and the unknown/wrong ratio.
Run: .venv/bin/python bench/login_timing.py   (prints one JSON object as its last line)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    from hotline import create_app
    from hotline.auth.service import authenticate
    from hotline.clock import utcnow
    from hotline.db import Base, session
    from hotline.demo.load import load_city
    from hotline.departments.models import User

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "QUEUES_ENABLED": False})
        Base.metadata.create_all(app.extensions["db"].engine)
        with app.app_context():
            db = session()
            load_city(db, now=utcnow())
            db.query(User).filter_by(username="followup").one().active = False
            db.commit()
            cases = {"unknown_user": ("no-such-user", "hotline-demo"), "wrong_password": ("operator", "wrong-pass-1"),
                     "disabled_user": ("followup", "hotline-demo"), "right_password": ("operator", "hotline-demo")}
            times: dict[str, list[float]] = {name: [] for name in cases}
            authenticate(db, username="operator", password="warm-up")
            for _ in range(args.rounds):
                for name, (username, password) in cases.items():
                    started = time.perf_counter()
                    authenticate(db, username=username, password=password)
                    times[name].append((time.perf_counter() - started) * 1000)
        app.extensions["db"].dispose()
    result = {name: {"median_ms": round(statistics.median(v), 2),
                     "p90_ms": round(statistics.quantiles(v, n=10)[-1], 2)} for name, v in times.items()}
    result["unknown_over_wrong_median"] = round(result["unknown_user"]["median_ms"]
                                                / result["wrong_password"]["median_ms"], 3)
    result["rounds"] = args.rounds
    print(json.dumps(result))


if __name__ == "__main__":
    main()
