/*
 * test_util_buf.c - tests of src/util/buf.c: appends within the cap,
 * the cap itself (GZ_ETOOBIG) and its sticky error, printf, reset, detach
 * and fini.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"

static void
test_append_and_terminate(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_append(&b, "abc", 3), GZ_OK);
	assert_int_equal(buf_puts(&b, "def"), GZ_OK);
	assert_int_equal(buf_putc(&b, 'g'), GZ_OK);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.data, "abcdefg");
	/* Bytes, not strings: a NUL inside is kept. */
	assert_int_equal(buf_append(&b, "x\0y", 3), GZ_OK);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data + 7, "x\0y", 3);
	assert_int_equal(b.data[10], '\0');
	assert_int_equal(b.err, GZ_OK);
	buf_fini(&b);
	assert_null(b.data);
	assert_int_equal(b.max, 100); /* may be used again */

	/* Appending nothing to an empty buffer still gives a string. */
	assert_int_equal(buf_append(&b, NULL, 0), GZ_OK);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_fini(&b);
}

static void
test_grows(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 1u << 20);
	for (i = 0; i < 10000; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), GZ_OK);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap > b.len);
	for (i = 0; i < 10000; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);
	assert_int_equal(b.data[10000], '\0');
	buf_fini(&b);
}

static void
test_cap_and_sticky_error(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), GZ_OK); /* exactly max */
	assert_int_equal(b.len, 8);
	assert_true(b.cap <= 9); /* never more than max + NUL */
	assert_int_equal(buf_putc(&b, '9'), GZ_ETOOBIG);
	assert_int_equal(b.err, GZ_ETOOBIG);
	/* Sticky: even what would fit now fails, and nothing changes. */
	assert_int_equal(buf_append(&b, "", 0), GZ_ETOOBIG);
	assert_int_equal(buf_printf(&b, "%s", ""), GZ_ETOOBIG);
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "12345678");

	/* reset clears the error and keeps the storage. */
	buf_reset(&b);
	assert_int_equal(b.err, GZ_OK);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_puts(&b, "ok"), GZ_OK);
	assert_string_equal(b.data, "ok");
	buf_fini(&b);

	/* One append past max fails whole: no partial copy. */
	buf_init(&b, 5);
	assert_int_equal(buf_puts(&b, "abc"), GZ_OK);
	assert_int_equal(buf_puts(&b, "def"), GZ_ETOOBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	buf_fini(&b);

	/* A huge n cannot wrap the arithmetic. */
	buf_init(&b, 16);
	assert_int_equal(buf_puts(&b, "a"), GZ_OK);
	assert_int_equal(buf_append(&b, "b", SIZE_MAX), GZ_ETOOBIG);
	buf_fini(&b);

	/* max 0 holds only the empty string. */
	buf_init(&b, 0);
	assert_int_equal(buf_append(&b, "", 0), GZ_OK);
	assert_int_equal(buf_putc(&b, 'x'), GZ_ETOOBIG);
	buf_fini(&b);

	/* No maximum at all (SIZE_MAX) still works. */
	buf_init(&b, SIZE_MAX);
	assert_int_equal(buf_puts(&b, "unbounded"), GZ_OK);
	assert_string_equal(b.data, "unbounded");
	buf_fini(&b);
}

static void
test_printf(void **state)
{
	struct buf b;
	char big[1000];

	(void)state;
	buf_init(&b, 2000);
	assert_int_equal(buf_printf(&b, "%d-%s-%c", 42, "x", 'y'), GZ_OK);
	assert_string_equal(b.data, "42-x-y");
	assert_int_equal(buf_printf(&b, "%s", ""), GZ_OK);
	assert_int_equal(b.len, 6);
	/* Growth inside printf: past the first allocation. */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "[%s]", big), GZ_OK);
	assert_int_equal(b.len, 6 + 1001);
	assert_int_equal(b.data[6], '[');
	assert_int_equal(b.data[6 + 1000], ']');
	assert_int_equal(b.data[b.len], '\0');
	/* Past max: fails whole, sticky. */
	assert_int_equal(buf_printf(&b, "%s", big), GZ_ETOOBIG);
	assert_int_equal(b.len, 1007);
	assert_int_equal(buf_puts(&b, "a"), GZ_ETOOBIG);
	buf_fini(&b);
}

static void
test_splice(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 16);
	buf_puts(&b, "abcdef");
	/* Shrink, grow, insert at the end, remove at the start. */
	assert_int_equal(buf_splice(&b, 1, 3, "X", 1), GZ_OK);
	assert_string_equal(b.data, "aXef");
	assert_int_equal(buf_splice(&b, 1, 1, "1234", 4), GZ_OK);
	assert_string_equal(b.data, "a1234ef");
	assert_int_equal(buf_splice(&b, b.len, 0, "!", 1), GZ_OK);
	assert_string_equal(b.data, "a1234ef!");
	assert_int_equal(buf_splice(&b, 0, 2, "", 0), GZ_OK);
	assert_string_equal(b.data, "234ef!");
	assert_int_equal(b.len, 6);
	/* Out of range: nothing changes, and the error is not sticky. */
	assert_int_equal(buf_splice(&b, 7, 0, "x", 1), GZ_EINVAL);
	assert_int_equal(buf_splice(&b, 5, 2, "x", 1), GZ_EINVAL);
	assert_string_equal(b.data, "234ef!");
	assert_int_equal(b.err, GZ_OK);
	/* Past the maximum: refused, buffer as it was. */
	assert_int_equal(buf_splice(&b, 0, 0, "0123456789abc", 13), GZ_ETOOBIG);
	assert_string_equal(b.data, "234ef!");
	buf_fini(&b);
}

static void
test_detach(void **state)
{
	struct buf b;
	size_t len = 0;
	char *p;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(buf_puts(&b, "hello"), GZ_OK);
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(p);

	/* Still usable, with the same max. */
	assert_int_equal(buf_puts(&b, "again"), GZ_OK);
	assert_string_equal(b.data, "again");
	buf_fini(&b);

	/* An empty buffer detaches as "" the caller can free. */
	buf_init(&b, 64);
	p = buf_detach(&b, NULL);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);

	/* Detach clears a sticky error. */
	buf_init(&b, 2);
	assert_int_equal(buf_puts(&b, "abc"), GZ_ETOOBIG);
	free(buf_detach(&b, NULL));
	assert_int_equal(b.err, GZ_OK);
	assert_int_equal(buf_puts(&b, "ab"), GZ_OK);
	buf_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_terminate),
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_cap_and_sticky_error),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_splice),
		cmocka_unit_test(test_detach),
	};

	return cmocka_run_group_tests_name("util/buf", tests, NULL, NULL);
}
