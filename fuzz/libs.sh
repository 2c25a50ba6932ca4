# libs.sh - sourced by fuzz/build.sh and fuzz/replay.sh: the flags every
# fuzz target is compiled and linked with, and the list of targets.
#
# The targets link against libgazette-core.a, so they need the libraries
# the core links with (meson.build's deps); a static archive gives the
# linker only the objects a target reaches, but listing them all is
# simpler than tracking which. Debian ships no .pc file for the GFM
# extensions.
fuzz_targets=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' fuzz/targets)
fuzz_cflags="-g -O1 -std=c17 -D_GNU_SOURCE -Isrc -Ifuzz"
fuzz_libs="$(pkg-config --libs libmicrohttpd sqlite3 libsodium libcmark-gfm \
	jansson inih zlib libbrotlienc libbrotlidec liboath libqrencode vips) -lcmark-gfm-extensions \
	-lpthread -lm"
