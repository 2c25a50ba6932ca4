/*
 * ingest.h - the libvips half of photos: bytes in, variant files out.
 * Run only inside the gazette-ingest helper process (ingest_main.c),
 * never in the server: media.c hands each image to a helper of its own,
 * so a decoder bug in libvips or a library under it (libjpeg, libpng,
 * libwebp, libheif) meets a short-lived process that holds no database,
 * no session key and no other reader's request, and the server's binary
 * links none of those libraries (docs/media.md, "One process per image").
 *
 * Threads: any thread may call ingest_image after ingest_start.
 */
#ifndef GZ_MEDIA_INGEST_H
#define GZ_MEDIA_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "media/media.h"

/* Starts libvips for this process (once, before threads): one thread per
 * operation, a small operation cache, and every loader but JPEG, PNG,
 * WebP, GIF and HEIF/AVIF blocked. Returns GZ_OK or GZ_EIO (libvips
 * would not start). */
int ingest_start(const char *argv0);
/* Stops libvips (at exit; after it no ingest may run). */
void ingest_stop(void);

/* media_ingest's work, in this process: same contract (media.h). */
int ingest_image(const char *dir, const void *data, size_t len,
		 unsigned flags, struct media_info *out, char *why,
		 size_t why_size);

/* Whether this libvips can write AVIF (heifsave with an AV1 encoder),
 * probed once, on the first call (or the first ingest that wants AVIF):
 * the probe starts an AV1 encoder. Any thread. */
bool ingest_avif_supported(void);

#endif
