/*
 * parse.c - the entry point of import/: from a file's bytes to checked
 * text, then to the reader for its format (import.h).
 *
 * Data flow: cli/ reads a file and calls import_parse; the text is checked
 * here once (size, BOM, line ends, UTF-8, control characters), then
 * plain.c or frontmatter.c reads it into a struct import_article, which
 * cli/ writes to the store in one transaction.
 *
 * Invariants: a reader only ever sees text whose every line ends in LF (or
 * the end), that is valid UTF-8, and that holds no byte below 0x20 but tab
 * and LF. Line numbers are those an editor shows for the original file:
 * CRLF and a lone CR each end one line, and the BOM is not a line.
 */
#include "import/import.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "import/import_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

/* ---- helpers shared with the readers ---------------------------------- */

void
import_cursor_init(struct import_cursor *c, const char *s, size_t len)
{
	c->s = s;
	c->len = len;
	c->pos = 0;
	c->line = 1;
}

bool
import_line_next(struct import_cursor *c, struct import_line *ln)
{
	const char *nl;
	size_t rest;

	if (c->pos >= c->len)
		return false;
	rest = c->len - c->pos;
	ln->s = c->s + c->pos;
	ln->no = c->line++;
	nl = memchr(ln->s, '\n', rest);
	if (nl) {
		ln->len = (size_t)(nl - ln->s);
		c->pos += ln->len + 1;
	} else {
		ln->len = rest;
		c->pos = c->len;
	}
	ln->end = c->pos;
	return true;
}

bool
import_line_next_text(struct import_cursor *c, struct import_line *ln)
{
	while (import_line_next(c, ln))
		if (!import_blank(ln->s, ln->len))
			return true;
	return false;
}

/* Length of the space, tab or U+00A0 at s[0..len), or 0. */
static size_t
import_space_at(const char *s, size_t len)
{
	if (len >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (len >= 2 && s[0] == '\xC2' && s[1] == '\xA0')
		return 2;
	return 0;
}

/* Length of the space, tab or U+00A0 ending s[0..len), or 0. */
static size_t
import_space_before(const char *s, size_t len)
{
	if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		return 1;
	if (len >= 2 && s[len - 2] == '\xC2' && s[len - 1] == '\xA0')
		return 2;
	return 0;
}

void
import_trim(const char **s, size_t *len)
{
	size_t k;

	while ((k = import_space_at(*s, *len)) > 0) {
		*s += k;
		*len -= k;
	}
	while ((k = import_space_before(*s, *len)) > 0)
		*len -= k;
}

bool
import_blank(const char *s, size_t len)
{
	import_trim(&s, &len);
	return len == 0;
}

bool
import_ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return false;
	}
	return true;
}

int
import_fail(struct import_error *err, unsigned line, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	int k;

	err->line = line;
	va_start(ap, fmt);
	k = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (k < 0) {
		err->msg[0] = '\0';
	} else if ((size_t)k >= sizeof(err->msg)) {
		/* Cut before "...", never inside a UTF-8 sequence. */
		n = sizeof(err->msg) - 4;
		while (n > 0 && (err->msg[n] & 0xC0) == 0x80)
			n--;
		memcpy(err->msg + n, "...", 4);
	}
	return GZ_EPARSE;
}

/* ---- checking the bytes ------------------------------------------------- */

/* Line (1-based) and column (1-based, in characters) of offset off. */
static void
import_position(const char *s, size_t off, unsigned *line, unsigned *col)
{
	size_t i, start = 0;
	unsigned l = 1, c = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n') {
			l++;
			start = i + 1;
		}
	for (i = start; i < off; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	*line = l;
	*col = c;
}

/* Checks that text is UTF-8 without control characters but tab and LF;
 * the first offender is reported. Returns GZ_OK or GZ_EPARSE. */
