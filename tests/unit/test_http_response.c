/* test_http_response.c - the response model (src/http/response.c): the
 * header list, cache keys, slots and their filling, redirects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http/http.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/pool.h"

static void
test_headers(void **state)
{
	static const char *const names[] = {
		"X-0", "X-1", "X-2", "X-3", "X-4", "X-5", "X-6", "X-7", "X-8",
		"X-9", "X-10", "X-11", "X-12", "X-13", "X-14", "X-15",
	};
	struct http_resp r = {0};
	int i;

	(void)state;
	assert_true(sizeof(names) / sizeof(names[0]) >= HTTP_MAX_HEADERS - 2);
	assert_int_equal(http_resp_header(&r, "ETag", "\"a\""), GZ_OK);
	assert_int_equal(http_resp_header(&r, "Cache-Control", "no-cache"), GZ_OK);
	/* The same name, in another case, replaces the value. */
	assert_int_equal(http_resp_header(&r, "etag", "\"b\""), GZ_OK);
	assert_int_equal(r.nheaders, 2);
	assert_string_equal(http_resp_header_get(&r, "ETAG"), "\"b\"");
	assert_null(http_resp_header_get(&r, "Location"));
	/* A failed pool_printf reaches here as NULL. */
	assert_int_equal(http_resp_header(&r, "Location", NULL), GZ_ENOMEM);
	for (i = 0; (size_t)i < HTTP_MAX_HEADERS - 2; i++) {
		/* Names must live as long as the response: literals here. */
		assert_int_equal(http_resp_header(&r, names[i], "v"), GZ_OK);
	}
	assert_int_equal(r.nheaders, HTTP_MAX_HEADERS);
	assert_int_equal(http_resp_header(&r, "X-Full", "v"), GZ_ETOOBIG);
	/* Replacing still works when full. */
	assert_int_equal(http_resp_header(&r, "Cache-Control", "no-store"), GZ_OK);
	assert_int_equal(http_resp_redirect(&r, 303, "/x"), GZ_ETOOBIG);
}

/* http_resp_header_add repeats a header (two Set-Cookie lines). */
static void
test_header_add(void **state)
{
	struct http_resp r = {0};
	size_t i;

	(void)state;
	assert_int_equal(http_resp_header(&r, "Set-Cookie", "a=1"), GZ_OK);
	assert_int_equal(http_resp_header_add(&r, "Set-Cookie", "b=; Max-Age=0"),
			 GZ_OK);
	assert_int_equal(r.nheaders, 2);
	assert_string_equal(r.headers[0].value, "a=1");
	assert_string_equal(r.headers[1].value, "b=; Max-Age=0");
	assert_string_equal(http_resp_header_get(&r, "set-cookie"), "a=1");
	assert_int_equal(http_resp_header_add(&r, "X", NULL), GZ_ENOMEM);
	for (i = 2; i < HTTP_MAX_HEADERS; i++)
		assert_int_equal(http_resp_header_add(&r, "Set-Cookie", "c=3"),
				 GZ_OK);
	assert_int_equal(http_resp_header_add(&r, "Set-Cookie", "d=4"),
			 GZ_ETOOBIG);
}

static void
test_redirect(void **state)
{
	struct http_resp r = {0};

	(void)state;
	assert_int_equal(http_resp_redirect(&r, 301, "/news/1/a"), GZ_OK);
	assert_int_equal(r.status, 301);
	assert_string_equal(http_resp_header_get(&r, "Location"), "/news/1/a");
	assert_int_equal(http_resp_redirect(&r, 303, NULL), GZ_ENOMEM);
}

static void
test_cache_keys(void **state)
{
	struct pool *pool = pool_new(1u << 20);
	struct http_resp r = {0};
	char key[32];
	size_t i;

	(void)state;
	assert_non_null(pool);
	assert_int_equal(http_resp_cache_key(&r, pool, "front"), GZ_OK);
	assert_int_equal(http_resp_cache_key(&r, pool, "front"), GZ_OK);
	assert_int_equal(r.ncache_keys, 1);
	assert_int_equal(http_resp_cache_key(&r, pool, NULL), GZ_ENOMEM);
	for (i = 1; i < HTTP_MAX_CACHE_KEYS; i++) {
		snprintf(key, sizeof(key), "article:%zu", i);
		assert_int_equal(http_resp_cache_key(&r, pool, key), GZ_OK);
	}
	assert_int_equal(r.ncache_keys, HTTP_MAX_CACHE_KEYS);
	assert_false(r.uncacheable);
	/* One more: the page is never cached, and stays so. */
	assert_int_equal(http_resp_cache_key(&r, pool, "one-more"), GZ_ETOOBIG);
	assert_true(r.uncacheable);
	assert_int_equal(r.ncache_keys, 0);
	assert_int_equal(http_resp_cache_key(&r, pool, "nav"), GZ_ETOOBIG);
	assert_int_equal(r.ncache_keys, 0);
	pool_free(pool);
}

