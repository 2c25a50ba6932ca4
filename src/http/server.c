/*
 * server.c - libmicrohttpd's daemon and the life of one request.
 *
 * libmicrohttpd calls server_on_request several times per request: once
 * with the headers, once per piece of body, and once more at the end. We
 * answer on the last call, never on the first: a response queued with the
 * headers alone makes libmicrohttpd close the connection (no keep-alive),
 * which would turn every page view into a TCP handshake. A request
 * refused on its headers (a body over the limit, a method the path does
 * not take, a route's gate saying no) is answered once its body has been
 * read and dropped, up to a limit (server_drain_max), so that the client
 * sees the answer rather than a reset; one waiting for "100 Continue",
 * or announcing more than that, is answered at once and the connection
 * closed. A body that was accepted is never cut short of its limit.
 *
 * Each request gets a struct request_state holding its pool; it is freed
 * by server_on_completed when libmicrohttpd is done with the connection's
 * request. Each connection gets a struct conn_track holding its deadline,
 * so that a client sending or reading slowly cannot keep it for ever
 * ("slow clients" below).
 */
#include <arpa/inet.h>
#include <assert.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "http/http.h"
#include "http/http_int.h"
#include "metrics/metrics.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/pool.h"

/* Headers on every response: see docs/security.md. */
#define SERVER_CSP \
	"default-src 'none'; style-src 'self'; img-src 'self' https: data:; " \
	"connect-src 'self'; form-action 'self'; base-uri 'none'; " \
	"frame-ancestors 'none'"

/* One connection's deadline (see "slow clients" below); libmicrohttpd
 * keeps it as the connection's socket context. */
struct conn_track {
	struct conn_track *prev, *next; /* server_deadlines.head, under lock */
	int fd;                    /* libmicrohttpd's: shut down, never closed */
	_Atomic int64_t deadline;  /* monotonic ms; 0: none (the server's turn) */
	bool cut;                  /* shut down already (under lock) */
	/* The connection's own thread alone reads and writes these. */
	int64_t body_start;        /* when the headers ended */
	uint64_t body_declared;    /* Content-Length (capped), or 0 */
	uint64_t body_max;         /* the request's body limit (server_body_max) */
};

/* Every live connection, and the thread that shuts down those past their
 * deadline. */
struct server_deadlines {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct conn_track *head;
	pthread_t thread;
	bool running;
	bool stop; /* under lock */
};

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_server_opts opts;
	unsigned port;
	struct server_deadlines dl;
	/* Requests suspended and not yet done (answered or dropped): the
	 * server must not stop under them. */
	_Atomic unsigned suspended;
	atomic_bool stopping;       /* no request may be suspended any more */
	/* Requests begun (headers read) and not yet completed: what a stop
	 * waits for before it closes the connections. */
	_Atomic unsigned active;
	/* Body bytes promised to uploads now being read (server_upload_take),
	 * at most GZ_LIMIT_UPLOAD_INFLIGHT_BYTES together: only uploads
	 * their route's gate let in take any. */
	_Atomic uint64_t upload_bytes;
};

struct request_state {
	struct pool *pool;
	enum http_method method;
	size_t body_bytes; /* received so far */
	size_t body_max;   /* the most body taken (server_body_max) */
	size_t drain_max;  /* the most body read when refused (server_drain_max) */
	uint64_t upload_reserved; /* of http_server.upload_bytes, given back
				   * when the request completes */
	int refuse;        /* the status it will be refused with, or 0 */
	unsigned allowed;  /* for a 405: the methods the path takes */
	bool answered;     /* a response was queued early */
	bool close_after;  /* framing not to be trusted further: close */
	bool finished;     /* the body was read to its end */
	bool path_nul;     /* the raw path holds "%00" (server_on_uri) */
	bool path_escaped; /* the raw path holds any "%" escape */
	/* The answer of the route's gate that refused the request, queued
	 * when its body is in (server_refuse); its body is owned here and
	 * freed by server_on_completed if never sent. NULL: none. */
	struct http_resp *gated;
	/* Suspended by its handler (http_req_suspend), and resumed: the
	 * next call of the handler is the one that answers. */
	bool suspended;
	bool resumed;
	void *handler_state;
	struct http_server *server;
	struct MHD_Connection *conn;
	struct http_form *form; /* a POST's fields */
	char ip[INET6_ADDRSTRLEN];
	/* For the access log and the metrics (server_access_*): set up by
	 * server_on_uri when the request line arrives, filled as the
	 * request goes, written by server_on_completed. */
	bool started;            /* server_on_request has seen it */
	uint64_t t0;             /* CLOCK_MONOTONIC at the request line, us */
	const char *target;      /* the raw request target, cut; in pool */
	char method_text[16];    /* as sent, cut */
	char peer[64];           /* ip, or X-Forwarded-For's under trust_proxy */
	int status;              /* the status queued; 0: none */
	uint64_t bytes;          /* the body bytes queued */
	enum metrics_cache cache;
};

/* ---- slow clients: whole-request deadlines ---------------------------------
 *
 * libmicrohttpd's timeout is for idleness and resets on every byte, and
 * it has no deadline for a request's headers or body. Each connection
 * gets one here, kept in its socket context: headers within
 * GZ_LIMIT_HEADER_SECONDS of the connection's start or of the previous
 * request's end; a body within GZ_LIMIT_BODY_SECONDS plus its size at
 * GZ_LIMIT_MIN_RATE; a response within GZ_LIMIT_SEND_SECONDS plus its
 * size at the same rate. From the end of the body until the answer is
 * queued the request waits for us, not for the client (its handler runs,
 * or a comment waits suspended for its group commit): it has none. A
 * thread looks every GZ_LIMIT_SWEEP_MS and shuts down (never closes: the
 * descriptor is libmicrohttpd's) the socket of each connection past its
 * deadline; libmicrohttpd then sees the connection end and cleans it up.
 * libmicrohttpd sends its "closed" notice before it closes a descriptor,
 * and that notice takes the lock to untrack the connection, so the thread
 * never shuts down a descriptor number reused by another connection.
 */

static int64_t
server_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds n bytes take at GZ_LIMIT_MIN_RATE. */
static int64_t
server_rate_ms(uint64_t n)
{
	if (n > (uint64_t)INT64_MAX / 4000)
		return INT64_MAX / 4;
	return (int64_t)(n * 1000 / GZ_LIMIT_MIN_RATE);
}

