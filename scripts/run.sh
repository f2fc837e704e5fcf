#!/usr/bin/env bash
# make run: Redis (AOF, noeviction), database, demo city, demo model, then web + worker with scheduler.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=hotline
PORT=${PORT:-8000}
if [ -z "${REDIS_URL:-}" ]; then
  REDIS_URL=$(scripts/redis.sh start var/redis --aof)
fi
export REDIS_URL
mkdir -p instance var/log
.venv/bin/flask db upgrade
# Some weeks of simulated traffic, once, so the dashboard, rates and hotspots are not empty.
.venv/bin/flask demo load --history "${DEMO_HISTORY_DAYS:-14}"
.venv/bin/flask classifier ensure-demo-model
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
.venv/bin/gunicorn -c gunicorn.conf.py -b "127.0.0.1:$PORT" "hotline:create_app()" &
pids+=($!)
.venv/bin/flask workers run >var/log/worker.log 2>&1 &
pids+=($!)
sleep 2
cat <<MSG

hotline 12345 is running: http://127.0.0.1:$PORT/
  API: http://127.0.0.1:$PORT/api/v1/openapi.json   Redis: $REDIS_URL
  Demo logins (password: hotline-demo): operator, dispatcher, dept_ecology (any dept_<code>),
  followup, supervisor, admin
  Logs: var/log/   Stop: Ctrl-C (the Redis it started keeps running: scripts/redis.sh stop var/redis)
MSG
wait -n "${pids[@]}"
