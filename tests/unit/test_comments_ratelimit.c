/* Tests for src/comments/ratelimit.c: the per-IP sliding window, its
 * fixed-size table and eviction, with a fake clock (now is passed in). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "comments/comments_int.h"
#include "util/err.h"

static struct comments_ratelimit *
make(unsigned slots, unsigned count, unsigned seconds)
{
	struct comments_ratelimit *rl = NULL;

	assert_int_equal(comments_ratelimit_new(slots, count, seconds, &rl),
			 GZ_OK);
	assert_non_null(rl);
	return rl;
}

/* "10.x.y.z" for i. Valid until the next call in this thread. */
static const char *
ip_of(unsigned i)
{
	static _Thread_local char s[32];

	snprintf(s, sizeof(s), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
	return s;
}

static void
arguments_are_checked(void **state)
{
	struct comments_ratelimit *rl = (struct comments_ratelimit *)1;

	(void)state;
	assert_int_equal(comments_ratelimit_new(0, 5, 600, &rl), GZ_EINVAL);
	assert_null(rl);
	assert_int_equal(comments_ratelimit_new(100, 5, 600, &rl), GZ_EINVAL);
	assert_int_equal(comments_ratelimit_new(64, 0, 600, &rl), GZ_EINVAL);
	assert_int_equal(comments_ratelimit_new(64, COMMENTS_RATE_COUNT_MAX + 1,
						600, &rl),
			 GZ_EINVAL);
	assert_int_equal(comments_ratelimit_new(64, 5, 0, &rl), GZ_EINVAL);
	assert_int_equal(comments_ratelimit_new(1, COMMENTS_RATE_COUNT_MAX, 1,
						&rl),
			 GZ_OK);
	comments_ratelimit_free(rl);
	comments_ratelimit_free(NULL);
}

static void
window_slides(void **state)
{
	struct comments_ratelimit *rl = make(64, 3, 60);

	(void)state;
	assert_false(comments_ratelimit_limited(rl, "192.0.2.1", 0));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 0));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 1));
	assert_false(comments_ratelimit_limited(rl, "192.0.2.1", 2));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 2));
	/* Three in the last 60 s: the fourth is refused. */
	assert_true(comments_ratelimit_limited(rl, "192.0.2.1", 2));
	assert_true(comments_ratelimit_limited(rl, "192.0.2.1", 59));
	assert_false(comments_ratelimit_take(rl, "192.0.2.1", 59));
	/* At 60 the submission of 0 has left the window (60 - 0 is not
	 * less than 60); the refused one at 59 was never counted. */
	assert_false(comments_ratelimit_limited(rl, "192.0.2.1", 60));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 60));
	assert_true(comments_ratelimit_limited(rl, "192.0.2.1", 60));
	/* Now 1, 2 and 60 are in; at 61 the one of 1 leaves. */
	assert_false(comments_ratelimit_limited(rl, "192.0.2.1", 61));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 61));
	assert_true(comments_ratelimit_limited(rl, "192.0.2.1", 61));
	/* 2, 60, 61: at 62 the one of 2 leaves. */
	assert_false(comments_ratelimit_limited(rl, "192.0.2.1", 62));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 62));
	/* 60, 61, 62: limited until 120, then one place at a time. */
	assert_true(comments_ratelimit_limited(rl, "192.0.2.1", 119));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 120));
	assert_false(comments_ratelimit_take(rl, "192.0.2.1", 120));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 121));
	assert_false(comments_ratelimit_take(rl, "192.0.2.1", 121));
	/* Long after, everything is forgotten. */
	assert_false(comments_ratelimit_limited(rl, "192.0.2.1", 100000));
	comments_ratelimit_free(rl);
}

static void
limited_records_nothing(void **state)
{
	struct comments_ratelimit *rl = make(64, 2, 600);
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		assert_false(comments_ratelimit_limited(rl, "192.0.2.1", i));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 100));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 100));
	/* Refused takes do not push the window on. */
	for (i = 101; i < 700; i++)
		assert_false(comments_ratelimit_take(rl, "192.0.2.1", i));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 700));
	comments_ratelimit_free(rl);
}

static void
addresses_are_counted_apart(void **state)
{
	struct comments_ratelimit *rl = make(4096, 1, 600);

	(void)state;
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 0));
	assert_true(comments_ratelimit_limited(rl, "192.0.2.1", 1));
	assert_false(comments_ratelimit_limited(rl, "192.0.2.10", 1));
	assert_false(comments_ratelimit_limited(rl, "192.0.2.", 1));
	assert_false(comments_ratelimit_limited(rl, "2001:db8::1", 1));
	assert_true(comments_ratelimit_take(rl, "2001:db8::1", 1));
	assert_true(comments_ratelimit_limited(rl, "2001:db8::1", 2));
	/* No address is one bucket, the same as "". */
	assert_true(comments_ratelimit_take(rl, NULL, 2));
	assert_true(comments_ratelimit_limited(rl, "", 3));
	assert_false(comments_ratelimit_take(rl, "", 3));
	comments_ratelimit_free(rl);
}

static void
clock_stepping_back_still_counts(void **state)
{
	struct comments_ratelimit *rl = make(64, 2, 60);

	(void)state;
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 1000));
	assert_true(comments_ratelimit_take(rl, "192.0.2.1", 1001));
	/* Times ahead of now are taken as recent, not as long gone. */
	assert_true(comments_ratelimit_limited(rl, "192.0.2.1", 500));
	assert_false(comments_ratelimit_take(rl, "192.0.2.1", 500));
	comments_ratelimit_free(rl);
}

/* A table of 16 slots is one neighbourhood: every address may go in any
 * slot, so "the oldest" is the oldest in the table. */