/* The connection's track, or NULL (not tracked: out of memory). */
static struct conn_track *
server_track(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void
server_track_set(struct conn_track *t, int64_t deadline)
{
	if (t)
		atomic_store(&t->deadline, deadline);
}

/* The headers are in: the body's deadline starts (declared: its
 * Content-Length, or 0 for none or chunked; max: the largest body the
 * request's path takes). A declared length counts only up to max: a
 * client announcing 16 MB (a refused body, drained) gets no more time
 * than one of 64 KB (2 MiB under /admin/) unless it sends at the minimum
 * rate. */
static void
server_deadline_body(struct MHD_Connection *conn, uint64_t declared,
		     uint64_t max)
{
	struct conn_track *t = server_track(conn);

	if (!t)
		return;
	if (declared > max)
		declared = max;
	t->body_start = server_now_ms();
	t->body_declared = declared;
	t->body_max = max;
	server_track_set(t, t->body_start + GZ_LIMIT_BODY_SECONDS * 1000 +
				    server_rate_ms(declared));
}

/* The same, with the length the request declares. */
static void
server_deadline_request(struct MHD_Connection *conn, uint64_t max)
{
	const char *cl = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t declared = 0;

	if (cl && http_parse_uint(cl, UINT64_MAX, &declared) != GZ_OK)
		declared = 0;
	server_deadline_body(conn, declared, max);
}

/* More body came (received: all of it so far): past what was declared
 * (chunked), the body gets more time as it comes at the minimum rate,
 * but never more than a body of the largest size the path takes. A body
 * past that is refused (413) and only drained, up to server_drain_max;
 * extended at the rate, 16 MiB would hold the connection for 9 hours.
 * So a refused body has GZ_LIMIT_BODY_SECONDS + max / GZ_LIMIT_MIN_RATE
 * (141 s; 4,204 s for the admin's 2 MiB and about 42,000 s for a photo's
 * 20 MiB, which the per-address connection limit bounds; 141 s for a
 * body the route's gate refused) from the headers' end, whatever it
 * sends, and is cut past it. */
static void
server_deadline_body_more(struct MHD_Connection *conn, uint64_t received)
{
	struct conn_track *t = server_track(conn);

	if (!t || received <= t->body_declared)
		return;
	if (received > t->body_max)
		received = t->body_max;
	server_track_set(t, t->body_start + GZ_LIMIT_BODY_SECONDS * 1000 +
				    server_rate_ms(received));
}

/* A response of len bytes is queued: it must be read in time. */
static void
server_deadline_send(struct MHD_Connection *conn, uint64_t len)
{
	server_track_set(server_track(conn),
			 server_now_ms() + GZ_LIMIT_SEND_SECONDS * 1000 +
				 server_rate_ms(len));
}

/* The request waits for the server, not the client: being handled, or
 * suspended. */
static void
server_deadline_none(struct MHD_Connection *conn)
{
	server_track_set(server_track(conn), 0);
}

/* A request is done: the next one's headers are due (keep-alive). */
static void
server_deadline_next(struct MHD_Connection *conn)
{
	server_track_set(server_track(conn),
			 server_now_ms() + GZ_LIMIT_HEADER_SECONDS * 1000);
}

/* libmicrohttpd's notice of a connection's start and end: tracks it from
 * one to the other. The track is allocated here at the start and freed
 * here at the end; a connection whose track cannot be allocated is
 * served untracked (the idle timeout alone bounds it). */
static void
server_on_connection(void *cls, struct MHD_Connection *conn,
		     void **socket_context,
		     enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct conn_track *t = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(t = calloc(1, sizeof(*t))))
			return;
		t->fd = ci->connect_fd;
		atomic_init(&t->deadline,
			    server_now_ms() + GZ_LIMIT_HEADER_SECONDS * 1000);
		pthread_mutex_lock(&s->dl.lock);
		t->next = s->dl.head;
		if (s->dl.head)
			s->dl.head->prev = t;
		s->dl.head = t;
		pthread_mutex_unlock(&s->dl.lock);
		*socket_context = t;
		return;
	}
	if (!t)
		return;
	pthread_mutex_lock(&s->dl.lock);
	if (t->prev)
		t->prev->next = t->next;
	else
		s->dl.head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&s->dl.lock);
	free(t);
	*socket_context = NULL;
}

/* Shuts down every connection past its deadline, under the lock.
 * Returns how many. */
static unsigned
server_sweep(struct http_server *s)
{
	int64_t now = server_now_ms(), d;
	struct conn_track *t;
	unsigned n = 0;

	for (t = s->dl.head; t; t = t->next) {
		d = atomic_load(&t->deadline);
		if (d && now > d && !t->cut) {
			shutdown(t->fd, SHUT_RDWR);
			t->cut = true;
			n++;
		}
	}
	return n;
}

static void *
server_sweeper(void *arg)
{
	struct http_server *s = arg;
	struct timespec until;
	unsigned cut;

	pthread_mutex_lock(&s->dl.lock);
	while (!s->dl.stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += (long)GZ_LIMIT_SWEEP_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&s->dl.wake, &s->dl.lock, &until);
		if (s->dl.stop)
			break;
		if ((cut = server_sweep(s)) == 0)
			continue;
		/* One line a sweep at most, however many were cut, written
		 * without the lock: every connection's start and end takes
		 * it, and a stderr that blocks (a full pipe, a stalled
		 * journal) must not stall them. */
		pthread_mutex_unlock(&s->dl.lock);
		log_error("http: closed %u connection%s past %s deadline", cut,
			  cut == 1 ? "" : "s", cut == 1 ? "its" : "their");
		pthread_mutex_lock(&s->dl.lock);
	}
	pthread_mutex_unlock(&s->dl.lock);
	return NULL;
}

/* Makes the lock and starts the sweeping thread. Returns GZ_OK or
 * GZ_ENOMEM. Stopped with server_deadlines_stop, freed with
 * server_deadlines_fini. */
static int
server_deadlines_start(struct http_server *s)
{
	pthread_condattr_t ca;
	int rc = GZ_ENOMEM;

	if (pthread_mutex_init(&s->dl.lock, NULL) != 0)
		return GZ_ENOMEM;
	if (pthread_condattr_init(&ca) != 0)
		goto fail_lock;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&s->dl.wake, &ca) == 0 ? GZ_OK : GZ_ENOMEM;
	pthread_condattr_destroy(&ca);
	if (rc != GZ_OK)
		goto fail_lock;
	if (pthread_create(&s->dl.thread, NULL, server_sweeper, s) != 0) {
		pthread_cond_destroy(&s->dl.wake);
		rc = GZ_ENOMEM;
		goto fail_lock;
	}
	s->dl.running = true;
	return GZ_OK;
fail_lock:
	pthread_mutex_destroy(&s->dl.lock);
	return rc;
}

/* Stops the sweeping thread; connections still open are tracked (the
 * lock stays) but no longer cut. */
static void
server_deadlines_stop(struct http_server *s)
{
	if (!s->dl.running)
		return;
	pthread_mutex_lock(&s->dl.lock);
	s->dl.stop = true;
	pthread_cond_signal(&s->dl.wake);
	pthread_mutex_unlock(&s->dl.lock);
	pthread_join(s->dl.thread, NULL);
	s->dl.running = false;
}

/* Frees the lock, once libmicrohttpd has closed every connection. */
static void
server_deadlines_fini(struct http_server *s)
{
	pthread_cond_destroy(&s->dl.wake);
	pthread_mutex_destroy(&s->dl.lock);
}

/* The connection limit this process can hold. The soft limit on file
 * descriptors is raised to the hard one (a service's soft limit is often
 * 1024 of a hard 500,000), and connections get what it allows less
 * GZ_LIMIT_FD_RESERVE, at most GZ_LIMIT_CONNECTIONS. */
static unsigned
server_connection_budget(void)
{
	struct rlimit rl;
	rlim_t avail;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return GZ_LIMIT_CONNECTIONS;
	if (rl.rlim_cur != rl.rlim_max) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = old;
	}
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= (rlim_t)GZ_LIMIT_CONNECTIONS + GZ_LIMIT_FD_RESERVE)
		return GZ_LIMIT_CONNECTIONS;
	avail = rl.rlim_cur > 2 * GZ_LIMIT_FD_RESERVE
		? rl.rlim_cur - GZ_LIMIT_FD_RESERVE
		: rl.rlim_cur / 2;
	if (avail == 0)
		avail = 1;
	log_error("http: %llu file descriptors allow %llu connections, not %u "
		  "(raise the hard limit: LimitNOFILE= under systemd)",
		  (unsigned long long)rl.rlim_cur, (unsigned long long)avail,
		  GZ_LIMIT_CONNECTIONS);
	return (unsigned)avail;
}

/* Queues r for req: the one place a response is handed to
 * libmicrohttpd. len is its body's size, for the reader's deadline. */
static enum MHD_Result
server_send(struct MHD_Connection *conn, const struct http_req *req,
	    unsigned status, struct MHD_Response *r, uint64_t len)
{
	const struct request_state *rs = req->server;

	/* RFC 9112 6.1: after a message whose framing is in doubt, the
	 * connection is not used again. */
	if (rs && rs->close_after)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	server_deadline_send(conn, len);
	return MHD_queue_response(conn, status, r);
}

static enum http_method
server_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTP_GET;
	if (strcmp(m, "HEAD") == 0)
		return HTTP_HEAD;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

/* ---- access log and metrics: what a request did --------------------------- */

/* The method's name for the error log. */
static const char *
server_method_name(enum http_method m)
{
	switch (m) {
	case HTTP_GET:
		return "GET";
	case HTTP_HEAD:
		return "HEAD";
	case HTTP_POST:
		return "POST";
	default:
		return "other";
	}
}

/* Notes the response queued for req: its status and body bytes (none
 * go out for a HEAD). */
static void
server_access_note(struct http_req *req, int status, uint64_t bytes)
{
	struct request_state *rs = req->server;

	if (!rs)
		return;
	rs->status = status;
	rs->bytes = rs->method == HTTP_HEAD ? 0 : bytes;
}

