/*
 * server.c - libmicrohttpd's daemon and the life of one request.
 *
 * libmicrohttpd calls server_on_request several times per request: once
 * with the headers, once per piece of body, and once more at the end. We
 * answer on the last call, never on the first: a response queued with the
 * headers alone makes libmicrohttpd close the connection (no keep-alive),
 * which would turn every page view into a TCP handshake. The exceptions
 * are requests that will be refused anyway (a body over the limit, a
 * method the path does not take): those are answered at once, and the
 * connection closes without reading their body.
 *
 * Each request gets a struct request_state holding its pool; it is freed
 * by server_on_completed when libmicrohttpd is done with the connection's
 * request.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"
#include "http/http_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/pool.h"

/* Headers on every response: see docs/security.md. */
#define SERVER_CSP \
	"default-src 'none'; style-src 'self'; img-src 'self' https: data:; " \
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_server_opts opts;
	unsigned port;
};

struct request_state {
	struct pool *pool;
	enum http_method method;
	size_t body_bytes; /* received so far */
	int refuse;        /* the status it will be refused with, or 0 */
	unsigned allowed;  /* for a 405: the methods the path takes */
	bool answered;     /* a response was queued early */
	struct http_form *form; /* a POST's fields */
	char ip[INET6_ADDRSTRLEN];
};

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
	resp->etag = NULL;
	resp->location = NULL;
	resp->cache_control = "no-store";
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

static enum MHD_Result
server_queue(struct MHD_Connection *conn, struct http_req *req,
	     struct http_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	const char *ct = resp->content_type ? resp->content_type
					    : "text/html; charset=utf-8";
	int status = resp->status ? resp->status : 200;

	if (resp->static_body && status != 304)
		r = MHD_create_response_from_buffer(
			resp->static_len, (void *)(uintptr_t)resp->static_body,
			MHD_RESPMEM_PERSISTENT);
	else if (status == 304)
		r = MHD_create_response_from_buffer(0, NULL,
						    MHD_RESPMEM_PERSISTENT);
	else {
		size_t len;
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
	if (resp->etag)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
	if (resp->cache_control)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
					resp->cache_control);
	if (resp->location)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION,
					resp->location);
	if (resp->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy",
				"strict-origin-when-cross-origin");
	MHD_add_response_header(r, "Content-Security-Policy", SERVER_CSP);
	ret = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	if (status >= 500)
		log_error("%s answered %d", req->path, status);
	return ret;
}

/* Answers a request that will not be read to its end. */
static enum MHD_Result
server_refuse(struct http_server *s, struct MHD_Connection *conn,
	      struct request_state *rs, const char *url, int status,
	      unsigned allowed)
{
	struct http_req req = {.pool = rs->pool, .method = rs->method,
			       .path = url, .conn = conn};
	struct http_resp resp = {0};
	enum MHD_Result ret;

	buf_init(&resp.body, GZ_LIMIT_PAGE_BYTES);
	server_error(s, &req, status, &resp);
	if (allowed)
		resp.allow = server_allow(rs->pool, allowed);
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
			       .path = url, .conn = conn, .form = rs->form,
			       .ip = rs->ip};
	struct http_resp resp = {0};
	http_handler_fn fn = NULL;
	void *ctx = NULL;
	unsigned allowed = 0;
	enum MHD_Result ret;
	int rc;

	buf_init(&resp.body, GZ_LIMIT_PAGE_BYTES);
	rc = http_router_match(s->opts.router, &req, &fn, &ctx, &allowed);
	if (rc == GZ_EINVAL) {
		server_error(s, &req, 405, &resp);
		resp.allow = server_allow(rs->pool, allowed);
	} else if (rc != GZ_OK) {
		server_error(s, &req, http_status_of_err(rc), &resp);
	} else {
		rc = fn(ctx, &req, &resp);
		if (rc == GZ_OK && resp.body.err)
			rc = resp.body.err;
		if (rc != GZ_OK) {
			if (rc != GZ_ENOTFOUND && rc != GZ_EINVAL)
				log_error("%s: %s", url, gz_strerror(rc));
			server_error(s, &req, http_status_of_err(rc), &resp);
		}
	}
	/* Conditional GET: a body the client already has is not sent. */
	if ((resp.status == 0 || resp.status == 200) &&
	    (rs->method & (HTTP_GET | HTTP_HEAD))) {
		if (!resp.etag)
			resp.etag = resp.static_body
				? http_etag(rs->pool, resp.static_body, resp.static_len)
				: http_etag(rs->pool, resp.body.data ? resp.body.data : "",
					    resp.body.len);
		if (resp.etag && http_etag_matches(http_req_header(
			    &req, MHD_HTTP_HEADER_IF_NONE_MATCH), resp.etag))
			resp.status = 304;
	}
	ret = server_queue(conn, &req, &resp);
	buf_fini(&resp.body);
	return ret;
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

