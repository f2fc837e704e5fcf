#!/usr/bin/env bash
# Schemathesis --checks all against the served OpenAPI document as a supervisor and an admin
# (private Redis on a free port, scratch SQLite). Prints one JSON line of counts; non-zero exit on findings.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/need.sh redis-server redis-server
state="var/fuzz-redis-$$"
export REDIS_URL=$(scripts/redis.sh start "$state")
trap 'scripts/redis.sh stop "$state"; rm -rf "$state"' EXIT
.venv/bin/python scripts/fuzz.py "$@"
