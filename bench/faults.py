"""Fault benchmark: reminders coming due while worker processes are SIGKILLed and Redis restarts empty.

It starts a private redis-server and the real worker runner (`workers.runner.run`: supervisor, forking
rq Workers, the cron scheduler with the production schedule, sweep every 60 s), dispatches emergency
tickets with short time limits so that their sign and reply reminders (临期 warning and 超期 due) come
due over several minutes, and meanwhile SIGKILLs whole workers (with their work-horse) and lone
work-horses, and restarts Redis with its data wiped. Deliveries are slowed a little (as a slow gateway
would) so that kills land inside jobs. Then it checks every expected reminder against the database,
the in-app inboxes and the outbound gateway's file.

Run: .venv/bin/python bench/faults.py            (prints one JSON object as its last line)
     .venv/bin/python bench/faults.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/NAME
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.redis_server import RedisServer  # noqa: E402

KINDS = ("warning", "due")


def app_config(workdir: Path, database_url: str, redis_url: str, sign_minutes: float, reply_minutes: float
               ) -> dict[str, Any]:
    """The app of the bench: short emergency limits, an SMS contact per department, a file gateway."""
    return {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "QUEUES_ENABLED": True,
        "HOTLINE_MODEL_DIR": str(workdir / "models"),
        "TIME_LIMITS": {"emergency": {"sign": {"minutes": sign_minutes}, "reply": {"minutes": reply_minutes},
                                      "return": {"minutes": sign_minutes}}},
        "NOTIFY_CONTACTS": {"department:ecology": {"sms": "13800000001"}},
        "NOTIFY_GATEWAYS": {"sms": "file"}, "NOTIFY_FILE": str(workdir / "gateway.jsonl"),
    }


# --- the worker side (a child process of the bench) -----------------------------------------------

def serve_workers(config_path: str, workers: int) -> None:
    """Run the real worker runner with slowed deliveries, so kills land inside jobs."""
    from hotline import create_app
    from hotline.notify import gateways
    from hotline.reminders import service
    from workers.runner import run

    config = json.loads(Path(config_path).read_text())
    deliver, send = service.deliver, gateways.FileGateway.send

    def slow_deliver(*args: Any, **kwargs: Any) -> Any:
        result = deliver(*args, **kwargs)
        time.sleep(random.uniform(0.05, 0.5))  # between the claim and the commit
        return result

    def slow_send(self: Any, message: Any) -> str:
        provider_id = send(self, message)
        time.sleep(random.uniform(0.05, 0.3))  # between the gateway and recording "sent"
        return provider_id

    service.deliver = slow_deliver  # type: ignore[assignment]
    gateways.FileGateway.send = slow_send  # type: ignore[method-assign]
    sys.exit(run(create_app(config), workers=workers))


# --- the bench side ----------------------------------------------------------------------------------

def children_of(pid: int) -> list[int]:
    """Direct children of a process (from /proc)."""
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and stat(int(entry))[0] == pid]


def stat(pid: int) -> tuple[int, int]:
    """(parent pid, process group) of a process; (0, 0) when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0, 0
    return int(fields[1]), int(fields[2])


