/*
 * test_store_events.c - tests of src/store/events.c: the change keys each
 * write fires after its commit (and a rollback does not), old and new
 * section and tags of an updated article, "nav" only when a section's
 * visible count crosses zero, the kept counts, and the due ticker
 * (store_due_publish, store_due_next).
 *
 * A listener collects the keys of each firing into the fixture; each test
 * works in its own mkdtemp directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/err.h"
#include "util/pool.h"

#include "store_fixture.h"

#define MAX_KEYS 64

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	struct pool *pool;
	/* What the listener heard: how often, and the last firing's keys
	 * joined by spaces. */
	int fired;
	char keys[4096];
	size_t nkeys;
};

static void
listener(void *ctx, const char *const *keys, size_t nkeys)
{
	struct fx *fx = ctx;
	size_t i, len = 0;

	fx->fired++;
	fx->nkeys = nkeys;
	fx->keys[0] = '\0';
	for (i = 0; i < nkeys; i++) {
		int n = snprintf(fx->keys + len, sizeof(fx->keys) - len, "%s%s",
				 i ? " " : "", keys[i]);

		assert_true(n > 0 && (size_t)n < sizeof(fx->keys) - len);
		len += (size_t)n;
	}
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-events-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(1u << 20));
	store_events_listen(fx->st, listener, fx);
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

