#!/usr/bin/env bash
# Runs the side-by-side benchmarks (bench/pom.xml): Punctual's engine, db-scheduler and Quartz on
# the PostgreSQL server of BENCH_DATABASE_URL (default: the loopback server, database
# punctual_bench, created when missing). Writes bench/results/<mode>.txt, docs/bench/*.png and the
# suite's section of docs/benchmarks.md.
#
# Usage: bench/run-suite.sh [quick|full]   (quick: a few minutes; full: about half an hour)
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-quick}
# The service's classes (the "classes" jar) into the local repository, then the bench project.
./mvnw -B -q -ntp install -DskipTests -Dspotless.check.skip=true
./mvnw -B -q -ntp -f bench/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
java -Xmx1g -cp "$CP" dev.punctual.bench.Suite "$MODE"
