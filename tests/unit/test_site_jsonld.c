/*
 * test_site_jsonld.c - tests of src/site/jsonld.c: the escaping that keeps
 * JSON-LD inside its script element, the authors a byline names, the
 * corrections as schema.org CorrectionComments, and the plain-text excerpt that describes a story without a summary. The file
 * is included to reach its static functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/site/jsonld.c"

static void
expect_safe(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b, 1 << 16);
	assert_int_equal(ld_put_safe(&b, in), GZ_OK);
	assert_string_equal(b.data ? b.data : "", want);
	buf_fini(&b);
}

static void
test_script_safe(void **state)
{
	json_t *v;
	char *text;
	struct buf b;

	(void)state;
	expect_safe("", "");
	expect_safe("{\"a\":\"<\\/script><!-- & -->\"}",
		    "{\"a\":\"\\u003c\\/script\\u003e\\u003c!-- \\u0026 --\\u003e\"}");
	/* What jansson writes, made safe, is still the same JSON. */
	v = json_pack("{s:s}", "headline", "A </script><script>x</script> <!-- & \"q\"");
	assert_non_null(v);
	text = json_dumps(v, JSON_COMPACT | JSON_ESCAPE_SLASH);
	assert_non_null(text);
	buf_init(&b, 1 << 16);
	assert_int_equal(ld_put_safe(&b, text), GZ_OK);
	assert_null(strchr(b.data, '<'));
	assert_null(strchr(b.data, '>'));
	assert_null(strchr(b.data, '&'));
	{
		json_error_t err;
		json_t *back = json_loads(b.data, 0, &err);

		assert_non_null(back);
		assert_true(json_equal(back, v));
		json_decref(back);
	}
	buf_fini(&b);
	free(text);
	json_decref(v);
}

static void
expect_authors(const char *byline, const char *want)
{
	struct pool *pool = pool_new(1 << 16);
	json_t *pub = json_pack("{s:s}", "name", "Publisher");
	json_t *list = ld_authors(pool, byline, pub);
	char *text = json_dumps(list, JSON_COMPACT);

	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	json_decref(list);
	json_decref(pub);
	pool_free(pool);
}

static void
test_authors(void **state)
{
	(void)state;
	expect_authors("By Ann Lee", "[{\"@type\":\"Person\",\"name\":\"Ann Lee\"}]");
	expect_authors("By Ann Lee and Ben Ode",
		       "[{\"@type\":\"Person\",\"name\":\"Ann Lee\"},"
		       "{\"@type\":\"Person\",\"name\":\"Ben Ode\"}]");
	expect_authors("Ann Lee, Ben Ode and Cy Day",
		       "[{\"@type\":\"Person\",\"name\":\"Ann Lee\"},"
		       "{\"@type\":\"Person\",\"name\":\"Ben Ode\"},"
		       "{\"@type\":\"Person\",\"name\":\"Cy Day\"}]");
	expect_authors("", "[{\"name\":\"Publisher\"}]");
	expect_authors("By ", "[{\"name\":\"Publisher\"}]");
}

static void
expect_excerpt(const char *html, size_t max, const char *want)
{
	struct pool *pool = pool_new(1 << 16);
	const char *got = site_text_excerpt(pool, html, max);

	assert_non_null(got);
	assert_string_equal(got, want);
	pool_free(pool);
}

static void
test_excerpt(void **state)
{
	(void)state;
	expect_excerpt("", 20, "");
	expect_excerpt("<p><span class=\"dateline\">RIVERTON</span> - A &amp; B said &quot;hi&quot;.</p>",
		       100, "RIVERTON - A & B said \"hi\".");
	expect_excerpt("<p>one</p>\n<p>two  three</p>", 100, "one two three");
	/* Cut at a whole word, with an ellipsis. */
	expect_excerpt("<p>alpha beta gamma delta</p>", 12, "alpha beta…");
	/* One long word is cut, never inside a UTF-8 sequence. */
	expect_excerpt("<p>\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9</p>", 5,
		       "\xc3\xa9\xc3\xa9…");
	expect_excerpt("<p>\xd8\xae\xd8\xa8\xd8\xb1 \xd8\xaa\xd8\xa7\xd8\xb2\xd9\x87</p>", 9,
		       "\xd8\xae\xd8\xa8\xd8\xb1…");
	/* An unclosed tag ends the text; a stray '&' stays. */
	expect_excerpt("<p>R&D <b", 100, "R&D");
}

/* An article's corrections: schema.org CorrectionComments, oldest
 * first, with their text and date; none, no key at all. */
static void
test_corrections(void **state)
{
	struct store_correction c[2] = {
		{.id = 1, .created_at = 1621362660, .text = "The vote was 5-2."},
		{.id = 2, .created_at = 1621366260, .text = "Ann Lee's title."},
	};
	json_t *art = json_object(), *list, *o;
	char *text;

	(void)state;
	assert_int_equal(date_timezone_set("UTC"), GZ_OK);
	assert_int_equal(ld_corrections(art, c, 0), 0);
	assert_null(json_object_get(art, "correction"));
	assert_int_equal(ld_corrections(art, c, 2), 0);
	list = json_object_get(art, "correction");
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), 2);
	o = json_array_get(list, 0);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, "{\"@type\":\"CorrectionComment\","
			    "\"text\":\"The vote was 5-2.\","
			    "\"datePublished\":\"2021-05-18T18:31:00+00:00\"}");
	free(text);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(list, 1), "text")), "Ann Lee's title.");
	json_decref(art);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script_safe),
		cmocka_unit_test(test_authors),
		cmocka_unit_test(test_excerpt),
		cmocka_unit_test(test_corrections),
	};

	return cmocka_run_group_tests_name("site_jsonld", tests, NULL, NULL);
}