/* Formats the Allow header for a method mask into the pool. */
static const char *
server_allow(struct pool *pool, unsigned allowed)
{
	return pool_printf(pool, "%s%s%s",
			   (allowed & HTTP_GET) ? "GET, HEAD" : "",
			   (allowed & HTTP_GET) && (allowed & HTTP_POST) ? ", " : "",
			   (allowed & HTTP_POST) ? "POST" : "");
}

/* Fills resp with the error page for status. */
static void
server_error(struct http_server *s, struct http_req *req, int status,
	     struct http_resp *resp)
{
	buf_reset(&resp->body);
	resp->static_body = NULL;
	resp->nheaders = 0;
	resp->ncache_keys = 0;
	resp->nslots = 0;
	resp->esi = false;
	http_resp_header(resp, "Cache-Control", "no-store");
	resp->status = status;
	resp->content_type = NULL;
	if (s->opts.error_page)
		s->opts.error_page(s->opts.error_ctx, req, status, resp);
	if (!resp->content_type || (!resp->body.len && !resp->static_body)) {
		buf_reset(&resp->body);
		buf_printf(&resp->body, "%d %s\n", status, http_reason(status));
		resp->content_type = "text/plain; charset=utf-8";
	}
	resp->status = status;
}

/* Headers on every response. */
static void
server_headers_common(struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy",
				"strict-origin-when-cross-origin");
	MHD_add_response_header(r, "Content-Security-Policy", SERVER_CSP);
}

static enum MHD_Result
server_queue(struct MHD_Connection *conn, struct http_req *req,
	     struct http_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *ct = resp->content_type ? resp->content_type
					    : "text/html; charset=utf-8";
	int status = resp->status ? resp->status : 200;
	size_t i, len = 0;

	/* A file body (http_resp_file) goes out from its descriptor, in a
	 * 200 only: a 304, or an error page put in its place, closes it. */
	if (resp->file_set && status != 200) {
		close(resp->file_fd);
		resp->file_set = false;
	}
	if (resp->file_set) {
		len = (size_t)resp->file_len;
		r = MHD_create_response_from_fd64(resp->file_len, resp->file_fd);
		if (!r)
			close(resp->file_fd);
		resp->file_set = false; /* the response's now, or closed */
	} else if (resp->static_body && status != 304) {
		len = resp->static_len;
		r = MHD_create_response_from_buffer(
			resp->static_len,
			(void *)(uintptr_t)resp->static_body,
			MHD_RESPMEM_PERSISTENT);
	} else if (status == 304) {
		r = MHD_create_response_from_buffer(0, NULL,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		char *body = buf_detach(&resp->body, &len);

		r = MHD_create_response_from_buffer(len, body,
						    MHD_RESPMEM_MUST_FREE);
		if (!r)
			free(body);
	}
	if (!r)
		return MHD_NO;
	if (status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
	for (i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->headers[i].name,
					resp->headers[i].value);
	server_headers_common(r);
	ret = server_send(conn, req, (unsigned)status, r, len);
	MHD_destroy_response(r);
	server_access_note(req, status, status == 304 ? 0 : len);
	return ret;
}

/* ---- answers from the page cache ----------------------------------------- */

/* What one response of a cached page points to besides the page: its
 * slots' bytes and gzip's trailer. Freed when libmicrohttpd is done with
 * the response. */
struct served {
	struct cache_page *page;
	unsigned char trailer[8];
	char fill[]; /* the slots' bytes, one after the other */
};

static void
served_free(void *cls)
{
	struct served *sv = cls;

	cache_page_unref(sv->page);
	free(sv);
}

/* The same for a response that needs nothing but the page. */
static void
served_page_free(void *cls)
{
	cache_page_unref(cls);
}

/* True when an Accept-Encoding header accepts coding (a q of 0 refuses;
 * "*" stands for any coding not named). */
static bool
server_accepts(const char *ae, const char *coding)
{
	size_t clen = strlen(coding);
	bool star = false, named = false, ok = false;
	const char *p;

	for (p = ae; p && *p;) {
		size_t len;
		const char *q, *end;
		bool zero;

		p += strspn(p, " \t,");
		len = strcspn(p, ";, \t");
		end = p + strcspn(p, ",");
		q = memchr(p, ';', (size_t)(end - p));
		/* "q=0", "q=0.0", "q=0.000": refused. */
		zero = false;
		if (q) {
			q++;
			q += strspn(q, " \t");
			if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
				q += 2;
				zero = q[0] == '0' && strspn(q + 1, ".0") ==
					(size_t)(strcspn(q + 1, ", \t;"));
			}
		}
		if (len == clen && strncasecmp(p, coding, clen) == 0) {
			named = true;
			ok = !zero;
		} else if (len == 1 && *p == '*') {
			star = !zero;
		}
		p = end;
	}
	return named ? ok : star;
}

/* The encoding to send page in: brotli, else gzip, else none. */
static enum cache_enc
server_pick_enc(struct cache_page *page, const char *ae)
{
	if (!ae)
		return CACHE_IDENTITY;
	if (server_accepts(ae, "br") && cache_page_has(page, CACHE_BROTLI))
		return CACHE_BROTLI;
	if (server_accepts(ae, "gzip") && cache_page_has(page, CACHE_GZIP))
		return CACHE_GZIP;
	return CACHE_IDENTITY;
}

/* A page's ETag in an encoding: a compressed variant is another
 * representation, so it has its own strong tag ("...-gz"). Output in
 * out[len], used only when the tag needs a suffix. */
static const char *
server_page_etag(const struct cache_page *page, enum cache_enc enc,
		 char *out, size_t outlen)
{
	const char *etag = cache_page_etag(page);
	size_t len;

	if (!etag || enc == CACHE_IDENTITY)
		return etag;
	len = strlen(etag);
	if (len < 2 || etag[len - 1] != '"' || len + 3 >= outlen)
		return etag;
	memcpy(out, etag, len - 1);
	memcpy(out + len - 1, enc == CACHE_GZIP ? "-gz\"" : "-br\"", 5);
	return out;
}

/* Formats t as an HTTP date into out[32]. Pages are answered many times
 * with one date: each thread keeps the last one formatted. */
static void
server_http_date(int64_t t, char *out)
{
	static _Thread_local int64_t last_t = -1;
	static _Thread_local char last[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t != last_t) {
		gmtime_r(&tt, &tm);
		strftime(last, sizeof(last), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		last_t = t;
	}
	memcpy(out, last, sizeof(last));
}

/* True when If-Modified-Since says the client's copy of a page last
 * modified at lm is current. HTTP dates have whole seconds, and a page
 * can be made twice in one second (a change right after a view): only a
 * date at least a second after lm, and not in the future, proves the
 * client's copy is this version. A client that echoes Last-Modified gets
 * the page again, from the cache; one that sends If-None-Match (every
 * browser) is answered by its ETag. */
static bool
server_not_modified_since(const char *ims, int64_t lm)
{
	struct tm tm = {0};
	const char *end;
	int64_t t;

	if (!ims || !lm)
		return false;
	end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return false;
	t = (int64_t)timegm(&tm);
	return t > lm && t <= (int64_t)time(NULL);
}

/* Answers from a cached page, filling its slots for this response. Takes
 * over the caller's reference to page. */
static enum MHD_Result
server_queue_page(struct MHD_Connection *conn, struct http_req *req,
		  struct cache_page *page)
{
	struct MHD_Response *r = NULL;
	struct MHD_IoVec iov[CACHE_MAX_SEGS];
	struct cache_seg segs[CACHE_MAX_SEGS];
	const char *fills[HTTP_MAX_SLOTS];
	/* Valid to the end: held by page, or by the response (sv->page). */
	const struct cache_page *pg = page;
	struct served *sv = NULL;
	const struct cache_header *extra;
	enum cache_enc enc;
	const char *etag, *cc, *inm;
	char lm[32], etag_buf[96];
	size_t nslots = cache_page_nslots(page), nsegs, i, n, fill_len = 0;
	uint64_t sent = 0; /* body bytes: the access log, the reader's deadline */
	enum MHD_Result ret;
	int status = 200;

	enc = server_pick_enc(page, http_req_header(req,
				MHD_HTTP_HEADER_ACCEPT_ENCODING));
	etag = server_page_etag(page, enc, etag_buf, sizeof(etag_buf));
	inm = http_req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm ? http_etag_matches(inm, etag)
		: server_not_modified_since(http_req_header(req,
				MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
			cache_page_last_modified(page)))
		status = 304;
	if (status == 304) {
		r = MHD_create_response_from_buffer(0, NULL,
						    MHD_RESPMEM_PERSISTENT);
	} else if (nslots == 0 && enc != CACHE_GZIP) {
		/* Nothing per response (no slots, no gzip trailer): the
		 * segments point into the page alone, which the response
		 * holds. */
		unsigned char unused[8];

		nsegs = cache_page_segs(page, enc, NULL, unused, segs);
		for (i = 0, n = 0; i < nsegs; i++) {
			if (!segs[i].len)
				continue;
			iov[n].iov_base = segs[i].base;
			iov[n++].iov_len = segs[i].len;
			sent += segs[i].len;
		}
		if ((r = MHD_create_response_from_iovec(iov, (unsigned)n,
							served_page_free, page)))
			page = NULL; /* the response holds it now */
	} else {
		for (i = 0; i < nslots; i++)
			fill_len += cache_page_slot_len(page, i);
		sv = malloc(sizeof(*sv) + fill_len);
	}
	if (sv) {
		sv->page = page;
		if (nslots) {
			cache_fill_fn fn;
			void *ctx;
			int64_t arg;
			char *out[HTTP_MAX_SLOTS];
			size_t len[HTTP_MAX_SLOTS], at = 0;

			cache_page_fill(page, &fn, &ctx, &arg);
			for (i = 0; i < nslots; i++) {
				out[i] = sv->fill + at;
				fills[i] = sv->fill + at;
				len[i] = cache_page_slot_len(page, i);
				at += len[i];
			}
			fn(ctx, arg, out, len, nslots);
		}
		nsegs = cache_page_segs(page, enc, nslots ? fills : NULL,
					sv->trailer, segs);
		for (i = 0, n = 0; i < nsegs; i++) {
			if (!segs[i].len)
				continue;
			iov[n].iov_base = segs[i].base;
			iov[n++].iov_len = segs[i].len;
			sent += segs[i].len;
		}
		r = MHD_create_response_from_iovec(iov, (unsigned)n,
						   served_free, sv);
		if (!r)
			free(sv);
		else
			page = NULL; /* the response holds it now */
	}
	if (!r) {
		cache_page_unref(page);
		return MHD_NO;
	}
	if (status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					cache_page_content_type(pg));
	if (etag)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	if ((cc = cache_page_cache_control(pg)))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
	for (i = 0, n = cache_page_headers(pg, &extra); i < n; i++)
		MHD_add_response_header(r, extra[i].name, extra[i].value);
	if (cache_page_public_cors(pg))
		MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
	if (cache_page_last_modified(pg)) {
		server_http_date(cache_page_last_modified(pg), lm);
		MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, lm);
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (enc != CACHE_IDENTITY && status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
					enc == CACHE_GZIP ? "gzip" : "br");
	server_headers_common(r);
	ret = server_send(conn, req, (unsigned)status, r, sent);
	MHD_destroy_response(r);
	server_access_note(req, status, sent);
	cache_page_unref(page); /* a 304's reference; NULL otherwise */
	return ret;
}

/* A cache key being built: see server_cache_key. */
struct key_build {
	char *p;
	size_t len, cap;
	bool first, over;
};

static void
key_put_enc(struct key_build *k, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || strchr("-._~/", c);

		if (k->len + 3 >= k->cap) {
			k->over = true;
			return;
		}
		if (plain) {
			k->p[k->len++] = (char)c;
		} else {
			k->p[k->len++] = '%';
			k->p[k->len++] = hex[c >> 4];
			k->p[k->len++] = hex[c & 15];
		}
	}
}

static enum MHD_Result
key_each(void *cls, enum MHD_ValueKind kind, const char *key,
	 const char *value)
{
	struct key_build *k = cls;

	if (k->len + 2 >= k->cap) {
		k->over = true;
		return MHD_NO;
	}
	k->p[k->len++] = k->first ? '?' : '&';
	k->first = false;
	key_put_enc(k, key);
	if (value) {
		if (k->len + 2 >= k->cap) {
			k->over = true;
			return MHD_NO;
		}
		k->p[k->len++] = '=';
		key_put_enc(k, value);
	}
	return k->over ? MHD_NO : MHD_YES;
}

/* The page cache's key for a request: its path and query, every byte but
 * the plain ones percent-encoded again, so no two requests for different
 * things share a key. Output in key[CACHE_MAX_URL_BYTES]. Returns the
 * length, or 0 when too long. */
static size_t
server_cache_key(struct MHD_Connection *conn, const char *url, char *key)
{
	struct key_build k = {key, 0, CACHE_MAX_URL_BYTES, true, false};

	/* The decoded path is encoded again too: a "%3F" in it must not
	 * read as the start of a query. */
	key_put_enc(&k, url);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, key_each, &k);
	if (k.over)
		return 0;
	key[k.len] = '\0';
	return k.len;
}

