/*
 * fuzz_render_text.c - libFuzzer target for render_text
 * (src/render/text.c), the renderer of readers' plain-text comments.
 *
 * Its contract asks for valid UTF-8 (the form handler refuses anything
 * else), so invalid inputs are skipped. Checks what the renderer
 * promises: the output is valid UTF-8, holds no raw '<' but those of its
 * own tags (<p>, </p>, <br>, <a ...>, </a>), and no bidi control
 * survives.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "render/render.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/utf8.h"

static bool
starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(s, lit, n) == 0;
}

static void
check(const char *s, size_t len)
{
	size_t i, n;
	unsigned cp;

	if (!utf8_valid(s, len, NULL))
		abort();
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			abort();
		if ((cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
		    cp == 0x200f || cp == 0x061c)
			abort();
		if (cp == '<' && !starts(s + i, len - i, "<p>") &&
		    !starts(s + i, len - i, "</p>") &&
		    !starts(s + i, len - i, "<br>") &&
		    !starts(s + i, len - i, "<a href=\"") &&
		    !starts(s + i, len - i, "</a>"))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out;
	char *s;

	if (!utf8_valid((const char *)data, size, NULL))
		return 0;
	s = fuzz_dup(data, size);
	buf_init(&out, 4u * 1024u * 1024u);
	if (render_text(s, size, &out) == GZ_OK && out.len)
		check(out.data, out.len);
	buf_fini(&out);
	free(s);
	return 0;
}
