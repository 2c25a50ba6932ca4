/*
 * response.c - statuses, the one place errors become HTTP statuses, and
 * ETags.
 */
#include <sodium.h>

#include "http/http.h"
#include "util/err.h"
#include "util/pool.h"

int
http_status_of_err(int err)
{
	switch (err) {
	case GZ_OK: return 200;
	case GZ_ENOTFOUND: return 404;
	case GZ_EINVAL: return 400;
	case GZ_ETOOBIG: return 413;
	case GZ_EBUSY: return 503;
	case GZ_EFORBIDDEN: return 403;
	default: return 500;
	}
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Unknown";
}

int
http_resp_redirect(struct http_resp *resp, int status, const char *location)
{
	if (!location)
		return GZ_ENOMEM; /* the caller's pool_printf failed */
	resp->status = status;
	resp->location = location;
	resp->content_type = "text/plain; charset=utf-8";
	return GZ_OK;
}

const char *
http_etag(struct pool *pool, const void *data, size_t len)
{
	unsigned char h[16];
	char hex[33];

	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return pool_printf(pool, "\"%s\"", hex);
}
