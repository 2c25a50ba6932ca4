/*
 * frontmatter.c - Markdown with a front-matter block (design.md section 2):
 *
 *	---
 *	title: Council approves new river bridge
 *	date: 2021-05-18 18:31
 *	tags: council, transport
 *	---
 *	Markdown body (CommonMark + GFM), kept as it is.
 *
 * Data flow: parse.c hands over checked text whose first line is "---";
 * this file fills a struct import_article. The block is a flat list of
 * "key: value" lines, not YAML: no nesting, no multi-line values. Blank
 * lines and lines starting with '#' inside it are ignored.
 *
 * Invariants: keys are case-insensitive and each may appear once; values
 * are trimmed and lose one pair of surrounding quotes; every value is
 * checked here, so a file that parses can be stored as it is. The body is
 * not touched, not even a dateline at its start: front matter is explicit.
 *
 * The lead image (image:, image_alt:, image_caption:, image_credit:,
 * image_decorative:) is only named here: its path is checked to stay in
 * the imported file's folder, and its words against the media limits;
 * reading and decoding the file is the command's (cli/cmd_import.c).
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
#include "util/slug.h"
#include "util/utf8.h"

enum fm_key {
	FM_TITLE,
	FM_DATE,
	FM_DATELINE,
	FM_BYLINE,
	FM_SECTION,
	FM_TAGS,
	FM_LANG,
	FM_SUMMARY,
	FM_SLUG,
	FM_STATUS,
	FM_COMMENTS,
	FM_IMAGE,
	FM_IMAGE_ALT,
	FM_IMAGE_CAPTION,
	FM_IMAGE_CREDIT,
	FM_IMAGE_DECORATIVE,
	FM_NKEYS
};

static const char *const fm_keys[FM_NKEYS] = {
	"title", "date",  "dateline", "byline",  "section",
	"tags",  "lang",  "summary",  "slug",    "status",
	"comments", "image", "image_alt", "image_caption", "image_credit",
	"image_decorative",
};

/* What the reader has seen so far. */
struct fm_state {
	struct pool *pool;
	struct import_article *out;
	struct import_error *err;
	unsigned seen[FM_NKEYS]; /* line of each key, 0 when not seen */
};

/* True for a "---" line, trailing spaces forgiven. */
static bool
fm_is_fence(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == 3 && memcmp(s, "---", 3) == 0;
}

/* Drops one pair of matching single or double quotes around s[0..*n).
 * In/out: *s, *n. */
static void
fm_unquote(const char **s, size_t *n)
{
	if (*n >= 2 && ((*s)[0] == '"' || (*s)[0] == '\'') &&
	    (*s)[*n - 1] == (*s)[0]) {
		(*s)++;
		*n -= 2;
	}
}

/* Copies s[0..n) into the pool. Output: *dst. */
static int
fm_copy(struct fm_state *st, const char *s, size_t n, const char **dst)
{
	char *p = pool_strndup(st->pool, s, n);

	if (!p)
		return GZ_ENOMEM;
	*dst = p;
	return GZ_OK;
}

/* A loose BCP 47 check: 2-35 bytes, subtags of 1-8 letters or digits
 * joined by '-', the first of 2-3 letters ("en", "fa-IR", "zh-Hant-TW"). */
static bool
fm_lang_ok(const char *s, size_t n)
{
	size_t i, sub = 0, first = 0;
	bool in_first = true;

	if (n < 2 || n > 35)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

		if (c == '-') {
			if (sub == 0)
				return false;
			in_first = false;
			sub = 0;
			continue;
		}
		if (in_first && !letter)
			return false;
		if (!letter && !(c >= '0' && c <= '9'))
			return false;
		if (++sub > 8)
			return false;
		if (in_first)
			first++;
	}
	return sub > 0 && first >= 2 && first <= 3;
}

/* Splits "a, b" or "[a, b]" into out->tags: items trimmed and unquoted,
 * empty ones and repeats dropped, at most GZ_LIMIT_TAGS. */
