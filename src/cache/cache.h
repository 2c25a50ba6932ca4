/*
 * cache.h - the page cache: rendered pages by URL, with their gzip and
 * brotli variants made once per version, and the keys whose change drops
 * them.
 *
 * Data flow: http/ renders a page through its handler on a miss and hands
 * the bytes here (cache_put); later requests for the same URL are answered
 * from the returned struct cache_page without routing, rendering or
 * touching the database. The store's change events name keys ("article:12",
 * "section:city", "front", ...); cache_invalidate drops every page that
 * carries one, at once.
 *
 * Per-response parts: a page may have up to CACHE_MAX_SLOTS slots, byte
 * ranges of fixed length whose content differs on every response (the
 * CAPTCHA question, its spoken form, its token). Every variant keeps each
 * slot's bytes stored raw (gzip: a stored block between full flushes;
 * brotli: an uncompressed meta-block), so a response is the variant's
 * shared bytes with fresh slot bytes laid over them: segments, never a
 * re-render or a recompression. See docs/cache.md.
 *
 * Threads: every function may be called from any thread. A page is
 * immutable once made, apart from its variants, each made at most once
 * (the first request that asks for it builds it; others wait for that one
 * build, then read it without a lock). Pages are reference-counted: a
 * page dropped from the cache stays valid until its last reference goes.
 *
 * No libmicrohttpd type appears here: http/ turns struct cache_seg into
 * its own iovecs.
 */
#ifndef GZ_CACHE_H
#define GZ_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/limits.h"

/* Slots per page, and the longest slot (a brotli uncompressed meta-block
 * of at most 65,536 bytes holds one with room to spare): limits.h. */
#define CACHE_MAX_SLOTS GZ_LIMIT_PAGE_SLOTS
#define CACHE_MAX_SLOT_BYTES GZ_LIMIT_SLOT_BYTES
/* Invalidation keys per page, and the longest key. */
#define CACHE_MAX_KEYS GZ_LIMIT_PAGE_KEYS
#define CACHE_MAX_KEY_BYTES 128u
/* Extra headers a page keeps (names of at most 64 bytes), and the
 * longest value. */
#define CACHE_MAX_HEADERS GZ_LIMIT_PAGE_HEADERS
#define CACHE_MAX_HEADER_BYTES GZ_LIMIT_PAGE_HEADER_BYTES
/* Longest URL (path and query) a page is kept under. */
#define CACHE_MAX_URL_BYTES GZ_LIMIT_CACHE_URL_BYTES
/* Segments a response of one page is made of: the shared runs between
 * slots, the slots, and a trailer (gzip's CRC-32 and length). */
#define CACHE_MAX_SEGS (2 * CACHE_MAX_SLOTS + 2)

enum cache_enc {
	CACHE_IDENTITY = 0,
	CACHE_GZIP,
	CACHE_BROTLI,
	CACHE_NENC
};

/* A slot: bytes [offset, offset + len) of the plain body. */
struct cache_slot {
	size_t offset;
	size_t len;
};

/* A header kept with a page and sent with every response of it. */
struct cache_header {
	const char *name;
	const char *value;
};

/* Writes each slot's bytes for one response: out[i] gets exactly len[i]
 * bytes (http/'s http_fill_fn has this type). */
typedef void (*cache_fill_fn)(void *ctx, int64_t arg, char *const *out,
			      const size_t *len, size_t n);

/* What http/ hands cache_put. Everything is copied: the caller keeps
 * ownership of its strings and buffers. */
struct cache_page_input {
	const char *url;           /* key: path and query, as requested */
	const void *body;          /* plain bytes, slots holding placeholders */
	size_t len;
	int status;                /* 200; other statuses are not cached */
	const char *content_type;  /* required */
	const char *etag;          /* quoted, or NULL: no validator */
	const char *cache_control; /* NULL: none */
	bool public_cors;          /* answer Access-Control-Allow-Origin: * */
	int64_t last_modified;     /* UTC seconds, 0: none */
	const char *const *keys;   /* invalidation keys */
	size_t nkeys;
	/* Sent with every response of the page, as they are (the edge's
	 * Surrogate-Key and Cache-Tag): at most CACHE_MAX_HEADERS. */
	const struct cache_header *headers;
	size_t nheaders;
	/* Sorted by offset, not overlapping, each 1..CACHE_MAX_SLOT_BYTES
	 * long, inside the body. */
	const struct cache_slot *slots;
	size_t nslots;
	/* Kept for http/, never called by the cache: what fills the slots
	 * of a response (the handler's callback, its context and
	 * argument). */
	cache_fill_fn fill_fn;
	void *fill_ctx;
	int64_t fill_arg;
};

/* One response's worth of bytes: a sequence of segments. */
struct cache_seg {
	const void *base;
	size_t len;
};

struct cache;
struct cache_page;

/* Makes an empty cache holding at most max_bytes of pages and variants
 * (least recently used pages leave first). Output: *out. Returns GZ_OK,
 * GZ_EINVAL (max_bytes 0) or GZ_ENOMEM. Caller frees with cache_free. */