/* Decides, from the headers alone, whether the request will be refused.
 * Returns the status (0: not refused); *allowed gets the methods for 405. */
static int
server_refusal(struct http_server *s, struct MHD_Connection *conn,
	       struct request_state *rs, const char *url, unsigned *allowed)
{
	struct http_req req = {.pool = rs->pool, .method = rs->method,
			       .path = url, .conn = conn};
	const char *cl = MHD_lookup_connection_value(
		conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	http_handler_fn fn;
	void *ctx;
	uint64_t declared;
	int rc;

	*allowed = 0;
	if (cl && http_parse_uint(cl, UINT64_MAX, &declared) != GZ_OK)
		return 400; /* a Content-Length that is not a number */
	if (cl && declared > GZ_LIMIT_BODY_BYTES)
		return 413;
	if (!(rs->method & (HTTP_POST | HTTP_OTHER)))
		return 0;
	rc = http_router_match(s->opts.router, &req, &fn, &ctx, allowed);
	if (rc == GZ_EINVAL)
		return 405;
	return rc == GZ_OK ? 0 : http_status_of_err(rc);
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

	if (!rs) {
		if (!(rs = calloc(1, sizeof(*rs))))
			return MHD_NO;
		if (!(rs->pool = pool_new(GZ_LIMIT_REQUEST_POOL))) {
			free(rs);
			return MHD_NO;
		}
		rs->method = server_method(method);
		*con_cls = rs;
		server_peer(conn, rs->ip, sizeof(rs->ip));
		rs->refuse = server_refusal(s, conn, rs, url, &rs->allowed);
		if (!rs->refuse && rs->method == HTTP_POST &&
		    !(rs->form = http_form_new(conn)))
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
		if ((expect && strcasecmp(expect, "100-continue") == 0) ||
		    declared > GZ_LIMIT_DRAIN_BYTES)
			return server_refuse(s, conn, rs, url, rs->refuse,
					     rs->allowed);
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
		if (rs->form && !rs->refuse &&
		    rs->body_bytes <= GZ_LIMIT_BODY_BYTES)
			http_form_feed(rs->form, upload_data, *upload_data_size);
		*upload_data_size = 0;
		if (rs->body_bytes > GZ_LIMIT_BODY_BYTES && !rs->refuse)
			rs->refuse = 413;
		if (rs->body_bytes > GZ_LIMIT_DRAIN_BYTES)
			return server_refuse(s, conn, rs, url, rs->refuse,
					     rs->allowed);
		return MHD_YES;
	}
	if (!rs->refuse && rs->form && !http_form_finish(rs->form))
		rs->refuse = 400;
	if (rs->refuse)
		return server_refuse(s, conn, rs, url, rs->refuse, rs->allowed);
	return server_dispatch(s, conn, rs, url);
}

static void
server_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct request_state *rs = *con_cls;

	if (!rs)
		return;
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
			 MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	long ncpu;

	if (server_parse_listen(opts->listen, &ss, &sslen) != GZ_OK) {
		snprintf(err, errlen,
			 "listen address \"%s\": expected ADDRESS:PORT such as 127.0.0.1:8080",
			 opts->listen);
		return GZ_EINVAL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned)ncpu : 1;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return GZ_ENOMEM;
	s->opts = *opts;
	s->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, server_on_request, s,
		/* The logger must come first to see the other options' errors. */
		MHD_OPTION_EXTERNAL_LOGGER, server_on_log, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, GZ_LIMIT_CONNECTIONS,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, opts->per_ip_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, GZ_LIMIT_IDLE_SECONDS,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)GZ_LIMIT_HEADER_BYTES,
		MHD_OPTION_NOTIFY_COMPLETED, server_on_completed, s,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen,
			 "cannot listen on %s (is another server using the port?)",
			 opts->listen);
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

void
http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);
	free(s);
}
