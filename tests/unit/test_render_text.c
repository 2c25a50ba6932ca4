/* Tests for src/render/text.c: readers' plain text as HTML. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"

#define REL "\" rel=\"nofollow ugc noopener\">"

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

/* Renders s[0..len) and returns the HTML, valid until the next call. */
static const char *
text_len(const char *s, size_t len)
{
	buf_reset(&out);
	assert_int_equal(render_text(s, len, &out), GZ_OK);
	return out.data ? out.data : "";
}

static const char *
text(const char *s)
{
	return text_len(s, strlen(s));
}

/* ---- paragraphs ---------------------------------------------------------- */

static void
empty_and_blank(void **state)
{
	(void)state;
	assert_string_equal(text(""), "");
	assert_string_equal(text_len(NULL, 0), "");
	assert_string_equal(text("\n\n\n"), "");
	assert_string_equal(text("  \t \r\n \xc2\xa0\n"), "");
	/* Nothing but dropped characters shows nothing. */
	assert_string_equal(text("\xe2\x80\xae\x01\n\x7f"), "");
}

static void
paragraphs_and_breaks(void **state)
{
	(void)state;
	assert_string_equal(text("Hello"), "<p>Hello</p>\n");
	assert_string_equal(text("One\nTwo"), "<p>One<br>\nTwo</p>\n");
	assert_string_equal(text("One\n\nTwo"), "<p>One</p>\n<p>Two</p>\n");
	/* Three or more line ends, or blank lines with spaces, are one
	 * break. */
	assert_string_equal(text("One\n\n\n\n\nTwo"),
			    "<p>One</p>\n<p>Two</p>\n");
	assert_string_equal(text("One\n  \n\t\nTwo"),
			    "<p>One</p>\n<p>Two</p>\n");
	/* Leading and trailing blank lines add nothing. */
	assert_string_equal(text("\n\nOne\nTwo\n\n\nThree\n\n"),
			    "<p>One<br>\nTwo</p>\n<p>Three</p>\n");
	/* CR LF and CR end lines too (browsers post CR LF). */
	assert_string_equal(text("One\r\nTwo\r\n\r\nThree\rFour"),
			    "<p>One<br>\nTwo</p>\n<p>Three<br>\nFour</p>\n");
	/* Spaces inside lines are kept as typed. */
	assert_string_equal(text("  a\tb  "), "<p>  a\tb  </p>\n");
}

