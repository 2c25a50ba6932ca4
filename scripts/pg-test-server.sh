#!/bin/sh
# pg-test-server.sh - a throwaway PostgreSQL for the tests (docs/store.md,
# "PostgreSQL in the tests").
#
#   scripts/pg-test-server.sh start DIR   initdb a cluster in DIR/data,
#                                         start it, print its URL (also
#                                         written to DIR/url)
#   scripts/pg-test-server.sh stop DIR    stop it (fast shutdown)
#   scripts/pg-test-server.sh crash DIR   stop it as a crash does
#                                         (immediate: no goodbye to the
#                                         clients, recovery at the next
#                                         start)
#   scripts/pg-test-server.sh resume DIR  start DIR's stopped cluster
#                                         again: same data, socket and
#                                         URL (a database restart, for
#                                         tests/http/nodes.test.mjs)
#
# DIR is a directory of the caller's (a mktemp -d); the server listens on a
# unix socket in DIR only (no TCP), keeps fsync on (the tests check
# durability) and small buffers. The database gazette_test (UTF-8, C.UTF-8:
# byte order as SQLite's) belongs to the role gazette, which signs in over
# the socket without a password. PostgreSQL refuses to run as root, so as
# root (CI) the cluster is the postgres user's, the one Debian's
# postgresql package makes. Exits 77 when PostgreSQL is not installed.
set -eu

usage() {
	echo "usage: $0 start|stop|crash|resume DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
[ -d "$dir" ] || { echo "$0: $dir is not a directory" >&2; exit 2; }
dir=$(cd "$dir" && pwd)

# The server's own binaries: pg_config's, else the newest Debian's.
bindir=""
for d in "$(pg_config --bindir 2>/dev/null || true)" \
	$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
	if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] &&
	   [ -x "$d/postgres" ]; then
		bindir=$d
		break
	fi
done
if [ -z "$bindir" ]; then
	echo "$0: PostgreSQL's server (initdb, pg_ctl, postgres) is not" \
		"installed (Debian: apt-get install postgresql)" >&2
	exit 77
fi

# as CMD...: runs CMD as the cluster's owner.
if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	id -u "$owner" >/dev/null 2>&1 || {
		echo "$0: running as root, but there is no postgres user to" \
			"run PostgreSQL as" >&2
		exit 77
	}
	as() { runuser -u "$owner" -- "$@"; }
else
	owner=$(id -un)
	as() { "$@"; }
fi

case $cmd in
start)
	[ ! -e "$dir/data" ] || { echo "$0: $dir/data exists" >&2; exit 1; }
	[ "$owner" = "$(id -un)" ] || chown "$owner" "$dir"
	as "$bindir/initdb" -D "$dir/data" -U "$owner" -E UTF8 \
		--locale=C.UTF-8 --auth-local=trust --auth-host=reject \
		>"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		exit 1
	}
	cat >>"$dir/data/postgresql.conf" <<-EOF
	listen_addresses = ''
	unix_socket_directories = '$dir'
	fsync = on
	synchronous_commit = on
	shared_buffers = 16MB
	max_connections = 50
	EOF
	as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
		start || {
		cat "$dir/server.log" >&2
		exit 1
	}
	as "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U "$owner" \
		-d postgres -c "CREATE ROLE gazette LOGIN" \
		-c "CREATE DATABASE gazette_test OWNER gazette" >/dev/null
	url="postgresql:///gazette_test?host=$dir&user=gazette"
	echo "$url" >"$dir/url"
	echo "$url"
	;;
stop)
	[ -d "$dir/data" ] || exit 0
	as "$bindir/pg_ctl" -D "$dir/data" -m fast -w -s stop
	;;
crash)
	[ -d "$dir/data" ] || exit 0
	as "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -s stop
	;;
resume)
	[ -d "$dir/data" ] && [ -f "$dir/url" ] ||
		{ echo "$0: no cluster in $dir (start it first)" >&2; exit 1; }
	as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
		start || {
		cat "$dir/server.log" >&2
		exit 1
	}
	cat "$dir/url"
	;;
*)
	usage
	;;
esac
