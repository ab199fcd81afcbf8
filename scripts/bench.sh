#!/usr/bin/env bash
# make bench: build samizdat and its load tool, start a throwaway PostgreSQL
# with production settings (fsync and synchronous commit on: "durably stored"
# must mean it), run the benchmarks and write the results to
# bench/results.md, ready for the README.
#
#   scripts/bench.sh                          every benchmark at the default sizes
#   scripts/bench.sh -duration 10s pages      flags, then one of fanout, inbox, pages, all
#   BENCH_CPUPROFILE=1 scripts/bench.sh       also keep a CPU profile of each server run in bench/profiles/
#   BENCH_REPEAT=1 scripts/bench.sh           one run of each size instead of three
#
# Each size runs three times (the best and the worst throughput are
# reported): other work on the machine disturbs some runs more than others.
# BENCH_DATABASE_URL points the runs at another PostgreSQL server instead (one
# where they may create databases); DATABASE_URL is deliberately not used, so
# that a fast test cluster without fsync is never benchmarked by accident.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "bench: Go is not installed (https://go.dev/doc/install)" >&2; exit 1; }

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
	DATABASE_URL=$BENCH_DATABASE_URL
else
	pgdir=$(mktemp -d /tmp/samizdat-bench-pg.XXXXXX)
	chmod 755 "$pgdir" # as root, the cluster runs as 'postgres', which must reach it
	cleanup() { scripts/pg.sh stop "$pgdir/data"; rm -rf "$pgdir"; }
	trap cleanup EXIT
	DATABASE_URL=$(scripts/pg.sh start "$pgdir/data")
	echo "bench: throwaway PostgreSQL at $DATABASE_URL" >&2
fi
export DATABASE_URL

echo "bench: building samizdat and the load tool..." >&2
mkdir -p bin
scripts/build.sh bin/samizdat # OpenSSL's RSA, as make build
(cd bench && go build -o ../bin/samizdat-bench .)

args=(-repeat "${BENCH_REPEAT:-3}")
if [ -n "${BENCH_CPUPROFILE:-}" ]; then
	rm -rf bench/profiles
	args+=(-cpuprofile-dir bench/profiles)
fi
[ $# -gt 0 ] || set -- all
echo "bench: $(uptime)" >&2
echo "bench: running (about ten minutes; each run prints its progress)..." >&2
bin/samizdat-bench -bin bin/samizdat -out bench/results.md "${args[@]}" "$@"
echo "bench: results in bench/results.md" >&2
