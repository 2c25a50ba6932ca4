/*
 * utf8.h - UTF-8 validation and small helpers. All text in gazette is
 * UTF-8, validated on the way in (import, forms, config).
 */
#ifndef GZ_UTIL_UTF8_H
#define GZ_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Returns true when s[0..len) is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). Output: *bad_offset, when not NULL
 * and the text is invalid, gets the offset of the first bad byte. */
bool utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* Decodes one code point at s (which must be valid UTF-8) and returns its
 * length in bytes (1-4). Output: *cp. */
size_t utf8_decode(const char *s, size_t len, unsigned *cp);

#endif
