/*
 * pool.c - arena allocator (see pool.h).
 *
 * Memory comes in blocks chained newest first; an allocation bumps a
 * pointer in the newest block, and a request larger than a block gets a
 * block of its own. Clearing frees every block but the oldest, so a
 * reused pool usually allocates nothing.
 */
#include "util/pool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_BLOCK 16384u
#define POOL_ALIGN _Alignof(max_align_t)

struct pool_block {
	struct pool_block *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	max_align_t data[];
};

struct pool {
	struct pool_block *head;
	size_t total; /* bytes in all blocks */
	size_t max;
};

static struct pool_block *
pool_block_new(size_t size)
{
	struct pool_block *b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	if (!(b = malloc(sizeof(*b) + size)))
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct pool *
pool_new(size_t max)
{
	struct pool *p = malloc(sizeof(*p));

	if (!p)
		return NULL;
	p->head = NULL;
	p->total = 0;
	p->max = max;
	return p;
}

void
pool_free(struct pool *p)
{
	struct pool_block *b, *next;

	if (!p)
		return;
	for (b = p->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(p);
}

void
pool_clear(struct pool *p)
{
	struct pool_block *b = p->head, *next;

	if (!b)
		return;
	/* Keep the oldest block: it is the one every request needs. */
	while (b->next) {
		next = b->next;
		p->total -= b->size;
		free(b);
		b = next;
	}
	b->used = 0;
	p->head = b;
}

void *
pool_alloc(struct pool *p, size_t n)
{
	struct pool_block *b = p->head;
	size_t size;
	void *r;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - POOL_ALIGN)
		return NULL;
	n = (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
	if (b && b->size - b->used >= n) {
		r = (char *)b->data + b->used;
		b->used += n;
		return r;
	}
	size = n > POOL_BLOCK ? n : POOL_BLOCK;
	/* Near the maximum (or under a maximum smaller than a block), a
	 * smaller block that still fits n. */
	if (p->total <= p->max && size > p->max - p->total &&
	    n <= p->max - p->total)
		size = p->max - p->total;
	if (size > p->max || p->total > p->max - size)
		return NULL;
	if (!(b = pool_block_new(size)))
		return NULL;
	p->total += size;
	if (n == size && p->head) {
		/* A big allocation gets its own block behind the current
		 * one, so the current block's free space stays usable. */
		b->next = p->head->next;
		p->head->next = b;
	} else {
		b->next = p->head;
		p->head = b;
	}
	b->used = n;
	return b->data;
}

void *
pool_calloc(struct pool *p, size_t n, size_t size)
{
	void *r;

	if (size && n > SIZE_MAX / size)
		return NULL;
	if ((r = pool_alloc(p, n * size)) != NULL)
		memset(r, 0, n * size);
	return r;
}

char *
pool_strndup(struct pool *p, const char *s, size_t n)
{
	char *r = pool_alloc(p, n + 1);

	if (!r)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *
pool_strdup(struct pool *p, const char *s)
{
	return pool_strndup(p, s, strlen(s));
}

char *
pool_vprintf(struct pool *p, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *r;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !(r = pool_alloc(p, (size_t)n + 1)))
		return NULL;
	vsnprintf(r, (size_t)n + 1, fmt, ap);
	return r;
}

char *
pool_printf(struct pool *p, const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	r = pool_vprintf(p, fmt, ap);
	va_end(ap);
	return r;
}
