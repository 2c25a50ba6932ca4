/*
 * ingest.c - libvips ingest: uploaded bytes in, checked and stripped
 * variant files out (ingest.h is the contract, docs/media.md the why).
 * Linked only into the gazette-ingest helper (ingest_main.c), its unit
 * test and its fuzz target, never into the server.
 *
 * Flow: cap the byte count; let libvips sniff the format from the bytes
 * (never the name) and refuse all but five loaders; read the header
 * only and refuse a pixel count over the limit before any pixel is
 * decoded (a decompression bomb is refused in microseconds); then
 * decode once into memory with fail-on=error (a truncated JPEG is an
 * error, not a grey bottom half), apply the EXIF orientation, convert
 * to 8-bit sRGB, drop every metadata field, and encode each width.
 *
 * Invariants: only this file includes vips/vips.h; every file it writes
 * appears under its final name complete (temporary name, fsync,
 * rename) or not at all; the caller's bytes are only read.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "media/ingest.h"
#include "media/media.h"
#include "util/err.h"
#include "util/limits.h"

/* The loaders gazette lets decode an upload: the class name
 * (vips_operation_block_set unblocks by class name in 8.14: a nickname
 * such as jpegload_buffer unblocks nothing), the nickname its sniffer is
 * asked by, and the format each one's images are stored and served in
 * (media_info.format). GIF is served as PNG: its first frame only, and
 * PNG keeps its palette's sharp edges. */
enum media_kind { MEDIA_JPEG, MEDIA_PNG, MEDIA_WEBP, MEDIA_GIF, MEDIA_HEIF };
static const struct {
	const char *class_name;
	const char *loader;
	const char *format;
} media_loaders[] = {
	[MEDIA_JPEG] = {"VipsForeignLoadJpegBuffer", "jpegload_buffer", "jpeg"},
	[MEDIA_PNG] = {"VipsForeignLoadPngBuffer", "pngload_buffer", "png"},
	[MEDIA_WEBP] = {"VipsForeignLoadWebpBuffer", "webpload_buffer", "webp"},
	[MEDIA_GIF] = {"VipsForeignLoadNsgifBuffer", "gifload_buffer", "png"},
	[MEDIA_HEIF] = {"VipsForeignLoadHeifBuffer", "heifload_buffer", "avif"},
};
#define MEDIA_NLOADERS (sizeof(media_loaders) / sizeof(media_loaders[0]))

static const char media_not_image[] =
	"The file is not a JPEG, PNG, WebP, GIF or AVIF image.";
static const char media_damaged[] = "The image is damaged or incomplete.";

static bool media_avif_ok;
static pthread_once_t media_avif_once = PTHREAD_ONCE_INIT;

/* Whether libvips can encode a 2 x 2 image as AVIF: Debian's libheif
 * may be built without an AV1 encoder, and then heifsave fails. Run
 * once, on first use rather than in ingest_start: it starts libaom, 20 ms
 * natively but over 2 s under memcheck, and most commands never ask. */
static void
media_probe_avif(void)
{
	VipsImage *im = NULL;
	void *buf = NULL;
	size_t len = 0;
	bool ok;

	if (vips_black(&im, 2, 2, "bands", 3, NULL)) {
		vips_error_clear();
		return;
	}
	ok = vips_heifsave_buffer(im, &buf, &len, "compression",
				  VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
				  NULL) == 0 && len > 0;
	g_free(buf);
	g_object_unref(im);
	vips_error_clear();
	media_avif_ok = ok;
}

/* libvips warns on stderr about a file's oddities ("ignoring nclx
 * profile", "error in tile 0 x 184" before the error itself): each is
 * the uploader's file's, answered by ingest_image's sentence, and
 * would only fill the server's log. */
static void
media_quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg,
	    gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

int
ingest_start(const char *argv0)
{
	size_t i;

	if (VIPS_INIT(argv0 ? argv0 : "gazette"))
		return GZ_EIO;
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, media_quiet, NULL);
	/* One worker per operation: ingest runs on its own threads, and
	 * libvips's default (one per core) would fight the server's. */
	vips_concurrency_set(1);
	/* Ingest never repeats an operation on the same pixels, so the
	 * operation cache would only hold decoded images alive. */
	vips_cache_set_max(10);
	vips_cache_set_max_mem(16 * 1024 * 1024);
	vips_cache_set_max_files(10);
	/* Every loader marked untrusted (the ones fuzzing has not
	 * hardened: SVG, PDF, Matlab, FITS...), then every loader at all,
	 * then the five we accept back, buffer versions only. */
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	for (i = 0; i < MEDIA_NLOADERS; i++)
		vips_operation_block_set(media_loaders[i].class_name, FALSE);
	return GZ_OK;
}

