"""Intake throughput: gunicorn (2 sync workers) on PostgreSQL and Redis, POST /api/v1/tickets under load.

Real citizen messages (the unlabelled TipDM test set, "subject\\nbody", each request a different phone)
are posted over loopback HTTP at a fixed concurrency, in rounds interleaved with a bare endpoint that
does one insert into the same database (bench/intake_app.py, never part of the product), so both see
the same machine. Then the intake path runs in this process on the same database with thread-CPU
timers around its stages (tokenise, classify, knowledge search, duplicate check, database) to show
where a request's CPU goes; `server_cpu_ms_per_ticket` is the CPU the gunicorn workers used per
creation during the load, `database_cpu_ms_per_ticket` that of the PostgreSQL backends,
`load_generator_cpu_ms_per_ticket` that of this process's client threads, and `steal_percent` the share of
the machine's time its hypervisor gave to others while intake ran (a slower machine, not slower code).

    .venv/bin/python bench/intake.py [--server postgresql://postgres@127.0.0.1:5432] [--duration 30]
        [--concurrency 8] [--rounds 3] [--model DIR] [--profile 300] [--profile-only] [--cprofile FILE]
        [--history 50000] [--history-days 30]

`--profile-only` skips the HTTP load (its rates mean nothing on a shared machine) and gives only the
per-creation CPU breakdown and the SQL statements of one creation.
A scratch database is created on the server, given --history tickets of the last --history-days days
(bench/scale.py's generator, then ANALYZE: a database in service, not an empty one) and dropped
afterwards; Redis is a private server. The model is trained once from
../shared/datasets/tipdm2020_c_cls/train.csv into var/bench/tipdm-model unless --model names a model directory. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATASETS = ROOT.parent.parent / "shared" / "datasets"
if not DATASETS.is_dir():  # run from /work/main or a worktree under /work/wt
    DATASETS = Path("/work/shared/datasets")
MESSAGES = DATASETS / "tipdm2020_c_testset" / "official_test_unlabeled.csv"
TRAIN = DATASETS / "tipdm2020_c_cls" / "train.csv"
DEFAULT_MODEL = ROOT / "var" / "bench" / "tipdm-model"
DISTRICTS = ["东湖区", "西山区", "南湖区", "北城区", "高新区"]
PY = str(ROOT / ".venv" / "bin" / "python")
INTAKE = "/api/v1/tickets"


def messages() -> list[str]:
    """The test set's messages as the product receives them: "subject\\nbody", at most 5,000 characters."""
    csv.field_size_limit(sys.maxsize)
    with MESSAGES.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [f"{r['subject'].strip()}\n{r['detail'].strip()}"[:5000] for r in rows if r["detail"].strip()]


def ensure_model(path: Path | None) -> Path:
    """A model directory: the one given, or the TipDM model trained once into var/bench."""
    import classifier
    from classifier.training import attach_subjects, read_subjects

    if path is not None:
        return path
    if not (DEFAULT_MODEL / "meta.json").is_file():
        rows = attach_subjects(classifier.read_rows(TRAIN), read_subjects(TRAIN.with_name("train_subjects.csv")))
        classifier.train_model(rows, DEFAULT_MODEL)
    return DEFAULT_MODEL


def registry(model_dir: Path, root: Path) -> Path:
    """A registry root with the model promoted, as HOTLINE_MODEL_DIR expects."""
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    target = root / "versions" / meta["version"]
    shutil.copytree(model_dir, target)
    (root / "current").write_text(meta["version"] + "\n", encoding="utf-8")
    return root


