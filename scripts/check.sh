#!/bin/sh
# check.sh - `make check`: builds gazette three times (release with
# warnings as errors, with AddressSanitizer + UndefinedBehaviorSanitizer,
# and build-vg for valgrind), runs the source checks, the C unit tests
# under the sanitizers, the HTTP and browser tests against the sanitizer
# build, and the HTTP tests again with the server under valgrind
# memcheck. Ends with one line:
# "N passed, N failed". Exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
passed=0
failed=0
log=$(mktemp -d)
pgdir=""
# Stops the test PostgreSQL (if started) on every way out, signals too.
trap '[ -z "$pgdir" ] || scripts/pg-test-server.sh stop "$pgdir" >/dev/null 2>&1
	rm -rf "$log" $pgdir' EXIT
trap 'exit 1' HUP INT TERM

step() { printf '\n== %s\n' "$*"; }
pass() { passed=$((passed + $1)); }
fail() { failed=$((failed + $1)); }

step "dependencies"
scripts/install-deps.sh test || exit 1
if [ ! -f node_modules/.package-lock.json ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --ignore-scripts --no-audit --no-fund || exit 1
fi

step "build (release, warnings are errors)"
[ -f build/build.ninja ] || meson setup build --buildtype=release --werror >/dev/null || exit 1
ninja -C build || exit 1

step "build (AddressSanitizer, UndefinedBehaviorSanitizer)"
[ -f build-asan/build.ninja ] ||
	meson setup build-asan --buildtype=debug --werror \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all >/dev/null || exit 1
ninja -C build-asan || exit 1

step "build (for valgrind: no sanitizers, -O1 -g)"
[ -f build-vg/build.ninja ] ||
	meson setup build-vg --buildtype=debug -Doptimization=1 --werror \
		>/dev/null || exit 1
ninja -C build-vg gazette gazette-ingest || exit 1

step "source checks"
if scripts/check-source.sh; then pass 1; else fail 1; fi

step "PostgreSQL for the tests (scripts/pg-test-server.sh)"
# One server for the unit and node stages: GAZETTE_TEST_PG is its URL.
pgdir=$(mktemp -d)
if GAZETTE_TEST_PG=$(scripts/pg-test-server.sh start "$pgdir" 2>"$log/pg"); then
	export GAZETTE_TEST_PG
	echo "PostgreSQL: $GAZETTE_TEST_PG"
elif [ $? -eq 77 ]; then
	echo "PostgreSQL: skipped ($(tail -n 1 "$log/pg"))"
else
	echo "PostgreSQL: failed to start"
	cat "$log/pg"
	fail 1
fi

step "unit tests (cmocka, under the sanitizers)"
# unit LABEL TEST [VAR=VALUE...]: runs one cmocka executable with the
# variables given and counts its results under LABEL.
unit() {
	label=$1
	t=$2
	shift 2
	env CMOCKA_MESSAGE_OUTPUT=stdout GAZETTE_SOURCE_ROOT="$root" \
		GAZETTE_INGEST="$root/build-asan/gazette-ingest" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$@" \
		"$t" >"$log/$label" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$label" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$label" | tail -n 1)
	pass "${p:-0}"
	fail "${f:-0}"
	if [ $rc -ne 0 ]; then
		# A crash or a sanitizer report may end the run before cmocka
		# counts it: count the executable itself as one failure.
		[ -z "$f" ] && fail 1
		echo "FAIL $label (exit $rc)"
		cat "$log/$label"
	else
		echo "ok   $label: ${p:-0} passed"
	fi
}
for t in build-asan/tests/unit/test_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	unit "$(basename "$t")" "$t"
done

step "the store's unit tests again, on PostgreSQL (GAZETTE_TEST_STORE)"
# The same files, against the test server: one contract, two engines.
# Not the SQLite engine's own (sqlite, backup), nor those that already
# use PostgreSQL whatever the variable says (pg_*, migrate).
if [ -n "${GAZETTE_TEST_PG:-}" ]; then
	for t in build-asan/tests/unit/test_store_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		name=$(basename "$t")
		case $name in
		test_store_sqlite | test_store_backup | test_store_pg_* | \
		test_store_migrate) continue ;;
		esac
		unit "$name (postgresql)" "$t" GAZETTE_TEST_STORE=postgresql
	done
else
	echo "skipped: no PostgreSQL for the tests (see above)"
fi

step "fuzz corpora and crash regressions (replayed under the sanitizers)"
# One pass or fail per fuzz target; no clang needed (fuzz/replay.sh).
fuzz/replay.sh build-asan >"$log/fuzz" 2>&1
cat "$log/fuzz"
line=$(grep '^fuzz: [0-9]* passed, [0-9]* failed' "$log/fuzz" | tail -n 1)
if [ -n "$line" ]; then
	pass "$(echo "$line" | sed 's/^fuzz: \([0-9]*\) passed.*/\1/')"
	fail "$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')"
else
	echo "the fuzz replay did not finish"
	fail 1
fi

step "HTTP and browser tests (node --test, against the sanitizer build)"
GAZETTE_BIN="$root/build-asan/gazette" ASAN_OPTIONS=detect_leaks=0 \
	scripts/run-node-tests.sh 2>&1 | tee "$log/node"
line=$(grep '^node: [0-9]* passed, [0-9]* failed' "$log/node" | tail -n 1)
if [ -n "$line" ]; then
	pass "$(echo "$line" | sed 's/^node: \([0-9]*\) passed.*/\1/')"
	fail "$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')"
else
	echo "the node tests did not finish"
	fail 1
fi

step "HTTP tests with every gazette under valgrind memcheck (one result per file)"
# scripts/run-valgrind-tests.sh: zero memcheck errors, no definite leaks.
scripts/run-valgrind-tests.sh 2>&1 | tee "$log/vg"
line=$(grep '^valgrind: [0-9]* passed, [0-9]* failed' "$log/vg" | tail -n 1)
if [ -n "$line" ]; then
	pass "$(echo "$line" | sed 's/^valgrind: \([0-9]*\) passed.*/\1/')"
	fail "$(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')"
else
	echo "the valgrind run did not finish"
	fail 1
fi

step "benchmark, quick run (make bench QUICK=1: every step works, nothing judged)"
# With PostgreSQL here, its part too (PG=1 starts a server of its own).
bench="QUICK=1"
[ -z "${GAZETTE_TEST_PG:-}" ] || bench="QUICK=1 PG=1"
# $bench is two make arguments: unquoted on purpose.
# shellcheck disable=SC2086
if make --no-print-directory bench $bench >"$log/bench" 2>&1; then
	pass 1
	echo "ok   make bench $bench"
else
	fail 1
	echo "FAIL make bench $bench"
	cat "$log/bench"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
