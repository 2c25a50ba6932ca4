/*
 * buf.h - a growable byte buffer with a hard maximum.
 *
 * Every buffer is created with the most it may ever hold, so no outside
 * input can grow one without bound. Errors are sticky: after the first
 * failed append every later append fails too, and buf.err says why, so
 * a long run of appends needs one check at the end. data is always
 * NUL-terminated when non-NULL.
 */
#ifndef GZ_UTIL_BUF_H
#define GZ_UTIL_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	int err; /* enum gz_err: GZ_OK until an append fails */
};

/* Initialises b, owned by the caller, to hold at most max bytes. */
void buf_init(struct buf *b, size_t max);
/* Frees b's storage; b may be initialised again. */
void buf_fini(struct buf *b);
/* Empties b, keeping its storage, and clears its error. */
void buf_reset(struct buf *b);
/* Appends n bytes. Returns GZ_OK, GZ_ETOOBIG or GZ_ENOMEM. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
/* Appends printf-formatted text. */
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Replaces every occurrence of needle (non-empty) in b with value.
 * Returns GZ_OK, GZ_ETOOBIG or GZ_ENOMEM (b unchanged on error). */
int buf_replace(struct buf *b, const char *needle, const char *value);
/* Replaces bytes [off, off + remove) of b with p[0..n). Returns GZ_OK,
 * GZ_EINVAL (range outside b), GZ_ETOOBIG or GZ_ENOMEM (b unchanged on
 * error). */
int buf_splice(struct buf *b, size_t off, size_t remove, const void *p,
	       size_t n);
/* Hands b's bytes to the caller, who frees them with free(); b is left
 * empty. Output: *len gets the length when len is not NULL. */
char *buf_detach(struct buf *b, size_t *len);

#endif
