/*
 * health.c - /healthz: 200 "ok" when the database answers, for load
 * balancers and monitors.
 */
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"

int
site_health(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;

	resp->content_type = "text/plain; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-store");
	if (store_ping(site->store) != GZ_OK) {
		resp->status = 503;
		return buf_puts(&resp->body, "database unavailable\n");
	}
	return buf_puts(&resp->body, "ok\n");
}
