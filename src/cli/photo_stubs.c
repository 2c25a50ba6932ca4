/*
 * photo_stubs.c - TEMPORARY: stand-ins for media_ingest (branch media)
 * and store_media_* (branch store) so that the cli branch links before
 * those land on main. Each refuses with GZ_EIO. Deleted by the merge of
 * main that brings the real ones; nothing may depend on their behaviour.
 */
#include <stdio.h>
#include <string.h>

#include "media/media.h"
#include "store/store.h"
#include "util/err.h"

int
media_ingest(const char *dir, const void *data, size_t len, unsigned flags,
	     struct media_info *out, char *why, size_t why_size)
{
	(void)dir, (void)data, (void)len, (void)flags, (void)out;
	snprintf(why, why_size, "this build has no media module yet");
	return GZ_EIO;
}

bool
media_avif_supported(void)
{
	return false;
}

void
media_variant_name(const char *hash, int width, const char *ext, char *out)
{
	snprintf(out, MEDIA_NAME_MAX, "%.2s/%.32s-%d.%.4s", hash, hash, width,
		 ext);
}

int
store_media_add(struct store *st, const struct store_media_input *in,
		int64_t *id, bool *created)
{
	(void)st, (void)in, (void)id, (void)created;
	return GZ_EIO;
}

int
store_media_get(struct store *st, struct pool *pool, int64_t id,
		struct store_media *out)
{
	(void)st, (void)pool, (void)id, (void)out;
	return GZ_EIO;
}

int
store_media_list(struct store *st, struct pool *pool, const char *search,
		 size_t limit, size_t offset, struct store_media **items,
		 size_t *n, size_t *total)
{
	(void)st, (void)pool, (void)search, (void)limit, (void)offset;
	(void)items, (void)n, (void)total;
	return GZ_EIO;
}

int
store_media_update(struct store *st, int64_t id, const char *alt,
		   bool decorative, const char *caption, const char *credit,
		   int focal_x, int focal_y)
{
	(void)st, (void)id, (void)alt, (void)decorative, (void)caption;
	(void)credit, (void)focal_x, (void)focal_y;
	return GZ_EIO;
}

int
store_media_delete(struct store *st, int64_t id)
{
	(void)st, (void)id;
	return GZ_EIO;
}

int
store_media_uses(struct store *st, struct pool *pool, int64_t id,
		 size_t limit, struct store_article **items, size_t *n)
{
	(void)st, (void)pool, (void)id, (void)limit, (void)items, (void)n;
	return GZ_EIO;
}
