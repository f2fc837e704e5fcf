"""Intake CPU of two checkouts side by side: the client process and its PostgreSQL backend, per creation.

On a shared 2-core machine the speed of a core drifts by tens of percent within minutes, so two profiles
taken one after the other compare the machine as much as the code. Here two worker processes, one per
checkout (this one and --base, e.g. a `git worktree` of the commit before a change), each post the real
POST /api/v1/tickets through its app in-process on its own copy of one database (same history, same model,
the same messages in the same order), in short alternating blocks; a block's CPU is the worker's thread
CPU plus that of its PostgreSQL backend (/proc), so both sides of a statement count. The figures are
medians over blocks, and the paired difference is taken block by block.

    .venv/bin/python bench/intake_ab.py --base /work/wt/base [--model DIR] [--blocks 12] [--block 40]
        [--history 50000] [--server postgresql://postgres@127.0.0.1:5432]

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
import intake  # noqa: E402  (bench/intake.py: messages, model, registry, history, /proc; it puts this checkout first on sys.path)


def worker(root: str, database_url: str, models: str, redis_url: str, texts_file: str) -> None:
    """Serve "START N" lines on stdin: post N creations from message START on; print one JSON line each."""
    sys.path.insert(0, root)  # the given checkout's code in front of this one's
    os.chdir(root)
    os.environ.update({"DATABASE_URL": database_url, "REDIS_URL": redis_url, "HOTLINE_MODEL_DIR": models})
    from sqlalchemy import text

    import hotline
    from hotline import create_app
    from hotline.warmup import warm_up

    assert hotline.__file__.startswith(root), f"{hotline.__file__} is not the code of {root}"

    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    app = create_app()
    warm_up(app)
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "operator", "password": "hotline-demo"}).get_json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    engine = app.extensions["db"].engine
    name = database_url.rsplit("/", 1)[1]
    for line in sys.stdin:
        start, n = map(int, line.split())
        with engine.connect() as conn:  # the pool's connections: the backends this block's statements run on
            pids = [r[0] for r in conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"),
                                               {"d": name})]
        backend_before, began = intake.cpu_seconds(pids), time.thread_time()
        for i in range(start, start + n):
            body = {"content": texts[i % len(texts)], "caller_phone": f"138{i:08d}", "channel": "web",
                    "kind": "complaint", "district": ["东湖区", "西山区", "南湖区", "北城区", "高新区"][i % 5]}
            response = client.post("/api/v1/tickets", json=body, headers=headers)
            assert response.status_code == 201, response.get_data(as_text=True)
        client_s = time.thread_time() - began
        print(json.dumps({"client_ms": client_s * 1000 / n, "database_ms": (intake.cpu_seconds(pids) - backend_before) * 1000 / n}),
              flush=True)


def _admin(args: argparse.Namespace) -> Any:
    """An autocommit engine on the server's maintenance database (CREATE / DROP DATABASE)."""
    from sqlalchemy import create_engine

    return create_engine(f"{args.server.replace('postgresql://', 'postgresql+psycopg://')}/postgres",
                         isolation_level="AUTOCOMMIT")


def _setup(args: argparse.Namespace, work: Path, names: list[str]) -> tuple[list[str], str, str]:
    """Texts, model registry, Redis and two identical databases named `names` (demo city + history)."""
    from sqlalchemy import text

    texts = intake.messages()
    models = str(intake.registry(intake.ensure_model(args.model), work / "models"))
    redis_url = subprocess.run([str(intake.ROOT / "scripts" / "redis.sh"), "start", str(work / "redis")],
                               capture_output=True, text=True, check=True).stdout.strip()
    admin = _admin(args)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{names[0]}"'))
    env = {**os.environ, "DATABASE_URL": f"{args.server}/{names[0]}", "REDIS_URL": redis_url,
           "HOTLINE_MODEL_DIR": models, "FLASK_APP": "hotline"}
    for cmd in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([intake.PY, "-m", "flask", *cmd], env=env, cwd=intake.ROOT, check=True, capture_output=True)
    if args.history:
        intake.preload(env["DATABASE_URL"], tickets=args.history, days=args.history_days)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"'))
    admin.dispose()
    return texts, models, redis_url


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, alternate the blocks, tear down; return the medians."""
    from sqlalchemy import text

    work = Path(tempfile.mkdtemp(prefix="bench-intake-ab-"))
    names = [f"hotline_bench_ab_{uuid.uuid4().hex[:8]}_{side}" for side in ("a", "b")]
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        texts, models, redis_url = _setup(args, work, names)
        texts_file = work / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        roots = {"this": str(HERE.parents[1]), "base": str(Path(args.base).resolve())}
        for (side, root), name in zip(roots.items(), names, strict=True):
            procs[side] = subprocess.Popen(
                [sys.executable, str(HERE), "--worker", root, f"{args.server}/{name}", models, redis_url,
                 str(texts_file)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                env={**os.environ, "OMP_NUM_THREADS": "1"})

        def block(side: str, start: int, n: int) -> dict[str, float]:
            procs[side].stdin.write(f"{start} {n}\n")  # type: ignore[union-attr]
            procs[side].stdin.flush()  # type: ignore[union-attr]
            return json.loads(procs[side].stdout.readline())  # type: ignore[union-attr]

        for side in procs:
            block(side, 0, 20)  # warm-up: caches, prepared statements, the first pages
        blocks: dict[str, list[dict[str, float]]] = {side: [] for side in procs}
        for b in range(args.blocks):
            start = 100 + b * args.block
            order = ("base", "this") if b % 2 else ("this", "base")  # alternate who goes first
            for side in order:
                blocks[side].append(block(side, start, args.block))
        return _summary(blocks, args)
    finally:
        for proc in procs.values():
            proc.kill()
            proc.wait()
        subprocess.run([str(intake.ROOT / "scripts" / "redis.sh"), "stop", str(work / "redis")], check=False)
        admin = _admin(args)
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


def _summary(blocks: dict[str, list[dict[str, float]]], args: argparse.Namespace) -> dict[str, Any]:
    def median(side: str, key: str) -> float:
        values = [b[key] if key != "total_ms" else b["client_ms"] + b["database_ms"] for b in blocks[side]]
        return round(statistics.median(values), 3)

    paired = [(t["client_ms"] + t["database_ms"]) - (b["client_ms"] + b["database_ms"])
              for t, b in zip(blocks["this"], blocks["base"], strict=True)]
    out: dict[str, Any] = {side: {key: median(side, key) for key in ("client_ms", "database_ms", "total_ms")}
                           for side in ("base", "this")}
    out["total_difference_ms_median"] = round(statistics.median(paired), 3)
    quartiles = statistics.quantiles(paired, n=4)
    out["total_difference_ms_quartiles"] = [round(quartiles[0], 3), round(quartiles[2], 3)]
    out["blocks_this_cheaper"] = sum(1 for d in paired if d < 0)
    out.update({"blocks": args.blocks, "block": args.block, "history_tickets": args.history, "base_checkout": args.base,
                "load_average_1m": round(os.getloadavg()[0], 2)})
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:7])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the other checkout (e.g. a git worktree)")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--model", type=Path, help="model directory (default: the TipDM model in var/bench)")
    parser.add_argument("--blocks", type=int, default=12, help="blocks per checkout, alternating")
    parser.add_argument("--block", type=int, default=40, help="creations per block")
    parser.add_argument("--history", type=int, default=50_000)
    parser.add_argument("--history-days", type=int, default=30)
    print(json.dumps(run(parser.parse_args()), ensure_ascii=False))


if __name__ == "__main__":
    main()