/* Fills slot i with the letter 'a' + i, as a fill callback would. */
static int fill_ctx;

static void
fill_letters(void *ctx, int64_t arg, char *const *out, const size_t *len,
	     size_t n)
{
	size_t i;

	assert_int_equal(arg, 7);
	assert_ptr_equal(ctx, &fill_ctx);
	for (i = 0; i < n; i++)
		memset(out[i], 'a' + (int)i, len[i]);
}

static void
test_slots(void **state)
{
	struct http_resp r = {0};

	(void)state;
	buf_init(&r.body, 1024);
	buf_puts(&r.body, "<p>MB</p><p>MA</p><p>MC</p>");
	/* Markers found in any order; slots stay sorted by offset and move
	 * with the bytes before them. */
	assert_int_equal(http_resp_slot(&r, "MA", 5), GZ_OK);
	assert_int_equal(http_resp_slot(&r, "MB", 1), GZ_OK);
	assert_int_equal(http_resp_slot(&r, "MC", 3), GZ_OK);
	assert_int_equal(r.nslots, 3);
	assert_int_equal(r.slots[0].offset, 3);
	assert_int_equal(r.slots[0].len, 1);
	assert_int_equal(r.slots[1].offset, 11);
	assert_int_equal(r.slots[1].len, 5);
	assert_int_equal(r.slots[2].offset, 23);
	assert_int_equal(r.slots[2].len, 3);
	assert_int_equal(r.body.len, 27 - 3 * 2 + 1 + 5 + 3);
	assert_int_equal(http_resp_slot(&r, "MX", 2), GZ_ENOTFOUND);
	assert_int_equal(http_resp_slot(&r, "</p>", 0), GZ_ETOOBIG);
	r.fill = fill_letters;
	r.fill_ctx = &fill_ctx;
	r.fill_arg = 7;
	http_resp_fill_now(&r);
	assert_int_equal(r.nslots, 0);
	assert_memory_equal(r.body.data, "<p>a</p><p>bbbbb</p><p>ccc</p>",
			    r.body.len);
	buf_fini(&r.body);
}

static void
test_slots_limit(void **state)
{
	struct http_resp r = {0};
	size_t i;

	(void)state;
	buf_init(&r.body, 64);
	buf_puts(&r.body, "XXXXXXXX");
	for (i = 0; i < HTTP_MAX_SLOTS; i++)
		assert_int_equal(http_resp_slot(&r, "X", 2), GZ_OK);
	assert_int_equal(http_resp_slot(&r, "X", 2), GZ_ETOOBIG);
	/* A slot that would grow the page past its cap is refused. */
	r.nslots = 0;
	assert_int_equal(http_resp_slot(&r, "X", 200), GZ_ETOOBIG);
	buf_fini(&r.body);
}

/* True when fd is an open descriptor. */
static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void
test_file_body(void **state)
{
	struct http_resp r = {0};
	int fd, i;

	(void)state;
	/* A file body: its ETag set, and never kept in the page cache,
	 * whatever keys came before or after. */
	r.cache_keys[0] = "front";
	r.ncache_keys = 1;
	assert_true((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	assert_int_equal(http_resp_file(&r, fd, 12345, "\"v1\""), GZ_OK);
	assert_true(r.file_set);
	assert_int_equal(r.file_fd, fd);
	assert_int_equal(r.file_len, 12345);
	assert_string_equal(http_resp_header_get(&r, "ETag"), "\"v1\"");
	assert_true(r.uncacheable);
	assert_int_equal(r.ncache_keys, 0);
	assert_int_equal(http_resp_cache_key(&r, NULL, "article:1"), GZ_ETOOBIG);
	assert_true(fd_open(fd));
	close(fd);

	/* No ETag (a failed pool_printf), or no room for it: refused, and
	 * the descriptor closed all the same. */
	memset(&r, 0, sizeof(r));
	assert_true((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	assert_int_equal(http_resp_file(&r, fd, 1, NULL), GZ_ENOMEM);
	assert_false(r.file_set);
	assert_false(fd_open(fd));
	memset(&r, 0, sizeof(r));
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		assert_int_equal(http_resp_header_add(&r, "X-Full", "x"), GZ_OK);
	assert_true((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0);
	assert_int_equal(http_resp_file(&r, fd, 1, "\"v1\""), GZ_ETOOBIG);
	assert_false(r.file_set);
	assert_false(fd_open(fd));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_header_add),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_cache_keys),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_slots_limit),
		cmocka_unit_test(test_file_body),
	};

	return cmocka_run_group_tests_name("http/response", tests, NULL, NULL);
}
