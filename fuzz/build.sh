#!/bin/sh
# build.sh - builds the libFuzzer targets with clang into build-fuzz/fuzz/.
#
#   fuzz/build.sh [TARGET...]      every target in fuzz/targets by default
#
# build-fuzz is a Meson build of its own, separate from build/ and
# build-asan/ (gcc, the default compiler, has no libFuzzer): the core
# library is compiled with ASan, UBSan and -fsanitize=fuzzer-no-link (the
# coverage instrumentation libFuzzer steers by, without libFuzzer's main),
# then each target is linked with -fsanitize=fuzzer,address,undefined.
# -Db_lundef=false because sanitizer runtimes leave symbols to the final
# link. Needs clang (scripts/install-deps.sh fuzz).
set -eu
cd "$(dirname "$0")/.."
. fuzz/libs.sh
[ $# -gt 0 ] && fuzz_targets=$*
build=${FUZZ_BUILD:-build-fuzz}
clang=${FUZZ_CC:-clang}

command -v "$clang" >/dev/null 2>&1 || {
	echo "fuzz: $clang is missing: run scripts/install-deps.sh fuzz" >&2
	exit 1
}
if [ ! -f "$build/build.ninja" ]; then
	CC=$clang meson setup "$build" --buildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all' \
		>/dev/null
fi
# Only the core and ingest libraries: the binaries and the unit tests
# are not needed.
ninja -C "$build" libgazette-core.a libgazette-ingest.a >/dev/null
mkdir -p "$build/fuzz"
for t in $fuzz_targets; do
	# shellcheck disable=SC2086
	$clang $fuzz_cflags -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer \
		"fuzz/$t.c" "$build/libgazette-ingest.a" "$build/libgazette-core.a" \
		$fuzz_libs \
		-o "$build/fuzz/$t"
	echo "built $build/fuzz/$t"
done
