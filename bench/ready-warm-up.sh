#!/usr/bin/env bash
# Time to ready with and without the warm-ups (delivery, then fires; docs/engine.md, "A node's start"):
# `java -jar` and bin/punctual on a warm embedded data dir, PUNCTUAL_ENGINE_WARM_UP_REQUESTS=5000
# (the default) and 0 alternated, three rounds. Each line also shows the warm-ups' own log lines.
# Usage: bench/ready-warm-up.sh   (about 4 minutes; works in /tmp/punctual-ready-warm-up)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f target/punctual-0.1.0-SNAPSHOT.jar ] || ./mvnw -B -q -ntp package -DskipTests
JAR=$PWD/target/punctual-0.1.0-SNAPSHOT.jar
W=/tmp/punctual-ready-warm-up
rm -rf $W && mkdir -p $W
export PUNCTUAL_CDS_DIR=$W/cds
ready() { # label, warm-up requests, data dir, command...
  local label=$1 n=$2 data=$3
  shift 3
  local start
  start=$(date +%s%N)
  PUNCTUAL_ENGINE_WARM_UP_REQUESTS=$n PUNCTUAL_DATA_DIR=$data SERVER_PORT=18591 \
    JAVA_OPTS=-Xmx1g "$@" > $W/run.log 2>&1 &
  local pid=$!
  until curl -sf 127.0.0.1:18591/actuator/health/readiness > /dev/null; do sleep 0.02; done
  echo "$label warm_up=$n ready_ms=$(( ($(date +%s%N)-start)/1000000 ))" \
    "$(grep -o 'warmed up: [0-9]* [a-z]* [^;(]* in [0-9]* ms' $W/run.log | tr '\n' ' ' || true)"
  kill $pid
  wait $pid 2>/dev/null || true
}
# The data dir's initdb and bin/punctual's archive first, not reported.
ready prepare 0 $W/data bin/punctual "$JAR" > /dev/null
for round in 1 2 3; do
  for n in 5000 0; do
    ready "warm fat-jar" $n $W/data java -Xmx1g -jar "$JAR"
    ready "warm bin/punctual" $n $W/data bin/punctual "$JAR"
  done
done
