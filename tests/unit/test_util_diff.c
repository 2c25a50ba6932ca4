/* test_util_diff.c - tests for src/util/diff.c: equal and empty texts,
 * added, removed and changed lines, CRLF, the fewest edits, random texts
 * rebuilt from the result, and the caps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/diff.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

static struct pool *pool;

static int
setup(void **state)
{
	(void)state;
	pool = pool_new(64 * 1024 * 1024);
	return pool ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	pool_free(pool);
	pool = NULL;
	return 0;
}

/* The result as "=a +b -c" lines, one per line. */
static const char *
show(const struct diff_line *l, size_t n)
{
	struct buf b;
	char *s;
	size_t i;

	buf_init(&b, 1024 * 1024);
	for (i = 0; i < n; i++) {
		buf_putc(&b, l[i].op == DIFF_KEEP ? '=' :
			 l[i].op == DIFF_ADD ? '+' : '-');
		buf_append(&b, l[i].text, l[i].len);
		buf_putc(&b, '\n');
	}
	assert_int_equal(b.err, GZ_OK);
	s = pool_strdup(pool, b.data ? b.data : "");
	buf_fini(&b);
	return s;
}

static void
expect(const char *old, const char *new, const char *want)
{
	struct diff_line *l;
	size_t n;
	const char *got;

	assert_int_equal(diff_lines(pool, old, new, &l, &n), GZ_OK);
	got = show(l, n);
	if (strcmp(got, want) != 0)
		fail_msg("diff of [%s] and [%s]:\ngot\n%s\nwant\n%s", old, new,
			 got, want);
}

static void
test_equal_and_empty(void **state)
{
	(void)state;
	expect("", "", "");
	expect(NULL, NULL, "");
	expect("a\nb\n", "a\nb\n", "=a\n=b\n");
	expect("a\nb", "a\nb\n", "=a\n=b\n");
	expect("", "a\n", "+a\n");
	expect("a\nb\n", NULL, "-a\n-b\n");
	/* An empty line is a line. */
	expect("a\n\nb\n", "a\nb\n", "=a\n-\n=b\n");
}

static void
test_changes(void **state)
{
	(void)state;
	expect("a\nb\nc\n", "a\nB\nc\n", "=a\n-b\n+B\n=c\n");
	expect("a\nc\n", "a\nb\nc\n", "=a\n+b\n=c\n");
	expect("a\nb\nc\n", "b\nc\n", "-a\n=b\n=c\n");
	expect("a\nb\nc\n", "a\nb\nc\nd\n", "=a\n=b\n=c\n+d\n");
	/* CRLF as a browser's textarea sends it compares equal to LF. */
	expect("a\nb\n", "a\r\nb\r\n", "=a\n=b\n");
}

/* Myers' example: ABCABBA -> CBABAC in 5 edits. */
static void
test_fewest_edits(void **state)
{
	struct diff_line *l;
	size_t n, i, edits = 0, kept = 0;

	(void)state;
	assert_int_equal(diff_lines(pool, "A\nB\nC\nA\nB\nB\nA\n",
				    "C\nB\nA\nB\nA\nC\n", &l, &n), GZ_OK);
	for (i = 0; i < n; i++) {
		if (l[i].op == DIFF_KEEP)
			kept++;
		else
			edits++;
	}
	assert_int_equal(edits, 5);
	assert_int_equal(kept, 4);
}

static char *
random_text(unsigned *seed, size_t lines)
{
	struct buf b;
	size_t i;

	buf_init(&b, 1024 * 1024);
	for (i = 0; i < lines; i++) {
		*seed = *seed * 1103515245u + 12345u;
		buf_printf(&b, "line %u\n", (*seed >> 16) % 6);
	}
	return buf_detach(&b, NULL);
}

/* Whatever the texts, old is the KEEP and DEL lines in order and new
 * the KEEP and ADD lines in order. */
static void
test_random_rebuild(void **state)
{
	unsigned seed = 7;
	int round;

	(void)state;
	for (round = 0; round < 300; round++) {
		char *old = random_text(&seed, (seed >> 8) % 40);
		char *new = random_text(&seed, (seed >> 8) % 40);
		struct diff_line *l;
		struct buf bo, bn;
		size_t n, i;

		assert_int_equal(diff_lines(pool, old, new, &l, &n), GZ_OK);
		buf_init(&bo, 1024 * 1024);
		buf_init(&bn, 1024 * 1024);
		for (i = 0; i < n; i++) {
			if (l[i].op != DIFF_ADD) {
				buf_append(&bo, l[i].text, l[i].len);
				buf_putc(&bo, '\n');
			}
			if (l[i].op != DIFF_DEL) {
				buf_append(&bn, l[i].text, l[i].len);
				buf_putc(&bn, '\n');
			}
		}
		assert_string_equal(bo.data ? bo.data : "", old ? old : "");
		assert_string_equal(bn.data ? bn.data : "", new ? new : "");
		buf_fini(&bo);
		buf_fini(&bn);
		free(old);
		free(new);
	}
}

/* Past either cap the answer is GZ_ETOOBIG, not a long wait. */
static void
test_caps(void **state)
{
	struct diff_line *l;
	struct buf a, b;
	size_t n, i;

	(void)state;
	buf_init(&a, 16 * 1024 * 1024);
	for (i = 0; i <= GZ_LIMIT_DIFF_LINES; i++)
		buf_puts(&a, "x\n");
	assert_int_equal(diff_lines(pool, a.data, "x\n", &l, &n), GZ_ETOOBIG);
	buf_fini(&a);

	buf_init(&a, 16 * 1024 * 1024);
	buf_init(&b, 16 * 1024 * 1024);
	for (i = 0; i < GZ_LIMIT_DIFF_EDITS; i++) {
		buf_printf(&a, "a%zu\n", i);
		buf_printf(&b, "b%zu\n", i);
	}
	assert_int_equal(diff_lines(pool, a.data, b.data, &l, &n), GZ_ETOOBIG);
	buf_fini(&a);
	buf_fini(&b);

	/* Many lines, few edits: fine. */
	buf_init(&a, 16 * 1024 * 1024);
	buf_init(&b, 16 * 1024 * 1024);
	for (i = 0; i < GZ_LIMIT_DIFF_LINES; i++) {
		buf_printf(&a, "%zu\n", i);
		buf_printf(&b, "%zu\n", i == 5000 ? 0 : i);
	}
	assert_int_equal(diff_lines(pool, a.data, b.data, &l, &n), GZ_OK);
	assert_int_equal(n, GZ_LIMIT_DIFF_LINES + 1);
	buf_fini(&a);
	buf_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_and_empty),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_fewest_edits),
		cmocka_unit_test(test_random_rebuild),
		cmocka_unit_test(test_caps),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
