#!/usr/bin/env bash
# API baseline (issue 2): wrk against one node on the embedded database.
#   GET /api/v1/whoami       the trivial endpoint: same auth path (cached key), no query
#   GET /api/v1/jobs/{id}    one job, read from PostgreSQL
#   POST /api/v1/jobs        create a job (unique names from a wrk Lua script)
# Usage: bench/api-wrk.sh [duration, default 20s] [connections, default 32]
# Needs wrk (apt-get install wrk). Prints one line per endpoint: name requests/s p50 p99.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20s}
CONNECTIONS=${2:-32}
PORT=${BENCH_PORT:-18080}
ADMIN=bench-admin-key
DATA=$(mktemp -d /tmp/punctual-bench.XXXXXX)
JAR=target/punctual-0.1.0-SNAPSHOT.jar

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -f "$JAR" ] || ./mvnw -B -q -DskipTests package

# One tenant measured at thousands of requests a second: the per-tenant rate limit is lifted.
PUNCTUAL_RATE_LIMIT=0 PUNCTUAL_ADMIN_KEY=$ADMIN PUNCTUAL_DATA_DIR=$DATA SERVER_PORT=$PORT \
  java ${BENCH_JAVA_OPTS:-} -jar "$JAR" > "$DATA/service.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do curl -sf "localhost:$PORT/actuator/health/readiness" >/dev/null && break; sleep 1; done

BASE="http://127.0.0.1:$PORT"
KEY=$(curl -sf -X POST "$BASE/api/v1/tenants" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["apiKey"]["key"])')
JOB=$(curl -sf -X POST "$BASE/api/v1/jobs" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"name":"bench-job","schedule":{"cron":"0 9 * * MON-FRI","timezone":"Europe/Berlin"},"target":{"url":"https://svc.example.com/hook","headers":{"X-Team":"bench"}},"labels":{"team":"bench"}}' \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')

cat > "$DATA/create.lua" <<'LUA'
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  thread_id = tid
  run_id = args[1] or "run"
end
request = function()
  counter = counter + 1
  local body = string.format('{"name":"job-%s-%d-%d","schedule":{"cron":"*/5 * * * *"},"target":{"url":"https://svc.example.com/hook"}}', run_id, thread_id, counter)
  return wrk.format("POST", nil, nil, body)
end
LUA

wrk_args() { # duration, [lua script]
  local args=(-t2 -c"$CONNECTIONS" -d"$1" --latency -H "Authorization: Bearer $KEY")
  [ -n "${2:-}" ] && args+=(-s "$2" -H 'Content-Type: application/json')
  printf '%s\n' "${args[@]}"
}

run() { # name, path, [lua script]
  local name=$1 path=$2 script=${3:-}
  local args; mapfile -t args < <(wrk_args "$DURATION" "$script")
  local out; out=$(wrk "${args[@]}" "$BASE$path" -- "$name-$RANDOM")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  printf 'api %-22s requests/s=%s p50=%s p99=%s non2xx=%s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

# Warm-up: JIT, key cache, pool, PostgreSQL buffers; nothing of it is reported.
for target in "/api/v1/whoami" "/api/v1/jobs/$JOB"; do
  mapfile -t args < <(wrk_args 10s); wrk "${args[@]}" "$BASE$target" > /dev/null
done
mapfile -t args < <(wrk_args 10s "$DATA/create.lua"); wrk "${args[@]}" "$BASE/api/v1/jobs" -- warm > /dev/null

echo "# $(date -u +%FT%TZ) $(nproc) cores, wrk -t2 -c$CONNECTIONS -d$DURATION, one node, embedded PostgreSQL"
run whoami /api/v1/whoami
run get-job "/api/v1/jobs/$JOB"
run create-job /api/v1/jobs "$DATA/create.lua"
run whoami-again /api/v1/whoami
