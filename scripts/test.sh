#!/usr/bin/env bash
# The whole suite against a private Redis on a free port (and the machine's PostgreSQL when it answers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/need.sh redis-server redis-server
scripts/need.sh chromium chromium || echo "browser tests will be skipped: chromium is not installed" >&2
scripts/need.sh - fonts-wqy-microhei || echo "screenshots will show boxes for Chinese text" >&2
state="var/test-redis-$$"
export REDIS_URL=$(scripts/redis.sh start "$state")
trap 'scripts/redis.sh stop "$state"; rm -rf "$state"' EXIT
.venv/bin/ruff check .
.venv/bin/python -m pytest -p no:cacheprovider "$@"
