# pg.sh - the PostgreSQL part of `make bench PG=1`, sourced by bench.sh
# after the SQLite figures (it uses bench.sh's variables and helpers: $gz,
# $tmp, $root, $files, run_wrk, med, calc, die, log, wrk_secs, rounds).
#
# Steps: start a throwaway PostgreSQL (scripts/pg-test-server.sh), make a
# second site whose [store] url is that database, import the same articles
# into it, serve it from two gazette nodes (one site directory: the media
# and templates are files both read), post the same 50 comments, then wrk:
# one node alone; nginx balancing over one node, then over both; Varnish
# with ESI in front of a third node of the same database (esi = yes in its
# own site directory, so the first two keep their own page cache), and the
# article page's cache miss and durable comments on PostgreSQL. Appends
# table rows to $tmp/pg_rows; bench.sh prints them under SQLite's.
#
# The figures on this machine are one machine's: the nodes, nginx,
# Varnish, PostgreSQL and wrk share its cores, so two nodes compete with
# each other and with the load generator (docs/benchmarks.md says how to
# read them).

# Its own directory, not under $tmp: as root the cluster belongs to the
# postgres user, who may not enter bench.sh's private $tmp.
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/gazette-bench-pg.XXXXXX")
echo "$pg_dir" >"$tmp/pg.dir"	# cleanup stops it and removes it
log "PostgreSQL: starting a throwaway server (scripts/pg-test-server.sh)"
pg_url=$(scripts/pg-test-server.sh start "$pg_dir" 2>"$tmp/pg-start.log") ||
	{ cat "$tmp/pg-start.log" >&2; die "PostgreSQL did not start (PG=1)"; }

# pg_site DIR PORT ESI: a site on the bench database, listening on PORT.
pg_site() {
	"$gz" init --site "$1" --title "The Bench Gazette" --timezone UTC \
		--base-url "http://127.0.0.1:$2" --listen "127.0.0.1:$2" \
		>/dev/null || die "gazette init $1"
	c="$1/gazette.conf"
	# Values with & and / in them: awk, not sed's replacement.
	awk -v url="$pg_url" -v esi="$3" '
		/^\[store\]$/ { print; print "url = " url; next }
		/^moderation *=/ { print "moderation = post"; next }
		/^min_fill_seconds *=/ { print "min_fill_seconds = 0"; next }
		/^trust_proxy *=/ { print "trust_proxy = yes"; next }
		/^close_after_days *=/ { print "close_after_days = 0"; next }
		/^esi *=/ { print "esi = " esi; next }
		{ print }' "$c" >"$c.new" && mv "$c.new" "$c" ||
		die "could not write $c"
}

p1=$("$tmp/startup" --free-port) || die "no free port"
p2=$("$tmp/startup" --free-port) || die "no free port"
p3=$("$tmp/startup" --free-port) || die "no free port"
pg_site "$tmp/pgsite" "$p1" no
log "PostgreSQL: importing $articles articles"
t0=$(now_ns)
xargs -d '\n' "$gz" import --site "$tmp/pgsite" <"$tmp/files" >"$tmp/import.log" 2>&1 ||
	{ tail -n 20 "$tmp/import.log" >&2; die "gazette import (PostgreSQL)"; }
t1=$(now_ns)
pg_import_rate=$(calc "n / ((b - a) / 1e9)" -v n="$articles" -v a="$t0" -v b="$t1")
"$gz" import --site "$tmp/pgsite" "$tmp/data/bench.md" >"$tmp/import.log" 2>&1 ||
	{ cat "$tmp/import.log" >&2; die "gazette import bench.md (PostgreSQL)"; }

# Node 2 serves the same site directory on its own port (--listen).
log "PostgreSQL: starting two nodes"
"$tmp/startup" -p "$p1" -o "$tmp/pg1.pid" -t 120 -- \
	"$gz" serve --site "$tmp/pgsite" >/dev/null 2>"$tmp/pg1.log" ||
	{ cat "$tmp/pg1.log" >&2; die "node 1 on PostgreSQL did not answer /"; }
"$tmp/startup" -p "$p2" -o "$tmp/pg2.pid" -t 120 -- \
	"$gz" serve --site "$tmp/pgsite" --listen "127.0.0.1:$p2" >/dev/null 2>"$tmp/pg2.log" ||
	{ cat "$tmp/pg2.log" >&2; die "node 2 on PostgreSQL did not answer /"; }

log "PostgreSQL: posting 50 comments to $path through node 1"
"$tmp/comments" -p "$p1" -c 1 -n 50 -d 120 "$path" >"$tmp/seed.log" ||
	{ cat "$tmp/seed.log" >&2; die "could not post 50 comments (PostgreSQL)"; }
curl -s "http://127.0.0.1:$p2$path" | grep -q 'Comments (50)' ||
	log "warning: node 2's page does not say \"Comments (50)\""

