/*
 * cache.c - the page cache's table: pages by URL in sharded hash tables,
 * reference-counted immutable pages, CLOCK eviction under a byte budget,
 * invalidation by key, the generation, and statistics. compress.c makes
 * the gzip and brotli variants; this file decides when.
 *
 * Invariants:
 * - A page is in at most one shard's table and CLOCK ring, and is there
 *   exactly while in_cache is true; the table then holds one reference.
 * - c->bytes is the sum of charged over the pages in the table; charged
 *   only grows (a variant is built) and only under the shard's lock.
 * - A hit takes the shard's lock for reading, adds a reference and sets
 *   the CLOCK bit with atomics: no allocation, no exclusive lock.
 * - A lock is held on one shard at a time, and no page is freed under a
 *   lock (references the table drops are released after unlocking).
 * See docs/cache.md.
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/cache_int.h"
#include "util/err.h"

/* Shards: hits on different shards share no lock. A power of two. */
#define NSHARDS 16u
/* Buckets a shard starts with; it doubles when it holds more pages. */
#define NBUCKETS0 64u
/* The last-invalidated generation of keys, by hash: cache_put refuses a
 * page if one of its keys' entry is newer than its gen. Two keys that
 * share an entry only make a put refused more often, never a stale page
 * kept. A power of two. */
#define NKEYGEN 1024u

struct shard {
	pthread_rwlock_t lock;
	struct cache_page **buckets; /* nbuckets chains */
	size_t nbuckets;
	size_t npages;
	struct cache_page *hand;     /* CLOCK hand; NULL when empty */
	/* Counted under the read lock, so atomic. */
	atomic_uint_least64_t hits, misses;
};

struct cache {
	size_t max_bytes;
	atomic_size_t bytes;
	atomic_size_t pages;
	atomic_uint_least64_t gen;
	atomic_uint_least64_t clear_gen;   /* the generation of the last clear */
	atomic_uint_least64_t keygen[NKEYGEN];
	atomic_uint evict_hand;            /* the next shard to evict from */
	atomic_uint_least64_t puts, evictions, invalidations;
	struct shard shards[NSHARDS];
};

/* FNV-1a, 64 bits: URLs and keys are short. */
static uint64_t
hash_bytes(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3u;
	}
	return h;
}

static size_t
bucket_of(const struct shard *s, uint64_t hash)
{
	/* The shard took the top bits; the bucket takes the low ones. */
	return (size_t)(hash & (s->nbuckets - 1));
}

static unsigned
shard_of(uint64_t hash)
{
	return (unsigned)(hash >> 60) & (NSHARDS - 1);
}

int
cache_new(size_t max_bytes, struct cache **out)
{
	struct cache *c;
	size_t i, j;

	assert(out);
	*out = NULL;
	if (!max_bytes)
		return GZ_EINVAL;
	if (!(c = calloc(1, sizeof(*c))))
		return GZ_ENOMEM;
	c->max_bytes = max_bytes;
	for (i = 0; i < NSHARDS; i++) {
		struct shard *s = &c->shards[i];

		s->nbuckets = NBUCKETS0;
		s->buckets = calloc(NBUCKETS0, sizeof(*s->buckets));
		if (!s->buckets || pthread_rwlock_init(&s->lock, NULL)) {
			free(s->buckets);
			for (j = 0; j < i; j++) {
				pthread_rwlock_destroy(&c->shards[j].lock);
				free(c->shards[j].buckets);
			}
			free(c);
			return GZ_ENOMEM;
		}
	}
	*out = c;
	return GZ_OK;
}

static void
page_free(struct cache_page *p)
{
	int e;

	for (e = CACHE_GZIP; e < CACHE_NENC; e++)
		if (atomic_load_explicit(&p->var_state[e],
					 memory_order_acquire) == CACHE_VAR_READY)
			cache_var_fini(&p->var[e]);
	pthread_cond_destroy(&p->var_cv);
	pthread_mutex_destroy(&p->var_mu);
	free(p);
}

void
cache_page_unref(struct cache_page *p)
{
	if (!p)
		return;
	/* acq_rel: the last one sees every write made under a reference. */
	if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
		page_free(p);
}

/* Takes p out of its shard's table and ring; the shard is write-locked.
 * The caller releases the table's reference after unlocking. */
