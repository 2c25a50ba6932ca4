/* Tests for src/render/markdown.c: Markdown to HTML through cmark-gfm,
 * an article's body with its dateline, and the check that refuses what
 * would make cmark-gfm slow (each limit just under and just over). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

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

/* ---- an article's body -------------------------------------------------- */

static void
dateline_fragment(void **state)
{
	(void)state;
	buf_reset(&out);
	assert_int_equal(render_dateline_html(&out, "TEHRAN"), GZ_OK);
	assert_string_equal(out.data,
			    "<span class=\"dateline\">TEHRAN</span> - ");
	buf_reset(&out);
	assert_int_equal(render_dateline_html(&out, "A&B <X> \"Y\""), GZ_OK);
	assert_string_equal(out.data, "<span class=\"dateline\">A&amp;B "
			    "&lt;X&gt; &quot;Y&quot;</span> - ");
	buf_reset(&out);
	assert_int_equal(render_dateline_html(&out, ""), GZ_OK);
	assert_int_equal(render_dateline_html(&out, NULL), GZ_OK);
	assert_int_equal(out.len, 0);
}

static void
article_html(void **state)
{
	const char *body = "The council voted.\n\n<b>Raw</b> [l](/a)";

	(void)state;
	buf_reset(&out);
	assert_int_equal(render_article_html(body, strlen(body), "RIVERTON",
					     true, &out), GZ_OK);
	assert_string_equal(out.data,
			    "<p><span class=\"dateline\">RIVERTON</span> - The "
			    "council voted.</p>\n<p><b>Raw</b> <a "
			    "href=\"/a\">l</a></p>\n");
	/* The same bytes as the page made per view: trusted Markdown with
	 * the fragment as lead. */
	{
		struct buf lead, direct;

		buf_init(&lead, 1024);
		buf_init(&direct, 1 << 16);
		render_dateline_html(&lead, "RIVERTON");
		assert_int_equal(render_markdown(body, strlen(body),
						 RENDER_MD_TRUSTED, lead.data,
						 &direct), GZ_OK);
		assert_string_equal(direct.data, out.data);
		buf_fini(&lead);
		buf_fini(&direct);
	}
	buf_reset(&out);
	assert_int_equal(render_article_html(body, strlen(body), "", true,
					     &out), GZ_OK);
	assert_non_null(strstr(out.data, "<p>The council voted.</p>"));
	assert_true(RENDER_MD_VERSION >= 1);
}

/* A writer's body: the dateline still opens it, Markdown still renders,
 * and nothing of its raw HTML or dangerous links survives. */
static void
article_html_untrusted(void **state)
{
	const char *body =
		"The council voted.\n\n<script>alert(1)</script>\n\n"
		"Text <img src=x onerror=alert(2)> and "
		"[click](javascript:alert(3)) and **bold** [ok](/a)\n\n"
		"<aside onclick=\"alert(4)\">side</aside>\n";

	(void)state;
	buf_reset(&out);
	assert_int_equal(render_article_html(body, strlen(body), "RIVERTON",
					     false, &out), GZ_OK);
	assert_non_null(strstr(out.data, "<p><span class=\"dateline\">"
				       "RIVERTON</span> - The council "
				       "voted.</p>"));
	assert_non_null(strstr(out.data, "<strong>bold</strong>"));
	assert_non_null(strstr(out.data, "href=\"/a\""));
	assert_null(strstr(out.data, "<script"));
	assert_null(strstr(out.data, "onerror"));
	assert_null(strstr(out.data, "onclick"));
	assert_null(strstr(out.data, "<img"));
	assert_null(strstr(out.data, "<aside"));
	assert_null(strstr(out.data, "javascript:"));
	/* The same body trusted keeps the editor's HTML. */
	buf_reset(&out);
	assert_int_equal(render_article_html(body, strlen(body), "RIVERTON",
					     true, &out), GZ_OK);
	assert_non_null(strstr(out.data, "<aside"));
}

/* ---- what the import accepts --------------------------------------------- */

static struct buf src;

/* Empties src, then appends unit n times (by chunks, it may be long). */
static void
rep(const char *unit, size_t n)
{
	size_t i;

	buf_reset(&src);
	for (i = 0; i < n; i++)
		buf_puts(&src, unit);
	assert_int_equal(src.err, GZ_OK);
}

/* Appends unit n times to src. */
static void
more(const char *unit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf_puts(&src, unit);
	assert_int_equal(src.err, GZ_OK);
}

/* Checks src: 0 when accepted, else the line of the refusal, whose
 * message must start with "expected" and hold want (when not NULL). */
static unsigned
check(const char *want)
{
	char msg[512];
	unsigned line = 12345;
	int rc;

	rc = render_markdown_check(src.data ? src.data : "", src.len, &line,
				   msg, sizeof(msg));
	if (rc == GZ_OK) {
		assert_int_equal(line, 0);
		return 0;
	}
	assert_int_equal(rc, GZ_ETOOBIG);
	assert_true(line > 0);
	if (strncmp(msg, "expected ", 9) != 0 || (want && !strstr(msg, want)))
		fail_msg("line %u: %s (wanted %s)", line, msg, want);
	return line;
}

