/* Tests for src/render/markdown.c: Markdown to HTML through cmark-gfm. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"

#define UNTRUSTED 0u
#define TRUSTED RENDER_MD_TRUSTED

static struct buf out;

static int
setup(void **state)
{
	(void)state;
	buf_init(&out, 16u << 20);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	buf_fini(&out);
	return 0;
}

/* Renders md and returns the HTML, valid until the next call. */
static const char *
md(const char *src, unsigned flags, const char *lead)
{
	buf_reset(&out);
	assert_int_equal(render_markdown(src, strlen(src), flags, lead, &out),
			 GZ_OK);
	return out.data ? out.data : "";
}

static void
paragraphs_in_order(void **state)
{
	(void)state;
	assert_string_equal(md("One.\n\nTwo.\n\nThree.\n", UNTRUSTED, NULL),
			    "<p>One.</p>\n<p>Two.</p>\n<p>Three.</p>\n");
	assert_string_equal(md("", UNTRUSTED, NULL), "");
	assert_string_equal(md("a & b < c", UNTRUSTED, NULL),
			    "<p>a &amp; b &lt; c</p>\n");
}

static void
quotes_kept_as_typed(void **state)
{
	const char *typographic = "\xe2\x80\x9clike this\xe2\x80\x9d and "
				  "it\xe2\x80\x99s \xe2\x80\x94 done";

	(void)state;
	/* Typographic quotes, apostrophes and dashes pass byte for byte. */
	assert_non_null(strstr(md(typographic, UNTRUSTED, NULL), typographic));
	/* Straight quotes stay straight (no CMARK_OPT_SMART); in text cmark
	 * writes " as &quot;, which is still the straight quote. */
	assert_string_equal(md("\"We have waited,\" it's -- said...",
			       UNTRUSTED, NULL),
			    "<p>&quot;We have waited,&quot; it's -- "
			    "said...</p>\n");
}

static void
persian_paragraph_intact(void **state)
{
	/* "The council approved the new bridge." in Persian. */
	const char *fa = "\xd8\xb4\xd9\x88\xd8\xb1\xd8\xa7\xdb\x8c "
			 "\xd8\xb4\xd9\x87\xd8\xb1 \xd9\xbe\xd9\x84 "
			 "\xd8\xac\xd8\xaf\xdb\x8c\xd8\xaf \xd8\xb1\xd8\xa7 "
			 "\xd8\xaa\xd8\xb5\xd9\x88\xdb\x8c\xd8\xa8 "
			 "\xda\xa9\xd8\xb1\xd8\xaf.";
	char want[256];

	(void)state;
	assert_true(strlen(fa) < 200);
	memcpy(want, "<p>", 3);
	memcpy(want + 3, fa, strlen(fa));
	memcpy(want + 3 + strlen(fa), "</p>\n", 6);
	assert_string_equal(md(fa, UNTRUSTED, NULL), want);
	assert_string_equal(md(fa, TRUSTED, NULL), want);
}

static void
tables_strikethrough_autolinks(void **state)
{
	const char *html;

	(void)state;
	html = md("| a | b |\n|---|--:|\n| 1 | 2 |\n", UNTRUSTED, NULL);
	assert_non_null(strstr(html, "<table>"));
	assert_non_null(strstr(html, "<th>a</th>"));
	assert_non_null(strstr(html, "<td align=\"right\">2</td>"));
	html = md("~~gone~~", UNTRUSTED, NULL);
	assert_string_equal(html, "<p><del>gone</del></p>\n");
	html = md("See www.example.com and https://example.org/x.", TRUSTED,
		  NULL);
	assert_string_equal(html,
			    "<p>See <a href=\"http://www.example.com\">"
			    "www.example.com</a> and <a "
			    "href=\"https://example.org/x\">"
			    "https://example.org/x</a>.</p>\n");
	/* No task lists: the box stays text. */
	assert_string_equal(md("- [ ] task", UNTRUSTED, NULL),
			    "<ul>\n<li>[ ] task</li>\n</ul>\n");
}