static void
shard_remove(struct cache *c, struct shard *s, struct cache_page *p)
{
	struct cache_page **pp = &s->buckets[bucket_of(s, p->hash)];

	while (*pp != p)
		pp = &(*pp)->chain;
	*pp = p->chain;
	p->chain = NULL;
	if (p->clock_next == p) {
		s->hand = NULL;
	} else {
		if (s->hand == p)
			s->hand = p->clock_next;
		p->clock_prev->clock_next = p->clock_next;
		p->clock_next->clock_prev = p->clock_prev;
	}
	p->clock_next = p->clock_prev = NULL;
	s->npages--;
	atomic_fetch_sub(&c->bytes, p->charged);
	atomic_fetch_sub(&c->pages, 1);
	atomic_store(&p->in_cache, false);
}

/* Inserts p just behind the hand, where CLOCK reaches it last. */
static void
shard_insert(struct cache *c, struct shard *s, struct cache_page *p)
{
	size_t b = bucket_of(s, p->hash);

	p->chain = s->buckets[b];
	s->buckets[b] = p;
	if (!s->hand) {
		p->clock_next = p->clock_prev = p;
		s->hand = p;
	} else {
		p->clock_next = s->hand;
		p->clock_prev = s->hand->clock_prev;
		p->clock_prev->clock_next = p;
		s->hand->clock_prev = p;
	}
	s->npages++;
	atomic_fetch_add(&c->bytes, p->charged);
	atomic_fetch_add(&c->pages, 1);
	atomic_store(&p->in_cache, true);
}

/* Doubles the shard's buckets when it holds more pages than buckets. A
 * failed allocation keeps the old ones: chains only get longer. */
static void
shard_grow(struct shard *s)
{
	struct cache_page **nb, *p, *next;
	size_t n = s->nbuckets * 2, i;

	if (s->npages < s->nbuckets || !(nb = calloc(n, sizeof(*nb))))
		return;
	for (i = 0; i < s->nbuckets; i++) {
		for (p = s->buckets[i]; p; p = next) {
			next = p->chain;
			p->chain = nb[p->hash & (n - 1)];
			nb[p->hash & (n - 1)] = p;
		}
	}
	free(s->buckets);
	s->buckets = nb;
	s->nbuckets = n;
}

static struct cache_page *
shard_find(const struct shard *s, uint64_t hash, const char *url, size_t len)
{
	struct cache_page *p;

	for (p = s->buckets[bucket_of(s, hash)]; p; p = p->chain)
		if (p->hash == hash && p->url_len == len &&
		    !memcmp(p->url, url, len))
			return p;
	return NULL;
}

/* One CLOCK visit to one shard: the first page from the hand whose bit
 * is clear leaves; bits set on the way are cleared. One turn at most, so
 * a shard of hot pages gives none up while other shards hold cold ones.
 * Returns the page, whose table reference the caller releases, or NULL. */
static struct cache_page *
shard_evict_one(struct cache *c, struct shard *s)
{
	struct cache_page *p;
	size_t steps, n = s->npages;

	for (steps = 0; s->hand && steps < n; steps++) {
		p = s->hand;
		s->hand = p->clock_next;
		if (atomic_load_explicit(&p->referenced, memory_order_relaxed)) {
			atomic_store_explicit(&p->referenced, false,
					      memory_order_relaxed);
			continue;
		}
		shard_remove(c, s, p);
		return p;
	}
	return NULL;
}

/* Evicts pages until the cache is within its budget. Shards take turns,
 * one page each, so the hand sweeps them all like one clock. */
static void
cache_evict(struct cache *c)
{
	struct cache_page *p;
	unsigned idle = 0, i;

	/* Two rounds of visits without an eviction: every bit was cleared
	 * in the first, so the shards are empty. */
	while (atomic_load(&c->bytes) > c->max_bytes && idle < 2 * NSHARDS) {
		i = atomic_fetch_add(&c->evict_hand, 1) % NSHARDS;
		pthread_rwlock_wrlock(&c->shards[i].lock);
		p = shard_evict_one(c, &c->shards[i]);
		pthread_rwlock_unlock(&c->shards[i].lock);
		if (!p) {
			idle++;
			continue;
		}
		idle = 0;
		atomic_fetch_add_explicit(&c->evictions, 1, memory_order_relaxed);
		cache_page_unref(p);
	}
}

/* Drops every page for which match(p, key, hash) holds, shard by shard:
 * a read pass first, so a shard without such a page is not locked
 * exclusively. Returns how many left. */
