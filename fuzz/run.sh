#!/bin/sh
# run.sh - `make fuzz`: builds the libFuzzer targets (fuzz/build.sh) and
# runs each for FUZZ_SECONDS (default 60) on its seed corpus, one after
# another, under nice.
#
#   FUZZ_SECONDS=60 FUZZ_MERGE=0 fuzz/run.sh [TARGET...]
#
# New inputs libFuzzer finds go to build-fuzz/corpus/TARGET/, never to the
# committed corpus; FUZZ_MERGE=1 then merges into fuzz/corpus/TARGET/ only
# those that add coverage (keep each corpus under about 200 files). A
# crash, leak or timeout leaves its input in build-fuzz/artifacts/TARGET/:
# copy it into fuzz/TARGET/crashes/, where `make check` replays it from
# then on. Ends with "fuzz: N passed, N failed"; exits non-zero when a
# target found something.
set -u
cd "$(dirname "$0")/.."
. fuzz/libs.sh
[ $# -gt 0 ] && fuzz_targets=$*
build=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
merge=${FUZZ_MERGE:-0}
passed=0
failed=0

# shellcheck disable=SC2086
FUZZ_BUILD=$build fuzz/build.sh $fuzz_targets || exit 1

for t in $fuzz_targets; do
	corpus="$build/corpus/$t"
	art="$build/artifacts/$t"
	mkdir -p "$corpus" "$art"
	dict=""
	[ -f "fuzz/dict/$t.dict" ] && dict="-dict=fuzz/dict/$t.dict"
	crashes=""
	[ -d "fuzz/$t/crashes" ] && crashes="fuzz/$t/crashes"
	echo "== $t ($seconds s)"
	# The first directory receives new inputs; the others are read.
	# -timeout: one input running 10 s is a finding (nothing here should
	# take more than milliseconds). -rss_limit_mb bounds a runaway.
	# shellcheck disable=SC2086
	if ASAN_OPTIONS=detect_leaks=1 nice -n 19 "$build/fuzz/$t" \
		-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" $dict \
		"$corpus" "fuzz/corpus/$t" $crashes >"$build/$t.log" 2>&1; then
		passed=$((passed + 1))
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' \
			"$build/$t.log"
	else
		failed=$((failed + 1))
		echo "FAIL $t: see $build/$t.log; inputs:"
		ls "$art"
		grep -E -m 1 -A 30 'ERROR: |runtime error|==ERROR' \
			"$build/$t.log"
	fi
	if [ "$merge" = 1 ]; then
		nice -n 19 "$build/fuzz/$t" -merge=1 "fuzz/corpus/$t" \
			"$corpus" >"$build/$t.merge.log" 2>&1 ||
			echo "merge of $t failed: see $build/$t.merge.log"
	fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
