/*
 * static.c - theme assets under /static/, from memory. Their names carry a
 * fingerprint of their content, so they can be cached for a year: a
 * changed file has a new name.
 */
#include <string.h>

#include "site/site_int.h"
#include "util/err.h"
#include "util/pool.h"

int
site_static(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	const struct render_asset *a;

	if (!(a = render_theme_asset_find(site->theme, req->path)))
		return GZ_ENOTFOUND;
	if (a->permanent) {
		resp->static_body = a->data;
	} else {
		/* A site's own asset dies with its theme, which a reload may
		 * free while the response is still being sent: the request's
		 * pool lives until it is done. Only cache misses copy. */
		unsigned char *copy = pool_alloc(req->pool, a->len ? a->len : 1);

		if (!copy)
			return GZ_ENOMEM;
		memcpy(copy, a->data, a->len);
		resp->static_body = copy;
	}
	resp->static_len = a->len;
	resp->content_type = a->content_type;
	http_resp_header(resp, "ETag", a->etag);
	http_resp_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
	/* Kept with its compressed variants; a theme reload clears all. */
	if (!http_req_query_only(req, site_no_query))
		return GZ_OK;
	return http_resp_cache_key(resp, req->pool, "static");
}

/* /favicon.ico, which browsers and feed readers ask for without reading
 * a page's head: a redirect to the theme's icon (its fingerprinted PNG,
 * so the redirect itself may be cached for a day). */
int
site_favicon(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	const char *url = render_theme_asset_url(site->theme, "logo.png");

	if (!url)
		return GZ_ENOTFOUND;
	http_resp_header(resp, "Cache-Control", "public, max-age=86400");
	return http_resp_redirect(resp, 301, url);
}
