# gazette.vcl - Varnish (7.x, VCL 4.1) in front of gazette: article pages
# cached whole at the edge, the per-reader comment challenge fetched from
# gazette as an ESI include on every view, and purges by surrogate key
# (the xkey vmod, Debian's varnish-modules).
#
# What gazette does for this: with `[edge] esi = yes` in gazette.conf the
# article page carries no per-reader bytes. Its challenge (question,
# spoken question, signed one-use token) is an
#   <esi:include src="/news/ID/comments/challenge"/>
# and the page is answered with
#   Cache-Control: public, max-age=0, s-maxage=60
#   Surrogate-Control: content="ESI/1.0"
#   Surrogate-Key: nav article:ID section:SLUG ...
# This file caches what says it may be shared, processes ESI only where
# Surrogate-Control asks for it, and never caches the newsroom (/admin),
# a POST, a response that sets a cookie, or the challenge fragment.
# See deploy/varnish/README.md and docs/cache.md.
#
# The tests (tests/lib/varnish.mjs) load this file with the backend port
# replaced: keep `.port = "8080";` on a line of its own.

vcl 4.1;

import xkey;

# gazette serve's [server] listen. For several nodes, declare one backend
# each and a director (vmod directors); see deploy/varnish/README.md.
backend gazette {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may send PURGE: gazette's nodes (their [edge] purge URLs point
# here) and this machine's operators. Anyone else gets 403.
acl purgers {
    "127.0.0.1";
    "::1";
}

# The TLS terminator in front, if any (deploy/nginx/gazette.conf): it sets
# X-Forwarded-For to the reader's address alone.
acl tls_front {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # A purge by key: `PURGE /` with `xkey-purge: article:12 nav` (or
    # `Surrogate-Key: ...`), keys separated by spaces. Every cached
    # object tagged with one of them goes at once.
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        } else if (req.http.Surrogate-Key) {
            set req.http.x-purged = xkey.purge(req.http.Surrogate-Key);
        } else {
            return (synth(400, "PURGE needs an xkey-purge header"));
        }
        return (synth(200, "Purged " + req.http.x-purged));
    }

    # Varnish has appended the peer's address (client.ip) to
    # X-Forwarded-For. When the peer is the terminator, that is its own
    # address after the reader's: take it back, so that gazette
    # (trust_proxy = yes reads the last address) counts readers, not the
    # terminator. The balancer behind passes the header on unchanged.
    if (client.ip ~ tls_front && req.http.X-Forwarded-For ~ ",") {
        set req.http.X-Forwarded-For =
            regsub(req.http.X-Forwarded-For, ",[^,]*$", "");
    }

    # Only reads are cached: a comment (POST) and anything else goes to
    # gazette as it came, cookies and all.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The newsroom: per-person pages behind a session cookie.
    if (req.url ~ "^/admin(/|\?|$)") {
        return (pass);
    }
    # The challenge: a fresh question and one-use token per reader. It is
    # fetched by the ESI include of every page view (req.esi_level 1).
    if (req.url ~ "^/news/[0-9]+/comments/challenge") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # gazette's public pages do not depend on cookies (its commenter
    # cookie is read only when a comment is POSTed). Dropping them here
    # lets readers who have commented share the cached pages too.
    unset req.http.Cookie;
    return (hash);
}

# Cached by URL (and Host), as Varnish does by default.

sub vcl_backend_response {
    # Never kept, whatever the headers say: the newsroom, the challenge,
    # and any answer that sets a cookie.
    if (bereq.url ~ "^/admin(/|\?|$)" ||
        bereq.url ~ "^/news/[0-9]+/comments/challenge" ||
        beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # ESI only where gazette asks for it (the article page, with esi on):
    # nothing else is parsed for <esi:...> tags.
    if (beresp.http.Surrogate-Control ~ "ESI/1\.0") {
        set beresp.do_esi = true;
    }
    # The keys gazette tagged the page with, for xkey.purge().
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Falls through to Varnish's built-in rules: s-maxage/max-age give
    # the TTL; private, no-cache and no-store (every page with a
    # per-reader challenge when esi is off) are not shared.
}

sub vcl_deliver {
    # A page assembled from ESI differs on every view (its challenge), so
    # neither the browser nor this cache may answer 304 for it from its
    # ETag: drop the validators. gazette still sends them, for Varnish's
    # own revalidation with the backend.
    if (resp.http.Surrogate-Control ~ "ESI/1\.0") {
        unset resp.http.ETag;
        unset resp.http.Last-Modified;
    }
    # Edge-only headers stay here.
    unset resp.http.Surrogate-Control;
    unset resp.http.Surrogate-Key;
    unset resp.http.xkey;
    # For operators and tests: was the page a hit? (X-Varnish carries two
    # ids on a hit, and Age how long it has been cached.)
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
