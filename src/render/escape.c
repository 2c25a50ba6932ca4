/*
 * escape.c - the one place where text becomes safe for its context.
 *
 * Data flow: the template engine calls render_escape_html for every {{x}};
 * handlers call the URL and JSON escapers when they build links, feeds and
 * JSON-in-HTML. Each escaper copies runs of bytes that need no escaping in
 * one append, so escaping costs one pass over the input.
 *
 * Invariants: output is appended, never rewritten; errors are the buffer's
 * (GZ_ETOOBIG, GZ_ENOMEM) and stick in it. Inputs are bytes: the HTML and
 * URL escapers work on any bytes; the JSON escaper assumes valid UTF-8
 * (util/utf8 validates text on the way in).
 */
#include "util/buf.h"
#include "util/err.h"

#include "render/render.h"

static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

/* & < > " ' become &amp; &lt; &gt; &quot; &#39;; every other byte is
 * copied. Returns GZ_OK or out's error (GZ_ETOOBIG, GZ_ENOMEM). */
int
render_escape_html(struct buf *out, const char *s, size_t len)
{
	size_t i, run = 0;
	const char *rep;
	int rc;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (i > run &&
		    (rc = buf_append(out, s + run, i - run)) != GZ_OK)
			return rc;
		if ((rc = buf_puts(out, rep)) != GZ_OK)
			return rc;
		run = i + 1;
	}
	if (len > run)
		return buf_append(out, s + run, len - run);
	return out->err;
}

/* As render_escape_html, and the characters XML 1.0 forbids are left
 * out: the C0 controls but tab, line feed and carriage return, and
 * U+FFFE and U+FFFF; one in a headline would make a whole feed
 * ill-formed. Returns GZ_OK or out's error. */
int
render_escape_xml(struct buf *out, const char *s, size_t len)
{
	size_t i, run = 0;
	const char *rep;
	int rc;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			/* U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML
			 * characters either: dropped, all three bytes. */
			if (c == 0xef && i + 2 < len &&
			    (unsigned char)s[i + 1] == 0xbf &&
			    ((unsigned char)s[i + 2] == 0xbe ||
			     (unsigned char)s[i + 2] == 0xbf)) {
				if (i > run &&
				    (rc = buf_append(out, s + run, i - run)))
					return rc;
				i += 2;
				run = i + 1;
				continue;
			}
			if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
				continue;
			rep = "";
		}
		if (i > run &&
		    (rc = buf_append(out, s + run, i - run)) != GZ_OK)
			return rc;
		if ((rc = buf_puts(out, rep)) != GZ_OK)
			return rc;
		run = i + 1;
	}
	if (len > run)
		return buf_append(out, s + run, len - run);
	return out->err;
}

/* RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* Unreserved bytes are copied, every other byte becomes %XX (uppercase).
 * Returns GZ_OK or out's error. */
int
render_escape_url(struct buf *out, const char *s, size_t len)
{
	size_t i, run = 0;
	unsigned char c;
	char enc[3];
	int rc;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (unreserved(c))
			continue;
		if (i > run &&
		    (rc = buf_append(out, s + run, i - run)) != GZ_OK)
			return rc;
		enc[0] = '%';
		enc[1] = hex_upper[c >> 4];
		enc[2] = hex_upper[c & 15];
		if ((rc = buf_append(out, enc, 3)) != GZ_OK)
			return rc;
		run = i + 1;
	}
	if (len > run)
		return buf_append(out, s + run, len - run);
	return out->err;
}

/* " and \ become \" and \\; control characters, < > & become \u00xx;
 * U+2028 and U+2029 become \u2028 and \u2029; all else is copied (s is
 * valid UTF-8). Returns GZ_OK or out's error. */
int
render_escape_json(struct buf *out, const char *s, size_t len)
{
	size_t i, run = 0, skip;
	unsigned char c;
	char enc[6];
	const char *rep;
	int rc;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		rep = NULL;
		skip = 1;
		if (c == '"') {
			rep = "\\\"";
		} else if (c == '\\') {
			rep = "\\\\";
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			enc[0] = '\\';
			enc[1] = 'u';
			enc[2] = '0';
			enc[3] = '0';
			enc[4] = hex_lower[c >> 4];
			enc[5] = hex_lower[c & 15];
		} else if (c == 0xe2 && i + 2 < len &&
			   (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xa8 ||
			    (unsigned char)s[i + 2] == 0xa9)) {
			/* U+2028 and U+2029 end a line in older JavaScript. */
			rep = (unsigned char)s[i + 2] == 0xa8 ? "\\u2028"
							      : "\\u2029";
			skip = 3;
		} else {
			continue;
		}
		if (i > run &&
		    (rc = buf_append(out, s + run, i - run)) != GZ_OK)
			return rc;
		rc = rep ? buf_puts(out, rep) : buf_append(out, enc, 6);
		if (rc != GZ_OK)
			return rc;
		i += skip - 1;
		run = i + 1;
	}
	if (len > run)
		return buf_append(out, s + run, len - run);
	return out->err;
}
