#!/bin/sh
# bench.sh - `make bench`: gazette against nginx serving the same bytes,
# plus comments per second, memory, start-up and import speed. Prints one
# table and appends it to docs/benchmarks.md (see there for how to read it).
#
#   make bench           10,000 articles, wrk 3 rounds of 10 s per figure
#   make bench BIG=1     100,000 articles (memory and start-up at that size)
#   make bench QUICK=1   every step for a second or so on 200 articles: proves
#                        the benchmark runs end to end, judges no figure, and
#                        writes nothing to docs/
#   make bench PG=1      then the same site on PostgreSQL: one node, nginx
#                        balancing to one and to two nodes, Varnish with ESI
#                        in front (bench/pg.sh); QUICK=1 PG=1 is the short run
#   GAZETTE_BIN=PATH     benchmark that binary instead of building build-bench/
#
# Steps: build an optimised gazette (build-bench/), generate a site with
# bench/gen.c, time `gazette import`, serve it with a benchmarking config
# (post-moderation, no minimum fill time, trust_proxy so each post has its
# own address), post 50 comments to the bench article through the real form
# (bench/comments.c), save that page's bytes for nginx (with a .gz for
# gzip_static), then wrk both servers, alternating, and load the comment
# form. Every process and file it starts or makes is removed on exit,
# failure or interrupt included.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)

QUICK=${QUICK:-0}
BIG=${BIG:-0}
PG=${PG:-0}
# bench/bench.sh QUICK=1 works as make bench QUICK=1 does.
for arg in "$@"; do
	case $arg in
	QUICK=*) QUICK=${arg#QUICK=} ;;
	BIG=*) BIG=${arg#BIG=} ;;
	PG=*) PG=${arg#PG=} ;;
	*)
		echo "usage: $0 [QUICK=1] [BIG=1] [PG=1]" >&2
		exit 2
		;;
	esac
done
[ -n "$QUICK" ] || QUICK=0
[ -n "$BIG" ] || BIG=0
[ -n "$PG" ] || PG=0

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
	log "FAILED: $*"
	exit 1
}

if [ "$QUICK" != 0 ]; then
	articles=200
	wrk_secs=1
	rounds=1
	comment_secs=1
elif [ "$BIG" != 0 ]; then
	articles=100000
	wrk_secs=10
	rounds=3
	comment_secs=10
else
	articles=10000
	wrk_secs=10
	rounds=3
	comment_secs=10
fi

# ---- processes and files, and their cleanup ------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gazette-bench.XXXXXX")