static int
import_check_text(const char *s, size_t len, struct import_error *err)
{
	size_t bad = len, i;
	bool valid = utf8_valid(s, len, &bad);
	unsigned line, col;
	unsigned char c;

	if (valid)
		bad = len;
	for (i = 0; i < bad; i++) {
		c = (unsigned char)s[i];
		if (c < 0x20 && c != '\t' && c != '\n')
			break;
	}
	if (i < bad) {
		import_position(s, i, &line, &col);
		if (c == 0)
			return import_fail(err, line,
				"expected text (a NUL byte at column %u; "
				"is this a binary file?)", col);
		return import_fail(err, line,
			"expected text (control character 0x%02X at column "
			"%u; remove it)", (unsigned)c, col);
	}
	if (!valid) {
		import_position(s, bad, &line, &col);
		return import_fail(err, line,
			"expected UTF-8 text (byte 0x%02X at column %u is not "
			"UTF-8; save the file as UTF-8)",
			(unsigned)(unsigned char)s[bad], col);
	}
	return GZ_OK;
}

/* Output: *out gets data with CRLF and lone CR turned into LF, copied into
 * pool when there is any CR (else data itself), *outlen its length.
 * Returns GZ_OK or GZ_ENOMEM. */
static int
import_normalise(struct pool *pool, const char *data, size_t len,
		 const char **out, size_t *outlen)
{
	size_t i, n = 0;
	char *p;

	if (len == 0 || !memchr(data, '\r', len)) {
		*out = data;
		*outlen = len;
		return GZ_OK;
	}
	if (!(p = pool_alloc(pool, len + 1)))
		return GZ_ENOMEM;
	for (i = 0; i < len; i++) {
		if (data[i] != '\r') {
			p[n++] = data[i];
			continue;
		}
		p[n++] = '\n';
		if (i + 1 < len && data[i + 1] == '\n')
			i++;
	}
	p[n] = '\0';
	*out = p;
	*outlen = n;
	return GZ_OK;
}

static void
import_article_clear(struct import_article *a)
{
	a->headline = "";
	a->summary = "";
	a->body = "";
	a->byline = "";
	a->dateline = "";
	a->section = "";
	a->lang = "";
	a->slug = "";
	a->status = "";
	a->published_at = 0;
	a->tags = NULL;
	a->ntags = 0;
	a->comments_days = IMPORT_COMMENTS_POLICY;
	a->body_line = 0;
	a->body_lines = NULL;
	a->nbody_lines = 0;
	a->image = "";
	a->image_alt = "";
	a->image_caption = "";
	a->image_credit = "";
	a->image_decorative = false;
	a->image_line = 0;
}

unsigned
import_body_line(const struct import_article *a, unsigned k)
{
	assert(a);
	if (k == 0)
		return 0;
	if (a->body_lines && a->nbody_lines > 0)
		return a->body_lines[k <= a->nbody_lines ? k - 1
							 : a->nbody_lines - 1];
	return a->body_line + k - 1;
}

int
import_parse(struct pool *pool, const char *data, size_t len,
	     struct import_article *out, struct import_error *err)
{
	struct import_cursor cur;
	struct import_line first;
	const char *text;
	size_t n;
	int rc;

	assert(pool && out && err && (data || len == 0));
	import_article_clear(out);
	err->line = 0;
	err->msg[0] = '\0';
	if (len > GZ_LIMIT_IMPORT_FILE_BYTES) {
		import_fail(err, 0, "expected a file of at most %u bytes "
			    "(this one has %zu)", GZ_LIMIT_IMPORT_FILE_BYTES,
			    len);
		return GZ_ETOOBIG;
	}
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if ((rc = import_normalise(pool, data, len, &text, &n)) != GZ_OK)
		return rc;
	if ((rc = import_check_text(text, n, err)) != GZ_OK)
		return rc;

	import_cursor_init(&cur, text, n);
	if (import_line_next(&cur, &first)) {
		/* Trailing spaces are forgiven: an editor hides them. */
		while (first.len > 0 && (first.s[first.len - 1] == ' ' ||
					 first.s[first.len - 1] == '\t'))
			first.len--;
		if (first.len == 3 && memcmp(first.s, "---", 3) == 0)
			return import_frontmatter_read(pool, text, n, out, err);
	}
	return import_plain_read(pool, text, n, out, err);
}