static int
fm_tags(struct fm_state *st, const char *v, size_t vn, unsigned line)
{
	const char **tags, *item, *comma;
	size_t p = 0, e, in, ntags = 0, j;
	int rc;

	if (vn >= 2 && v[0] == '[' && v[vn - 1] == ']') {
		v++;
		vn -= 2;
	}
	if (!(tags = pool_calloc(st->pool, GZ_LIMIT_TAGS, sizeof(*tags))))
		return GZ_ENOMEM;
	while (p <= vn) {
		comma = memchr(v + p, ',', vn - p);
		e = comma ? (size_t)(comma - v) : vn;
		item = v + p;
		in = e - p;
		p = e + 1;
		import_trim(&item, &in);
		fm_unquote(&item, &in);
		import_trim(&item, &in);
		if (in == 0)
			continue;
		for (j = 0; j < ntags; j++)
			if (strlen(tags[j]) == in && memcmp(tags[j], item, in) == 0)
				break;
		if (j < ntags)
			continue;
		if (ntags == GZ_LIMIT_TAGS)
			return import_fail(st->err, line, "expected at most %u tags",
					   GZ_LIMIT_TAGS);
		if ((rc = fm_copy(st, item, in, &tags[ntags])) != GZ_OK)
			return rc;
		ntags++;
	}
	st->out->tags = tags;
	st->out->ntags = ntags;
	return GZ_OK;
}

/* Parses a number of days, 1 to 36500 (a century). */
static bool
fm_days(const char *v, size_t vn, int *out)
{
	int d = 0;
	size_t i;

	if (vn == 0 || vn > 5)
		return false;
	for (i = 0; i < vn; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		d = d * 10 + (v[i] - '0');
	}
	if (d < 1 || d > 36500)
		return false;
	*out = d;
	return true;
}

/* Checks an image's path v[0..vn): relative to the imported file's
 * folder and inside it, so that an article handed over from outside
 * cannot make the import read any other file of the machine. */
static int
fm_image(struct fm_state *st, const char *v, size_t vn, unsigned line)
{
	size_t i, start;

	if (vn == 0)
		return import_fail(st->err, line, "expected a file name after "
				   "\"image:\" (the photo, beside this file)");
	if (vn > GZ_LIMIT_FORM_FILENAME_BYTES)
		return import_fail(st->err, line, "expected an image file name "
				   "of at most %u bytes (this one has %zu)",
				   GZ_LIMIT_FORM_FILENAME_BYTES, vn);
	if (v[0] == '/')
		return import_fail(st->err, line, "expected an image path "
				   "relative to this file's folder, not an "
				   "absolute one");
	/* No ".." component: "a/../../etc" climbs out of the folder. */
	for (start = 0, i = 0; i <= vn; i++) {
		if (i < vn && v[i] != '/')
			continue;
		if (i - start == 2 && v[start] == '.' && v[start + 1] == '.')
			return import_fail(st->err, line, "expected an image "
					   "path inside this file's folder "
					   "(no \"..\")");
		start = i + 1;
	}
	if (v[vn - 1] == '/')
		return import_fail(st->err, line, "expected an image file "
				   "name, not a folder");
	st->out->image_line = line;
	return fm_copy(st, v, vn, &st->out->image);
}

/* Copies an image's alt text, caption or credit (what names it in
 * messages), at most GZ_LIMIT_MEDIA_TEXT_BYTES, without a character
 * utf8_find_line_control finds (parse.c has refused most controls
 * already; a tab, DEL and the bidi overrides reach here). Output: *dst. */
static int
fm_media_text(struct fm_state *st, const char *what, const char *v,
	      size_t vn, unsigned line, const char **dst)
{
	unsigned cp = 0;

	if (vn > GZ_LIMIT_MEDIA_TEXT_BYTES)
		return import_fail(st->err, line, "expected %s of at most %u "
				   "bytes (this one has %zu)", what,
				   GZ_LIMIT_MEDIA_TEXT_BYTES, vn);
	if (utf8_find_line_control(v, vn, &cp) < vn)
		return import_fail(st->err, line, "expected %s without "
				   "control or text-direction characters "
				   "(this one has U+%04X)", what, cp);
	return fm_copy(st, v, vn, dst);
}

