/* buf.c - growable, capped byte buffers (see buf.h). */
#include "util/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = GZ_OK;
}

void
buf_fini(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	b->err = GZ_OK;
}

/* Makes room for n more bytes plus the terminating NUL. */
static int
buf_grow(struct buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (n > b->max || b->len > b->max - n)
		return b->err = GZ_ETOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return GZ_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	/* cap - 1, not max + 1: max may be SIZE_MAX. */
	if (cap - 1 > b->max)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (!p)
		return b->err = GZ_ENOMEM;
	b->data = p;
	b->cap = cap;
	return GZ_OK;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	int rc;

	if ((rc = buf_grow(b, n)) != GZ_OK)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return GZ_OK;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->err = GZ_EINVAL;
	if ((rc = buf_grow(b, (size_t)n)) != GZ_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return GZ_OK;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	if (!p && (p = malloc(1)) != NULL)
		p[0] = '\0';
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = GZ_OK;
	return p;
}

int
buf_replace(struct buf *b, const char *needle, const char *value)
{
	size_t nlen = strlen(needle), vlen = strlen(value), at = 0;
	struct buf out;
	const char *hit;

	if (b->err)
		return b->err;
	if (!b->data || !nlen)
		return GZ_OK;
	if (!memmem(b->data, b->len, needle, nlen))
		return GZ_OK;
	buf_init(&out, b->max);
	while ((hit = memmem(b->data + at, b->len - at, needle, nlen))) {
		buf_append(&out, b->data + at, (size_t)(hit - (b->data + at)));
		buf_append(&out, value, vlen);
		at = (size_t)(hit - b->data) + nlen;
	}
	buf_append(&out, b->data + at, b->len - at);
	if (out.err) {
		int err = out.err;
		buf_fini(&out);
		return err;
	}
	free(b->data);
	b->data = out.data;
	b->len = out.len;
	b->cap = out.cap;
	return GZ_OK;
}

int
buf_splice(struct buf *b, size_t off, size_t remove, const void *p, size_t n)
{
	int rc;

	if (b->err)
		return b->err;
	if (off > b->len || remove > b->len - off)
		return GZ_EINVAL;
	if (n > remove && (rc = buf_grow(b, n - remove)) != GZ_OK)
		return rc;
	memmove(b->data + off + n, b->data + off + remove,
		b->len - off - remove + 1); /* with the NUL */
	memcpy(b->data + off, p, n);
	b->len = b->len - remove + n;
	return GZ_OK;
}