/* The headers an edge reads off a page (docs/edge.md): with keys,
 * Surrogate-Key (space-separated) and Cache-Tag (comma-separated), "all"
 * then each key escaped by cache_key_token; for a page the edge
 * assembles (resp->esi), Surrogate-Control. Output: out[0..*n) (at most
 * SERVER_EDGE_HEADERS), in pool. Returns GZ_OK or GZ_ENOMEM. */
#define SERVER_EDGE_HEADERS 3
static int
server_edge_headers(struct pool *pool, const struct http_resp *resp,
		    struct cache_header *out, size_t *n)
{
	char tok[CACHE_KEY_TOKEN_BYTES];
	char *sk, *ct;
	size_t i, len, at;

	*n = 0;
	if (resp->esi) {
		out[*n].name = "Surrogate-Control";
		out[(*n)++].value = "content=\"ESI/1.0\"";
	}
	if (!resp->ncache_keys)
		return GZ_OK;
	/* Every key fits CACHE_KEY_TOKEN_BYTES, the separator in its NUL;
	 * "all" first, the key a purge of everything names. */
	len = (resp->ncache_keys + 1) * CACHE_KEY_TOKEN_BYTES;
	if (!(sk = pool_alloc(pool, len)) || !(ct = pool_alloc(pool, len)))
		return GZ_ENOMEM;
	at = sizeof(CACHE_EDGE_KEY_ALL) - 1;
	memcpy(sk, CACHE_EDGE_KEY_ALL, at);
	memcpy(ct, CACHE_EDGE_KEY_ALL, at);
	for (i = 0; i < resp->ncache_keys; i++) {
		size_t tlen = cache_key_token(resp->cache_keys[i], tok,
					      sizeof(tok));

		if (!tlen)
			continue;
		sk[at] = ' ';
		ct[at++] = ',';
		memcpy(sk + at, tok, tlen);
		memcpy(ct + at, tok, tlen);
		at += tlen;
	}
	sk[at] = ct[at] = '\0';
	out[*n].name = "Surrogate-Key";
	out[(*n)++].value = sk;
	out[*n].name = "Cache-Tag";
	out[(*n)++].value = ct;
	return GZ_OK;
}

/* The Cache-Control of a page the edge may keep: the handler's, unless it
 * said nothing or only no-cache (gazette's own revalidation), which the
 * edge's [edge] policy replaces. */
static const char *
server_edge_cache_control(const struct http_server *s,
			  const struct http_resp *resp)
{
	const char *cc = http_resp_header_get(resp, "Cache-Control");

	if (s->opts.edge_cache_control &&
	    (!cc || strcmp(cc, "no-cache") == 0))
		return s->opts.edge_cache_control;
	return cc;
}

/* An ESI page that is not kept in the cache (no keys, or the cache would
 * not take it) still goes to the edge with its headers: without
 * Surrogate-Control the edge would hand readers the bare include. Returns
 * GZ_OK or an error of http_resp_header. */
