/* test_import_parse.c - tests for src/import/parse.c: size limit, BOM,
 * line ends, UTF-8 and control-character checks with their positions,
 * format detection, and the helpers the readers share. The .c file is
 * included to reach its static functions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/import/parse.c"
#include "util/date.h"

#define PLAIN_OK "Headline\n\nMay 18, 2021 - 18:31\n\nBody text.\n"

static struct pool *pool;

static int
setup(void **state)
{
	(void)state;
	if (date_timezone_set("UTC") != GZ_OK)
		return -1;
	pool = pool_new(64u * 1024u * 1024u);
	return pool ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	pool_free(pool);
	return 0;
}

static int
parse(const char *s, size_t len, struct import_article *a,
      struct import_error *e)
{
	pool_clear(pool);
	return import_parse(pool, s, len, a, e);
}

/* Parses s (NUL-terminated) and expects an error on line with message
 * msg. */
static void
expect_error_n(const char *s, size_t len, unsigned line, const char *msg)
{
	struct import_article a;
	struct import_error e;

	assert_int_equal(parse(s, len, &a, &e), GZ_EPARSE);
	assert_string_equal(e.msg, msg);
	assert_int_equal(e.line, line);
}

static void
expect_error(const char *s, unsigned line, const char *msg)
{
	expect_error_n(s, strlen(s), line, msg);
}

static void
test_size_limit(void **state)
{
	struct import_article a;
	struct import_error e;
	size_t max = GZ_LIMIT_IMPORT_FILE_BYTES, head = strlen(PLAIN_OK);
	char *big = malloc(max + 1);

	(void)state;
	assert_non_null(big);
	/* Exactly the limit: a valid article with a long body. */
	memcpy(big, PLAIN_OK, head);
	memset(big + head, 'a', max - head);
	assert_int_equal(parse(big, max, &a, &e), GZ_OK);
	assert_int_equal(strlen(a.body), max - head + strlen("Body text.\n"));
	/* One byte more is refused before anything is read. */
	big[max] = 'a';
	assert_int_equal(parse(big, max + 1, &a, &e), GZ_ETOOBIG);
	assert_int_equal(e.line, 0);
	assert_string_equal(e.msg, "expected a file of at most 4194304 bytes "
				   "(this one has 4194305)");
	free(big);
}

static void
test_bom(void **state)
{
	struct import_article a;
	struct import_error e;
	const char *plain = "\xEF\xBB\xBF" PLAIN_OK;
	const char *fm = "\xEF\xBB\xBF---\ntitle: T\ndate: 2021-05-18\n---\nB\n";

	(void)state;
	assert_int_equal(parse(plain, strlen(plain), &a, &e), GZ_OK);
	assert_string_equal(a.headline, "Headline");
	assert_string_equal(a.body, "Body text.");
	/* The BOM does not hide the front matter's opening line. */
	assert_int_equal(parse(fm, strlen(fm), &a, &e), GZ_OK);
	assert_string_equal(a.headline, "T");
	/* A BOM is not a column. */
	expect_error("\xEF\xBB\xBFHe\xFFllo\n", 1,
		     "expected UTF-8 text (byte 0xFF at column 3 is not UTF-8; "
		     "save the file as UTF-8)");
	/* Only at the start: elsewhere it is text (U+FEFF), kept. */
	{
		const char *twice = "\xEF\xBB\xBF\xEF\xBB\xBFH\n\nMay 18, 2021 - "
				    "18:31\n\nB";

		assert_int_equal(parse(twice, strlen(twice), &a, &e), GZ_OK);
	}
	assert_string_equal(a.headline, "\xEF\xBB\xBFH");
}