static void
raw_html_trusted_only(void **state)
{
	(void)state;
	assert_string_equal(md("<div class=\"box\">x</div>\n\nHi <b>there</b>",
			       TRUSTED, NULL),
			    "<div class=\"box\">x</div>\n"
			    "<p>Hi <b>there</b></p>\n");
	/* Untrusted: raw HTML, block and inline, is left out entirely. */
	assert_string_equal(md("<div class=\"box\">x</div>\n\nHi <b>there</b>",
			       UNTRUSTED, NULL),
			    "<p>Hi there</p>\n");
	assert_null(strstr(md("<script>alert(1)</script>\n\nx <img src=x "
			      "onerror=alert(1)>",
			      UNTRUSTED, NULL),
			   "<script"));
	assert_null(strstr(out.data, "onerror"));
	/* Even trusted, tagfilter disarms <script>. */
	assert_null(strstr(md("<script>alert(1)</script>", TRUSTED, NULL),
			   "<script"));
}

static void
dangerous_links_untrusted(void **state)
{
	const char *html;

	(void)state;
	html = md("[a](javascript:alert(1)) [b](JAVASCRIPT:x) "
		  "[c](vbscript:x) [d](data:text/html,x) "
		  "![e](javascript:alert(2))",
		  UNTRUSTED, NULL);
	assert_null(strstr(html, "javascript"));
	assert_null(strstr(html, "JAVASCRIPT"));
	assert_null(strstr(html, "vbscript"));
	assert_null(strstr(html, "data:"));
	assert_non_null(strstr(html, "href=\"\""));
	/* <javascript:x> is not an autolink target either. */
	assert_null(strstr(md("<javascript:alert(1)>", UNTRUSTED, NULL),
			   "href=\"javascript"));
}

static void
links_untrusted_get_rel(void **state)
{
	(void)state;
	assert_string_equal(md("[a](https://x.org \"T\") and www.y.org",
			       UNTRUSTED, NULL),
			    "<p><a rel=\"nofollow ugc noopener\" "
			    "href=\"https://x.org\" title=\"T\">a</a> and "
			    "<a rel=\"nofollow ugc noopener\" "
			    "href=\"http://www.y.org\">www.y.org</a></p>\n");
	/* Link text that looks like a tag is escaped, not rewritten. */
	assert_string_equal(md("`<a href=\"x\">`", UNTRUSTED, NULL),
			    "<p><code>&lt;a href=&quot;x&quot;&gt;</code>"
			    "</p>\n");
	/* Trusted links are the editors' own: no rel. */
	assert_string_equal(md("[a](/news/1)", TRUSTED, NULL),
			    "<p><a href=\"/news/1\">a</a></p>\n");
}

static void
lead_html_first_paragraph(void **state)
{
	const char *lead = "<span class=\"dateline\">RIVERTON</span> - ";
	unsigned modes[2] = {UNTRUSTED, TRUSTED};
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_string_equal(
			md("The council voted.\n\nSecond.", modes[i], lead),
			"<p><span class=\"dateline\">RIVERTON</span> - The "
			"council voted.</p>\n<p>Second.</p>\n");
		/* Headings come first; the lead goes to the paragraph. */
		assert_string_equal(
			md("# Head\n\n> quoted\n\nText", modes[i], "L "),
			"<h1>Head</h1>\n<blockquote>\n<p>L quoted</p>\n"
			"</blockquote>\n<p>Text</p>\n");
		/* No paragraph at all: one is made at the top. */
		assert_string_equal(md("# Only a heading", modes[i], "L"),
				    "<p>L</p>\n<h1>Only a heading</h1>\n");
		assert_string_equal(md("", modes[i], "L"), "<p>L</p>\n");
	}
	/* Untrusted raw HTML before the paragraph does not take the lead's
	 * place, and the lead's own links get no rel. */
	assert_string_equal(md("<!-- raw HTML omitted -->\n\nx <!-- y --> "
			       "[l](/a)",
			       UNTRUSTED, "<a href=\"/d\">D</a> "),
			    "<p><a href=\"/d\">D</a> x  <a rel=\"nofollow ugc "
			    "noopener\" href=\"/a\">l</a></p>\n");
}