static int
server_edge_resp(const struct http_server *s, struct http_req *req,
		 struct http_resp *resp)
{
	struct cache_header edge[SERVER_EDGE_HEADERS];
	const char *cc = resp->ncache_keys ? server_edge_cache_control(s, resp)
					   : NULL;
	size_t i, n;
	int rc;

	if ((rc = server_edge_headers(req->pool, resp, edge, &n)) != GZ_OK)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = http_resp_header(resp, edge[i].name, edge[i].value)))
			return rc;
	if (cc && cc != http_resp_header_get(resp, "Cache-Control"))
		return http_resp_header(resp, "Cache-Control", cc);
	return GZ_OK;
}

/* Keeps a handler's 200 in the cache. Returns the page (a reference), or
 * NULL when it is not to be or cannot be kept. */
static struct cache_page *
server_cache_put(struct http_server *s, struct http_req *req,
		 struct http_resp *resp, const char *key, uint64_t gen)
{
	struct cache_page_input in = {0};
	struct cache_slot slots[HTTP_MAX_SLOTS];
	struct cache_header edge[SERVER_EDGE_HEADERS];
	struct cache_page *page = NULL;
	const char *cors;
	size_t i;

	in.url = key;
	in.status = 200;
	if (resp->static_body) {
		in.body = resp->static_body;
		in.len = resp->static_len;
	} else {
		in.body = resp->body.data ? resp->body.data : "";
		in.len = resp->body.len;
	}
	in.content_type = resp->content_type ? resp->content_type
					     : "text/html; charset=utf-8";
	in.etag = http_resp_header_get(resp, "ETag");
	if (!in.etag)
		in.etag = http_etag(req->pool, in.body, in.len);
	in.cache_control = server_edge_cache_control(s, resp);
	if (server_edge_headers(req->pool, resp, edge, &in.nheaders) != GZ_OK)
		return NULL; /* out of the pool's memory */
	in.headers = edge;
	/* The one other header a cached page keeps: public content for
	 * other origins' scripts (feeds, the JSON API). */
	in.public_cors = (cors = http_resp_header_get(resp,
				"Access-Control-Allow-Origin")) &&
			 strcmp(cors, "*") == 0;
	in.last_modified = (int64_t)time(NULL);
	in.keys = resp->cache_keys;
	in.nkeys = resp->ncache_keys;
	for (i = 0; i < resp->nslots; i++) {
		slots[i].offset = resp->slots[i].offset;
		slots[i].len = resp->slots[i].len;
	}
	in.slots = slots;
	in.nslots = resp->nslots;
	in.fill_fn = resp->fill;
	in.fill_ctx = resp->fill_ctx;
	in.fill_arg = resp->fill_arg;
	if (cache_put(s->opts.cache, &in, gen, &page) != GZ_OK)
		return NULL;
	return page;
}

/* Answers a request that will not be read to its end. */
static enum MHD_Result
server_refuse(struct http_server *s, struct MHD_Connection *conn,
	      struct request_state *rs, const char *url, int status,
	      unsigned allowed)
{
	struct http_req req = {.pool = rs->pool, .method = rs->method,
			       .path = url, .conn = conn, .server = rs};
	struct http_resp resp = {0};
	enum MHD_Result ret;

	if (rs->gated) {
		rs->answered = true;
		ret = server_queue(conn, &req, rs->gated);
		buf_fini(&rs->gated->body);
		rs->gated = NULL;
		return ret;
	}
	buf_init(&resp.body, GZ_LIMIT_PAGE_BYTES);
	server_error(s, &req, status, &resp);
	if (allowed)
		http_resp_header(&resp, "Allow", server_allow(rs->pool, allowed));
	rs->answered = true;
	ret = server_queue(conn, &req, &resp);
	buf_fini(&resp.body);
	return ret;
}

static enum MHD_Result
server_dispatch(struct http_server *s, struct MHD_Connection *conn,
		struct request_state *rs, const char *url)
{
	struct http_req req = {.pool = rs->pool, .method = rs->method,
			       .path = url, .path_escaped = rs->path_escaped,
			       .conn = conn, .form = rs->form,
			       .ip = rs->ip, .resumed = rs->resumed,
			       .state = rs->handler_state, .server = rs};
	struct http_resp resp = {0};
	http_handler_fn fn = NULL;
	http_gate_fn gate = NULL; /* passed already, on the headers */
	void *ctx = NULL;
	unsigned allowed = 0;
	enum MHD_Result ret;
	struct cache_page *page;
	char key[CACHE_MAX_URL_BYTES];
	size_t klen = 0;
	uint64_t gen = 0;
	const char *etag;
	int rc;

	/* A page in the cache is answered without routing or rendering. */
	if (s->opts.cache && (rs->method & (HTTP_GET | HTTP_HEAD)) &&
	    (klen = server_cache_key(conn, url, key)) > 0) {
		if (s->opts.sync)
			s->opts.sync(s->opts.sync_ctx);
		if ((page = cache_get(s->opts.cache, key, klen)) != NULL) {
			rs->cache = METRICS_CACHE_HIT;
			return server_queue_page(conn, &req, page);
		}
		rs->cache = METRICS_CACHE_MISS;
		gen = cache_generation(s->opts.cache);
	}
	buf_init(&resp.body, GZ_LIMIT_PAGE_BYTES);
	rc = http_router_match(s->opts.router, &req, &fn, &gate, &ctx,
			       &allowed);
	if (rc == GZ_EINVAL) {
		server_error(s, &req, 405, &resp);
		http_resp_header(&resp, "Allow", server_allow(rs->pool, allowed));
	} else if (rc != GZ_OK) {
		server_error(s, &req, http_status_of_err(rc), &resp);
	} else {
		rc = fn(ctx, &req, &resp);
		/* req.resumed, not rs->resumed: the writer may resume the
		 * request before its handler has even returned. */
		if (rc == GZ_EPENDING && rs->suspended && !req.resumed) {
			/* The handler answers when called again, after its
			 * http_resume. */
			rs->handler_state = req.state;
			buf_fini(&resp.body);
			return MHD_YES;
		}
		if (rc == GZ_EPENDING)
			rc = GZ_EINVAL; /* a handler's mistake: never pending twice */
		if (rc == GZ_OK && resp.body.err)
			rc = resp.body.err;
		if (rc != GZ_OK) {
			/* The server's failures; a reader's mistakes are in
			 * the access log. */
			if (http_status_of_err(rc) >= 500)
				log_error("%s %s: %s (answered %d)",
					  server_method_name(rs->method), url,
					  gz_strerror(rc), http_status_of_err(rc));
			server_error(s, &req, http_status_of_err(rc), &resp);
		}
	}
	/* A response that sets a cookie is one reader's: never kept. */
	if (klen && resp.ncache_keys && !resp.uncacheable &&
	    (resp.status == 0 || resp.status == 200) &&
	    !http_resp_header_get(&resp, "Set-Cookie") &&
	    (page = server_cache_put(s, &req, &resp, key, gen)) != NULL) {
		buf_fini(&resp.body);
		return server_queue_page(conn, &req, page);
	}
	if (resp.esi && (rc = server_edge_resp(s, &req, &resp)) != GZ_OK)
		server_error(s, &req, http_status_of_err(rc), &resp);
	/* Not cached: the slots are filled in the body itself. */
	http_resp_fill_now(&resp);
	/* Conditional GET: a body the client already has is not sent. */
	if ((resp.status == 0 || resp.status == 200) &&
	    (rs->method & (HTTP_GET | HTTP_HEAD))) {
		if (!(etag = http_resp_header_get(&resp, "ETag"))) {
			etag = resp.static_body
				? http_etag(rs->pool, resp.static_body, resp.static_len)
				: http_etag(rs->pool, resp.body.data ? resp.body.data : "",
					    resp.body.len);
			if (etag)
				http_resp_header(&resp, "ETag", etag);
		}
		if (etag && http_etag_matches(http_req_header(
			    &req, MHD_HTTP_HEADER_IF_NONE_MATCH), etag))
			resp.status = 304;
	}
	ret = server_queue(conn, &req, &resp);
	buf_fini(&resp.body);
	return ret;
}

