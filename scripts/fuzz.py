"""Schemathesis (--checks all) against the served OpenAPI document, as a supervisor and as an admin.

Serves the app on a free localhost port over a scratch SQLite database with the demo city, runs
`st run` once per role with a small example budget, and prints one JSON line of counts (operations, roles,
inputs tried, failures, 5xx). Exit status 1 when Schemathesis found anything. Needs REDIS_URL (make fuzz
starts a private redis-server). Usage: .venv/bin/python scripts/fuzz.py [--max-examples N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROLES = ("supervisor", "admin")  # supervisor first: the admin run may disable or reset other users


def serve(database_url: str):  # type: ignore[no-untyped-def]
    """The app on 127.0.0.1:<free port>, from a thread; returns (base URL, server)."""
    from werkzeug.serving import make_server

    from hotline import create_app
    from hotline.clock import utcnow
    from hotline.db import Base, session
    from hotline.demo.load import load_city

    app = create_app({"DATABASE_URL": database_url, "REDIS_URL": os.environ["REDIS_URL"], "QUEUES_ENABLED": False,
                      "LOGIN_MAX_FAILURES_PER_ADDRESS": 10**9, "LOGIN_MAX_FAILURES_PER_ACCOUNT": 10**9})
    Base.metadata.create_all(app.extensions["db"].engine)
    with app.app_context():
        load_city(session(), now=utcnow())
        session().commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def run_schemathesis(base: str, role: str, database_url: str, args: argparse.Namespace, out: Path) -> dict:
    """One `st run` as `role`; returns the counts read from its NDJSON event stream."""
    events = out / f"{role}.ndjson"
    command = [str(ROOT / ".venv/bin/st"), "--config-file", str(ROOT / "scripts/fuzz/schemathesis.toml"), "run",
               f"{base}/api/v1/openapi.json", "--checks", "all",
               "--max-examples", str(args.max_examples), "--seed", str(args.seed), "--workers", "1",
               "--no-color", "--report", "ndjson", "--report-ndjson-path", str(events),
               "--request-timeout", "60", "--max-response-time", "60", "--suppress-health-check", "all"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "scripts.fuzz.hooks", "PYTHONPATH": str(ROOT),
           "FUZZ_DATABASE_URL": database_url, "FUZZ_USER": role}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    (out / f"{role}.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
    return summarise(events) | {"exit_code": done.returncode, "log": str(out / f"{role}.txt")}


def summarise(events: Path) -> dict:
    """Operations, requests and statuses counted from the NDJSON report (an independent record)."""
    operations, statuses, failures = set(), Counter(), 0
    for line in events.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        for kind, body in event.items():
            text = json.dumps(body)
            if kind == "ScenarioFinished":
                label = (body.get("recorder") or {}).get("label")
                if label:
                    operations.add(label)
                for interactions in ((body.get("recorder") or {}).get("interactions") or {}).values():
                    response = interactions.get("response") or {}
                    if "status_code" in response:
                        statuses[response["status_code"]] += 1
                failures += text.count('"failure_info"') if '"failure_info"' in text else 0
    return {"operations": len(operations), "requests": sum(statuses.values()),
            "5xx": sum(n for code, n in statuses.items() if code >= 500),
            "statuses": dict(sorted(statuses.items())), "failure_entries": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "10")))
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()
    out = ROOT / "var" / "fuzz"  # logs and NDJSON reports stay here for reading (var/ is not committed)
    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="hotline-fuzz-") as tmp:
        database_url = f"sqlite:///{tmp}/fuzz.db"
        base, server = serve(database_url)
        try:
            results = {role: run_schemathesis(base, role, database_url, args, out) for role in ROLES}
        finally:
            server.shutdown()
    for result in results.values():
        if result["exit_code"]:
            print(Path(result["log"]).read_text(encoding="utf-8")[-8000:], file=sys.stderr)
    summary = {"roles": list(ROLES), "max_examples": args.max_examples, "seed": args.seed,
               "operations": max(r["operations"] for r in results.values()),
               "inputs_tried": sum(r["requests"] for r in results.values()),
               "5xx": sum(r["5xx"] for r in results.values()),
               "failed_roles": [role for role, r in results.items() if r["exit_code"]],
               "per_role": {role: {k: r[k] for k in ("operations", "requests", "5xx", "statuses", "exit_code")}
                            for role, r in results.items()}}
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if summary["failed_roles"] or summary["5xx"] else 0


if __name__ == "__main__":
    sys.exit(main())
