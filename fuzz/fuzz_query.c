/*
 * fuzz_query.c - libFuzzer target for the small parsers of request text
 * in src/http/request.c: http_parse_uint (?page=N, comment ids) and
 * http_etag_matches (If-None-Match against a page's ETag).
 *
 * The input, cut at its first NUL, is split at its first newline: before
 * it, an If-None-Match header value (also given to http_parse_uint); after
 * it, the ETag to look for (a fixed one when there is no newline). A
 * parsed number must be within the maximum asked for, and a header equal
 * to an ETag of the form we make ("hex digits") must match it.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "http/http.h"
#include "util/err.h"
#include "util/limits.h"

static void
parse(const char *s, uint64_t max)
{
	uint64_t v = max + 1;

	if (http_parse_uint(s, max, &v) == GZ_OK && v > max)
		abort();
}

/* True for a quoted run of letters and digits, as http_etag makes. */
static bool
plain_etag(const char *e)
{
	size_t n = strlen(e), i;

	if (n < 2 || e[0] != '"' || e[n - 1] != '"')
		return false;
	for (i = 1; i + 1 < n; i++)
		if (!((e[i] >= '0' && e[i] <= '9') ||
		      (e[i] >= 'a' && e[i] <= 'z') ||
		      (e[i] >= 'A' && e[i] <= 'Z')))
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *nl;
	const char *etag = "\"3f2a9c1b0d\"";

	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		etag = nl + 1;
	}
	parse(s, UINT64_MAX - 1);
	parse(s, GZ_LIMIT_PAGE_NUMBER);
	parse(s, 0);
	(void)http_etag_matches(s, etag);
	if (plain_etag(etag) && strcmp(s, etag) == 0 &&
	    !http_etag_matches(s, etag))
		abort();
	free(s);
	return 0;
}