static uint64_t
cache_drop(struct cache *c, bool (*match)(const struct cache_page *,
					  const char *, uint64_t),
	   const char *key, uint64_t hash)
{
	struct cache_page *p, *next, *dead;
	uint64_t n = 0;
	size_t i, k;
	bool any;

	for (i = 0; i < NSHARDS; i++) {
		struct shard *s = &c->shards[i];

		any = false;
		pthread_rwlock_rdlock(&s->lock);
		for (k = 0; k < s->nbuckets && !any; k++)
			for (p = s->buckets[k]; p && !any; p = p->chain)
				any = match(p, key, hash);
		pthread_rwlock_unlock(&s->lock);
		if (!any)
			continue;
		dead = NULL;
		pthread_rwlock_wrlock(&s->lock);
		for (k = 0; k < s->nbuckets; k++) {
			for (p = s->buckets[k]; p; p = next) {
				next = p->chain;
				if (!match(p, key, hash))
					continue;
				shard_remove(c, s, p);
				/* The chain is free again: reuse it. */
				p->chain = dead;
				dead = p;
			}
		}
		pthread_rwlock_unlock(&s->lock);
		for (; dead; dead = next) {
			next = dead->chain;
			n++;
			cache_page_unref(dead);
		}
	}
	return n;
}

static bool
match_all(const struct cache_page *p, const char *key, uint64_t hash)
{
	(void)p;
	(void)key;
	(void)hash;
	return true;
}

static bool
match_key(const struct cache_page *p, const char *key, uint64_t hash)
{
	size_t i;

	for (i = 0; i < p->nkeys; i++)
		if (p->key_hash[i] == hash && !strcmp(p->keys[i], key))
			return true;
	return false;
}

void
cache_free(struct cache *c)
{
	size_t i;

	if (!c)
		return;
	cache_drop(c, match_all, NULL, 0);
	for (i = 0; i < NSHARDS; i++) {
		pthread_rwlock_destroy(&c->shards[i].lock);
		free(c->shards[i].buckets);
	}
	free(c);
}

uint64_t
cache_generation(const struct cache *c)
{
	assert(c);
	return atomic_load(&c->gen);
}

