#!/usr/bin/env bash
# Time to ready (issue 11): `java -jar` on the fat jar, the jar extracted with Spring Boot's
# jarmode tools, and bin/punctual (the extracted jar with its AppCDS archive, as users start it);
# three rounds alternated on a warm embedded data dir, then the same on a fresh data dir each time.
# Usage: bench/ready-cds.sh   (about 4 minutes; works in /tmp/punctual-cds)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/punctual-0.1.0-SNAPSHOT.jar
[ -f "$JAR" ] || ./mvnw -B -q -ntp package -DskipTests
W=/tmp/punctual-cds
rm -rf $W && mkdir -p $W
java -Djarmode=tools -jar $JAR extract --destination $W/app > /dev/null
export PUNCTUAL_ADMIN_KEY=cds-admin-key PUNCTUAL_CDS_DIR=$W/cds
# bin/punctual's one-time preparation (extract + training run), timed apart.
start=$(date +%s%N)
PUNCTUAL_DATA_DIR=$W/prep SERVER_PORT=18591 bin/punctual $JAR > $W/prep.log 2>&1 &
pid=$!
until curl -sf 127.0.0.1:18591/actuator/health/readiness > /dev/null; do sleep 0.02; done
echo "bin/punctual first start (preparation + start) ready_ms=$(( ($(date +%s%N)-start)/1000000 ))"
kill $pid; wait $pid 2>/dev/null || true
ready() { # label, data dir, command...
  local label=$1 data=$2; shift 2
  local start=$(date +%s%N)
  PUNCTUAL_DATA_DIR=$data SERVER_PORT=18591 JAVA_OPTS=-Xmx1g "$@" > $W/run.log 2>&1 &
  local pid=$!
  until curl -sf 127.0.0.1:18591/actuator/health/readiness > /dev/null; do sleep 0.02; done
  echo "$label ready_ms=$(( ($(date +%s%N)-start)/1000000 ))"
  kill $pid; wait $pid 2>/dev/null || true
}
ready first-start $W/data java -jar $JAR > /dev/null   # the warm data dir's initdb, not reported
for round in 1 2 3; do
  ready "warm fat-jar" $W/data java -Xmx1g -jar $JAR
  ready "warm extracted" $W/data java -Xmx1g -jar $W/app/punctual-0.1.0-SNAPSHOT.jar
  ready "warm bin/punctual" $W/data bin/punctual $JAR
done
for round in 1 2 3; do
  ready "fresh fat-jar" $W/fresh-a-$round java -Xmx1g -jar $JAR
  ready "fresh bin/punctual" $W/fresh-b-$round bin/punctual $JAR
done