# Stops the server whose pid is in file $1: TERM, then KILL after 5 s.
stop_pidfile() {
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	rm -f "$1"
	kill -TERM "$pid" 2>/dev/null || return 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	for f in "$tmp"/*.pid; do stop_pidfile "$f"; done
	if [ -s "$tmp/pg.dir" ]; then
		scripts/pg-test-server.sh stop "$(cat "$tmp/pg.dir")" >/dev/null 2>&1 || true
		rm -rf "$(cat "$tmp/pg.dir")"
	fi
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---- build ---------------------------------------------------------------

log "dependencies"
deps=bench
[ "$PG" = 0 ] || deps=bench-pg
scripts/install-deps.sh $deps || die "could not install the dependencies"
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
[ -x "$nginx_bin" ] || die "no nginx"

if [ -n "${GAZETTE_BIN:-}" ]; then
	log "using GAZETTE_BIN=$GAZETTE_BIN instead of building"
	gz=$GAZETTE_BIN
else
	log "building an optimised gazette in build-bench/"
	if [ ! -f build-bench/build.ninja ]; then
		meson setup build-bench --buildtype=release >"$tmp/meson.log" 2>&1 ||
			{ cat "$tmp/meson.log" >&2; die "meson setup build-bench"; }
	fi
	ninja -C build-bench gazette >"$tmp/ninja.log" 2>&1 ||
		{ cat "$tmp/ninja.log" >&2; die "ninja -C build-bench gazette"; }
	gz="$root/build-bench/gazette"
fi
[ -x "$gz" ] || die "no gazette binary at $gz"

cc=${CC:-cc}
cflags="-O2 -std=c11 -Wall -Wextra"
# $cc and $cflags are word lists: unquoted on purpose.
# shellcheck disable=SC2086
$cc $cflags -o "$tmp/gen" bench/gen.c || die "cc bench/gen.c"
# shellcheck disable=SC2086
$cc $cflags -pthread -o "$tmp/comments" bench/comments.c ||
	die "cc bench/comments.c"
# shellcheck disable=SC2086
$cc $cflags -o "$tmp/startup" bench/startup.c || die "cc bench/startup.c"

# ---- small helpers -------------------------------------------------------

now_ns() { date +%s%N; }

# The median of the numbers on stdin, one a line.
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }

# True when $1 is a number.
is_number() {
	case $1 in
	'' | *[!0-9.]* | *.*.*) return 1 ;;
	*) return 0 ;;
	esac
}

# awk arithmetic: calc EXPR [name=value...]
calc() {
	expr=$1
	shift
	awk "$@" "BEGIN { print ($expr) }"
}

# ---- site ----------------------------------------------------------------

log "generating $articles articles"
"$tmp/gen" "$tmp/data" "$articles" || die "bench/gen"

gport=$("$tmp/startup" --free-port) || die "no free port"
site="$tmp/site"
"$gz" init --site "$site" --title "The Bench Gazette" --timezone UTC \
	--base-url "http://127.0.0.1:$gport" --listen "127.0.0.1:$gport" \
	>/dev/null || die "gazette init"
conf="$site/gazette.conf"

# set_key KEY VALUE: sets a key that `gazette init` wrote (keys are unique
# across sections for the ones we set).
set_key() {
	grep -q "^$1 *=" "$conf" || die "gazette.conf has no key $1"
	sed -i "s|^$1 *=.*|$1 = $2|" "$conf"
}
set_key moderation post
set_key min_fill_seconds 0
set_key trust_proxy yes
set_key close_after_days 0

log "importing $articles articles"
find "$tmp/data/articles" -type f | sort >"$tmp/files"
t0=$(now_ns)
xargs -d '\n' "$gz" import --site "$site" <"$tmp/files" >"$tmp/import.log" 2>&1 ||
	{ tail -n 20 "$tmp/import.log" >&2; die "gazette import"; }
t1=$(now_ns)
imported=$(awk '{ n += $1 } END { print n + 0 }' "$tmp/import.log")
[ "$imported" -eq "$articles" ] ||
	{ tail -n 20 "$tmp/import.log" >&2; die "imported $imported of $articles"; }
import_rate=$(calc "n / ((b - a) / 1e9)" -v n="$articles" -v a="$t0" -v b="$t1")
"$gz" import --site "$site" "$tmp/data/bench.md" >"$tmp/import.log" 2>&1 ||
	{ cat "$tmp/import.log" >&2; die "gazette import bench.md"; }

# ---- gazette -------------------------------------------------------------

log "starting gazette serve"
"$tmp/startup" -p "$gport" -o "$tmp/gazette.pid" -t 120 -- \
	"$gz" serve --site "$site" >"$tmp/startup.out" 2>"$tmp/gazette.log" ||
	{ cat "$tmp/gazette.log" >&2; die "gazette serve did not answer /"; }
startup_ms=$(sed -n 's/^first 200 after: \([0-9.]*\) ms$/\1/p' "$tmp/startup.out")
gpid=$(cat "$tmp/gazette.pid")

headline="Council approves new river bridge after twenty years"
path=$(curl -s "http://127.0.0.1:$gport/" |
	sed -n "s|.*href=\"\(/news/[0-9]*/[^\"]*\)\">$headline<.*|\1|p" | head -n 1)
[ -n "$path" ] || die "the bench article is not on the front page"
log "bench article: $path"

log "posting 50 comments to it through the form"
"$tmp/comments" -p "$gport" -c 1 -n 50 -d 120 "$path" >"$tmp/seed.log" ||
	{ cat "$tmp/seed.log" >&2; die "could not post 50 comments"; }

mkdir -p "$tmp/www" "$tmp/nginx"
curl -s -o "$tmp/www/article.html" "http://127.0.0.1:$gport$path" ||
	die "curl $path"
grep -q 'Comments (50)' "$tmp/www/article.html" ||
	log "warning: the saved page does not say \"Comments (50)\""
gzip -9 -k "$tmp/www/article.html"
page_bytes=$(wc -c <"$tmp/www/article.html")
gz_bytes=$(wc -c <"$tmp/www/article.html.gz")

# ---- nginx ---------------------------------------------------------------

nport=$("$tmp/startup" --free-port) || die "no free port"
# As root the workers would switch to "nobody", who may not read a private
# temporary directory; as anyone else the user directive is not allowed.
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;"
cat >"$tmp/nginx/nginx.conf" <<EOF
$user_line
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	types { text/html html; }
	default_type application/octet-stream;
	charset utf-8;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 65;
	keepalive_requests 1000000000;
	gzip off;
	gzip_static on;
	server {
		listen 127.0.0.1:$nport;
		root $tmp/www;
		location / { }
	}
}
EOF
log "starting nginx"
"$tmp/startup" -p "$nport" -u /article.html -o "$tmp/nginx.pid" -t 30 -- \
	"$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" \
	-e "$tmp/nginx/error.log" >/dev/null 2>"$tmp/nginx.log" ||
	{ cat "$tmp/nginx.log" "$tmp/nginx/error.log" >&2 2>/dev/null; die "nginx did not start"; }