struct http_resume *
http_req_suspend(struct http_req *req)
{
	struct request_state *rs = req->server;

	assert(rs && !rs->suspended);
	/* Counted before stopping is looked at, so that http_server_stop
	 * either sees this request or this request sees it stopping. */
	atomic_fetch_add(&rs->server->suspended, 1);
	if (atomic_load(&rs->server->stopping)) {
		atomic_fetch_sub(&rs->server->suspended, 1);
		return NULL;
	}
	rs->suspended = true;
	server_deadline_none(rs->conn);
	MHD_suspend_connection(rs->conn);
	return (struct http_resume *)(void *)rs;
}

void
http_resume(struct http_resume *r)
{
	struct request_state *rs = (struct request_state *)(void *)r;

	rs->resumed = true;
	/* rs may be gone from here on: the request can complete at once
	 * (server_on_completed uncounts it). */
	MHD_resume_connection(rs->conn);
}

/* Writes the peer's address as text into ip ("" when unknown). */
static void
server_peer(struct MHD_Connection *conn, char *ip, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	ip[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			  ip, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  ip, (socklen_t)len);
}

/* Counts the headers named in header_count's name (case-insensitive). */
struct header_count {
	const char *name;
	unsigned n;
};

static enum MHD_Result
header_count_each(void *cls, enum MHD_ValueKind kind, const char *key,
		  const char *value)
{
	struct header_count *h = cls;

	if (strcasecmp(key, h->name) == 0)
		h->n++;
	return MHD_YES;
}

static unsigned
server_header_count(struct MHD_Connection *conn, const char *name)
{
	struct header_count h = {name, 0};

	MHD_get_connection_values(conn, MHD_HEADER_KIND, header_count_each, &h);
	return h.n;
}

/* True for HTTP/1.1 and any later 1.x (libmicrohttpd hands over only
 * "HTTP/d.d", and answers other major versions itself). */
static bool
server_http11(const char *version)
{
	return version && strncmp(version, "HTTP/1.", 7) == 0 &&
	       version[7] >= '1' && version[7] <= '9' && version[8] == '\0';
}

/* RFC 9110 5.6.2: a field name is a token. */
static bool
server_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static enum MHD_Result
server_header_check(void *cls, enum MHD_ValueKind kind, const char *key,
		    size_t key_size, const char *value, size_t value_size)
{
	bool *bad = cls;
	size_t i;

	(void)kind;
	/* A name with white space before its colon ("Content-Length :") or
	 * any other character a token cannot hold: RFC 9112 5.1 says 400;
	 * libmicrohttpd keeps it as another name, and a proxy that reads it
	 * as Content-Length would frame the body otherwise. */
	if (!key_size)
		*bad = true;
	for (i = 0; i < key_size && !*bad; i++)
		if (!server_tchar((unsigned char)key[i]))
			*bad = true;
	/* A NUL, CR or LF inside a value (RFC 9110 5.5), where
	 * libmicrohttpd's C string would stop, or a folded line (obs-fold,
	 * RFC 9112 5.2) joined into it. */
	for (i = 0; value && i < value_size && !*bad; i++)
		if (value[i] == '\0' || value[i] == '\r' || value[i] == '\n')
			*bad = true;
	return *bad ? MHD_NO : MHD_YES;
}

/* True when every header line is well formed (server_header_check). */
static bool
server_headers_ok(struct MHD_Connection *conn)
{
	bool bad = false;

	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, server_header_check,
				    &bad);
	return !bad;
}

/* Reserves n bytes of the uploads' memory for rs (given back by
 * server_on_completed). Returns false when the uploads being read
 * already hold so much that n more would pass
 * GZ_LIMIT_UPLOAD_INFLIGHT_BYTES: the request is answered 503. */
static bool
server_upload_take(struct http_server *s, struct request_state *rs,
		   uint64_t n)
{
	uint64_t had = atomic_fetch_add(&s->upload_bytes, n);

	if (had + n > GZ_LIMIT_UPLOAD_INFLIGHT_BYTES) {
		atomic_fetch_sub(&s->upload_bytes, n);
		return false;
	}
	rs->upload_reserved = n;
	return true;
}

/* Runs the route's gate on req's headers (http_gate_fn). Returns 0 when
 * it lets the request in; else the status of its answer, which is kept
 * in rs->gated for server_refuse. */
static int
server_gate(struct http_server *s, struct request_state *rs,
	    struct http_req *req, http_gate_fn gate, void *ctx)
{
	struct http_resp *resp;
	int rc;

	if (!(resp = pool_calloc(rs->pool, 1, sizeof(*resp))))
		return http_status_of_err(GZ_ENOMEM);
	buf_init(&resp->body, GZ_LIMIT_PAGE_BYTES);
	rs->gated = resp;
	rc = gate(ctx, req, resp);
	if (rc == GZ_OK && resp->status == 0) {
		buf_fini(&resp->body);
		rs->gated = NULL;
		return 0;
	}
	if (rc == GZ_OK && resp->body.err)
		rc = resp->body.err;
	if (rc != GZ_OK) {
		if (http_status_of_err(rc) >= 500)
			log_error("%s %s: gate: %s (answered %d)",
				  server_method_name(rs->method), req->path,
				  gz_strerror(rc), http_status_of_err(rc));
		server_error(s, req, http_status_of_err(rc), resp);
	}
	return resp->status;
}

/* True when the raw request target's path (up to its query) holds
 * "%00": decoded, a NUL byte, at which every C string that reads the
 * path would stop ("/media/ab%00x" read as "/media/ab"). */
static bool
server_path_nul(const char *uri)
{
	size_t i;

	for (i = 0; uri[i] && uri[i] != '?'; i++)
		if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
			return true;
	return false;
}

/* Decides, from the headers alone, whether the request will be refused.
 * Returns the status (0: not refused); *allowed gets the methods for 405;
 * *now is set when the answer cannot wait for a body gazette cannot
 * frame (RFC 9112: a transfer coding it does not know). */
static int
server_refusal(struct http_server *s, struct MHD_Connection *conn,
	       struct request_state *rs, const char *url, const char *version,
	       unsigned *allowed, bool *now)
{
	struct http_req req = {.pool = rs->pool, .method = rs->method,
			       .path = url, .conn = conn, .ip = rs->ip};
	const char *cl = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	http_handler_fn fn;
	http_gate_fn gate;
	void *ctx;
	uint64_t declared = 0;
	bool oversize;
	int rc, status;

	*allowed = 0;
	*now = false;
	if (!server_headers_ok(conn)) {
		*now = true;
		rs->close_after = true;
		return 400;
	}
	/* The path libmicrohttpd decoded would be read cut at its NUL. */
	if (rs->path_nul)
		return 400;
	if (te && !server_http11(version)) {
		/* RFC 9112 6.1: Transfer-Encoding in an HTTP/1.0 request is
		 * faulty framing, whatever else it says. */
		*now = true;
		rs->close_after = true;
		return 400;
	}
	/* Only chunked, exactly and once, frames a body we can read.
	 * "chunked " (white space after it, RFC 9110 5.5) means chunked
	 * too, but libmicrohttpd 0.9.75 compares the value with its white
	 * space and, not seeing chunked, would read the body until the
	 * client closes and then drop the request: we cannot take it, and
	 * say so (docs/security.md). */
	if (te && (strcasecmp(te, "chunked") != 0 ||
		   server_header_count(conn, MHD_HTTP_HEADER_TRANSFER_ENCODING) != 1)) {
		*now = true;
		rs->close_after = true;
		return 501;
	}
	/* RFC 9112 6.3: more than one Content-Length, or one that is not a
	 * single decimal number ("0, 44"), leaves the body's end in doubt.
	 * libmicrohttpd frames by the first; a proxy in front may have used
	 * another, and the bytes between would be read as a second,
	 * smuggled request. Answered at once, and the connection closed. */
	if (cl && (server_header_count(conn, MHD_HTTP_HEADER_CONTENT_LENGTH) != 1 ||
		   http_parse_uint(cl, UINT64_MAX, &declared) != GZ_OK)) {
		*now = true;
		rs->close_after = true;
		return 400;
	}
	/* RFC 9112 6.1: with both, Transfer-Encoding frames the body (as
	 * libmicrohttpd reads it) and the connection is closed after the
	 * answer: a proxy in front may have framed it by Content-Length. */
	if (te && cl)
		rs->close_after = true;
	/* RFC 9112 3.2: an HTTP/1.1 request has exactly one Host, and so
	 * has one of any later HTTP/1.x (RFC 9110 2.5: a server reads a
	 * higher minor version as the highest it knows). */
	if (server_http11(version) &&
	    server_header_count(conn, MHD_HTTP_HEADER_HOST) != 1)
		return 400;
	oversize = cl && declared > rs->body_max;
	if (!(rs->method & (HTTP_POST | HTTP_OTHER)))
		return oversize ? 413 : 0;
	rc = http_router_match(s->opts.router, &req, &fn, &gate, &ctx, allowed);
	/* The route's gate speaks first, before any body byte is read or
	 * any upload memory promised, and before the size is judged: who
	 * may not post here is told so, and the one who may is told in the
	 * route's own words why a file is too large. */
	if (rc == GZ_OK && gate && rs->method == HTTP_POST &&
	    (status = server_gate(s, rs, &req, gate, ctx)) != 0)
		return status;
	if (oversize) {
		*allowed = 0;
		return 413;
	}
	if (rc == GZ_EINVAL)
		return 405;
	if (rc != GZ_OK)
		return http_status_of_err(rc);
	/* Past the uploads' budget: 503, the body drained as any refused
	 * one (read and dropped, no memory), so that the browser, which
	 * sends the whole file before it reads, shows the page rather than
	 * a reset. */
	if (rs->body_max > GZ_LIMIT_ADMIN_BODY_BYTES &&
	    !server_upload_take(s, rs, cl ? declared : rs->body_max))
		return 503;
	return 0;
}

