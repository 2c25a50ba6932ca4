/*
 * utf8.h - UTF-8 validation and small helpers. All text in gazette is
 * UTF-8, validated on the way in (import, forms, config).
 */
#ifndef GZ_UTIL_UTF8_H
#define GZ_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

struct pool;

/* Returns true when s[0..len) is well-formed UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF). Output: *bad_offset, when not NULL
 * and the text is invalid, gets the offset of the first bad byte. */
bool utf8_valid(const char *s, size_t len, size_t *bad_offset);
/* Decodes one code point at s (which must be valid UTF-8) and returns its
 * length in bytes (1-4). Output: *cp. */
size_t utf8_decode(const char *s, size_t len, unsigned *cp);

/* True for code points that are not shown but act on text around them:
 * C0 and C1 controls, DEL, the bidi controls (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators
 * U+2028 and U+2029, the zero-width characters (U+200B-U+200D, U+2060,
 * U+FEFF), and the noncharacters XML refuses (U+FFFE, U+FFFF,
 * U+FDD0-U+FDEF). */
bool utf8_is_invisible_control(unsigned cp);
/* Makes s (NUL-terminated) a single clean line, in place: tabs and line
 * breaks become spaces; other C0 and C1 controls, DEL, the Unicode bidi
 * controls (U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069) and
 * U+2028/U+2029 are removed, so a reader's name cannot reorder or break
 * the text around it. Invalid UTF-8 is left for the caller to refuse.
 * Returns s. */
char *utf8_clean_line(char *s);
/* The first character of s[0..len) (valid UTF-8) that one line of text
 * people write for readers (a photo's alt text, caption, credit) must
 * not hold, which is refused rather than cleaned: a C0 control (tab and
 * line breaks too), DEL, a C1 control, the line and paragraph
 * separators U+2028 and U+2029, and the bidi embeddings, overrides and
 * isolates (U+202A-U+202E, U+2066-U+2069), which show the text around
 * them in another order than it is stored. The marks U+200E, U+200F and
 * U+061C, which right-to-left text needs, are allowed. Returns its offset
 * with *cp set (when not NULL), or len when there is none. */
size_t utf8_find_line_control(const char *s, size_t len, unsigned *cp);
/* A copy of s (NUL-terminated) in pool with every byte that is not part
 * of well-formed UTF-8 replaced by U+FFFD, so text a reader sent can be
 * shown back to them in a UTF-8 page. Returns NULL when out of memory. */
char *utf8_scrub(struct pool *pool, const char *s);

#endif
