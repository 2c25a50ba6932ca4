/*
 * test_cache_cache.c - tests of src/cache/cache.c: put/get/unref
 * lifetimes, replacing a URL, input checks, invalidation by key, the
 * generation race, eviction under the byte budget, variants built once
 * under concurrent askers, and a 4-thread smoke test of get, put and
 * invalidate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "util/err.h"

static struct cache_page_input
input(const char *url, const char *body, const char *const *keys,
      size_t nkeys)
{
	struct cache_page_input in;

	memset(&in, 0, sizeof(in));
	in.url = url;
	in.body = body;
	in.len = strlen(body);
	in.status = 200;
	in.content_type = "text/html; charset=utf-8";
	in.keys = keys;
	in.nkeys = nkeys;
	return in;
}

static struct cache_page *
put(struct cache *c, const char *url, const char *body,
    const char *const *keys, size_t nkeys)
{
	struct cache_page_input in = input(url, body, keys, nkeys);
	struct cache_page *p = NULL;

	assert_int_equal(cache_put(c, &in, cache_generation(c), &p), GZ_OK);
	assert_non_null(p);
	return p;
}

static void
body_equal(struct cache_page *p, const char *want)
{
	struct cache_seg segs[CACHE_MAX_SEGS];
	size_t n;

	n = cache_page_segs(p, CACHE_IDENTITY, NULL, NULL, segs);
	assert_int_equal(n, 1);
	assert_int_equal(segs[0].len, strlen(want));
	assert_memory_equal(segs[0].base, want, strlen(want));
}

static void
test_put_get_unref(void **state)
{
	struct cache *c;
	struct cache_page *p, *q;
	struct cache_stats st;
	struct cache_page_input in;
	const char *keys[] = {"front"};

	(void)state;
	assert_int_equal(cache_new(0, &c), GZ_EINVAL);
	assert_int_equal(cache_new(1u << 20, &c), GZ_OK);
	assert_null(cache_get(c, "/", 1));

	in = input("/", "<p>front</p>", keys, 1);
	in.etag = "\"v1\"";
	in.cache_control = "max-age=60";
	in.last_modified = 1700000000;
	assert_int_equal(cache_put(c, &in, cache_generation(c), &p), GZ_OK);
	q = cache_get(c, "/", 1);
	assert_ptr_equal(p, q);
	assert_string_equal(cache_page_content_type(q),
			    "text/html; charset=utf-8");
	assert_string_equal(cache_page_etag(q), "\"v1\"");
	assert_string_equal(cache_page_cache_control(q), "max-age=60");
	assert_int_equal(cache_page_last_modified(q), 1700000000);
	assert_int_equal(cache_page_nslots(q), 0);
	assert_true(cache_page_has(q, CACHE_IDENTITY));
	assert_int_equal(cache_page_len(q, CACHE_IDENTITY), 12);
	body_equal(q, "<p>front</p>");
	cache_page_unref(q);
	cache_page_unref(p);
	cache_page_unref(NULL);

	/* A URL is compared whole: no prefix or longer match. */
	assert_null(cache_get(c, "/x", 2));
	assert_null(cache_get(c, "", 0));

	/* Replacing: the old page lives on while referenced. */
	p = cache_get(c, "/", 1);
	q = put(c, "/", "<p>front, new</p>", keys, 1);
	body_equal(p, "<p>front</p>");
	cache_page_unref(p);
	p = cache_get(c, "/", 1);
	assert_ptr_equal(p, q);
	body_equal(p, "<p>front, new</p>");
	assert_null(cache_page_etag(p));
	assert_null(cache_page_cache_control(p));
	cache_page_unref(p);

	/* Dropped pages live on until unreferenced, even past the cache. */
	cache_stats(c, &st);
	assert_int_equal(st.pages, 1);
	assert_int_equal(st.puts, 2);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 3);
	cache_free(c);
	body_equal(q, "<p>front, new</p>");
	cache_page_unref(q);
	cache_free(NULL);
}

