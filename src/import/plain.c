/*
 * plain.c - the plain-text article format (design.md section 2), as a
 * wire feed or a copy desk hands it over or a scraper leaves it:
 *
 *	Council approves new river bridge	headline
 *						blank lines
 *	May 18, 2021 - 18:31			date line, site time zone
 *	By the City Desk			byline (optional)
 *
 *	RIVERTON - The city council ...		dateline opens paragraph 1
 *
 *	"We have waited twenty years," ...	paragraphs, blank-separated
 *
 * Data flow: parse.c hands over checked text; this file fills a struct
 * import_article whose body is Markdown that renders as the literal text
 * (plain_escape), because render/ treats every body as Markdown.
 *
 * Invariants: every line is trimmed of spaces, tabs and no-break spaces at
 * both ends; paragraphs are joined with "\n\n" and the lines inside one
 * with "\n"; no byte of the text is changed, only backslashes added; the
 * work is linear in the size of the file (no line is visited more than
 * twice).
 */
#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "import/import.h"
#include "import/import_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

#define PLAIN_DATE_MSG "expected a date line like \"May 18, 2021 - 18:31\""
/* A byline is a name, not a paragraph. */
#define PLAIN_BYLINE_MAX 120u
#define PLAIN_DATELINE_MIN 2u
#define PLAIN_DATELINE_MAX 40u

/* ---- byline and dateline ------------------------------------------------- */

/*
 * True when the trimmed line s[0..len) reads as a byline: "By " and a name,
 * at most PLAIN_BYLINE_MAX bytes. A short first paragraph can start with
 * "By " too ("By noon the vote was over."), so a line that ends like a
 * sentence (! ? : ; , a closing quote, or a period after a word longer than
 * an initial or "Jr.", "Inc.") is not a byline.
 */
static bool
plain_is_byline(const char *s, size_t len)
{
	const char *sp;
	char last;

	if (len < 4 || len > PLAIN_BYLINE_MAX || memcmp(s, "By ", 3) != 0)
		return false;
	last = s[len - 1];
	if (last == '!' || last == '?' || last == ':' || last == ';' ||
	    last == ',' || last == '"' || last == '\'')
		return false;
	if (len >= 3 && (memcmp(s + len - 3, "\xE2\x80\x9D", 3) == 0 ||
			 memcmp(s + len - 3, "\xE2\x80\x99", 3) == 0))
		return false; /* ” ’ */
	if (last == '.') {
		sp = memrchr(s, ' ', len);
		assert(sp); /* "By " has one */
		if ((size_t)(s + len - (sp + 1)) > 4)
			return false;
	}
	return true;
}

/* True for the capital letters of Latin-1 and Latin Extended-A
 * ("SÃO PAULO", "ZÜRICH", "ŁÓDŹ"). */
static bool
plain_latin_upper(unsigned cp)
{
	if (cp >= 0xC0 && cp <= 0xDE)
		return cp != 0xD7;
	if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
		return cp % 2 == 0;
	if (cp >= 0x139 && cp <= 0x148)
		return cp % 2 == 1;
	return cp == 0x178 || cp == 0x179 || cp == 0x17B || cp == 0x17D;
}

/*
 * True when s[0..n) is a dateline: 2-40 bytes starting with a capital,
 * at least two capitals (ASCII, or Latin-1 and Latin Extended-A: "ŁÓDŹ"),
 * no small letters, digits or other symbols; spaces, commas, periods,
 * apostrophes (' ’), hyphens and parentheses are allowed ("WASHINGTON,
 * D.C.", "ST. PAUL", "RIVERTON (AP)"). Letters without case (Persian,
 * Chinese) are not capitals: such a paragraph has no dateline.
 */
static bool
plain_dateline_ok(const char *s, size_t n)
{
	size_t i = 0, step, caps = 0;
	unsigned cp;
	char c;

	if (n < PLAIN_DATELINE_MIN || n > PLAIN_DATELINE_MAX)
		return false;
	while (i < n) {
		c = s[i];
		step = 1;
		if (c >= 'A' && c <= 'Z') {
			caps++;
		} else if ((unsigned char)c >= 0x80) {
			step = utf8_decode(s + i, n - i, &cp);
			if (plain_latin_upper(cp))
				caps++;
			else if (!(cp == 0x2019 && i > 0))
				return false;
		} else if (i == 0 || !(c == ' ' || c == ',' || c == '.' ||
				       c == '\'' || c == '-' || c == '(' ||
				       c == ')')) {
			return false;
		}
		i += step;
	}
	return caps >= 2;
}

