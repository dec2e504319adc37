#!/usr/bin/env bash
# Time to ready (issue 11): the fat jar, the jar extracted with Spring Boot's jarmode tools, and the
# extracted jar with an AppCDS archive from a training run; three rounds alternated, warm data dir.
# Usage: bench/ready-cds.sh   (about 3 minutes; works in /tmp/punctual-cds)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/punctual-0.1.0-SNAPSHOT.jar
[ -f "$JAR" ] || ./mvnw -B -q -ntp package -DskipTests
rm -rf /tmp/punctual-cds && mkdir -p /tmp/punctual-cds
java -Djarmode=tools -jar $JAR extract --destination /tmp/punctual-cds/app > /dev/null
APP=/tmp/punctual-cds/app/punctual-0.1.0-SNAPSHOT.jar
export PUNCTUAL_ADMIN_KEY=cds-admin-key
# Training run: the context starts and the JVM exits at once, writing the archive.
PUNCTUAL_DATA_DIR=/tmp/punctual-cds/train SERVER_PORT=18590 java -XX:ArchiveClassesAtExit=/tmp/punctual-cds/app.jsa -Dspring.context.exit=onRefresh -jar $APP > /tmp/punctual-cds/train.log 2>&1 || true
ls -la /tmp/punctual-cds/app.jsa
# The training run leaves its embedded PostgreSQL running (the context exits at refresh).
pkill -f "postgres -D /tmp/punctual-cds/train" || true
ready() { # label, java args...
  local label=$1; shift
  local start=$(date +%s%N)
  PUNCTUAL_DATA_DIR=/tmp/punctual-cds/data SERVER_PORT=18591 java -Xmx1g "$@" > /tmp/punctual-cds/run.log 2>&1 &
  local pid=$!
  until curl -sf 127.0.0.1:18591/actuator/health/readiness > /dev/null; do sleep 0.02; done
  local end=$(date +%s%N)
  echo "$label ready_ms=$(( (end-start)/1000000 ))"
  kill $pid; wait $pid 2>/dev/null || true
}
ready first-start -jar $JAR > /dev/null   # the data dir's first start (initdb), not reported
for round in 1 2 3; do
  ready fat-jar -jar $JAR
  ready extracted -jar $APP
  ready extracted+cds -XX:SharedArchiveFile=/tmp/punctual-cds/app.jsa -jar $APP
done