static void
output_capped(void **state)
{
	struct buf small;
	char *src;

	(void)state;
	src = malloc(10001);
	assert_non_null(src);
	memset(src, 'x', 10000);
	src[10000] = '\0';
	buf_init(&small, 1000);
	assert_int_equal(render_markdown(src, 10000, UNTRUSTED, NULL, &small),
			 GZ_ETOOBIG);
	assert_true(small.len <= 1000);
	/* The error sticks in the buffer. */
	assert_int_equal(render_markdown("x", 1, UNTRUSTED, NULL, &small),
			 GZ_ETOOBIG);
	buf_fini(&small);
	buf_init(&small, 1000);
	assert_int_equal(render_markdown(src, 10000, TRUSTED, NULL, &small),
			 GZ_ETOOBIG);
	buf_fini(&small);
	free(src);
}

/* Renders n copies of unit with flags; it must simply finish. */
static void
pathological(const char *unit, size_t n, unsigned flags)
{
	size_t k = strlen(unit), i;
	char *src = malloc(n * k + 1);

	assert_non_null(src);
	for (i = 0; i < n; i++)
		memcpy(src + i * k, unit, k);
	src[n * k] = '\0';
	buf_reset(&out);
	assert_int_equal(render_markdown(src, n * k, flags, "L", &out), GZ_OK);
	assert_true(out.len > 0);
	free(src);
}

static void
deep_nesting_finishes(void **state)
{
	(void)state;
	pathological(">", 10000, UNTRUSTED);
	pathological("*", 10000, UNTRUSTED);
	pathological("* ", 10000, UNTRUSTED);
	pathological("[", 10000, UNTRUSTED);
	pathological("*a ", 10000, TRUSTED);
	pathological("<a>", 10000, UNTRUSTED);
	pathological("[a](b) ", 10000, UNTRUSTED);
	pathological("|a", 10000, UNTRUSTED);
	pathological("| a |\n", 10000, TRUSTED);
}

static void *
render_in_thread(void *arg)
{
	struct buf b;
	int i, rc = GZ_OK;

	(void)arg;
	buf_init(&b, 1 << 16);
	for (i = 0; i < 200 && rc == GZ_OK; i++) {
		buf_reset(&b);
		rc = render_markdown("| a |\n|---|\n| ~~b~~ www.c.org |", 31,
				     0, NULL, &b);
		if (rc == GZ_OK &&
		    (!strstr(b.data, "<del>b</del>") ||
		     !strstr(b.data, "href=\"http://www.c.org\"")))
			rc = GZ_EINVAL;
	}
	buf_fini(&b);
	return (void *)(intptr_t)rc;
}

/* Several threads at once: extensions register once, and cmark-gfm's
 * global inline state does not make one thread's parse lose another's
 * strikethrough or autolinks. */
static void
threads_parse_at_once(void **state)
{
	pthread_t t[8];
	void *rc;
	int i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, render_in_thread,
						NULL),
				 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &rc), 0);
		assert_int_equal((intptr_t)rc, GZ_OK);
	}
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		/* First, so extensions register from several threads. */
		T(threads_parse_at_once),
		T(paragraphs_in_order),
		T(quotes_kept_as_typed),
		T(persian_paragraph_intact),
		T(tables_strikethrough_autolinks),
		T(raw_html_trusted_only),
		T(dangerous_links_untrusted),
		T(links_untrusted_get_rel),
		T(lead_html_first_paragraph),
		T(output_capped),
		T(deep_nesting_finishes),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