/*
 * Finds a dateline opening the trimmed line s[0..len): the text before the
 * first " - ", " – " or " — ". Returns its length, 0 when there is none.
 * Output: *rest gets the offset where the paragraph's text goes on.
 */
static size_t
plain_dateline(const char *s, size_t len, size_t *rest)
{
	size_t i, d, k, n;

	/* Past this the part before the dash is too long anyway. */
	for (i = 1; i < len && i <= PLAIN_DATELINE_MAX + 8; i++) {
		if (s[i] != ' ')
			continue;
		d = i + 1;
		if (d < len && s[d] == '-')
			k = 1;
		else if (len - d >= 3 && memcmp(s + d, "\xE2\x80", 2) == 0 &&
			 (s[d + 2] == '\x93' || s[d + 2] == '\x94'))
			k = 3;
		else
			continue;
		if (d + k >= len || s[d + k] != ' ')
			continue;
		/* The first separator decides; a later one is body text. */
		for (n = i; n > 0 && s[n - 1] == ' '; n--)
			;
		if (!plain_dateline_ok(s, n))
			return 0;
		for (d += k; d < len && s[d] == ' '; d++)
			;
		if (d == len)
			return 0;
		*rest = d;
		return n;
	}
	return 0;
}

/* ---- scraper residue ------------------------------------------------------ */

static size_t
plain_skip_digits(const char *s, size_t len, size_t i, size_t *ndig)
{
	size_t start = i;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	*ndig = i - start;
	return i;
}

