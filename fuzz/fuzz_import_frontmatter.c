/*
 * fuzz_import_frontmatter.c - libFuzzer target for the front-matter
 * importer (import_parse on text that opens with "---",
 * src/import/frontmatter.c behind src/import/parse.c).
 *
 * The input is the file after its opening "---" line: the target puts
 * "---\n" in front of it, so every input reaches the front-matter reader
 * (the plain reader is fuzz_import_plain's). Corpus files are therefore
 * real articles with their first line removed. On success every output
 * string must be valid UTF-8, the comments setting one of its three
 * kinds of value, and an image's path inside the file's folder.
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
	static const char open[] = "---\n";
	struct import_article a;
	struct import_error e;
	struct pool *pool;
	char *text;
	size_t len = sizeof(open) - 1 + size, i;
	int rc;

	if (!(text = malloc(len)))
		abort();
	memcpy(text, open, sizeof(open) - 1);
	if (size)
		memcpy(text + sizeof(open) - 1, data, size);
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
		if (a.comments_days < IMPORT_COMMENTS_POLICY)
			abort();
		check_str(a.image);
		check_str(a.image_alt);
		check_str(a.image_caption);
		check_str(a.image_credit);
		/* The image stays in the file's folder, and has its alt
		 * text unless it is decorative. */
		if (a.image[0] == '/' || strstr(a.image, "../") ||
		    (strlen(a.image) >= 2 &&
		     strcmp(a.image + strlen(a.image) - 2, "..") == 0))
			abort();
		if (a.image[0] && !a.image_decorative && !a.image_alt[0])
			abort();
		if (!a.image[0] && (a.image_alt[0] || a.image_line))
			abort();
	} else if (rc == GZ_EPARSE) {
		if (!memchr(e.msg, '\0', sizeof(e.msg)))
			abort();
	}
	pool_free(pool);
	free(text);
	return 0;
}
