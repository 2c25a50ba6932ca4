/* test_store_changes.c - change events across processes
 * (src/store/changes.c): a write committed through one store reaches the
 * listener of another store on the same database through the changes
 * table, whole (a row of more keys than one call carries), once, and a
 * store never hears its own writes twice. Two stores in one process
 * stand for two processes: each has its own origin. Also units inside a
 * transaction (store_tx_unit_begin/end, sqlite.c).
 *
 * On SQLite another store's writes are heard when a sync reads them; on
 * PostgreSQL the store's listener thread (pg_listen.c) is told of them
 * by NOTIFY and fires them itself, so there the test waits for them,
 * with a deadline that only stops a broken run, and counts under a lock
 * since the thread is the one counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/err.h"

#include "store_fixture.h"

#define NOW INT64_C(1621362660)

struct heard {
	pthread_mutex_t lock;
	size_t calls, keys;
	int article_seen[400];
	int front;
};

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *a, *b;
	struct heard ha, hb;
};

static void
on_change(void *ctx, const char *const *keys, size_t n)
{
	struct heard *h = ctx;
	size_t i;
	int id;

	pthread_mutex_lock(&h->lock);
	h->calls++;
	for (i = 0; i < n; i++) {
		h->keys++;
		if (sscanf(keys[i], "article:%d", &id) == 1 && id > 0 && id < 400)
			h->article_seen[id]++;
		if (strcmp(keys[i], "front") == 0)
			h->front++;
	}
	pthread_mutex_unlock(&h->lock);
}

/* A field of h, read under its lock. */
static int
heard_read(struct heard *h, const int *field)
{
	int v;

	pthread_mutex_lock(&h->lock);
	v = *field;
	pthread_mutex_unlock(&h->lock);
	return v;
}

/* Lets st hear what other stores committed: one sync on SQLite; on
 * PostgreSQL, syncs until *field reaches want or 30 s have passed (the
 * listener thread fires on its own time). Returns *field. */
static int
hear(struct store *st, struct heard *h, const int *field, int want)
{
	struct timespec pause = {0, 10 * 1000 * 1000};
	int i;

	assert_int_equal(store_changes_sync(st), GZ_OK);
	for (i = 0; store_fixture_pg() && i < 3000 &&
		    heard_read(h, field) < want; i++) {
		nanosleep(&pause, NULL);
		assert_int_equal(store_changes_sync(st), GZ_OK);
	}
	return heard_read(h, field);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(pthread_mutex_init(&fx->ha.lock, NULL), 0);
	assert_int_equal(pthread_mutex_init(&fx->hb.lock, NULL), 0);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-changes-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->a), GZ_OK);
	assert_int_equal(store_open(fx->path, &fx->b), GZ_OK);
	store_events_listen(fx->a, on_change, &fx->ha);
	store_events_listen(fx->b, on_change, &fx->hb);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->a);
	store_close(fx->b);
	pthread_mutex_destroy(&fx->ha.lock);
	pthread_mutex_destroy(&fx->hb.lock);
	store_fixture_remove(fx->dir);
	free(fx);
	return 0;
}

/* Puts n articles through st in one transaction. */
static void
put_articles(struct store *st, int n, const char *prefix)
{
	char headline[64], key[64];
	int i;

	assert_int_equal(store_tx_begin(st), GZ_OK);
	for (i = 0; i < n; i++) {
		struct store_article_input in = {
			.headline = headline,
			.import_key = key,
			.body = "Text.",
			.status = STORE_PUBLISHED,
			.published_at = NOW,
		};
		int64_t id;
		bool created;

		snprintf(headline, sizeof(headline), "%s %d", prefix, i);
		snprintf(key, sizeof(key), "%s-%d", prefix, i);
		assert_int_equal(store_article_put(st, &in, &id, &created), GZ_OK);
	}
	assert_int_equal(store_tx_commit(st), GZ_OK);
}

static void
test_other_store_hears(void **state)
{
	struct fx *fx = *state;
	struct heard *ha = &fx->ha, *hb = &fx->hb;

	/* Nothing yet: a sync finds nothing. */
	assert_int_equal(store_changes_sync(fx->a), GZ_OK);
	assert_int_equal(ha->calls, 0);
	put_articles(fx->b, 1, "b");
	/* b heard its own write at commit; a hears it on its next sync (on
	 * SQLite, not before), once. */
	assert_int_equal(heard_read(hb, &hb->front), 1);
	if (!store_fixture_pg())
		assert_int_equal(heard_read(ha, &ha->front), 0);
	assert_int_equal(hear(fx->a, ha, &ha->front, 1), 1);
	assert_int_equal(heard_read(ha, &ha->article_seen[1]), 1);
	assert_int_equal(store_changes_sync(fx->a), GZ_OK);
	assert_int_equal(heard_read(ha, &ha->front), 1);
	/* b's own sync does not tell b its write again. */
	assert_int_equal(store_changes_sync(fx->b), GZ_OK);
	assert_int_equal(heard_read(hb, &hb->front), 1);
}

static void
test_big_row_told_whole(void **state)
{
	struct fx *fx = *state;
	struct heard *ha = &fx->ha;
	int i;

	/* 300 articles in one transaction: one row of more than 300 keys,
	 * told in more than one call. */
	put_articles(fx->b, 300, "many");
	assert_int_equal(hear(fx->a, ha, &ha->article_seen[300], 1), 1);
	pthread_mutex_lock(&ha->lock);
	assert_true(ha->calls >= 2);
	for (i = 1; i <= 300; i++)
		assert_int_equal(ha->article_seen[i], 1);
	pthread_mutex_unlock(&ha->lock);
}

static void
test_units(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Kept",
		.body = "Text.",
		.status = STORE_PUBLISHED,
		.published_at = NOW,
	};
	int64_t id, n = 0;
	bool created;

	assert_int_equal(store_tx_begin(fx->a), GZ_OK);
	/* A unit that fails leaves nothing, not even its keys... */
	assert_int_equal(store_tx_unit_begin(fx->a), GZ_OK);
	in.headline = "Undone";
	assert_int_equal(store_article_put(fx->a, &in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_unit_end(fx->a, GZ_EINVAL), GZ_EINVAL);
	/* ...and the transaction goes on. */
	assert_int_equal(store_tx_unit_begin(fx->a), GZ_OK);
	in.headline = "Kept";
	assert_int_equal(store_article_put(fx->a, &in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_unit_end(fx->a, GZ_OK), GZ_OK);
	assert_int_equal(store_tx_commit(fx->a), GZ_OK);
	assert_int_equal(store_article_count(fx->a, &n), GZ_OK);
	assert_int_equal(n, 1);
	/* Only the kept article's keys were told: one front, one article. */
	assert_int_equal(fx->ha.front, 1);
	assert_int_equal(fx->ha.article_seen[id], 1);
	assert_int_equal(fx->ha.article_seen[id == 1 ? 2 : 1], 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_other_store_hears),
		T(test_big_row_told_whole),
		T(test_units),
	};
#undef T

	return cmocka_run_group_tests_name("store/changes", tests, NULL, NULL);
}
