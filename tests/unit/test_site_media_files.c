/*
 * test_site_media_files.c - the name check of /media/<dir>/<file>
 * (src/site/media_files.c, site_media_name_parse): exactly the names
 * media_variant_name makes are accepted, and every other spelling of a
 * path is refused before any file is opened. Serving the files (fd
 * bodies, 304, HEAD, links) is tests/http/media-pages.test.mjs's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "media/media.h"
#include "site/site_int.h"

#define HASH "ab0123456789abcdef0123456789abcd"

/* Parses dir and file; on acceptance checks the name and extension. */
static bool
parse(const char *dir, const char *file)
{
	char name[MEDIA_NAME_MAX], want[MEDIA_NAME_MAX * 2];
	const char *ext = NULL;

	memset(name, 'x', sizeof(name));
	if (!site_media_name_parse(dir, file, name, &ext))
		return false;
	snprintf(want, sizeof(want), "%s/%s", dir, file);
	assert_string_equal(name, want);
	assert_non_null(ext);
	assert_non_null(media_mime_of_ext(ext));
	assert_string_equal(ext, strrchr(file, '.') + 1);
	return true;
}

static void
test_accepts_variant_names(void **state)
{
	static const char *const ok[] = {
		HASH "-640.webp", HASH "-2048.png", HASH "-1.jpeg",
		HASH "-320.avif", HASH "-99999.webp", HASH "-10.jpeg",
	};
	char made[MEDIA_NAME_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_true(parse("ab", ok[i]));
	/* Round trip: what media_variant_name makes is what is taken. */
	media_variant_name(HASH, 1280, "webp", made);
	assert_true(parse("ab", made + 3));
}

static void
test_refuses_traversal_and_slashes(void **state)
{
	(void)state;
	assert_false(parse("..", HASH "-640.webp"));
	assert_false(parse("ab", ".."));
	assert_false(parse("ab", "../gazette.conf"));
	assert_false(parse("ab", "..%2f..%2fgazette.conf"));
	assert_false(parse("ab", "../" HASH "-640.webp"));
	assert_false(parse("ab", "./" HASH "-640.webp"));
	/* Double slash: an empty segment, or one that starts with '/'. */
	assert_false(parse("", HASH "-640.webp"));
	assert_false(parse("ab", ""));
	assert_false(parse("ab", "/" HASH "-640.webp"));
	assert_false(parse("ab/", HASH "-640.webp"));
	/* Trailing slash, or a third segment. */
	assert_false(parse("ab", HASH "-640.webp/"));
	assert_false(parse("ab", HASH "-640.webp/x"));
	/* The directory is the hash's own two digits, and nothing else. */
	assert_false(parse("cd", HASH "-640.webp"));
	assert_false(parse("a", HASH "-640.webp"));
	assert_false(parse("abc", HASH "-640.webp"));
	assert_false(parse("AB", HASH "-640.webp"));
}

static void
test_refuses_bad_hashes(void **state)
{
	(void)state;
	/* 31 and 33 digits. */
	assert_false(parse("ab", "ab0123456789abcdef0123456789abc-640.webp"));
	assert_false(parse("ab", HASH "0-640.webp"));
	assert_false(parse("ab", HASH "-" HASH "-640.webp"));
	/* Uppercase hex, and letters past f. */
	assert_false(parse("ab", "AB0123456789ABCDEF0123456789ABCD-640.webp"));
	assert_false(parse("ab", "ab0123456789abcdeF0123456789abcd-640.webp"));
	assert_false(parse("ab", "ab0123456789abcdeg0123456789abcd-640.webp"));
	assert_false(parse("ab", "ab0123456789abcde 0123456789abcd-640.webp"));
	assert_false(parse("ab", HASH "_640.webp"));
}

static void
test_refuses_bad_widths(void **state)
{
	(void)state;
	assert_false(parse("ab", HASH "-0.webp"));
	assert_false(parse("ab", HASH "-0640.webp"));
	assert_false(parse("ab", HASH "-00.webp"));
	assert_false(parse("ab", HASH "-.webp"));
	assert_false(parse("ab", HASH "--640.webp"));
	assert_false(parse("ab", HASH "-+640.webp"));
	assert_false(parse("ab", HASH "- 640.webp"));
	assert_false(parse("ab", HASH "-64x.webp"));
	assert_false(parse("ab", HASH "-0x40.webp"));
	assert_false(parse("ab", HASH "-6.4.webp"));
	assert_false(parse("ab", HASH "-100000.webp"));
	assert_false(parse("ab", HASH "-99999999999999999999.webp"));
	assert_false(parse("ab", HASH "-640"));
}

static void
test_refuses_bad_extensions(void **state)
{
	(void)state;
	assert_false(parse("ab", HASH "-640.gif"));
	assert_false(parse("ab", HASH "-640.jpg"));
	assert_false(parse("ab", HASH "-640.WEBP"));
	assert_false(parse("ab", HASH "-640.webp."));
	assert_false(parse("ab", HASH "-640.webp.png"));
	assert_false(parse("ab", HASH "-640.we"));
	assert_false(parse("ab", HASH "-640."));
	assert_false(parse("ab", HASH "-640.webp "));
	assert_false(parse("ab", HASH "-640.svg"));
}

/* A C string ends at its first NUL: what is before it must fail the
 * check alone. The router hands over C strings, so a "%00" in a URL
 * arrives cut there (see the note in media_files.c). */
static void
test_refuses_names_cut_by_nul(void **state)
{
	static const char cut_width[] = HASH "-640\0.webp";
	static const char cut_hash[] = "ab0123456789abcdef\0" "0123456789abcd-640.webp";
	static const char cut_dot[] = HASH "-640.\0webp";

	(void)state;
	assert_false(parse("ab", cut_width));
	assert_false(parse("ab", cut_hash));
	assert_false(parse("ab", cut_dot));
	assert_false(parse("a\0b", HASH "-640.webp"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_variant_names),
		cmocka_unit_test(test_refuses_traversal_and_slashes),
		cmocka_unit_test(test_refuses_bad_hashes),
		cmocka_unit_test(test_refuses_bad_widths),
		cmocka_unit_test(test_refuses_bad_extensions),
		cmocka_unit_test(test_refuses_names_cut_by_nul),
	};

	return cmocka_run_group_tests_name("site/media_files", tests, NULL,
					   NULL);
}
