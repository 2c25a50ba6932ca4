/*
 * media_stub.c - TEMPORARY, branch pages only: media_variant_name and
 * media_mime_of_ext as media.h describes them, until media/media.c lands
 * on main; the merge with main deletes this file.
 */
#include <stdio.h>
#include <string.h>

#include "media/media.h"

void
media_variant_name(const char *hash, int width, const char *ext, char *out)
{
	int n = snprintf(out, MEDIA_NAME_MAX, "%.2s/%s-%d.%s", hash, hash,
			 width, ext);

	if (n < 0 || (size_t)n >= MEDIA_NAME_MAX)
		out[0] = '\0';
}

const char *
media_mime_of_ext(const char *ext)
{
	static const struct {
		const char *ext, *mime;
	} types[] = {
		{"webp", "image/webp"},
		{"jpeg", "image/jpeg"},
		{"png", "image/png"},
		{"avif", "image/avif"},
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(ext, types[i].ext) == 0)
			return types[i].mime;
	return NULL;
}
