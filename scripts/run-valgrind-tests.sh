#!/bin/sh
# run-valgrind-tests.sh - runs the HTTP tests with every gazette server
# and import under valgrind's memcheck (scripts/valgrind-gazette.sh says
# which commands, and why), then reads the memcheck logs. One result per test file: it passes when its node tests
# pass and none of the gazette processes it ran had a memcheck error or a
# definite leak. Ends with one line make check adds to its counts:
#
#     valgrind: N passed, N failed
#
# Usage: scripts/run-valgrind-tests.sh [FILE...]   default: tests/http/*.test.mjs
#
# Environment: GAZETTE_VG_BIN (default <repo>/build-vg/gazette, which must
# be built without sanitizers), GAZETTE_TEST_SLOW (default 10: the tests'
# bounded waits are multiplied by it, tests/lib/gazette.mjs), and what
# scripts/run-node-tests.sh reads. Each offending log is printed whole.
set -u
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)

export GAZETTE_VG_BIN="${GAZETTE_VG_BIN:-$root/build-vg/gazette}"
export GAZETTE_TEST_SLOW="${GAZETTE_TEST_SLOW:-10}"
if [ ! -x "$GAZETTE_VG_BIN" ]; then
	echo "run-valgrind-tests: $GAZETTE_VG_BIN is not built" >&2
	echo "valgrind: 0 passed, 1 failed"
	exit 1
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "run-valgrind-tests: valgrind is not installed" \
		"(scripts/install-deps.sh test)" >&2
	echo "valgrind: 0 passed, 1 failed"
	exit 1
fi

# The files that take longest under memcheck start first (measured at
# 3b75436: cache 240 s, comments 187 s, crash 112 s, ... most others
# under 40 s), so that no long one starts last while the other cores
# idle; then the rest, in name order. A name here that is gone is
# skipped.
slow_first="cache comments crash media-cli cli slow-clients import-limits
embargo sitemaps"
if [ $# -eq 0 ]; then
	first=""
	for n in $slow_first; do
		[ -f "tests/http/$n.test.mjs" ] && first="$first tests/http/$n.test.mjs"
	done
	rest=""
	for f in $(find tests/http -name '*.test.mjs' -type f | sort); do
		case "$first " in
		*" $f "*) ;;
		*) rest="$rest $f" ;;
		esac
	done
	# shellcheck disable=SC2086 # the file names have no spaces
	set -- $first $rest
fi

# A log is bad when memcheck counted errors at exit (definite leaks count
# too: --errors-for-leak-kinds=definite), or, for a process killed before
# its summary, when it holds the first line of any memcheck error report;
# or when a signal's default action ended the process: always for a crash
# (SIGSEGV, SIGABRT, ...), and for SIGINT and SIGTERM when the command
# was serve or demo, which must stop cleanly on them; another command may
# die of them, and SIGHUP is left to the tests. (SIGKILL leaves no line.)
bad_log() {
	n=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$1" | tail -n 1)
	[ -n "$n" ] && [ "$n" -gt 0 ] && return 0
	grep -Eq '^==[0-9]+== (Invalid (read|write|free|alignment)|Mismatched (free|new|delete)|Conditional jump or move depends|Use of uninitialised value|Syscall param|Source and destination overlap|Argument .* of function .* has a fishy value|Jump to the invalid address|[0-9,]+ bytes in [0-9,]+ blocks are definitely lost)' "$1" &&
		return 0
	grep -Eq '^==[0-9]+== Process terminating with default action of signal' "$1" ||
		return 1
	grep -Eq '^==[0-9]+== Process terminating with default action of signal (1|2|15) ' "$1" ||
		return 0
	grep -Eq '^==[0-9]+== Process terminating with default action of signal (2|15) ' "$1" ||
		return 1
	grep -Eq '^==[0-9]+== Command: [^ ]+ (serve|demo)( |$)' "$1"
}

# Runs the test file $1 with its own log directory; leaves its node output
# in $work/NAME.out and a one-line verdict in $work/NAME.verdict, which it
# also prints.
one() {
	f=$1
	name=$(echo "$f" | tr '/.' '__')
	logs="$work/$name"
	mkdir -p "$logs"
	# A test may run gazette as another user (database-errors runs it as
	# nobody, for whom a chmod 000 file is really unreadable): its
	# memcheck must be able to write its log too, as in /tmp.
	chmod 1777 "$logs"
	start=$(date +%s)
	GAZETTE_BIN="$root/scripts/valgrind-gazette.sh" GAZETTE_VG_LOGDIR="$logs" \
		scripts/run-node-tests.sh "$f" >"$work/$name.out" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	nlogs=0
	nbad=0
	: >"$work/$name.bad"
	for l in "$logs"/vg.*.log; do
		[ -f "$l" ] || continue
		nlogs=$((nlogs + 1))
		if bad_log "$l"; then
			nbad=$((nbad + 1))
			echo "$l" >>"$work/$name.bad"
		fi
	done
	if [ $rc -eq 0 ] && [ $nbad -eq 0 ] && [ $nlogs -gt 0 ]; then
		echo "ok   $f: $nlogs gazette processes clean (${secs} s)"
	elif [ $rc -eq 0 ] && [ $nlogs -eq 0 ]; then
		# Only commands valgrind-gazette.sh runs natively.
		echo "ok   $f: no serve, demo or import in it (${secs} s)"
	else
		echo "FAIL $f: node exit $rc, $nbad of $nlogs gazette processes" \
			"with memcheck findings (${secs} s)"
	fi >"$work/$name.verdict"
	cat "$work/$name.verdict"
}

if [ "${1:-}" = --one ]; then
	# Internal: one file, for the parallel runs below.
	work=$2
	one "$3"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gazette-vg.XXXXXX") || exit 2
chmod 755 "$work" # see one(): a log may come from another user
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# memcheck runs a process's threads one at a time, so each server uses one
# core at most; and many of these tests spend much of their time waiting
# (a deadline, a scheduled time, a client trickling): GAZETTE_VG_JOBS
# files (default 3, on this project's 2-core machines) run side by side,
# so that a core is not left idle while one file waits.
printf '%s\n' "$@" | xargs -P "${GAZETTE_VG_JOBS:-3}" -I FILE \
	"$root/scripts/run-valgrind-tests.sh" --one "$work" FILE

passed=0
failed=0
for f in "$@"; do
	name=$(echo "$f" | tr '/.' '__')
	if [ ! -f "$work/$name.verdict" ]; then
		echo "FAIL $f: did not finish"
		failed=$((failed + 1))
		continue
	fi
	while read -r l; do
		echo "--- memcheck found something: $f, $(basename "$l")"
		cat "$l"
	done <"$work/$name.bad"
	if grep -q '^FAIL' "$work/$name.verdict"; then
		failed=$((failed + 1))
		if ! grep -q 'node exit 0,' "$work/$name.verdict"; then
			echo "--- the node tests of $f failed under valgrind:"
			cat "$work/$name.out"
		fi
		cat "$work/$name.verdict"
	else
		passed=$((passed + 1))
	fi
done

[ "$failed" -eq 0 ] || echo "run-valgrind-tests: again for one file:" \
	"scripts/run-valgrind-tests.sh tests/http/NAME.test.mjs" \
	"(VALGRIND_OPTS=--track-origins=yes to see where a value came from)"
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