static void
check_nesting(void **state)
{
	(void)state;
	rep(">", GZ_LIMIT_MD_NESTING);
	more(" a", 1);
	assert_int_equal(check(NULL), 0);
	rep(">", GZ_LIMIT_MD_NESTING + 1);
	more(" a", 1);
	assert_int_equal(check("nested at most 32"), 1);
	rep("> ", GZ_LIMIT_MD_NESTING);
	assert_int_equal(check(NULL), 0);
	rep("> ", GZ_LIMIT_MD_NESTING + 1);
	assert_int_equal(check("nested"), 1);
	/* Lists, bullet and ordered, and on a later line. */
	rep("- ", GZ_LIMIT_MD_NESTING);
	more("a", 1);
	assert_int_equal(check(NULL), 0);
	rep("text\n\n", 1);
	more("1. ", GZ_LIMIT_MD_NESTING + 1);
	more("a\n", 1);
	assert_int_equal(check("nested"), 3);
	rep("* > ", GZ_LIMIT_MD_NESTING / 2);
	more("+ ", 1);
	assert_int_equal(check("nested"), 1);
	/* Indentation: every 2 columns is a level of list. */
	rep(" ", 2 * GZ_LIMIT_MD_NESTING);
	more("a", 1);
	assert_int_equal(check(NULL), 0);
	rep(" ", 2 * GZ_LIMIT_MD_NESTING + 2);
	more("a", 1);
	assert_int_equal(check("indentation"), 1);
	/* A rule is not a list, however many dashes or stars. */
	rep("- ", 100);
	more("\n\n", 1);
	more("* ", 100);
	assert_int_equal(check(NULL), 0);
	/* Fenced code is not parsed: quotes inside it do not count, and
	 * after it they do again. */
	rep("```\n", 1);
	more(">", 100);
	more("\n```\n", 1);
	more("~~~~ x\n", 1);
	more(">", 100);
	more("\n~~~\n~~~~\n", 1);
	assert_int_equal(check(NULL), 0);
	more(">", GZ_LIMIT_MD_NESTING + 1);
	assert_int_equal(check("nested"), 8);
}

static void
check_pathological_article(void **state)
{
	(void)state;
	/* The article that took two seconds per view: refused at once. */
	rep(">", 20000);
	more("[", 20000);
	assert_int_equal(src.len, 40000);
	assert_int_equal(check("nested"), 1);
	/* At the limit of nesting, the same brackets are refused too. */
	rep(">", GZ_LIMIT_MD_NESTING);
	more("[", 20000);
	assert_int_equal(check("\"[\" left open"), 1);
}

static void
check_brackets(void **state)
{
	(void)state;
	rep("[", GZ_LIMIT_MD_OPEN_BRACKETS);
	assert_int_equal(check(NULL), 0);
	rep("[", GZ_LIMIT_MD_OPEN_BRACKETS + 1);
	assert_int_equal(check("at most 256 \"[\""), 1);
	rep("![", GZ_LIMIT_MD_OPEN_BRACKETS + 1);
	assert_int_equal(check("\"[\" left open"), 1);
	/* Over several lines of one paragraph. */
	rep("[\n", GZ_LIMIT_MD_OPEN_BRACKETS + 1);
	assert_int_equal(check("\"[\""), GZ_LIMIT_MD_OPEN_BRACKETS + 1);
	/* Closed, escaped, or in separate paragraphs: fine. */
	rep("[a](b) [c] ", 5000);
	assert_int_equal(check(NULL), 0);
	rep("\\[", 5000);
	assert_int_equal(check(NULL), 0);
	rep("[", 200);
	more("\n\n", 1);
	more("[", 200);
	assert_int_equal(check(NULL), 0);
	rep("# ", 1);
	more("[", 200);
	more("\n", 1);
	more("[", 200);
	assert_int_equal(check(NULL), 0);
}

static void
check_tables(void **state)
{
	size_t rows;

	(void)state;
	rep("|h", GZ_LIMIT_MD_TABLE_COLUMNS);
	more("|\n", 1);
	more("|-", GZ_LIMIT_MD_TABLE_COLUMNS);
	more("|\nx\n", 1);
	assert_int_equal(check(NULL), 0);
	rep("|h", GZ_LIMIT_MD_TABLE_COLUMNS + 1);
	more("|\n", 1);
	more("|-", GZ_LIMIT_MD_TABLE_COLUMNS + 1);
	more("|\n", 1);
	assert_int_equal(check("at most 64 columns"), 2);
	/* A wide header is refused even when the delimiter row does not
	 * match it: cmark-gfm parses the header before it knows. */
	rep("h|", 100000);
	more("\n-|-\n", 1);
	assert_int_equal(check("columns"), 2);
	/* A row of a narrow table with too many cells. */
	rep("a|b\n-|-\n", 1);
	more("x|", GZ_LIMIT_MD_TABLE_COLUMNS);
	more("\n", 1);
	assert_int_equal(check(NULL), 0);
	more("x|", GZ_LIMIT_MD_TABLE_COLUMNS + 1);
	more("\n", 1);
	assert_int_equal(check("row of at most"), 4);
	/* Cells: header and delimiter rows count 2 x columns, then each
	 * row its columns. */
	rows = (GZ_LIMIT_MD_TABLE_CELLS - 4) / 2;
	rep("| a | b |\n|---|---|\n", 1);
	more("x\n", rows);
	assert_int_equal(check(NULL), 0);
	more("x\n", 1);
	assert_int_equal(check("at most 20000 cells"), 2 + rows + 1);
	/* A blank line ends the table; what follows is no row. */
	rep("| a | b |\n|---|---|\n", 1);
	more("x\n", rows);
	more("\nx\n", 1);
	assert_int_equal(check(NULL), 0);
	/* A setext heading is no table. */
	rep("Title\n---\n", 20000);
	assert_int_equal(check(NULL), 0);
}

