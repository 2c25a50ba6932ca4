/*
 * test_site_feed_build.c - tests of src/site/feed_build.c: Atom, RSS and
 * JSON Feed written from a fixed feed, with text that looks like markup
 * and control characters, dates with offsets, an empty feed, and links
 * made absolute.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"

/* 2021-05-18T18:31:00Z */
#define T1 INT64_C(1621362660)

static const char *const cats[] = {"City", "R&D <lab>"};
static const struct site_feed_author ann[] = {{"Ann Lee", NULL}};

static const struct site_feed_item items[] = {
	{
		.id = "https://n.example/news/2",
		.url = "https://n.example/news/2/a-b",
		.title = "A & B </script><b>\"x\"</b>\x01",
		.summary = "Sum <i>mary</i>",
		.content_html = "<p>Body &amp; <a href=\"https://n.example/x\">x</a></p>",
		.authors = ann,
		.nauthors = 1,
		.lang = "en",
		.categories = cats,
		.ncategories = 2,
		.published = T1,
		.modified = T1 + 60,
	},
	{
		.id = "https://n.example/news/1",
		.url = "https://n.example/news/1/old",
		.title = "Old",
		.summary = "",
		.content_html = NULL,
		.lang = "fa",
		.published = T1 - 86400,
		.modified = T1 - 86400,
	},
};

static struct site_feed
feed(size_t n)
{
	struct site_feed f = {
		.title = "The \"Test\" Gazette",
		.description = "News & more",
		.lang = "en",
		.publisher = "The \"Test\" Gazette",
		.home_url = "https://n.example/",
		.alternate_url = "https://n.example/",
		.self_url = "https://n.example/feed.atom",
		.updated = T1 + 60,
		.items = items,
		.n = n,
	};
	return f;
}

static int
setup(void **state)
{
	(void)state;
	return date_timezone_set("UTC") == GZ_OK ? 0 : -1;
}