static void
text_is_escaped(void **state)
{
	(void)state;
	assert_string_equal(text("<script>alert(1)</script>"),
			    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
	assert_string_equal(text("\"><img src=x onerror=alert(1)>"),
			    "<p>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
			    "</p>\n");
	assert_string_equal(text("R&D's <b>"),
			    "<p>R&amp;D&#39;s &lt;b&gt;</p>\n");
	/* Entities typed by the reader stay text. */
	assert_string_equal(text("&lt;b&gt;"), "<p>&amp;lt;b&amp;gt;</p>\n");
	/* Non-ASCII passes byte for byte. */
	assert_string_equal(text("caf\xc3\xa9 \xd8\xb4\xd9\x87\xd8\xb1 \xf0\x9f\x93\xb0"),
			    "<p>caf\xc3\xa9 \xd8\xb4\xd9\x87\xd8\xb1 \xf0\x9f\x93\xb0</p>\n");
}

static void
controls_and_bidi_are_dropped(void **state)
{
	static const char *const dropped[] = {
		"\xe2\x80\xaa", "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad",
		"\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa7", "\xe2\x81\xa8",
		"\xe2\x81\xa9", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c",
		"\xe2\x80\xa8", "\xe2\x80\xa9", "\x01", "\x08", "\x0b", "\x0c",
		"\x1b", "\x1f", "\x7f", "\xc2\x80", "\xc2\x9f",
	};
	char in[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++) {
		memcpy(in, "a", 1);
		memcpy(in + 1, dropped[i], strlen(dropped[i]));
		memcpy(in + 1 + strlen(dropped[i]), "b", 2);
		if (strcmp(text(in), "<p>ab</p>\n") != 0)
			fail_msg("dropped[%zu] kept: %s", i, out.data);
	}
	/* The right-to-left override that would show "txt.exe" as
	 * "exe.txt" is gone. */
	assert_string_equal(text("invoice\xe2\x80\xaetxt.exe"),
			    "<p>invoicetxt.exe</p>\n");
	/* Tab is kept; neighbours of dropped characters are intact. */
	assert_string_equal(text("a\tb"), "<p>a\tb</p>\n");
	assert_string_equal(text("\xe2\x80\x8d\xe2\x80\x8c"), /* ZWJ, ZWNJ */
			    "<p>\xe2\x80\x8d\xe2\x80\x8c</p>\n");
	assert_string_equal(text("\xc2\xa0x\xc2\xa9"),
			    "<p>\xc2\xa0x\xc2\xa9</p>\n");
}

/* ---- links ------------------------------------------------------------------ */

static void
links(void **state)
{
	(void)state;
	assert_string_equal(text("http://example.org"),
			    "<p><a href=\"http://example.org" REL
			    "http://example.org</a></p>\n");
	assert_string_equal(text("See https://example.org/a?b=1&c=2 now"),
			    "<p>See <a href=\"https://example.org/a?b=1&amp;c=2"
			    REL "https://example.org/a?b=1&amp;c=2</a> now</p>\n");
	/* www. gets a scheme in the href only. */
	assert_string_equal(text("at www.example.org."),
			    "<p>at <a href=\"http://www.example.org" REL
			    "www.example.org</a>.</p>\n");
	/* Case does not matter for the prefix; it is kept as typed. */
	assert_string_equal(text("HTTPS://EXAMPLE.ORG WWW.X.Y"),
			    "<p><a href=\"HTTPS://EXAMPLE.ORG" REL
			    "HTTPS://EXAMPLE.ORG</a> <a href=\"http://WWW.X.Y"
			    REL "WWW.X.Y</a></p>\n");
	/* Two links on two lines. */
	assert_string_equal(text("http://a.b\nhttp://c.d"),
			    "<p><a href=\"http://a.b" REL "http://a.b</a><br>\n"
			    "<a href=\"http://c.d" REL "http://c.d</a></p>\n");
	/* Non-ASCII paths are kept. */
	assert_string_equal(text("https://fa.wikipedia.org/wiki/\xd8\xaa\xd9\x87\xd8\xb1\xd8\xa7\xd9\x86"),
			    "<p><a href=\"https://fa.wikipedia.org/wiki/\xd8\xaa\xd9\x87\xd8\xb1\xd8\xa7\xd9\x86"
			    REL "https://fa.wikipedia.org/wiki/\xd8\xaa\xd9\x87\xd8\xb1\xd8\xa7\xd9\x86"
			    "</a></p>\n");
}

static void
not_links(void **state)
{
	(void)state;
	/* A prefix alone, or inside a word, address or URL. */
	assert_string_equal(text("http:// and www. and https://."),
			    "<p>http:// and www. and https://.</p>\n");
	assert_string_equal(text("xhttp://a.b"), "<p>xhttp://a.b</p>\n");
	assert_string_equal(text("me@www.example.org"),
			    "<p>me@www.example.org</p>\n");
	assert_string_equal(text("awww.example.org"),
			    "<p>awww.example.org</p>\n");
	assert_string_equal(text("ftp://example.org"),
			    "<p>ftp://example.org</p>\n");
	assert_string_equal(text("http:/x.y"), "<p>http:/x.y</p>\n");
}

static void
only_http_is_ever_linked(void **state)
{
	(void)state;
	assert_string_equal(text("javascript:alert(1)"),
			    "<p>javascript:alert(1)</p>\n");
	assert_string_equal(text("JaVaScRiPt:alert(document.cookie)"),
			    "<p>JaVaScRiPt:alert(document.cookie)</p>\n");
	assert_string_equal(text("data:text/html,<script>alert(1)</script>"),
			    "<p>data:text/html,&lt;script&gt;alert(1)&lt;/"
			    "script&gt;</p>\n");
	/* A javascript: URL that contains "http://" links nothing before
	 * the http. */
	assert_string_equal(text("javascript:http://x.y"),
			    "<p>javascript:http://x.y</p>\n");
	assert_string_equal(text("javascript: http://x.y"),
			    "<p>javascript: <a href=\"http://x.y" REL
			    "http://x.y</a></p>\n");
	assert_null(strstr(text("javascript:alert(1) JAVASCRIPT:x "
				"vbscript:x data:x"),
			   "<a"));
}

static void
urls_cannot_break_out(void **state)
{
	(void)state;
	assert_string_equal(text("http://x.y/\"onmouseover=\"alert(1)"),
			    "<p><a href=\"http://x.y/" REL "http://x.y/</a>"
			    "&quot;onmouseover=&quot;alert(1)</p>\n");
	assert_string_equal(text("http://x.y/<script>"),
			    "<p><a href=\"http://x.y/" REL "http://x.y/</a>"
			    "&lt;script&gt;</p>\n");
	assert_string_equal(text("http://x.y/'onclick='a"),
			    "<p><a href=\"http://x.y/&#39;onclick=&#39;a" REL
			    "http://x.y/&#39;onclick=&#39;a</a></p>\n");
	/* A bidi control or control character ends a URL. */
	assert_string_equal(text("http://x.y/a\xe2\x80\xae" "b"),
			    "<p><a href=\"http://x.y/a" REL
			    "http://x.y/a</a>b</p>\n");
	assert_string_equal(text("http://x.y/a\x01" "b"),
			    "<p><a href=\"http://x.y/a" REL
			    "http://x.y/a</a>b</p>\n");
	/* So does a Unicode space. */
	assert_string_equal(text("http://x.y/a\xc2\xa0" "b"),
			    "<p><a href=\"http://x.y/a" REL
			    "http://x.y/a</a>\xc2\xa0" "b</p>\n");
}

static void
trailing_punctuation(void **state)
{
	static const struct {
		const char *in, *url, *after;
	} cases[] = {
		{"http://a.b.", "http://a.b", "."},
		{"http://a.b,", "http://a.b", ","},
		{"http://a.b;", "http://a.b", ";"},
		{"http://a.b:", "http://a.b", ":"},
		{"http://a.b!", "http://a.b", "!"},
		{"http://a.b?", "http://a.b", "?"},
		{"http://a.b'", "http://a.b", "&#39;"},
		{"http://a.b]", "http://a.b", "]"},
		{"http://a.b).", "http://a.b", ")."},
		{"http://a.b...!?", "http://a.b", "...!?"},
		{"http://a.b/c?d=e.", "http://a.b/c?d=e", "."},
		{"http://a.b/x.html", "http://a.b/x.html", ""},
		{"http://a.b/wiki/Foo_(bar)", "http://a.b/wiki/Foo_(bar)", ""},
		{"http://a.b/wiki/Foo_(bar).", "http://a.b/wiki/Foo_(bar)", "."},
		{"http://a.b/wiki/Foo_(bar))", "http://a.b/wiki/Foo_(bar)", ")"},
		{"http://a.b/(x)(y)).", "http://a.b/(x)(y)", ")."},
		{"http://a.b/#frag!", "http://a.b/#frag", "!"},
	};
	char want[256];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = snprintf(want, sizeof(want),
			     "<p><a href=\"%s" REL "%s</a>%s</p>\n",
			     cases[i].url, cases[i].url, cases[i].after);
		assert_true(n > 0 && (size_t)n < sizeof(want));
		if (strcmp(text(cases[i].in), want) != 0)
			fail_msg("%s:\n got %s\nwant %s", cases[i].in,
				 out.data, want);
	}
	/* In parentheses, the URL's own parentheses stay in. */
	assert_string_equal(text("(see http://a.b/c)"),
			    "<p>(see <a href=\"http://a.b/c" REL
			    "http://a.b/c</a>)</p>\n");
	assert_string_equal(text("(see http://a.b/Foo_(c))"),
			    "<p>(see <a href=\"http://a.b/Foo_(c)" REL
			    "http://a.b/Foo_(c)</a>)</p>\n");
	assert_string_equal(text("[www.a.b]"),
			    "<p>[<a href=\"http://www.a.b" REL
			    "www.a.b</a>]</p>\n");
	/* Nothing left after trimming: no link. */
	assert_string_equal(text("www.)))"), "<p>www.)))</p>\n");
}

