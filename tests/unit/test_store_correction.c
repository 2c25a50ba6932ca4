/*
 * test_store_correction.c - tests of src/store/correction.c: appending
 * (validation, a missing article, the keys it fires), an article's list
 * oldest first, and the site-wide list: newest first, pages, and only
 * the corrections of articles visible at now.
 *
 * Each test opens a fresh store in its own mkdtemp directory, removed
 * afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#include "store_fixture.h"

#define NOW INT64_C(1621362660)

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	struct pool *pool;
	char keys[512]; /* the last commit's keys, space-separated */
};

static void
on_keys(void *ctx, const char *const *keys, size_t n)
{
	struct fx *fx = ctx;
	size_t i, len = 0;
	int k;

	fx->keys[0] = '\0';
	for (i = 0; i < n; i++) {
		k = snprintf(fx->keys + len, sizeof(fx->keys) - len, "%s%s",
			     i ? " " : "", keys[i]);
		assert_true(k > 0 && (size_t)k < sizeof(fx->keys) - len);
		len += (size_t)k;
	}
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-correction-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(4u << 20));
	store_events_listen(fx->st, on_keys, fx);
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

/* Adds a correction in its own transaction; returns add's answer. */
static int
add(struct fx *fx, int64_t article, const char *text, int64_t at,
    int64_t *id)
{
	int err;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_correction_add(fx->st, article, text, "admin:ed", at, id);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return err;
}

static void
test_add_and_list(void **state)
{
	struct fx *fx = *state;
	struct store_correction *items;
	char keys[64];
	int64_t a, id1 = 0, id2 = 0;
	size_t n;
	int k;

	a = put(fx, "Bridge opens", STORE_PUBLISHED, NOW);
	assert_int_equal(add(fx, a, "The bridge is 40 m long, not 400 m.",
			     NOW + 100, &id1), GZ_OK);
	k = snprintf(keys, sizeof(keys), "article:%lld front feeds corrections",
		     (long long)a);
	assert_true(k > 0 && (size_t)k < sizeof(keys));
	assert_string_equal(fx->keys, keys);
	assert_int_equal(add(fx, a, "It opens on Tuesday.", NOW + 50, &id2),
			 GZ_OK);
	assert_true(id2 > id1);

	/* Oldest first by id (the order they were added). */
	assert_int_equal(store_correction_list(fx->st, fx->pool, a, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].id, id1);
	assert_int_equal(items[0].article_id, a);
	assert_int_equal(items[0].created_at, NOW + 100);
	assert_string_equal(items[0].text,
			    "The bridge is 40 m long, not 400 m.");
	assert_string_equal(items[0].actor, "admin:ed");
	assert_string_equal(items[0].article_headline, "");
	assert_int_equal(items[1].id, id2);
	assert_int_equal(store_correction_list(fx->st, fx->pool, a + 1, &items,
					       &n), GZ_OK);
	assert_int_equal(n, 0);
}

static void
test_add_refuses(void **state)
{
	struct fx *fx = *state;
	char big[GZ_LIMIT_CORRECTION_BYTES + 2];
	int64_t a, id = 0;

	a = put(fx, "Story", STORE_PUBLISHED, NOW);
	fx->keys[0] = '\0';
	assert_int_equal(add(fx, a + 1, "text", NOW, &id), GZ_ENOTFOUND);
	assert_int_equal(add(fx, a, "", NOW, &id), GZ_EINVAL);
	assert_int_equal(add(fx, a, " \n\t", NOW, &id), GZ_EINVAL);
	assert_int_equal(add(fx, a, NULL, NOW, &id), GZ_EINVAL);
	assert_int_equal(add(fx, a, "bad \xff byte", NOW, &id), GZ_EINVAL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(add(fx, a, big, NOW, &id), GZ_EINVAL);
	big[GZ_LIMIT_CORRECTION_BYTES] = '\0';
	assert_int_equal(add(fx, a, big, NOW, &id), GZ_OK);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_correction_add(fx->st, a, "x", "", NOW, &id),
			 GZ_EINVAL);
	store_tx_rollback(fx->st);
}

static void
test_recent_order_and_visibility(void **state)
{
	struct fx *fx = *state;
	struct store_correction *items;
	int64_t pub, embargoed, draft, down, id;
	size_t n, total;

	pub = put(fx, "Published", STORE_PUBLISHED, NOW - 100);
	embargoed = put(fx, "Embargoed", STORE_SCHEDULED, NOW + 3600);
	draft = put(fx, "Draft", STORE_DRAFT, 0);
	down = put(fx, "Taken down", STORE_PUBLISHED, NOW - 200);
	assert_int_equal(add(fx, pub, "first", NOW + 1, &id), GZ_OK);
	assert_int_equal(add(fx, embargoed, "hidden 1", NOW + 2, &id), GZ_OK);
	assert_int_equal(add(fx, draft, "hidden 2", NOW + 3, &id), GZ_OK);
	assert_int_equal(add(fx, down, "hidden 3", NOW + 4, &id), GZ_OK);
	assert_int_equal(add(fx, pub, "second", NOW + 5, &id), GZ_OK);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_status_set(fx->st, down,
						  STORE_UNPUBLISHED, 0,
						  "admin:ed", NOW), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(store_correction_recent(fx->st, fx->pool, NOW, 10, 0,
						 &items, &n, &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].text, "second");
	assert_string_equal(items[0].article_headline, "Published");
	assert_string_equal(items[0].article_slug, "published");
	assert_string_equal(items[1].text, "first");
	/* Pages. */
	assert_int_equal(store_correction_recent(fx->st, fx->pool, NOW, 1, 1,
						 &items, &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	assert_string_equal(items[0].text, "first");
	/* Once the embargo lifts, its correction shows. */
	assert_int_equal(store_correction_recent(fx->st, fx->pool, NOW + 3600,
						 10, 0, &items, &n, NULL),
			 GZ_OK);
	assert_int_equal(n, 3);
	assert_string_equal(items[1].text, "hidden 1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_add_and_list),
		T(test_add_refuses),
		T(test_recent_order_and_visibility),
#undef T
	};

	return cmocka_run_group_tests_name("store/correction", tests, NULL,
					   NULL);
}