/* True when key is one of the last firing's keys. */
static bool
heard(const struct fx *fx, const char *key)
{
	size_t n = strlen(key);
	const char *p = fx->keys;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == fx->keys || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static void
reset(struct fx *fx)
{
	fx->fired = 0;
	fx->nkeys = 0;
	fx->keys[0] = '\0';
}

/* Puts one article in its own transaction. */
static int64_t
put(struct fx *fx, const char *key, const char *section,
    const char *const *tags, size_t ntags, enum store_status status,
    int64_t published_at)
{
	struct store_article_input in = {
		.import_key = key,
		.headline = "A story",
		.section = section,
		.tags = tags,
		.ntags = ntags,
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
test_put_keys(void **state)
{
	struct fx *fx = *state;
	const char *tags[] = {"Bridges", "Council", "bridges"};
	char key[32];
	int64_t id;

	id = put(fx, "k1", "City", tags, 3, STORE_PUBLISHED, 100);
	assert_int_equal(fx->fired, 1);
	snprintf(key, sizeof(key), "article:%lld", (long long)id);
	assert_true(heard(fx, key));
	assert_true(heard(fx, "section:city"));
	assert_true(heard(fx, "tag:bridges"));
	assert_true(heard(fx, "tag:council"));
	assert_true(heard(fx, "front"));
	assert_true(heard(fx, "feeds"));
	assert_true(heard(fx, "sitemaps"));
	/* City had no visible article before. */
	assert_true(heard(fx, "nav"));
	assert_false(heard(fx, "comments"));
	/* Each once: bridges twice in the input is one tag. */
	assert_int_equal(fx->nkeys, 8);
}

static void
test_rollback_fires_nothing(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Gone",
		.section = "World",
		.status = STORE_PUBLISHED,
		.published_at = 100,
	};
	struct store_section *secs;
	int64_t id;
	size_t n;
	bool created;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, &in, &id, &created), GZ_OK);
	store_tx_rollback(fx->st);
	assert_int_equal(fx->fired, 0);

	/* Keys of a rolled-back transaction do not leak into the next. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->fired, 0);
	assert_int_equal(store_section_list(fx->st, fx->pool, 200, &secs, &n),
			 GZ_OK);
	assert_int_equal(n, 0);
}

static void
test_failed_put_takes_back_its_keys(void **state)
{
	struct fx *fx = *state;
	struct store_article_input bad = {
		.headline = "Bad",
		.section = "Sport",
		.status = STORE_PUBLISHED,
		.published_at = 100,
		.body = "\xff",
	};
	struct store_article_input good = {
		.headline = "Good",
		.section = "City",
		.status = STORE_PUBLISHED,
		.published_at = 100,
	};
	int64_t id;
	bool created;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, &bad, &id, &created),
			 GZ_EINVAL);
	assert_int_equal(store_article_put(fx->st, &good, &id, &created),
			 GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->fired, 1);
	assert_true(heard(fx, "section:city"));
	assert_false(heard(fx, "section:sport"));
}

static void
test_update_old_and_new(void **state)
{
	struct fx *fx = *state;
	const char *old_tags[] = {"Bridges", "Roads"};
	const char *new_tags[] = {"Roads", "Rail"};
	struct store_section *secs;
	size_t n;

	put(fx, "k1", "City", old_tags, 2, STORE_PUBLISHED, 100);
	put(fx, "k2", "World", NULL, 0, STORE_PUBLISHED, 100);
	reset(fx);
	put(fx, "k1", "World", new_tags, 2, STORE_PUBLISHED, 100);
	assert_int_equal(fx->fired, 1);
	assert_true(heard(fx, "section:city"));
	assert_true(heard(fx, "section:world"));
	assert_true(heard(fx, "tag:bridges"));
	assert_true(heard(fx, "tag:roads"));
	assert_true(heard(fx, "tag:rail"));
	/* City lost its last article. */
	assert_true(heard(fx, "nav"));

	assert_int_equal(store_section_list(fx->st, fx->pool, 200, &secs, &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_string_equal(secs[0].slug, "city");
	assert_int_equal(secs[0].article_count, 0);
	assert_int_equal(secs[1].article_count, 2);
}

static void
test_nav_only_on_crossing_zero(void **state)
{
	struct fx *fx = *state;

	/* A draft: the section exists but shows nothing. */
	put(fx, "d", "City", NULL, 0, STORE_DRAFT, 0);
	assert_int_equal(fx->fired, 1);
	assert_false(heard(fx, "nav"));
	/* First visible article: nav. */
	put(fx, "a", "City", NULL, 0, STORE_PUBLISHED, 100);
	assert_true(heard(fx, "nav"));
	/* Second: not. */
	put(fx, "b", "City", NULL, 0, STORE_PUBLISHED, 100);
	assert_false(heard(fx, "nav"));
	/* One of two back to draft: not. */
	put(fx, "a", "City", NULL, 0, STORE_DRAFT, 0);
	assert_false(heard(fx, "nav"));
	/* The last one: nav. */
	put(fx, "b", "City", NULL, 0, STORE_DRAFT, 0);
	assert_true(heard(fx, "nav"));
	assert_true(heard(fx, "section:city"));
}

static void
test_comment_keys(void **state)
{
	struct fx *fx = *state;
	struct store_comment_input in = {
		.author = "Ana",
		.body = "Yes.",
		.status = STORE_COMMENT_PENDING,
		.created_at = 200,
	};
	char key[32], form[48];
	int64_t cid, cid2;

	in.article_id = put(fx, "k", "City", NULL, 0, STORE_PUBLISHED, 100);
	snprintf(key, sizeof(key), "article:%lld", (long long)in.article_id);
	snprintf(form, sizeof(form), "article-form:%lld",
		 (long long)in.article_id);

	/* A comment held for moderation changes no public page: the queue's
	 * key and the private page's form key, not the article's, so a
	 * flood of them leaves the article cached. */
	reset(fx);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_insert(fx->st, &in, &cid), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->fired, 1);
	assert_int_equal(fx->nkeys, 2);
	assert_false(heard(fx, key));
	assert_true(heard(fx, form));
	assert_true(heard(fx, "comments"));

	/* Nor does it moving between the states readers never see. */
	reset(fx);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_set_status(fx->st, cid,
			 STORE_COMMENT_SPAM, "cli:root", 250), GZ_OK);
	assert_int_equal(store_comment_set_status(fx->st, cid,
			 STORE_COMMENT_PENDING, "cli:root", 260), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->nkeys, 1);
	assert_true(heard(fx, "comments"));

	/* Approved, it is on the page... */
	reset(fx);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_set_status(fx->st, cid,
			 STORE_COMMENT_APPROVED, "cli:root", 300), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->nkeys, 2);
	assert_true(heard(fx, key));
	assert_true(heard(fx, "comments"));

	/* ...and taken off it again. */
	reset(fx);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_set_status(fx->st, cid,
			 STORE_COMMENT_SPAM, "cli:root", 310), GZ_OK);
	assert_int_equal(store_comment_set_status(fx->st, cid,
			 STORE_COMMENT_APPROVED, "cli:root", 320), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->nkeys, 2);
	assert_true(heard(fx, key));

	/* One stored approved (post-moderation) is on the page at once. */
	reset(fx);
	in.status = STORE_COMMENT_APPROVED;
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_insert(fx->st, &in, &cid2), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->nkeys, 3);
	assert_true(heard(fx, key));
	assert_true(heard(fx, form));
	in.status = STORE_COMMENT_PENDING;

	reset(fx);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_delete(fx->st, cid, "cli:root", 400),
			 GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->nkeys, 2);
	assert_true(heard(fx, key));

	/* A failing comment write records nothing. */
	reset(fx);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_delete(fx->st, cid, "cli:root", 400),
			 GZ_ENOTFOUND);
	in.article_id = 999;
	assert_int_equal(store_comment_insert(fx->st, &in, &cid),
			 GZ_ENOTFOUND);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->fired, 0);
}