void
ingest_stop(void)
{
	vips_shutdown();
}

bool
ingest_avif_supported(void)
{
	pthread_once(&media_avif_once, media_probe_avif);
	return media_avif_ok;
}

/* Opens data[0..len) with loader kind into *out: the header only until
 * a pixel is asked for; fail_on=error makes a truncated or corrupt file
 * an error instead of grey rows. The loaders take a non-const pointer
 * but only read it. */
static int
media_load(enum media_kind kind, const void *data, size_t len,
	   VipsAccess access, VipsImage **out)
{
	void *p = (void *)(uintptr_t)data;

	switch (kind) {
	case MEDIA_JPEG:
		return vips_jpegload_buffer(p, len, out, "access", access,
				"fail_on", VIPS_FAIL_ON_ERROR, NULL);
	case MEDIA_PNG:
		return vips_pngload_buffer(p, len, out, "access", access,
				"fail_on", VIPS_FAIL_ON_ERROR, NULL);
	case MEDIA_WEBP:
		return vips_webpload_buffer(p, len, out, "access", access,
				"fail_on", VIPS_FAIL_ON_ERROR, NULL);
	case MEDIA_GIF:
		return vips_gifload_buffer(p, len, out, "access", access,
				"fail_on", VIPS_FAIL_ON_ERROR, NULL);
	case MEDIA_HEIF:
		return vips_heifload_buffer(p, len, out, "access", access,
				"fail_on", VIPS_FAIL_ON_ERROR, NULL);
	}
	return -1;
}

static void
media_why(char *why, size_t why_size, const char *s)
{
	if (why && why_size > 0)
		snprintf(why, why_size, "%s", s);
}

/*
 * The widths to make for an image w pixels wide into widths[] (narrowest
 * first); returns how many. Every MEDIA_WIDTHS width not wider than the
 * image, plus the image's own width when it is not one of them and not
 * wider than the widest (a 1000-pixel image gets 320, 480, 720, 960 and
 * 1000; a 3000-pixel one 320 ... 2048; a 200-pixel one only 200).
 */
static size_t
media_widths_for(int w, int *widths)
{
	static const int list[] = MEDIA_WIDTHS;
	size_t n = 0, i;
	const int widest = list[sizeof(list) / sizeof(list[0]) - 1];
	bool own = false;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
		if (list[i] > w)
			break;
		widths[n++] = list[i];
		if (list[i] == w)
			own = true;
	}
	if (!own && w < widest)
		widths[n++] = w;
	return n;
}

/* The variant extensions of an image in format fmt, into exts[]
 * (WebP first); returns how many. */
static size_t
media_exts_for(const char *fmt, bool avif, const char **exts)
{
	size_t n = 0;

	exts[n++] = "webp";
	if (strcmp(fmt, "jpeg") == 0 || strcmp(fmt, "png") == 0)
		exts[n++] = fmt;
	if (avif)
		exts[n++] = "avif";
	return n;
}

static int
media_mkdir(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return GZ_OK;
	return GZ_EIO;
}

/* mkdir -p path: the media directory may not exist before the first
 * photo. */
static int
media_mkdirs(const char *path)
{
	char p[PATH_MAX];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(p))
		return GZ_EIO;
	memcpy(p, path, n + 1);
	for (i = 1; i < n; i++)
		if (p[i] == '/') {
			p[i] = '\0';
			if (media_mkdir(p) != GZ_OK)
				return GZ_EIO;
			p[i] = '/';
		}
	return media_mkdir(p);
}

/* Writes buf[0..len) to dir/name through a temporary file in the same
 * directory: created, written, fsynced, renamed over name. Removes the
 * temporary on any failure. */
static int
media_write_file(const char *dir, const char *name, const void *buf,
		 size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	const char *p = buf;
	int fd = -1, n, rc = GZ_EIO;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return GZ_EIO;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return GZ_EIO;
	fd = mkstemp(tmp);
	if (fd < 0)
		return GZ_EIO;
	/* mkstemp makes it 0600; the web server reads these. */
	if (fchmod(fd, 0644) != 0)
		goto out;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	rc = GZ_OK;
out:
	if (fd >= 0)
		close(fd);
	if (rc != GZ_OK)
		unlink(tmp);
	return rc;
}

