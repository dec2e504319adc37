#!/usr/bin/env bash
# A change's cost on the paths users take: the engine bench (Bench throughput, the service's Engine
# with a no-op deliverer) and the service bench (ServiceBench: the jar as users start it, jobs
# created through the API, delivered over HTTP), of two commits, alternated A B B A A B ... in one
# run, each commit built once in a worktree of its own. A CHECKPOINT before each measurement, so
# that one side does not pay for the other's writes. Raw result lines, each prefixed with the
# commit's short hash and the round, go to bench/results/compare-jars-<date>-<before>-<after>.txt.
# Usage: bench/compare-jars.sh <before-ref> [after-ref, default HEAD] [rounds, default 3]
#        [what: all (default), engine or service]
# Needs the loopback PostgreSQL server (database punctual_bench, as bench/run-suite.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=$(git rev-parse --short "$1")
AFTER=$(git rev-parse --short "${2:-HEAD}")
ROUNDS=${3:-3}
WHAT=${4:-all}
WORK=$(mktemp -d /tmp/punctual-compare-jars.XXXXXX)
cleanup() {
  # A failed run's logs are kept (target/compare-jars-logs/) before the worktrees go.
  if [ "${1:-0}" != 0 ]; then
    mkdir -p target/compare-jars-logs
    for side in "$BEFORE" "$AFTER"; do
      cp -r "$WORK/$side/target/bench-runs" "target/compare-jars-logs/$side" 2>/dev/null || true
    done
  fi
  git worktree remove --force "$WORK/$BEFORE" 2>/dev/null || true
  git worktree remove --force "$WORK/$AFTER" 2>/dev/null || true
  git worktree prune
  rm -rf "$WORK"
}
trap 'cleanup $?' EXIT
mkdir -p bench/results
OUT="bench/results/compare-jars-$(date -u +%Y-%m-%d)-$BEFORE-$AFTER-$WHAT.txt"
# What was measured, before the figures: commits, JDK, the server's settings, the machine.
server_settings=$(psql -h 127.0.0.1 -U postgres -d postgres -qAtc "select string_agg(name || '=' || \
  current_setting(name), ', ' order by name) from pg_settings where name in ('shared_buffers', \
  'fsync', 'synchronous_commit', 'max_wal_size', 'checkpoint_timeout', 'max_connections', \
  'autovacuum')" 2>/dev/null || echo unknown)
{
  echo "# command: bench/compare-jars.sh $*"
  echo "# commits: $BEFORE = $(git rev-parse "$BEFORE"), $AFTER = $(git rev-parse "$AFTER")"
  echo "# JDK: $(java -version 2>&1 | head -1); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "# engine bench: $(psql -h 127.0.0.1 -U postgres -d postgres -qAtc 'show server_version' 2>/dev/null) on 127.0.0.1: $server_settings"
  echo "# service bench: the jar on its embedded PostgreSQL with Punctual's durable settings (docs/operations.md)"
} > "$OUT"

build() { # ref: the jar, and the bench's classpath with this commit's classes jar (the local
           # repository holds one at a time)
  git worktree add -q --detach "$WORK/$1" "$1"
  (cd "$WORK/$1" && ./mvnw -B -q -ntp install -DskipTests -DskipClient=true -Dspotless.check.skip=true \
     && cp target/punctual-0.1.0-SNAPSHOT.jar "$WORK/$1.jar" \
     && ./mvnw -B -q -ntp -f bench/pom.xml package dependency:build-classpath \
          -Dspotless.check.skip=true -Dmdep.outputFile=target/classpath.txt \
     && cp -r bench/target/classes "$WORK/$1-bench-classes" \
     && sed "s#[^:]*/punctual-0.1.0-SNAPSHOT-classes.jar#$WORK/$1-classes.jar#" \
          bench/target/classpath.txt > "$WORK/$1-classpath.txt" \
     && cp target/punctual-0.1.0-SNAPSHOT-classes.jar "$WORK/$1-classes.jar")
}
checkpoint() {
  psql -h 127.0.0.1 -U postgres -d postgres -qAtc "checkpoint" >/dev/null 2>&1 || true
}
measure() { # ref round
  local cp="$WORK/$1-bench-classes:$(cat "$WORK/$1-classpath.txt")"
  if [ "$WHAT" != service ]; then
    checkpoint
    (cd "$WORK/$1" && java -Xmx1g -cp "$cp" dev.punctual.bench.Bench throughput punctual 100000 1) \
      | grep '^bench ' | sed "s/^/$1 round=$2 /" | tee -a "$OUT"
  fi
  [ "$WHAT" = engine ] && return 0
  checkpoint
  (cd "$WORK/$1" && java -Xmx1g -cp "$cp" dev.punctual.bench.ServiceBench burst embedded 20000) \
    | grep -E '^(bench|service) ' | sed "s/^/$1 round=$2 /" | tee -a "$OUT"
  checkpoint
  (cd "$WORK/$1" && java -Xmx1g -cp "$cp" dev.punctual.bench.ServiceBench steady embedded 1000 20 30) \
    | grep -E '^(bench|service) ' | sed "s/^/$1 round=$2 /" | tee -a "$OUT"
}
build "$BEFORE"
build "$AFTER"
# Each side's worktree has its own target/ with its own jar, where ServiceBench looks for it.
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="$BEFORE $AFTER"; else order="$AFTER $BEFORE"; fi
  for ref in $order; do measure "$ref" "$round"; done
done
echo "raw lines: $OUT"