static void
test_line_ends(void **state)
{
	static const char *const files[] = {
		("Headline\r\n\r\nMay 18, 2021 - 18:31\r\n\r\nOne\r\ntwo\r\n\r\n"
		 "Three\r\n"),
		"Headline\r\rMay 18, 2021 - 18:31\r\rOne\rtwo\r\rThree\r",
		"Headline\n\r\nMay 18, 2021 - 18:31\r\rOne\r\ntwo\n\nThree",
	};
	struct import_article a;
	struct import_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(parse(files[i], strlen(files[i]), &a, &e),
				 GZ_OK);
		assert_string_equal(a.headline, "Headline");
		assert_string_equal(a.body, "One\ntwo\n\nThree");
		assert_null(strchr(a.body, '\r'));
	}
	/* Line numbers count CRLF and a lone CR as one line end each:
	 * "\r\r\n" is two. */
	expect_error("H\r\n\r\nnot a date\r\n", 3,
		     "expected a date line like \"May 18, 2021 - 18:31\"");
	expect_error("H\r\rnot a date\r", 3,
		     "expected a date line like \"May 18, 2021 - 18:31\"");
	expect_error("H\r\r\nnot a date", 3,
		     "expected a date line like \"May 18, 2021 - 18:31\"");
	expect_error("H\r\n\r\n\xC3\r\n", 3,
		     "expected UTF-8 text (byte 0xC3 at column 1 is not UTF-8; "
		     "save the file as UTF-8)");
	/* The caller's bytes are not changed. */
	{
		char buf[] = "Headline\r\n\r\nMay 18, 2021 - 18:31\r\n\r\nB\r\n";

		assert_int_equal(parse(buf, strlen(buf), &a, &e), GZ_OK);
		assert_string_equal(buf, "Headline\r\n\r\nMay 18, 2021 - 18:31"
					 "\r\n\r\nB\r\n");
	}
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	/* Latin-1 é in a UTF-8 world, with line and column. */
	expect_error("Headline\n\nMay 18, 2021 - 18:31\n\nCaf\xE9 au lait\n", 5,
		     "expected UTF-8 text (byte 0xE9 at column 4 is not UTF-8; "
		     "save the file as UTF-8)");
	/* Columns count characters, not bytes. */
	expect_error("\xC3\x9C" "ber \xE6\x97\xA5\xE6\x9C\xAC \xE9\n", 1,
		     "expected UTF-8 text (byte 0xE9 at column 9 is not UTF-8; "
		     "save the file as UTF-8)");
	expect_error("ok\n\xC0\xAF overlong\n", 2,
		     "expected UTF-8 text (byte 0xC0 at column 1 is not UTF-8; "
		     "save the file as UTF-8)");
	expect_error("ok\nsurrogate \xED\xA0\x80\n", 2,
		     "expected UTF-8 text (byte 0xED at column 11 is not UTF-8; "
		     "save the file as UTF-8)");
	expect_error("ok\nbig \xF5\x80\x80\x80\n", 2,
		     "expected UTF-8 text (byte 0xF5 at column 5 is not UTF-8; "
		     "save the file as UTF-8)");
	expect_error("cut at the end \xE2\x80", 1,
		     "expected UTF-8 text (byte 0xE2 at column 16 is not UTF-8; "
		     "save the file as UTF-8)");
	expect_error("stray \x80", 1,
		     "expected UTF-8 text (byte 0x80 at column 7 is not UTF-8; "
		     "save the file as UTF-8)");
	/* Also in front matter. */
	expect_error("---\ntitle: Caf\xE9\n---\n", 2,
		     "expected UTF-8 text (byte 0xE9 at column 11 is not UTF-8; "
		     "save the file as UTF-8)");
}

static void
test_control_characters(void **state)
{
	struct import_article a;
	struct import_error e;
	const char *tabs = "Head\tline\n\nMay 18, 2021 - 18:31\n\n\tBody\ttext\t\n";

	(void)state;
	expect_error_n("Head\0line\n", 10, 1,
		       "expected text (a NUL byte at column 5; is this a binary "
		       "file?)");
	expect_error_n("H\n\nMay 18, 2021 - 18:31\n\nBody\0",
		       sizeof("H\n\nMay 18, 2021 - 18:31\n\nBody\0") - 1, 5,
		       "expected text (a NUL byte at column 5; is this a binary "
		       "file?)");
	expect_error_n("\0", 1, 1,
		       "expected text (a NUL byte at column 1; is this a binary "
		       "file?)");
	expect_error("Head\x1B[1mline\n", 1,
		     "expected text (control character 0x1B at column 5; "
		     "remove it)");
	expect_error("H\n\x0B", 2,
		     "expected text (control character 0x0B at column 1; "
		     "remove it)");
	/* The first problem wins, whichever kind it is. */
	expect_error_n("a\xFF\0", 3, 1,
		       "expected UTF-8 text (byte 0xFF at column 2 is not "
		       "UTF-8; save the file as UTF-8)");
	expect_error_n("a\0\xFF", 3, 1,
		       "expected text (a NUL byte at column 2; is this a binary "
		       "file?)");
	/* Tabs are text. */
	assert_int_equal(parse(tabs, strlen(tabs), &a, &e), GZ_OK);
	assert_string_equal(a.headline, "Head\tline");
	assert_string_equal(a.body, "Body\ttext");
}