/* Checks and stores the value v[0..vn) of key k, read on line. */
static int
fm_value(struct fm_state *st, enum fm_key k, const char *v, size_t vn,
	 unsigned line)
{
	struct import_article *out = st->out;
	const char *slug;
	int64_t t;

	switch (k) {
	case FM_TITLE:
		if (vn == 0)
			return import_fail(st->err, line,
					   "expected a title after \"title:\"");
		if (vn > GZ_LIMIT_HEADLINE_BYTES)
			return import_fail(st->err, line, "expected a title of at "
					   "most %u bytes (this one has %zu)",
					   GZ_LIMIT_HEADLINE_BYTES, vn);
		return fm_copy(st, v, vn, &out->headline);
	case FM_DATE:
		if (date_parse_any(v, vn, &t) != GZ_OK)
			return import_fail(st->err, line, "expected a date like "
					   "2021-05-18 18:31, "
					   "2021-05-18T18:31:00+04:30 or "
					   "May 18, 2021 - 18:31");
		out->published_at = t;
		return GZ_OK;
	case FM_DATELINE:
		return fm_copy(st, v, vn, &out->dateline);
	case FM_BYLINE:
		return fm_copy(st, v, vn, &out->byline);
	case FM_SECTION:
		return fm_copy(st, v, vn, &out->section);
	case FM_SUMMARY:
		return fm_copy(st, v, vn, &out->summary);
	case FM_TAGS:
		return fm_tags(st, v, vn, line);
	case FM_LANG:
		if (!fm_lang_ok(v, vn))
			return import_fail(st->err, line, "expected a language "
					   "tag such as en, fa or pt-BR");
		return fm_copy(st, v, vn, &out->lang);
	case FM_SLUG:
		/* The slug must be one slug_make would give, or URLs made
		 * from it and from a headline would disagree. */
		if (!(slug = slug_make(st->pool, v, vn)))
			return GZ_ENOMEM;
		if (strlen(slug) != vn || memcmp(slug, v, vn) != 0) {
			if (slug[0] == '\0')
				return import_fail(st->err, line, "expected a slug "
						   "of lowercase letters, digits "
						   "and \"-\"");
			return import_fail(st->err, line, "expected a slug of "
					   "lowercase letters, digits and \"-\", "
					   "such as \"%s\"", slug);
		}
		out->slug = slug;
		return GZ_OK;
	case FM_STATUS:
		if (import_ieq(v, vn, "draft"))
			out->status = "draft";
		else if (import_ieq(v, vn, "scheduled"))
			out->status = "scheduled";
		else if (import_ieq(v, vn, "published"))
			out->status = "published";
		else
			return import_fail(st->err, line, "expected a status of "
					   "draft, scheduled or published");
		return GZ_OK;
	case FM_COMMENTS:
		if (import_ieq(v, vn, "open"))
			out->comments_days = IMPORT_COMMENTS_OPEN;
		else if (import_ieq(v, vn, "closed"))
			out->comments_days = 0;
		else if (!fm_days(v, vn, &out->comments_days))
			return import_fail(st->err, line, "expected comments: "
					   "open, closed, or a number of days "
					   "from 1 to 36500");
		return GZ_OK;
	case FM_IMAGE:
		return fm_image(st, v, vn, line);
	case FM_IMAGE_ALT:
		return fm_media_text(st, "an alt text", v, vn, line,
				     &out->image_alt);
	case FM_IMAGE_CAPTION:
		return fm_media_text(st, "a caption", v, vn, line,
				     &out->image_caption);
	case FM_IMAGE_CREDIT:
		return fm_media_text(st, "a credit", v, vn, line,
				     &out->image_credit);
	case FM_IMAGE_DECORATIVE:
		if (import_ieq(v, vn, "yes"))
			out->image_decorative = true;
		else if (import_ieq(v, vn, "no"))
			out->image_decorative = false;
		else
			return import_fail(st->err, line, "expected "
					   "image_decorative: yes or no");
		return GZ_OK;
	case FM_NKEYS:
		break;
	}
	assert(!"unreachable");
	return GZ_EPARSE;
}

/* Reads one line of the block. */
static int
fm_line(struct fm_state *st, const struct import_line *ln)
{
	const char *s = ln->s, *colon, *key, *v;
	size_t n = ln->len, kn, vn;
	unsigned k;

	import_trim(&s, &n);
	if (n == 0 || s[0] == '#')
		return GZ_OK;
	if (!(colon = memchr(s, ':', n)))
		return import_fail(st->err, ln->no, "expected \"key: value\"");
	key = s;
	kn = (size_t)(colon - s);
	import_trim(&key, &kn);
	if (kn == 0)
		return import_fail(st->err, ln->no, "expected \"key: value\"");
	for (k = 0; k < FM_NKEYS && !import_ieq(key, kn, fm_keys[k]); k++)
		;
	if (k == FM_NKEYS)
		return import_fail(st->err, ln->no, "expected one of title, date, "
				   "dateline, byline, section, tags, lang, "
				   "summary, slug, status, comments, image, "
				   "image_alt, image_caption, image_credit, "
				   "image_decorative");
	if (st->seen[k])
		return import_fail(st->err, ln->no, "expected each key once "
				   "(%s: is already on line %u)", fm_keys[k],
				   st->seen[k]);
	st->seen[k] = ln->no;
	v = colon + 1;
	vn = (size_t)(s + n - v);
	import_trim(&v, &vn);
	fm_unquote(&v, &vn);
	return fm_value(st, (enum fm_key)k, v, vn, ln->no);
}