# nginx balancing: one config per upstream list, on its own port.
# pg_lb NAME PORT...: starts nginx NAME in front of the given node ports.
pg_lb() {
	name=$1
	shift
	lport=$("$tmp/startup" --free-port) || die "no free port"
	mkdir -p "$tmp/$name"
	servers=""
	for p in "$@"; do servers="$servers server 127.0.0.1:$p;"; done
	cat >"$tmp/$name/nginx.conf" <<EOF
$user_line
worker_processes 1;
daemon off;
pid $tmp/$name/nginx.pid;
error_log $tmp/$name/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $tmp/$name/body;
	proxy_temp_path $tmp/$name/proxy;
	fastcgi_temp_path $tmp/$name/fastcgi;
	uwsgi_temp_path $tmp/$name/uwsgi;
	scgi_temp_path $tmp/$name/scgi;
	upstream gazette { $servers keepalive 64; }
	server {
		listen 127.0.0.1:$lport;
		location / {
			proxy_pass http://gazette;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$host;
			proxy_set_header X-Forwarded-For \$remote_addr;
			proxy_buffering on;
		}
	}
}
EOF
	"$tmp/startup" -p "$lport" -o "$tmp/$name.pid" -t 30 -- \
		"$nginx_bin" -p "$tmp/$name" -c "$tmp/$name/nginx.conf" \
		-e "$tmp/$name/error.log" >/dev/null 2>"$tmp/$name.log" ||
		{ cat "$tmp/$name.log" "$tmp/$name/error.log" >&2 2>/dev/null; die "nginx $name did not start"; }
	echo "$lport"
}
lb1=$(pg_lb lb1 "$p1")
lb2=$(pg_lb lb2 "$p1" "$p2")

r=1
while [ $r -le $rounds ]; do
	log "PostgreSQL: wrk round $r of $rounds (${wrk_secs} s each)"
	run_wrk pg_node "http://127.0.0.1:$p1$path" -H 'Accept-Encoding: gzip'
	run_wrk pg_lb1 "http://127.0.0.1:$lb1$path" -H 'Accept-Encoding: gzip'
	run_wrk pg_lb2 "http://127.0.0.1:$lb2$path" -H 'Accept-Encoding: gzip'
	r=$((r + 1))
done
stop_pidfile "$tmp/lb1.pid"
stop_pidfile "$tmp/lb2.pid"

log "PostgreSQL: cache miss, one connection"
wrk -t1 -c1 -d"${wrk_secs}s" --latency "http://127.0.0.1:$p1$path?reply=0" >"$tmp/miss.out" 2>&1 ||
	{ cat "$tmp/miss.out" >&2; die "wrk miss (PostgreSQL)"; }
pg_miss_ms=$(awk '$1 == "Latency" {
	v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
	if (u == "us") v /= 1000; else if (u == "s") v *= 1000
	print v; exit }' "$tmp/miss.out")

log "PostgreSQL: comments, 32 connections for ${comment_secs} s"
"$tmp/comments" -p "$p1" -c 32 -d "$comment_secs" "$path" >"$tmp/comments.out" ||
	{ cat "$tmp/comments.out" >&2; die "no comment was acknowledged (PostgreSQL)"; }
pg_comments_rate=$(sed -n 's/^comments\/s: //p' "$tmp/comments.out")
stop_pidfile "$tmp/pg2.pid"

# ---- Varnish with ESI in front of a third node ------------------------------

varnishd_bin=${VARNISHD:-/usr/sbin/varnishd}
[ -x "$varnishd_bin" ] || die "no varnishd (apt-get install varnish varnish-modules)"
pg_site "$tmp/pgsite-esi" "$p3" yes
"$tmp/startup" -p "$p3" -o "$tmp/pg3.pid" -t 120 -- \
	"$gz" serve --site "$tmp/pgsite-esi" >/dev/null 2>"$tmp/pg3.log" ||
	{ cat "$tmp/pg3.log" >&2; die "the ESI node did not answer /"; }
vport=$("$tmp/startup" --free-port) || die "no free port"
mkdir -p "$tmp/varnish"
chmod 755 "$tmp" "$tmp/varnish"
sed "s|^\( *\.port *= *\)\"8080\";|\1\"$p3\";|" deploy/varnish/gazette.vcl >"$tmp/varnish/gazette.vcl"
grep -q "\"$p3\"" "$tmp/varnish/gazette.vcl" || die "deploy/varnish/gazette.vcl has no .port line"
chmod 644 "$tmp/varnish/gazette.vcl"
log "Varnish: starting on $vport in front of the ESI node"
"$tmp/startup" -p "$vport" -u /healthz -o "$tmp/varnish.pid" -t 60 -- \
	"$varnishd_bin" -F -n "$tmp/varnish/work" -a "127.0.0.1:$vport" \
	-f "$tmp/varnish/gazette.vcl" -s malloc,256m -T 127.0.0.1:0 \
	>/dev/null 2>"$tmp/varnish.log" ||
	{ cat "$tmp/varnish.log" >&2; die "varnishd did not start"; }
