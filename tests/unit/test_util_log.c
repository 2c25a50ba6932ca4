/*
 * test_util_log.c - tests of log_escape in src/util/log.c: what an access
 * log field may hold (printable ASCII but the space, '"' and '\'), the
 * "\xHH" form of everything else, and the cut ("...") of a field too long
 * for its buffer, which never splits an escape. Also the error log
 * (log_error, on stderr, caught here in a temporary file): one message is
 * one line, its control bytes written as "\xHH", however long it is.
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

#include "util/log.h"

/* Runs log_error("%s", msg) with stderr sent to a temporary file, and
 * returns what was written (NUL-terminated, caller frees). */
static char *
error_line(const char *msg)
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	long len;
	char *out;

	assert_non_null(f);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fileno(f), STDERR_FILENO), STDERR_FILENO);
	log_error("%s", msg);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	len = (long)lseek(fileno(f), 0, SEEK_END);
	assert_true(len > 0);
	out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	assert_int_equal(pread(fileno(f), out, (size_t)len, 0), len);
	fclose(f);
	return out;
}

/* The number of line feeds in s. */
static size_t
line_feeds(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

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

static void
test_error_log_one_line(void **state)
{
	char *got, *big;

	(void)state;
	/* A decoded path with %0A, %0D and an escape sequence in it: one
	 * line, no line of its own for what follows the line feed. */
	got = error_line("GET /a\nZ error forged\r\x1b[2J\x7f\tend");
	assert_int_equal(line_feeds(got), 1);
	assert_int_equal(got[strlen(got) - 1], '\n');
	assert_non_null(strstr(got, " error GET /a\\x0aZ error forged\\x0d"
				    "\\x1b[2J\\x7f\\x09end\n"));
	free(got);
	/* Other bytes stay as they are; a message's own final line feed is
	 * not doubled nor escaped. */
	got = error_line("caf\xc3\xa9 \"q\" \\ ok\n");
	assert_non_null(strstr(got, " error caf\xc3\xa9 \"q\" \\ ok\n"));
	assert_int_equal(line_feeds(got), 1);
	free(got);
	/* A message too long for a line, all of it escapes: cut, still one
	 * line, no escape split. */
	big = malloc(5000);
	assert_non_null(big);
	memset(big, '\x01', 4999);
	big[4999] = '\0';
	got = error_line(big);
	assert_int_equal(line_feeds(got), 1);
	assert_true(strlen(got) <= 2048);
	assert_non_null(strstr(got, "\\x01\n"));
	free(got);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain_and_odd),
		cmocka_unit_test(test_escape_cut),
		cmocka_unit_test(test_error_log_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
