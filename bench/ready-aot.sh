#!/usr/bin/env bash
# Time to ready with Spring AOT beside class data sharing (issue 11: "CDS or Spring AOT, measure
# both"). Builds this checkout's HEAD (commit first) in a worktree of its own, as shipped and
# with Spring Boot's process-aot goal (profile aot), then, on one warm embedded data dir, three
# rounds alternated of: the fat jar as shipped; the AOT jar with -Dspring.aot.enabled=true;
# bin/punctual (CDS); and bin/punctual on the AOT jar with AOT on (CDS and AOT). The warm-ups are
# off (PUNCTUAL_ENGINE_WARM_UP_REQUESTS=0): the same seconds in every variant, they would hide the
# start itself. Last, the AOT jar started with DATABASE_URL set, to show what AOT fixes at build
# time. Usage: bench/ready-aot.sh   (about 6 minutes; works in /tmp/punctual-aot)
set -euo pipefail
cd "$(dirname "$0")/.."
W=/tmp/punctual-aot
PORT=18593
rm -rf $W && mkdir -p $W
git worktree add -q --detach $W/src HEAD
trap 'git worktree remove --force $W/src' EXIT
build() { # maven options...: builds the worktree's jar
  (cd $W/src && ./mvnw -B -q -ntp package -DskipTests -Dspotless.check.skip=true \
    -Dinvoker.skip=true "$@" > $W/build.log 2>&1)
}
build && cp $W/src/target/punctual-0.1.0-SNAPSHOT.jar $W/plain.jar
build -Paot && cp $W/src/target/punctual-0.1.0-SNAPSHOT.jar $W/aot.jar
unzip -l $W/aot.jar > $W/aot.list
grep -q __ApplicationContextInitializer $W/aot.list \
  || { echo "the aot jar has no AOT initializer; see $W/build.log" >&2; exit 1; }
export PUNCTUAL_ADMIN_KEY=aot-admin-key-1234 PUNCTUAL_CDS_DIR=$W/cds
export PUNCTUAL_ENGINE_WARM_UP_REQUESTS=0 SERVER_PORT=$PORT
await_ready() { # pid: waits until the node is ready (status 0) or its process ended (1)
  until curl -sf 127.0.0.1:$PORT/actuator/health/readiness > /dev/null; do
    kill -0 "$1" 2> /dev/null || return 1
    sleep 0.02
  done
}
stop() { # pid
  kill "$1" 2> /dev/null || true
  wait "$1" 2> /dev/null || true
}
ready() { # label, command...: starts on the warm data dir, prints the time to readiness
  local label=$1 start pid
  shift
  start=$(date +%s%N)
  PUNCTUAL_DATA_DIR=$W/data "$@" > $W/run.log 2>&1 &
  pid=$!
  await_ready $pid || { echo "$label did not start; see $W/run.log" >&2; exit 1; }
  echo "$label ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))"
  stop $pid
}
# The data dir's initdb, and each jar's CDS archive prepared, not reported.
ready prepare java -jar $W/plain.jar > /dev/null
JAVA_OPTS=-Xmx1g ready prepare bin/punctual $W/plain.jar > /dev/null
JAVA_OPTS="-Xmx1g -Dspring.aot.enabled=true" ready prepare bin/punctual $W/aot.jar > /dev/null
for round in 1 2 3; do
  ready "fat-jar" java -Xmx1g -jar $W/plain.jar
  ready "fat-jar-aot" java -Xmx1g -Dspring.aot.enabled=true -jar $W/aot.jar
  JAVA_OPTS=-Xmx1g ready "bin/punctual" bin/punctual $W/plain.jar
  JAVA_OPTS="-Xmx1g -Dspring.aot.enabled=true" ready "bin/punctual-aot" bin/punctual $W/aot.jar
done
# AOT decided the beans at build time, where DATABASE_URL was unset: what does the AOT jar do
# with DATABASE_URL set? (A database of its own on the loopback server, made empty first.)
psql -q -h 127.0.0.1 -U postgres -c "drop database if exists punctual_aot" \
  -c "create database punctual_aot"
DATABASE_URL=postgresql://postgres@127.0.0.1:5432/punctual_aot \
  PUNCTUAL_DATA_DIR=$W/data java -Xmx1g -Dspring.aot.enabled=true -jar $W/aot.jar \
  > $W/url.log 2>&1 &
pid=$!
if ! await_ready $pid; then
  echo "aot-with-DATABASE_URL: did not start (see $W/url.log)"
elif grep -q "Embedded PostgreSQL started" $W/url.log; then
  echo "aot-with-DATABASE_URL: started the embedded database anyway (see $W/url.log)"
else
  echo "aot-with-DATABASE_URL: ready on the server"
fi
stop $pid
