/*
 * fuzz_utf8_slug.c - libFuzzer target for src/util/utf8.c and
 * src/util/slug.c: utf8_valid, utf8_decode, utf8_clean_line and
 * slug_make, which see every reader's name and every imported headline.
 *
 * Checks the promises between them: a valid text decodes into code
 * points whose lengths add up; utf8_clean_line keeps valid text valid and
 * leaves no tab, line break or bidi control in it; slug_make's result is
 * valid UTF-8, at most SLUG_MAX bytes, with no '-' at either end and no
 * "--", and only lowercase ASCII letters, digits, '-' or non-ASCII.
 */
#include "fuzz.h"
#include "util/pool.h"
#include "util/slug.h"
#include "util/utf8.h"

static void
check_slug(const char *slug)
{
	size_t n = strlen(slug), i;

	if (n > SLUG_MAX || !utf8_valid(slug, n, NULL))
		abort();
	if (n && (slug[0] == '-' || slug[n - 1] == '-'))
		abort();
	if (strstr(slug, "--"))
		abort();
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)slug[i];

		if (c < 0x80 && !(c >= 'a' && c <= 'z') &&
		    !(c >= '0' && c <= '9') && c != '-')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_dup(data, size), *line, *slug;
	size_t bad = 0, i, n, len;
	struct pool *pool;
	unsigned cp;
	bool valid;

	valid = utf8_valid(s, size, &bad);
	if (!valid && bad >= size)
		abort();
	if (valid) {
		for (i = 0; i < size; i += n) {
			n = utf8_decode(s + i, size - i, &cp);
			if (n < 1 || n > 4 || n > size - i || cp > 0x10ffff)
				abort();
			(void)utf8_is_invisible_control(cp);
		}
		if (!(pool = pool_new(1024u * 1024u)))
			abort();
		if ((slug = slug_make(pool, s, size)) != NULL)
			check_slug(slug);
		pool_free(pool);
	}

	line = fuzz_strdup(data, size);
	len = strlen(line);
	valid = utf8_valid(line, len, NULL);
	utf8_clean_line(line);
	if (strlen(line) > len)
		abort();
	if (valid) {
		len = strlen(line);
		if (!utf8_valid(line, len, NULL))
			abort();
		for (i = 0; i < len; i += n) {
			n = utf8_decode(line + i, len - i, &cp);
			if (cp == '\t' || cp == '\n' || cp == '\r' ||
			    cp == 0x2028 || cp == 0x2029 || cp == 0x200e ||
			    cp == 0x200f || cp == 0x061c ||
			    (cp >= 0x202a && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069))
				abort();
		}
	}
	free(line);
	free(s);
	return 0;
}