/* ---- size ----------------------------------------------------------------------- */

static void
many_newlines(void **state)
{
	size_t n = 100000, i;
	char *s = malloc(n + 3);
	struct buf b;

	(void)state;
	assert_non_null(s);
	s[0] = 'a';
	memset(s + 1, '\n', n);
	s[n + 1] = 'b';
	assert_string_equal(text_len(s, n + 2), "<p>a</p>\n<p>b</p>\n");
	assert_string_equal(text_len(s + 1, n), "");
	/* Alternating: 50,000 lines in one paragraph. */
	for (i = 0; i < n; i += 2) {
		s[i] = 'x';
		s[i + 1] = '\n';
	}
	buf_init(&b, 16u << 20);
	assert_int_equal(render_text(s, n, &b), GZ_OK);
	assert_int_equal(b.len, strlen("<p></p>\n") + n / 2 +
					(n / 2 - 1) * strlen("<br>\n"));
	buf_fini(&b);
	free(s);
}

static void
megabyte_lines(void **state)
{
	size_t n = 1u << 20, i;
	char *s = malloc(n);

	(void)state;
	assert_non_null(s);
	/* Plain text. */
	memset(s, 'a', n);
	assert_int_equal(strlen(text_len(s, n)), n + strlen("<p></p>\n"));
	/* One URL a megabyte long, ending in a megabyte of dots would be
	 * the same: it is scanned once and trimmed once. */
	memcpy(s, "http://", 7);
	memset(s + n / 2, '.', n - n / 2);
	text_len(s, n);
	assert_int_equal(out.len,
			 strlen("<p><a href=\"" REL "</a></p>\n") + 2 * (n / 2) +
				 (n - n / 2));
	/* Prefixes everywhere that never make a link. */
	for (i = 0; i + 4 <= n; i += 4)
		memcpy(s + i, "www.", 4);
	text_len(s, n);
	assert_non_null(strstr(out.data, "<a href=\"http://www.www."));
	for (i = 0; i + 5 <= n; i += 5)
		memcpy(s + i, "www.)", 5);
	text_len(s, n);
	for (i = 0; i + 8 <= n; i += 8)
		memcpy(s + i, "https://", 8);
	text_len(s, n);
	/* Escapes everywhere: the output grows, linearly. */
	memset(s, '<', n);
	assert_int_equal(strlen(text_len(s, n)), 4 * n + strlen("<p></p>\n"));
	free(s);
}

static void
buffer_limit_is_reported(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(render_text("a long enough comment", 21, &b),
			 GZ_ETOOBIG);
	buf_fini(&b);
	buf_init(&b, 16);
	assert_int_equal(render_text("http://a.b/c/d/e/f", 18, &b),
			 GZ_ETOOBIG);
	buf_fini(&b);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(empty_and_blank),
		T(paragraphs_and_breaks),
		T(text_is_escaped),
		T(controls_and_bidi_are_dropped),
		T(links),
		T(not_links),
		T(only_http_is_ever_linked),
		T(urls_cannot_break_out),
		T(trailing_punctuation),
		T(many_newlines),
		T(megabyte_lines),
		T(buffer_limit_is_reported),
	};
#undef T

	return cmocka_run_group_tests_name("render/text", tests, NULL, NULL);
}
