/*
 * test_store_sitemap.c - tests of src/store/sitemap.c: the visible
 * articles walked oldest first in pieces, each piece's latest change,
 * the news window newest first, and a callback that stops a walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/err.h"
#include "util/pool.h"

#include "store_fixture.h"

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	struct pool *pool;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-sitemap-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(1u << 20));
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	pool_free(fx->pool);
	store_fixture_remove(fx->dir);
	free(fx);
	return 0;
}

static int64_t
put(struct fx *fx, const char *headline, enum store_status status,
    int64_t published_at)
{
	struct store_article_input in = {
		.headline = headline,
		.status = status,
		.published_at = published_at,
	};
	int64_t id = 0;
	bool created;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, &in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return id;
}

/* What the walks saw: ids in order, and a row limit to stop at. */
struct seen {
	int64_t ids[16];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static int
on_row(void *ctx, const struct store_sitemap_row *r)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	assert_non_null(r->slug);
	assert_non_null(r->headline);
	assert_non_null(r->lang);
	assert_true(r->modified_at >= r->published_at);
	s->ids[s->n++] = r->id;
	return s->stop_after && s->n == s->stop_after ? GZ_EEXIST : GZ_OK;
}

static void
test_pieces_and_walks(void **state)
{
	struct fx *fx = *state;
	int64_t a, b, c, d, *lastmod = NULL;
	struct seen s = {0};
	size_t n = 99;

	/* Empty: no piece at all. */
	assert_int_equal(store_sitemap_pieces(fx->st, fx->pool, 1000, 2,
					      &lastmod, &n), GZ_OK);
	assert_int_equal(n, 0);

	a = put(fx, "First", STORE_PUBLISHED, 100);
	put(fx, "Draft", STORE_DRAFT, 0);
	b = put(fx, "Second", STORE_PUBLISHED, 300);
	put(fx, "Later", STORE_PUBLISHED, 5000); /* not due at 1000 */
	c = put(fx, "Third", STORE_PUBLISHED, 200);
	d = put(fx, "Fourth", STORE_PUBLISHED, 900);

	/* Four visible, in pieces of three: [a b c] [d]. */
	assert_int_equal(store_sitemap_pieces(fx->st, fx->pool, 1000, 3,
					      &lastmod, &n), GZ_OK);
	assert_int_equal(n, 2);
	/* A piece's lastmod is at least its latest publication. */
	assert_true(lastmod[0] >= 300);
	assert_true(lastmod[1] >= 900);

	assert_int_equal(store_sitemap_each(fx->st, 1000, 0, 3, on_row, &s),
			 GZ_OK);
	assert_int_equal(s.n, 3);
	assert_true(s.ids[0] == a && s.ids[1] == b && s.ids[2] == c);
	s.n = 0;
	assert_int_equal(store_sitemap_each(fx->st, 1000, 3, 3, on_row, &s),
			 GZ_OK);
	assert_int_equal(s.n, 1);
	assert_true(s.ids[0] == d);
	s.n = 0;
	assert_int_equal(store_sitemap_each(fx->st, 1000, 6, 3, on_row, &s),
			 GZ_OK);
	assert_int_equal(s.n, 0);

	/* The news window [250, 1000], newest first. */
	s.n = 0;
	assert_int_equal(store_sitemap_news(fx->st, 1000, 250, 10, on_row, &s),
			 GZ_OK);
	assert_int_equal(s.n, 2);
	assert_true(s.ids[0] == d && s.ids[1] == b);

	/* A callback's error stops the walk and comes back. */
	s.n = 0;
	s.stop_after = 2;
	assert_int_equal(store_sitemap_each(fx->st, 1000, 0, 10, on_row, &s),
			 GZ_EEXIST);
	assert_int_equal(s.n, 2);
	/* The store is still usable after a stopped walk. */
	s.n = 0;
	s.stop_after = 0;
	assert_int_equal(store_sitemap_each(fx->st, 10000, 0, 10, on_row, &s),
			 GZ_OK);
	assert_int_equal(s.n, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pieces_and_walks, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("store_sitemap", tests, NULL, NULL);
}
