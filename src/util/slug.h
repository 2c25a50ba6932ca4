/*
 * slug.h - URL slugs made from headlines and names.
 *
 * ASCII letters and digits are kept (lowercased), Latin letters with
 * diacritics are folded to their base letter ("Café" -> "cafe"), other
 * letters (Persian, Greek, Chinese...) are kept as UTF-8 so that a
 * non-Latin headline still gives a readable slug, and everything else
 * (spaces, punctuation, typographic quotes) becomes one '-'. The result
 * may be empty (a headline of only punctuation): callers then fall back
 * to the article id.
 */
#ifndef GZ_UTIL_SLUG_H
#define GZ_UTIL_SLUG_H

#include <stddef.h>

/* Longest slug in bytes; longer ones are cut at a word boundary. */
#define SLUG_MAX 80

struct pool;

/* Returns the slug of s[0..len) (valid UTF-8), allocated from pool, or NULL
 * when out of memory. */
char *slug_make(struct pool *pool, const char *s, size_t len);

#endif
