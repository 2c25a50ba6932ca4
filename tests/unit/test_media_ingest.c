/* test_media_ingest.c - tests for src/media/ingest.c: the widths made, the
 * metadata stripped (EXIF, XMP, GPS gone from every variant), EXIF
 * orientation applied, files refused by their bytes (text named .jpg, a
 * truncated JPEG, a PNG header claiming 100000 x 100000 pixels, a
 * blocked loader's format), and the same bytes twice rewriting nothing.
 * Images are made here with libvips, small; the GPS fixture is
 * tests/fixtures/media/gps.jpg. Each test works in its own mkdtemp
 * directory, removed after. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>
#include <zlib.h>

#include "media/ingest.h"
#include "media/media.h"
#include "util/err.h"
#include "util/limits.h"

static const char not_image[] =
	"The file is not a JPEG, PNG, WebP, GIF or AVIF image.";
static const char damaged[] = "The image is damaged or incomplete.";

static char dir[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
group_setup(void **state)
{
	(void)state;
	return ingest_start("test_media_ingest") == GZ_OK ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	ingest_stop();
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/gz-media-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	/* MEDIA_KEEP=1 leaves the variants to look at (exiftool). */
	if (getenv("MEDIA_KEEP"))
		return 0;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int nfiles;

static int
count_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	if (flag == FTW_F)
		nfiles++;
	return 0;
}

/* How many files are under dir. */
static int
count_files(void)
{
	nfiles = 0;
	return nftw(dir, count_one, 16, FTW_PHYS) == 0 ? nfiles : -1;
}

/* A w x h image with a gradient (so encoders have something to do) in
 * format saver ("jpeg", "png", "webp", "gif"), alpha when bands is 4.
 * Caller g_frees *buf. */
static void
make_image(int w, int h, int bands, const char *saver, void **buf,
	   size_t *len)
{
	VipsImage *x = NULL, *g = NULL, *c = NULL, *s = NULL;
	int rc;

	assert_int_equal(vips_xyz(&x, w, h, NULL), 0);
	assert_int_equal(vips_linear1(x, &g, 0.2, 10.0, NULL), 0);
	assert_int_equal(vips_cast(g, &c, VIPS_FORMAT_UCHAR, NULL), 0);
	/* xyz gives 2 bands (x, y): join to the band count asked for. */
	if (bands == 4) {
		VipsImage *b[2] = {c, c};

		assert_int_equal(vips_bandjoin(b, &s, 2, NULL), 0);
	} else {
		VipsImage *b[2] = {c, NULL};

		assert_int_equal(vips_extract_band(c, &b[1], 0, NULL), 0);
		assert_int_equal(vips_bandjoin(b, &s, 2, NULL), 0);
		g_object_unref(b[1]);
	}
	s->Type = VIPS_INTERPRETATION_sRGB;
	if (strcmp(saver, "jpeg") == 0)
		rc = vips_jpegsave_buffer(s, buf, len, "Q", 90, NULL);
	else if (strcmp(saver, "png") == 0)
		rc = vips_pngsave_buffer(s, buf, len, NULL);
	else if (strcmp(saver, "webp") == 0)
		rc = vips_webpsave_buffer(s, buf, len, NULL);
	else if (strcmp(saver, "gif") == 0)
		rc = vips_gifsave_buffer(s, buf, len, NULL);
	else
		rc = vips_heifsave_buffer(s, buf, len, "compression",
					  VIPS_FOREIGN_HEIF_COMPRESSION_HEVC,
					  NULL);
	if (rc)
		fail_msg("%s: %s", saver, vips_error_buffer());
	g_object_unref(s);
	g_object_unref(c);
	g_object_unref(g);
	g_object_unref(x);
}

