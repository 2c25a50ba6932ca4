#!/bin/sh
# run-node-tests.sh - runs the HTTP and browser tests (node --test) and ends
# with one line the Makefile adds to the C tests' counts:
#
#     node: N passed, N failed
#
# Usage: scripts/run-node-tests.sh [DIR|FILE...]    default: tests/http tests/e2e
#
# Environment: GAZETTE_BIN (absolute path of the binary under test, default
# <repo>/build/gazette), NODE (default node), CHROMIUM_PATH (default
# /usr/bin/chromium), JAVA (default java), NODE_TEST_JOBS (HTTP test files
# run side by side, default 2); ASAN_OPTIONS and the like reach
# the server. Works with Node 18.20 and later: the test files are listed
# here, since `node --test` globs differ between versions. Exit status is
# non-zero when any test failed, was cancelled, or node did not finish.

set -u
cd "$(dirname "$0")/.." || exit 2

NODE=${NODE:-node}

# run TAP FILE...: one node --test over the files, its spec report on
# stdout, its TAP in TAP; returns node's exit status.
run() {
	out=$1
	shift
	# The outer timeout only stops a wedged run; tests have their own
	# limits.
	timeout --kill-after=30 1800 "$NODE" --test \
		--test-reporter=spec --test-reporter-destination=stdout \
		--test-reporter=tap --test-reporter-destination="$out" \
		"$@"
}

if [ "${1:-}" = --one ]; then
	# Internal, for the parallel runs below: one file, its report kept
	# in $2/NAME.out and printed whole when the file is done, so that
	# files running side by side never interleave their lines.
	name=$(echo "$3" | tr '/.' '__')
	run "$2/$name.tap" "$3" >"$2/$name.out" 2>&1
	echo $? >"$2/$name.rc"
	cat "$2/$name.out"
	exit 0
fi

[ $# -gt 0 ] || set -- tests/http tests/e2e

files=
for arg in "$@"; do
	if [ -d "$arg" ]; then
		files="$files $(find "$arg" -name '*.test.mjs' -type f | sort | tr '\n' ' ')"
	elif [ -f "$arg" ]; then
		files="$files $arg"
	else
		echo "run-node-tests: no such file or directory: $arg" >&2
		exit 2
	fi
done
if [ -z "$(echo $files)" ]; then
	echo "run-node-tests: no *.test.mjs files in: $*" >&2
	exit 2
fi
case "$files" in
*tests/e2e/*)
	if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/vnu-jar ]; then
		echo "run-node-tests: node_modules is missing: run 'npm ci --ignore-scripts' first" >&2
		exit 2
	fi
	;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/gazette-node-tests.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The HTTP tests spend much of their time waiting on a server (a
# deadline, a trickling client, a SIGKILL's restart), and Node 18's
# `node --test` runs one file at a time on two cores (it has no
# --test-concurrency): NODE_TEST_JOBS of those files (default 2) run side
# by side, each in a node of its own. The browser tests (tests/e2e) run
# after them, together in one node, since each already drives Chromium's
# several processes.
jobs=${NODE_TEST_JOBS:-2}
side=
together=
for f in $files; do
	case $f in
	tests/e2e/* | */tests/e2e/*) together="$together $f" ;;
	*) side="$side $f" ;;
	esac
done
rc=0
if [ "$jobs" -le 1 ] || [ "$(echo $side | wc -w)" -le 1 ]; then
	together="$side $together"
	side=
fi
if [ -n "$side" ]; then
	# shellcheck disable=SC2086 # the file names have no spaces
	printf '%s\n' $side | xargs -P "$jobs" -I FILE \
		"$(pwd)/scripts/run-node-tests.sh" --one "$work" FILE
	for f in $side; do
		name=$(echo "$f" | tr '/.' '__')
		r=$(cat "$work/$name.rc" 2>/dev/null || echo 1)
		[ "$r" -eq 0 ] || rc=$r
		[ -f "$work/$name.tap" ] || {
			echo "run-node-tests: $f: node --test did not finish" >&2
			echo "# fail 1" >"$work/$name.tap"
		}
	done
fi
if [ -n "$(echo $together)" ]; then
	# shellcheck disable=SC2086
	run "$work/together.tap" $together
	r=$?
	[ "$r" -eq 0 ] || rc=$r
fi

# The sum of one counter over every TAP file, or nothing when a run did
# not reach its summary.
count() {
	total=0
	for t in "$work"/*.tap; do
		n=$(sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$t" | tail -n 1)
		if [ -z "$n" ]; then
			case $1 in pass | fail) return ;; esac
			n=0
		fi
		total=$((total + n))
	done
	echo "$total"
}
pass=$(count pass)
fail=$(count fail)
cancelled=$(count cancelled)
skipped=$(count skipped)

if [ -z "$pass" ] || [ -z "$fail" ]; then
	echo "run-node-tests: node --test did not finish (exit status $rc)" >&2
	echo "node: ${pass:-0} passed, $(( ${fail:-0} + 1 )) failed"
	exit 1
fi
failed=$(( fail + ${cancelled:-0} ))
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1	# node failed outside any test: count it, never hide it
fi
[ "${skipped:-0}" -eq 0 ] || echo "node: $skipped skipped"
echo "node: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
