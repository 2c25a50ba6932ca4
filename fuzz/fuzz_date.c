/*
 * fuzz_date.c - libFuzzer target for the date parsers of src/util/date.c:
 * date_parse_human ("May 18, 2021 - 18:31", the plain-text importer's
 * date line) and date_parse_any (front matter's ISO-like forms).
 *
 * The parsers take a length, not a C string: the input is handed over in
 * a block of exactly its size, so a read past it is an ASan report. A
 * parsed time is formatted back both ways, which must give NUL-terminated
 * text inside DATE_MAX. The site zone is Asia/Tehran (a half-hour offset
 * and, before 2022, DST).
 */
#include "fuzz.h"
#include "util/date.h"
#include "util/err.h"

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
format_back(int64_t t)
{
	char out[DATE_MAX];

	date_format_human(t, out);
	if (!memchr(out, '\0', sizeof(out)))
		abort();
	date_format_iso(t, out);
	if (!memchr(out, '\0', sizeof(out)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_dup(data, size);
	int64_t t;

	if (date_parse_human(s, size, &t) == GZ_OK)
		format_back(t);
	if (date_parse_any(s, size, &t) == GZ_OK)
		format_back(t);
	free(s);
	return 0;
}
