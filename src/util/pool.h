/*
 * pool.h - a memory pool (arena) for things that live as long as one
 * request or one command.
 *
 * http/ creates one pool per request and frees it when the response is
 * done; everything request-scoped is allocated from it and never freed one
 * by one. A pool has a maximum, so a request cannot make the server
 * allocate without bound: past it pool_alloc returns NULL.
 */
#ifndef GZ_UTIL_POOL_H
#define GZ_UTIL_POOL_H

#include <stdarg.h>
#include <stddef.h>

struct pool;

/* Returns a new pool that hands out at most max bytes, or NULL when out of
 * memory. Caller frees with pool_free. */
struct pool *pool_new(size_t max);
/* Frees the pool and everything allocated from it; pool_free(NULL) is a
 * no-op. */
void pool_free(struct pool *p);
/* Releases everything allocated from p, keeping its first block. */
void pool_clear(struct pool *p);
/* Returns n bytes aligned for any type, or NULL past the pool's maximum or
 * when out of memory. Valid until the pool is cleared. */
void *pool_alloc(struct pool *p, size_t n);
/* Like pool_alloc, zero-filled; NULL also when n * size overflows. */
void *pool_calloc(struct pool *p, size_t n, size_t size);
/* Copies s (NUL-terminated) or its first n bytes into the pool. */
char *pool_strdup(struct pool *p, const char *s);
char *pool_strndup(struct pool *p, const char *s, size_t n);
/* Formats into the pool; NULL on failure. */
char *pool_printf(struct pool *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *pool_vprintf(struct pool *p, const char *fmt, va_list ap);

#endif