static size_t
plain_skip_spaces(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* True for a comment form's CAPTCHA question: "2 + 1 =", "3 x 4 = ?",
 * "7 - 2 = 5", "6 × 2 =" (operators + - − x * ×). */
static bool
plain_is_sum(const char *s, size_t len)
{
	size_t i, nd;

	i = plain_skip_digits(s, len, 0, &nd);
	if (nd == 0 || nd > 6)
		return false;
	i = plain_skip_spaces(s, len, i);
	if (i < len && (s[i] == '+' || s[i] == '-' || s[i] == 'x' ||
			s[i] == 'X' || s[i] == '*'))
		i++;
	else if (len - i >= 2 && memcmp(s + i, "\xC3\x97", 2) == 0)
		i += 2; /* × */
	else if (len - i >= 3 && memcmp(s + i, "\xE2\x88\x92", 3) == 0)
		i += 3; /* − */
	else
		return false;
	i = plain_skip_spaces(s, len, i);
	i = plain_skip_digits(s, len, i, &nd);
	if (nd == 0 || nd > 6)
		return false;
	i = plain_skip_spaces(s, len, i);
	if (i >= len || s[i] != '=')
		return false;
	i = plain_skip_spaces(s, len, i + 1);
	if (i < len && s[i] == '?') {
		i++;
	} else {
		if (i < len && s[i] == '-')
			i++;
		i = plain_skip_digits(s, len, i, &nd);
		if (nd > 6)
			return false;
	}
	return plain_skip_spaces(s, len, i) == len;
}

/*
 * True when the trimmed line s[0..len) is something a scraper copies from
 * a comment form: its labels and buttons, WordPress's notices, "Comments
 * (12)", or the arithmetic question. Case is ignored, and so is one
 * trailing ':' or '.' and a "required" '*'.
 */
static bool
plain_is_residue(const char *s, size_t len)
{
	static const char *const words[] = {
		"leave a comment",
		"leave a reply",
		"post comment",
		"submit",
		"name",
		"email",
		"e-mail",
		"website",
		"comment",
		"comments",
		"cancel reply",
		"your email address will not be published",
		"required fields are marked",
		"your email address will not be published. "
		"required fields are marked",
		"email (not published)",
		"save my name, email, and website in this browser for the "
		"next time i comment",
		"notify me of follow-up comments by email",
		"notify me of new posts by email",
	};
	size_t i, n = len, nd;

	if (plain_is_sum(s, len))
		return true;
	/* "Name *", "Email:", "Required fields are marked *", "Name*:" */
	for (i = 0; i < 3 && n > 0; i++) {
		if (s[n - 1] == '*' || (i < 2 && (s[n - 1] == ':' ||
						  s[n - 1] == '.')))
			n--;
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (import_ieq(s, n, words[i]))
			return true;
	/* "Comments (12)" */
	if (n >= 12 && import_ieq(s, 10, "comments (") && s[n - 1] == ')') {
		plain_skip_digits(s, n - 1, 10, &nd);
		return nd > 0 && 10 + nd == n - 1;
	}
	return false;
}

/* Returns where the body ends once trailing blank lines and scraper
 * residue are dropped: scanning back from end, line by line, to the first
 * line that is neither. start and end are line boundaries in text. */
static size_t
plain_body_end(const char *text, size_t start, size_t end)
{
	const char *nl, *s;
	size_t le, ls, n;

	while (end > start) {
		le = text[end - 1] == '\n' ? end - 1 : end;
		nl = le > start ? memrchr(text + start, '\n', le - start) : NULL;
		ls = nl ? (size_t)(nl - text) + 1 : start;
		s = text + ls;
		n = le - ls;
		import_trim(&s, &n);
		if (n > 0 && !plain_is_residue(s, n))
			break;
		end = ls;
	}
	return end;
}

/* ---- the body as Markdown ------------------------------------------------- */

/* Counts (p == NULL) or writes the body, and the file line each of its
 * lines comes from (into lines, when not NULL). */
struct plain_sink {
	char *p;
	size_t n;
	unsigned *lines;
	size_t nlines;
};

/* Notes that the body's next line comes from file line no. */
static void
plain_line(struct plain_sink *k, unsigned no)
{
	if (k->lines)
		k->lines[k->nlines] = no;
	k->nlines++;
}

static void
plain_put(struct plain_sink *k, const char *s, size_t n)
{
	if (k->p && n)
		memcpy(k->p + k->n, s, n);
	k->n += n;
}

/* True for the ASCII punctuation CommonMark or GFM may read as markup
 * anywhere in a line: emphasis, code, links, raw HTML, entities, tables,
 * strikethrough, and the backslash itself. */
static bool
plain_special(char c)
{
	switch (c) {
	case '\\': case '`': case '*': case '_': case '[': case ']':
	case '<': case '&': case '|': case '~':
		return true;
	}
	return false;
}

/*
 * Writes one trimmed line as Markdown that renders as exactly that text.
 * Anywhere in the line, plain_special characters get a backslash. At the
 * line's start, which is where blocks open, so do '#' (heading), '>'
 * (quote), '-' '+' (list, thematic break, setext underline), '=' (setext
 * underline), and the '.' or ')' of "1. " or "1) " (ordered list). Every
 * other byte, all non-ASCII text included, is written as it is.
 */
static void
plain_escape(const char *s, size_t n, struct plain_sink *k)
{
	size_t i = 0, run, d;

	if (n == 0)
		return;
	if (s[0] == '#' || s[0] == '>' || s[0] == '-' || s[0] == '+' ||
	    s[0] == '=') {
		plain_put(k, "\\", 1);
	} else if (s[0] >= '0' && s[0] <= '9') {
		for (d = 0; d < n && d < 10 && s[d] >= '0' && s[d] <= '9'; d++)
			;
		if (d <= 9 && d < n && (s[d] == '.' || s[d] == ')') &&
		    (d + 1 == n || s[d + 1] == ' ' || s[d + 1] == '\t')) {
			plain_put(k, s, d);
			plain_put(k, "\\", 1);
			i = d;
		}
	}
	for (run = i; i < n; i++) {
		if (!plain_special(s[i]))
			continue;
		plain_put(k, s + run, i - run);
		plain_put(k, "\\", 1);
		run = i;
	}
	plain_put(k, s + run, n - run);
}

/* Writes the paragraphs of text[start..end), which begins on file line
 * first_no: the first non-blank line starts at its byte skip (past a
 * dateline). */
static void
plain_emit(const char *text, size_t start, size_t end, size_t skip,
	   unsigned first_no, struct plain_sink *k)
{
	struct import_cursor c;
	struct import_line ln;
	bool first = true, in_para = false;
	const char *s;
	size_t n;

	import_cursor_init(&c, text + start, end - start);
	while (import_line_next(&c, &ln)) {
		s = ln.s;
		n = ln.len;
		import_trim(&s, &n);
		if (n == 0) {
			in_para = false;
			continue;
		}
		if (first) {
			assert(skip < n);
			s += skip;
			n -= skip;
		} else {
			plain_put(k, in_para ? "\n" : "\n\n", in_para ? 1 : 2);
			if (!in_para) /* the blank line: the last of the run */
				plain_line(k, first_no + ln.no - 2);
		}
		plain_line(k, first_no + ln.no - 1);
		first = false;
		in_para = true;
		plain_escape(s, n, k);
	}
}

/* ---- the reader ------------------------------------------------------------ */

int
import_plain_read(struct pool *pool, const char *text, size_t len,
		  struct import_article *out, struct import_error *err)
{
	struct import_cursor cur, save;
	struct import_line ln;
	struct plain_sink sink = {NULL, 0, NULL, 0};
	size_t start, end, skip = 0, dl;
	unsigned after, first_no, *lines;
	int64_t t;
	const char *s;
	size_t n;
	char *body;

	assert(pool && out && err && (text || len == 0));
	import_cursor_init(&cur, text, len);

	/* Headline: the first line that is not blank. */
	if (!import_line_next_text(&cur, &ln))
		return import_fail(err, 1, "expected a headline");
	s = ln.s;
	n = ln.len;
	import_trim(&s, &n);
	/* A file that opens with its date line has lost its headline; say
	 * so, rather than blame the line after for not being a date. */
	if (date_parse_human(s, n, &t) == GZ_OK)
		return import_fail(err, ln.no, "expected a headline before the "
				   "date line");
	if (n > GZ_LIMIT_HEADLINE_BYTES)
		return import_fail(err, ln.no, "expected a headline of at most "
				   "%u bytes (this one has %zu)",
				   GZ_LIMIT_HEADLINE_BYTES, n);
	if (!(out->headline = pool_strndup(pool, s, n)))
		return GZ_ENOMEM;

	/* The date line, blank lines before it allowed. */
	after = cur.line;
	if (!import_line_next_text(&cur, &ln))
		return import_fail(err, after, PLAIN_DATE_MSG);
	s = ln.s;
	n = ln.len;
	import_trim(&s, &n);
	if (date_parse_human(s, n, &t) != GZ_OK)
		return import_fail(err, ln.no, PLAIN_DATE_MSG);
	out->published_at = t;
	after = ln.no;

	/* A byline right under the date line is a header line; after a
	 * blank line it must also stand alone as a paragraph. */
	save = cur;
	if (import_line_next_text(&cur, &ln)) {
		struct import_line next;
		struct import_cursor peek = cur;

		s = ln.s;
		n = ln.len;
		import_trim(&s, &n);
		if (plain_is_byline(s, n) &&
		    (ln.no == after + 1 || !import_line_next(&peek, &next) ||
		     import_blank(next.s, next.len))) {
			if (!(out->byline = pool_strndup(pool, s, n)))
				return GZ_ENOMEM;
			after = ln.no;
		} else {
			cur = save;
		}
	}

	/* The body: what is left, less trailing residue. */
	start = cur.pos;
	first_no = cur.line;
	end = plain_body_end(text, start, len);
	import_cursor_init(&cur, text + start, end - start);
	if (!import_line_next_text(&cur, &ln))
		return import_fail(err, after + 1, "expected at least one "
				   "paragraph after the date line");
	s = ln.s;
	n = ln.len;
	import_trim(&s, &n);
	if ((dl = plain_dateline(s, n, &skip)) > 0) {
		if (!(out->dateline = pool_strndup(pool, s, dl)))
			return GZ_ENOMEM;
	}

	plain_emit(text, start, end, skip, first_no, &sink);
	if (!(body = pool_alloc(pool, sink.n + 1)) ||
	    !(lines = pool_calloc(pool, sink.nlines, sizeof(*lines))))
		return GZ_ENOMEM;
	sink.p = body;
	sink.n = 0;
	sink.lines = lines;
	sink.nlines = 0;
	plain_emit(text, start, end, skip, first_no, &sink);
	body[sink.n] = '\0';
	out->body = body;
	out->body_lines = lines;
	out->nbody_lines = sink.nlines;
	out->body_line = lines[0];
	return GZ_OK;
}
