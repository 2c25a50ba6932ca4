#!/bin/sh
# replay.sh - replays every fuzz target's seed corpus (fuzz/corpus/TARGET/)
# and its crash regressions (fuzz/TARGET/crashes/, when there are any)
# under AddressSanitizer and UndefinedBehaviorSanitizer, without libFuzzer:
# each target is linked with fuzz/replay_main.c and the core library of a
# sanitizer build, so any compiler will do (`make check` uses gcc's
# build-asan). One line per target, "ok" or "FAIL", then
# "fuzz: N passed, N failed"; exits non-zero when any failed.
#
#   fuzz/replay.sh [BUILD_DIR [TARGET...]]   BUILD_DIR defaults to build-asan
#
# BUILD_DIR must be a Meson build configured with
# -Db_sanitize=address,undefined whose libgazette-core.a is built.
set -u
cd "$(dirname "$0")/.."
build=${1:-build-asan}
[ $# -gt 0 ] && shift
. fuzz/libs.sh
[ $# -gt 0 ] && fuzz_targets=$*
cc=${CC:-cc}
core=$build/libgazette-core.a
ingest=$build/libgazette-ingest.a
out=$build/fuzz-replay
passed=0
failed=0

if [ ! -f "$core" ]; then
	echo "fuzz: $core is missing: build $build first" >&2
	exit 1
fi
mkdir -p "$out" || exit 1

for t in $fuzz_targets; do
	# shellcheck disable=SC2086
	if ! $cc $fuzz_cflags -fsanitize=address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer \
		fuzz/replay_main.c "fuzz/$t.c" "$ingest" "$core" $fuzz_libs \
		-o "$out/$t" >"$out/$t.log" 2>&1; then
		echo "FAIL $t (does not build)"
		cat "$out/$t.log"
		failed=$((failed + 1))
		continue
	fi
	dirs="fuzz/corpus/$t"
	[ -d "fuzz/$t/crashes" ] && dirs="$dirs fuzz/$t/crashes"
	# shellcheck disable=SC2086
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1 \
		"$out/$t" $dirs >"$out/$t.log" 2>&1; then
		n=$(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$out/$t.log")
		echo "ok   $t: $n inputs"
		passed=$((passed + 1))
	else
		echo "FAIL $t"
		# The input that failed is the last one named before the report.
		tail -n 60 "$out/$t.log"
		failed=$((failed + 1))
	fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