static void
test_html_set_fires_nothing(void **state)
{
	struct fx *fx = *state;
	int64_t id = put(fx, "k", "City", NULL, 0, STORE_PUBLISHED, 100);

	reset(fx);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_html_set(fx->st, id, "<p>x</p>", NULL, 1),
			 GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(fx->fired, 0);
}

static void
test_due_publish(void **state)
{
	struct fx *fx = *state;
	const char *tags[] = {"Late"};
	struct store_section *secs;
	int64_t t = (int64_t)time(NULL) + 3600, id, at = -1;
	char key[32];
	size_t n;

	id = put(fx, "k", "City", tags, 1, STORE_SCHEDULED, t);
	/* Not visible yet: City is still empty, nav not fired. */
	assert_false(heard(fx, "nav"));
	assert_int_equal(store_due_next(fx->st, t - 100, &at), GZ_OK);
	assert_int_equal(at, t);
	assert_int_equal(store_due_next(fx->st, t, &at), GZ_OK);
	assert_int_equal(at, 0);

	reset(fx);
	/* The first call only records its now, even past t. */
	assert_int_equal(store_due_publish(fx->st, t - 10), GZ_OK);
	assert_int_equal(fx->fired, 0);
	assert_int_equal(store_due_publish(fx->st, t - 1), GZ_OK);
	assert_int_equal(fx->fired, 0);
	assert_int_equal(store_due_publish(fx->st, t), GZ_OK);
	assert_int_equal(fx->fired, 1);
	snprintf(key, sizeof(key), "article:%lld", (long long)id);
	assert_true(heard(fx, key));
	assert_true(heard(fx, "section:city"));
	assert_true(heard(fx, "tag:late"));
	assert_true(heard(fx, "front"));
	assert_true(heard(fx, "feeds"));
	assert_true(heard(fx, "sitemaps"));
	assert_true(heard(fx, "nav"));
	/* Once. */
	assert_int_equal(store_due_publish(fx->st, t + 1), GZ_OK);
	assert_int_equal(store_due_publish(fx->st, t + 2), GZ_OK);
	assert_int_equal(fx->fired, 1);

	assert_int_equal(store_section_list(fx->st, fx->pool, t, &secs, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(secs[0].article_count, 1);
	assert_int_equal(store_section_list(fx->st, fx->pool, t - 1, &secs,
					    &n), GZ_OK);
	assert_int_equal(secs[0].article_count, 0);
}

static void
test_due_first_call_only_records(void **state)
{
	struct fx *fx = *state;
	int64_t t = (int64_t)time(NULL) + 3600;

	put(fx, "k", "City", NULL, 0, STORE_SCHEDULED, t);
	reset(fx);
	assert_int_equal(store_due_publish(fx->st, t + 5), GZ_OK);
	assert_int_equal(fx->fired, 0);
	assert_int_equal(store_due_publish(fx->st, t + 6), GZ_OK);
	assert_int_equal(fx->fired, 0);
}

/* Totals of a section's and a tag's listing follow the kept counts, at
 * any now, before and after due articles, and leave out exclude_id. */
static void
test_kept_totals(void **state)
{
	struct fx *fx = *state;
	const char *tags[] = {"Roads"};
	struct store_article_query q = {0};
	struct store_article *items;
	int64_t t = (int64_t)time(NULL) + 3600, id1;
	size_t n, total;

	id1 = put(fx, "a", "City", tags, 1, STORE_PUBLISHED, 100);
	put(fx, "b", "City", tags, 1, STORE_PUBLISHED, 200);
	put(fx, "c", "City", tags, 1, STORE_SCHEDULED, t);
	put(fx, "d", "City", tags, 1, STORE_DRAFT, 0);
	put(fx, "e", "World", tags, 1, STORE_PUBLISHED, 150);

	q.limit = 10;
	q.section_slug = "city";
	q.now = 150;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	q.now = t;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	q.exclude_id = id1;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);

	q.section_slug = NULL;
	q.tag_slug = "roads";
	q.exclude_id = 0;
	q.now = 150;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	q.now = t;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 4);
	assert_int_equal(total, 4);
	assert_int_equal(items[0].published_at, t);
	q.exclude_id = id1;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(total, 3);
	q.section_slug = "city";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);

	/* After the tick the same answers. */
	assert_int_equal(store_due_publish(fx->st, t - 1), GZ_OK);
	assert_int_equal(store_due_publish(fx->st, t), GZ_OK);
	q.section_slug = NULL;
	q.exclude_id = 0;
	q.now = 150;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(total, 2);
	q.tag_slug = "nope";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(total, 0);
	assert_int_equal(n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_fires_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_failed_put_takes_back_its_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_old_and_new, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nav_only_on_crossing_zero,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_comment_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_html_set_fires_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_publish, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_due_first_call_only_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_totals, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("store_events", tests, NULL, NULL);
}