static void
test_input_checks(void **state)
{
	struct cache *c;
	struct cache_page *p = (struct cache_page *)&p;
	struct cache_page_input in;
	struct cache_slot sl[5];
	char url[CACHE_MAX_URL_BYTES + 2], key[CACHE_MAX_KEY_BYTES + 2];
	const char *keys[CACHE_MAX_KEYS + 1];
	const char *kp[1];
	size_t i;

	(void)state;
	assert_int_equal(cache_new(1u << 20, &c), GZ_OK);
	in = input("/a", "0123456789", NULL, 0);
	in.status = 404;
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	assert_null(p);

	/* Slots: sorted, apart, 1..CACHE_MAX_SLOT_BYTES, inside. */
	in = input("/a", "0123456789", NULL, 0);
	in.slots = sl;
	sl[0] = (struct cache_slot){2, 0};
	in.nslots = 1;
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	sl[0] = (struct cache_slot){8, 3};
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	sl[0] = (struct cache_slot){11, 1};
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	sl[0] = (struct cache_slot){4, 2};
	sl[1] = (struct cache_slot){5, 2};
	in.nslots = 2;
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	sl[1] = (struct cache_slot){1, 2};
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	for (i = 0; i < 5; i++)
		sl[i] = (struct cache_slot){i * 2, 1};
	in.nslots = 5;
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	in.nslots = 4;
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_OK);
	assert_int_equal(cache_page_nslots(p), 4);
	assert_int_equal(cache_page_slot_len(p, 3), 1);
	cache_page_unref(p);

	/* URL and keys. */
	memset(url, 'u', sizeof(url));
	url[0] = '/';
	url[CACHE_MAX_URL_BYTES + 1] = '\0';
	in = input(url, "x", NULL, 0);
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	url[CACHE_MAX_URL_BYTES] = '\0';
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_OK);
	cache_page_unref(p);
	memset(key, 'k', sizeof(key));
	key[CACHE_MAX_KEY_BYTES + 1] = '\0';
	kp[0] = key;
	in = input("/k", "x", kp, 1);
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	key[CACHE_MAX_KEY_BYTES] = '\0';
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_OK);
	cache_page_unref(p);
	for (i = 0; i <= CACHE_MAX_KEYS; i++)
		keys[i] = "k";
	in = input("/k", "x", keys, CACHE_MAX_KEYS + 1);
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_EINVAL);
	in.nkeys = CACHE_MAX_KEYS;
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_OK);
	cache_page_unref(p);

	/* An empty body is a page too. */
	in = input("/empty", "", NULL, 0);
	assert_int_equal(cache_put(c, &in, 0, &p), GZ_OK);
	assert_int_equal(cache_page_len(p, CACHE_IDENTITY), 0);
	assert_false(cache_page_has(p, CACHE_GZIP));
	assert_false(cache_page_has(p, CACHE_BROTLI));
	cache_page_unref(p);
	cache_free(c);
}

static bool
present(struct cache *c, const char *url)
{
	struct cache_page *p = cache_get(c, url, strlen(url));

	cache_page_unref(p);
	return p != NULL;
}

static void
test_invalidate(void **state)
{
	struct cache *c;
	const char *k1[] = {"article:1", "section:city", "front"};
	const char *k2[] = {"article:2", "section:city"};
	const char *k3[] = {"article:12"};
	struct cache_stats st;
	uint64_t g;

	(void)state;
	assert_int_equal(cache_new(1u << 20, &c), GZ_OK);
	cache_page_unref(put(c, "/news/1", "one", k1, 2));
	cache_page_unref(put(c, "/news/2", "two", k2, 2));
	cache_page_unref(put(c, "/news/12", "twelve", k3, 1));
	cache_page_unref(put(c, "/", "front", k1 + 2, 1));
	cache_page_unref(put(c, "/about", "about", NULL, 0));

	g = cache_generation(c);
	cache_invalidate(c, "article:1");
	assert_true(cache_generation(c) > g);
	assert_false(present(c, "/news/1"));
	/* Exactly: not article:12, which "article:1" is a prefix of. */
	assert_true(present(c, "/news/12"));
	assert_true(present(c, "/news/2"));
	assert_true(present(c, "/"));

	cache_invalidate(c, "section:city");
	assert_false(present(c, "/news/2"));
	assert_true(present(c, "/news/12"));
	cache_invalidate(c, "nothing");
	assert_true(present(c, "/"));
	assert_true(present(c, "/about"));
	cache_stats(c, &st);
	assert_int_equal(st.invalidations, 2);
	assert_int_equal(st.pages, 3);

	g = cache_generation(c);
	cache_clear(c);
	assert_true(cache_generation(c) > g);
	assert_false(present(c, "/"));
	assert_false(present(c, "/about"));
	assert_false(present(c, "/news/12"));
	cache_stats(c, &st);
	assert_int_equal(st.pages, 0);
	assert_int_equal(st.bytes, 0);
	cache_free(c);
}