/* Whether dir/name exists as a regular file. */
static bool
media_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Drops every metadata field from im (in place: im must be a private
 * copy). libvips's strip option alone is not enough in 8.14: webpsave
 * still writes EXIF and XMP chunks from exif-data and xmp-data. */
static void
media_strip(VipsImage *im)
{
	gchar **fields = vips_image_get_fields(im);
	size_t i;

	for (i = 0; fields && fields[i]; i++) {
		/* The header fields (width, bands...) are not metadata and
		 * vips_image_remove leaves them; everything else goes. */
		(void)vips_image_remove(im, fields[i]);
	}
	g_strfreev(fields);
}

/* im converted to 8-bit sRGB (alpha kept) into *out, through its ICC
 * profile when it has a usable one. */
static int
media_to_srgb(VipsImage *im, VipsImage **out)
{
	VipsImage *t = NULL;

	if (vips_image_get_typeof(im, VIPS_META_ICC_NAME)) {
		if (vips_icc_transform(im, &t, "srgb", "embedded", TRUE,
				       "intent", VIPS_INTENT_PERCEPTUAL,
				       "depth", 8, NULL) == 0)
			goto cast;
		/* A broken profile: convert as if it had none. */
		vips_error_clear();
	}
	if (vips_colourspace(im, &t, VIPS_INTERPRETATION_sRGB, NULL))
		return -1;
cast:
	if (vips_image_get_format(t) != VIPS_FORMAT_UCHAR) {
		VipsImage *c = NULL;

		if (vips_cast(t, &c, VIPS_FORMAT_UCHAR, "shift", TRUE, NULL)) {
			g_object_unref(t);
			return -1;
		}
		g_object_unref(t);
		t = c;
	}
	*out = t;
	return 0;
}

static uint32_t
media_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
media_put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/*
 * Removes the EXIF, XMP and ICC chunks from the WebP in buf[0..*len),
 * in place, and clears their flags in VP8X. libvips 8.14's webpsave
 * writes a fresh EXIF chunk (resolution, orientation, a colour space
 * tag) even with strip=TRUE and no exif-data on the image, so we take
 * it out ourselves; exiftool finds nothing after. Returns -1 when the
 * bytes are not the RIFF/WebP libwebp writes.
 */
static int
media_webp_clean(unsigned char *buf, size_t *len)
{
	size_t r = 12, w = 12, vp8x = 0;

	if (*len < 12 || memcmp(buf, "RIFF", 4) != 0 ||
	    memcmp(buf + 8, "WEBP", 4) != 0)
		return -1;
	while (r + 8 <= *len) {
		uint32_t sz = media_le32(buf + r + 4);
		size_t whole = 8 + (size_t)sz + (sz & 1u);

		if (whole > *len - r)
			return -1;
		if (memcmp(buf + r, "EXIF", 4) == 0 ||
		    memcmp(buf + r, "XMP ", 4) == 0 ||
		    memcmp(buf + r, "ICCP", 4) == 0) {
			r += whole;
			continue;
		}
		if (memcmp(buf + r, "VP8X", 4) == 0 && sz >= 1)
			vp8x = w;
		memmove(buf + w, buf + r, whole);
		w += whole;
		r += whole;
	}
	if (r != *len)
		return -1;
	if (vp8x)
		buf[vp8x + 8] &= (unsigned char)~(0x20u | 0x08u | 0x04u);
	media_put_le32(buf + 4, (uint32_t)(w - 8));
	*len = w;
	return 0;
}

/* Encodes im as ext into *buf (g_free) and *len. JPEG has no alpha: a
 * transparent PNG or GIF is only ever saved as WebP, PNG or AVIF, but a
 * JPEG with an alpha band (CMYK+alpha...) is flattened onto white. */
