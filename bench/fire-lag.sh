#!/usr/bin/env bash
# Fire precision (issue 3): one node on the embedded database, N jobs each firing every second,
# their phases spread evenly over the second, so the node fires a steady N per second. Each
# delivers to a minimal local HTTP target (bench/Target.java). After a warm-up, measures for
# DURATION seconds and reports the fire lag (actual minus scheduled) from the database: the run
# row's created_at (the fire transaction's time) minus its scheduled_for.
# Usage: bench/fire-lag.sh [fires per second, default 1000] [seconds, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-1000}
DURATION=${2:-60}
WARMUP=${WARMUP:-15}
PORT=${BENCH_PORT:-18081}
TARGET_PORT=${BENCH_TARGET_PORT:-18082}
ADMIN=bench-admin-key
DATA=$(mktemp -d /tmp/punctual-lag.XXXXXX)
JAR=target/punctual-0.1.0-SNAPSHOT.jar
[ -f "$JAR" ] || ./mvnw -B -q -DskipTests package

java -Dsun.net.httpserver.nodelay=true bench/Target.java "$TARGET_PORT" > "$DATA/target.log" 2>&1 &
TPID=$!
# The target listens on loopback, which the egress guard denies by default. The bench is one
# tenant creating and firing thousands of jobs a second: the per-tenant limits are lifted.
PUNCTUAL_RATE_LIMIT=0 PUNCTUAL_TENANT_FIRE_RATE=0 PUNCTUAL_EGRESS_ALLOW=127.0.0.0/8 PUNCTUAL_ADMIN_KEY=$ADMIN PUNCTUAL_DATA_DIR=$DATA SERVER_PORT=$PORT \
  java ${BENCH_JAVA_OPTS:-} -jar "$JAR" > "$DATA/service.log" 2>&1 &
PID=$!
trap 'kill $PID $TPID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do curl -sf "localhost:$PORT/actuator/health/readiness" >/dev/null && break; sleep 1; done
BASE="http://127.0.0.1:$PORT"
KEY=$(curl -sf -X POST "$BASE/api/v1/tenants" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["apiKey"]["key"])')

# Jobs every second, phases spread over the second; the first fire a few seconds from now.
START=$(python3 -c 'import time;print(int(time.time())+5)')
python3 - "$BASE" "$KEY" "$RATE" "$START" "$TARGET_PORT" <<'PY'
import json, sys, urllib.request, datetime, concurrent.futures
base, key, rate, start, tport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def create(i):
    at = datetime.datetime.fromtimestamp(start + i / rate, datetime.timezone.utc)
    body = {"name": f"lag-{i}", "schedule": {"interval": "PT1S", "startAt": at.isoformat().replace("+00:00", "Z")},
            "target": {"url": f"http://127.0.0.1:{tport}/hook"}, "overlap": "ALLOW"}
    req = urllib.request.Request(base + "/api/v1/jobs", json.dumps(body).encode(),
        {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    list(pool.map(create, range(rate)))
PY

PGPORT=$(grep -oE 'on port [0-9]+' "$DATA/service.log" | head -1 | grep -oE '[0-9]+')
sleep "$WARMUP"
FROM=$(date -u +%FT%T.%NZ)
sleep "$DURATION"
TO=$(date -u +%FT%T.%NZ)
psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -At -F ' ' <<SQL
select 'fire-lag rate=' || $RATE || '/s window=' || $DURATION || 's',
       'fires=' || count(*),
       'fires/s=' || round(count(*) / $DURATION.0, 1),
       'p50_ms=' || round((percentile_cont(0.5) within group (order by lag) * 1000)::numeric, 2),
       'p99_ms=' || round((percentile_cont(0.99) within group (order by lag) * 1000)::numeric, 2),
       'max_ms=' || round((max(lag) * 1000)::numeric, 2)
from (select extract(epoch from created_at - scheduled_for) as lag from runs
      where trigger = 'SCHEDULE' and scheduled_for >= '$FROM' and scheduled_for < '$TO') l;
select 'runs by status:', string_agg(status || '=' || n, ' ') from
  (select status, count(*) n from runs where scheduled_for >= '$FROM' and scheduled_for < '$TO' group by status) s;
SQL
curl -s "$BASE/actuator/prometheus" | grep -E '^punctual_fire_(lag_seconds|duration_seconds|batch_size)\{quantile' | sed 's/^/metric (last 2 min) /'
echo "target received $(curl -s localhost:$TARGET_PORT/count) requests in all"