static void
full_table_evicts_the_oldest(void **state)
{
	struct comments_ratelimit *rl = make(16, 1, 1000);
	unsigned i;

	(void)state;
	for (i = 0; i < 16; i++)
		assert_true(comments_ratelimit_take(rl, ip_of(i), i));
	for (i = 0; i < 16; i++)
		assert_true(comments_ratelimit_limited(rl, ip_of(i), 16));
	/* Full: the 17th address takes the place of the one seen first. */
	assert_true(comments_ratelimit_take(rl, ip_of(16), 16));
	assert_false(comments_ratelimit_limited(rl, ip_of(0), 17));
	for (i = 1; i <= 16; i++)
		assert_true(comments_ratelimit_limited(rl, ip_of(i), 17));
	/* A looked-up address is not refreshed by looking: 1 goes next. */
	assert_true(comments_ratelimit_take(rl, ip_of(17), 17));
	assert_false(comments_ratelimit_limited(rl, ip_of(1), 18));
	assert_true(comments_ratelimit_limited(rl, ip_of(2), 18));
	assert_true(comments_ratelimit_limited(rl, ip_of(17), 18));
	comments_ratelimit_free(rl);
}

/* Empty slots are taken before any entry is evicted, whatever the
 * clock says (here it reads before 1970). */
static void
empty_slots_go_first(void **state)
{
	struct comments_ratelimit *rl = make(16, 1, 1000);
	int i;

	(void)state;
	for (i = 0; i < 16; i++)
		assert_true(comments_ratelimit_take(rl, ip_of((unsigned)i),
						    -100 + i));
	for (i = 0; i < 16; i++)
		assert_true(comments_ratelimit_limited(rl, ip_of((unsigned)i),
						       -80));
	comments_ratelimit_free(rl);
}

static void
stale_entries_go_before_live_ones(void **state)
{
	struct comments_ratelimit *rl = make(16, 1, 10);
	unsigned i;

	(void)state;
	/* 0..15 at times 0..15; at 20 those of 0..10 are out of the
	 * window, 11..15 are live. */
	for (i = 0; i < 16; i++)
		assert_true(comments_ratelimit_take(rl, ip_of(i), i));
	for (i = 100; i < 111; i++)
		assert_true(comments_ratelimit_take(rl, ip_of(i), 20));
	for (i = 11; i < 16; i++)
		assert_true(comments_ratelimit_limited(rl, ip_of(i), 20));
	for (i = 100; i < 111; i++)
		assert_true(comments_ratelimit_limited(rl, ip_of(i), 20));
	comments_ratelimit_free(rl);
}

/* The real size under a flood of distinct addresses: the table stays
 * its size (it never allocates after creation; ASan would see a leak or
 * overflow), and recent addresses are still counted. */
static void
flood_keeps_recent_addresses(void **state)
{
	struct comments_ratelimit *rl = make(COMMENTS_RATE_SLOTS, 1, 1000000);
	unsigned i, n = 100000, kept = 0;

	(void)state;
	for (i = 0; i < n; i++)
		assert_true(comments_ratelimit_take(rl, ip_of(i), i));
	for (i = n - 256; i < n; i++)
		assert_true(comments_ratelimit_limited(rl, ip_of(i), n));
	/* The table holds at most its slots: most old ones are gone. */
	for (i = 0; i < n; i++)
		kept += comments_ratelimit_limited(rl, ip_of(i), n);
	assert_true(kept <= COMMENTS_RATE_SLOTS);
	assert_true(kept > COMMENTS_RATE_SLOTS / 2);
	comments_ratelimit_free(rl);
}

#define RACE_THREADS 4
#define RACE_ROUNDS 512

struct racer {
	struct comments_ratelimit *rl;
	pthread_barrier_t *start;
	int granted;
};

/* Every thread goes through the same addresses in the same order, trying
 * each more often than the count allows, so threads meet on one address
 * again and again. */
static void *
race(void *arg)
{
	struct racer *r = arg;
	unsigned round, k;

	pthread_barrier_wait(r->start);
	for (round = 0; round < RACE_ROUNDS; round++)
		for (k = 0; k < 8; k++)
			r->granted += comments_ratelimit_take(
				r->rl, ip_of(round), 5);
	return NULL;
}

/* Check and record are one step: together the threads get exactly the
 * count for each address, never more. */
static void
concurrent_takes_never_overshoot(void **state)
{
	struct comments_ratelimit *rl = make(COMMENTS_RATE_SLOTS, 5, 600);
	struct racer r[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	pthread_barrier_t start;
	int i, total = 0;

	(void)state;
	assert_int_equal(pthread_barrier_init(&start, NULL, RACE_THREADS), 0);
	for (i = 0; i < RACE_THREADS; i++) {
		r[i].rl = rl;
		r[i].start = &start;
		r[i].granted = 0;
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		total += r[i].granted;
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(total, RACE_ROUNDS * 5);
	comments_ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arguments_are_checked),
		cmocka_unit_test(window_slides),
		cmocka_unit_test(limited_records_nothing),
		cmocka_unit_test(addresses_are_counted_apart),
		cmocka_unit_test(clock_stepping_back_still_counts),
		cmocka_unit_test(full_table_evicts_the_oldest),
		cmocka_unit_test(empty_slots_go_first),
		cmocka_unit_test(stale_entries_go_before_live_ones),
		cmocka_unit_test(flood_keeps_recent_addresses),
		cmocka_unit_test(concurrent_takes_never_overshoot),
	};

	return cmocka_run_group_tests_name("comments/ratelimit", tests, NULL,
					   NULL);
}
