/* Tests for src/admin/qr.c: the SVG's structure (one svg, one rect, one
 * path, the label escaped), its size against libqrencode's version, the
 * three finder patterns where they belong (drawn back from the path),
 * determinism, and text too long for any QR code. There is no QR decoder
 * in Debian's test tools, so the modules are compared with libqrencode's
 * own matrix instead. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "admin/admin.h"
#include "util/buf.h"
#include "util/err.h"

#define URI "otpauth://totp/Gazette:ann?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" \
	    "&issuer=Gazette&algorithm=SHA1&digits=6&period=30"

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

/* Draws the path's d back into a size x size matrix (1: dark). Returns
 * the matrix (caller frees) or NULL when d is not made of runs. */
static unsigned char *
draw(const char *svg, int size)
{
	const char *d = strstr(svg, " d=\"");
	unsigned char *m = calloc((size_t)size * (size_t)size, 1);
	int x, y, h, h2, used, k;

	assert_non_null(d);
	assert_non_null(m);
	d += 4;
	while (*d != '"') {
		if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &h, &h2, &used) != 4 ||
		    h != h2 || h < 1 || x < 0 || y < 0 || x + h > size ||
		    y >= size) {
			free(m);
			return NULL;
		}
		for (k = 0; k < h; k++) {
			/* Runs never overlap: a module is drawn once. */
			if (m[y * size + x + k]) {
				free(m);
				return NULL;
			}
			m[y * size + x + k] = 1;
		}
		d += used;
	}
	return m;
}

/* A finder pattern with its top-left module at (x, y). */
static void
assert_finder(const unsigned char *m, int size, int x0, int y0)
{
	int x, y;

	for (y = 0; y < 7; y++)
		for (x = 0; x < 7; x++) {
			int ring = x == 0 || y == 0 || x == 6 || y == 6;
			int core = x >= 2 && x <= 4 && y >= 2 && y <= 4;

			assert_int_equal(m[(y0 + y) * size + x0 + x],
					 ring || core);
		}
}

static void
structure_and_size(void **state)
{
	struct buf b;
	QRcode *qr;
	unsigned char *m;
	char want[64];
	int size, x, y;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(admin_qr_svg(&b, URI, "QR code for ann"), GZ_OK);
	qr = QRcode_encodeString(URI, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(qr);
	assert_int_equal(qr->width, 17 + 4 * qr->version);
	size = qr->width + 8;
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", size, size);
	assert_non_null(strstr(b.data, want));
	assert_int_equal(strncmp(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"",
				 39),
			 0);
	assert_int_equal(count(b.data, "<svg"), 1);
	assert_int_equal(count(b.data, "</svg>"), 1);
	assert_int_equal(count(b.data, "<path"), 1);
	assert_int_equal(count(b.data, "<rect"), 1);
	assert_non_null(strstr(b.data, "role=\"img\""));
	assert_non_null(strstr(b.data, "aria-label=\"QR code for ann\""));
	assert_non_null(strstr(b.data, "fill=\"#fff\""));
	assert_non_null(strstr(b.data, "fill=\"#000\""));
	assert_int_equal(strcmp(b.data + b.len - 6, "</svg>"), 0);
	/* The modules drawn are libqrencode's, shifted by the quiet zone,
	 * which stays light. */
	m = draw(b.data, size);
	assert_non_null(m);
	for (y = 0; y < size; y++)
		for (x = 0; x < size; x++) {
			int in = x >= 4 && y >= 4 && x < size - 4 && y < size - 4;
			int dark = in ? qr->data[(y - 4) * qr->width + (x - 4)] & 1 : 0;

			assert_int_equal(m[y * size + x], dark);
		}
	/* The finder patterns at three corners. */
	assert_finder(m, size, 4, 4);
	assert_finder(m, size, size - 4 - 7, 4);
	assert_finder(m, size, 4, size - 4 - 7);
	/* Horizontal runs are merged: the finder's top edge is one run. */
	assert_non_null(strstr(b.data, "M4 4h7v1h-7z"));
	free(m);
	QRcode_free(qr);
	buf_fini(&b);
}

static void
deterministic(void **state)
{
	struct buf a, b;

	(void)state;
	buf_init(&a, 1 << 20);
	buf_init(&b, 1 << 20);
	assert_int_equal(admin_qr_svg(&a, URI, "x"), GZ_OK);
	assert_int_equal(admin_qr_svg(&b, URI, "x"), GZ_OK);
	assert_string_equal(a.data, b.data);
	buf_reset(&b);
	assert_int_equal(admin_qr_svg(&b, URI "x", "x"), GZ_OK);
	assert_string_not_equal(a.data, b.data);
	buf_fini(&a);
	buf_fini(&b);
}

static void
label_is_escaped(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(admin_qr_svg(&b, "hello", "a\"b<c>&d'e"), GZ_OK);
	assert_non_null(strstr(b.data,
			       "aria-label=\"a&quot;b&lt;c&gt;&amp;d&#39;e\""));
	assert_int_equal(count(b.data, "<"), 4); /* svg, rect, path, /svg */
	buf_fini(&b);
}

static void
too_long_and_too_small(void **state)
{
	struct buf b;
	char *big = malloc(4001);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', 4000);
	big[4000] = '\0';
	buf_init(&b, 1 << 20);
	assert_int_equal(admin_qr_svg(&b, big, "x"), GZ_EINVAL);
	buf_fini(&b);
	buf_init(&b, 100);
	assert_int_equal(admin_qr_svg(&b, URI, "x"), GZ_ETOOBIG);
	buf_fini(&b);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(structure_and_size),
		cmocka_unit_test(deterministic),
		cmocka_unit_test(label_is_escaped),
		cmocka_unit_test(too_long_and_too_small),
	};

	return cmocka_run_group_tests_name("admin/qr", tests, NULL, NULL);
}
