#!/usr/bin/env bash
# make run: the publication with demo content at http://localhost:8080.
# Without DATABASE_URL it keeps a private PostgreSQL cluster in ./.data/pg,
# started here and stopped when you press Ctrl-C; what it saved stays for the
# next run.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "run: Go is not installed (https://go.dev/doc/install)" >&2; exit 1; }

mkdir -p .data
started_pg=""
if [ -z "${DATABASE_URL:-}" ]; then
	DATABASE_URL=$(scripts/pg.sh start .data/pg "${SAMIZDAT_PG_PORT:-}")
	export DATABASE_URL
	started_pg=1
fi
cleanup() {
	if [ -n "$started_pg" ]; then
		scripts/pg.sh stop .data/pg
		echo "run: PostgreSQL stopped; your data stays in .data/"
	fi
}
trap cleanup EXIT

export BASE_URL=${BASE_URL:-http://localhost:8080}
export LISTEN_ADDR=${LISTEN_ADDR:-127.0.0.1:8080}
export MEDIA_DIR=${MEDIA_DIR:-.data/media}
export FEDERATION_ALLOW_PRIVATE=${FEDERATION_ALLOW_PRIVATE:-true}
# Without an SMTP server, mails (the newsletter's confirmation links) go to the log.
export MAIL_LOG=${MAIL_LOG:-true}

# The first build downloads and compiles every dependency: minutes, with
# nothing else to show. Later builds take seconds.
echo "run: building samizdat (the first build takes a few minutes)..." >&2
scripts/build.sh .data/samizdat
echo "run: migrating the database and loading the demo publication..." >&2
.data/samizdat demo
echo "run: serving $BASE_URL (Ctrl-C stops)"
.data/samizdat serve &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' INT TERM
wait "$server" || true
wait "$server" 2>/dev/null || true
