"""The command line: db upgrade, demo load, users create (password from stdin)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def flask(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": "/usr/bin:/bin", "QUEUES_ENABLED": "0"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "hotline", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_upgrade_load_and_create_user(tmp_path):
    assert flask(tmp_path, "db", "upgrade").returncode == 0
    loaded = flask(tmp_path, "demo", "load")
    assert loaded.returncode == 0, loaded.stderr
    assert flask(tmp_path, "demo", "load").returncode == 0  # idempotent
    created = flask(tmp_path, "users", "create", "lihua", "--role", "department", "--department", "water",
                    stdin="a-strong-password\n")
    assert created.returncode == 0, created.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as conn:
        departments = conn.execute(text("select count(*) from departments")).scalar()
        role, dept = conn.execute(text(
            "select u.role, d.code from users u join departments d on d.id = u.department_id "
            "where u.username = 'lihua'")).one()
        names = {row[0] for row in conn.execute(text("select name from departments"))}
    assert departments >= 12 and (role, dept) == ("department", "water")
    assert {"市住房和城乡建设局", "市生态环境局", "市交通运输局", "市教育局", "市公安局"} <= names


def test_users_create_rejects_bad_input(tmp_path):
    assert flask(tmp_path, "db", "upgrade").returncode == 0
    flask(tmp_path, "demo", "load")
    bad_role = flask(tmp_path, "users", "create", "x1", "--role", "king", stdin="a-strong-password\n")
    assert bad_role.returncode != 0 and "未知角色" in bad_role.stderr
    no_dept = flask(tmp_path, "users", "create", "x2", "--role", "department", stdin="a-strong-password\n")
    assert no_dept.returncode != 0 and "--department" in no_dept.stderr
    short = flask(tmp_path, "users", "create", "x3", "--role", "operator", stdin="short\n")
    assert short.returncode != 0 and "密码" in short.stderr