static void
test_generation_race(void **state)
{
	struct cache *c;
	const char *k1[] = {"article:1"};
	const char *k2[] = {"article:2"};
	struct cache_page_input in;
	struct cache_page *p;
	uint64_t g;

	(void)state;
	assert_int_equal(cache_new(1u << 20, &c), GZ_OK);
	/* Rendered before an invalidation of its key: handed back, not
	 * kept. */
	g = cache_generation(c);
	cache_invalidate(c, "article:1");
	in = input("/news/1", "stale", k1, 1);
	assert_int_equal(cache_put(c, &in, g, &p), GZ_OK);
	assert_non_null(p);
	body_equal(p, "stale");
	cache_page_unref(p);
	assert_false(present(c, "/news/1"));

	/* Another key's invalidation does not matter. */
	in = input("/news/2", "fresh", k2, 1);
	assert_int_equal(cache_put(c, &in, g, &p), GZ_OK);
	cache_page_unref(p);
	assert_true(present(c, "/news/2"));

	/* Rendered after: kept. */
	in = input("/news/1", "fresh", k1, 1);
	assert_int_equal(cache_put(c, &in, cache_generation(c), &p), GZ_OK);
	cache_page_unref(p);
	assert_true(present(c, "/news/1"));

	/* A clear since makes every page stale. */
	g = cache_generation(c);
	cache_clear(c);
	in = input("/about", "about", NULL, 0);
	assert_int_equal(cache_put(c, &in, g, &p), GZ_OK);
	cache_page_unref(p);
	assert_false(present(c, "/about"));
	cache_free(c);
}

static void
test_eviction_budget(void **state)
{
	struct cache *c;
	struct cache_stats st;
	struct cache_page *p;
	char url[32], *body;
	size_t i, max = 64 * 1024, kept = 0;

	(void)state;
	body = malloc(2001);
	assert_non_null(body);
	memset(body, 'b', 2000);
	body[2000] = '\0';
	assert_int_equal(cache_new(max, &c), GZ_OK);
	for (i = 0; i < 500; i++) {
		snprintf(url, sizeof(url), "/p/%zu", i);
		body[0] = (char)('a' + i % 26);
		p = put(c, url, body, NULL, 0);
		/* Variants count too. */
		if (i % 3 == 0)
			assert_true(cache_page_has(p, CACHE_GZIP));
		cache_page_unref(p);
		/* Keep one page hot: CLOCK keeps it. */
		assert_true(present(c, "/p/0"));
		cache_stats(c, &st);
		assert_true(st.bytes <= max);
	}
	cache_stats(c, &st);
	assert_true(st.evictions > 400);
	assert_true(st.pages > 10);
	for (i = 0; i < 500; i++) {
		snprintf(url, sizeof(url), "/p/%zu", i);
		kept += present(c, url);
	}
	assert_int_equal(kept, st.pages);
	/* The newest pages are there. */
	assert_true(present(c, "/p/499"));

	/* A page bigger than the budget is handed back, not kept. */
	body = realloc(body, max + 1);
	assert_non_null(body);
	memset(body, 'x', max);
	body[max] = '\0';
	p = put(c, "/big", body, NULL, 0);
	assert_int_equal(cache_page_len(p, CACHE_IDENTITY), max);
	cache_page_unref(p);
	assert_false(present(c, "/big"));
	cache_stats(c, &st);
	assert_true(st.bytes <= max);
	free(body);
	cache_free(c);
}

struct asker {
	struct cache_page *p;
	bool has;
	const void *data;
};

static void *
ask_gzip(void *arg)
{
	struct asker *a = arg;
	struct cache_seg segs[CACHE_MAX_SEGS];
	unsigned char tr[8];

	a->has = cache_page_has(a->p, CACHE_GZIP);
	if (a->has) {
		cache_page_segs(a->p, CACHE_GZIP, NULL, tr, segs);
		a->data = segs[0].base;
	}
	return NULL;
}

