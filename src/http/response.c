/*
 * response.c - statuses, the one place errors become HTTP statuses,
 * ETags, and what a handler puts in a response (headers, cache keys,
 * slots, a file body).
 */
#include <assert.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http/http.h"
#include "util/err.h"
#include "util/limits.h"
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
	case GZ_ECONFLICT: return 409;
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
	case 501: return "Not Implemented";
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
	resp->content_type = "text/plain; charset=utf-8";
	return http_resp_header(resp, "Location", location);
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

int
http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
	size_t i;

	if (!value)
		return GZ_ENOMEM;
	for (i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			resp->headers[i].value = value;
			return GZ_OK;
		}
	}
	return http_resp_header_add(resp, name, value);
}

int
http_resp_header_add(struct http_resp *resp, const char *name,
		     const char *value)
{
	if (!value)
		return GZ_ENOMEM;
	if (resp->nheaders == HTTP_MAX_HEADERS)
		return GZ_ETOOBIG;
	resp->headers[resp->nheaders].name = name;
	resp->headers[resp->nheaders].value = value;
	resp->nheaders++;
	return GZ_OK;
}

const char *
http_resp_header_get(const struct http_resp *resp, const char *name)
{
	size_t i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

int
http_resp_file(struct http_resp *resp, int fd, uint64_t len, const char *etag)
{
	int rc;

	assert(fd >= 0 && !resp->file_set && !resp->static_body);
	if ((rc = http_resp_header(resp, "ETag", etag)) != GZ_OK) {
		close(fd);
		return rc;
	}
	resp->file_fd = fd;
	resp->file_len = len;
	resp->file_set = true;
	/* The page cache keeps bytes, and these are not read: never kept. */
	resp->uncacheable = true;
	resp->ncache_keys = 0;
	return GZ_OK;
}

int
http_resp_cache_key(struct http_resp *resp, struct pool *pool, const char *key)
{
	size_t i;

	if (!key)
		return GZ_ENOMEM;
	if (resp->uncacheable)
		return GZ_ETOOBIG;
	for (i = 0; i < resp->ncache_keys; i++)
		if (strcmp(resp->cache_keys[i], key) == 0)
			return GZ_OK;
	if (resp->ncache_keys == HTTP_MAX_CACHE_KEYS) {
		/* A page whose keys are not all known is never kept. */
		resp->uncacheable = true;
		resp->ncache_keys = 0;
		return GZ_ETOOBIG;
	}
	if (!(resp->cache_keys[resp->ncache_keys] = pool_strdup(pool, key)))
		return GZ_ENOMEM;
	resp->ncache_keys++;
	return GZ_OK;
}

/* Placeholder bytes of a slot until it is filled: NUL never appears in a
 * page, so a compressor finds nothing in the page to match them with
 * (docs/cache.md). */
#define HTTP_SLOT_PLACEHOLDER '\0'

int
http_resp_slot(struct http_resp *resp, const char *marker, size_t len)
{
	struct buf *b = &resp->body;
	size_t mlen = strlen(marker), off, i;
	const char *hit;
	char pad[GZ_LIMIT_SLOT_BYTES];

	assert(mlen > 0);
	if (resp->nslots == HTTP_MAX_SLOTS || len > sizeof(pad) || len == 0)
		return GZ_ETOOBIG;
	if (!b->data || !(hit = memmem(b->data, b->len, marker, mlen)))
		return GZ_ENOTFOUND;
	off = (size_t)(hit - b->data);
	memset(pad, HTTP_SLOT_PLACEHOLDER, len);
	if (buf_splice(b, off, mlen, pad, len) != GZ_OK)
		return b->err ? b->err : GZ_ETOOBIG;
	/* Later slots move with the bytes before them. */
	for (i = 0; i < resp->nslots; i++)
		if (resp->slots[i].offset > off)
			resp->slots[i].offset = resp->slots[i].offset - mlen + len;
	for (i = resp->nslots; i > 0 && resp->slots[i - 1].offset > off; i--)
		resp->slots[i] = resp->slots[i - 1];
	resp->slots[i].offset = off;
	resp->slots[i].len = len;
	resp->nslots++;
	return GZ_OK;
}

void
http_resp_fill_now(struct http_resp *resp)
{
	char *out[HTTP_MAX_SLOTS];
	size_t len[HTTP_MAX_SLOTS], i;

	if (!resp->nslots || !resp->body.data)
		return;
	/* Slots without a fill are a handler's mistake: placeholders never
	 * leave the server. */
	assert(resp->fill);
	if (!resp->fill) {
		for (i = 0; i < resp->nslots; i++)
			memset(resp->body.data + resp->slots[i].offset, ' ',
			       resp->slots[i].len);
		resp->nslots = 0;
		return;
	}
	for (i = 0; i < resp->nslots; i++) {
		out[i] = resp->body.data + resp->slots[i].offset;
		len[i] = resp->slots[i].len;
	}
	resp->fill(resp->fill_ctx, resp->fill_arg, out, len, resp->nslots);
	resp->nslots = 0;
}