/* Microseconds on the monotonic clock. */
static uint64_t
server_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Called by libmicrohttpd with the request line's raw target, before
 * anything else of the request: the request's state starts here, so
 * that its duration counts from its first line and even a request
 * libmicrohttpd refuses itself (431) reaches server_on_completed. The
 * return value is the request's *con_cls; NULL (out of memory) makes
 * server_on_request drop the connection. */
static void *
server_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request_state *rs;

	if (!(rs = calloc(1, sizeof(*rs))))
		return NULL;
	if (!(rs->pool = pool_new(GZ_LIMIT_REQUEST_POOL))) {
		free(rs);
		return NULL;
	}
	rs->t0 = server_now_us();
	rs->server = cls;
	rs->path_nul = server_path_nul(uri);
	rs->path_escaped = strcspn(uri, "%?") < strcspn(uri, "?");
	/* One byte past the limit, so that the log shows the cut. */
	if (log_access_enabled())
		rs->target = pool_strndup(
			rs->pool, uri, strnlen(uri, GZ_LIMIT_LOG_TARGET_BYTES + 1));
	return rs;
}

/* What the access log needs from the headers, taken on the request's
 * first call: the method as sent and the reader's address (behind a
 * trusted proxy, the last X-Forwarded-For entry, as comments count it). */
static void
server_access_start(struct http_server *s, struct request_state *rs,
		    struct MHD_Connection *conn, const char *method)
{
	const char *xff, *last;
	size_t len;

	len = strnlen(method, sizeof(rs->method_text) - 1);
	memcpy(rs->method_text, method, len);
	rs->method_text[len] = '\0';
	if (s->opts.trust_proxy &&
	    (xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					       "X-Forwarded-For")) != NULL) {
		last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		last += strspn(last, " \t");
		len = strcspn(last, " \t");
		if (len > 0 && len < sizeof(rs->peer)) {
			memcpy(rs->peer, last, len);
			rs->peer[len] = '\0';
			return;
		}
	}
	memcpy(rs->peer, rs->ip, sizeof(rs->ip));
}

/* Counts the finished request and writes its access-log line. */
static void
server_access_done(struct request_state *rs, struct MHD_Connection *conn)
{
	static const char *const cache_text[] = {"-", "hit", "miss"};
	struct log_access_rec rec;
	uint64_t us = server_now_us() - rs->t0;
	const union MHD_ConnectionInfo *ci;

	/* An answer libmicrohttpd made itself (431, its 400s) passed no
	 * server_queue: it knows the status it queued, as long as the
	 * response is still the connection's. */
	if (rs->status == 0 &&
	    (ci = MHD_get_connection_info(conn,
					  MHD_CONNECTION_INFO_HTTP_STATUS)) &&
	    ci->http_status >= 100 && ci->http_status < 1000)
		rs->status = (int)ci->http_status;
	metrics_http_request(rs->status, rs->bytes, us, rs->cache);
	if (!log_access_enabled())
		return;
	if (!rs->started) { /* refused by libmicrohttpd itself */
		server_peer(conn, rs->ip, sizeof(rs->ip));
		memcpy(rs->peer, rs->ip, sizeof(rs->ip));
	}
	rec.peer = rs->peer;
	rec.method = rs->method_text;
	rec.target = rs->target;
	rec.status = rs->status;
	rec.bytes = rs->bytes;
	rec.usec = us;
	rec.cache = cache_text[rs->cache];
	log_access_request(&rec);
}

/* The largest body a request may send: a POST to the editor's routes
 * (/admin/articles and below: an article's Markdown) up to
 * GZ_LIMIT_ADMIN_BODY_BYTES, a photo's upload (POST /admin/media, that
 * path only) up to GZ_LIMIT_UPLOAD_BODY_BYTES, anything else (the
 * sign-in form, a bulk moderation's ids, the settings)
 * GZ_LIMIT_BODY_BYTES, so that only a signed-in editor's routes accept
 * a body worth trickling. */
static size_t
server_body_max(enum http_method method, const char *path)
{
	static const char editor[] = "/admin/articles";
	size_t n = sizeof(editor) - 1;

	if (method != HTTP_POST)
		return GZ_LIMIT_BODY_BYTES;
	if (strncmp(path, editor, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/'))
		return GZ_LIMIT_ADMIN_BODY_BYTES;
	if (strcmp(path, "/admin/media") == 0)
		return GZ_LIMIT_UPLOAD_BODY_BYTES;
	return GZ_LIMIT_BODY_BYTES;
}

/* The most of a refused request's body that is read and dropped before
 * its answer (see the top of this file): GZ_LIMIT_UPLOAD_DRAIN_BYTES for
 * a photo's upload, which a person sends whole before reading the
 * answer, else GZ_LIMIT_DRAIN_BYTES. */
static size_t
server_drain_max(size_t body_max)
{
	return body_max == GZ_LIMIT_UPLOAD_BODY_BYTES
		? GZ_LIMIT_UPLOAD_DRAIN_BYTES : GZ_LIMIT_DRAIN_BYTES;
}

/* The path of a request target in absolute form ("http://host/a?b" is
 * "/a"; RFC 9112 3.2.2: a server must accept it, as a proxy sends it);
 * any other target as it is. libmicrohttpd has already split the query
 * off. */
static const char *
server_origin_form(const char *url)
{
	const char *p;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return url;
	p += strcspn(p, "/");
	return *p ? p : "/";
}

static enum MHD_Result
server_on_request(void *cls, struct MHD_Connection *conn, const char *url,
		  const char *method, const char *version,
		  const char *upload_data, size_t *upload_data_size,
		  void **con_cls)
{
	struct http_server *s = cls;
	struct request_state *rs = *con_cls;
	const char *expect, *cl;
	uint64_t declared = 0;
	bool at_once = false;

	if (!rs)
		return MHD_NO; /* server_on_uri ran out of memory */
	url = server_origin_form(url);
	if (!rs->started) {
		rs->started = true;
		rs->method = server_method(method);
		rs->server = s;
		rs->conn = conn;
		atomic_fetch_add(&s->active, 1);
		server_peer(conn, rs->ip, sizeof(rs->ip));
		server_access_start(s, rs, conn, method);
		rs->body_max = server_body_max(rs->method, url);
		rs->drain_max = server_drain_max(rs->body_max);
		server_deadline_request(conn, rs->body_max);
		rs->refuse = server_refusal(s, conn, rs, url, version,
					    &rs->allowed, &at_once);
		if (!rs->refuse && rs->method == HTTP_POST &&
		    !(rs->form = http_form_new(MHD_lookup_connection_value(
			      conn, MHD_HEADER_KIND,
			      MHD_HTTP_HEADER_CONTENT_TYPE), rs->body_max)))
			rs->refuse = 400; /* not a form: nothing we take */
		if (!rs->refuse)
			return MHD_YES; /* answer on the last call: keep-alive */
		/* A refused request's body is read and dropped before the
		 * answer: closing with unread bytes makes the kernel reset the
		 * connection, and the client may never see the answer. Only a
		 * client that waits for "100 Continue" before sending, or one
		 * that announces more than is worth draining, is answered at
		 * once. */
		expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_EXPECT);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && http_parse_uint(cl, UINT64_MAX, &declared) != GZ_OK)
			declared = UINT64_MAX;
		if (at_once || (expect && strcasecmp(expect, "100-continue") == 0) ||
		    declared > rs->drain_max)
			return server_refuse(s, conn, rs, url, rs->refuse,
					     rs->allowed);
		/* A body its route's gate refused is no one's known upload:
		 * drained in the time a GZ_LIMIT_BODY_BYTES body gets, not
		 * the route's, unless refused for its size (a person's file,
		 * given the time to see why). */
		if (rs->gated && rs->refuse != 413)
			server_deadline_request(conn, GZ_LIMIT_BODY_BYTES);
		return MHD_YES;
	}
	if (rs->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Count every body, so a chunked one cannot run on without
		 * bound; only a POST to a route that takes it is read. */
		rs->body_bytes += *upload_data_size;
		server_deadline_body_more(conn, rs->body_bytes);
		if (rs->form && !rs->refuse && rs->body_bytes <= rs->body_max)
			http_form_feed(rs->form, upload_data, *upload_data_size);
		*upload_data_size = 0;
		if (rs->body_bytes > rs->body_max && !rs->refuse)
			rs->refuse = 413;
		/* Only a refused body is cut, once past what is drained; an
		 * accepted one ends by its limit (413 above). */
		if (rs->refuse && rs->body_bytes > rs->drain_max)
			return server_refuse(s, conn, rs, url, rs->refuse,
					     rs->allowed);
		return MHD_YES;
	}
	if (!rs->finished) {
		rs->finished = true;
		/* The client has sent its part: the time the handler takes
		 * is ours, until the answer is queued. */
		server_deadline_none(conn);
		if (!rs->refuse && rs->form && !http_form_finish(rs->form))
			rs->refuse = 400;
	}
	if (rs->refuse)
		return server_refuse(s, conn, rs, url, rs->refuse, rs->allowed);
	return server_dispatch(s, conn, rs, url);
}

