/*
 * http.h - the HTTP edge: libmicrohttpd glue, the router, requests and
 * responses.
 *
 * Data flow: libmicrohttpd hands a request to server.c, which gives it a
 * pool, finds its route (router.c) and calls the route's handler (site/)
 * with a struct http_req to read and a struct http_resp to fill. server.c
 * then adds ETag / 304, HEAD and error pages, and queues the response.
 * Only this module includes microhttpd.h, and only http_status_of_err
 * turns an enum gz_err into an HTTP status.
 */
#ifndef GZ_HTTP_H
#define GZ_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct pool;

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_OTHER = 1 << 3, /* PUT, DELETE, ...: never routed */
};

#define HTTP_MAX_PARAMS 4

/* A request, valid while its handler runs. */
struct http_req {
	struct pool *pool;      /* cleared when the response is done */
	enum http_method method;
	const char *path;       /* percent-decoded by libmicrohttpd */
	const char *params[HTTP_MAX_PARAMS]; /* the route's {captures} */
	size_t nparams;
	void *conn;             /* the library's connection (server.c only) */
	const struct http_form *form; /* a POST's form, or NULL */
	const char *ip;         /* the peer's address, text */
};

struct http_form;

/* A response being built by a handler. Fields left at zero take their
 * defaults: status 200, text/html, no caching headers. */
struct http_resp {
	int status;
	const char *content_type;
	struct buf body;          /* owned; capped at GZ_LIMIT_PAGE_BYTES */
	const unsigned char *static_body; /* instead of body: lives forever */
	size_t static_len;
	const char *etag;         /* quoted; computed from the body if NULL */
	const char *cache_control;
	const char *location;     /* for 301/302/303 */
	const char *allow;        /* for 405 */
};

/* A handler fills resp and returns GZ_OK, or returns an error, which the
 * server answers with the error page of http_status_of_err(err). */
typedef int (*http_handler_fn)(void *ctx, struct http_req *req,
			       struct http_resp *resp);
/* Renders the error page for status into resp (body and content type). */
typedef void (*http_error_fn)(void *ctx, struct http_req *req, int status,
			      struct http_resp *resp);

/* ---- router (router.c) ---------------------------------------------------- */

struct http_router;

/* Returns an empty router, or NULL when out of memory. Caller frees with
 * http_router_free. */
struct http_router *http_router_new(void);
void http_router_free(struct http_router *r);
/* Adds a route. pattern is a path whose segments are literals or
 * "{name}" (one segment, captured) or, last only, "{*}" (the rest of the
 * path, possibly empty, captured); e.g. "/news/{id}/{slug}". methods is a
 * mask of enum http_method; HEAD is implied by GET. pattern must be a
 * literal that outlives the router. Returns GZ_OK, GZ_EINVAL or
 * GZ_ENOMEM. */
int http_router_add(struct http_router *r, unsigned methods,
		    const char *pattern, http_handler_fn fn, void *ctx);
/* Finds the route for path and method. Output: *fn, *ctx and req's
 * params, or *allowed (the methods the path accepts) on GZ_EINVAL.
 * Returns GZ_OK, GZ_ENOTFOUND (no route has this path) or GZ_EINVAL (a
 * route has the path but not the method). */
int http_router_match(const struct http_router *r, struct http_req *req,
		      http_handler_fn *fn, void **ctx, unsigned *allowed);

/* ---- requests (request.c) ------------------------------------------------- */

/* Returns a request header's value, or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);
/* Returns a query parameter's value (decoded), or NULL. */
const char *http_req_query(const struct http_req *req, const char *name);
/* Returns a POSTed form field's value, or NULL when absent. Values hold
 * no NUL bytes (such a form is refused with 400 before any handler). */
const char *http_req_form(const struct http_req *req, const char *name);
/* Returns true when an If-None-Match header lists etag (or "*"). */
bool http_etag_matches(const char *if_none_match, const char *etag);
/* Parses a decimal of at most max ("0" included) into *out. Returns GZ_OK
 * or GZ_EINVAL (empty, sign, junk, leading zero, over max). */
int http_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* ---- responses (response.c) ------------------------------------------------ */

/* The HTTP status for an error code: GZ_ENOTFOUND 404, GZ_EINVAL 400,
 * GZ_ETOOBIG 413, GZ_EBUSY 503, anything else 500. */
int http_status_of_err(int err);
/* The reason phrase for status ("Not Found"). */
const char *http_reason(int status);
/* A strong ETag (quoted hash) of data[0..len), in the pool; NULL when out
 * of memory. */
const char *http_etag(struct pool *pool, const void *data, size_t len);
/* Sets resp up as a redirect to location (which must live as long as the
 * request's pool). Returns GZ_OK, or GZ_ENOMEM when location is NULL (a
 * failed pool_printf), so a handler can return the result as it is. */
int http_resp_redirect(struct http_resp *resp, int status,
		       const char *location);

/* ---- server (server.c) ----------------------------------------------------- */

struct http_server;

struct http_server_opts {
	const char *listen;   /* "127.0.0.1:8080"; port 0 picks a free one */
	unsigned threads;     /* 0: one per core */
	unsigned per_ip_limit; /* connections per address; 0: no limit */
	const struct http_router *router;
	http_error_fn error_page;
	void *error_ctx;
};

/* Starts serving in background threads. Output: *out. Returns GZ_OK,
 * GZ_EINVAL (bad listen address) or GZ_EIO (cannot bind: err says why).
 * Caller stops with http_server_stop. */
int http_server_start(const struct http_server_opts *opts,
		      struct http_server **out, char *err, size_t errlen);
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const struct http_server *s);
/* Stops accepting, closes connections and frees s; NULL is a no-op. */
void http_server_stop(struct http_server *s);

#endif
