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
# /usr/bin/chromium), JAVA (default java); ASAN_OPTIONS and the like reach
# the server. Works with Node 18.20 and later: the test files are listed
# here, since `node --test` globs differ between versions. Exit status is
# non-zero when any test failed, was cancelled, or node did not finish.

set -u
cd "$(dirname "$0")/.." || exit 2

NODE=${NODE:-node}
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

tap=$(mktemp "${TMPDIR:-/tmp}/gazette-node-tests.XXXXXX") || exit 2
trap 'rm -f "$tap"' EXIT
trap 'exit 130' INT TERM

# The outer timeout only stops a wedged run; tests have their own limits.
# shellcheck disable=SC2086
timeout --kill-after=30 1800 "$NODE" --test \
	--test-reporter=spec --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$tap" \
	$files
rc=$?

count() { sed -n "s/^# $1 \([0-9][0-9]*\)\$/\1/p" "$tap" | tail -n 1; }
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