/* The image keys together, once the block is read: words need an image
 * to describe, and an image needs its alt text unless it is marked
 * decorative (then it has none: readers of alt="" skip it). */
static int
fm_image_check(struct fm_state *st)
{
	static const enum fm_key words[] = {
		FM_IMAGE_ALT, FM_IMAGE_CAPTION, FM_IMAGE_CREDIT,
		FM_IMAGE_DECORATIVE,
	};
	const struct import_article *out = st->out;
	size_t i;

	if (!st->seen[FM_IMAGE]) {
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (st->seen[words[i]])
				return import_fail(st->err, st->seen[words[i]],
						   "expected an image: line "
						   "(%s: describes the lead "
						   "image)", fm_keys[words[i]]);
		return GZ_OK;
	}
	if (out->image_decorative && out->image_alt[0])
		return import_fail(st->err, st->seen[FM_IMAGE_ALT],
				   "expected no image_alt: for a decorative "
				   "image (image_decorative: yes gives it an "
				   "empty alt)");
	if (!out->image_decorative && !out->image_alt[0])
		return import_fail(st->err,
				   st->seen[FM_IMAGE_ALT] ? st->seen[FM_IMAGE_ALT]
							  : st->seen[FM_IMAGE],
				   "image_alt: expected a description of the "
				   "photo for readers who cannot see it (or "
				   "image_decorative: yes)");
	return GZ_OK;
}

int
import_frontmatter_read(struct pool *pool, const char *text, size_t len,
			struct import_article *out, struct import_error *err)
{
	struct fm_state st = {pool, out, err, {0}};
	struct import_cursor cur;
	struct import_line ln;
	unsigned close_no = 0;
	size_t body = 0, n;
	bool draft;
	int rc;

	assert(pool && out && err && (text || len == 0));
	/* Find the closing line first: without it, every line of the body
	 * would be blamed for not being "key: value". */
	import_cursor_init(&cur, text, len);
	if (!import_line_next(&cur, &ln) || !fm_is_fence(ln.s, ln.len)) {
		assert(!"parse.c sends only text that opens with \"---\"");
		return import_fail(err, 1, "expected a \"---\" line");
	}
	while (import_line_next(&cur, &ln)) {
		if (fm_is_fence(ln.s, ln.len)) {
			close_no = ln.no;
			body = ln.end;
			break;
		}
	}
	if (close_no == 0)
		return import_fail(err, 1, "expected a closing \"---\" line");

	import_cursor_init(&cur, text, len);
	import_line_next(&cur, &ln); /* the opening "---" */
	while (import_line_next(&cur, &ln) && ln.no < close_no)
		if ((rc = fm_line(&st, &ln)) != GZ_OK)
			return rc;
	if (!st.seen[FM_TITLE])
		return import_fail(err, close_no,
				   "expected a title: line in the front matter");
	if ((rc = fm_image_check(&st)) != GZ_OK)
		return rc;
	draft = strcmp(out->status, "draft") == 0;
	if (!st.seen[FM_DATE] && !draft)
		return import_fail(err, close_no, "expected a date: line (only "
				   "a draft may go without one)");

	/* The body: blank lines before it and white space after it go. */
	import_cursor_init(&cur, text + body, len - body);
	n = cur.pos;
	out->body_line = close_no + 1;
	while (import_line_next(&cur, &ln) && import_blank(ln.s, ln.len)) {
		n = cur.pos;
		out->body_line = close_no + ln.no + 1;
	}
	body += n;
	n = len - body;
	while (n > 0 && (text[body + n - 1] == ' ' ||
			 text[body + n - 1] == '\t' ||
			 text[body + n - 1] == '\n'))
		n--;
	if (n == 0 && !draft)
		return import_fail(err, close_no + 1, "expected a body after the "
				   "front matter (only a draft may be empty)");
	if (!(out->body = pool_strndup(pool, text + body, n)))
		return GZ_ENOMEM;
	return GZ_OK;
}