gurl="http://127.0.0.1:$gport$path"
nurl="http://127.0.0.1:$nport/article.html"

# The same bytes but for the CAPTCHA question and token of each response.
strip_captcha() {
	sed 's|name="token" value="[^"]*"|name="token"|; s|<span aria-hidden="true">[^<]*</span><span class="visually-hidden">[^<]*</span>||' "$1"
}
curl -s -o "$tmp/g.html" "$gurl"
curl -s -o "$tmp/n.html" "$nurl"
strip_captcha "$tmp/g.html" >"$tmp/g.strip"
strip_captcha "$tmp/n.html" >"$tmp/n.strip"
cmp -s "$tmp/g.strip" "$tmp/n.strip" ||
	log "warning: gazette's page and nginx's copy differ beyond the CAPTCHA"
nginx_enc=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$nurl" |
	tr -d '\r' | sed -n 's/^[Cc]ontent-[Ee]ncoding: *//p')
gazette_enc=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$gurl" |
	tr -d '\r' | sed -n 's/^[Cc]ontent-[Ee]ncoding: *//p')
[ "$nginx_enc" = gzip ] || die "nginx did not answer with gzip_static"

# ---- wrk -----------------------------------------------------------------

# run_wrk NAME URL [HEADER]: one wrk run; appends "rps p99ms" to $tmp/NAME.
run_wrk() {
	name=$1
	url=$2
	shift 2
	wrk -t2 -c64 -d"${wrk_secs}s" --latency "$@" "$url" >"$tmp/wrk.out" 2>&1 ||
		{ cat "$tmp/wrk.out" >&2; die "wrk $name"; }
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.out")
	p99=$(awk '$1 == "99%" {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000;
		else if (u == "m") v *= 60000
		print v }' "$tmp/wrk.out")
	bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$tmp/wrk.out")
	errs=$(sed -n 's/^ *Socket errors: //p' "$tmp/wrk.out")
	[ -z "$bad" ] || log "warning: $name: $bad responses were not 2xx/3xx"
	[ -z "$errs" ] || log "warning: $name: socket errors: $errs"
	if ! is_number "$rps" || ! is_number "$p99"; then
		cat "$tmp/wrk.out" >&2
		die "wrk $name gave no figures"
	fi
	echo "$rps $p99" >>"$tmp/$name"
	log "  $name: $rps req/s, p99 $p99 ms"
}

r=1
while [ $r -le $rounds ]; do
	log "wrk round $r of $rounds (${wrk_secs} s each)"
	run_wrk gazette_plain "$gurl"
	run_wrk nginx_plain "$nurl"
	run_wrk gazette_gzip "$gurl" -H 'Accept-Encoding: gzip'
	run_wrk nginx_gzip "$nurl" -H 'Accept-Encoding: gzip'
	r=$((r + 1))
done
med() { awk -v c="$2" '{ print $c }' "$tmp/$1" | median; }

# A cache miss: the first view after a change renders the page. A query
# the article page does not take whole (?reply=0) is never cached, so
# every view of it is rendered; one connection, so the mean latency is
# the time to render and send it.
log "cache miss: the article page rendered on every view, one connection"
wrk -t1 -c1 -d"${wrk_secs}s" --latency "$gurl?reply=0" >"$tmp/miss.out" 2>&1 ||
	{ cat "$tmp/miss.out" >&2; die "wrk miss"; }