vurl="http://127.0.0.1:$vport$path"
curl -s "$vurl" | grep -q 'name="token"' ||
	die "the page through Varnish has no comment form token (ESI not assembled)"
varnish_stat() {
	varnishstat -1 -n "$tmp/varnish/work" -f "MAIN.$1" 2>/dev/null | awk '{ print $2 }'
}
h0=$(varnish_stat cache_hit); m0=$(varnish_stat cache_miss)
r=1
while [ $r -le $rounds ]; do
	log "Varnish: wrk round $r of $rounds (${wrk_secs} s each)"
	run_wrk pg_varnish "$vurl" -H 'Accept-Encoding: gzip'
	r=$((r + 1))
done
h1=$(varnish_stat cache_hit); m1=$(varnish_stat cache_miss)
is_number "$h1" && is_number "$m1" || die "varnishstat gave no hit counts"
# Every view is one page lookup and one include, never cached (a pass, not
# a miss): the hit rate is of the page lookups.
hit_pct=$(calc "(m + h) ? 100 * h / (h + m) : 0" -v h="$((h1 - h0))" -v m="$((m1 - m0))")
stop_pidfile "$tmp/varnish.pid"
stop_pidfile "$tmp/pg3.pid"
stop_pidfile "$tmp/pg1.pid"

for v in "$pg_import_rate" "$pg_miss_ms" "$pg_comments_rate" "$hit_pct"; do
	is_number "$v" || die "a PostgreSQL step gave no number (\"$v\")"
done
pn_rps=$(med pg_node 1); pn_p99=$(med pg_node 2)
l1_rps=$(med pg_lb1 1); l2_rps=$(med pg_lb2 1)
l1_p99=$(med pg_lb1 2); l2_p99=$(med pg_lb2 2)
pv_rps=$(med pg_varnish 1); pv_p99=$(med pg_varnish 2)
f0() { calc "sprintf(\"%.0f\", x)" -v x="$1"; }
f2() { calc "sprintf(\"%.2f\", x)" -v x="$1"; }
ratio() { calc "sprintf(\"%.2f\", a / b)" -v a="$1" -v b="$2"; }
# Rows: figure | on PostgreSQL | the same on SQLite | nginx | ratio.
{
	pgrow() { echo "| $1 | $2 | $3 | $4 | $5 |"; }
	pgrow "article page, gzip, one node (req/s; p99 ms)" \
		"$(f0 "$pn_rps"); $(f2 "$pn_p99")" "$(f0 "$gg_rps"); $(f2 "$gg_p99")" \
		"$(f0 "$ng_rps")" "$(ratio "$pn_rps" "$ng_rps") x nginx"
	pgrow "same, nginx balancing to one node" \
		"$(f0 "$l1_rps"); $(f2 "$l1_p99")" "-" "-" "-"
	pgrow "same, nginx balancing to two nodes" \
		"$(f0 "$l2_rps"); $(f2 "$l2_p99")" "-" "-" \
		"$(ratio "$l2_rps" "$l1_rps") x one node"
	pgrow "same, Varnish with ESI in front (page hits $(calc "sprintf(\"%.1f%%\", x)" -v x="$hit_pct"))" \
		"$(f0 "$pv_rps"); $(f2 "$pv_p99")" "-" "$(f0 "$ng_rps")" \
		"$(ratio "$pv_rps" "$ng_rps") x nginx"
	pgrow "cache miss: article page rendered (ms a view)" \
		"$(f2 "$pg_miss_ms")" "$(f2 "$miss_ms")" "-" \
		"$(ratio "$pg_miss_ms" "$miss_ms") x SQLite"
	pgrow "durable comments (per s, 32 connections)" \
		"$(f0 "$pg_comments_rate")" "$(f0 "$comments_rate")" "-" \
		"$(ratio "$pg_comments_rate" "$comments_rate") x SQLite"
	pgrow "import (articles/s)" "$(f0 "$pg_import_rate")" "$(f0 "$import_rate")" \
		"-" "$(ratio "$pg_import_rate" "$import_rate") x SQLite"
} >"$tmp/pg_rows"
pg_notes="PostgreSQL $(psql --version 2>/dev/null | awk '{ print $3 }') on this"
pg_notes="$pg_notes machine (a socket, fsync on); the nodes, nginx, Varnish,"
pg_notes="$pg_notes PostgreSQL and wrk share its $(nproc) CPUs, so two nodes"
pg_notes="$pg_notes compete for the cores one node already fills."
