/*
 * fuzz_media.c - libFuzzer target for ingest_image (src/media/ingest.c):
 * an upload's bytes through libvips's sniffing, the five accepted
 * decoders, the header's pixel check, orientation, sRGB conversion,
 * metadata removal, the encoders and our own WebP chunk cleaner.
 *
 * Invariants checked: a refusal is one of the four error codes with a
 * sentence and an empty media_info; an accepted image has a 32-digit
 * hash, a served format, a size within GZ_LIMIT_MEDIA_PIXELS, and widths
 * ascending, none wider than the image, each variant on disk. Variants
 * are written to a temporary directory and removed after each input.
 */
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "media/ingest.h"
#include "media/media.h"
#include "util/err.h"
#include "util/limits.h"

static char dir[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* Keep the directory itself (the walk ends with it). */
	if (flag == FTW_DP && strcmp(path, dir) == 0)
		return 0;
	return remove(path);
}

static void
at_exit(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(dir);
	ingest_stop();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	if (ingest_start(argv && *argv ? (*argv)[0] : "fuzz_media") != GZ_OK)
		abort();
	snprintf(dir, sizeof(dir), "/tmp/fuzz-media-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(at_exit);
	return 0;
}

static void
check_ok(const struct media_info *mi)
{
	char name[MEDIA_NAME_MAX], path[128];
	size_t i;

	if (strlen(mi->hash) != MEDIA_HASH_HEX ||
	    strspn(mi->hash, "0123456789abcdef") != MEDIA_HASH_HEX)
		abort();
	if (strcmp(mi->format, "jpeg") != 0 && strcmp(mi->format, "png") != 0 &&
	    strcmp(mi->format, "webp") != 0 && strcmp(mi->format, "avif") != 0)
		abort();
	if (mi->width <= 0 || mi->height <= 0 ||
	    (uint64_t)mi->width * (uint64_t)mi->height > GZ_LIMIT_MEDIA_PIXELS)
		abort();
	if (mi->nwidths < 1 || mi->nwidths > MEDIA_MAX_VARIANTS)
		abort();
	for (i = 0; i < mi->nwidths; i++) {
		if (mi->widths[i] <= 0 || mi->widths[i] > mi->width)
			abort();
		if (i > 0 && mi->widths[i] <= mi->widths[i - 1])
			abort();
		media_variant_name(mi->hash, mi->widths[i], "webp", name);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (access(path, F_OK) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = fuzz_dup(data, size);
	struct media_info mi;
	char why[160];
	int rc;

	rc = ingest_image(dir, p, size, 0, &mi, why, sizeof(why));
	if (rc == GZ_OK) {
		check_ok(&mi);
	} else {
		if (rc != GZ_EINVAL && rc != GZ_ETOOBIG && rc != GZ_EIO &&
		    rc != GZ_ENOMEM)
			abort();
		if (why[0] == '\0' || !memchr(why, '\0', sizeof(why)) ||
		    mi.hash[0] != '\0')
			abort();
	}
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(p);
	return 0;
}
