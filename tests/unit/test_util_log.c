/*
 * test_util_log.c - tests of log_escape in src/util/log.c: what an access
 * log field may hold (printable ASCII but the space, '"' and '\'), the
 * "\xHH" form of everything else, and the cut ("...") of a field too long
 * for its buffer, which never splits an escape.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/log.h"

static void
test_escape_plain_and_odd(void **state)
{
	char out[128];
	const char in[] = "/a?b=c&d~!\"\\ \x01\x7f\xc3\xa9\n";
	size_t n;

	(void)state;
	n = log_escape(out, sizeof(out), in, sizeof(in) - 1);
	assert_int_equal(n, strlen(out));
	assert_string_equal(out, "/a?b=c&d~!\\x22\\x5c\\x20\\x01\\x7f\\xc3\\xa9"
			    "\\x0a");
	/* A NUL inside is a byte like the others. */
	assert_int_equal(log_escape(out, sizeof(out), "a\0b", 3), 6);
	assert_string_equal(out, "a\\x00b");
	assert_int_equal(log_escape(out, sizeof(out), "", 0), 0);
	assert_string_equal(out, "");
}

static void
test_escape_cut(void **state)
{
	char out[10];

	(void)state;
	/* Exactly fits: no cut. */
	assert_int_equal(log_escape(out, sizeof(out), "abcdefghi", 9), 9);
	assert_string_equal(out, "abcdefghi");
	/* One more: cut, with room for "..." and the NUL. */
	assert_int_equal(log_escape(out, sizeof(out), "abcdefghij", 10), 9);
	assert_string_equal(out, "abcdef...");
	/* An escape is never split. */
	log_escape(out, sizeof(out), "abcd\x01xyzw", 9);
	assert_string_equal(out, "abcd...");
	log_escape(out, sizeof(out), "\x01\x02\x03", 3);
	assert_string_equal(out, "\\x01...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain_and_odd),
		cmocka_unit_test(test_escape_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
