#!/usr/bin/env bash
# The API on the embedded database, as a laptop user runs it: for each jar given (default: this
# build's), a fresh data dir, the jar started alone, then wrk on GET /api/v1/jobs/{id} and on
# POST /api/v1/jobs (each create is one commit, so this shows what durable commits cost), and
# GET /api/v1/whoami (no query: the request path's fixed cost), each with its CPU per request in
# the node and in PostgreSQL.
# Several jars measured in one run give comparable figures (these machines are noisy).
# Usage: bench/embedded-api.sh [duration, default 15s] [jar ...]
# Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15s}
shift || true
JARS=("$@")
[ ${#JARS[@]} -eq 0 ] && JARS=(target/punctual-0.1.0-SNAPSHOT.jar)
PORT=${BENCH_PORT:-18380}
ADMIN=bench-admin-key
WORK=$(mktemp -d /tmp/punctual-embedded-api.XXXXXX)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

NODE=
cleanup() {
  [ -n "$NODE" ] && kill "$NODE" 2>/dev/null && wait "$NODE" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Names unique per wrk thread and run: math.random is not seeded per thread, so names drawn from
# it repeated across threads, and half the creates were 409s waiting on each other's insert.
cat > "$WORK/create.lua" <<'LUA'
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"name":"job-%d-%d-%d","schedule":{"cron":"0 0 1 1 *"},"target":{"url":"https://svc.example.com/hook"}}', tid, os.time(), counter)
  return wrk.format("POST", nil, nil, body)
end
LUA

wrk_rps() { # args...: prints requests/s
  wrk -t2 -c32 "$@" | awk '/Requests\/sec/ {print $2}'
}

# CPU ticks (1/100 s) of the node's JVM and of the embedded PostgreSQL (its postmaster and
# children), to print each endpoint's CPU per request beside its rate.
ticks() { # node pid, postmaster pid
  local node pg=0 pid
  node=$(awk '{print $14 + $15}' "/proc/$1/stat")
  for pid in $2 $(pgrep -P "$2"); do
    pg=$((pg + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$node $pg"
}
measure() { # name, wrk args...: prints name=requests/s and its CPU per request (µs)
  local name=$1 out n0 p0 n1 p1
  shift
  read -r n0 p0 < <(ticks "$NODE" "$POSTMASTER")
  out=$(wrk -t2 -c32 -d"$DURATION" "$@")
  read -r n1 p1 < <(ticks "$NODE" "$POSTMASTER")
  echo "$out" | awk -v name="$name" -v dn=$((n1 - n0)) -v dp=$((p1 - p0)) '
    /requests in/ {n = $1} /Requests\/sec/ {rps = $2}
    END {printf "%s_per_s=%s %s_node_cpu_us=%.0f %s_pg_cpu_us=%.0f", name, rps, name, dn * 1e4 / n, name, dp * 1e4 / n}'
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, wrk -t2 -c32 -d$DURATION, each jar on its own fresh embedded PostgreSQL"
for jar in "${JARS[@]}"; do
  # Named after the jar's checkout when it is target/ of one (OLD/target/x.jar: OLD), else the
  # jar's own name; either way a name, never a path.
  name=$(basename "$(dirname "$(dirname "$jar")")")
  [ "$(basename "$(dirname "$jar")")" = target ] || name=$(basename "$jar" .jar)
  data="$WORK/data-$name-$RANDOM"
  PUNCTUAL_DATA_DIR=$data PUNCTUAL_RATE_LIMIT=0 PUNCTUAL_MAX_JOBS_PER_TENANT=0 \
    PUNCTUAL_ADMIN_KEY=$ADMIN SERVER_PORT=$PORT java -Xmx512m -jar "$jar" > "$data.log" 2>&1 &
  NODE=$!
  for _ in $(seq 1 90); do
    curl -sf "127.0.0.1:$PORT/actuator/health/readiness" >/dev/null && break; sleep 1
  done
  base="http://127.0.0.1:$PORT"
  key=$(curl -sf -X POST "$base/api/v1/tenants" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' -d '{"name":"bench"}' \
    | python3 -c 'import json,sys;print(json.load(sys.stdin)["apiKey"]["key"])')
  job=$(curl -sf -X POST "$base/api/v1/jobs" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"name":"one","schedule":{"cron":"0 9 * * *"},"target":{"url":"https://svc.example.com/hook"}}' \
    | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
  auth=(-H "Authorization: Bearer $key")
  pgport=$(grep -o 'on port [0-9]*' "$data.log" | head -1 | awk '{print $3}')
  POSTMASTER=$(head -1 "$data/pg/postmaster.pid")
  # Warm-up (JIT, caches), not reported.
  wrk_rps -d10s "${auth[@]}" "$base/api/v1/whoami" >/dev/null
  wrk_rps -d10s "${auth[@]}" "$base/api/v1/jobs/$job" >/dev/null
  wrk_rps -d10s "${auth[@]}" -H 'Content-Type: application/json' -s "$WORK/create.lua" "$base/api/v1/jobs" >/dev/null
  whoami=$(measure whoami "${auth[@]}" "$base/api/v1/whoami")
  get=$(measure get "${auth[@]}" "$base/api/v1/jobs/$job")
  create=$(measure create "${auth[@]}" -H 'Content-Type: application/json' -s "$WORK/create.lua" "$base/api/v1/jobs")
  settings=$(psql -h 127.0.0.1 -p "$pgport" -U postgres -Atc \
    "select string_agg(name || '=' || setting, ' ' order by name) from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','shared_buffers')" 2>/dev/null || echo "?")
  printf 'embedded-api jar=%s %s %s %s settings="%s"\n' "$jar" "$whoami" "$get" "$create" "$settings"
  kill "$NODE"; wait "$NODE" 2>/dev/null || true; NODE=
done