class Load:
    """Closed-loop HTTP load: `concurrency` threads, each posting one request after the other."""

    def __init__(self, port: int, token: str, texts: list[str]) -> None:
        self.port, self.token, self.texts = port, token, texts
        # One sequence per endpoint: the messages intake sees (hence how many it has seen before, and so its
        # share of duplicates held from dispatch) must not depend on how fast the bare endpoint ran between.
        self.counters: dict[str, int] = {}
        self.lock = threading.Lock()

    @property
    def counter(self) -> int:
        """Creations posted to the intake endpoint so far (the next message of the set follows them)."""
        return self.counters.get(INTAKE, 0)

    def _next(self, path: str) -> int:
        with self.lock:
            self.counters[path] = self.counters.get(path, 0) + 1
            return self.counters[path]

    def body(self, path: str, n: int) -> dict[str, Any]:
        """Request n of an endpoint: a message of the set and a phone nobody else used."""
        phone = "139" if path == INTAKE else "137"
        return {"content": self.texts[n % len(self.texts)], "caller_phone": f"{phone}{n:08d}", "channel": "web",
                "kind": "complaint", "district": DISTRICTS[n % len(DISTRICTS)]}

    def _post(self, path: str, body: dict[str, Any], auth: bool) -> tuple[int, float]:
        payload = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", path, payload, headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
        finally:
            conn.close()
        return status, time.perf_counter() - start

    def run(self, path: str, seconds: float, concurrency: int, auth: bool) -> dict[str, Any]:
        """Post for `seconds` from `concurrency` threads; latencies of the 2xx answers, count of others."""
        stop = time.perf_counter() + seconds
        latencies: list[float] = []
        errors: list[int] = []

        def worker() -> None:
            while time.perf_counter() < stop:
                status, took = self._post(path, self.body(path, self._next(path)), auth)
                if 200 <= status < 300:
                    latencies.append(took)
                else:
                    errors.append(status)

        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return {"ok": latencies, "errors": errors, "seconds": time.perf_counter() - began}


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes (from /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def cpu_ticks() -> tuple[int, int]:
    """(steal, total) jiffies of the whole machine so far (/proc/stat): the share of time the hypervisor gave
    the cores to others, which makes every rate of a run lower without any code changing."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    steal = fields[7] if len(fields) > 7 else 0
    return steal, sum(fields[:8])


def children_of(pid: int) -> list[int]:
    """The direct children of a process (the gunicorn workers of the master)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def backends(admin_url: str, database: str) -> list[int]:
    """The PostgreSQL backend processes connected to the bench database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(admin_url)
    with engine.connect() as conn:
        pids = [r[0] for r in conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                           {"d": database})]
    engine.dispose()
    return pids


def pct(samples: list[float], q: float) -> float:
    """The q-th percentile in milliseconds (nearest rank)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] * 1000, 1)


def wait_ready(port: int, seconds: float = 300) -> None:
    """Poll until gunicorn answers."""
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/departments")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def login(port: int) -> str:
    """A bearer token of the demo operator."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/api/v1/auth/token", json.dumps({"username": "operator", "password": "hotline-demo"}),
                 {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["token"]


def free_port() -> int:
    """A free TCP port on loopback."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def summarise(phases: list[dict[str, Any]]) -> dict[str, Any]:
    """Rate per round (median quoted), latency percentiles over every answer, errors."""
    ok = [x for p in phases for x in p["ok"]]
    rates = [len(p["ok"]) / p["seconds"] for p in phases]
    return {"requests_per_s": round(statistics.median(rates), 1), "rounds_per_s": [round(r, 1) for r in rates],
            "p50_ms": pct(ok, 50), "p99_ms": pct(ok, 99), "requests": len(ok),
            "errors": sum(len(p["errors"]) for p in phases),
            "error_statuses": sorted({s for p in phases for s in p["errors"]})}


def _profile_only(args: argparse.Namespace, env: dict[str, str], texts: list[str],
                  model_dir: Path) -> dict[str, Any]:
    """No HTTP load: only the in-process CPU breakdown (meaningful on a loaded machine, unlike rates)."""
    from bench.intake_profile import profile

    profile(env, texts, start=0, n=min(20, args.profile), cprofile=None)  # warm caches and the first pages
    return {"cpu_breakdown_ms": profile(env, texts, start=1000, n=args.profile, cprofile=args.cprofile),
            "profile_only": True, "history_tickets": args.history, "database": "postgresql",
            "model": str(model_dir),
            "load_average_1m": round(os.getloadavg()[0], 2), "messages": len(texts)}


