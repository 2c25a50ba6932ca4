/*
 * search_query.c - turns what a reader typed into the search box into an
 * FTS5 query that FTS5 always accepts and that means what a reader
 * expects: every word must appear; "words in quotes" must appear
 * together, in that order; a word ending in * is a prefix (counc*). Any
 * other character is only text: AND, OR, NOT and NEAR are words like any
 * other, and a stray quote, parenthesis, colon or star changes nothing
 * but what it is next to.
 *
 * Each word or phrase becomes an FTS5 string ("..." with '"' doubled),
 * which the tokenizer splits and folds (diacritics too) exactly as it did
 * the stories. At most GZ_LIMIT_SEARCH_TERMS terms are kept, from at most
 * GZ_LIMIT_SEARCH_BYTES of text; the rest is dropped, and the caller is
 * told, so it can say so.
 */
#include <string.h>

#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

static bool
sq_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Appends "text" (len bytes), quotes doubled, then '*' when prefix. */
static int
sq_term(struct buf *out, const char *text, size_t len, bool prefix)
{
	size_t i;
	int rc;

	if (out->len && (rc = buf_putc(out, ' ')))
		return rc;
	if ((rc = buf_putc(out, '"')))
		return rc;
	for (i = 0; i < len; i++) {
		if (text[i] == '"' && (rc = buf_putc(out, '"')))
			return rc;
		if ((rc = buf_putc(out, text[i])))
			return rc;
	}
	if ((rc = buf_putc(out, '"')))
		return rc;
	return prefix ? buf_putc(out, '*') : GZ_OK;
}

int
site_search_query(struct buf *out, const char *q, size_t *terms, bool *cut)
{
	size_t len = strlen(q), i = 0, n = 0;
	int rc;

	*terms = 0;
	*cut = false;
	if (len > GZ_LIMIT_SEARCH_BYTES) {
		/* Cut at a character's start (q is valid UTF-8). */
		len = GZ_LIMIT_SEARCH_BYTES;
		while (len && ((unsigned char)q[len] & 0xc0) == 0x80)
			len--;
		*cut = true;
	}
	while (i < len) {
		size_t start, end;
		bool prefix = false;

		while (i < len && sq_space(q[i]))
			i++;
		if (i == len)
			break;
		if (n == GZ_LIMIT_SEARCH_TERMS) {
			*cut = true;
			break;
		}
		if (q[i] == '"') {
			/* A phrase, to the closing quote or the end. */
			start = ++i;
			while (i < len && q[i] != '"')
				i++;
			end = i;
			if (i < len)
				i++;
		} else {
			start = i;
			while (i < len && !sq_space(q[i]) && q[i] != '"')
				i++;
			end = i;
			/* "counc*" is a prefix; "*" or "**" alone is nothing. */
			while (end > start && q[end - 1] == '*') {
				end--;
				prefix = true;
			}
		}
		/* Skip what holds nothing but spaces. */
		while (start < end && sq_space(q[start]))
			start++;
		if (start == end)
			continue;
		if ((rc = sq_term(out, q + start, end - start, prefix)))
			return rc;
		n++;
	}
	*terms = n;
	return n ? GZ_OK : GZ_ENOTFOUND;
}
