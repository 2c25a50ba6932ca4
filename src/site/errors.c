/*
 * errors.c - error pages from the theme: 404, 405, 500... A reader who
 * mistypes a URL gets the site's header and navigation, not a bare
 * status line. If the theme itself fails, http/ falls back to plain text.
 */
#include <string.h>

#include "site/site.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"

static const char *
error_title(int status)
{
	switch (status) {
	case 400: return "Bad request";
	case 403: return "Request refused";
	case 404: return "Page not found";
	case 405: return "Method not allowed";
	case 413: return "Request too large";
	case 503: return "Service unavailable";
	}
	return status >= 500 ? "Something went wrong" : "Request refused";
}

static const char *
error_message(int status)
{
	switch (status) {
	case 400: return "The address or form could not be understood.";
	case 403: return "This form can only be sent from this site's own pages.";
	case 404: return "There is no page at this address. It may have moved, or the link may be mistyped.";
	case 405: return "This page cannot be changed with that kind of request.";
	case 413: return "The request was larger than this site accepts.";
	case 503: return "The site is busy. Please try again in a moment.";
	}
	return status >= 500 ? "The page could not be shown. Please try again later."
			     : "The request could not be handled.";
}

void
site_error_page(void *ctx, struct http_req *req, int status,
		struct http_resp *resp)
{
	/* Called by http/ outside any handler call: it holds a snapshot of
	 * its own (site_int.h). */
	struct site_snap *snap;
	struct site site;
	struct render_val *view;
	int rc;

	/* The API answers its errors in JSON, as everything else it says. */
	if (req->path && strncmp(req->path, "/api/", 5) == 0) {
		site_api_error(resp, status, error_message(status));
		return;
	}
	snap = site_snap_get(ctx);
	site_view_of(ctx, snap, &site);
	view = site_view_page(&site, req, error_title(status), NULL, NULL, NULL,
			      &rc);
	if (!view || render_obj_int(req->pool, view, "status", status) ||
	    render_obj_str(req->pool, view, "title", error_title(status)) ||
	    render_obj_str(req->pool, view, "message", error_message(status)) ||
	    site_render(&site, resp, "error", view) != GZ_OK) {
		buf_reset(&resp->body);
		resp->content_type = NULL; /* http/ writes a plain one */
	} else {
		http_resp_header(resp, "Cache-Control", "no-store");
	}
	site_snap_put(snap);
}
