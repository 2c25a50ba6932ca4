/*
 * test_store_limit.c - tests of src/store/limit.c: hits counted per
 * (scope, key) in a sliding window and refused at the maximum with the
 * oldest hit for Retry-After, taken back newest first, cleared, purged
 * when expired; sign-in tokens spent once; keys outside 16..32 bytes
 * refused; and two stores on one database (two nodes) racing for the
 * last hit of a window, of which exactly one gets it.
 *
 * Runs on SQLite, and on PostgreSQL with GAZETTE_TEST_STORE=postgresql
 * and GAZETTE_TEST_PG (store_fixture.h). Each test works in its own
 * directory or schema.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/err.h"

#include "store_fixture.h"

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-limit-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	store_fixture_remove(fx->dir);
	free(fx);
	return 0;
}

/* A 32-byte key made of byte b. */
static void
key_of(unsigned char key[32], unsigned char b)
{
	memset(key, b, 32);
}

static bool
take(struct store *st, int scope, const unsigned char *key, int64_t now,
     unsigned max, int64_t *oldest)
{
	bool allowed = true;

	assert_int_equal(store_limit_take(st, scope, key, 32, now, 60, max,
					  &allowed, oldest), GZ_OK);
	return allowed;
}

static unsigned
count(struct store *st, int scope, const unsigned char *key, int64_t now)
{
	unsigned n = 99;

	assert_int_equal(store_limit_count(st, scope, key, 32, now, 60, &n,
					   NULL), GZ_OK);
	return n;
}

/* Three in a minute, the fourth refused with the oldest; a minute after
 * the first, one more. Another key and another scope count apart. */
static void
test_take_window(void **state)
{
	struct fx *fx = *state;
	unsigned char a[32], b[32];
	int64_t oldest = 0;

	key_of(a, 1);
	key_of(b, 2);
	assert_true(take(fx->st, 1, a, 1000, 3, NULL));
	assert_true(take(fx->st, 1, a, 1010, 3, NULL));
	assert_true(take(fx->st, 1, a, 1020, 3, NULL));
	assert_false(take(fx->st, 1, a, 1030, 3, &oldest));
	assert_int_equal(oldest, 1000);
	assert_int_equal(count(fx->st, 1, a, 1030), 3);
	/* Other keys, other scopes: their own counts. */
	assert_true(take(fx->st, 1, b, 1030, 3, NULL));
	assert_true(take(fx->st, 2, a, 1030, 3, NULL));
	assert_int_equal(count(fx->st, 1, b, 1030), 1);
	/* At 1060 the hit of 1000 is a whole window old: out. */
	assert_int_equal(count(fx->st, 1, a, 1059), 3);
	assert_int_equal(count(fx->st, 1, a, 1060), 2);
	assert_true(take(fx->st, 1, a, 1060, 3, NULL));
	assert_false(take(fx->st, 1, a, 1061, 3, &oldest));
	assert_int_equal(oldest, 1010);
	/* A clock stepped back: hits after now still count. */
	assert_int_equal(count(fx->st, 1, a, 900), 4);
}

