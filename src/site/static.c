/*
 * static.c - theme assets under /static/, from memory. Their names carry a
 * fingerprint of their content, so they can be cached for a year: a
 * changed file has a new name.
 */
#include "site/site_int.h"
#include "util/err.h"

int
site_static(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	const struct render_asset *a;

	if (!(a = render_theme_asset_find(site->theme, req->path)))
		return GZ_ENOTFOUND;
	resp->static_body = a->data;
	resp->static_len = a->len;
	resp->content_type = a->content_type;
	resp->etag = a->etag;
	resp->cache_control = "public, max-age=31536000, immutable";
	return GZ_OK;
}
