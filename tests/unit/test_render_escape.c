/* Tests for src/render/escape.c: HTML, URL and JSON escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"

typedef int (*escaper)(struct buf *, const char *, size_t);

/* Escapes s[0..len) with f and checks the output is want[0..wlen). */
static void
check_mem(escaper f, const char *s, size_t len, const char *want,
	  size_t wlen)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	assert_int_equal(f(&b, s, len), GZ_OK);
	assert_int_equal(b.len, wlen);
	assert_memory_equal(b.len ? b.data : "", want, b.len);
	buf_fini(&b);
}

static void
check_len(escaper f, const char *s, size_t len, const char *want)
{
	check_mem(f, s, len, want, strlen(want));
}

static void
check(escaper f, const char *s, const char *want)
{
	check_len(f, s, strlen(s), want);
}

static void
xml_specials_and_controls(void **state)
{
	(void)state;
	check(render_escape_xml, "", "");
	check(render_escape_xml, "R&D <b>\"x\"</b> 'y'",
	      "R&amp;D &lt;b&gt;&quot;x&quot;&lt;/b&gt; &#39;y&#39;");
	/* Tab, LF and CR stay; every other C0 control goes; DEL and UTF-8
	 * are XML characters. */
	check(render_escape_xml, "a\tb\nc\rd", "a\tb\nc\rd");
	check(render_escape_xml, "\x01" "a\x08" "b\x0b\x0c\x1f\x7f\xc3\xa9",
	      "ab\x7f\xc3\xa9");
	check_len(render_escape_xml, "x\0y", 3, "xy");
	/* Noncharacters U+FFFE and U+FFFF go; U+FFFD and U+FEFF stay. */
	check(render_escape_xml, "a\xef\xbf\xbe" "b\xef\xbf\xbf" "c\xef\xbf\xbd\xef\xbb\xbf",
	      "abc\xef\xbf\xbd\xef\xbb\xbf");
}

static void
html_empty(void **state)
{
	(void)state;
	check(render_escape_html, "", "");
}

static void
html_specials(void **state)
{
	(void)state;
	check(render_escape_html, "&", "&amp;");
	check(render_escape_html, "<", "&lt;");
	check(render_escape_html, ">", "&gt;");
	check(render_escape_html, "\"", "&quot;");
	check(render_escape_html, "'", "&#39;");
	check(render_escape_html, "&<>\"'", "&amp;&lt;&gt;&quot;&#39;");
	check(render_escape_html, "<a href=\"x\" title='y'>R&D</a>",
	      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;"
	      "R&amp;D&lt;/a&gt;");
}

static void
html_plain_text_untouched(void **state)
{
	(void)state;
	check(render_escape_html, "Council approves new river bridge",
	      "Council approves new river bridge");
	/* UTF-8 and typographic quotes pass byte for byte. */
	check(render_escape_html,
	      "\xe2\x80\x9cQuote\xe2\x80\x9d \xd8\xaf\xd8\xb1\xdb\x8c\xd8\xa7",
	      "\xe2\x80\x9cQuote\xe2\x80\x9d \xd8\xaf\xd8\xb1\xdb\x8c\xd8\xa7");
	/* An entity is escaped again: input is text, never markup. */
	check(render_escape_html, "&amp;", "&amp;amp;");
}

static void
html_respects_len(void **state)
{
	(void)state;
	check_len(render_escape_html, "a<b>c", 2, "a&lt;");
	check_mem(render_escape_html, "a\0<", 3, "a\0&lt;", 6);
}

static void
url_empty(void **state)
{
	(void)state;
	check(render_escape_url, "", "");
}

static void
url_unreserved_kept(void **state)
{
	(void)state;
	check(render_escape_url,
	      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	      "abcdefghijklmnopqrstuvwxyz0123456789-._~",
	      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	      "abcdefghijklmnopqrstuvwxyz0123456789-._~");
}

