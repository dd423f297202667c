#!/usr/bin/env bash
# Make sure Redis answers at $REDIS_URL; if not, start a local redis-server on 127.0.0.1
# (data under the instance folder), installing the Debian package first when needed.
set -euo pipefail
: "${REDIS_URL:=redis://127.0.0.1:6379/0}"
PY=${PY:-.venv/bin/python}
INSTANCE=${INSTANCE_PATH:-instance}
ping() { "$PY" -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2, socket_timeout=2).ping()" "$REDIS_URL" 2>/dev/null; }
ping && { echo "Redis answers at $REDIS_URL" >&2; exit 0; }
port=$("$PY" -c "import sys; from urllib.parse import urlsplit; print(urlsplit(sys.argv[1]).port or 6379)" "$REDIS_URL")
host=$("$PY" -c "import sys; from urllib.parse import urlsplit; print(urlsplit(sys.argv[1]).hostname or '127.0.0.1')" "$REDIS_URL")
case "$host" in 127.0.0.1|localhost|::1) ;; *)
  echo "error: Redis at $REDIS_URL does not answer, and it is not local: start it there" >&2; exit 1;;
esac
scripts/apt-ensure.sh redis-server redis-server
mkdir -p "$INSTANCE/redis"
echo "starting a local redis-server on 127.0.0.1:$port (data in $INSTANCE/redis)" >&2
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$(cd "$INSTANCE/redis" && pwd)" \
  --logfile "$(cd "$INSTANCE/redis" && pwd)/redis.log" --pidfile "$(cd "$INSTANCE/redis" && pwd)/redis.pid" \
  --save 60 1 --appendonly no
for _ in $(seq 50); do ping && exit 0; sleep 0.1; done
echo "error: redis-server did not answer; see $INSTANCE/redis/redis.log" >&2; exit 1
