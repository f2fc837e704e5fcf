#!/usr/bin/env bash
# redis.sh start DIR [--aof]  → prints the URL of a private redis-server on a free port (pid in DIR/redis.pid)
# redis.sh stop DIR          → stops it
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
action=$1 dir=$2 aof=${3:-}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ "$action" = stop ]; then
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
  rm -f "$dir/redis.pid" "$dir/redis.url"
  exit 0
fi
if [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null && [ -f "$dir/redis.url" ]; then
  cat "$dir/redis.url"; exit 0
fi
"$here/need.sh" redis-server redis-server
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
persist=(--save "" --appendonly no)
[ "$aof" = --aof ] && persist=(--save "" --appendonly yes --appendfsync everysec)
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
  --logfile "$dir/redis.log" --maxmemory-policy noeviction "${persist[@]}" >/dev/null
for _ in $(seq 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.05
done
redis-cli -p "$port" ping >/dev/null 2>&1 || { echo "redis-server did not start (see $dir/redis.log)" >&2; exit 1; }
echo "redis://127.0.0.1:$port/0" | tee "$dir/redis.url"
