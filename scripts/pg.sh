#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests, made from Debian's
# postgresql package (installed when missing and we are allowed to).
#
#   scripts/pg.sh start DIR [PORT] [fast]   init DIR if needed, start it, print DATABASE_URL
#   scripts/pg.sh stop DIR                  stop the cluster in DIR
#
# initdb refuses to run as root, so as root the cluster belongs to the
# 'postgres' system user; as anyone else it belongs to you.
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 1; }

bindir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir)
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	fi
	return 1
}

install_postgres() {
	local sudo=""
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo="sudo"
		else
			die "PostgreSQL server is not installed. Install it with 'sudo apt-get install postgresql' and run this again, or set DATABASE_URL to a PostgreSQL server (13 or newer) where you may create databases."
		fi
	fi
	echo "pg.sh: installing PostgreSQL from Debian's packages..." >&2
	# Debian's package would otherwise create and start a system-wide cluster we do not use.
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		$sudo mkdir -p /etc/postgresql-common
		echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
	fi
	$sudo apt-get update -qq >&2 || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2 || die "apt-get install postgresql failed"
}

# as_owner runs a command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$OWNER" -- "$@"
	else
		"$@"
	fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

setup() {
	BIN=$(bindir) || { install_postgres; BIN=$(bindir) || die "PostgreSQL binaries not found after installing"; }
	OWNER=$(id -un)
	if [ "$(id -u)" = 0 ]; then
		OWNER=postgres
		id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
	fi
}

start() {
	local dir=$1 port=${2:-} mode=${3:-}
	setup
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" = 0 ]; then
		chown "$OWNER" "$dir" && chmod 700 "$dir"
		as_owner test -w "$dir" || die "the '$OWNER' user cannot reach $dir: make its parent directories readable and searchable (chmod o+x), or set DATABASE_URL"
	fi
	if [ ! -f "$dir/PG_VERSION" ]; then
		echo "pg.sh: creating a PostgreSQL cluster in $dir..." >&2
		as_owner "$BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 ||
			{ cat "$dir.initdb.log" >&2; die "initdb failed"; }
		rm -f "$dir.initdb.log"
		{
			echo "listen_addresses = '127.0.0.1'"
			echo "unix_socket_directories = ''"
			echo "max_connections = 300"
			echo "shared_buffers = 128MB"
			if [ "$mode" = fast ]; then
				# A throwaway cluster for tests: durability buys nothing here.
				echo "fsync = off"
				echo "synchronous_commit = off"
				echo "full_page_writes = off"
			fi
		} | as_owner tee -a "$dir/postgresql.conf" >/dev/null
	fi
	if as_owner "$BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
		port=$(sed -n 4p "$dir/postmaster.pid")
	else
		local chosen="" tries=0
		if [ -z "$port" ]; then
			chosen=1
			port=54320
			while port_busy "$port"; do port=$((port + 1)); done
		elif port_busy "$port"; then
			die "port $port on 127.0.0.1 is in use by another program"
		fi
		echo "pg.sh: starting PostgreSQL on 127.0.0.1:$port..." >&2
		# A port found free can be taken by another cluster starting at the
		# same moment (parallel test runs): then the next one is tried.
		until as_owner "$BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null; do
			tries=$((tries + 1))
			if [ -n "$chosen" ] && [ "$tries" -lt 10 ] && grep -q "Address already in use" "$dir/server.log"; then
				: >"$dir/server.log"
				port=$((port + 1))
				while port_busy "$port"; do port=$((port + 1)); done
				echo "pg.sh: that port was taken meanwhile; starting on 127.0.0.1:$port..." >&2
				continue
			fi
			tail -20 "$dir/server.log" >&2
			die "PostgreSQL did not start (log above)"
		done
	fi
	local url="postgres://postgres@127.0.0.1:$port/samizdat?sslmode=disable"
	if ! "$BIN/psql" "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" -tAc "SELECT 1 FROM pg_database WHERE datname='samizdat'" | grep -q 1; then
		"$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres samizdat
	fi
	echo "$url"
}

stop() {
	local dir=$1
	setup
	[ -f "$dir/PG_VERSION" ] || return 0
	as_owner "$BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

case "${1:-}" in
start) shift; start "$@" ;;
stop) shift; stop "$@" ;;
*) die "usage: pg.sh start DIR [PORT] [fast] | stop DIR" ;;
esac