static int
media_encode(VipsImage *im, const char *ext, void **buf, size_t *len)
{
	if (strcmp(ext, "webp") == 0) {
		if (vips_webpsave_buffer(im, buf, len, "Q", 80, "effort", 4,
					 "strip", TRUE, NULL))
			return -1;
		if (media_webp_clean(*buf, len)) {
			g_free(*buf);
			*buf = NULL;
			return -1;
		}
		return 0;
	}
	if (strcmp(ext, "png") == 0)
		return vips_pngsave_buffer(im, buf, len, "compression", 6,
					   "strip", TRUE, NULL);
	/* AVIF at effort 2 (libaom's cpu-used 7): on a 1600 x 1066 photo
	 * 0.7 s against effort 4's 2.4 s, and a smaller file (29 KB
	 * against 30 KB at Q 50); docs/media.md has the numbers. */
	if (strcmp(ext, "avif") == 0)
		return vips_heifsave_buffer(
			im, buf, len, "compression",
			VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "Q", 50, "effort",
			2, "strip", TRUE, NULL);
	if (vips_image_hasalpha(im)) {
		VipsImage *flat = NULL;
		VipsArrayDouble *white = vips_array_double_newv(3, 255.0,
								255.0, 255.0);
		int rc;

		rc = vips_flatten(im, &flat, "background", white, NULL);
		vips_area_unref(VIPS_AREA(white));
		if (rc)
			return rc;
		rc = vips_jpegsave_buffer(flat, buf, len, "Q", 82, "interlace",
					  TRUE, "optimize_coding", TRUE,
					  "strip", TRUE, NULL);
		g_object_unref(flat);
		return rc;
	}
	return vips_jpegsave_buffer(im, buf, len, "Q", 82, "interlace", TRUE,
				    "optimize_coding", TRUE, "strip", TRUE,
				    NULL);
}

int
ingest_image(const char *dir, const void *data, size_t len, unsigned flags,
	     struct media_info *out, char *why, size_t why_size)
{
	const char *fmt = NULL, *exts[3];
	enum media_kind kind = MEDIA_JPEG;
	VipsImage *head = NULL, *full = NULL, *rot = NULL, *mem = NULL,
		  *srgb = NULL, *clean = NULL, *src = NULL;
	unsigned char bin[MEDIA_HASH_HEX / 2];
	char sub[PATH_MAX], name[MEDIA_NAME_MAX], msg[160];
	int widths[MEDIA_MAX_VARIANTS], w, h, rc = GZ_EINVAL, n;
	size_t nw, ne, i, j, k;
	bool avif, all;

	assert(dir && out);
	memset(out, 0, sizeof(*out));
	media_why(why, why_size, "");
	if (!data || len == 0) {
		media_why(why, why_size, media_not_image);
		return GZ_EINVAL;
	}
	if (len > GZ_LIMIT_MEDIA_BYTES) {
		snprintf(msg, sizeof(msg),
			 "The file is %zu bytes, more than the %u MB gazette "
			 "accepts.",
			 len, GZ_LIMIT_MEDIA_BYTES / (1024u * 1024u));
		media_why(why, why_size, msg);
		return GZ_ETOOBIG;
	}

	/* The format from the bytes, by our five loaders' sniffers only.
	 * Not vips_foreign_find_load_buffer: in 8.14 it asks every loader,
	 * blocked or not, and ImageMagick's sniffer loads its modules and
	 * reads the bytes. */
	for (i = 0; i < MEDIA_NLOADERS && !fmt; i++)
		if (vips_foreign_is_a_buffer(media_loaders[i].loader, data,
					     len)) {
			kind = (enum media_kind)i;
			fmt = media_loaders[i].format;
		}
	if (!fmt) {
		media_why(why, why_size, media_not_image);
		goto fail;
	}

	/* The header only: no pixel is decoded yet. */
	if (media_load(kind, data, len, VIPS_ACCESS_SEQUENTIAL, &head)) {
		media_why(why, why_size, media_damaged);
		goto fail;
	}
	if (strcmp(fmt, "avif") == 0) {
		const char *c = NULL;

		/* libheif also reads HEIC (HEVC), which we do not accept:
		 * browsers cannot show it and its codec is patented. */
		if (vips_image_get_typeof(head, "heif-compression") &&
		    vips_image_get_string(head, "heif-compression", &c) == 0 &&
		    c && strcmp(c, "av1") != 0) {
			media_why(why, why_size, media_not_image);
			goto fail;
		}
	}
	/* Animated GIF and WebP load their first page only (n=1, the
	 * default), so the height here is one frame's. */
	w = vips_image_get_width(head);
	h = vips_image_get_height(head);
	if (w <= 0 || h <= 0) {
		media_why(why, why_size, media_damaged);
		goto fail;
	}
	if ((uint64_t)w * (uint64_t)h > GZ_LIMIT_MEDIA_PIXELS) {
		snprintf(msg, sizeof(msg),
			 "The image is %d x %d pixels, more than the %u "
			 "megapixels gazette accepts.",
			 w, h, GZ_LIMIT_MEDIA_PIXELS / 1000000u);
		media_why(why, why_size, msg);
		rc = GZ_ETOOBIG;
		goto fail;
	}
	if (vips_image_get_orientation_swap(head)) {
		int t = w;

		w = h;
		h = t;
	}