static void
check_autolinks(void **state)
{
	(void)state;
	rep("www.a", 1);
	more(")", GZ_LIMIT_MD_WORD_PARENS);
	assert_int_equal(check(NULL), 0);
	more(")", 1);
	assert_int_equal(check("\")\" in one word"), 1);
	rep("(a) ", 100000);
	assert_int_equal(check(NULL), 0);
	rep("a@b.c ", GZ_LIMIT_MD_LINE_EMAILS);
	assert_int_equal(check(NULL), 0);
	rep("x\n", 1);
	more("a@b.c ", GZ_LIMIT_MD_LINE_EMAILS + 1);
	assert_int_equal(check("email"), 2);
	rep("a@b.c\n", GZ_LIMIT_MD_LINE_EMAILS + 1);
	assert_int_equal(check(NULL), 0);
	/* Handles are no addresses. */
	rep("@x ", 1000);
	assert_int_equal(check(NULL), 0);
}

static void
check_lines_and_marks(void **state)
{
	(void)state;
	rep("a\n", GZ_LIMIT_MD_LINES);
	assert_int_equal(check(NULL), 0);
	more("a", 1);
	assert_int_equal(check("lines"), GZ_LIMIT_MD_LINES + 1);
	/* (Not "~~~" at the start of a line: that is a code fence.) */
	rep("x~", GZ_LIMIT_MD_MARKS);
	assert_int_equal(check(NULL), 0);
	more("~", 1);
	assert_int_equal(check("markup"), 1);
	rep("*_", GZ_LIMIT_MD_MARKS / 2);
	more("\nx*", 1);
	assert_int_equal(check("markup"), 2);
	/* A run of one delimiter is one mark, whatever its length. */
	rep("*", 100000);
	more("_", 100000);
	more("`", 100000);
	assert_int_equal(check(NULL), 0);
	/* Escapes, entities and "www." count. */
	rep("\\*&<:", GZ_LIMIT_MD_MARKS / 4);
	assert_int_equal(check(NULL), 0);
	more(" www.x", 1);
	assert_int_equal(check("markup"), 1);
}

/* Seconds since an arbitrary point. */
static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Checks src (it must be accepted) and renders it: both must finish,
 * well within a bound no quadratic input of this size meets even in a
 * sanitizer build. */
static void
accepted_renders(void)
{
	double t0 = now_s();

	assert_int_equal(check(NULL), 0);
	buf_reset(&out);
	assert_int_equal(render_markdown(src.data, src.len, RENDER_MD_TRUSTED,
					 NULL, &out),
			 GZ_OK);
	assert_true(now_s() - t0 < 10.0);
}

static void
check_bounded(void **state)
{
	double t0;

	(void)state;
	/* 100,000 "*" and a 1 MB line: accepted and rendered. */
	rep("*", 100000);
	accepted_renders();
	rep("a", 1u << 20);
	accepted_renders();
	rep("www.example.org/path ", 50000);
	accepted_renders();
	/* 100,000 "[": refused before cmark sees them. */
	rep("[", 100000);
	assert_int_equal(check("\"[\""), 1);
	/* The whole import limit of text is checked quickly. */
	rep("abcdefgh", GZ_LIMIT_IMPORT_FILE_BYTES / 8);
	t0 = now_s();
	assert_int_equal(check(NULL), 0);
	assert_true(now_s() - t0 < 5.0);
}

static int
setup_src(void **state)
{
	(void)state;
	buf_init(&src, 64u << 20);
	return setup(state);
}

static int
teardown_src(void **state)
{
	buf_fini(&src);
	return teardown(state);
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
#define C(f) cmocka_unit_test_setup_teardown(f, setup_src, teardown_src)
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
		T(dateline_fragment),
		T(article_html),
		T(article_html_untrusted),
		C(check_nesting),
		C(check_pathological_article),
		C(check_brackets),
		C(check_tables),
		C(check_autolinks),
		C(check_lines_and_marks),
		C(check_bounded),
	};
#undef T
#undef C
	return cmocka_run_group_tests(tests, NULL, NULL);
}