static void
test_variant_once(void **state)
{
	struct cache *c;
	struct cache_page *p;
	struct asker a[4];
	pthread_t t[4];
	char body[4001];
	size_t i;

	(void)state;
	memset(body, 'z', 4000);
	body[4000] = '\0';
	assert_int_equal(cache_new(1u << 20, &c), GZ_OK);
	p = put(c, "/z", body, NULL, 0);
	for (i = 0; i < 4; i++) {
		a[i].p = p;
		assert_int_equal(pthread_create(&t[i], NULL, ask_gzip, &a[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_true(a[i].has);
		/* One build: all see the same bytes. */
		assert_ptr_equal(a[i].data, a[0].data);
	}
	assert_true(cache_page_len(p, CACHE_GZIP) < 100);
	cache_page_unref(p);
	cache_free(c);
}

struct worker {
	struct cache *c;
	unsigned seed;
	unsigned long hits;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	static const char *const keys[] = {"k0", "k1", "k2", "k3", "k4"};
	char url[32], body[600];
	struct cache_page_input in;
	struct cache_page *p;
	struct cache_seg segs[CACHE_MAX_SEGS];
	unsigned char tr[8];
	size_t i, n;
	unsigned r;

	for (i = 0; i < 20000; i++) {
		r = rand_r(&w->seed);
		snprintf(url, sizeof(url), "/u/%u", r % 64);
		switch (r % 10) {
		case 0:
		case 1:
			n = (size_t)snprintf(body, sizeof(body),
					     "%s %u", url, r);
			memset(body + n, 'p', 500);
			body[n + 500] = '\0';
			in = input(url, body, keys + (r >> 8) % 4, 2);
			assert_int_equal(cache_put(w->c, &in,
						   cache_generation(w->c), &p),
					 GZ_OK);
			cache_page_unref(p);
			break;
		case 2:
			cache_invalidate(w->c, keys[(r >> 8) % 5]);
			break;
		default:
			p = cache_get(w->c, url, strlen(url));
			if (!p)
				break;
			w->hits++;
			/* The page stays whole while referenced. */
			n = cache_page_segs(p, CACHE_IDENTITY, NULL, NULL, segs);
			assert_int_equal(n, 1);
			assert_memory_equal(segs[0].base, url, strlen(url));
			if (r % 7 == 0 && cache_page_has(p, CACHE_GZIP))
				cache_page_segs(p, CACHE_GZIP, NULL, tr, segs);
			cache_page_unref(p);
		}
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct cache *c;
	struct worker w[4];
	pthread_t t[4];
	struct cache_stats st;
	size_t i;

	(void)state;
	/* A small budget, so eviction runs too. */
	assert_int_equal(cache_new(40 * 1024, &c), GZ_OK);
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){c, (unsigned)i + 1, 0};
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	cache_stats(c, &st);
	assert_true(st.hits > 0);
	assert_true(st.bytes <= 40 * 1024);
	assert_int_equal(st.hits, w[0].hits + w[1].hits + w[2].hits +
					  w[3].hits);
	cache_free(c);
}

/* Extra headers are kept with the page, copied; too many are refused. */
static void
test_headers(void **state)
{
	struct cache *c = NULL;
	struct cache_page *p = NULL, *got;
	const char *keys[] = {"front"};
	char value[32] = "all front";
	struct cache_header h[CACHE_MAX_HEADERS + 1] = {
		{"Surrogate-Key", value}, {"Cache-Tag", "all,front"}};
	const struct cache_header *out;
	struct cache_page_input in = input("/", "<p>front</p>", keys, 1);
	size_t i;

	(void)state;
	assert_int_equal(cache_new(1u << 20, &c), GZ_OK);
	in.headers = h;
	in.nheaders = 2;
	assert_int_equal(cache_put(c, &in, cache_generation(c), &p), GZ_OK);
	value[0] = 'X'; /* the page has its own copy */
	assert_non_null(got = cache_get(c, "/", 1));
	assert_int_equal(cache_page_headers(got, &out), 2);
	assert_string_equal(out[0].name, "Surrogate-Key");
	assert_string_equal(out[0].value, "all front");
	assert_string_equal(out[1].value, "all,front");
	cache_page_unref(got);
	cache_page_unref(p);
	for (i = 0; i <= CACHE_MAX_HEADERS; i++)
		h[i] = (struct cache_header){"X-A", "b"};
	in.nheaders = CACHE_MAX_HEADERS + 1;
	assert_int_equal(cache_put(c, &in, cache_generation(c), &p),
			 GZ_EINVAL);
	assert_null(p);
	cache_free(c);
}

/* Keys as edges see them: one token each, the rest percent-encoded. */
static void
test_key_token(void **state)
{
	char out[CACHE_KEY_TOKEN_BYTES], big[CACHE_MAX_KEY_BYTES + 1];

	(void)state;
	assert_int_equal(cache_key_token("article:12", out, sizeof(out)), 10);
	assert_string_equal(out, "article:12");
	assert_int_equal(cache_key_token("section:a b,c%\r\n\xc3\xa9", out,
					 sizeof(out)), 32);
	assert_string_equal(out, "section:a%20b%2Cc%25%0D%0A%C3%A9");
	assert_int_equal(cache_key_token("", out, sizeof(out)), 0);
	assert_int_equal(cache_key_token("front", out, 5), 0); /* no room */
	assert_int_equal(cache_key_token("front", out, 6), 5);
	memset(big, ' ', CACHE_MAX_KEY_BYTES);
	big[CACHE_MAX_KEY_BYTES] = '\0';
	assert_int_equal(cache_key_token(big, out, sizeof(out)),
			 3 * CACHE_MAX_KEY_BYTES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_unref),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_key_token),
		cmocka_unit_test(test_input_checks),
		cmocka_unit_test(test_invalidate),
		cmocka_unit_test(test_generation_race),
		cmocka_unit_test(test_eviction_budget),
		cmocka_unit_test(test_variant_once),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests_name("cache/cache", tests, NULL, NULL);
}