int cache_new(size_t max_bytes, struct cache **out);
/* Drops every page (pages still referenced live until unreferenced) and
 * frees the cache; cache_free(NULL) does nothing. No other thread may be
 * calling into the cache meanwhile. */
void cache_free(struct cache *c);

/* Stores a page under in->url, replacing any page there. Output: *out, a
 * reference the caller releases with cache_page_unref (the page is
 * usable even when it could not be kept: too big for the cache, or
 * dropped at once by a racing invalidation of one of its keys). gen is
 * the value cache_generation() returned before the page was rendered: a
 * page one of whose keys was invalidated since (or any page, if the cache
 * was cleared since) is handed back but not kept, so a stale render never
 * lands after the event that made it stale. Returns GZ_OK, GZ_EINVAL (bad
 * slots, too many or too long keys or headers, URL too long, no content type, status
 * not 200; *out is then NULL) or GZ_ENOMEM. */
int cache_put(struct cache *c, const struct cache_page_input *in,
	      uint64_t gen, struct cache_page **out);
/* The generation: increases with every cache_invalidate and cache_clear.
 * Read it before rendering a page that will be put. */
uint64_t cache_generation(const struct cache *c);
/* Looks up url[0..len). Returns a reference (release with
 * cache_page_unref) or NULL on a miss. Takes no exclusive lock and
 * allocates nothing. */
struct cache_page *cache_get(struct cache *c, const char *url, size_t len);
/* Drops every page carrying key, at once. */
void cache_invalidate(struct cache *c, const char *key);
/* Drops every page (theme reload, or a change too wide for keys). */
void cache_clear(struct cache *c);

/* Releases a reference; the last one frees the page. NULL does nothing. */
void cache_page_unref(struct cache_page *p);

/* The stored headers and metadata; valid while the reference is held. */
const char *cache_page_content_type(const struct cache_page *p);
const char *cache_page_etag(const struct cache_page *p);       /* or NULL */
const char *cache_page_cache_control(const struct cache_page *p); /* or NULL */
bool cache_page_public_cors(const struct cache_page *p);
int64_t cache_page_last_modified(const struct cache_page *p);  /* or 0 */
size_t cache_page_nslots(const struct cache_page *p);
/* The extra headers, as cache_put was given them. Output: *headers, an
 * array valid while the reference is held. Returns how many. */
size_t cache_page_headers(const struct cache_page *p,
			  const struct cache_header **headers);
/* Slot i's length. */
size_t cache_page_slot_len(const struct cache_page *p, size_t i);
/* What fills p's slots, as cache_put was given it. Output: *fn, *ctx,
 * *arg. */
void cache_page_fill(const struct cache_page *p, cache_fill_fn *fn,
		     void **ctx, int64_t *arg);

/* Makes (once) and returns whether the page has a variant in enc. A
 * variant is not made, and false returned, when compressing does not
 * shrink the page, when it fails (out of memory), or (brotli with slots)
 * when the page's bytes do not allow an exact splice: the caller then
 * serves another encoding. CACHE_IDENTITY is always there. */
bool cache_page_has(struct cache_page *p, enum cache_enc enc);
/* The length of a response body in enc (which cache_page_has said is
 * there): the same for every response, whatever the slots hold. */
size_t cache_page_len(const struct cache_page *p, enum cache_enc enc);

/* Lays out one response of p in enc (cache_page_has said is there) with
 * slot i holding fill[i] (exactly cache_page_slot_len(p, i) bytes each;
 * fill may be NULL when the page has no slots). trailer is the caller's
 * storage of at least 8 bytes, used for gzip's CRC-32 and length. Output:
 * segs[CACHE_MAX_SEGS], pointing into p, fill and trailer: valid while
 * all three are. Returns the number of segments. */
size_t cache_page_segs(const struct cache_page *p, enum cache_enc enc,
		       const char *const *fill, unsigned char *trailer,
		       struct cache_seg *segs);

/* The key every page carries at the edge, first in its Surrogate-Key and
 * Cache-Tag (http/server.c): a purge of it drops every page. */
#define CACHE_EDGE_KEY_ALL "all"
/* Room for any key as cache_key_token writes it, with its NUL. */
#define CACHE_KEY_TOKEN_BYTES (3 * CACHE_MAX_KEY_BYTES + 1)
/* Writes key as an edge sees it (Surrogate-Key, Cache-Tag, purges): the
 * bytes A-Z a-z 0-9 - . _ ~ : / as they are, every other byte (space,
 * comma, '%', controls, non-ASCII) as %XX, so a key is always one token
 * of a space- or comma-separated list and two keys never meet. Output:
 * out[cap], NUL-terminated. Returns the length, or 0 when key is empty
 * or does not fit. */
size_t cache_key_token(const char *key, char *out, size_t cap);

/* Statistics, for /metrics and tests. */
struct cache_stats {
	uint64_t hits, misses, puts, evictions, invalidations;
	size_t bytes, pages;
};
/* cache_get counts hits and misses; puts counts pages cache_put made
 * (kept or not), evictions and invalidations the pages that the budget
 * and cache_invalidate or cache_clear dropped; bytes and pages are what
 * the cache holds now. */
void cache_stats(const struct cache *c, struct cache_stats *out);

#endif