/* Raises an atomic to at least v. */
static void
atomic_max(atomic_uint_least64_t *a, uint64_t v)
{
	uint64_t cur = atomic_load(a);

	while (cur < v && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

void
cache_invalidate(struct cache *c, const char *key)
{
	uint64_t h, gen, n;

	assert(c && key);
	h = hash_bytes(key, strlen(key));
	/* Mark the key first, then drop: a put that checks after the mark
	 * refuses, and a put that inserted before the drop is dropped. */
	gen = atomic_fetch_add(&c->gen, 1) + 1;
	atomic_max(&c->keygen[h & (NKEYGEN - 1)], gen);
	n = cache_drop(c, match_key, key, h);
	atomic_fetch_add_explicit(&c->invalidations, n, memory_order_relaxed);
}

void
cache_clear(struct cache *c)
{
	uint64_t gen, n;

	assert(c);
	gen = atomic_fetch_add(&c->gen, 1) + 1;
	atomic_max(&c->clear_gen, gen);
	n = cache_drop(c, match_all, NULL, 0);
	atomic_fetch_add_explicit(&c->invalidations, n, memory_order_relaxed);
}

/* Whether a page rendered at gen with keys kh[0..n) was made stale by an
 * invalidation or a clear since. */
static bool
stale(const struct cache *c, uint64_t gen, const uint64_t *kh, size_t n)
{
	size_t i;

	if (atomic_load(&c->clear_gen) > gen)
		return true;
	for (i = 0; i < n; i++)
		if (atomic_load(&c->keygen[kh[i] & (NKEYGEN - 1)]) > gen)
			return true;
	return false;
}

static size_t
str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copies s to *at and advances it; NULL stays NULL. */
static const char *
str_put(char **at, const char *s, size_t size)
{
	char *d = *at;

	if (!s)
		return NULL;
	memcpy(d, s, size);
	*at += size;
	return d;
}

static int
input_check(const struct cache_page_input *in, size_t *url_len)
{
	size_t i, end = 0;

	if (!in->url || !in->content_type || in->status != 200 ||
	    (!in->body && in->len) || in->nslots > CACHE_MAX_SLOTS ||
	    (in->nslots && !in->slots) || in->nkeys > CACHE_MAX_KEYS ||
	    (in->nkeys && !in->keys) || in->nheaders > CACHE_MAX_HEADERS ||
	    (in->nheaders && !in->headers))
		return GZ_EINVAL;
	for (i = 0; i < in->nheaders; i++)
		if (!in->headers[i].name || !in->headers[i].value ||
		    strlen(in->headers[i].name) > 64 ||
		    strlen(in->headers[i].value) > CACHE_MAX_HEADER_BYTES)
			return GZ_EINVAL;
	*url_len = strlen(in->url);
	if (*url_len > CACHE_MAX_URL_BYTES)
		return GZ_EINVAL;
	for (i = 0; i < in->nkeys; i++)
		if (!in->keys[i] || strlen(in->keys[i]) > CACHE_MAX_KEY_BYTES)
			return GZ_EINVAL;
	for (i = 0; i < in->nslots; i++) {
		const struct cache_slot *sl = &in->slots[i];

		if (sl->len < 1 || sl->len > CACHE_MAX_SLOT_BYTES ||
		    sl->offset < end || sl->offset > in->len ||
		    sl->len > in->len - sl->offset)
			return GZ_EINVAL;
		end = sl->offset + sl->len;
	}
	return GZ_OK;
}

/* Makes the page: one allocation for the struct, its strings, keys and
 * body. Returns NULL when out of memory. */
static struct cache_page *
page_make(const struct cache_page_input *in, size_t url_len)
{
	struct cache_page *p;
	size_t size, ksize = 0, i, ct, et, cc;
	char *at;
	int e;

	ct = str_size(in->content_type);
	et = str_size(in->etag);
	cc = str_size(in->cache_control);
	for (i = 0; i < in->nkeys; i++)
		ksize += strlen(in->keys[i]) + 1;
	for (i = 0; i < in->nheaders; i++)
		ksize += strlen(in->headers[i].name) + 1 +
			 strlen(in->headers[i].value) + 1;
	/* All sizes are capped by input_check, except the body's. */
	size = sizeof(*p) + in->nkeys * (sizeof(char *) + sizeof(uint64_t));
	if (in->len > SIZE_MAX - size - url_len - 1 - ct - et - cc - ksize)
		return NULL;
	size += url_len + 1 + ct + et + cc + ksize + in->len;
	if (!(p = calloc(1, size)))
		return NULL;
	at = (char *)(p + 1);
	p->key_hash = (uint64_t *)(void *)at;
	at += in->nkeys * sizeof(uint64_t);
	p->keys = (const char **)(void *)at;
	at += in->nkeys * sizeof(char *);
	p->url = str_put(&at, in->url, url_len + 1);
	p->url_len = url_len;
	p->content_type = str_put(&at, in->content_type, ct);
	p->etag = str_put(&at, in->etag, et);
	p->cache_control = str_put(&at, in->cache_control, cc);
	p->public_cors = in->public_cors;
	for (i = 0; i < in->nkeys; i++) {
		size_t n = strlen(in->keys[i]);

		p->keys[i] = str_put(&at, in->keys[i], n + 1);
		p->key_hash[i] = hash_bytes(in->keys[i], n);
	}
	p->nkeys = in->nkeys;
	for (i = 0; i < in->nheaders; i++) {
		p->headers[i].name = str_put(&at, in->headers[i].name,
					     strlen(in->headers[i].name) + 1);
		p->headers[i].value = str_put(&at, in->headers[i].value,
					      strlen(in->headers[i].value) + 1);
	}
	p->nheaders = in->nheaders;
	if (in->len)
		memcpy(at, in->body, in->len);
	p->body = (const unsigned char *)at;
	p->len = in->len;
	p->nslots = in->nslots;
	for (i = 0; i < in->nslots; i++)
		p->slots[i] = in->slots[i];
	p->last_modified = in->last_modified;
	p->fill_fn = in->fill_fn;
	p->fill_ctx = in->fill_ctx;
	p->fill_arg = in->fill_arg;
	p->hash = hash_bytes(in->url, url_len);
	p->shard = shard_of(p->hash);
	p->charged = size;
	atomic_init(&p->refs, 1);
	/* Not referenced yet: a page nobody asks for again leaves first. */
	atomic_init(&p->referenced, false);
	atomic_init(&p->in_cache, false);
	if (pthread_mutex_init(&p->var_mu, NULL)) {
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->var_cv, NULL)) {
		pthread_mutex_destroy(&p->var_mu);
		free(p);
		return NULL;
	}
	/* Identity is the body itself: ready from the start. */
	p->var[CACHE_IDENTITY].data = (unsigned char *)at;
	p->var[CACHE_IDENTITY].len = in->len;
	for (i = 0; i < in->nslots; i++)
		p->var[CACHE_IDENTITY].hole[i] = in->slots[i].offset;
	atomic_init(&p->var_state[CACHE_IDENTITY], CACHE_VAR_READY);
	for (e = CACHE_GZIP; e < CACHE_NENC; e++)
		atomic_init(&p->var_state[e], CACHE_VAR_UNBUILT);
	return p;
}

int
cache_put(struct cache *c, const struct cache_page_input *in, uint64_t gen,
	  struct cache_page **out)
{
	struct cache_page *p, *old = NULL;
	struct shard *s;
	size_t url_len;
	int err;

	assert(c && in && out);
	*out = NULL;
	if ((err = input_check(in, &url_len)) != GZ_OK)
		return err;
	if (!(p = page_make(in, url_len)))
		return GZ_ENOMEM;
	atomic_fetch_add_explicit(&c->puts, 1, memory_order_relaxed);
	*out = p;
	if (p->charged > c->max_bytes)
		return GZ_OK; /* too big to keep: handed back only */

	s = &c->shards[p->shard];
	pthread_rwlock_wrlock(&s->lock);
	/* Checked under the lock that cache_drop takes: see invalidate. */
	if (stale(c, gen, p->key_hash, p->nkeys)) {
		pthread_rwlock_unlock(&s->lock);
		return GZ_OK;
	}
	if ((old = shard_find(s, p->hash, p->url, p->url_len)))
		shard_remove(c, s, old);
	shard_grow(s);
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
	p->cache = c;
	shard_insert(c, s, p);
	pthread_rwlock_unlock(&s->lock);
	cache_page_unref(old);
	cache_evict(c);
	return GZ_OK;
}

struct cache_page *
cache_get(struct cache *c, const char *url, size_t len)
{
	struct cache_page *p;
	struct shard *s;
	uint64_t h;

	assert(c && (url || !len));
	h = hash_bytes(url, len);
	s = &c->shards[shard_of(h)];
	pthread_rwlock_rdlock(&s->lock);
	p = shard_find(s, h, url, len);
	if (p) {
		atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
		/* Test first: a hot page's cache line is not written on
		 * every hit. */
		if (!atomic_load_explicit(&p->referenced, memory_order_relaxed))
			atomic_store_explicit(&p->referenced, true,
					      memory_order_relaxed);
	}
	pthread_rwlock_unlock(&s->lock);
	atomic_fetch_add_explicit(p ? &s->hits : &s->misses, 1,
				  memory_order_relaxed);
	return p;
}

/* Counts a variant's bytes against the budget, if p is still kept. */
static void
page_charge(struct cache_page *p, size_t bytes)
{
	struct cache *c;
	struct shard *s;
	bool kept;

	if (!atomic_load(&p->in_cache))
		return;
	c = p->cache;
	s = &c->shards[p->shard];
	pthread_rwlock_wrlock(&s->lock);
	kept = atomic_load(&p->in_cache);
	if (kept) {
		p->charged += bytes;
		atomic_fetch_add(&c->bytes, bytes);
	}
	pthread_rwlock_unlock(&s->lock);
	if (kept)
		cache_evict(c);
}

bool
cache_page_has(struct cache_page *p, enum cache_enc enc)
{
	int st;

	assert(p && enc < CACHE_NENC);
	st = atomic_load_explicit(&p->var_state[enc], memory_order_acquire);
	if (st == CACHE_VAR_READY || st == CACHE_VAR_NONE)
		return st == CACHE_VAR_READY;

	pthread_mutex_lock(&p->var_mu);
	while ((st = atomic_load(&p->var_state[enc])) == CACHE_VAR_BUILDING)
		pthread_cond_wait(&p->var_cv, &p->var_mu);
	if (st != CACHE_VAR_UNBUILT) {
		pthread_mutex_unlock(&p->var_mu);
		return st == CACHE_VAR_READY;
	}
	atomic_store(&p->var_state[enc], CACHE_VAR_BUILDING);
	pthread_mutex_unlock(&p->var_mu);

	/* Built without the lock: askers of other encodings do not wait. */
	st = cache_var_build(p, enc, &p->var[enc]) == GZ_OK ? CACHE_VAR_READY
							    : CACHE_VAR_NONE;

	pthread_mutex_lock(&p->var_mu);
	atomic_store_explicit(&p->var_state[enc], st, memory_order_release);
	pthread_cond_broadcast(&p->var_cv);
	pthread_mutex_unlock(&p->var_mu);
	if (st == CACHE_VAR_READY)
		page_charge(p, sizeof(struct cache_var) + p->var[enc].len);
	return st == CACHE_VAR_READY;
}

size_t
cache_page_len(const struct cache_page *p, enum cache_enc enc)
{
	assert(p && enc < CACHE_NENC);
	assert(atomic_load(&p->var_state[enc]) == CACHE_VAR_READY);
	return p->var[enc].len + (enc == CACHE_GZIP ? 8 : 0);
}

size_t
cache_page_segs(const struct cache_page *p, enum cache_enc enc,
		const char *const *fill, unsigned char *trailer,
		struct cache_seg *segs)
{
	const struct cache_var *v;
	size_t n = 0, pos = 0, i;

	assert(p && enc < CACHE_NENC && segs);
	assert(atomic_load(&p->var_state[enc]) == CACHE_VAR_READY);
	assert(fill || !p->nslots);
	v = &p->var[enc];
	/* Empty runs (a slot at 0, adjacent slots) make no segment. */
	for (i = 0; i < p->nslots; i++) {
		if (v->hole[i] > pos) {
			segs[n].base = v->data + pos;
			segs[n++].len = v->hole[i] - pos;
		}
		segs[n].base = fill[i];
		segs[n++].len = p->slots[i].len;
		pos = v->hole[i] + p->slots[i].len;
	}
	if (v->len > pos) {
		segs[n].base = v->data + pos;
		segs[n++].len = v->len - pos;
	}
	if (enc == CACHE_GZIP) {
		assert(trailer);
		cache_gzip_trailer(p, v, fill, trailer);
		segs[n].base = trailer;
		segs[n++].len = 8;
	}
	assert(n <= CACHE_MAX_SEGS);
	return n;
}

const char *
cache_page_content_type(const struct cache_page *p)
{
	return p->content_type;
}

const char *
cache_page_etag(const struct cache_page *p)
{
	return p->etag;
}

bool
cache_page_public_cors(const struct cache_page *p)
{
	return p->public_cors;
}

const char *
cache_page_cache_control(const struct cache_page *p)
{
	return p->cache_control;
}

int64_t
cache_page_last_modified(const struct cache_page *p)
{
	return p->last_modified;
}

size_t
cache_key_token(const char *key, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	assert(key && out);
	for (; *key; key++) {
		unsigned char c = (unsigned char)*key;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr("-._~:/", c))) {
			if (n + 1 >= cap)
				return 0;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= cap)
				return 0;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (n == 0 || n >= cap)
		return 0;
	out[n] = '\0';
	return n;
}

