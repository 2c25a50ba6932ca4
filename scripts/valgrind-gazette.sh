#!/bin/sh
# valgrind-gazette.sh - runs gazette under valgrind's memcheck: point
# GAZETTE_BIN at this script and every `gazette serve`, `demo` and
# `import` a test runs goes through memcheck (the other commands run the
# same binary natively; GAZETTE_VG_ALL=1: all of them), with no change to
# the test. scripts/run-valgrind-tests.sh uses it and reads the logs.
#
# Environment:
#   GAZETTE_VG_BIN     the binary to run (default <repo>/build-vg/gazette,
#                      a non-sanitized -O1 -g build: valgrind cannot run
#                      the ASan build, and the release build has no symbols)
#   GAZETTE_VG_LOGDIR  where each process writes vg.PID.log (default
#                      ${TMPDIR:-/tmp}/gazette-vg)
#   VALGRIND_OPTS      read by valgrind itself: extra options, for example
#                      --track-origins=yes while debugging a finding
#
# Invariants: stdout, stderr, the arguments and the exit status are
# gazette's, so tests read the same "listening on" line and statuses;
# valgrind writes only to its log file. An error, or a definite leak at
# exit, makes the exit status 99. A process stopped by SIGKILL writes no
# leak report, but the errors found before the kill are in its log.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
target=${GAZETTE_VG_BIN:-$root/build-vg/gazette}
logdir=${GAZETTE_VG_LOGDIR:-${TMPDIR:-/tmp}/gazette-vg}
mkdir -p "$logdir"

# libvips runs its vector code through orc, which compiles it at run time
# into anonymous memory memcheck cannot follow: every resize then reports
# reads of "uninitialised" and "invalid" bytes that are orc's own. With
# VIPS_NOVECTOR libvips takes its plain C paths, which memcheck sees.
export VIPS_NOVECTOR=1
# Which commands run under memcheck: serve and demo (the server, the
# long-lived process every reader's bytes reach) and import (the parser
# of the newsroom's files). The other commands (user, settings, comments,
# media, init, backup...) are short runs of code the server's paths and
# the unit tests share, already run under ASan and UBSan by the node
# tests; under memcheck each cost one to several seconds, hundreds of
# times, and kept make check over its 20 minutes. GAZETTE_VG_ALL=1 puts
# every command under memcheck, for a longer, deeper run.
case "${1:-}" in
serve | demo | import) ;;
*)
	if [ "${GAZETTE_VG_ALL:-0}" != 1 ]; then
		exec "$target" "$@"
	fi
	;;
esac
# --fair-sched=yes: valgrind runs one thread at a time; without it the
# HTTP worker threads can starve the thread that accepts connections.
exec valgrind --tool=memcheck \
	--error-exitcode=99 \
	--leak-check=full --show-leak-kinds=definite \
	--errors-for-leak-kinds=definite \
	--num-callers=30 --fair-sched=yes \
	--trace-children=no --child-silent-after-fork=yes \
	--suppressions="$root/scripts/valgrind.supp" \
	--log-file="$logdir/vg.%p.log" \
	"$target" "$@"
