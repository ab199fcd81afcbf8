#!/usr/bin/env bash
# make test: go.mod tidiness, go vet, then every test with the race detector,
# against a real PostgreSQL (DATABASE_URL, or a throwaway cluster started here
# and removed afterwards) and Debian's Chromium for the browser tests.
#
#   scripts/test.sh                              everything, bench/ included
#   scripts/test.sh -run TestStore_CreateStory   go test arguments: the product's module only
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "test: Go is not installed (https://go.dev/doc/install)" >&2; exit 1; }

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "test: installing Debian's chromium for the browser tests..." >&2
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive sudo apt-get install -y -qq chromium >&2
	else
		echo "test: the browser tests need Chromium at $CHROMIUM. Install it with 'sudo apt-get install chromium' (or set CHROMIUM to its path)." >&2
		exit 1
	fi
fi
export CHROMIUM

if [ -z "${DATABASE_URL:-}" ]; then
	pgdir=$(mktemp -d /tmp/samizdat-test-pg.XXXXXX)
	chmod 755 "$pgdir" # as root, the cluster runs as 'postgres', which must reach it
	cleanup() { scripts/pg.sh stop "$pgdir/data"; rm -rf "$pgdir"; }
	trap cleanup EXIT
	DATABASE_URL=$(scripts/pg.sh start "$pgdir/data" "" fast)
	export DATABASE_URL
	echo "test: throwaway PostgreSQL at $DATABASE_URL" >&2
fi

# go.mod and go.sum must say exactly what the code imports, in both modules
# (the product, and the load tool in bench/ with its own go.mod).
echo "test: checking that go.mod is tidy in . and bench/..." >&2
go mod tidy -diff || { echo "test: run 'go mod tidy' and commit the result" >&2; exit 1; }
(cd bench && go mod tidy -diff) || { echo "test: run 'cd bench && go mod tidy' and commit the result" >&2; exit 1; }

echo "test: gofmt and go vet..." >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.data/*'))
[ -z "$unformatted" ] || { echo "test: not gofmt-clean (run 'make fmt'):" >&2; echo "$unformatted" >&2; exit 1; }
go vet ./...
(cd bench && go vet ./...)

# -bench . -benchtime 1x runs each micro-benchmark once, so they cannot rot.
echo "test: running every test with the race detector (several minutes on two cores)..." >&2
go test -race -count=1 -timeout 30m -bench . -benchtime 1x ./... "$@"

# The load tool's TestTiny runs each load benchmark once at a tiny size
# (make bench runs them for real). Skipped when arguments pick tests.
if [ $# -eq 0 ]; then
	echo "test: the load benchmarks at a tiny size (bench/)..." >&2
	(cd bench && go test -race -count=1 -timeout 10m ./...)
fi
echo "test: all passed" >&2
