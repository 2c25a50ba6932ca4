#!/bin/sh
# check-source.sh - refuses C functions we do not use (style.md, "Safety by
# construction"): unbounded copies and formats, and parsers without error
# reporting. Prints each use with file:line.
cd "$(dirname "$0")/.."
banned='\b(v?sprintf|strcpy|strcat|strncat|gets|atoi|atol|strtok)[[:space:]]*\('
if git ls-files 'src/*.c' 'src/*.h' 'tools/*.c' 'tests/unit/*.c' 'fuzz/*.c' |
	xargs grep -nE "$banned"; then
	echo "check-source: the functions above are not used in gazette (see docs/style.md)"
	exit 1
fi
# The manual page must format without warnings (where groff is there).
if command -v groff >/dev/null 2>&1 &&
	! groff -man -ww -z man/gazette.1; then
	echo "check-source: man/gazette.1 has groff warnings"
	exit 1
fi
echo "check-source: ok"