static char *
read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f)
		fail_msg("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/* Loads dir/hash-width.ext and checks its size and that no metadata
 * field survived; returns its height. */
static int
check_variant(const struct media_info *mi, int width, const char *ext)
{
	static const char *const banned[] = {
		"exif-data", "xmp-data", "iptc-data", "icc-profile-data",
		"orientation",
	};
	char name[MEDIA_NAME_MAX], path[256];
	gchar **fields;
	VipsImage *im;
	char *raw;
	size_t i, len;
	int h;

	media_variant_name(mi->hash, width, ext, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* From the bytes: ingest_start blocked the file loaders. */
	raw = read_whole(path, &len);
	im = vips_image_new_from_buffer(raw, len, "", NULL);
	if (!im)
		fail_msg("%s: %s", path, vips_error_buffer());
	assert_int_equal(vips_image_get_width(im), width);
	for (i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		if (vips_image_get_typeof(im, banned[i]))
			fail_msg("%s keeps %s", path, banned[i]);
	fields = vips_image_get_fields(im);
	for (i = 0; fields[i]; i++)
		if (strncmp(fields[i], "exif-", 5) == 0 ||
		    strncmp(fields[i], "xmp-", 4) == 0 ||
		    strncmp(fields[i], "iptc-", 5) == 0)
			fail_msg("%s keeps %s", path, fields[i]);
	g_strfreev(fields);
	h = vips_image_get_height(im);
	g_object_unref(im);
	/* And in the bytes: no EXIF block, nothing the fixture planted. */
	assert_null(memmem(raw, len, "Exif", 4));
	assert_null(memmem(raw, len, "Jane Source", 11));
	assert_null(memmem(raw, len, "TestCam", 7));
	assert_null(memmem(raw, len, "http://ns.adobe.com/xap", 23));
	free(raw);
	return h;
}

static bool
variant_exists(const struct media_info *mi, int width, const char *ext)
{
	char name[MEDIA_NAME_MAX], path[256];

	media_variant_name(mi->hash, width, ext, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void
test_names(void **state)
{
	char name[MEDIA_NAME_MAX];

	(void)state;
	media_variant_name("abcdef0123456789abcdef0123456789", 640, "webp",
			   name);
	assert_string_equal(name,
			    "ab/abcdef0123456789abcdef0123456789-640.webp");
	assert_string_equal(media_mime_of_ext("webp"), "image/webp");
	assert_string_equal(media_mime_of_ext("jpeg"), "image/jpeg");
	assert_string_equal(media_mime_of_ext("png"), "image/png");
	assert_string_equal(media_mime_of_ext("avif"), "image/avif");
	assert_null(media_mime_of_ext("gif"));
	assert_null(media_mime_of_ext("svg"));
	assert_null(media_mime_of_ext(NULL));
}

static void
test_jpeg_widths(void **state)
{
	struct media_info mi;
	char why[160];
	void *buf = NULL;
	size_t len = 0, i;
	static const int want[] = {320, 480, 700};

	(void)state;
	make_image(700, 400, 3, "jpeg", &buf, &len);
	assert_int_equal(ingest_image(dir, buf, len, 0, &mi, why, sizeof(why)),
			 GZ_OK);
	assert_string_equal(why, "");
	assert_int_equal(strlen(mi.hash), MEDIA_HASH_HEX);
	assert_string_equal(mi.format, "jpeg");
	assert_int_equal(mi.width, 700);
	assert_int_equal(mi.height, 400);
	assert_int_equal(mi.bytes, (int64_t)len);
	assert_false(mi.avif);
	assert_int_equal(mi.nwidths, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(mi.widths[i], want[i]);
		assert_int_equal(check_variant(&mi, want[i], "webp"),
				 (want[i] * 400 + 350) / 700);
		check_variant(&mi, want[i], "jpeg");
		assert_false(variant_exists(&mi, want[i], "png"));
		assert_false(variant_exists(&mi, want[i], "avif"));
	}
	assert_false(variant_exists(&mi, 960, "webp"));
	/* Six files, no temporaries. */
	assert_int_equal(count_files(), 6);
	g_free(buf);
}

static void
test_gps_fixture(void **state)
{
	struct media_info mi;
	char why[160], path[512];
	const char *root = getenv("GAZETTE_SOURCE_ROOT");
	char *buf;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/fixtures/media/gps.jpg",
		 root ? root : ".");
	buf = read_whole(path, &len);
	assert_non_null(memmem(buf, len, "Jane Source", 11));
	assert_int_equal(ingest_image(dir, buf, len, 0, &mi, why, sizeof(why)),
			 GZ_OK);
	/* 720 x 480 stored, Orientation 6: shown 480 x 720. */
	assert_int_equal(mi.width, 480);
	assert_int_equal(mi.height, 720);
	assert_int_equal(mi.nwidths, 2);
	assert_int_equal(mi.widths[0], 320);
	assert_int_equal(mi.widths[1], 480);
	assert_int_equal(check_variant(&mi, 480, "webp"), 720);
	assert_int_equal(check_variant(&mi, 480, "jpeg"), 720);
	assert_int_equal(check_variant(&mi, 320, "webp"), 480);
	assert_int_equal(check_variant(&mi, 320, "jpeg"), 480);
	free(buf);
}

static void
test_text_as_jpg(void **state)
{
	static const char text[] = "Council meets Tuesday at 7pm.\n";
	struct media_info mi;
	char why[160];

	(void)state;
	assert_int_equal(ingest_image(dir, text, sizeof(text) - 1, 0, &mi, why,
				      sizeof(why)),
			 GZ_EINVAL);
	assert_string_equal(why, not_image);
	assert_int_equal(ingest_image(dir, text, 0, 0, &mi, why, sizeof(why)),
			 GZ_EINVAL);
	assert_int_equal(count_files(), 0);
}

static void
test_blocked_formats(void **state)
{
	/* Formats libvips could read but gazette does not take: a PPM, an
	 * SVG (an untrusted loader), a HEIC. */
	static const char ppm[] = "P6\n2 2\n255\n"
				  "\xff\0\0\0\xff\0\0\0\xff\xff\xff\xff";
	static const char svg[] =
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
		"height=\"10\"><rect width=\"10\" height=\"10\"/></svg>";
	const char *root = getenv("GAZETTE_SOURCE_ROOT");
	struct media_info mi;
	char why[160], path[512];
	char *heic;
	size_t len = 0;

	(void)state;
	assert_int_equal(ingest_image(dir, ppm, sizeof(ppm) - 1, 0, &mi, why,
				      sizeof(why)),
			 GZ_EINVAL);
	assert_string_equal(why, not_image);
	assert_int_equal(ingest_image(dir, svg, sizeof(svg) - 1, 0, &mi, why,
				      sizeof(why)),
			 GZ_EINVAL);
	assert_string_equal(why, not_image);
	/* tests/fixtures/media/tiny.heic: 16 x 16 black, HEVC (made with
	 * vips heifsave --compression hevc; encoding it here would bring
	 * x265 and its leaks into the test). */
	snprintf(path, sizeof(path), "%s/tests/fixtures/media/tiny.heic",
		 root ? root : ".");
	heic = read_whole(path, &len);
	assert_int_equal(ingest_image(dir, heic, len, 0, &mi, why, sizeof(why)),
			 GZ_EINVAL);
	assert_string_equal(why, not_image);
	free(heic);
	assert_int_equal(count_files(), 0);
}

static void
test_truncated_jpeg(void **state)
{
	struct media_info mi;
	char why[160];
	void *buf = NULL;
	size_t len = 0;

	(void)state;
	make_image(700, 400, 3, "jpeg", &buf, &len);
	assert_int_equal(ingest_image(dir, buf, len / 2, 0, &mi, why,
				      sizeof(why)),
			 GZ_EINVAL);
	assert_string_equal(why, damaged);
	assert_string_equal(mi.hash, "");
	/* Nothing written: the decode fails before any variant. */
	assert_int_equal(count_files(), 0);
	g_free(buf);
}

static void
be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A PNG that claims 100000 x 100000 grey pixels: signature, IHDR with a
 * valid CRC, one empty IDAT, IEND. 57 bytes for ten gigapixels. */
static size_t
make_bomb(unsigned char *p)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G',
					     '\r', '\n', 0x1a, '\n'};
	size_t n = 0;
	uint32_t crc;

	memcpy(p, sig, 8);
	n = 8;
	be32(p + n, 13);
	memcpy(p + n + 4, "IHDR", 4);
	be32(p + n + 8, 100000);
	be32(p + n + 12, 100000);
	p[n + 16] = 8; /* depth */
	p[n + 17] = 0; /* grey */
	p[n + 18] = 0;
	p[n + 19] = 0;
	p[n + 20] = 0;
	crc = (uint32_t)crc32(0, p + n + 4, 17);
	be32(p + n + 21, crc);
	n += 25;
	be32(p + n, 0);
	memcpy(p + n + 4, "IDAT", 4);
	be32(p + n + 8, (uint32_t)crc32(0, p + n + 4, 4));
	n += 12;
	be32(p + n, 0);
	memcpy(p + n + 4, "IEND", 4);
	be32(p + n + 8, (uint32_t)crc32(0, p + n + 4, 4));
	n += 12;
	return n;
}

static void
test_bomb(void **state)
{
	unsigned char png[64];
	struct media_info mi;
	char why[160];
	size_t n;

	(void)state;
	n = make_bomb(png);
	assert_int_equal(ingest_image(dir, png, n, 0, &mi, why, sizeof(why)),
			 GZ_ETOOBIG);
	assert_string_equal(why, "The image is 100000 x 100000 pixels, more "
				 "than the 50 megapixels gazette accepts.");
	assert_int_equal(count_files(), 0);
}

static void
test_too_many_bytes(void **state)
{
	struct media_info mi;
	char why[160];
	char *big = calloc(1, GZ_LIMIT_MEDIA_BYTES + 1u);

	(void)state;
	assert_non_null(big);
	assert_int_equal(ingest_image(dir, big, GZ_LIMIT_MEDIA_BYTES + 1u, 0,
				      &mi, why, sizeof(why)),
			 GZ_ETOOBIG);
	assert_non_null(strstr(why, "more than the 20 MB"));
	free(big);
}

static void
test_same_bytes_twice(void **state)
{
	struct media_info a, b;
	char why[160], name[MEDIA_NAME_MAX], path[256];
	struct stat s1, s2;
	void *buf = NULL;
	size_t len = 0;

	(void)state;
	make_image(200, 100, 3, "jpeg", &buf, &len);
	assert_int_equal(ingest_image(dir, buf, len, 0, &a, why, sizeof(why)),
			 GZ_OK);
	assert_int_equal(a.nwidths, 1);
	assert_int_equal(a.widths[0], 200);
	media_variant_name(a.hash, 200, "webp", name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &s1), 0);
	assert_int_equal(ingest_image(dir, buf, len, 0, &b, why, sizeof(why)),
			 GZ_OK);
	assert_string_equal(a.hash, b.hash);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(stat(path, &s2), 0);
	/* A rewrite renames a new file in: another inode. */
	assert_int_equal(s1.st_ino, s2.st_ino);
	assert_int_equal(s1.st_mtim.tv_sec, s2.st_mtim.tv_sec);
	assert_int_equal(s1.st_mtim.tv_nsec, s2.st_mtim.tv_nsec);
	assert_int_equal(count_files(), 2);
	g_free(buf);
}

static void
test_png_gif_webp(void **state)
{
	struct media_info mi;
	char why[160];
	void *buf = NULL;
	size_t len = 0;

	(void)state;
	/* A transparent PNG: WebP and PNG, alpha kept. */
	make_image(100, 50, 4, "png", &buf, &len);
	assert_int_equal(ingest_image(dir, buf, len, 0, &mi, why, sizeof(why)),
			 GZ_OK);
	assert_string_equal(mi.format, "png");
	assert_int_equal(check_variant(&mi, 100, "png"), 50);
	assert_int_equal(check_variant(&mi, 100, "webp"), 50);
	assert_false(variant_exists(&mi, 100, "jpeg"));
	g_free(buf);

	/* A GIF: served as PNG. */
	make_image(60, 30, 3, "gif", &buf, &len);
	assert_int_equal(ingest_image(dir, buf, len, 0, &mi, why, sizeof(why)),
			 GZ_OK);
	assert_string_equal(mi.format, "png");
	assert_int_equal(check_variant(&mi, 60, "png"), 30);
	assert_int_equal(check_variant(&mi, 60, "webp"), 30);
	g_free(buf);

	/* A WebP: WebP only. */
	make_image(400, 40, 3, "webp", &buf, &len);
	assert_int_equal(ingest_image(dir, buf, len, 0, &mi, why, sizeof(why)),
			 GZ_OK);
	assert_string_equal(mi.format, "webp");
	assert_int_equal(mi.nwidths, 2);
	assert_int_equal(check_variant(&mi, 320, "webp"), 32);
	assert_int_equal(check_variant(&mi, 400, "webp"), 40);
	assert_false(variant_exists(&mi, 400, "png"));
	assert_false(variant_exists(&mi, 400, "jpeg"));
	g_free(buf);
	assert_int_equal(count_files(), 6);
}

/* Bands of the variant hash-width.ext (ingest_start blocked file loads:
 * read through the buffer loader). */
static int
variant_bands(const struct media_info *mi, int width, const char *ext)
{
	char name[MEDIA_NAME_MAX], path[256];
	VipsImage *im;
	char *raw;
	size_t len;
	int bands;

	media_variant_name(mi->hash, width, ext, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	raw = read_whole(path, &len);
	im = vips_image_new_from_buffer(raw, len, "", NULL);
	assert_non_null(im);
	assert_int_equal(vips_image_guess_interpretation(im),
			 VIPS_INTERPRETATION_sRGB);
	bands = vips_image_get_bands(im);
	g_object_unref(im);
	free(raw);
	return bands;
}

static void
test_colour_and_frames(void **state)
{
	struct media_info mi;
	char why[160];
	VipsImage *x = NULL, *c = NULL, *cmyk = NULL, *pages = NULL;
	VipsImage *two[2];
	void *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(vips_black(&x, 48, 24, "bands", 3, NULL), 0);
	assert_int_equal(vips_linear1(x, &c, 1.0, 128.0, NULL), 0);
	c->Type = VIPS_INTERPRETATION_sRGB;

	/* An ICC profile embedded: converted through it, then dropped. */
	assert_int_equal(vips_jpegsave_buffer(c, &buf, &len, "profile",
					      "srgb", NULL), 0);
	assert_non_null(memmem(buf, len, "ICC_PROFILE", 11));
	assert_int_equal(ingest_image(dir, buf, len, 0, &mi, why, sizeof(why)),
			 GZ_OK);
	check_variant(&mi, 48, "jpeg");
	check_variant(&mi, 48, "webp");
	g_free(buf);

	/* CMYK: served as 3-band sRGB. */
	assert_int_equal(vips_colourspace(c, &cmyk, VIPS_INTERPRETATION_CMYK,
					  NULL), 0);
	assert_int_equal(vips_jpegsave_buffer(cmyk, &buf, &len, NULL), 0);
	assert_int_equal(ingest_image(dir, buf, len, 0, &mi, why, sizeof(why)),
			 GZ_OK);
	assert_int_equal(variant_bands(&mi, 48, "jpeg"), 3);
	assert_int_equal(variant_bands(&mi, 48, "webp"), 3);
	g_free(buf);

	/* An animated GIF of two 48 x 24 frames: the first only. */
	two[0] = c;
	two[1] = x;
	assert_int_equal(vips_arrayjoin(two, &pages, 2, "across", 1, NULL), 0);
	vips_image_set_int(pages, "page-height", 24);
	assert_int_equal(vips_gifsave_buffer(pages, &buf, &len, NULL), 0);
	assert_int_equal(ingest_image(dir, buf, len, 0, &mi, why, sizeof(why)),
			 GZ_OK);
	assert_string_equal(mi.format, "png");
	assert_int_equal(mi.width, 48);
	assert_int_equal(mi.height, 24);
	assert_int_equal(check_variant(&mi, 48, "png"), 24);
	g_free(buf);

	g_object_unref(pages);
	g_object_unref(cmyk);
	g_object_unref(c);
	g_object_unref(x);
}

static void
test_avif(void **state)
{
	struct media_info mi;
	char why[160];
	void *buf = NULL;
	size_t len = 0;

	(void)state;
	make_image(64, 40, 3, "jpeg", &buf, &len);
	assert_int_equal(ingest_image(dir, buf, len, MEDIA_AVIF, &mi, why,
				      sizeof(why)),
			 GZ_OK);
	assert_int_equal(mi.avif, ingest_avif_supported());
	if (!ingest_avif_supported()) {
		assert_false(variant_exists(&mi, 64, "avif"));
		g_free(buf);
		skip();
	}
	assert_int_equal(check_variant(&mi, 64, "avif"), 40);
	g_free(buf);
}

/* The media directory made when missing, and AVIF added to an image
 * ingested without it: the WebP and JPEG already there are kept. */
static void
test_nested_dir_and_avif_later(void **state)
{
	struct media_info a, b;
	char why[160], nested[128], name[MEDIA_NAME_MAX], path[256];
	struct stat s1, s2;
	void *buf = NULL;
	size_t len = 0;

	(void)state;
	snprintf(nested, sizeof(nested), "%s/site/media", dir);
	make_image(50, 30, 3, "jpeg", &buf, &len);
	assert_int_equal(ingest_image(nested, buf, len, 0, &a, why,
				      sizeof(why)),
			 GZ_OK);
	assert_false(a.avif);
	media_variant_name(a.hash, 50, "webp", name);
	snprintf(path, sizeof(path), "%s/%s", nested, name);
	assert_int_equal(stat(path, &s1), 0);
	assert_int_equal(count_files(), 2);
	if (!ingest_avif_supported()) {
		g_free(buf);
		skip();
	}
	assert_int_equal(ingest_image(nested, buf, len, MEDIA_AVIF, &b, why,
				      sizeof(why)),
			 GZ_OK);
	assert_true(b.avif);
	assert_int_equal(stat(path, &s2), 0);
	assert_int_equal(s1.st_ino, s2.st_ino);
	assert_int_equal(count_files(), 3);
	g_free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_jpeg_widths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gps_fixture, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_as_jpg, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_blocked_formats, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncated_jpeg, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bomb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_same_bytes_twice, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_png_gif_webp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_colour_and_frames, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_avif, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_dir_and_avif_later,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