static void
test_atom(void **state)
{
	struct site_feed f = feed(2);
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(site_feed_atom(&b, &f), GZ_OK);
	assert_non_null(strstr(b.data, "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">"));
	/* Each entry says its own language. */
	assert_non_null(strstr(b.data, "<entry xml:lang=\"en\">"));
	assert_non_null(strstr(b.data, "<entry xml:lang=\"fa\">"));
	assert_non_null(strstr(b.data, "<title>The &quot;Test&quot; Gazette</title>"));
	assert_non_null(strstr(b.data, "<updated>2021-05-18T18:32:00+00:00</updated>"));
	/* The headline is text: escaped, its control character gone. */
	assert_non_null(strstr(b.data,
		"<title>A &amp; B &lt;/script&gt;&lt;b&gt;&quot;x&quot;&lt;/b&gt;</title>"));
	assert_null(strstr(b.data, "</script>"));
	assert_null(strchr(b.data, '\x01'));
	/* The body is HTML escaped once more, with a base for its links. */
	assert_non_null(strstr(b.data,
		"<content type=\"html\" xml:base=\"https://n.example/\">"
		"&lt;p&gt;Body &amp;amp; &lt;a href=&quot;https://n.example/x&quot;&gt;"));
	assert_non_null(strstr(b.data, "<category term=\"R&amp;D &lt;lab&gt;\"/>"));
	assert_non_null(strstr(b.data, "<author><name>Ann Lee</name>\n</author>"));
	assert_non_null(strstr(b.data, "<published>2021-05-18T18:31:00+00:00</published>"));
	/* The second entry: no summary, no content, no author of its own
	 * (the feed's stands). */
	assert_non_null(strstr(b.data, "<id>https://n.example/news/1</id>"));
	assert_int_equal(strstr(b.data, "<summary>") ==
			 strstr(b.data, "<summary>Sum &lt;i&gt;mary&lt;/i&gt;</summary>"), 1);
	buf_fini(&b);
}

static void
test_rss(void **state)
{
	struct site_feed f = feed(2);
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(site_feed_rss(&b, &f), GZ_OK);
	assert_non_null(strstr(b.data, "<rss version=\"2.0\""));
	assert_non_null(strstr(b.data, "<lastBuildDate>Tue, 18 May 2021 18:32:00 +0000</lastBuildDate>"));
	assert_non_null(strstr(b.data, "<pubDate>Tue, 18 May 2021 18:31:00 +0000</pubDate>"));
	assert_non_null(strstr(b.data, "<guid isPermaLink=\"false\">https://n.example/news/2</guid>"));
	assert_non_null(strstr(b.data, "<dc:creator>Ann Lee</dc:creator>"));
	assert_non_null(strstr(b.data, "<content:encoded>&lt;p&gt;Body"));
	assert_non_null(strstr(b.data, "<atom:link rel=\"self\" type=\"application/rss+xml\""));
	assert_null(strstr(b.data, "</script>"));
	/* An entry without an author has no creator at all. */
	assert_ptr_equal(strstr(b.data, "<dc:creator>"),
			 strstr(b.data, "<dc:creator>Ann Lee"));
	buf_fini(&b);
}

static void
test_json(void **state)
{
	struct site_feed f = feed(2);
	json_error_t err;
	json_t *root, *it;
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(site_feed_json(&b, &f), GZ_OK);
	assert_non_null(root = json_loads(b.data, 0, &err));
	assert_string_equal(json_string_value(json_object_get(root, "version")),
			    "https://jsonfeed.org/version/1.1");
	assert_int_equal(json_array_size(json_object_get(root, "items")), 2);
	it = json_array_get(json_object_get(root, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "title")),
			    "A & B </script><b>\"x\"</b>\x01");
	assert_string_equal(json_string_value(json_object_get(it, "date_published")),
			    "2021-05-18T18:31:00+00:00");
	assert_int_equal(json_array_size(json_object_get(it, "tags")), 2);
	/* Without content_html, content_text stands in: the spec wants one. */
	it = json_array_get(json_object_get(root, "items"), 1);
	assert_null(json_object_get(it, "content_html"));
	assert_string_equal(json_string_value(json_object_get(it, "content_text")), "Old");
	assert_null(json_object_get(it, "authors"));
	json_decref(root);
	buf_fini(&b);
}

static void
test_empty(void **state)
{
	struct site_feed f = feed(0);
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(site_feed_atom(&b, &f), GZ_OK);
	assert_null(strstr(b.data, "<entry>"));
	assert_non_null(strstr(b.data, "</feed>"));
	buf_reset(&b);
	assert_int_equal(site_feed_json(&b, &f), GZ_OK);
	assert_non_null(strstr(b.data, "\"items\": []"));
	buf_fini(&b);
}

static void
expect_absolute(const char *html, const char *want)
{
	struct buf b;

	buf_init(&b, 1 << 16);
	assert_int_equal(site_feed_absolute(&b, html, "https://n.example"), GZ_OK);
	assert_string_equal(b.data ? b.data : "", want);
	buf_fini(&b);
}

static void
test_absolute(void **state)
{
	(void)state;
	expect_absolute("", "");
	expect_absolute("<a href=\"/news/1\">x</a>",
			"<a href=\"https://n.example/news/1\">x</a>");
	expect_absolute("<img src=\"/media/a.jpg\" alt=\"\"> <a href=\"/\">h</a>",
			"<img src=\"https://n.example/media/a.jpg\" alt=\"\"> "
			"<a href=\"https://n.example/\">h</a>");
	/* Absolute, scheme-relative and relative links stay as they are. */
	expect_absolute("<a href=\"https://o.example/\">o</a><a href=\"//o.example/\">p</a>"
			"<a href=\"x/y\">q</a>",
			"<a href=\"https://o.example/\">o</a><a href=\"//o.example/\">p</a>"
			"<a href=\"x/y\">q</a>");
	/* Text that only looks like an attribute is escaped HTML: no quote. */
	expect_absolute("<p>write href=&quot;/x&quot;</p>",
			"<p>write href=&quot;/x&quot;</p>");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atom),
		cmocka_unit_test(test_rss),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_absolute),
	};

	return cmocka_run_group_tests_name("site_feed_build", tests, setup, NULL);
}
