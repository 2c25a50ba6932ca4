/*
 * media.h - photos: an uploaded or imported image decoded, checked and
 * resized by libvips into the variants readers are served (design.md
 * section 5, docs/media.md).
 *
 * Ingest is pure but for the files it writes: bytes in, variant files
 * under the site's media directory and a struct media_info out, or one
 * sentence saying why the image was refused. It never touches the store:
 * the caller (an import, the admin's upload) records media_info there,
 * after the files are on disk, so a failure loses nothing stored.
 *
 * Files are named by the BLAKE2b hash of the uploaded bytes:
 * DIR/ab/<32 hex>-<width>.<ext>, where "ab" is the hash's first two hex
 * digits; written to a temporary name, fsynced, renamed. The same bytes
 * ingested twice give the same names and rewrite nothing.
 *
 * Each image is decoded by a gazette-ingest helper process of its own
 * (ingest.h says why), found beside the running binary, else in
 * GZ_LIBEXECDIR; GAZETTE_INGEST names another (the unit tests).
 *
 * Threads: any thread may call media_ingest after media_init; it is slow
 * (hundreds of milliseconds for a phone photo) and must not run on a
 * server thread.
 */
#ifndef GZ_MEDIA_H
#define GZ_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The widths variants are made at, narrowest first; an image is never
 * upscaled, so a narrow one has fewer (and one at its own width when it
 * is narrower than the first, or between two). 480 and 720 are there for
 * phones: a 412-pixel-wide screen at 1.75 device pixels per CSS pixel
 * (Lighthouse's phone) shows a full-width photo 665 pixels wide, and the
 * next width up must not be much wider or a third of its bytes are
 * wasted (docs/media.md). */
#define MEDIA_WIDTHS {320, 480, 720, 960, 1280, 1600, 2048}
#define MEDIA_MAX_VARIANTS 8u
/* The width share previews name (Open Graph, JSON-LD, feeds' enclosures,
 * the API's share image): at most this wide. Facebook's and LinkedIn's
 * cards show about 1200 pixels; 1280 is the variant at or above that. */
#define MEDIA_SHARE_WIDTH 1280

/* The one of widths[0..n) (variant widths, in any order) nearest want,
 * the wider on a tie (sharper, never smaller); 0 when n is 0. */
int media_width_nearest(const int *widths, size_t n, int want);
/* The widest of widths[0..n) (any order) not wider than max; when all
 * are wider, the narrowest; 0 when n is 0. */
int media_width_at_most(const int *widths, size_t n, int max);

/* Formats as stored (media.format) and as file extensions. */
#define MEDIA_HASH_HEX 32u /* 16-byte BLAKE2b, in hex */

struct media_info {
	char hash[MEDIA_HASH_HEX + 1]; /* names every variant file */
	/* The format the original was in and its variants are served in
	 * beside WebP: "jpeg", "png" (also for a GIF), "webp" (only WebP
	 * then), "avif" (served as WebP and AVIF). */
	char format[8];
	int width, height;  /* after orientation is applied */
	int64_t bytes;      /* of the upload */
	int widths[MEDIA_MAX_VARIANTS]; /* the variants made, narrowest first */
	size_t nwidths;
	bool avif;          /* AVIF variants were made too */
};

/* Finds the gazette-ingest helper (once, from main, before threads):
 * $GAZETTE_INGEST, else beside this process's binary, else
 * GZ_LIBEXECDIR. Nothing is started: a missing helper is reported by
 * the first media_ingest, as GZ_EIO with a sentence. */
void media_init(void);

/*
 * Decodes data[0..len) and, when it is a JPEG, PNG, WebP, GIF or AVIF of
 * at most GZ_LIMIT_MEDIA_PIXELS (read from its header, before any pixel
 * is decoded), writes its variants under dir: orientation applied,
 * converted to sRGB, every metadata field (EXIF, XMP, IPTC, ICC, GPS)
 * removed; WebP and the original format (AVIF too with MEDIA_AVIF,
 * where this libvips can write it) at each width of MEDIA_WIDTHS not wider than the image.
 * Returns GZ_OK with *out filled; GZ_EINVAL (not an image of those
 * formats, truncated or corrupt), GZ_ETOOBIG (over GZ_LIMIT_MEDIA_BYTES
 * or the pixel limit), GZ_EIO (a file could not be written) or
 * GZ_ENOMEM, each with one sentence for the person who sent it in
 * why[0..why_size) ("The file is not a JPEG, PNG, WebP, GIF or AVIF
 * image."). Nothing is left under dir on failure but complete variants
 * of earlier ingests. A helper that fails, hangs past
 * GZ_LIMIT_INGEST_SECONDS or is killed gives GZ_EIO.
 */
int media_ingest(const char *dir, const void *data, size_t len,
		 unsigned flags, struct media_info *out, char *why,
		 size_t why_size);

/* A why buffer this long holds any of media_ingest's sentences. */
#define MEDIA_WHY_MAX 256u

/* media_ingest's flags. AVIF variants cost about ten times WebP's
 * encoding time and pages serve WebP unless the site asks for AVIF
 * ([media] avif = yes in gazette.conf): made only then. */
#define MEDIA_AVIF 1u
/* Whether the helper's libvips can write AVIF (heifsave with an AV1
 * encoder), asked once, on the first call: the probe starts an AV1
 * encoder, so not by media_init. Any thread. */
bool media_avif_supported(void);

/* The file name, relative to the media directory, of hash's variant at
 * width in ext ("webp", "jpeg", "png", "avif") into out (at least
 * MEDIA_NAME_MAX bytes): "ab/abcd...-640.webp". */
#define MEDIA_NAME_MAX 64u
void media_variant_name(const char *hash, int width, const char *ext,
			char *out);

/* Removes every variant file of hash under dir (dir/ab/<hash>-<width>.<ext>,
 * whatever widths and formats were made; a temporary file an ingest is
 * writing is left alone), for a photo deleted from the library. The
 * caller makes sure first that no media row names hash. Files already
 * gone are no error. Returns GZ_OK, GZ_EINVAL (hash is not 32 lower-case
 * hex digits) or GZ_EIO (one could not be removed; the others are). */
int media_variants_remove(const char *dir, const char *hash);

/* The MIME type of a variant extension ("image/webp"), NULL for any
 * other. */
const char *media_mime_of_ext(const char *ext);

#endif
