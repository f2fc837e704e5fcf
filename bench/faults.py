"""Fault benchmark: reminder SMS measured at an independent provider double while the system is hurt.

The bench starts, all on 127.0.0.1: a private PostgreSQL 15 cluster (initdb/pg_ctl in its work
directory, never the shared server), a private redis-server (AOF), the provider double
(tests/support/provider_double.py, its own process: it records every delivery attempt with its
Idempotency-Key and arrival time *before* any de-duplication) and the real worker runner
(`workers.runner.run`: supervisor, forking rq workers, the cron scheduler with the production schedule,
sweep every 60 s), whose notification gateway is the product's HTTP gateway posting to the double.
It dispatches emergency tickets with short stated limits, so that their sign and reply reminders
(临期 warning at 75 % of the limit, 超期 at the limit) come due over several minutes, and meanwhile
SIGKILLs whole workers (with their work-horse) and lone work-horses, kills the cron scheduler, restarts
Redis empty and crashes PostgreSQL (`pg_ctl stop -m immediate`, then start). Sends are slowed after
the provider accepted them, so kills land between the provider's answer and "sent" being recorded.

The verdict is computed from the double's file alone, against due times the bench computes itself from
each ticket's dispatch time and the stated limits (not from the product's reminders or `remind_at`).
Bounded: the run lasts spread + reply limit + 30 s of faults, then at most --drain seconds.

Run: .venv/bin/python bench/faults.py            (prints one JSON object as its last line)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.faults_env import PrivatePostgres, ProviderDouble  # noqa: E402
from bench.faults_inject import Faults  # noqa: E402
from bench.faults_verdict import expected_messages, verdict  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402


def app_config(workdir: Path, database_url: str, redis_url: str, provider_url: str, args: argparse.Namespace
               ) -> dict[str, Any]:
    """The app of the bench: short emergency limits, an SMS contact, the HTTP gateway to the double."""
    return {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "QUEUES_ENABLED": True,
        "HOTLINE_MODEL_DIR": str(workdir / "models"),
        "TIME_LIMITS": {"emergency": {"sign": {"minutes": args.sign_minutes},
                                      "reply": {"minutes": args.reply_minutes},
                                      "return": {"minutes": args.sign_minutes}}},
        "NOTIFY_CONTACTS": {"department:ecology": {"sms": "13800000001"}},
        "NOTIFY_GATEWAYS": {"sms": "http"}, "NOTIFY_HTTP_URL": provider_url, "NOTIFY_HTTP_TIMEOUT": 5.0,
    }


# --- the worker side (a child process of the bench) -----------------------------------------------

def serve_workers(config_path: str, workers: int, scheduler_pid_file: str) -> None:
    """Run the real worker runner, sends slowed after the provider's answer; the scheduler writes its pid."""
    from hotline import create_app
    from hotline.notify import gateways
    from hotline.reminders import service
    from workers import runner

    config = json.loads(Path(config_path).read_text())
    deliver, send, scheduler_main = service.deliver, gateways.HttpGateway.send, runner.scheduler_main

    def slow_deliver(*args: Any, **kwargs: Any) -> Any:
        result = deliver(*args, **kwargs)
        time.sleep(random.uniform(0.05, 0.5))  # between the claim and the commit
        return result

    def slow_send(self: Any, message: Any) -> str:
        provider_id = send(self, message)
        time.sleep(random.uniform(0.05, 0.3))  # the provider has it; "sent" is not recorded yet
        return provider_id

    def scheduler_with_pid(app: Any) -> None:
        Path(scheduler_pid_file).write_text(str(os.getpid()))
        scheduler_main(app)

    service.deliver = slow_deliver  # type: ignore[assignment]
    gateways.HttpGateway.send = slow_send  # type: ignore[method-assign]
    runner.scheduler_main = scheduler_with_pid  # type: ignore[assignment]
    sys.exit(runner.run(create_app(config), workers=workers))


# --- the bench side ----------------------------------------------------------------------------------

