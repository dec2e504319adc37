#!/usr/bin/env bash
# The engine bench suite (bench/run-suite.sh quick) of two commits, alternated A B A B in one run,
# so that a change is compared with what it changed on the same machine at the same time (these
# machines are noisy). Each commit is built in a worktree of its own; the result lines of each run
# are kept in bench/results/compare-<ref>-<n>.txt.
# Usage: bench/compare-refs.sh <before-ref> [after-ref, default HEAD] [rounds, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=$1
AFTER=${2:-HEAD}
ROUNDS=${3:-2}
WORK=$(mktemp -d /tmp/punctual-compare.XXXXXX)
trap 'git worktree prune; rm -rf "$WORK"' EXIT

build() { # ref dir: the service's classes jar into the local repository, then the bench project
  git worktree add -q --detach "$2" "$1"
  (cd "$2" && ./mvnw -B -q -ntp install -DskipTests -Dspotless.check.skip=true)
  (cd "$2" && ./mvnw -B -q -ntp -f bench/pom.xml package dependency:build-classpath \
     -Dspotless.check.skip=true -Dmdep.outputFile=target/classpath.txt)
}
run() { # dir label
  (cd "$1" && java -Xmx1g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
     dev.punctual.bench.Suite quick) | grep '^bench kind=' > "bench/results/compare-$2.txt"
  grep 'system=punctual' "bench/results/compare-$2.txt" | sed "s/^/$2 /"
}
# Both commits' classes jars have one coordinate in ~/.m2: each run follows its own build.
mkdir -p bench/results
for round in $(seq 1 "$ROUNDS"); do
  for side in before after; do
    ref=$BEFORE; [ "$side" = after ] && ref=$AFTER
    dir="$WORK/$side-$round"
    build "$ref" "$dir"
    run "$dir" "$side-$round"
    git worktree remove --force "$dir"
  done
done
