"""The faults bench/faults.py injects: worker and work-horse SIGKILLs, scheduler kills, an empty Redis
restart and a PostgreSQL crash-restart, spread over the run at random moments."""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any


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


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


class Faults:
    """Injects the faults until a deadline; counts what it did."""

    def __init__(self, runner_pid: int, redis: Any, postgres: Any, scheduler_pid_file: Path,
                 args: argparse.Namespace) -> None:
        self.runner_pid, self.redis, self.postgres = runner_pid, redis, postgres
        self.scheduler_pid_file, self.args = scheduler_pid_file, args
        self.kills: Counter[str] = Counter()
        self.stop = threading.Event()

    def counts(self) -> dict[str, int]:
        """What was done, for the verdict."""
        return {"worker_kills": self.kills["worker"] + self.kills["horse"], "whole_worker_kills": self.kills["worker"],
                "horse_kills": self.kills["horse"], "scheduler_kills": self.kills["scheduler"],
                "redis_restarts": self.kills["redis"], "postgres_restarts": self.kills["postgres"]}

    def run(self, *, until: float, span: float) -> None:
        """Kill workers every ~kill_every seconds; the rarer faults at random moments of the first span."""
        start = time.monotonic()
        rare = [(random.uniform(0.25, 0.75) * span, self.restart_redis_empty) for _ in range(self.args.redis_restarts)]
        rare += [(random.uniform(0.2, 0.8) * span, self.kill_scheduler) for _ in range(self.args.scheduler_kills)]
        rare += [(random.uniform(0.3, 0.7) * span, self.restart_postgres) for _ in range(self.args.postgres_restarts)]
        rare.sort(key=lambda item: item[0])
        n = 0
        while time.monotonic() < until and not self.stop.is_set():
            while rare and time.monotonic() - start >= rare[0][0]:
                rare.pop(0)[1]()
            time.sleep(random.uniform(0.5, 1.5) * self.args.kill_every)
            if self.kill_worker(whole=n % 2 == 0):
                n += 1

    def worker_pids(self) -> list[int]:
        """The runner's rq workers (as registered in Redis; none for a few seconds after a wipe)."""
        import redis
        from rq import Worker

        mine = set(children_of(self.runner_pid))
        try:
            conn = redis.Redis.from_url(self.redis.url, socket_timeout=2)
            return [w.pid for w in Worker.all(connection=conn) if w.pid in mine]
        except Exception:  # Redis restarting
            return []

    @staticmethod
    def horses_of(worker: int) -> list[int]:
        """A worker's work-horses: children that lead their own process group (rq's horse calls setpgrp)."""
        return [pid for pid in children_of(worker) if stat(pid)[1] == pid]

    def kill_worker(self, whole: bool) -> bool:
        """SIGKILL a whole worker with its horse, or a lone work-horse (waiting up to 8 s for a busy one)."""
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not self.stop.is_set():
            workers = self.worker_pids()
            busy = {w: h for w in workers if (h := self.horses_of(w))}
            if whole and workers:
                victim = random.choice(list(busy) or workers)
                for pid in [victim, *busy.get(victim, [])]:
                    _kill(pid)
                self.kills["worker"] += 1
                return True
            if not whole and busy:
                for pid in busy[random.choice(list(busy))]:
                    _kill(pid)
                self.kills["horse"] += 1
                return True
            time.sleep(0.05)
        return False

    def kill_scheduler(self) -> None:
        """SIGKILL the cron scheduler process (the supervisor starts a new one)."""
        try:
            pid = int(self.scheduler_pid_file.read_text())
        except (OSError, ValueError):
            return
        if pid in children_of(self.runner_pid):
            _kill(pid)
            self.kills["scheduler"] += 1

    def restart_redis_empty(self) -> None:
        """SIGKILL redis-server, delete its files, start it empty."""
        self.redis.stop(kill=True)
        self.redis.wipe()
        time.sleep(self.args.redis_down)
        self.redis.start()
        self.kills["redis"] += 1

    def restart_postgres(self) -> None:
        """Crash PostgreSQL (immediate stop: every connection dropped, no checkpoint), start it again."""
        self.postgres.stop("immediate")
        time.sleep(self.args.postgres_down)
        self.postgres.start()
        self.kills["postgres"] += 1