miss_ms=$(awk '$1 == "Latency" {
	v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
	if (u == "us") v /= 1000; else if (u == "s") v *= 1000
	print v; exit }' "$tmp/miss.out")
log "  miss: $miss_ms ms a view"

# ---- comments, memory ----------------------------------------------------

log "comments: 32 connections for ${comment_secs} s"
"$tmp/comments" -p "$gport" -c 32 -d "$comment_secs" "$path" >"$tmp/comments.out" ||
	{ cat "$tmp/comments.out" >&2; die "no comment was acknowledged"; }
cat "$tmp/comments.out" >&2
comments_rate=$(sed -n 's/^comments\/s: //p' "$tmp/comments.out")

kill -0 "$gpid" 2>/dev/null || die "gazette is no longer running"
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$gpid/status")
rss_mb=$(calc "kb / 1024" -v kb="$rss_kb")

# ---- search ----------------------------------------------------------------

# Each kind of query, one connection, wrk's own percentiles: /search is
# never cached, so every request is an FTS5 query and a rendered page.
# The words are the generator's (bench/gen.c).
search_secs=$((wrk_secs < 5 ? wrk_secs : 5))
wrk_ms() { # wrk_ms PERCENT FILE: that percentile of a wrk --latency run, ms
	awk -v p="$1%" '$1 == p {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000
		print v; exit }' "$2"
}
search_rows=""
for kq in "one word|council" "one word|floods" "two words|budget+mayor" \
	"two words|school+board" "phrase|%22the+mayor%22" \
	"phrase|%22local+businesses%22" "prefix|counc*" "prefix|research*"; do
	kind=${kq%%|*}
	q=${kq#*|}
	wrk -t1 -c1 -d"${search_secs}s" --latency \
		"http://127.0.0.1:$gport/search?q=$q" >"$tmp/search.out" 2>&1 ||
		{ cat "$tmp/search.out" >&2; die "wrk search $q"; }
	p50=$(wrk_ms 50 "$tmp/search.out")
	p99=$(wrk_ms 99 "$tmp/search.out")
	is_number "$p50" && is_number "$p99" || die "search $q gave no figures"
	log "  search $q: p50 $p50 ms, p99 $p99 ms"
	search_rows="$search_rows$kind|$q|$p50|$p99
"
done

# ---- a sign-in flood -----------------------------------------------------

# Readers' article pages alone, then while wrk floods /admin/login with
# wrong passwords (bench/signin-flood.lua: every request one Argon2id
# verification, or a 503 once the hashing queue is full). Both at the same
# moderate load (one wrk thread, 16 connections), so the figures compare
# latency rather than who wins the two cores. The flood is bounded by its
# duration and its 16 connections, on loopback.
login_page=$(curl -s -D "$tmp/login.headers" "http://127.0.0.1:$gport/admin/login")
login_cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \(gz_login=[^;]*\).*/\1/p' "$tmp/login.headers" | tr -d '\r' | head -n 1)
login_csrf=$(printf '%s' "$login_page" | tr '<' '\n' |
	sed -n 's/.*name="csrf"[^>]*value="\([^"]*\)".*/\1/p; s/.*value="\([^"]*\)"[^>]*name="csrf".*/\1/p' | head -n 1)
[ -n "$login_cookie" ] && [ -n "$login_csrf" ] || die "no sign-in form at /admin/login"
flood_secs=$wrk_secs
r=1
while [ $r -le $rounds ]; do
	log "sign-in flood round $r of $rounds (${flood_secs} s each)"
	wrk -t1 -c16 -d"${flood_secs}s" --latency "$gurl" >"$tmp/calm.out" 2>&1 ||
		{ cat "$tmp/calm.out" >&2; die "wrk calm"; }
	GZ_LOGIN_COOKIE=$login_cookie GZ_LOGIN_CSRF=$login_csrf \
		GZ_ORIGIN="http://127.0.0.1:$gport" \
		wrk -t1 -c16 -d"$((flood_secs + 2))s" -s bench/signin-flood.lua \
		"http://127.0.0.1:$gport/admin/login" >"$tmp/flood.out" 2>&1 &
	flood_pid=$!
	sleep 1
	wrk -t1 -c16 -d"${flood_secs}s" --latency "$gurl" >"$tmp/stormy.out" 2>&1 ||
		{ cat "$tmp/stormy.out" >&2; die "wrk under the flood"; }
	wait "$flood_pid" || { cat "$tmp/flood.out" >&2; die "wrk flood"; }
	for k in calm stormy; do
		echo "$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/$k.out") $(wrk_ms 50 "$tmp/$k.out") $(wrk_ms 99 "$tmp/$k.out")" >>"$tmp/$k"
	done
	flood_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$tmp/flood.out")
	echo "$flood_rps" >>"$tmp/flood"
	log "  readers alone: $(tail -n 1 "$tmp/calm")  under the flood: $(tail -n 1 "$tmp/stormy")  (req/s p50 p99); sign-ins: $flood_rps/s"
	r=$((r + 1))
