/*
 * test_store_section.c - tests of src/store/section.c: listing sections by
 * name with their visible counts, reading one by slug, and creating them
 * on first use (one section per slug; a name without slug characters).
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
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-section-XXXXXX");
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
put(struct fx *fx, const char *section, enum store_status status,
    int64_t published_at)
{
	struct store_article_input in = {
		.headline = "A story",
		.section = section,
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

static void
test_list_empty(void **state)
{
	struct fx *fx = *state;
	struct store_section *items = (struct store_section *)fx;
	size_t n = 99;

	assert_int_equal(store_section_list(fx->st, fx->pool, 100, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 0);
	assert_null(items);
}

static void
test_list_sorted_with_counts(void **state)
{
	struct fx *fx = *state;
	struct store_section *items;
	size_t n;

	put(fx, "World", STORE_PUBLISHED, 10);
	put(fx, "World", STORE_PUBLISHED, 20);
	put(fx, "business", STORE_PUBLISHED, 30);
	put(fx, "Arts", STORE_DRAFT, 0);           /* never visible */
	put(fx, "Sport", STORE_SCHEDULED, 200);    /* visible from 200 */
	put(fx, NULL, STORE_PUBLISHED, 5);         /* no section */

	assert_int_equal(store_section_list(fx->st, fx->pool, 100, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 4);
	/* By name, ASCII case folded: "business" between "Arts" and
	 * "Sport". */
	assert_string_equal(items[0].name, "Arts");
	assert_int_equal(items[0].article_count, 0);
	assert_string_equal(items[1].name, "business");
	assert_string_equal(items[1].slug, "business");
	assert_int_equal(items[1].article_count, 1);
	assert_string_equal(items[2].name, "Sport");
	assert_int_equal(items[2].article_count, 0);
	assert_string_equal(items[3].name, "World");
	assert_string_equal(items[3].slug, "world");
	assert_int_equal(items[3].article_count, 2);
	assert_true(items[3].id > 0);

	assert_int_equal(store_section_list(fx->st, fx->pool, 15, &items, &n),
			 GZ_OK);
	assert_int_equal(items[3].article_count, 1);
	assert_int_equal(store_section_list(fx->st, fx->pool, 200, &items, &n),
			 GZ_OK);
	assert_int_equal(items[2].article_count, 1);
}

static void
test_get_by_slug(void **state)
{
	struct fx *fx = *state;
	struct store_section sec, listed;
	struct store_section *items;
	size_t n;

	put(fx, "City Hall", STORE_PUBLISHED, 10);
	assert_int_equal(store_section_get(fx->st, fx->pool, "city-hall", &sec),
			 GZ_OK);
	assert_string_equal(sec.slug, "city-hall");
	assert_string_equal(sec.name, "City Hall");
	assert_int_equal(sec.article_count, 0);
	assert_int_equal(store_section_list(fx->st, fx->pool, 100, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	listed = items[0];
	assert_int_equal(sec.id, listed.id);

	assert_int_equal(store_section_get(fx->st, fx->pool, "City Hall", &sec),
			 GZ_ENOTFOUND);
	assert_int_equal(store_section_get(fx->st, fx->pool, "", &sec),
			 GZ_ENOTFOUND);
	assert_int_equal(store_section_get(fx->st, fx->pool, "x' OR '1'='1",
					   &sec), GZ_ENOTFOUND);
}

static void
test_one_section_per_slug(void **state)
{
	struct fx *fx = *state;
	struct store_section *items;
	size_t n;

	put(fx, "World", STORE_PUBLISHED, 10);
	put(fx, "WORLD", STORE_PUBLISHED, 10);
	put(fx, "world!", STORE_PUBLISHED, 10);
	put(fx, "   ", STORE_PUBLISHED, 10); /* blank: no section */
	assert_int_equal(store_section_list(fx->st, fx->pool, 100, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].name, "World"); /* the first one seen */
	assert_int_equal(items[0].article_count, 3);
}

static void
test_name_without_slug(void **state)
{
	struct fx *fx = *state;
	struct store_section *items;
	struct store_section sec;
	char expect[32];
	size_t n;
	int len;

	put(fx, "World", STORE_PUBLISHED, 10);
	put(fx, "???", STORE_PUBLISHED, 10);
	put(fx, "???", STORE_PUBLISHED, 10);
	put(fx, "!!!", STORE_PUBLISHED, 10);
	assert_int_equal(store_section_list(fx->st, fx->pool, 100, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 3);
	/* "!!!" and "???" sort before letters. */
	assert_string_equal(items[0].name, "!!!");
	assert_string_equal(items[1].name, "???");
	assert_int_equal(items[1].article_count, 2);
	len = snprintf(expect, sizeof(expect), "section-%lld",
		       (long long)items[1].id);
	assert_true(len > 0 && (size_t)len < sizeof(expect));
	assert_string_equal(items[1].slug, expect);
	assert_int_equal(store_section_get(fx->st, fx->pool, expect, &sec),
			 GZ_OK);
	assert_string_equal(sec.name, "???");
	assert_string_not_equal(items[0].slug, items[1].slug);
	assert_true(strncmp(items[0].slug, "section-", 8) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_list_empty),
		T(test_list_sorted_with_counts),
		T(test_get_by_slug),
		T(test_one_section_per_slug),
		T(test_name_without_slug),
#undef T
	};

	return cmocka_run_group_tests_name("store/section", tests, NULL, NULL);
}
