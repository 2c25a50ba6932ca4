/*
 * diff.h - a line diff of two texts, for comparing an article's
 * revision with what is current.
 *
 * The result is the list of lines of both texts in order, each kept,
 * added (only in the new text) or removed (only in the old one), with
 * as few added and removed lines as Myers' algorithm finds. The work is
 * capped (GZ_LIMIT_DIFF_LINES, GZ_LIMIT_DIFF_EDITS): past it the caller
 * says "too long to compare" instead.
 */
#ifndef GZ_UTIL_DIFF_H
#define GZ_UTIL_DIFF_H

#include <stddef.h>

struct pool;

enum diff_op {
	DIFF_KEEP = 0, /* in both */
	DIFF_ADD,      /* only in the new text */
	DIFF_DEL,      /* only in the old text */
};

/* One line, without its "\n" (nor a "\r" before it). text points into
 * the text it came from and is not NUL-terminated. */
struct diff_line {
	enum diff_op op;
	const char *text;
	size_t len;
};

/* Compares old and new (NUL-terminated; NULL is ""), line by line.
 * Output: *lines (in pool, valid as long as pool and both texts), *n.
 * Returns GZ_OK, GZ_ETOOBIG (more than GZ_LIMIT_DIFF_LINES lines in one
 * of them, or more than GZ_LIMIT_DIFF_EDITS lines added and removed) or
 * GZ_ENOMEM. */
int diff_lines(struct pool *pool, const char *old, const char *new,
	       struct diff_line **lines, size_t *n);

#endif