class Bench:
    """One run: the processes, the tickets, the faults, the verdict."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="hotline-faults-"))
        self.redis = RedisServer(appendonly=True)
        self.postgres = PrivatePostgres(self.workdir)
        self.provider = ProviderDouble(self.workdir, fail_every=args.provider_fail_every)
        self.tickets: list[dict[str, Any]] = []
        self.runner: subprocess.Popen[bytes] | None = None
        self.app: Any = None

    def setup(self) -> None:
        """Redis, PostgreSQL, the double, the schema and demo departments/users; the worker runner started."""
        from hotline import create_app
        from hotline.db import Base, session
        from hotline.demo.load import load_departments, load_users

        self.redis.start()
        self.postgres.init().start()
        database_url = self.postgres.create_database("hotline_faults")
        self.config = app_config(self.workdir, database_url, self.redis.url, self.provider.start(), self.args)
        self.app = create_app(self.config)
        Base.metadata.create_all(self.app.extensions["db"].engine)
        with self.app.app_context():
            db = session()
            load_departments(db)
            load_users(db, now=datetime.now(UTC))
            db.commit()
        config_path = self.workdir / "config.json"
        config_path.write_text(json.dumps(self.config))
        log = (self.workdir / "workers.log").open("wb")
        self.runner = subprocess.Popen(
            [sys.executable, __file__, "--serve-workers", str(config_path), "--workers", str(self.args.workers)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=os.environ | {"PYTHONPATH": str(ROOT)})

    def dispatch_tickets(self) -> None:
        """Emergency tickets dispatched at intake, one by one over the spread; retried through a crash."""
        gap = self.args.spread / max(self.args.tickets - 1, 1)
        start = time.monotonic()
        for i in range(self.args.tickets):
            time.sleep(max(0.0, start + i * gap - time.monotonic()))
            for attempt in range(30):
                try:
                    self.tickets.append(self._receive(i))
                    break
                except Exception as exc:  # the database restarting: the idempotency key makes a retry safe
                    print(f"ticket {i}: attempt {attempt} failed ({type(exc).__name__})", file=sys.stderr)
                    time.sleep(1)

    def _receive(self, i: int) -> dict[str, Any]:
        from hotline.clock import utcnow
        from hotline.db import session
        from hotline.departments.models import User
        from hotline.tickets import service
        from hotline.tickets.rules import rules_at

        with self.app.app_context():
            db = session()
            try:
                operator = db.query(User).filter_by(username="operator").one()
                ticket = service.receive(db, actor=operator, rules=rules_at(db, utcnow()),
                                         idempotency_key=f"faults-{i}",
                                         data={"content": f"第{i}号：供水管道爆裂，路面积水严重。",
                                               "urgency": "emergency", "kind": "help", "department": "ecology",
                                               "channel": "phone"}).ticket
                db.commit()
                assert ticket.dispatched_at is not None
                return {"number": ticket.number, "dispatched_at": ticket.dispatched_at,
                        "sign_due_at": ticket.sign_due_at, "reply_due_at": ticket.reply_due_at}
            except Exception:
                db.rollback()
                raise

    def run(self) -> dict[str, Any]:
        """The whole run; the verdict."""
        args = self.args
        started = time.monotonic()
        faults: Faults | None = None
        try:
            self.setup()
            assert self.runner is not None
            faults = Faults(self.runner.pid, self.redis, self.postgres, self.workdir / "scheduler.pid", args)
            time.sleep(3)  # preload and fork
            dispatcher = threading.Thread(target=self.dispatch_tickets)
            dispatcher.start()
            last_due = args.spread + max(args.sign_minutes, args.reply_minutes) * 60
            faults.run(until=time.monotonic() + last_due + 30, span=last_due)
            dispatcher.join()
            expected = expected_messages(self.tickets, sign=timedelta(minutes=args.sign_minutes),
                                         reply=timedelta(minutes=args.reply_minutes))
            self._drain(expected)
            result = verdict(expected, self.provider.path, self.tickets)
            result.update(faults.counts())
            result.update({"workers": args.workers, "tickets": len(self.tickets), "sweep_interval_s": 60,
                           "database": "postgresql-15 (private cluster)", "elapsed_s": round(time.monotonic() - started),
                           "load_average_1m": round(os.getloadavg()[0], 1)})
            return result
        finally:
            if faults is not None:
                faults.stop.set()
            self._shutdown()

    def _drain(self, expected: dict[tuple[str, str, str], datetime]) -> None:
        """Wait until every expected message reached the double, or --drain seconds after the last is due."""
        from tests.support.provider_double import attempts

        last = max(expected.values()) if expected else datetime.now(UTC)
        while datetime.now(UTC) < last + timedelta(seconds=self.args.drain):
            if datetime.now(UTC) > last and len(verdict(expected, self.provider.path, self.tickets,
                                                        lines=attempts(self.provider.path))["missed_keys"]) == 0:
                break
            time.sleep(5)
        time.sleep(5)

    def _shutdown(self) -> None:
        if self.runner is not None:
            self.runner.send_signal(signal.SIGTERM)
            try:
                self.runner.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.runner.kill()
        if self.app is not None:
            self.app.extensions["db"].dispose()
        self.provider.stop()
        if self.redis.process is not None:
            self.redis.stop(kill=True)
        if self.postgres.data.exists():
            self.postgres.remove()
        if self.args.keep:
            print(f"kept {self.workdir}", file=sys.stderr)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
            shutil.rmtree(self.redis.dir, ignore_errors=True)


def main() -> None:
    """Parse the options; serve the workers (child) or run the bench (parent)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=60, help="4 reminders each (sign/reply warning and due)")
    parser.add_argument("--sign-minutes", type=float, default=8.0, help="emergency sign limit (warning at 75 %%)")
    parser.add_argument("--reply-minutes", type=float, default=12.0, help="emergency reply limit")
    parser.add_argument("--spread", type=float, default=150.0, help="seconds over which tickets are dispatched")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=20.0, help="mean seconds between worker SIGKILLs")
    parser.add_argument("--redis-restarts", type=int, default=1)
    parser.add_argument("--redis-down", type=float, default=3.0, help="seconds Redis stays down")
    parser.add_argument("--scheduler-kills", type=int, default=2)
    parser.add_argument("--postgres-restarts", type=int, default=1)
    parser.add_argument("--postgres-down", type=float, default=5.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--provider-fail-every", type=int, default=0, help="the double answers 503 to every Nth")
    parser.add_argument("--drain", type=float, default=240.0, help="max seconds to wait for the last deliveries")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, attempts file)")
    parser.add_argument("--serve-workers", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_workers:
        serve_workers(args.serve_workers, args.workers, str(Path(args.serve_workers).parent / "scheduler.pid"))
        return
    result = Bench(args).run()
    result.pop("missed_keys", None)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