static void
url_everything_else_encoded(void **state)
{
	char in[2], want[4];
	int c;

	(void)state;
	check(render_escape_url, "a b", "a%20b");
	check(render_escape_url, "x/y?q=1&r=2#f", "x%2Fy%3Fq%3D1%26r%3D2%23f");
	check(render_escape_url, "!*'();:@+$,[]%\"<>",
	      "%21%2A%27%28%29%3B%3A%40%2B%24%2C%5B%5D%25%22%3C%3E");
	/* UTF-8 byte by byte, uppercase hex. */
	check(render_escape_url, "\xc3\xa9", "%C3%A9");
	check_len(render_escape_url, "\0", 1, "%00");
	for (c = 0; c < 256; c++) {
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			continue;
		in[0] = (char)c;
		snprintf(want, sizeof(want), "%%%02X", c);
		check_len(render_escape_url, in, 1, want);
	}
}

static void
json_empty(void **state)
{
	(void)state;
	check(render_escape_json, "", "");
}

static void
json_quote_and_backslash(void **state)
{
	(void)state;
	check(render_escape_json, "say \"hi\"", "say \\\"hi\\\"");
	check(render_escape_json, "C:\\dir", "C:\\\\dir");
}

static void
json_html_specials(void **state)
{
	(void)state;
	check(render_escape_json, "<", "\\u003c");
	check(render_escape_json, ">", "\\u003e");
	check(render_escape_json, "&", "\\u0026");
	check(render_escape_json, "</script><!--",
	      "\\u003c/script\\u003e\\u003c!--");
	/* The single quote and slash need nothing in a JSON string. */
	check(render_escape_json, "'/", "'/");
}

static void
json_control_chars(void **state)
{
	char in[1], want[8];
	int c;

	(void)state;
	for (c = 0; c < 0x20; c++) {
		in[0] = (char)c;
		snprintf(want, sizeof(want), "\\u%04x", c);
		check_len(render_escape_json, in, 1, want);
	}
	check(render_escape_json, "a\nb\tc", "a\\u000ab\\u0009c");
	/* DEL is not a JSON control character. */
	check(render_escape_json, "\x7f", "\x7f");
}

static void
json_line_separators(void **state)
{
	(void)state;
	check(render_escape_json, "a\xe2\x80\xa8" "b", "a\\u2028b");
	check(render_escape_json, "\xe2\x80\xa9", "\\u2029");
	/* Neighbours are left alone: U+2027, U+20AC, a cut sequence. */
	check(render_escape_json, "\xe2\x80\xa7", "\xe2\x80\xa7");
	check(render_escape_json, "\xe2\x82\xac", "\xe2\x82\xac");
	check(render_escape_json, "x\xe2\x80", "x\xe2\x80");
	/* Persian text passes byte for byte. */
	check(render_escape_json, "\xd8\xaf\xd8\xb1\xdb\x8c\xd8\xa7",
	      "\xd8\xaf\xd8\xb1\xdb\x8c\xd8\xa7");
}

static void
buffer_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 7);
	assert_int_equal(render_escape_html(&b, "<<", 2), GZ_ETOOBIG);
	assert_string_equal(b.data, "&lt;");
	/* Errors stick: later appends fail too, even empty ones. */
	assert_int_equal(render_escape_html(&b, "", 0), GZ_ETOOBIG);
	assert_int_equal(render_escape_url(&b, "a", 1), GZ_ETOOBIG);
	buf_fini(&b);
	buf_init(&b, 11);
	assert_int_equal(render_escape_json(&b, "<<", 2), GZ_ETOOBIG);
	buf_fini(&b);
	buf_init(&b, 5);
	assert_int_equal(render_escape_url(&b, "  ", 2), GZ_ETOOBIG);
	buf_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xml_specials_and_controls),
		cmocka_unit_test(html_empty),
		cmocka_unit_test(html_specials),
		cmocka_unit_test(html_plain_text_untouched),
		cmocka_unit_test(html_respects_len),
		cmocka_unit_test(url_empty),
		cmocka_unit_test(url_unreserved_kept),
		cmocka_unit_test(url_everything_else_encoded),
		cmocka_unit_test(json_empty),
		cmocka_unit_test(json_quote_and_backslash),
		cmocka_unit_test(json_html_specials),
		cmocka_unit_test(json_control_chars),
		cmocka_unit_test(json_line_separators),
		cmocka_unit_test(buffer_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
