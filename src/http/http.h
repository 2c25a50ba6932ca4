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
#include "util/limits.h"

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
	const char *path;       /* percent-decoded by libmicrohttpd; never
				 * from a %00 (refused: 400) */
	bool path_escaped;      /* the raw path held a %XX escape: path is
				 * one of several spellings of itself */
	const char *params[HTTP_MAX_PARAMS]; /* the route's {captures} */
	size_t nparams;
	void *conn;             /* the library's connection (server.c only) */
	const struct http_form *form; /* a POST's form, or NULL */
	const char *ip;         /* the peer's address, text */
	/* A handler that answers later (http_req_suspend) finds here, when
	 * called again, what it left: resumed is true and state is what it
	 * set (in the pool, which lives until the request is done). */
	bool resumed;
	void *state;
	void *server;           /* server.c's state of the request */
};

struct http_form;

/* Extra headers a response may carry, besides the ones server.c adds
 * (Content-Type, security headers, Vary and Content-Encoding). */
#define HTTP_MAX_HEADERS 12
/* Per-response slots and cache keys of one page (limits.h, shared with
 * the page cache). */
#define HTTP_MAX_SLOTS GZ_LIMIT_PAGE_SLOTS
#define HTTP_MAX_CACHE_KEYS GZ_LIMIT_PAGE_KEYS

struct http_header {
	const char *name;  /* "ETag", "Cache-Control", "Location", ... */
	const char *value; /* lives as long as the request's pool */
};

/* A byte range of a page's body whose content differs in every response
 * (a CAPTCHA question): filled by the page's http_fill_fn. */
struct http_slot {
	size_t offset;
	size_t len;
};

/* Writes each slot's bytes for one response: out[i] gets exactly len[i]
 * bytes. Called on any thread, for cached pages long after the handler
 * that set it returned: ctx must outlive the server, and arg is all the
 * per-page state it gets. */
typedef void (*http_fill_fn)(void *ctx, int64_t arg, char *const *out,
			     const size_t *len, size_t n); /* = cache_fill_fn */

/* A response being built by a handler. Fields left at zero take their
 * defaults: status 200, text/html, no caching headers, not kept in the
 * page cache. */
struct http_resp {
	int status;
	const char *content_type;
	struct buf body;          /* owned; capped at GZ_LIMIT_PAGE_BYTES */
	/* Instead of body: lives until the request is done (forever, or in
	 * the request's pool). */
	const unsigned char *static_body;
	size_t static_len;
	/* Instead of body: file_len bytes of an open regular file, sent from
	 * its descriptor, never read into memory (http_resp_file). file_fd
	 * means something only when file_set; the response owns it. */
	int file_fd;
	uint64_t file_len;
	bool file_set;
	/* Set with http_resp_header; "ETag" is computed from the body when
	 * a 200 to a GET has none. */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	/* The page cache: a handler whose 200 may be served again, to any
	 * reader, until one of these keys changes (the store's change
	 * events) adds them with http_resp_cache_key. None: not cached. */
	const char *cache_keys[HTTP_MAX_CACHE_KEYS];
	size_t ncache_keys;
	bool uncacheable;         /* more keys were named than fit: never */
	/* The body holds <esi:include>s for the edge to assemble: the
	 * server sends Surrogate-Control with it, kept in the cache or not
	 * (and the edge headers with it when it has keys). */
	bool esi;
	/* Slots, sorted by offset (http_resp_slot), and what fills them. A
	 * response with slots always goes out with them filled, cached or
	 * not. */
	struct http_slot slots[HTTP_MAX_SLOTS];
	size_t nslots;
	http_fill_fn fill;
	void *fill_ctx;
	int64_t fill_arg;
};

/* A handler fills resp and returns GZ_OK, or returns an error, which the
 * server answers with the error page of http_status_of_err(err). */
typedef int (*http_handler_fn)(void *ctx, struct http_req *req,
			       struct http_resp *resp);
/* A route's gate: what a POST must pass on its headers alone, before
 * any byte of its body is read or any of the server's upload memory is
 * promised to it (a stranger's 20 MB upload must cost nothing). Called
 * with the route's ctx and a request that has its path, captures,
 * headers and cookies but no form; it may not suspend. It lets the
 * request in by returning GZ_OK with resp's status left 0 (whatever
 * else it put in resp is dropped). It refuses it by filling resp as a
 * handler would (status set) and returning GZ_OK, or by returning an
 * error, answered with the error page of http_status_of_err. A refused
 * request's body is read and dropped, never kept, and the refusal
 * answered once it is in (server.c). */
