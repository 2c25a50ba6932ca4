/*
 * text.c - readers' plain text (comments) as HTML: paragraphs, line
 * breaks and links, everything else escaped.
 *
 * Data flow: site/ hands over a comment body as stored (valid UTF-8,
 * checked by comments/ on the way in) and puts the HTML that comes out in
 * a render_html() value for {{{x}}}.
 *
 * Invariants:
 *   - Every byte of the reader's text reaches the output through
 *     render_escape_html; the only markup is our own <p>, <br> and <a>.
 *   - A link's href always begins with "http://" or "https://" (the
 *     reader's own prefix, or "http://" put before "www."), so no other
 *     scheme (javascript:, data:, ...) can ever be linked; and a URL
 *     never contains < > " or whitespace, so it cannot leave its
 *     attribute even before escaping.
 *   - Unicode bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E,
 *     U+2066-U+2069), U+2028, U+2029, C0 controls but tab and line ends,
 *     DEL and C1 controls are dropped, so a comment cannot reorder or
 *     hide the text around it.
 *   - One pass: each byte is looked at a bounded number of times (a URL
 *     is scanned once to its end and trimmed back once), so 100,000 line
 *     breaks or a 1 MB line cost linear time.
 */
#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"

#define TEXT_REL "\" rel=\"nofollow ugc noopener\">"

/* Length of the character at s[i] when it is dropped from the output,
 * else 0. Line ends never get here: lines are split on them first. */
static size_t
text_dropped(const char *s, size_t len, size_t i)
{
	const unsigned char *p = (const unsigned char *)s + i;
	size_t left = len - i;

	if (p[0] < 0x20)
		return p[0] == '\t' ? 0 : 1;
	if (p[0] == 0x7F)
		return 1;
	if (left >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
		return 2; /* C1 controls */
	if (left >= 2 && p[0] == 0xD8 && p[1] == 0x9C)
		return 2; /* U+061C ARABIC LETTER MARK */
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	    (p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xA8 && p[2] <= 0xAE)))
		return 3; /* U+200E, U+200F, U+2028-U+202E */
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] >= 0xA6 &&
	    p[2] <= 0xA9)
		return 3; /* U+2066-U+2069 */
	if (left >= 3 && p[0] == 0xEF &&
	    ((p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) ||
	     (p[1] == 0xB7 && p[2] >= 0x90 && p[2] <= 0xAF)))
		return 3; /* noncharacters U+FFFE, U+FFFF, U+FDD0-U+FDEF:
			     not allowed in XML, so never in a feed */
	return 0;
}

/* Length of the whitespace character at s[i], else 0: space, tab, and
 * the Unicode spaces (U+00A0, U+1680, U+2000-U+200A, U+202F, U+205F,
 * U+3000). */
