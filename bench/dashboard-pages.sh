#!/usr/bin/env bash
# The dashboard's pages with a big tenant: 10,000 jobs (made through the API) and 1,000,000 runs
# over the last 7 days (the retention; about 143,000 in the last day), one attempt each, 2%
# failed (inserted in SQL: the engine would take hours to make them; the service counts them into
# run_stats as it counts the runs it makes). Then every API request each page makes, timed from curl on
# loopback (time_total: the server's time plus well under a millisecond), 30 times each after 5
# warm-ups; a page's figure is the sum of its requests (the browser sends some in parallel, so
# this is an upper bound). Needs the PostgreSQL server on loopback (psql seeds the runs there).
# Usage: bench/dashboard-pages.sh [jobs, default 10000] [runs per job, default 100]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-10000}
PER_JOB=${2:-100}
PORT=${BENCH_PORT:-18390}
DB=punctual_dashboard_bench
ADMIN=bench-admin-key
JAR=target/punctual-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d /tmp/punctual-dashboard.XXXXXX)
BASE=http://127.0.0.1:$PORT
psql_db() { psql -h 127.0.0.1 -U postgres -d "$DB" -v ON_ERROR_STOP=1 -qAt "$@"; }

NODE=
cleanup() {
  [ -n "$NODE" ] && kill "$NODE" 2>/dev/null && wait "$NODE" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f "$JAR" ] || ./mvnw -q -B -ntp -DskipTests package
psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists $DB" -c "create database $DB"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" PUNCTUAL_ADMIN_KEY=$ADMIN \
  PUNCTUAL_SECRET_KEY=$(head -c 32 /dev/urandom | base64) PUNCTUAL_RATE_LIMIT=0 \
  PUNCTUAL_MAX_JOBS_PER_TENANT=0 SERVER_PORT=$PORT PUNCTUAL_DATA_DIR="$WORK/data" \
  java -jar "$JAR" > "$WORK/node.log" 2>&1 &
NODE=$!
for _ in $(seq 1 120); do curl -sf "$BASE/actuator/health/readiness" >/dev/null && break; sleep 1; done

KEY=$(curl -sf -X POST "$BASE/api/v1/tenants" -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"big"}' | jq -r .apiKey.key)
echo "== $JOBS jobs through the API"
start=$(date +%s)
seq 1 "$JOBS" | xargs -P 8 -I{} curl -sf -o /dev/null -X POST "$BASE/api/v1/jobs" \
  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"name":"job-{}","schedule":{"cron":"0 3 * * *","timezone":"Europe/Berlin"},"labels":{"team":"t{}"},"target":{"url":"https://svc.example.com/hook/{}","headers":{"Authorization":"Bearer secret-{}"}}}'
echo "   $(( $(date +%s) - start )) s"

echo "== $((JOBS * PER_JOB)) runs and their attempts in SQL"
start=$(date +%s)
psql_db <<SQL
insert into runs (job_id, tenant_id, scheduled_for, trigger, status, attempts, created_at,
                  started_at, finished_at, duration_ms, result_code, error)
select j.id, j.tenant_id, t.at, 'SCHEDULE',
       case when (j.id + g) % 50 = 0 then 'FAILED' else 'SUCCEEDED' end, 1, t.at,
       t.at + interval '15 ms', t.at + interval '45 ms', 30,
       case when (j.id + g) % 50 = 0 then 500 else 200 end,
       case when (j.id + g) % 50 = 0 then 'HTTP 500' end
from jobs j
cross join generate_series(1, $PER_JOB) g
cross join lateral (select now() - (g - 1) * (interval '7 days' / $PER_JOB)
                           - (j.id % 600) * interval '1 second' as at) t;
insert into run_attempts (run_id, number, started_at, duration_ms, node, result_code, error,
                          response_snippet)
select id, 1, started_at, 30, 'bench-node', result_code, error, 'ok' from runs;
-- Stamped in the past, so counted minutes must be counted again: the service does it.
update run_stats_progress set counted_until = now() - interval '1 day';
SQL
for _ in $(seq 1 60); do
  [ "$(psql_db -c "select counted_until > now() - interval '2 minutes' from run_stats_progress")" = t ] && break
  sleep 2
done
psql_db -c "vacuum analyze"
echo "   $(( $(date +%s) - start )) s (run_stats: $(psql_db -c "select count(*) || ' rows, ' || sum(succeeded + failed) || ' runs' from run_stats"))"

JOB=$(psql_db -c "select id from jobs order by id desc limit 1")
RUN=$(psql_db -c "select id from runs where job_id = $JOB order by id desc limit 1")
IDS=$(psql_db -c "select string_agg('id=' || id, '&') from (select id from jobs order by id desc limit 25) j")

time_ms() { # method path [body]: the request's time in ms
  if [ $# -ge 3 ]; then
    curl -s -o /dev/null -w '%{time_total}\n' -X "$1" "$BASE$2" -H "Authorization: Bearer $KEY" \
      -H 'Content-Type: application/json' -d "$3"
  else
    curl -s -o /dev/null -w '%{time_total}\n' -X "$1" "$BASE$2" -H "Authorization: Bearer ${AS:-$KEY}"
  fi | awk '{printf "%.1f\n", $1 * 1000}'
}
# page name, then its requests as "METHOD path [body]" lines
page() {
  local name=$1; shift
  local sums=()
  for i in $(seq 1 35); do
    local total=0
    for request in "$@"; do
      # shellcheck disable=SC2086
      t=$(eval time_ms $request)
      total=$(awk -v a="$total" -v b="$t" 'BEGIN {print a + b}')
    done
    [ "$i" -gt 5 ] && sums+=("$total")
  done
  printf '%s\n' "${sums[@]}" | sort -n | awk -v name="$name" -v n="$#" \
    '{v[NR]=$1} END {printf "%-34s %2d requests  p50 %6.1f ms  p90 %6.1f ms  max %6.1f ms\n", name, n, v[int(NR/2)+1], v[int(NR*0.9)], v[NR]}'
}

echo "== pages ($JOBS jobs, $((JOBS * PER_JOB)) runs; sum of each page's requests, 30 loads)"
page "overview" "GET /api/v1/overview"
page "jobs (first page + strips)" "GET '/api/v1/jobs?limit=25'" "GET '/api/v1/jobs/recent-outcomes?$IDS'"
page "jobs, name search" "GET '/api/v1/jobs?limit=25&namePrefix=job-99'"
page "jobs, label filter" "GET '/api/v1/jobs?limit=25&label=team:t77'"
page "jobs, state filter (none match)" "GET '/api/v1/jobs?limit=25&state=BROKEN'"
page "job (definition, preview, runs)" "GET /api/v1/jobs/$JOB" \
  "POST /api/v1/schedules/preview '{\"schedule\":{\"cron\":\"0 3 * * *\",\"timezone\":\"Europe/Berlin\"},\"count\":5}'" \
  "GET '/api/v1/jobs/$JOB/runs?limit=20'"
page "run (run, job, attempts)" "GET /api/v1/runs/$RUN" "GET /api/v1/jobs/$JOB" "GET /api/v1/runs/$RUN/attempts"
page "failures (first page, job names in it)" "GET '/api/v1/runs?limit=50'"
AS=$ADMIN page "admin (tenants, nodes)" "GET /api/v1/tenants" "GET /api/v1/nodes"
