/*
 * test_util_pool.c - tests of src/util/pool.c: alignment, the maximum,
 * big allocations, clearing and reuse, calloc's overflow check, and the
 * string helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/pool.h"

#define ALIGN _Alignof(max_align_t)

static void
test_alignment_and_no_overlap(void **state)
{
	struct pool *p = pool_new(1u << 20);
	unsigned char *prev = NULL, *q;
	size_t sizes[] = {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 100, 4095, 5000};
	size_t i, prevlen = 0, round;
	unsigned char fill = 0, prevfill = 0;

	(void)state;
	assert_non_null(p);
	for (round = 0; round < 10; round++) {
		for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
			q = pool_alloc(p, sizes[i]);
			assert_non_null(q);
			assert_int_equal((uintptr_t)q % ALIGN, 0);
			/* Fill it: ASan catches a short block, and the
			 * check of the previous one an overlap. */
			memset(q, ++fill, sizes[i]);
			if (prev && prevlen) {
				assert_int_equal(prev[0], prevfill);
				assert_int_equal(prev[prevlen - 1], prevfill);
			}
			prev = q;
			prevlen = sizes[i];
			prevfill = fill;
		}
	}
	/* Zero bytes still gives distinct pointers. */
	assert_ptr_not_equal(pool_alloc(p, 0), pool_alloc(p, 0));
	pool_free(p);
	pool_free(NULL);
}

static void
test_max(void **state)
{
	struct pool *p = pool_new(64u * 1024u);
	size_t got = 0;
	void *q;

	(void)state;
	assert_non_null(p);
	while ((q = pool_alloc(p, 1000)) != NULL)
		got += 1000;
	/* Most of the budget is usable, never more than all of it. */
	assert_true(got <= 64u * 1024u);
	assert_true(got >= 60u * 1024u);
	assert_null(pool_alloc(p, 1u << 20));
	pool_free(p);

	/* A maximum smaller than one block still hands out up to it. */
	p = pool_new(1000);
	assert_non_null(p);
	assert_non_null(pool_alloc(p, 100));
	assert_non_null(pool_alloc(p, 800));
	assert_null(pool_alloc(p, 200));
	pool_free(p);

	/* One request bigger than the maximum. */
	p = pool_new(4096);
	assert_null(pool_alloc(p, 4097));
	assert_non_null(pool_alloc(p, 4096));
	pool_free(p);

	/* No maximum: a request near SIZE_MAX fails cleanly instead of
	 * wrapping the block size. */
	p = pool_new(SIZE_MAX);
	assert_null(pool_alloc(p, SIZE_MAX));
	assert_null(pool_alloc(p, SIZE_MAX - 16));
	assert_non_null(pool_alloc(p, 10));
	pool_free(p);
}

static void
test_big_allocations(void **state)
{
	struct pool *p = pool_new(8u << 20);
	char *small1, *big, *small2;

	(void)state;
	assert_non_null(p);
	small1 = pool_alloc(p, 16);
	big = pool_alloc(p, 1u << 20);
	assert_non_null(small1);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % ALIGN, 0);
	memset(big, 0xAB, 1u << 20);
	/* The big one has a block of its own; the small ones go on
	 * sharing the first block. */
	small2 = pool_alloc(p, 16);
	assert_ptr_equal(small2, small1 + 16);
	assert_int_equal((unsigned char)big[(1u << 20) - 1], 0xAB);
	pool_free(p);
}

static void
test_clear_and_reuse(void **state)
{
	struct pool *p = pool_new(256u * 1024u);
	char *first, *again;
	size_t i, got1 = 0, got2 = 0;

	(void)state;
	assert_non_null(p);
	pool_clear(p); /* an empty pool */
	first = pool_alloc(p, 32);
	assert_non_null(first);
	while (pool_alloc(p, 5000))
		got1++;
	pool_clear(p);
	/* The first block is kept and reused... */
	again = pool_alloc(p, 32);
	assert_ptr_equal(again, first);
	/* ...and the budget is given back. */
	while (pool_alloc(p, 5000))
		got2++;
	assert_int_equal(got1, got2);

	for (i = 0; i < 100; i++) {
		pool_clear(p);
		assert_non_null(pool_alloc(p, 100000));
	}
	pool_free(p);
}

static void
test_calloc_zero_and_overflow(void **state)
{
	struct pool *p = pool_new(1u << 20);
	unsigned char *q;
	size_t i;

	(void)state;
	assert_non_null(p);
	q = pool_alloc(p, 4000);
	memset(q, 0xFF, 4000);
	pool_clear(p);
	q = pool_calloc(p, 1000, 4);
	assert_non_null(q);
	for (i = 0; i < 4000; i++)
		assert_int_equal(q[i], 0);
	assert_null(pool_calloc(p, SIZE_MAX / 2, 4));
	assert_null(pool_calloc(p, 4, SIZE_MAX / 2));
	assert_null(pool_calloc(p, SIZE_MAX, SIZE_MAX));
	assert_non_null(pool_calloc(p, 0, 8));
	assert_non_null(pool_calloc(p, 8, 0));
	pool_free(p);
}

static void
test_strings(void **state)
{
	struct pool *p = pool_new(1u << 20);
	char big[40000], *s;

	(void)state;
	assert_non_null(p);
	assert_string_equal(pool_strdup(p, "hello"), "hello");
	assert_string_equal(pool_strdup(p, ""), "");
	assert_string_equal(pool_strndup(p, "hello", 3), "hel");
	assert_string_equal(pool_printf(p, "%s=%d", "x", 42), "x=42");
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = pool_printf(p, "<%s>", big);
	assert_non_null(s);
	assert_int_equal(strlen(s), sizeof(big) + 1);
	assert_int_equal(s[sizeof(big)], '>');
	pool_free(p);

	/* Past the maximum: NULL, not a cut string. */
	p = pool_new(1000);
	assert_null(pool_printf(p, "%s", big));
	assert_null(pool_strdup(p, big));
	pool_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_no_overlap),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_big_allocations),
		cmocka_unit_test(test_clear_and_reuse),
		cmocka_unit_test(test_calloc_zero_and_overflow),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests_name("util/pool", tests, NULL, NULL);
}
