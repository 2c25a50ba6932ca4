/*
 * cache_int.h - what cache.c (the table, references, eviction) and
 * compress.c (the gzip and brotli variants) share. No other module
 * includes this file.
 *
 * A variant is the whole response body of one encoding with each slot's
 * bytes kept raw at a fixed offset (hole[i]); a response is data with the
 * holes laid over by fresh bytes, plus (gzip) an 8-byte trailer made per
 * response from precomputed CRC-32 parts. The identity variant is the body
 * itself and the holes are the slots' offsets.
 */
#ifndef GZ_CACHE_INT_H
#define GZ_CACHE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/cache.h"

/* Where a variant is in its life; each moves only forward. */
enum cache_var_state {
	CACHE_VAR_UNBUILT = 0, /* nobody asked yet */
	CACHE_VAR_BUILDING,    /* one thread builds it; others wait on var_cv */
	CACHE_VAR_READY,       /* data is there and never changes again */
	CACHE_VAR_NONE,        /* will never be there (does not shrink, ...) */
};

struct cache_var {
	unsigned char *data;   /* owned, except for identity (the body) */
	size_t len;            /* bytes in data (without gzip's trailer) */
	size_t hole[CACHE_MAX_SLOTS]; /* offset in data of slot i's bytes */
	/* gzip only: the trailer of a response is
	 *   CRC = crc_base ^ sum_i shift(crc32(fill_i) ^ crc_ph[i], op[i])
	 * where shift multiplies by x^(8 * bytes after slot i) (op[i] from
	 * crc32_combine_gen), and ISIZE = len of the plain body. */
	uint32_t crc_base;     /* CRC-32 of the plain body as put */
	uint32_t crc_ph[CACHE_MAX_SLOTS]; /* CRC-32 of slot i as put */
	uint32_t op[CACHE_MAX_SLOTS];
};

struct cache_page {
	atomic_uint refs;          /* the cache holds one while in_cache */
	atomic_bool referenced;    /* CLOCK bit: set by cache_get */
	atomic_bool in_cache;      /* changed under the shard's lock */
	struct cache *cache;       /* valid only while in_cache */
	unsigned shard;
	uint64_t hash;             /* of url */
	/* Under the shard's lock: the bucket chain and the CLOCK ring. */
	struct cache_page *chain;
	struct cache_page *clock_prev, *clock_next;
	size_t charged;            /* bytes counted against the budget */

	/* Immutable once put; all point into this allocation. */
	const char *url;
	size_t url_len;
	const char *content_type;
	const char *etag;
	const char *cache_control;
	bool public_cors;
	int64_t last_modified;
	const unsigned char *body;
	size_t len;
	size_t nslots;
	struct cache_slot slots[CACHE_MAX_SLOTS];
	size_t nkeys;
	const char **keys;
	uint64_t *key_hash;
	size_t nheaders;
	struct cache_header headers[CACHE_MAX_HEADERS];
	cache_fill_fn fill_fn;
	void *fill_ctx;
	int64_t fill_arg;

	/* Variants: var[e] is written by the one builder before var_state[e]
	 * becomes READY (release), and only read after (acquire). */
	pthread_mutex_t var_mu;
	pthread_cond_t var_cv;
	atomic_int var_state[CACHE_NENC];
	struct cache_var var[CACHE_NENC];
};

/* Builds p's variant in enc (CACHE_GZIP or CACHE_BROTLI) into *out.
 * Returns GZ_OK, GZ_ENOTFOUND (no such variant: it does not shrink the
 * page, or brotli cannot splice this page exactly) or GZ_ENOMEM. On
 * error *out holds nothing to free. */
int cache_var_build(const struct cache_page *p, enum cache_enc enc,
		    struct cache_var *out);
/* Frees what cache_var_build made. */
void cache_var_fini(struct cache_var *v);
/* Writes gzip's 8-byte trailer (CRC-32, ISIZE) of the plain body of p
 * with slot i holding fill[i] into trailer. */
void cache_gzip_trailer(const struct cache_page *p, const struct cache_var *v,
			const char *const *fill, unsigned char *trailer);

#endif
