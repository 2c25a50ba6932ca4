/*
 * fuzz_media_name.c - libFuzzer target for site_media_name_parse
 * (src/site/media_files.c): the two path segments of /media/<dir>/<file>,
 * the only outside input of a photo's variant file, checked before any
 * file is opened.
 *
 * The input, cut at its first NUL (the router hands over C strings), is
 * split at its first '/': before it the directory segment, after it the
 * file segment. Without a '/', the file is the whole input and the
 * directory its first two bytes, so that a seed of one bare name
 * reaches acceptance.
 *
 * Invariants checked against an independent reading of the grammar
 * (32 lowercase hex digits, '-', a width of 1 to 5 digits without a
 * leading zero, '.', one of the four variant extensions; the directory
 * is the hash's first two digits):
 *   - every name the grammar allows is accepted, and no other is;
 *   - an accepted name is "<dir>/<file>" exactly, shorter than
 *     MEDIA_NAME_MAX, with neither ".." nor a third segment, and its
 *     extension is the file's tail and has a MIME type.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "media/media.h"
#include "site/site_int.h"

static bool
lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The grammar, read without the parser's code. */
static bool
variant_name(const char *dir, const char *file)
{
	static const char *const exts[] = {"webp", "jpeg", "png", "avif"};
	const char *p = file;
	size_t i, digits = 0;

	if (strlen(dir) != 2)
		return false;
	for (i = 0; i < MEDIA_HASH_HEX; i++)
		if (!lower_hex(p[i]))
			return false;
	if (dir[0] != file[0] || dir[1] != file[1])
		return false;
	p += MEDIA_HASH_HEX;
	if (*p++ != '-' || *p == '0')
		return false;
	while (p[digits] >= '0' && p[digits] <= '9')
		digits++;
	if (digits < 1 || digits > 5 || p[digits] != '.')
		return false;
	p += digits + 1;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcmp(p, exts[i]) == 0)
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), *slash, two[3] = {0};
	char name[MEDIA_NAME_MAX + 8];
	const char *dir, *file, *ext = NULL;
	bool ok, want;
	size_t dlen, flen;

	if ((slash = strchr(s, '/')) != NULL) {
		*slash = '\0';
		dir = s;
		file = slash + 1;
	} else {
		memcpy(two, s, strnlen(s, 2));
		dir = two;
		file = s;
	}
	memset(name, 'x', sizeof(name));
	ok = site_media_name_parse(dir, file, name, &ext);
	want = variant_name(dir, file);
	if (ok != want)
		abort();
	if (ok) {
		dlen = strlen(dir);
		flen = strlen(file);
		if (strlen(name) >= MEDIA_NAME_MAX || strlen(name) != dlen + 1 + flen ||
		    memcmp(name, dir, dlen) != 0 || name[dlen] != '/' ||
		    strcmp(name + dlen + 1, file) != 0 || strstr(name, "..") ||
		    strchr(name + dlen + 1, '/'))
			abort();
		if (!ext || ext < file || ext >= file + flen || ext[-1] != '.' ||
		    strcmp(ext, file + flen - strlen(ext)) != 0 ||
		    !media_mime_of_ext(ext))
			abort();
	}
	free(s);
	return 0;
}