def preload(database_url: str, *, tickets: int, days: int) -> None:
    """A city's recent history before the load (bench/scale.py's bulk generator, then ANALYZE), so intake
    runs against a database in service: tables with rows and planner statistics, as autovacuum keeps them
    in production (this machine's server runs with autovacuum off, so a scratch database starting empty
    would be planned as empty for the whole run)."""
    subprocess.run([PY, str(ROOT / "bench" / "scale.py"), "--database-url", database_url, "--tickets",
                    str(tickets), "--days", str(days), "--build-only"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, load, profile, tear down; return the figures."""
    from sqlalchemy import create_engine, text

    texts = messages()
    model_dir = ensure_model(args.model)
    work = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    admin_url = f"{args.server.replace('postgresql://', 'postgresql+psycopg://')}/postgres"
    name = f"hotline_bench_intake_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    redis_url = subprocess.run([str(ROOT / "scripts" / "redis.sh"), "start", str(work / "redis")],
                               capture_output=True, text=True, check=True).stdout.strip()
    env = {**os.environ, "DATABASE_URL": f"{args.server}/{name}", "REDIS_URL": redis_url,
           "HOTLINE_MODEL_DIR": str(registry(model_dir, work / "models")), "FLASK_APP": "hotline"}
    port = free_port()
    server = None
    try:
        for cmd in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run([PY, "-m", "flask", *cmd], env=env, cwd=ROOT, check=True, capture_output=True)
        if args.history:
            preload(env["DATABASE_URL"], tickets=args.history, days=args.history_days)
        if args.profile_only:
            return _profile_only(args, env, texts, model_dir)
        from bench.intake_app import create_table

        create_table(env["DATABASE_URL"])
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}",
             "--access-logfile", str(work / "access.log"), "bench.intake_app:create_bench_app()"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(work / "gunicorn.log", "w"))  # noqa: SIM115
        wait_ready(port)
        time.sleep(3)  # post_worker_init warm-up of both workers
        load = Load(port, login(port), texts)
        for path, auth in ((INTAKE, True), ("/bench/insert", False)):
            load.run(path, 2.0, args.concurrency, auth)  # warm both paths
        workers = children_of(server.pid)
        intake, bare = [], []
        cpu = {"server": 0.0, "database": 0.0, "load": 0.0, "steal": 0, "ticks": 0}
        seconds = args.duration / args.rounds
        for _ in range(args.rounds):
            pg = backends(admin_url, name)
            before = cpu_seconds(workers), cpu_seconds(pg), time.process_time(), cpu_ticks()
            intake.append(load.run(INTAKE, seconds, args.concurrency, True))
            cpu["server"] += cpu_seconds(workers) - before[0]
            cpu["database"] += cpu_seconds(pg) - before[1]
            cpu["load"] += time.process_time() - before[2]
            steal, ticks = cpu_ticks()
            cpu["steal"] += steal - before[3][0]
            cpu["ticks"] += ticks - before[3][1]
            bare.append(load.run("/bench/insert", seconds, args.concurrency, False))
        created = sum(len(p["ok"]) for p in intake)
        server.terminate()
        server.wait(timeout=30)
        server = None
        out = summarise(intake)
        bare_sum = summarise(bare)
        out.update({
            "bare_insert_requests_per_s": bare_sum["requests_per_s"],
            "bare_insert_p99_ms": bare_sum["p99_ms"], "bare_insert_errors": bare_sum["errors"],
            "ratio_to_bare_insert": round(out["requests_per_s"] / bare_sum["requests_per_s"], 3)
            if bare_sum["requests_per_s"] else None,
            "server_cpu_ms_per_ticket": round(cpu["server"] * 1000 / created, 2) if created else None,
            "database_cpu_ms_per_ticket": round(cpu["database"] * 1000 / created, 2) if created else None,
            "load_generator_cpu_ms_per_ticket": round(cpu["load"] * 1000 / created, 2) if created else None,
            "steal_percent": round(100 * cpu["steal"] / cpu["ticks"], 1) if cpu["ticks"] else None,
        })
        if args.profile:
            from bench.intake_profile import profile

            out["cpu_breakdown_ms"] = profile(env, texts, start=load.counter + 1, n=args.profile,
                                              cprofile=args.cprofile)
        out.update({"history_tickets": args.history, "history_days": args.history_days,
                    "concurrency": args.concurrency, "duration_s": args.duration, "rounds": args.rounds,
                    "gunicorn_workers": 2, "database": "postgresql", "model": str(model_dir),
                    "load_average_1m": round(os.getloadavg()[0], 2), "messages": len(texts)})
        return out
    finally:
        if server is not None:
            server.kill()
            server.wait()
        subprocess.run([str(ROOT / "scripts" / "redis.sh"), "stop", str(work / "redis")], check=False)
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            shutil.rmtree(work, ignore_errors=True)
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database (a scratch database is made there)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of intake load in all")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="intake/bare-insert alternations")
    parser.add_argument("--model", type=Path, help="model directory (default: the TipDM model in var/bench)")
    parser.add_argument("--profile", type=int, default=300, help="requests profiled in-process (0: none)")
    parser.add_argument("--profile-only", action="store_true",
                        help="skip the HTTP load: only the in-process CPU breakdown and SQL statements")
    parser.add_argument("--cprofile", help="write cProfile stats of the profiled requests to this file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and files")
    parser.add_argument("--history", type=int, default=50_000,
                        help="tickets of recent history generated before the load (0: start empty)")
    parser.add_argument("--history-days", type=int, default=30, help="days the history spans")
    args = parser.parse_args()
    print(json.dumps(run(args), ensure_ascii=False))


if __name__ == "__main__":
    main()
