#!/usr/bin/env bash
# The keep-alive race of an nginx reload, measured: wrk calls one node through nginx (the
# recommended deploy/nginx/punctual.conf, ports substituted) while nginx reloads its configuration
# every RELOAD_EVERY seconds, as a rolling deploy does to take a node out of the pool. Each reload
# closes the old worker's idle client connections; a request sent on one at that moment is lost
# (wrk counts it as a read or write socket error). Measured for the recommended file (client
# keep-alive on) and with client keep-alive off (keepalive_timeout 0: a new connection per
# request), each also without reloads to show the cost.
# Usage: bench/nginx-reload-race.sh [duration, default 20s] [connections, default 8]
# Needs wrk and nginx (apt-get install wrk nginx) and the PostgreSQL server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-20s}
CONNECTIONS=${2:-8}
RELOAD_EVERY=${RELOAD_EVERY:-0.25}
BASE_PORT=${BENCH_PORT:-18280}
ADMIN=bench-admin-key
DATA=$(mktemp -d /tmp/punctual-reload-race.XXXXXX)
JAR=target/punctual-0.1.0-SNAPSHOT.jar
DB_URL=postgres://postgres@127.0.0.1:5432/punctual_reloadbench

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx is missing: apt-get install -y nginx" >&2; exit 1; }
[ -f "$JAR" ] || ./mvnw -B -q -DskipTests package
psql -q -h 127.0.0.1 -U postgres -c 'drop database if exists punctual_reloadbench' \
  -c 'create database punctual_reloadbench'

NODE=
cleanup() {
  [ -f "$DATA/nginx.pid" ] && kill "$(cat "$DATA/nginx.pid")" 2>/dev/null || true
  [ -n "$NODE" ] && kill "$NODE" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

NODE_PORT=$((BASE_PORT + 1))
DATABASE_URL=$DB_URL PUNCTUAL_RATE_LIMIT=0 PUNCTUAL_ADMIN_KEY=$ADMIN SERVER_PORT=$NODE_PORT \
  PUNCTUAL_DATA_DIR="$DATA/node" java -Xmx512m -jar "$JAR" > "$DATA/node.log" 2>&1 &
NODE=$!
for _ in $(seq 1 90); do
  curl -sf "127.0.0.1:$NODE_PORT/actuator/health/readiness" >/dev/null && break; sleep 1
done
KEY=$(curl -sf -X POST "127.0.0.1:$NODE_PORT/api/v1/tenants" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' \
  | python3 -c 'import json,sys;print(json.load(sys.stdin)["apiKey"]["key"])')

start_nginx() { # keepalive directive for the client side, or empty for the recommended file
  [ -f "$DATA/nginx.pid" ] && { kill "$(cat "$DATA/nginx.pid")"; sleep 1; }
  sed -e "s/listen 8080;/listen 127.0.0.1:$BASE_PORT;/" \
      -e "s/server 127.0.0.1:8081\(.*\);/server 127.0.0.1:$NODE_PORT\1;/" \
      -e "/127.0.0.1:808[23]/d" \
      -e "s/client_max_body_size 1m;/client_max_body_size 1m; $1/" \
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
  for _ in $(seq 1 20); do curl -sf "127.0.0.1:$BASE_PORT/actuator/health/readiness" >/dev/null && break; sleep 0.5; done
}

run() { # setup name, reloads yes|no
  local reloader=
  if [ "$2" = yes ]; then
    ( while true; do sleep "$RELOAD_EVERY"; "$NGINX" -c "$DATA/nginx.conf" -p "$DATA" -s reload 2>/dev/null; done ) &
    reloader=$!
  fi
  local out; out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $KEY" \
    "http://127.0.0.1:$BASE_PORT/api/v1/whoami")
  [ -n "$reloader" ] && { kill "$reloader"; wait "$reloader" 2>/dev/null || true; }
  local requests rps errors
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  # "Socket errors: connect 0, read 12, write 3, timeout 0"
  errors=$(awk '/Socket errors/ {gsub(",", ""); print $6 + $8}' <<<"$out")
  printf 'reload-race setup=%s reloads=%s requests=%s requests_per_s=%s lost_on_closed_connection=%s\n' \
    "$1" "$2" "$requests" "$rps" "${errors:-0}"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, nginx $("$NGINX" -v 2>&1 | cut -d/ -f2), wrk -t1 -c$CONNECTIONS -d$DURATION, reload every ${RELOAD_EVERY}s"
# Warm-up of the node (JIT, key cache), not reported.
start_nginx ""
wrk -t1 -c"$CONNECTIONS" -d10s -H "Authorization: Bearer $KEY" "http://127.0.0.1:$BASE_PORT/api/v1/whoami" >/dev/null
run client-keepalive-on no
run client-keepalive-on yes
start_nginx "keepalive_timeout 0;"
run client-keepalive-off no
run client-keepalive-off yes
