/*
 * request.c - reading a request: headers, cookies, query parameters,
 * conditional request headers and numbers from URLs.
 */
#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "util/err.h"

const char *
http_req_header(const struct http_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct header_prefix {
	const char *prefix;
	size_t len;
	bool found;
};

static enum MHD_Result
header_prefix_each(void *cls, enum MHD_ValueKind kind, const char *key,
		   const char *value)
{
	struct header_prefix *h = cls;

	if (strncasecmp(key, h->prefix, h->len) == 0) {
		h->found = true;
		return MHD_NO; /* stops the walk */
	}
	return MHD_YES;
}

bool
http_req_header_prefixed(const struct http_req *req, const char *prefix)
{
	struct header_prefix h = {prefix, strlen(prefix), false};

	if (!req->conn)
		return false;
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND,
				  header_prefix_each, &h);
	return h.found;
}

const char *
http_req_cookie(const struct http_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *
http_req_query(const struct http_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn,
					   MHD_GET_ARGUMENT_KIND, name);
}

struct query_only {
	const char *const *names;
	unsigned seen; /* a bit per name */
	bool ok;
};

static enum MHD_Result
query_only_each(void *cls, enum MHD_ValueKind kind, const char *key,
		const char *value)
{
	struct query_only *q = cls;
	unsigned i;

	for (i = 0; q->names[i] && i < 32; i++) {
		if (strcmp(key, q->names[i]) == 0) {
			if (q->seen & (1u << i))
				break; /* a name given twice */
			q->seen |= 1u << i;
			return MHD_YES;
		}
	}
	q->ok = false;
	return MHD_NO;
}

bool
http_req_query_only(const struct http_req *req, const char *const *names)
{
	struct query_only q = {names, 0, true};

	if (!req->conn)
		return true;
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
				  query_only_each, &q);
	return q.ok;
}

bool
http_etag_matches(const char *inm, const char *etag)
{
	size_t elen;
	const char *p;

	if (!inm || !etag)
		return false;
	elen = strlen(etag);
	for (p = inm; *p;) {
		size_t len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		/* Weak comparison (RFC 9110 13.1.2): W/ is ignored. */
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		len = strcspn(p, ",");
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == elen && memcmp(p, etag, elen) == 0)
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

int
http_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s || (s[0] == '0' && s[1]))
		return GZ_EINVAL;
	for (; *s; s++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (*s < '0' || *s > '9')
			return GZ_EINVAL;
		if (d > max || v > (max - d) / 10)
			return GZ_EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return GZ_OK;
}
