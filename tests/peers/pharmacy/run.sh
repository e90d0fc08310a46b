#!/usr/bin/env bash
# The stand-in e-pharmacy: HAPI FHIR's R4 server and validator (see README.md beside this file).
#   run.sh serve PORT     builds if needed, serves http://127.0.0.1:PORT/fhir (PORT 0: a free
#                         port), prints "READY http://127.0.0.1:PORT/fhir" on stdout once it
#                         answers; stops when stdin closes or on SIGTERM
#   run.sh parse FILE...  HAPI's JSON parser + R4 instance validator on each file: one JSON line
#                         each; exit 0 if no file had errors, 1 otherwise
#   run.sh build          only builds (e.g. to warm the cache before timed tests)
# Builds with Maven into <repo>/.cache (git-ignored): dependencies in .cache/m2, classes and the
# classpath in .cache/pharmacy-peer. The first build downloads from Maven Central; later runs
# do not touch the network. Exits 3 if the environment cannot be set up (no java/mvn, the build
# or a download failed), so a test can tell that from the pharmacy's own answers.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cache="$root/.cache/pharmacy-peer"
m2="$root/.cache/m2"
stamp="$cache/built"
classpath_file="$cache/classpath.txt"

say() { printf 'pharmacy: %s\n' "$*" >&2; }

# True if the last build is complete and newer than pom.xml and every source file.
built() {
    [[ -f $stamp && -s $classpath_file && -d $cache/build/classes ]] || return 1
    [[ -z $(find "$here/pom.xml" "$here/src" -newer "$stamp" -print -quit) ]] || return 1
    local jar
    while IFS= read -r -d: jar || [[ -n $jar ]]; do
        [[ -e $jar ]] || return 1 # .cache/m2 was cleaned
    done <"$classpath_file"
}

# Tests run in parallel: one builds while the others wait on the lock.
ensure_built() {
    mkdir -p "$cache" || return 3
    exec 8>"$cache.lock"
    flock 8
    if ! built; then
        command -v java >/dev/null && command -v mvn >/dev/null || { say "needs java and mvn"; return 3; }
        say "building (the first build downloads HAPI FHIR from Maven Central into .cache/m2)"
        rm -f "$stamp"
        mvn -B -q -Dstyle.color=never -f "$here/pom.xml" -Dmaven.repo.local="$m2" -Dpharmacy.build="$cache/build" \
            compile dependency:build-classpath -Dmdep.outputFile="$classpath_file" 2>&1 \
            | sed 's/\x1b\[[0-9;]*m//g' >&2 # Maven 3.8 prints colour resets even with -B
        [[ ${PIPESTATUS[0]} -eq 0 ]] || { say "build failed"; return 3; }
        touch "$stamp"
    fi
    flock -u 8
    exec 8>&-
}

run_java() {
    # Serial GC and a capped heap: the machine has 2 cores, and tests may run several pharmacies.
    exec java -XX:+UseSerialGC -Xmx768m -XX:TieredStopAtLevel=1 \
        -cp "$cache/build/classes:$(cat "$classpath_file")" org.regimen.pharmacy.Main "$@"
}

case "${1:-}" in
serve)
    [[ $# -eq 2 && $2 =~ ^[0-9]+$ ]] || { say "usage: run.sh serve PORT"; exit 2; }
    ensure_built || exit 3
    run_java serve "$2"
    ;;
parse)
    [[ $# -ge 2 ]] || { say "usage: run.sh parse FILE..."; exit 2; }
    shift
    ensure_built || exit 3
    run_java parse "$@"
    ;;
build)
    ensure_built || exit 3
    ;;
*)
    say "usage: run.sh serve PORT | run.sh parse FILE... | run.sh build"
    exit 2
    ;;
esac