/* forgive takes back the newest hit only; clear takes all of one key. */
static void
test_forgive_clear(void **state)
{
	struct fx *fx = *state;
	unsigned char a[32], b[32];
	int64_t oldest = 0;

	key_of(a, 3);
	key_of(b, 4);
	assert_true(take(fx->st, 1, a, 1000, 2, NULL));
	assert_true(take(fx->st, 1, a, 1050, 2, NULL));
	assert_true(take(fx->st, 1, b, 1050, 2, NULL));
	assert_int_equal(store_limit_forgive(fx->st, 1, a, 32), GZ_OK);
	/* The newest (1050) went: at 1065 the one of 1000 is out too. */
	assert_int_equal(count(fx->st, 1, a, 1055), 1);
	assert_int_equal(count(fx->st, 1, a, 1065), 0);
	assert_true(take(fx->st, 1, a, 1055, 2, NULL));
	assert_false(take(fx->st, 1, a, 1056, 2, &oldest));
	assert_int_equal(oldest, 1000);
	assert_int_equal(store_limit_clear(fx->st, 1, a, 32), GZ_OK);
	assert_int_equal(count(fx->st, 1, a, 1056), 0);
	assert_int_equal(count(fx->st, 1, b, 1056), 1);
	/* Nothing to take back or clear: fine. */
	assert_int_equal(store_limit_forgive(fx->st, 1, a, 32), GZ_OK);
	assert_int_equal(store_limit_clear(fx->st, 9, a, 32), GZ_OK);
	/* Inside the caller's transaction, and undone with it. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_true(take(fx->st, 1, a, 1056, 2, NULL));
	store_tx_rollback(fx->st);
	assert_int_equal(count(fx->st, 1, a, 1056), 0);
}

/* Keys must be 16 to 32 bytes; the window at least a second. */
static void
test_bad_input(void **state)
{
	struct fx *fx = *state;
	unsigned char k[40] = {0};
	unsigned n = 0;
	bool ok = true;

	assert_int_equal(store_limit_take(fx->st, 1, k, 15, 1, 60, 1, &ok,
					  NULL), GZ_EINVAL);
	assert_false(ok);
	assert_int_equal(store_limit_take(fx->st, 1, k, 33, 1, 60, 1, &ok,
					  NULL), GZ_EINVAL);
	assert_int_equal(store_limit_take(fx->st, 1, NULL, 32, 1, 60, 1, &ok,
					  NULL), GZ_EINVAL);
	assert_int_equal(store_limit_take(fx->st, 1, k, 32, 1, 0, 1, &ok,
					  NULL), GZ_EINVAL);
	assert_int_equal(store_limit_count(fx->st, 1, k, 8, 1, 60, &n, NULL),
			 GZ_EINVAL);
	assert_int_equal(store_limit_forgive(fx->st, 1, k, 8), GZ_EINVAL);
	assert_int_equal(store_login_spend(fx->st, k, 40, 10), GZ_EINVAL);
	/* 16 bytes is enough. */
	assert_int_equal(store_limit_take(fx->st, 1, k, 16, 1, 60, 1, &ok,
					  NULL), GZ_OK);
	assert_true(ok);
	/* max 0: nothing is ever allowed. */
	assert_int_equal(store_limit_take(fx->st, 2, k, 16, 1, 60, 0, &ok,
					  NULL), GZ_OK);
	assert_false(ok);
}

/* A token is spent once; spent tells until it expires; the purge
 * forgets expired hits and tokens and keeps the others. */
static void
test_spend_purge(void **state)
{
	struct fx *fx = *state;
	unsigned char t1[32], t2[32], a[32];
	bool spent = false;

	key_of(t1, 5);
	key_of(t2, 6);
	key_of(a, 7);
	assert_int_equal(store_login_spent(fx->st, t1, 32, 1000, &spent),
			 GZ_OK);
	assert_false(spent);
	assert_int_equal(store_login_spend(fx->st, t1, 32, 1100), GZ_OK);
	assert_int_equal(store_login_spend(fx->st, t1, 32, 1100), GZ_EEXIST);
	assert_int_equal(store_login_spend(fx->st, t2, 32, 2000), GZ_OK);
	assert_int_equal(store_login_spent(fx->st, t1, 32, 1000, &spent),
			 GZ_OK);
	assert_true(spent);
	assert_int_equal(store_login_spent(fx->st, t1, 32, 1100, &spent),
			 GZ_OK);
	assert_false(spent);
	/* In the caller's transaction, a second spend leaves it usable. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_login_spend(fx->st, t2, 32, 2000), GZ_EEXIST);
	assert_true(take(fx->st, 1, a, 1000, 5, NULL));
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_true(take(fx->st, 1, a, 1100, 5, NULL)); /* until 1160 */

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_limit_purge(fx->st, 1100), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	/* The hit of 1000 (until 1060) and t1 (until 1100) are gone. */
	assert_int_equal(count(fx->st, 1, a, 900), 1);
	assert_int_equal(store_login_spend(fx->st, t1, 32, 1200), GZ_OK);
	assert_int_equal(store_login_spent(fx->st, t2, 32, 1100, &spent),
			 GZ_OK);
	assert_true(spent);
}

/* ---- two nodes racing ---------------------------------------------------- */

#define RACE_ROUNDS 20

struct racer {
	struct store *st;
	pthread_barrier_t *barrier;
	int allowed[RACE_ROUNDS];
	int err;
};

static void *
racer_run(void *arg)
{
	struct racer *r = arg;
	unsigned char key[32];
	int i, rc;

	for (i = 0; i < RACE_ROUNDS; i++) {
		bool ok = false;

		key_of(key, (unsigned char)(100 + i));
		pthread_barrier_wait(r->barrier);
		rc = store_limit_take(r->st, 3, key, 32, 5000, 60, 1, &ok,
				      NULL);
		if (rc != GZ_OK && r->err == GZ_OK)
			r->err = rc;
		r->allowed[i] = ok;
	}
	return NULL;
}

/* Two stores on one database (two nodes), max 1, both take at once,
 * round after round: each round exactly one is allowed, and the
 * database holds one hit per round. */
static void
test_two_nodes_race(void **state)
{
	struct fx *fx = *state;
	struct store *other = NULL;
	pthread_barrier_t barrier;
	struct racer r[2];
	pthread_t t[2];
	unsigned char key[32];
	int i, wins[2] = {0, 0};

	assert_int_equal(store_open(fx->path, &other), GZ_OK);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, 2), 0);
	memset(r, 0, sizeof(r));
	r[0].st = fx->st;
	r[1].st = other;
	for (i = 0; i < 2; i++) {
		r[i].barrier = &barrier;
		assert_int_equal(pthread_create(&t[i], NULL, racer_run, &r[i]),
				 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	pthread_barrier_destroy(&barrier);
	assert_int_equal(r[0].err, GZ_OK);
	assert_int_equal(r[1].err, GZ_OK);
	for (i = 0; i < RACE_ROUNDS; i++) {
		assert_int_equal(r[0].allowed[i] + r[1].allowed[i], 1);
		wins[0] += r[0].allowed[i];
		wins[1] += r[1].allowed[i];
		key_of(key, (unsigned char)(100 + i));
		assert_int_equal(count(other, 3, key, 5000), 1);
	}
	/* Printed, not asserted: who wins is the scheduler's. */
	printf("race: node A won %d rounds, node B %d\n", wins[0], wins[1]);
	assert_true(store_is_shared(fx->st) == (store_fixture_pg() != NULL));
	store_close(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_forgive_clear, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_spend_purge, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_nodes_race, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("store_limit", tests, NULL, NULL);
}
