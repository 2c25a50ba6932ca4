/*
 * origin.c - is a POST from this site? The Origin check shared by the
 * comment form and the newsroom's forms (site_origin_ok).
 *
 * Data flow: a POST handler (comments.c, admin_gate.c) asks before it
 * acts; nothing is stored. Invariant: only base_url's origin, or the
 * origin the request was sent to when that is base_url's host or a
 * loopback name, is the site's; everything else, "null" included, is
 * another site's.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "site/site_int.h"

/* An origin (RFC 6454): scheme, host and port, the default port filled
 * in, so that "https://news.example" and "https://news.example:443" are
 * one. host points into the parsed text and is compared without case. */
struct origin {
	bool https;
	const char *host; /* "news.example", "127.0.0.1", "[::1]" */
	size_t hlen;
	unsigned port;
};

/* Parses "host[:port]" in s[0..len) into o, whose https is set and
 * decides the default port. Returns false when it is not one. */
static bool
origin_authority(const char *s, size_t len, struct origin *o)
{
	const char *rb;
	size_t i, hlen;
	unsigned port = 0;

	if (len && s[0] == '[') {
		if (!(rb = memchr(s, ']', len)))
			return false;
		hlen = (size_t)(rb - s) + 1;
	} else {
		hlen = strcspn(s, ":");
		if (hlen > len)
			hlen = len;
	}
	if (hlen == 0 || (hlen < len && s[hlen] != ':'))
		return false;
	for (i = 0; i < hlen; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("/?#@\\", s[i]))
			return false;
	o->host = s;
	o->hlen = hlen;
	o->port = o->https ? 443 : 80;
	if (hlen + 1 >= len)
		return true; /* no port, or an empty one (RFC 3986 3.2.3) */
	for (i = hlen + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		port = port * 10 + (unsigned)(s[i] - '0');
		if (port > 65535)
			return false;
	}
	o->port = port;
	return port != 0;
}

/* Parses the origin of s, an http(s) URL: when whole, s must be an origin
 * and nothing more (an Origin header), else a path may follow (base_url).
 * Returns false when it is not one. */
static bool
origin_parse(const char *s, bool whole, struct origin *o)
{
	const char *p;
	size_t len;

	if (strncasecmp(s, "http://", 7) == 0) {
		o->https = false;
		p = s + 7;
	} else if (strncasecmp(s, "https://", 8) == 0) {
		o->https = true;
		p = s + 8;
	} else {
		return false;
	}
	len = strcspn(p, "/?#");
	if (whole && p[len] != '\0')
		return false;
	return origin_authority(p, len, o);
}

static bool
origin_same_host(const struct origin *a,
		   const struct origin *b)
{
	return a->hlen == b->hlen && strncasecmp(a->host, b->host, a->hlen) == 0;
}

static bool
origin_same(const struct origin *a,
		     const struct origin *b)
{
	return a->https == b->https && a->port == b->port &&
	       origin_same_host(a, b);
}

/* True for a name no other site can have: "localhost", an IPv4 literal in
 * 127.0.0.0/8, "[::1]". */
static bool
origin_loopback(const struct origin *o)
{
	const char *h = o->host;
	size_t i, dots = 0;

	if ((o->hlen == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (o->hlen == 5 && memcmp(h, "[::1]", 5) == 0))
		return true;
	if (o->hlen < 7 || o->hlen > 15 || memcmp(h, "127.", 4) != 0)
		return false;
	for (i = 4; i < o->hlen; i++) {
		if (h[i] == '.')
			dots++;
		else if (h[i] < '0' || h[i] > '9')
			return false;
	}
	return dots == 2;
}

/* True when origin (an Origin header's whole value, or with whole false
 * a Referer's URL) is this site, as site_origin_ok says. */
static bool
origin_is_site(const struct site *site, struct http_req *req, const char *s,
	       bool whole)
{
	const char *host = http_req_header(req, "Host");
	struct origin o, b, h;
	bool have_base;

	if (!origin_parse(s, whole, &o))
		return false;
	have_base = origin_parse(site->cfg->base_url, false, &b);
	if (have_base && origin_same(&o, &b))
		return true;
	h.https = o.https;
	if (!host || !origin_authority(host, strlen(host), &h) ||
	    !origin_same_host(&o, &h) || o.port != h.port)
		return false;
	if (have_base && origin_same_host(&h, &b))
		return o.https == b.https;
	return origin_loopback(&h) && !o.https;
}

/*
 * Scheme, host and port are compared, default ports filled in. Two
 * origins are this site:
 *
 *  - base_url's, however the request reached us (a proxy rewriting Host);
 *  - the one the request was sent to (its Host), but only when that host
 *    is one the site answers as: base_url's host name, with base_url's
 *    scheme (the site reached on another port), or a loopback name over
 *    plain HTTP (gazette itself speaks no TLS; a local test or preview).
 *
 * Trusting any Host would let DNS rebinding through: a page at
 * http://evil.example whose name is made to point at this server sends
 * Origin http://evil.example and Host evil.example, which agree. Neither
 * base_url's host nor a loopback literal can be an attacker's page: the
 * first is the site's own name, the second names the reader's own
 * machine. "null" (a sandboxed or privacy-conscious context) and anything
 * else are another site.
 *
 * Without an Origin the Referer's origin is judged the same way (an old
 * browser's POST); a request with neither passes here, and the form's
 * own token (the comment challenge, the admin's csrf) must stop it.
 */
bool
site_origin_ok(const struct site *site, struct http_req *req)
{
	const char *origin = http_req_header(req, "Origin");
	const char *referer;

	if (origin)
		return origin_is_site(site, req, origin, true);
	if ((referer = http_req_header(req, "Referer")) != NULL)
		return origin_is_site(site, req, referer, false);
	return true;
}

/* As site_origin_ok, but a POST with neither Origin nor Referer is
 * refused: every browser that can sign in sends one (site_int.h). */
bool
site_admin_origin_ok(const struct site *site, struct http_req *req)
{
	if (!http_req_header(req, "Origin") && !http_req_header(req, "Referer"))
		return false;
	return site_origin_ok(site, req);
}