static void
test_format_detection(void **state)
{
	struct import_article a;
	struct import_error e;

	(void)state;
	/* "---" on the first line, trailing blanks forgiven: front matter. */
	expect_error("---\n", 1, "expected a closing \"---\" line");
	expect_error("--- \t\n", 1, "expected a closing \"---\" line");
	expect_error("---", 1, "expected a closing \"---\" line");
	/* Anything else is plain text. */
	expect_error("----\n", 2,
		     "expected a date line like \"May 18, 2021 - 18:31\"");
	expect_error(" ---\n", 2,
		     "expected a date line like \"May 18, 2021 - 18:31\"");
	expect_error("--- x\n", 2,
		     "expected a date line like \"May 18, 2021 - 18:31\"");
	expect_error("\n---\n", 3,
		     "expected a date line like \"May 18, 2021 - 18:31\"");
	/* Empty input. */
	expect_error_n(NULL, 0, 1, "expected a headline");
	expect_error("", 1, "expected a headline");
	expect_error("\xEF\xBB\xBF", 1, "expected a headline");
	/* Output is reset even on error. */
	memset(&a, 0x55, sizeof(a));
	assert_int_equal(parse("", 0, &a, &e), GZ_EPARSE);
	assert_string_equal(a.summary, "");
	assert_string_equal(a.lang, "");
	assert_null(a.tags);
	assert_int_equal(a.ntags, 0);
}

/* Every allocation may fail: for each file, pools of every size from tiny
 * up give GZ_ENOMEM until one is big enough, and never anything else. */
static void
test_pool_exhausted(void **state)
{
	static const char *const files[] = {
		PLAIN_OK,
		"H\r\n\r\nMay 18, 2021 - 18:31\r\nBy Me\r\n\r\nTOWN - B\r\n",
		("---\ntitle: T\ndate: 2021-05-18\ntags: a, b\nslug: s\n"
		 "summary: S\n---\nB\n"),
	};
	struct import_article a;
	struct import_error e;
	struct pool *p;
	size_t i, max;
	int rc, nomem;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		nomem = 0;
		for (max = 1; max < 64 * 1024; max += 8) {
			p = pool_new(max);
			assert_non_null(p);
			rc = import_parse(p, files[i], strlen(files[i]), &a, &e);
			pool_free(p);
			if (rc == GZ_OK)
				break;
			assert_int_equal(rc, GZ_ENOMEM);
			nomem++;
		}
		assert_int_equal(rc, GZ_OK);
		assert_true(nomem > 0);
	}
}

/* ---- the shared helpers ------------------------------------------------ */

static void
test_lines(void **state)
{
	struct import_cursor c;
	struct import_line ln;
	const char *s = "a\n\nbc\n  \n";

	(void)state;
	import_cursor_init(&c, s, strlen(s));
	assert_true(import_line_next(&c, &ln));
	assert_int_equal(ln.no, 1);
	assert_int_equal(ln.len, 1);
	assert_true(import_line_next(&c, &ln));
	assert_int_equal(ln.no, 2);
	assert_int_equal(ln.len, 0);
	assert_true(import_line_next_text(&c, &ln));
	assert_int_equal(ln.no, 3);
	assert_memory_equal(ln.s, "bc", 2);
	assert_int_equal(ln.end, 6);
	assert_false(import_line_next_text(&c, &ln));
	assert_int_equal(c.line, 5);
	/* No final newline: the last line still counts. */
	import_cursor_init(&c, "x\ny", 3);
	assert_true(import_line_next(&c, &ln));
	assert_true(import_line_next(&c, &ln));
	assert_int_equal(ln.len, 1);
	assert_false(import_line_next(&c, &ln));
}

static void
test_trim(void **state)
{
	const char *s = " \t\xC2\xA0 word \xC2\xA0\t";
	size_t n = strlen(s);

	(void)state;
	import_trim(&s, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(s, "word", 4);
	assert_true(import_blank("\xC2\xA0 \t", 4));
	assert_false(import_blank("\xC2\xA1", 2));
	assert_true(import_blank("", 0));
	/* Other spaces are text. */
	assert_false(import_blank("\xE2\x80\x83", 3));
}

static void
test_fail_message(void **state)
{
	struct import_error e;
	char big[600];

	(void)state;
	assert_int_equal(import_fail(&e, 7, "expected %s", "x"), GZ_EPARSE);
	assert_int_equal(e.line, 7);
	assert_string_equal(e.msg, "expected x");
	/* Too long: cut with "...", never inside a character. */
	memset(big, 'a', 252);
	memcpy(big + 252, "\xE6\x97\xA5\xE6\x97\xA5", 6);
	big[258] = '\0';
	import_fail(&e, 1, "%s", big);
	assert_int_equal(strlen(e.msg), 255);
	assert_memory_equal(e.msg + 252, "...", 4);
	memset(big, 'a', 250);
	memcpy(big + 250, "\xE6\x97\xA5\xE6\x97\xA5", 6);
	big[256] = '\0';
	import_fail(&e, 1, "%s", big);
	assert_int_equal(strlen(e.msg), 253);
	assert_memory_equal(e.msg + 250, "...", 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_format_detection),
		cmocka_unit_test(test_pool_exhausted),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_fail_message),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