	crypto_generichash(bin, sizeof(bin), data, len, NULL, 0);
	sodium_bin2hex(out->hash, sizeof(out->hash), bin, sizeof(bin));
	avif = ((flags & MEDIA_AVIF) || strcmp(fmt, "avif") == 0) &&
	       ingest_avif_supported();
	/* An AVIF original where this libvips cannot write AVIF is served
	 * as WebP only. */
	if (strcmp(fmt, "avif") == 0 && !avif)
		fmt = "webp";
	snprintf(out->format, sizeof(out->format), "%s", fmt);
	out->width = w;
	out->height = h;
	out->bytes = (int64_t)len;
	out->avif = avif;
	nw = media_widths_for(w, widths);
	ne = media_exts_for(fmt, avif, exts);
	memcpy(out->widths, widths, nw * sizeof(widths[0]));
	out->nwidths = nw;

	/* The same bytes again: their variants are all there already. */
	all = true;
	for (i = 0; i < nw && all; i++)
		for (j = 0; j < ne && all; j++) {
			media_variant_name(out->hash, widths[i], exts[j], name);
			all = media_exists(dir, name);
		}
	if (all) {
		rc = GZ_OK;
		goto out;
	}

	n = snprintf(sub, sizeof(sub), "%s/%.2s", dir, out->hash);
	if (n < 0 || (size_t)n >= sizeof(sub) || media_mkdirs(dir) != GZ_OK ||
	    media_mkdir(sub) != GZ_OK) {
		media_why(why, why_size, "The image could not be saved.");
		rc = GZ_EIO;
		goto fail;
	}

	/* Decode every pixel once, into memory: a damaged file fails here
	 * (fail_on=error), before any variant is written, and each width
	 * then resizes from memory instead of decoding again. */
	if (media_load(kind, data, len, VIPS_ACCESS_RANDOM, &full) ||
	    vips_autorot(full, &rot, NULL) ||
	    !(mem = vips_image_copy_memory(rot))) {
		media_why(why, why_size, media_damaged);
		goto fail;
	}
	if (media_to_srgb(mem, &srgb) || vips_copy(srgb, &clean, NULL)) {
		media_why(why, why_size, media_damaged);
		goto fail;
	}
	media_strip(clean);

	/* Widest first, each width resized from the one before it, held
	 * in memory: a 50-megapixel photo is shrunk once (to 2048), not
	 * once per width. */
	src = clean;
	g_object_ref(src);
	for (k = nw; k > 0; k--) {
		VipsImage *v = NULL, *t = NULL;

		i = k - 1;
		if (widths[i] == vips_image_get_width(src)) {
			v = src;
			g_object_ref(v);
		} else if (vips_thumbnail_image(src, &t, widths[i], "height",
						VIPS_MAX_COORD, "size",
						VIPS_SIZE_DOWN, NULL) ||
			   !(v = vips_image_copy_memory(t))) {
			if (t)
				g_object_unref(t);
			media_why(why, why_size, media_damaged);
			goto fail;
		} else {
			g_object_unref(t);
			/* thumbnail copies the metadata it was given: none,
			 * but strip again should a version add some. */
			media_strip(v);
		}
		for (j = 0; j < ne; j++) {
			void *buf = NULL;
			size_t blen = 0;

			media_variant_name(out->hash, widths[i], exts[j], name);
			/* Made by an earlier ingest of the same bytes (one
			 * without AVIF, or cut short): kept as it is. */
			if (media_exists(dir, name))
				continue;
			if (media_encode(v, exts[j], &buf, &blen)) {
				g_object_unref(v);
				media_why(why, why_size,
					  "The image could not be converted.");
				goto fail;
			}
			rc = media_write_file(dir, name, buf, blen);
			g_free(buf);
			if (rc != GZ_OK) {
				g_object_unref(v);
				media_why(why, why_size,
					  "The image could not be saved.");
				goto fail;
			}
		}
		g_object_unref(src);
		src = v;
	}
	/* The renames are durable once the directory is. */
	{
		int dfd = open(sub, O_RDONLY | O_DIRECTORY);

		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	rc = GZ_OK;
	goto out;
fail:
	if (rc == GZ_OK)
		rc = GZ_EINVAL;
	memset(out, 0, sizeof(*out));
	vips_error_clear();
out:
	if (src)
		g_object_unref(src);
	if (clean)
		g_object_unref(clean);
	if (srgb)
		g_object_unref(srgb);
	if (mem)
		g_object_unref(mem);
	if (rot)
		g_object_unref(rot);
	if (full)
		g_object_unref(full);
	if (head)
		g_object_unref(head);
	return rc;
}
