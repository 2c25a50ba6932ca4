/*
 * health.c - the operator's endpoints: /healthz, 200 "ok" when the
 * database answers (load balancers, monitors), and /metrics, the
 * counters of metrics/ in Prometheus's text format.
 *
 * Neither is ever kept in the page cache (no cache keys) nor in a
 * browser's or proxy's (Cache-Control: no-store): each answer is the
 * state of this moment. Who may read /metrics is [server] metrics
 * (docs/operations.md): by default only a peer on loopback whose request
 * carries no header a proxy adds.
 */
#include <string.h>

#include "config/config.h"
#include "metrics/metrics.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"

int
site_health(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	int rc;

	resp->content_type = "text/plain; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-store");
	if ((rc = store_ping(site->store)) != GZ_OK) {
		log_error("/healthz: the database does not answer: %s",
			  gz_strerror(rc));
		resp->status = 503;
		return buf_puts(&resp->body, "database unavailable\n");
	}
	return buf_puts(&resp->body, "ok\n");
}

/* True when the peer is this machine: 127.0.0.0/8 or ::1, also as an
 * IPv4-mapped IPv6 address. */
static bool
site_peer_loopback(const char *ip)
{
	if (!ip)
		return false;
	if (strncmp(ip, "::ffff:", 7) == 0)
		ip += 7;
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
}

/* True when the request carries a header that a proxy adds to what it
 * forwards: X-Forwarded-For, -Host, -Proto and the rest, X-Real-IP
 * (nginx's), Forwarded (RFC 7239). Any of them marks a reader's request
 * passed through, whatever the proxy's configuration sets. */
static bool
site_proxied(const struct http_req *req)
{
	return http_req_header_prefixed(req, "X-Forwarded-") ||
	       http_req_header(req, "X-Real-IP") ||
	       http_req_header(req, "Forwarded");
}

int
site_metrics(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;

	switch (site->cfg->metrics) {
	case CONFIG_METRICS_OFF:
		return GZ_ENOTFOUND;
	case CONFIG_METRICS_LOCAL:
		/* A proxy on this machine is a loopback peer too: what it
		 * forwards is a reader's request. That is known only from
		 * the headers it adds, so any proxy header refuses (with
		 * trust_proxy = yes or not); a proxy that adds none must
		 * block /metrics itself (docs/operations.md). */
		if (!site_peer_loopback(req->ip) || site_proxied(req))
			return GZ_EFORBIDDEN;
		break;
	case CONFIG_METRICS_ON:
		break;
	}
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-store");
	return metrics_render(&resp->body);
}
