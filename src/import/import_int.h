/*
 * import_int.h - what parse.c, plain.c and frontmatter.c share. No other
 * module includes this.
 *
 * parse.c turns a file's bytes into checked text (BOM gone, line ends LF,
 * valid UTF-8, no control characters but tab and LF) and hands it to one
 * of the two readers. The readers see lengths, never NUL terminators: the
 * text may be the caller's own bytes.
 */
#ifndef GZ_IMPORT_INT_H
#define GZ_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

struct import_article;
struct import_error;
struct pool;

/* Walks text one line at a time. */
struct import_cursor {
	const char *s;
	size_t len;
	size_t pos;    /* start of the next line */
	unsigned line; /* 1-based number of the next line */
};

/* One line, without its LF. */
struct import_line {
	const char *s;
	size_t len;
	unsigned no; /* 1-based */
	size_t end;  /* offset just past the line and its LF */
};

void import_cursor_init(struct import_cursor *c, const char *s, size_t len);
/* Output: *ln gets the next line. Returns false at the end of the text.
 * Text ending in LF has no empty last line after it. */
bool import_line_next(struct import_cursor *c, struct import_line *ln);
/* Like import_line_next, skipping blank lines. */
bool import_line_next_text(struct import_cursor *c, struct import_line *ln);

/* Narrows s[0..*len) by spaces, tabs and no-break spaces (U+00A0) on
 * both ends. In/out: *s, *len. */
void import_trim(const char **s, size_t *len);
/* True when s[0..len) is only spaces, tabs and no-break spaces. */
bool import_blank(const char *s, size_t len);

/* True when s[0..n) equals lit, a lowercase literal, ignoring ASCII
 * case. */
bool import_ieq(const char *s, size_t n, const char *lit);

/* Writes "what was expected" for line (0: the whole file) into err and
 * returns GZ_EPARSE. A message too long for err->msg is cut at a
 * character boundary and ends in "...". */
int import_fail(struct import_error *err, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The readers. text[0..len) is checked text as above; out is already
 * filled with empty values. Strings in out are allocated from pool.
 * Return GZ_OK, GZ_EPARSE (err filled) or GZ_ENOMEM. */
int import_plain_read(struct pool *pool, const char *text, size_t len,
		      struct import_article *out, struct import_error *err);
int import_frontmatter_read(struct pool *pool, const char *text, size_t len,
			    struct import_article *out,
			    struct import_error *err);

#endif