static size_t
text_space(const char *s, size_t len, size_t i)
{
	const unsigned char *p = (const unsigned char *)s + i;
	size_t left = len - i;

	if (p[0] == ' ' || p[0] == '\t')
		return 1;
	if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	if (left >= 3 && p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
		return 3;
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	    (p[2] <= 0x8A || p[2] == 0xAF))
		return 3;
	if (left >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
		return 3;
	if (left >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

/* True when s[0..len) shows nothing: only spaces and dropped
 * characters. */
static bool
text_blank(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if ((n = text_space(s, len, i)) == 0 &&
		    (n = text_dropped(s, len, i)) == 0)
			return false;
		i += n;
	}
	return true;
}

/* True when s[i..) starts with lit (lowercase ASCII), ignoring case. */
static bool
text_prefix(const char *s, size_t len, size_t i, const char *lit)
{
	size_t k, n = strlen(lit);

	if (n > len - i)
		return false;
	for (k = 0; k < n; k++) {
		char ch = s[i + k];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != lit[k])
			return false;
	}
	return true;
}

/* A byte a URL may not directly follow: it would be the middle of a
 * word, an address or another URL ("xhttp://", "me@www.", "a.www."). */
static bool
text_glued(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
	       ch == '.' || ch == '@' || ch == '/' || ch == ':';
}

/* True when a URL cannot go on at s[j]. */
static bool
text_url_stop(const char *s, size_t len, size_t j)
{
	unsigned char ch = (unsigned char)s[j];

	return ch <= 0x20 || ch == '<' || ch == '>' || ch == '"' ||
	       text_dropped(s, len, j) != 0 || text_space(s, len, j) != 0;
}

/* Finds a URL starting at s[i]. Returns its length (0: none); output:
 * *www is set when it starts with "www." and needs a scheme. */
static size_t
text_url_at(const char *s, size_t len, size_t i, bool *www)
{
	size_t plen, j, opens = 0, closes = 0, k;
	char ch;

	if (i > 0 && text_glued((unsigned char)s[i - 1]))
		return 0;
	if (text_prefix(s, len, i, "http://"))
		plen = 7;
	else if (text_prefix(s, len, i, "https://"))
		plen = 8;
	else if (text_prefix(s, len, i, "www."))
		plen = 4;
	else
		return 0;
	*www = plen == 4;
	for (j = i + plen; j < len && !text_url_stop(s, len, j); j++)
		;
	for (k = i + plen; k < j; k++) {
		opens += s[k] == '(';
		closes += s[k] == ')';
	}
	/* Sentence punctuation after a URL is not part of it; a ')' is,
	 * when it closes a '(' inside the URL. */
	while (j > i + plen) {
		ch = s[j - 1];
		if (ch == '.' || ch == ',' || ch == ';' || ch == ':' ||
		    ch == '!' || ch == '?' || ch == '\'' || ch == ']')
			j--;
		else if (ch == ')' && closes > opens) {
			j--;
			closes--;
		} else
			break;
	}
	return j > i + plen ? j - i : 0;
}

/* Appends one line's text (no line ends in it) with links. */
static void
text_line(struct buf *out, const char *s, size_t len)
{
	size_t i = 0, run = 0, n;
	bool www = false;

	while (i < len) {
		if ((n = text_dropped(s, len, i)) != 0) {
			render_escape_html(out, s + run, i - run);
			i += n;
			run = i;
			continue;
		}
		if ((s[i] == 'h' || s[i] == 'H' || s[i] == 'w' || s[i] == 'W') &&
		    (n = text_url_at(s, len, i, &www)) != 0) {
			render_escape_html(out, s + run, i - run);
			buf_puts(out, "<a href=\"");
			if (www)
				buf_puts(out, "http://");
			render_escape_html(out, s + i, n);
			buf_puts(out, TEXT_REL);
			render_escape_html(out, s + i, n);
			buf_puts(out, "</a>");
			i += n;
			run = i;
			continue;
		}
		i++;
	}
	render_escape_html(out, s + run, len - run);
}

int
render_text(const char *s, size_t len, struct buf *out)
{
	size_t pos = 0, end, next;
	bool open = false, gap = false;

	assert(out != NULL);
	assert(s != NULL || len == 0);
	while (pos < len) {
		for (end = pos; end < len && s[end] != '\n' && s[end] != '\r';
		     end++)
			;
		/* CR LF, a lone LF and a lone CR each end a line: browsers
		 * post textareas with CR LF. */
		next = end;
		if (next < len)
			next += s[next] == '\r' && next + 1 < len &&
					s[next + 1] == '\n'
				? 2
				: 1;
		if (text_blank(s + pos, end - pos)) {
			gap = open;
		} else {
			if (!open)
				buf_puts(out, "<p>");
			else
				buf_puts(out, gap ? "</p>\n<p>" : "<br>\n");
			open = true;
			gap = false;
			text_line(out, s + pos, end - pos);
		}
		pos = next;
	}
	if (open)
		buf_puts(out, "</p>\n");
	return out->err;
}
