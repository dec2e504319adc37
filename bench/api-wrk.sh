#!/usr/bin/env bash
# API benchmark: wrk against one node, then against three nodes behind nginx (the recommended
# deploy/nginx/punctual.conf, ports substituted), all on one PostgreSQL server, in one run.
#   GET /api/v1/whoami          the trivial endpoint: same auth path (cached key), no query
#   GET /api/v1/jobs/{id}       one job, read from PostgreSQL
#   GET /api/v1/jobs?limit=50   a page of the tenant's jobs
#   POST /api/v1/jobs           create a job (unique names from a wrk Lua script)
# Usage: bench/api-wrk.sh [duration, default 20s] [connections, default 32]
# Database: API_BENCH_DATABASE_URL (postgres://...), default the loopback server's database
# punctual_apibench, dropped and created again. Needs wrk and nginx (apt-get install wrk nginx).
# Prints one line per endpoint and setup: name requests/s p50 p99 non2xx, and the ratio of each
# endpoint to the trivial one measured in the same setup.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20s}
CONNECTIONS=${2:-32}
BASE_PORT=${BENCH_PORT:-18180}
ADMIN=bench-admin-key
DATA=$(mktemp -d /tmp/punctual-api-bench.XXXXXX)
JAR=target/punctual-0.1.0-SNAPSHOT.jar
DB_URL=${API_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/punctual_apibench}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 1; }
[ -f "$JAR" ] || ./mvnw -B -q -DskipTests package
if [ -z "${API_BENCH_DATABASE_URL:-}" ]; then
  psql -q -h 127.0.0.1 -U postgres -c 'drop database if exists punctual_apibench' \
    -c 'create database punctual_apibench'
fi

