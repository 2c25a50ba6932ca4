/*
 * fuzz_import_plain.c - libFuzzer target for the plain-text importer
 * (import_parse on text that does not open with "---", src/import/plain.c
 * behind src/import/parse.c).
 *
 * The input is a file's bytes. An input that opens with "---" would go to
 * the front-matter reader, which fuzz_import_frontmatter covers: here it
 * gets a leading newline, so every input reaches the plain reader. On
 * success every output string must be NUL-terminated inside the pool and
 * valid UTF-8 (the importer promises never to mangle text).
 */
#include "fuzz.h"
#include "import/import.h"
#include "util/date.h"
#include "util/err.h"
#include "util/pool.h"
#include "util/utf8.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (date_timezone_set("Asia/Tehran") != GZ_OK)
		abort();
	return 0;
}

static void
check_str(const char *s)
{
	if (!s || !utf8_valid(s, strlen(s), NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_article a;
	struct import_error e;
	struct pool *pool;
	char *text;
	size_t len = size, i;
	int rc;

	if (size >= 3 && memcmp(data, "---", 3) == 0) {
		text = malloc(size + 1);
		if (!text)
			abort();
		text[0] = '\n';
		memcpy(text + 1, data, size);
		len = size + 1;
	} else {
		text = fuzz_dup(data, size);
	}
	if (!(pool = pool_new(64u * 1024u * 1024u)))
		abort();
	memset(&e, 0, sizeof(e));
	rc = import_parse(pool, text, len, &a, &e);
	if (rc == GZ_OK) {
		check_str(a.headline);
		check_str(a.summary);
		check_str(a.body);
		check_str(a.byline);
		check_str(a.dateline);
		check_str(a.section);
		check_str(a.lang);
		check_str(a.slug);
		check_str(a.status);
		for (i = 0; i < a.ntags; i++)
			check_str(a.tags[i]);
	} else if (rc == GZ_EPARSE) {
		/* The message is a C string inside its array. */
		if (!memchr(e.msg, '\0', sizeof(e.msg)))
			abort();
	}
	pool_free(pool);
	free(text);
	return 0;
}