size_t
cache_page_headers(const struct cache_page *p,
		   const struct cache_header **headers)
{
	*headers = p->headers;
	return p->nheaders;
}

size_t
cache_page_nslots(const struct cache_page *p)
{
	return p->nslots;
}

size_t
cache_page_slot_len(const struct cache_page *p, size_t i)
{
	assert(i < p->nslots);
	return p->slots[i].len;
}

void
cache_page_fill(const struct cache_page *p, cache_fill_fn *fn, void **ctx,
		int64_t *arg)
{
	*fn = p->fill_fn;
	*ctx = p->fill_ctx;
	*arg = p->fill_arg;
}

void
cache_stats(const struct cache *c, struct cache_stats *out)
{
	size_t i;

	assert(c && out);
	memset(out, 0, sizeof(*out));
	for (i = 0; i < NSHARDS; i++) {
		out->hits += atomic_load_explicit(&c->shards[i].hits,
						  memory_order_relaxed);
		out->misses += atomic_load_explicit(&c->shards[i].misses,
						    memory_order_relaxed);
	}
	out->puts = atomic_load_explicit(&c->puts, memory_order_relaxed);
	out->evictions = atomic_load_explicit(&c->evictions,
					      memory_order_relaxed);
	out->invalidations = atomic_load_explicit(&c->invalidations,
						  memory_order_relaxed);
	out->bytes = atomic_load(&c->bytes);
	out->pages = atomic_load(&c->pages);
}