typedef int (*http_gate_fn)(void *ctx, struct http_req *req,
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
 * mask of enum http_method; HEAD is implied by GET. gate, or NULL for
 * none, is what the route's POSTs pass first (http_gate_fn); fn and gate
 * are both called with ctx. pattern must be a literal that outlives the
 * router. Returns GZ_OK, GZ_EINVAL or GZ_ENOMEM. */
int http_router_add(struct http_router *r, unsigned methods,
		    const char *pattern, http_handler_fn fn,
		    http_gate_fn gate, void *ctx);
/* Finds the route for path and method. Output: *fn, *gate (NULL when the
 * route has none), *ctx and req's params, or *allowed (the methods the
 * path accepts) on GZ_EINVAL. Returns GZ_OK, GZ_ENOTFOUND (no route has
 * this path) or GZ_EINVAL (a route has the path but not the method). */
int http_router_match(const struct http_router *r, struct http_req *req,
		      http_handler_fn *fn, http_gate_fn *gate, void **ctx,
		      unsigned *allowed);
/* Calls fn(ctx, methods, pattern) for every route in the order added
 * (methods as added, with HEAD where GET is): what `gazette routes`
 * prints, so that tests can reach every route. Returns GZ_OK. */
int http_router_each(const struct http_router *r,
		     void (*fn)(void *ctx, unsigned methods,
				const char *pattern),
		     void *ctx);

/* ---- requests (request.c) ------------------------------------------------- */

/* A handler that must wait (a comment's group commit) without holding a
 * server thread: it calls http_req_suspend, starts its work with the
 * handle, sets req->state and returns GZ_EPENDING. When the work is done,
 * whoever finishes it calls http_resume(handle), from any thread, once;
 * the server then calls the same handler again for the same request,
 * with req->resumed true, and that call answers. The handle is valid
 * until http_resume. Returns NULL when the server is stopping: the
 * handler then answers at once (503). */
struct http_resume;
struct http_resume *http_req_suspend(struct http_req *req);
void http_resume(struct http_resume *r);

/* Returns a request header's value, or NULL. */
const char *http_req_header(const struct http_req *req, const char *name);
/* True when some request header's name begins with prefix (compared
 * without regard to case): "X-Forwarded-" finds -For, -Host, -Proto... */
bool http_req_header_prefixed(const struct http_req *req,
			      const char *prefix);
/* Returns the value of cookie name from the request's Cookie header(s),
 * as libmicrohttpd parsed it (the first of that name), or NULL. Outside
 * input: the caller checks it. */
const char *http_req_cookie(const struct http_req *req, const char *name);
/* Returns a query parameter's value (decoded), or NULL. */
const char *http_req_query(const struct http_req *req, const char *name);
/* True when every query parameter of req is one of the NULL-terminated
 * names, each at most once: the query is one a handler understands
 * whole, so its page may be cached under the URL. */
bool http_req_query_only(const struct http_req *req,
			 const char *const *names);
/* Returns a POSTed form field's value, or NULL when absent. Values hold
 * no NUL bytes (such a form is refused with 400 before any handler). */
const char *http_req_form(const struct http_req *req, const char *name);
/* Every value of a repeated form field (ids=4&ids=9), in the body's
 * order: the first max go to values[0..max), valid while the handler
 * runs. Returns how many the form has (0 without a form), which may be
 * more than max: a caller that must not cut a list refuses that. */
size_t http_req_form_all(const struct http_req *req, const char *name,
			 const char **values, size_t max);
/* A file sent in a multipart form (an upload, RFC 7578 4.2). Outside
 * input, every byte of it: the name and type are what the browser
 * claimed, and only decoding the data says what it is. */
struct http_file {
	const char *filename;     /* "" when the browser sent none */
	const char *content_type; /* the part's Content-Type; "" when none */
	const void *data;         /* any bytes, NULs included */
	size_t len;               /* 0: the file input was left empty */
};
/* Finds a POSTed form's first file named name: true with *out filled
 * (valid while the handler runs), false when the form has none. */
bool http_req_form_file(const struct http_req *req, const char *name,
			struct http_file *out);
/* True when a POSTed form carries any file part: a handler that takes
 * no upload refuses such a form rather than silently dropping a file. */
bool http_req_form_has_files(const struct http_req *req);
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
/* Sets header name (case-insensitive; replacing an earlier value) to
 * value; both must live as long as the request's pool. Returns GZ_OK,
 * GZ_ENOMEM when value is NULL (a failed pool_printf) or GZ_ETOOBIG past
 * HTTP_MAX_HEADERS. */
int http_resp_header(struct http_resp *resp, const char *name,
		     const char *value);
/* Adds header name with value after any earlier one of that name,
 * replacing none: for headers a response may repeat (Set-Cookie). The
 * same lifetimes and returns as http_resp_header. */
int http_resp_header_add(struct http_resp *resp, const char *name,
			 const char *value);
/* The value of header name set on resp (the first, when repeated), or
 * NULL. */
const char *http_resp_header_get(const struct http_resp *resp,
				 const char *name);
/* Makes resp's body the len bytes of the open regular file fd, sent by
 * server.c from the descriptor (sendfile where the kernel can) rather
 * than from memory: for files that may be larger than a page (a photo's
 * variant). etag is the file's ETag (the server cannot hash bytes it does
 * not read), set as the ETag header, so that a revalidation is answered
 * 304 without the body. Takes ownership of fd, on failure too: the
 * server closes it once the response is sent or, answering 304 instead,
 * at once. Call it last and return GZ_OK; a response with a file is
 * never kept in the page cache (give it no cache keys). Returns GZ_OK,
 * GZ_ENOMEM (etag NULL: a failed pool_printf) or GZ_ETOOBIG (no room for
 * the header). */
int http_resp_file(struct http_resp *resp, int fd, uint64_t len,
		   const char *etag);
/* Adds an invalidation key (copied into pool; duplicates are kept once).
 * Returns GZ_OK, GZ_ENOMEM or GZ_ETOOBIG (too many keys: the page is then
 * not cached, whatever keys are added later, which is always safe). */
int http_resp_cache_key(struct http_resp *resp, struct pool *pool,
			const char *key);
/* Finds the first marker in resp's body and replaces it with len bytes
 * of placeholder, recorded as a slot. Returns GZ_OK, GZ_ENOTFOUND (no
 * marker), GZ_ETOOBIG (too many slots, or the page grows past its cap)
 * or GZ_ENOMEM. */
int http_resp_slot(struct http_resp *resp, const char *marker, size_t len);
/* Fills resp's slots in its body now and forgets them (a response that is
 * not cached: the bytes go out as they are). */
void http_resp_fill_now(struct http_resp *resp);

/* ---- server (server.c) ----------------------------------------------------- */

struct http_server;

struct cache;

struct http_server_opts {
	const char *listen;   /* "127.0.0.1:8080"; port 0 picks a free one */
	struct cache *cache;  /* the page cache, or NULL: none */
	/* Called before every page-cache lookup, to bring the cache up to
	 * date with changes made elsewhere (another process); NULL: none.
	 * Must be cheap when nothing changed. */
	void (*sync)(void *ctx);
	void *sync_ctx;
	unsigned threads;     /* 0: four per core */
	unsigned per_ip_limit; /* connections per address; 0: no limit */
	/* X-Forwarded-For's last address is the reader's (the access log;
	 * [server] trust_proxy). */
	bool trust_proxy;
	/* The Cache-Control of a page kept in the page cache whose handler
	 * said "no-cache" (any reader's page, revalidated: what site_render
	 * says) or none, so that an edge (a CDN, Varnish) may keep it too
	 * ("public, max-age=0, s-maxage=60, ..."); NULL: left as it is.
	 * Any other value (private, no-store, a max-age) is the handler's
	 * choice and stays. Every kept page also carries its cache keys as
	 * Surrogate-Key (space-separated) and Cache-Tag (comma-separated),
	 * escaped by cache_key_token, on misses and hits alike. */
	const char *edge_cache_control;
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
/* Stops accepting, lets the requests under way finish (at most
 * GZ_LIMIT_STOP_SECONDS), closes the connections and frees s; NULL is a
 * no-op. */
void http_server_stop(struct http_server *s);

#endif
