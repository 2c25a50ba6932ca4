#!/bin/sh
# install-deps.sh - installs the Debian 12 packages gazette needs, and only
# those that are missing.
#
#   scripts/install-deps.sh build   compiler, Meson and the libraries
#   scripts/install-deps.sh test    the above, plus what `make check` needs:
#                                   Node.js 18+, Java (Nu HTML Checker), Chromium,
#                                   promtool (prometheus), jing,
#                                   python3-feedparser, slowhttptest, valgrind,
#                                   libvips-tools, exiftool, postgresql,
#                                   varnish, varnish-modules and nginx
#   scripts/install-deps.sh bench   the build packages, plus what `make bench`
#                                   needs: nginx, wrk, curl
#   scripts/install-deps.sh bench-pg  bench's, plus what `make bench PG=1`
#                                   needs: postgresql, varnish, varnish-modules
#   scripts/install-deps.sh fuzz    the build packages, plus clang and its
#                                   libFuzzer runtime for `make fuzz`
#
# Runs as root, or through sudo. Never touches a package already installed.
set -eu

what=${1:-build}

build_pkgs="gcc make meson ninja-build pkg-config libmicrohttpd-dev
libsqlite3-dev libsodium-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
libjansson-dev libinih-dev libcmocka-dev zlib1g-dev libbrotli-dev tzdata
liboath-dev libqrencode-dev libvips-dev libpq-dev libcurl4-openssl-dev"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=""
for p in $build_pkgs; do
	installed "$p" || missing="$missing $p"
done

if [ "$what" = test ]; then
	# Node.js: any 18 or later will do, Debian's or another.
	if ! command -v node >/dev/null 2>&1 ||
	   [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 18 ]; then
		missing="$missing nodejs"
	fi
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
	command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
	[ -x /usr/bin/chromium ] || missing="$missing chromium"
	# xmllint checks that feeds are well-formed XML and validates the
	# sitemaps against their XSDs; jing validates Atom against RFC 4287's
	# RELAX NG schema; feedparser reads Atom and RSS as feed readers do.
	command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
	[ -x /usr/bin/jing ] || missing="$missing jing"
	installed python3-feedparser || missing="$missing python3-feedparser"
	# make check runs the HTTP tests once more under memcheck.
	command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
	# Some tests edit a site's database behind gazette's back.
	command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
	# promtool checks /metrics (tests/http/metrics.test.mjs).
	[ -x /usr/bin/promtool ] || missing="$missing prometheus"
	# The slow-clients test attacks a server with it.
	command -v slowhttptest >/dev/null 2>&1 || missing="$missing slowhttptest"
	# The photo tests make and inspect images: vips (the command) and
	# exiftool, which must find no EXIF, XMP or GPS in any variant.
	command -v vips >/dev/null 2>&1 || missing="$missing libvips-tools"
	command -v exiftool >/dev/null 2>&1 ||
		missing="$missing libimage-exiftool-perl"
	# The store suite and the many-node tests run on a PostgreSQL that
	# make check starts itself (scripts/pg-test-server.sh); the edge
	# tests put Varnish, with the xkey module, in front of gazette.
	[ -x /usr/lib/postgresql/15/bin/initdb ] || missing="$missing postgresql"
	[ -x /usr/sbin/varnishd ] || missing="$missing varnish"
	installed varnish-modules || missing="$missing varnish-modules"
	# The many-node and deploy/ tests balance the nodes with nginx.
	[ -x /usr/sbin/nginx ] || missing="$missing nginx"
	# The browser test renders Persian text: give Chromium a font for it.
	installed fonts-noto-core || missing="$missing fonts-noto-core"
elif [ "$what" = bench ] || [ "$what" = bench-pg ]; then
	# nginx serves the same bytes as gazette; wrk loads both; curl saves
	# the page. nginx lives in /usr/sbin, often not on a user's PATH.
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
		missing="$missing nginx"
	command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
	command -v curl >/dev/null 2>&1 || missing="$missing curl"
	command -v gzip >/dev/null 2>&1 || missing="$missing gzip"
	if [ "$what" = bench-pg ]; then
		# PG=1: nodes on a throwaway PostgreSQL, Varnish with xkey.
		[ -x /usr/lib/postgresql/15/bin/initdb ] || missing="$missing postgresql"
		[ -x /usr/sbin/varnishd ] || missing="$missing varnish"
		installed varnish-modules || missing="$missing varnish-modules"
	fi
elif [ "$what" = fuzz ]; then
	# libFuzzer ships with clang; Debian 12 puts its runtime in
	# libclang-rt-14-dev (clang 14).
	command -v clang >/dev/null 2>&1 || missing="$missing clang"
	installed libclang-rt-14-dev || missing="$missing libclang-rt-14-dev"
elif [ "$what" != build ]; then
	echo "usage: $0 build|test|bench|bench-pg|fuzz" >&2
	exit 2
fi

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-deps: these Debian packages are missing:$missing" >&2
	echo "install-deps: run this script as root, or install sudo" >&2
	exit 1
fi

echo "install-deps: installing$missing"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