static void
server_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct request_state *rs = *con_cls;

	server_deadline_next(conn);
	if (!rs)
		return;
	server_access_done(rs, conn);
	if (rs->suspended)
		atomic_fetch_sub(&rs->server->suspended, 1);
	/* Counted when its handler first ran (server_on_request); a request
	 * libmicrohttpd refused itself never was. */
	if (rs->started)
		atomic_fetch_sub(&rs->server->active, 1);
	if (rs->upload_reserved)
		atomic_fetch_sub(&rs->server->upload_bytes, rs->upload_reserved);
	if (rs->gated)
		buf_fini(&rs->gated->body);
	http_form_free(rs->form);
	pool_free(rs->pool);
	free(rs);
	*con_cls = NULL;
}

static void
server_on_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_error("http: %s", msg);
}

/* Parses "ADDR:PORT" (IPv4, or IPv6 in brackets) into ss. */
static int
server_parse_listen(const char *listen, struct sockaddr_storage *ss,
		    socklen_t *sslen)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	struct addrinfo hints = {0}, *ai = NULL;
	uint64_t port;
	size_t hlen;

	if (!colon || http_parse_uint(colon + 1, 65535, &port) != GZ_OK)
		return GZ_EINVAL;
	hlen = (size_t)(colon - listen);
	if (hlen >= 2 && listen[0] == '[' && listen[hlen - 1] == ']') {
		listen++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return GZ_EINVAL;
	memcpy(host, listen, hlen);
	host[hlen] = '\0';
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0)
		return GZ_EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	return GZ_OK;
}

int
http_server_start(const struct http_server_opts *opts,
		  struct http_server **out, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct http_server *s = NULL;
	const union MHD_DaemonInfo *info;
	unsigned threads = opts->threads;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ERROR_LOG | MHD_USE_TURBO |
			 MHD_ALLOW_SUSPEND_RESUME;
	long ncpu;

	if (server_parse_listen(opts->listen, &ss, &sslen) != GZ_OK) {
		snprintf(err, errlen,
			 "listen address \"%s\": expected ADDRESS:PORT such as 127.0.0.1:8080",
			 opts->listen);
		return GZ_EINVAL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Four threads a core by default: a handler that waits on its thread
	 * (a cache miss's database read, later a password hash) must not
	 * stop the others reading. Comment POSTs never wait: a comment, and
	 * a refused one's spent token, are suspended until the writer has
	 * committed them (http_req_suspend). */
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = 4 * (ncpu > 0 ? (unsigned)ncpu : 1);
	}
	if (!(s = calloc(1, sizeof(*s))))
		return GZ_ENOMEM;
	s->opts = *opts;
	if (server_deadlines_start(s) != GZ_OK) {
		free(s);
		return GZ_ENOMEM;
	}
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, server_on_request, s,
		/* The logger must come first to see the other options' errors. */
		MHD_OPTION_EXTERNAL_LOGGER, server_on_log, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, server_connection_budget(),
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, opts->per_ip_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, GZ_LIMIT_IDLE_SECONDS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)GZ_LIMIT_HEADER_BYTES,
		MHD_OPTION_NOTIFY_COMPLETED, server_on_completed, s,
		MHD_OPTION_URI_LOG_CALLBACK, server_on_uri, s,
		MHD_OPTION_NOTIFY_CONNECTION, server_on_connection, s,
		MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen,
			 "cannot listen on %s (is another server using the port?)",
			 opts->listen);
		server_deadlines_stop(s);
		server_deadlines_fini(s);
		free(s);
		return GZ_EIO;
	}
	info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	*out = s;
	return GZ_OK;
}

unsigned
http_server_port(const struct http_server *s)
{
	return s->port;
}

/* Sleeps in 1 ms steps while suspended requests remain (or, when active
 * is set, any request under way), for at most *left steps, which it uses
 * up. */
static void
server_wait(struct http_server *s, bool active, unsigned *left)
{
	while (*left > 0 && (atomic_load(&s->suspended) > 0 ||
			     (active && atomic_load(&s->active) > 0))) {
		usleep(1000);
		(*left)--;
	}
}

void
http_server_stop(struct http_server *s)
{
	unsigned left = GZ_LIMIT_STOP_SECONDS * 1000u;
	MHD_socket fd;

	if (!s)
		return;
	/* No new connections. Requests already begun are finished first: a
	 * page being sent, a form whose body is still arriving and the
	 * comment it then queues (suspended until its group commit, which
	 * the writer answers within its busy timeout). */
	if ((fd = MHD_quiesce_daemon(s->daemon)) != MHD_INVALID_SOCKET)
		close(fd); /* no longer libmicrohttpd's once quiesced */
	server_wait(s, true, &left);
	/* Then no new suspensions (a request begun on a kept-alive
	 * connection from here on is answered 503), and the ones that got
	 * in before are waited for. Connections with no request under way
	 * are closed after. Should suspended requests remain, the daemon is
	 * left running rather than stopped under them (libmicrohttpd
	 * aborts, and a late resume would touch freed memory): the process
	 * is exiting. */
	atomic_store(&s->stopping, true);
	if (!left)
		left = 1000; /* a suspension that raced the flag: 1 s more */
	server_wait(s, false, &left);
	if (atomic_load(&s->suspended) > 0) {
		log_error("http: %u requests still waiting for the database; "
			  "exiting without them", atomic_load(&s->suspended));
		return;
	}
	if (atomic_load(&s->active) > 0)
		log_error("http: %u requests not finished after %u s; closing "
			  "them", atomic_load(&s->active), GZ_LIMIT_STOP_SECONDS);
	server_deadlines_stop(s);
	MHD_stop_daemon(s->daemon);
	server_deadlines_fini(s);
	free(s);
}