class Bench:
    """One run: Redis, the workers, the tickets, the faults, the verdict."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="hotline-faults-"))
        self.redis = RedisServer(appendonly=True).start()
        self.database_url = args.database_url or f"sqlite:///{self.workdir / 'hotline.db'}"
        self.config = app_config(self.workdir, self.database_url, self.redis.url, args.sign_minutes,
                                 args.reply_minutes)
        self.kills: Counter[str] = Counter()
        self.redis_restarts = 0
        self.stop = threading.Event()
        self.runner: subprocess.Popen[bytes] | None = None

    def setup(self) -> None:
        from hotline import create_app
        from hotline.db import Base, session
        from hotline.demo.load import load_departments, load_users

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
        """Emergency tickets dispatched one by one over the spread (each has 4 reminders coming due)."""
        from hotline.clock import utcnow
        from hotline.db import session
        from hotline.departments.models import User
        from hotline.tickets import service
        from hotline.tickets.rules import rules_at

        gap = self.args.spread / max(self.args.tickets - 1, 1)
        start = time.monotonic()
        with self.app.app_context():
            db = session()
            operator = db.query(User).filter_by(username="operator").one()
            for i in range(self.args.tickets):
                time.sleep(max(0.0, start + i * gap - time.monotonic()))
                service.receive(db, actor=operator, rules=rules_at(db, utcnow()),
                                data={"content": f"第{i}号：供水管道爆裂，路面积水严重。", "urgency": "emergency",
                                      "kind": "help", "department": "ecology", "channel": "phone"})
                db.commit()

    def worker_pids(self) -> list[int]:
        """The runner's rq workers (as registered in Redis; none for a few seconds after a wipe)."""
        from rq import Worker

        assert self.runner is not None
        mine = set(children_of(self.runner.pid))
        try:
            return [w.pid for w in Worker.all(connection=self.redis_client()) if w.pid in mine]
        except Exception:  # Redis restarting
            return []

    def redis_client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.redis.url, socket_timeout=2)

    @staticmethod
    def horses_of(worker: int) -> list[int]:
        """A worker's work-horses: children that lead their own process group (rq's horse calls setpgrp)."""
        return [pid for pid in children_of(worker) if stat(pid)[1] == pid]

    def kill_something(self, whole: bool) -> bool:
        """SIGKILL a whole worker with its horse, or a lone work-horse (waiting up to 8 s for a busy one)."""
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not self.stop.is_set():
            workers = self.worker_pids()
            busy = {w: self.horses_of(w) for w in workers}
            busy = {w: h for w, h in busy.items() if h}
            if whole and workers:
                victim = random.choice(list(busy) or workers)
                for pid in [victim, *busy.get(victim, [])]:
                    self._kill(pid)
                self.kills["worker"] += 1
                return True
            if not whole and busy:
                for pid in busy[random.choice(list(busy))]:
                    self._kill(pid)
                self.kills["horse"] += 1
                return True
            time.sleep(0.05)
        return False

    @staticmethod
    def _kill(pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def restart_redis_empty(self) -> None:
        self.redis.stop(kill=True)
        self.redis.wipe()
        time.sleep(self.args.redis_down)
        self.redis.start()
        self.redis_restarts += 1

    def faults(self, until: float, redis_at: list[float]) -> None:
        start = time.monotonic()
        n = 0
        while time.monotonic() < until and not self.stop.is_set():
            if redis_at and time.monotonic() - start >= redis_at[0]:
                redis_at.pop(0)
                self.restart_redis_empty()
            time.sleep(random.uniform(0.5, 1.5) * self.args.kill_every)
            if self.kill_something(whole=n % 2 == 0):
                n += 1

    def expected(self) -> dict[tuple[int, str, str], datetime]:
        """Every warning/due point of every ticket's sign and reply deadline, from the policy."""
        from hotline.db import session
        from hotline.deadlines.service import load_calendar, time_limits
        from hotline.reminders.points import SPECS, all_points, is_clock, split
        from hotline.reminders.service import start_of
        from hotline.tickets.models import Ticket

        out = {}
        with self.app.app_context():
            db = session()
            calendar, limits = load_calendar(db), time_limits()
            for ticket in db.query(Ticket).all():
                for name in ("sign", "reply"):
                    spec = SPECS[name]
                    due = spec.due_of(ticket)
                    chain, _ = split(all_points(start=start_of(spec, ticket, due, None), due=due,
                                                clock=is_clock(spec, ticket, limits), calendar=calendar,
                                                limits=limits, overdue_notices=7))
                    for point in chain:
                        if point.kind in KINDS:
                            out[(ticket.id, name, point.kind)] = point.at
        return out

    def pending(self) -> int:
        """Reminders due and not handled, plus outbox messages not sent yet."""
        from sqlalchemy import func, select

        from hotline.db import session
        from hotline.notify.models import OutboxMessage
        from hotline.reminders.service import pending_count

        with self.app.app_context():
            db = session()
            unsent = db.scalar(select(func.count()).where(OutboxMessage.status != "sent")) or 0
            return pending_count(db, now=datetime.now(UTC)) + unsent

    def verdict(self, expected: dict[tuple[int, str, str], datetime]) -> dict[str, Any]:
        from hotline.db import session
        from hotline.notify.models import Notification
        from hotline.reminders.models import Reminder

        with self.app.app_context():
            db = session()
            sent = Counter()
            delay: dict[tuple[int, str, str], float] = {}
            for r in db.query(Reminder).filter(Reminder.kind.in_(KINDS)):
                if r.sent_at is not None:
                    key = (r.ticket_id, r.deadline, r.kind)
                    sent[key] += 1
                    delay[key] = (r.sent_at - r.remind_at).total_seconds()
            inbox = Counter((n.ticket_id, n.data["deadline"], n.data["kind"], n.department_id, n.user_id)
                            for n in db.query(Notification) if n.data.get("kind") in KINDS)
        lines = [json.loads(x) for x in (self.workdir / "gateway.jsonl").read_text().splitlines() if x.strip()] \
            if (self.workdir / "gateway.jsonl").exists() else []
        delivered_out = Counter(x["key"] for x in lines if not x.get("suppressed"))
        fired_once = sum(1 for k in expected if sent[k] == 1)
        duplicates = (sum(n - 1 for n in sent.values() if n > 1) + sum(n - 1 for n in inbox.values() if n > 1)
                      + sum(n - 1 for n in delivered_out.values() if n > 1))
        return {
            "reminders": len(expected), "fired_once": fired_once, "duplicates": duplicates,
            "missed": sum(1 for k in expected if sent[k] == 0),
            "worker_kills": self.kills["worker"] + self.kills["horse"],
            "whole_worker_kills": self.kills["worker"], "horse_kills": self.kills["horse"],
            "redis_restarts": self.redis_restarts,
            "max_delay_s": round(max((delay[k] for k in expected if k in delay), default=0.0), 1),
            "p50_delay_s": round(sorted(delay.values())[len(delay) // 2], 1) if delay else None,
            "inbox_notifications": sum(inbox.values()),
            "sms_sent": len(delivered_out), "sms_expected": sum(1 for k in expected if sent[k]),
            "gateway_resends_suppressed": sum(1 for x in lines if x.get("suppressed")),
            "database": self.database_url.split(":", 1)[0], "workers": self.args.workers,
            "sweep_interval_s": 60,
        }

    def run(self) -> dict[str, Any]:
        args = self.args
        self.setup()
        try:
            time.sleep(3)  # preload and fork
            dispatcher = threading.Thread(target=self.dispatch_tickets)
            dispatcher.start()
            last_due = args.spread + max(args.sign_minutes, args.reply_minutes) * 60
            until = time.monotonic() + last_due + 30
            redis_at = sorted(random.uniform(0.25, 0.75) * last_due for _ in range(args.redis_restarts))
            self.faults(until, redis_at)
            dispatcher.join()
            expected = self.expected()
            end = time.monotonic() + args.drain
            while time.monotonic() < end and (self.pending() or datetime.now(UTC) < max(expected.values())):
                time.sleep(2)
            time.sleep(3)
            return self.verdict(expected)
        finally:
            self.stop.set()
            if self.runner is not None:
                self.runner.send_signal(signal.SIGTERM)
                try:
                    self.runner.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    self.runner.kill()
            self.redis.stop(kill=True)
            if not args.keep:
                shutil.rmtree(self.workdir, ignore_errors=True)
                shutil.rmtree(self.redis.dir, ignore_errors=True)
            else:
                print(f"kept {self.workdir}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=60, help="4 reminders each (sign/reply warning and due)")
    parser.add_argument("--sign-minutes", type=float, default=8.0, help="emergency sign limit (warning at 75 %%)")
    parser.add_argument("--reply-minutes", type=float, default=12.0, help="emergency reply limit")
    parser.add_argument("--spread", type=float, default=150.0, help="seconds over which tickets are dispatched")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--kill-every", type=float, default=20.0, help="mean seconds between SIGKILLs")
    parser.add_argument("--redis-restarts", type=int, default=2)
    parser.add_argument("--redis-down", type=float, default=3.0, help="seconds Redis stays down")
    parser.add_argument("--drain", type=float, default=240.0, help="max seconds to wait for the last deliveries")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, gateway file)")
    parser.add_argument("--serve-workers", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_workers:
        serve_workers(args.serve_workers, args.workers)
        return
    result = Bench(args).run()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