PIDS=()
cleanup() {
  [ -f "$DATA/nginx.pid" ] && kill "$(cat "$DATA/nginx.pid")" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

# Nodes sharing a database share the key that seals its secrets.
SECRET_KEY=$(head -c 32 /dev/urandom | base64)
start_node() { # index
  local port=$((BASE_PORT + $1))
  # One tenant measured at thousands of requests a second: the per-tenant rate limit is lifted.
  DATABASE_URL=$DB_URL PUNCTUAL_RATE_LIMIT=0 PUNCTUAL_ADMIN_KEY=$ADMIN SERVER_PORT=$port \
    PUNCTUAL_SECRET_KEY=$SECRET_KEY PUNCTUAL_DATA_DIR="$DATA/node$1" \
    java -Xmx512m ${BENCH_JAVA_OPTS:-} -jar "$JAR" > "$DATA/node$1.log" 2>&1 &
  PIDS+=($!)
}
await_ready() { # port
  for _ in $(seq 1 90); do
    curl -sf "127.0.0.1:$1/actuator/health/readiness" >/dev/null && return 0; sleep 1
  done
  echo "node on port $1 did not become ready" >&2; exit 1
}

start_node 1
await_ready $((BASE_PORT + 1))
BASE="http://127.0.0.1:$((BASE_PORT + 1))"
KEY=$(curl -sf -X POST "$BASE/api/v1/tenants" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["apiKey"]["key"])')
JOB=$(curl -sf -X POST "$BASE/api/v1/jobs" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"name":"bench-job","schedule":{"cron":"0 9 * * MON-FRI","timezone":"Europe/Berlin"},"target":{"url":"https://svc.example.com/hook","headers":{"X-Team":"bench"}},"labels":{"team":"bench"}}' \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
# A tenant with a few hundred jobs, so that a page of 50 is a full page.
for i in $(seq 1 200); do
  curl -sf -o /dev/null -X POST "$BASE/api/v1/jobs" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"name\":\"page-$i\",\"schedule\":{\"cron\":\"0 9 * * *\"},\"target\":{\"url\":\"https://svc.example.com/hook\"}}"
done

cat > "$DATA/create.lua" <<'LUA'
local counter = 0
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
  local body = string.format('{"name":"job-%s-%d-%d","schedule":{"cron":"0 0 1 1 *"},"target":{"url":"https://svc.example.com/hook"}}', run_id, thread_id, counter)
  return wrk.format("POST", nil, nil, body)
end
LUA

wrk_args() { # duration, [lua script]
  local args=(-t2 -c"$CONNECTIONS" -d"$1" --latency -H "Authorization: Bearer $KEY")
  [ -n "${2:-}" ] && args+=(-s "$2" -H 'Content-Type: application/json')
  printf '%s\n' "${args[@]}"
}

TRIVIAL=0
run() { # setup, name, path, [lua script]
  local setup=$1 name=$2 path=$3 script=${4:-}
  local args; mapfile -t args < <(wrk_args "$DURATION" "$script")
  local out; out=$(wrk "${args[@]}" "$BASE$path" -- "$setup-$name-$RANDOM")
  local rps p50 p99 non2xx ratio
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  [ "$name" = whoami ] && TRIVIAL=$rps
  ratio=$(python3 -c "print(f'{float($rps) / float($TRIVIAL):.2f}' if float($TRIVIAL) else '-')")
  printf 'api setup=%s endpoint=%s requests_per_s=%s p50=%s p99=%s non2xx=%s vs_trivial=%s\n' \
    "$setup" "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" "$ratio"
}

measure() { # setup
  # Warm-up: JIT, key cache, pool, PostgreSQL buffers; nothing of it is reported.
  local args
  for target in "/api/v1/whoami" "/api/v1/jobs/$JOB" "/api/v1/jobs?limit=50"; do
    mapfile -t args < <(wrk_args 10s); wrk "${args[@]}" "$BASE$target" > /dev/null
  done
  mapfile -t args < <(wrk_args 10s "$DATA/create.lua"); wrk "${args[@]}" "$BASE/api/v1/jobs" -- "warm-$1" > /dev/null
  # The warm-up created thousands of jobs; a server with autovacuum on would have analyzed them by
  # now. The loopback server of these machines runs with autovacuum off (the node warns at start).
  psql -q -d "$DB_URL" -c 'vacuum analyze jobs' -c 'vacuum analyze runs'
  run "$1" whoami /api/v1/whoami
  run "$1" get-job "/api/v1/jobs/$JOB"
  run "$1" list-jobs "/api/v1/jobs?limit=50"
  run "$1" create-job /api/v1/jobs "$DATA/create.lua"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, wrk -t2 -c$CONNECTIONS -d$DURATION, PostgreSQL $(psql -h 127.0.0.1 -U postgres -Atc 'show server_version' 2>/dev/null | cut -d' ' -f1) on the same machine"
measure one-node

start_node 2
start_node 3
await_ready $((BASE_PORT + 2))
await_ready $((BASE_PORT + 3))
# The recommended nginx file, with this run's ports, in an nginx of its own.
sed -e "s/listen 8080;/listen 127.0.0.1:$BASE_PORT;/" \
    -e "s/127.0.0.1:8081/127.0.0.1:$((BASE_PORT + 1))/" \
    -e "s/127.0.0.1:8082/127.0.0.1:$((BASE_PORT + 2))/" \
    -e "s/127.0.0.1:8083/127.0.0.1:$((BASE_PORT + 3))/" \
    deploy/nginx/punctual.conf > "$DATA/punctual.conf"
cat > "$DATA/nginx.conf" <<CONF
worker_processes 1;
pid $DATA/nginx.pid;
error_log $DATA/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DATA/nginx-body;
  proxy_temp_path $DATA/nginx-proxy;
  include $DATA/punctual.conf;
}
CONF
"$NGINX" -c "$DATA/nginx.conf" -p "$DATA" -e "$DATA/nginx-error.log"
BASE="http://127.0.0.1:$BASE_PORT"
for _ in $(seq 1 20); do curl -sf "$BASE/actuator/health/readiness" >/dev/null && break; sleep 0.5; done
measure three-nodes-nginx
