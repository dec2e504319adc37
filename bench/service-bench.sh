#!/usr/bin/env bash
# The service as users run it (issue 11): the jar on its embedded PostgreSQL and on the loopback
# server, jobs created through the API ahead of their time, delivered over HTTP to a target in
# another process and measured there; the engine bench's figures beside it in the same run, and
# the ratios between them. See ServiceBench's javadoc for each measurement.
#
# Usage: bench/service-bench.sh suite [quick|full]        everything (quick: ~10 min; full: ~45 min)
#        bench/service-bench.sh burst embedded|server N   one measurement alone
#        bench/service-bench.sh steady embedded|server RATE COLD_S WARM_S [fresh|restart]
#        bench/service-bench.sh api embedded|server SECONDS
#        bench/service-bench.sh ready embedded|server
# The engine bench's database: BENCH_DATABASE_URL (default: the loopback server's punctual_bench).
# Extra JVM options for the service: BENCH_SERVICE_OPTS (e.g. a JFR recording).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -ntp install -DskipTests -Dspotless.check.skip=true
./mvnw -B -q -ntp -f bench/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
java -Xmx1g -cp "$CP" dev.punctual.bench.ServiceBench "${@:-suite}"