done
calm_rps=$(med calm 1); calm_p50=$(med calm 2); calm_p99=$(med calm 3)
storm_rps=$(med stormy 1); storm_p50=$(med stormy 2); storm_p99=$(med stormy 3)
flood_rate=$(median <"$tmp/flood")
kill -0 "$gpid" 2>/dev/null || die "gazette is no longer running after the flood"

# ---- the table -----------------------------------------------------------

gp_rps=$(med gazette_plain 1)
np_rps=$(med nginx_plain 1)
gp_p99=$(med gazette_plain 2)
np_p99=$(med nginx_plain 2)
gg_rps=$(med gazette_gzip 1)
ng_rps=$(med nginx_gzip 1)
gg_p99=$(med gazette_gzip 2)
ng_p99=$(med nginx_gzip 2)

for v in "$gp_rps" "$np_rps" "$gp_p99" "$np_p99" "$gg_rps" "$ng_rps" \
	"$gg_p99" "$ng_p99" "$comments_rate" "$rss_mb" "$startup_ms" \
	"$import_rate" "$miss_ms"; do
	is_number "$v" || die "a step gave no number (\"$v\")"
done

[ "$PG" = 0 ] || . bench/pg.sh

size=$(calc "n" -v n="$articles" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta')
table="$tmp/table"
{
	echo "| figure | gazette | nginx | ratio | target | met |"
	echo "| --- | ---: | ---: | ---: | --- | --- |"
	# row FIGURE GAZETTE NGINX RATIO TARGET MET
	row() { echo "| $1 | $2 | $3 | $4 | $5 | $6 |"; }
	# QUICK runs judge nothing: their "met" column is "-".
	yes_no() {
		if [ "$QUICK" != 0 ]; then echo "-"; else
			calc "($1) ? \"yes\" : \"no\"" -v x="$2"
		fi
	}

	ratio=$(calc "sprintf(\"%.2f\", g / n)" -v g="$gp_rps" -v n="$np_rps")
	row "article page, plain (req/s)" "$(calc "sprintf(\"%.0f\", x)" -v x="$gp_rps")" \
		"$(calc "sprintf(\"%.0f\", x)" -v x="$np_rps")" "$ratio" ">= 0.9 x nginx" \
		"$(yes_no "x >= 0.9" "$ratio")"
	ratio=$(calc "sprintf(\"%.2f\", g / n)" -v g="$gg_rps" -v n="$ng_rps")
	row "article page, gzip (req/s)" "$(calc "sprintf(\"%.0f\", x)" -v x="$gg_rps")" \
		"$(calc "sprintf(\"%.0f\", x)" -v x="$ng_rps")" "$ratio" \
		">= 0.9 x nginx gzip_static" "$(yes_no "x >= 0.9" "$ratio")"
	ratio=$(calc "sprintf(\"%.2f\", g / n)" -v g="$gp_p99" -v n="$np_p99")
	row "p99 latency, plain (ms)" "$(calc "sprintf(\"%.2f\", x)" -v x="$gp_p99")" \
		"$(calc "sprintf(\"%.2f\", x)" -v x="$np_p99")" "$ratio" "<= 2 x nginx" \
		"$(yes_no "x <= 2" "$ratio")"
	ratio=$(calc "sprintf(\"%.2f\", g / n)" -v g="$gg_p99" -v n="$ng_p99")
	row "p99 latency, gzip (ms)" "$(calc "sprintf(\"%.2f\", x)" -v x="$gg_p99")" \
		"$(calc "sprintf(\"%.2f\", x)" -v x="$ng_p99")" "$ratio" "<= 2 x nginx" \
		"$(yes_no "x <= 2" "$ratio")"
	row "cache miss: article page rendered (ms a view, $size articles)" \
		"$(calc "sprintf(\"%.2f\", x)" -v x="$miss_ms")" "-" "-" "< 5 ms" \
		"$(yes_no "x < 5" "$miss_ms")"
	row "durable comments (per s, 32 connections)" \
		"$(calc "sprintf(\"%.0f\", x)" -v x="$comments_rate")" "-" "-" ">= 2,000/s" \
		"$(yes_no "x >= 2000" "$comments_rate")"
	row "memory after the load, VmRSS (MB, $size articles)" \
		"$(calc "sprintf(\"%.1f\", x)" -v x="$rss_mb")" "-" "-" "<= 64 MB" \
		"$(yes_no "x <= 64" "$rss_mb")"
	row "start-up to first 200 of / (ms, $size articles)" \
		"$(calc "sprintf(\"%.0f\", x)" -v x="$startup_ms")" "-" "-" "< 200 ms" \
		"$(yes_no "x < 200" "$startup_ms")"
	row "import (articles/s)" "$(calc "sprintf(\"%.0f\", x)" -v x="$import_rate")" \
		"-" "-" ">= 5,000/s" "$(yes_no "x >= 5000" "$import_rate")"
	row "article page alone, 16 connections (req/s; p50 / p99 ms)" \
		"$(calc "sprintf(\"%.0f; %.2f / %.2f\", a, b, c)" -v a="$calm_rps" -v b="$calm_p50" -v c="$calm_p99")" \
		"-" "-" "-" "-"
	ratio=$(calc "sprintf(\"%.2f\", g / n)" -v g="$storm_p99" -v n="$calm_p99")
	row "same, under a sign-in flood of $(calc "sprintf(\"%.0f\", x)" -v x="$flood_rate")/s (req/s; p50 / p99 ms)" \
		"$(calc "sprintf(\"%.0f; %.2f / %.2f\", a, b, c)" -v a="$storm_rps" -v b="$storm_p50" -v c="$storm_p99")" \
		"-" "$ratio" "p99 <= 2 x alone" "$(yes_no "x <= 2" "$ratio")"
	printf '%s' "$search_rows" | while IFS='|' read -r kind q p50 p99; do
		[ -n "$kind" ] || continue
		row "search, $kind \`$(echo "$q" | sed 's/%22/"/g; s/+/ /g')\` (p50 / p99 ms)" \
			"$(calc "sprintf(\"%.2f / %.2f\", a, b)" -v a="$p50" -v b="$p99")" \
			"-" "-" "p99 < 10 ms" "$(yes_no "x < 10" "$p99")"
	done
} >"$table"

notes="Article page: $page_bytes bytes ($gz_bytes gzipped), 50 comments;"
notes="$notes gazette answered Accept-Encoding: gzip with"
notes="$notes ${gazette_enc:-an uncompressed page}. wrk -t2 -c64 -d${wrk_secs}s,"
notes="$notes median of $rounds alternating round(s)."
[ "$BIG" != 0 ] || [ "$QUICK" != 0 ] ||
	notes="$notes Memory and start-up at 10,000 articles (BIG=1 for 100,000)."

if [ "$PG" != 0 ]; then
	{
		echo
		echo "| on PostgreSQL | gazette | on SQLite above | nginx | ratio |"
		echo "| --- | ---: | ---: | ---: | --- |"
		cat "$tmp/pg_rows"
	} >>"$table"
	notes="$notes PostgreSQL: $pg_notes"
fi

echo
cat "$table"
echo
echo "$notes"

if [ "$QUICK" != 0 ]; then
	echo
	echo "QUICK=1: every step ran and gave a number; these figures are not"
	echo "measurements and are not judged or written to docs/benchmarks.md."
	exit 0
fi

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit="$commit (with uncommitted changes)"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
{
	echo
	echo "### $(date -u '+%Y-%m-%d %H:%M UTC'), $size articles"
	echo
	echo "Commit $commit; $(nproc) CPUs, ${cpu:-unknown CPU}."
	echo
	cat "$table"
	echo
	echo "$notes"
} >>docs/benchmarks.md
log "appended the table to docs/benchmarks.md"
