/*
 * router.c - maps a path and method to a handler, and to the gate its
 * POSTs pass first when the route has one (http_gate_fn).
 *
 * Routes are few (a dozen), so matching is a walk over all of them, each
 * pattern split into segments once when it is added. Captures point into a
 * copy of the path made in the request's pool.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "util/err.h"
#include "util/pool.h"

#define ROUTER_MAX_SEGMENTS 8

struct route_seg {
	const char *text; /* literal, or NULL for a capture */
	size_t len;
	bool rest;        /* "{*}": captures the remainder */
};

struct route {
	unsigned methods;
	const char *pattern; /* as added: for http_router_each */
	struct route_seg segs[ROUTER_MAX_SEGMENTS];
	size_t nsegs;
	http_handler_fn fn;
	http_gate_fn gate; /* NULL: none */
	void *ctx;
};

struct http_router {
	struct route *routes;
	size_t n;
};

struct http_router *
http_router_new(void)
{
	return calloc(1, sizeof(struct http_router));
}

void
http_router_free(struct http_router *r)
{
	if (!r)
		return;
	free(r->routes);
	free(r);
}

int
http_router_add(struct http_router *r, unsigned methods, const char *pattern,
		http_handler_fn fn, http_gate_fn gate, void *ctx)
{
	struct route rt = {0}, *grown;
	const char *p = pattern, *end;
	size_t len;

	if (pattern[0] != '/')
		return GZ_EINVAL;
	rt.methods = methods | ((methods & HTTP_GET) ? HTTP_HEAD : 0);
	rt.pattern = pattern;
	rt.fn = fn;
	rt.gate = gate;
	rt.ctx = ctx;
	while (*p == '/') {
		p++;
		if (!*p)
			break; /* "/" itself, or a trailing slash */
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (rt.nsegs == ROUTER_MAX_SEGMENTS ||
		    (rt.nsegs && rt.segs[rt.nsegs - 1].rest))
			return GZ_EINVAL;
		if (len == 3 && memcmp(p, "{*}", 3) == 0)
			rt.segs[rt.nsegs].rest = true;
		else if (len >= 2 && p[0] == '{' && p[len - 1] == '}')
			rt.segs[rt.nsegs].text = NULL;
		else {
			rt.segs[rt.nsegs].text = p;
			rt.segs[rt.nsegs].len = len;
		}
		rt.nsegs++;
		p += len;
	}
	grown = realloc(r->routes, (r->n + 1) * sizeof(*grown));
	if (!grown)
		return GZ_ENOMEM;
	r->routes = grown;
	r->routes[r->n++] = rt;
	return GZ_OK;
}

/* Splits path into segments in the pool. Output: segs, *n. "/a//b" has an
 * empty middle segment, which matches no literal; a trailing slash is a
 * final empty segment. */
static int
router_split(struct pool *pool, const char *path, char **segs, size_t *n)
{
	char *copy, *p, *slash;

	*n = 0;
	if (path[0] != '/')
		return GZ_ENOTFOUND;
	if (!(copy = pool_strdup(pool, path + 1)))
		return GZ_ENOMEM;
	if (!*copy)
		return GZ_OK; /* "/" */
	for (p = copy;; p = slash + 1) {
		if (*n == ROUTER_MAX_SEGMENTS + 1)
			return GZ_ENOTFOUND; /* deeper than any route */
		segs[(*n)++] = p;
		if (!(slash = strchr(p, '/')))
			break;
		*slash = '\0';
	}
	return GZ_OK;
}

/* Returns true when rt matches segs; fills req's params. */
static bool
route_matches(const struct route *rt, char **segs, size_t n,
	      const char *path, struct http_req *req)
{
	size_t i, np = 0;

	for (i = 0; i < rt->nsegs; i++) {
		const struct route_seg *s = &rt->segs[i];

		if (s->rest) {
			/* The remainder, slashes and all, from the original. */
			const char *rest = path;
			size_t k;
			for (k = 0; k <= i && rest; k++)
				rest = strchr(rest, '/') ? strchr(rest, '/') + 1 : NULL;
			if (np < HTTP_MAX_PARAMS)
				req->params[np++] = i < n && rest ? rest : "";
			req->nparams = np;
			return true;
		}
		if (i >= n)
			return false;
		if (s->text) {
			if (strlen(segs[i]) != s->len ||
			    memcmp(segs[i], s->text, s->len) != 0)
				return false;
		} else {
			if (!*segs[i])
				return false;
			if (np < HTTP_MAX_PARAMS)
				req->params[np++] = segs[i];
		}
	}
	if (i != n)
		return false;
	req->nparams = np;
	return true;
}

int
http_router_match(const struct http_router *r, struct http_req *req,
		  http_handler_fn *fn, http_gate_fn *gate, void **ctx,
		  unsigned *allowed)
{
	char *segs[ROUTER_MAX_SEGMENTS + 1];
	size_t n, i;
	int rc;

	*allowed = 0;
	*gate = NULL;
	if ((rc = router_split(req->pool, req->path, segs, &n)) != GZ_OK)
		return rc;
	for (i = 0; i < r->n; i++) {
		const struct route *rt = &r->routes[i];

		if (!route_matches(rt, segs, n, req->path, req))
			continue;
		if (rt->methods & req->method) {
			*fn = rt->fn;
			*gate = rt->gate;
			*ctx = rt->ctx;
			return GZ_OK;
		}
		*allowed |= rt->methods;
	}
	req->nparams = 0;
	return *allowed ? GZ_EINVAL : GZ_ENOTFOUND;
}

int
http_router_each(const struct http_router *r,
		 void (*fn)(void *ctx, unsigned methods, const char *pattern),
		 void *ctx)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		fn(ctx, r->routes[i].methods, r->routes[i].pattern);
	return GZ_OK;
}
