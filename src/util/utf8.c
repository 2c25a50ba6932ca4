/* utf8.c - UTF-8 validation (RFC 3629, Table 3-7 of the Unicode standard). */
#include "util/pool.h"
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

bool
utf8_valid(const char *s, size_t len, size_t *bad_offset)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;
	unsigned char lo, hi;

	while (i < len) {
		unsigned char c = p[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			if (c == 0xE0)
				lo = 0xA0; /* no overlongs */
			else if (c == 0xED)
				hi = 0x9F; /* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F; /* nothing above U+10FFFF */
		} else
			goto bad;
		if (len - i - 1 < n)
			goto bad;
		if (p[i + 1] < lo || p[i + 1] > hi)
			goto bad;
		for (k = 2; k <= n; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				goto bad;
		i += n + 1;
	}
	return true;
bad:
	if (bad_offset)
		*bad_offset = i;
	return false;
}

size_t
utf8_decode(const char *s, size_t len, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;

	if (len == 0) {
		*cp = 0;
		return 0;
	}
	if (p[0] < 0x80 || len < 2) {
		*cp = p[0];
		return 1;
	}
	if (p[0] < 0xE0) {
		*cp = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
		return 2;
	}
	if (p[0] < 0xF0 || len < 4) {
		if (len < 3) {
			*cp = p[0];
			return 1;
		}
		*cp = ((unsigned)(p[0] & 0x0F) << 12) |
		      ((unsigned)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		return 3;
	}
	*cp = ((unsigned)(p[0] & 0x07) << 18) | ((unsigned)(p[1] & 0x3F) << 12) |
	      ((unsigned)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
	return 4;
}

bool
utf8_is_invisible_control(unsigned cp)
{
	return (cp < 0x20) || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
	       cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
	       /* zero-width characters, which make a name look empty */
	       (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF ||
	       /* noncharacters: not allowed in XML feeds */
	       cp == 0xFFFE || cp == 0xFFFF || (cp >= 0xFDD0 && cp <= 0xFDEF);
}

char *
utf8_clean_line(char *s)
{
	size_t len = strlen(s), i = 0, o = 0, n;
	unsigned cp;

	while (i < len) {
		if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			s[o++] = ' ';
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (!utf8_valid(s + i, n, NULL)) {
			/* Left as it is, for the caller's validation to refuse. */
			s[o++] = s[i++];
			continue;
		}
		if (!utf8_is_invisible_control(cp)) {
			memmove(s + o, s + i, n);
			o += n;
		}
		i += n;
	}
	s[o] = '\0';
	return s;
}

char *
utf8_scrub(struct pool *pool, const char *s)
{
	size_t len = strlen(s), at = 0, n = 0, bad;
	char *out;

	if (utf8_valid(s, len, NULL))
		return pool_strndup(pool, s, len);
	/* At worst every byte becomes the three of U+FFFD. */
	if (len > (SIZE_MAX - 1) / 3 || !(out = pool_alloc(pool, 3 * len + 1)))
		return NULL;
	while (at < len) {
		if (utf8_valid(s + at, len - at, &bad))
			bad = len - at;
		memcpy(out + n, s + at, bad);
		n += bad;
		at += bad;
		if (at < len) {
			memcpy(out + n, "\xEF\xBF\xBD", 3);
			n += 3;
			at++;
		}
	}
	out[n] = '\0';
	return out;
}

size_t
utf8_find_line_control(const char *s, size_t len, unsigned *cp)
{
	size_t i = 0, n;
	unsigned c;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &c);
		if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 ||
		    c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
		    (c >= 0x2066 && c <= 0x2069)) {
			if (cp)
				*cp = c;
			return i;
		}
		i += n;
	}
	return len;
}
