/*
 * test_site_admin_editor.c - tests of src/site/admin_editor.c's own rules,
 * without a server: the language tag's shape, comma lists (trimmed,
 * empties dropped, capped), the body's newlines as a browser sends them,
 * and the action names. The file is included to reach its static
 * functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/site/admin_editor.c"

static struct pool *pool;

static int
setup(void **state)
{
	(void)state;
	pool = pool_new(1024 * 1024);
	return pool ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	pool_free(pool);
	return 0;
}

static void
test_lang(void **state)
{
	static const char *const good[] = {"en", "fa", "en-GB", "zh-Hant-TW",
		"sr-Latn", "de-CH-1996", "yue"};
	static const char *const bad[] = {"", "e", "englishlanguage", "en-",
		"-en", "en--GB", "en GB", "1en", "en-toolongsubtag", "é"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(editor_lang_ok(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (editor_lang_ok(bad[i]))
			fail_msg("\"%s\" passed as a language tag", bad[i]);
}

static void
test_split(void **state)
{
	const char *out[3];
	size_t n;

	(void)state;
	assert_true(editor_split(pool, " budget ,, river,\tcity hall ", out, 3,
				 &n));
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "budget");
	assert_string_equal(out[1], "river");
	assert_string_equal(out[2], "city hall");
	assert_true(editor_split(pool, "", out, 3, &n));
	assert_int_equal(n, 0);
	assert_true(editor_split(pool, " , ,", out, 3, &n));
	assert_int_equal(n, 0);
	/* One more than fits is refused, not cut. */
	assert_false(editor_split(pool, "a, b, c, d", out, 3, &n));
}

static void
test_newlines(void **state)
{
	(void)state;
	assert_string_equal(editor_newlines(pool, "a\r\nb\r\n\r\nc"),
			    "a\nb\n\nc");
	assert_string_equal(editor_newlines(pool, "a\rb\n"), "a\nb\n");
	assert_string_equal(editor_newlines(pool, ""), "");
	assert_string_equal(editor_trim(pool, " \t x y \r\n", 10), "x y");
}

static void
test_actions(void **state)
{
	enum editor_action a;

	(void)state;
	assert_int_equal(editor_action_parse(NULL, &a), GZ_OK);
	assert_int_equal(a, EA_SAVE);
	assert_int_equal(editor_action_parse("publish", &a), GZ_OK);
	assert_int_equal(a, EA_PUBLISH);
	assert_int_equal(editor_action_parse("unpublish", &a), GZ_OK);
	assert_int_equal(a, EA_UNPUBLISH);
	assert_int_equal(editor_action_parse("Publish", &a), GZ_EINVAL);
	assert_int_equal(editor_action_parse("delete", &a), GZ_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_newlines),
		cmocka_unit_test(test_actions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
