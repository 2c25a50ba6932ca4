/*
 * test_store_author.c - tests of src/store/author.c and page.c: the names
 * a byline gives (titles and agencies after a comma are not people), the
 * authors an article is linked to, who is listed (only authors with a
 * story out), bios, and the newsroom's pages.
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
#include "util/limits.h"
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
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-author-XXXXXX");
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

/* Checks that byline gives exactly the names in want, "|"-separated. */
static void
expect_names(const char *byline, const char *want)
{
	struct pool *pool = pool_new(1u << 16);
	const char *names[GZ_LIMIT_AUTHORS];
	char got[512] = "";
	size_t n = 0, i;

	assert_int_equal(store_byline_names(pool, byline, names,
					    GZ_LIMIT_AUTHORS, &n), GZ_OK);
	for (i = 0; i < n; i++) {
		size_t len = strlen(got);

		snprintf(got + len, sizeof(got) - len, "%s%s", i ? "|" : "",
			 names[i]);
	}
	assert_string_equal(got, want);
	pool_free(pool);
}

static void
test_byline_names(void **state)
{
	(void)state;
	expect_names("By Ann Lee", "Ann Lee");
	expect_names("by Ann Lee", "Ann Lee");
	expect_names("Ann Lee", "Ann Lee");
	expect_names("By Ann Lee and Ben Ode", "Ann Lee|Ben Ode");
	expect_names("By Ann Lee & Ben Ode", "Ann Lee|Ben Ode");
	expect_names("By Ann Lee, Ben Ode and Cy Day", "Ann Lee|Ben Ode|Cy Day");
	/* After a comma with no "and" to follow: a title or an agency. */
	expect_names("By Secret Newhire, Staff Writer", "Secret Newhire");
	expect_names("By J. Smith, Associated Press", "J. Smith");
	expect_names("By Ann Lee and Ben Ode, Reuters", "Ann Lee|Ben Ode");
	expect_names("By the City Desk", "the City Desk");
	expect_names("", "");
	expect_names("By ", "");
	expect_names("By  ,  and ", "");
}

static int64_t
put(struct fx *fx, const char *headline, const char *byline,
    enum store_status status, int64_t published_at)
{
	struct store_article_input in = {
		.headline = headline,
		.byline = byline,
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
test_authors_listed_only_with_a_story_out(void **state)
{
	struct fx *fx = *state;
	struct store_author *items = NULL, au;
	struct store_article a, *list = NULL;
	size_t n = 0, total = 0;
	int64_t id;

	id = put(fx, "Out", "By Ann Lee and Ben Ode", STORE_PUBLISHED, 100);
	put(fx, "Draft", "By Secret Newhire, Staff Writer", STORE_DRAFT, 0);
	put(fx, "Later", "By Future Person", STORE_PUBLISHED, 5000);

	assert_int_equal(store_article_get(fx->st, fx->pool, id, 1000, &a), GZ_OK);
	assert_int_equal(a.nauthors, 2);
	assert_string_equal(a.authors[0].slug, "ann-lee");
	assert_string_equal(a.authors[1].name, "Ben Ode");

	assert_int_equal(store_author_list(fx->st, fx->pool, 1000, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 2); /* not the draft's, not the embargoed one's */
	assert_string_equal(items[0].name, "Ann Lee");
	assert_string_equal(items[1].name, "Ben Ode");
	assert_int_equal(store_author_list(fx->st, fx->pool, 6000, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 3); /* Future Person's story is out at 6000 */

	/* The draft's author exists (for the newsroom) but has no story. */
	assert_int_equal(store_author_get(fx->st, fx->pool, "secret-newhire",
					  &au), GZ_OK);
	assert_int_equal(store_author_articles(fx->st, fx->pool, 1000,
					       "secret-newhire", 10, 0, &list,
					       &n, &total), GZ_OK);
	assert_int_equal(total, 0);
	assert_int_equal(store_author_get(fx->st, fx->pool, "staff-writer",
					  &au), GZ_ENOTFOUND);

	/* Bios. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_author_bio_set(fx->st, "ann-lee", "Covers schools."),
			 GZ_OK);
	assert_int_equal(store_author_bio_set(fx->st, "nobody", "x"),
			 GZ_ENOTFOUND);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_author_get(fx->st, fx->pool, "ann-lee", &au),
			 GZ_OK);
	assert_string_equal(au.bio, "Covers schools.");
}

static void
test_pages(void **state)
{
	struct fx *fx = *state;
	struct store_page *items = NULL, pg;
	size_t n = 0;

	assert_int_equal(store_page_list(fx->st, fx->pool, &items, &n), GZ_OK);
	assert_int_equal(n, 0); /* a store has none until a site seeds them */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_page_put(fx->st, "about", "About us", "We report."),
			 GZ_OK);
	assert_int_equal(store_page_put(fx->st, "ethics", "Ethics", "We are fair."),
			 GZ_OK);
	assert_int_equal(store_page_put(fx->st, "about", "About", "We report news."),
			 GZ_OK);
	assert_int_equal(store_page_put(fx->st, "Not A Slug", "X", "y"), GZ_EINVAL);
	assert_int_equal(store_page_put(fx->st, "x", "", "y"), GZ_EINVAL);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_page_list(fx->st, fx->pool, &items, &n), GZ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].slug, "about"); /* kept its place */
	assert_string_equal(items[1].slug, "ethics");
	assert_int_equal(store_page_get(fx->st, fx->pool, "about", &pg), GZ_OK);
	assert_string_equal(pg.title, "About");
	assert_string_equal(pg.body, "We report news.");
	assert_int_equal(store_page_get(fx->st, fx->pool, "none", &pg),
			 GZ_ENOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byline_names),
		cmocka_unit_test_setup_teardown(test_authors_listed_only_with_a_story_out,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_author", tests, NULL, NULL);
}
