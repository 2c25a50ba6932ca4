/*
 * test_site_admin_media.c - src/site/admin_media.c's own rules, without a
 * server: the card crop at a focal point (3:2, clamped to the edges),
 * which variant a URL names, the Markdown snippet (alt text's brackets
 * escaped), sizes for people. The file is included to reach its static
 * functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../src/site/admin_media.c"

static struct pool *pool;

static int
setup(void **state)
{
	(void)state;
	pool = pool_new(1024 * 1024);
	return pool ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	pool_free(pool);
	return 0;
}

static void
crop_is(int w, int h, int fx, int fy, int64_t x, int64_t y, int64_t cw,
	int64_t ch)
{
	int64_t r[4];

	media_crop_rect(w, h, fx, fy, r);
	assert_int_equal(r[0], x);
	assert_int_equal(r[1], y);
	assert_int_equal(r[2], cw);
	assert_int_equal(r[3], ch);
}

static void
test_crop(void **state)
{
	(void)state;
	/* Wider than 3:2: full height, centred across. */
	crop_is(1000, 600, 500, 500, 50, 0, 900, 600);
	/* The point near an edge: the crop stops at it. */
	crop_is(1000, 600, 200, 700, 0, 0, 900, 600);
	crop_is(1000, 600, 1000, 0, 100, 0, 900, 600);
	/* Taller than 3:2 (a portrait): full width, moved down. */
	crop_is(480, 720, 500, 500, 0, 200, 480, 320);
	crop_is(480, 720, 500, 0, 0, 0, 480, 320);
	crop_is(480, 720, 500, 1000, 0, 400, 480, 320);
	/* Exactly 3:2: the whole image wherever the point is. */
	crop_is(300, 200, 900, 100, 0, 0, 300, 200);
	/* A 1 x 1 image: never an empty rectangle. */
	crop_is(1, 1, 500, 500, 0, 0, 1, 1);
}

static struct store_media
photo(const char *format, const char *alt)
{
	struct store_media m;

	memset(&m, 0, sizeof(m));
	m.id = 7;
	m.hash = "0123456789abcdef0123456789abcdef";
	m.format = format;
	m.width = 1400;
	m.height = 900;
	m.widths[0] = 320;
	m.widths[1] = 640;
	m.widths[2] = 960;
	m.widths[3] = 1280;
	m.widths[4] = 1400;
	m.nwidths = 5;
	m.alt = alt;
	m.caption = m.credit = m.actor = "";
	return m;
}

static void
test_urls(void **state)
{
	struct store_media m = photo("jpeg", "Boats");

	(void)state;
	assert_string_equal(site_media_url(pool, &m, 320, "webp"),
			    "/media/01/0123456789abcdef0123456789abcdef-320.webp");
	assert_string_equal(site_media_url(pool, &m, 1000, "jpeg"),
			    "/media/01/0123456789abcdef0123456789abcdef-960.jpeg");
	/* Narrower than every variant: the narrowest. */
	assert_string_equal(site_media_url(pool, &m, 100, "webp"),
			    "/media/01/0123456789abcdef0123456789abcdef-320.webp");
	assert_int_equal(media_width(&m, 5000), 1400);
	m.nwidths = 0;
	assert_null(site_media_url(pool, &m, 320, "webp"));
}

static void
test_markdown(void **state)
{
	struct store_media m = photo("png", "A [bracketed] \\ caption");
	struct store_media a = photo("avif", "Night");

	(void)state;
	assert_string_equal(media_markdown(pool, &m),
			    "![A \\[bracketed\\] \\\\ caption]"
			    "(/media/01/0123456789abcdef0123456789abcdef-960.png)");
	/* An AVIF original's variants in its own format are not always
	 * made: the snippet names WebP. */
	assert_string_equal(media_markdown(pool, &a),
			    "![Night](/media/01/0123456789abcdef0123456789abcdef-960.webp)");
	assert_string_equal(media_ext(&m), "png");
}

static void
test_sizes(void **state)
{
	(void)state;
	assert_string_equal(media_size_text(pool, 999), "999 bytes");
	assert_string_equal(media_size_text(pool, 48200), "48 KB");
	assert_string_equal(media_size_text(pool, 1250000), "1.2 MB");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crop),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests_name("site/admin_media", tests, setup,
					   teardown);
}
