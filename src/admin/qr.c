/*
 * qr.c - a QR code as one small SVG image, for TOTP enrolment.
 *
 * Data flow: the enrolment page passes admin_totp_uri's text here and
 * puts the SVG in the page as a trusted fragment ({{{qr}}}).
 *
 * libqrencode makes the symbol (error correction M, 8-bit mode); we draw
 * it as one <svg> with a viewBox of the symbol plus a 4-module quiet zone
 * each side, a white background and ONE <path> whose d draws each
 * horizontal run of dark modules as "Mx yhNv1h-Nz". Colours are fixed
 * black on white, so phones read it in dark mode too.
 *
 * Invariants: the output depends only on text and label (the same input
 * gives the same bytes); label is escaped for an attribute here, since
 * this module does not use render/.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "admin/admin.h"
#include "util/buf.h"
#include "util/err.h"

#define QR_QUIET 4

/* Appends s with & < > " ' escaped, for a double-quoted attribute. */
static void
qr_put_attr(struct buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_puts(out, "&amp;"); break;
		case '<': buf_puts(out, "&lt;"); break;
		case '>': buf_puts(out, "&gt;"); break;
		case '"': buf_puts(out, "&quot;"); break;
		case '\'': buf_puts(out, "&#39;"); break;
		default: buf_putc(out, *s); break;
		}
	}
}

int
admin_qr_svg(struct buf *out, const char *text, const char *label)
{
	QRcode *qr = NULL;
	int x, y, run, size;

	assert(out != NULL && text != NULL && label != NULL);
	errno = 0;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return errno == ENOMEM ? GZ_ENOMEM : GZ_EINVAL;
	size = qr->width + 2 * QR_QUIET;
	buf_printf(out,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
		   " role=\"img\" aria-label=\"",
		   size, size);
	qr_put_attr(out, label);
	buf_printf(out,
		   "\" shape-rendering=\"crispEdges\"><rect width=\"%d\" "
		   "height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		   size, size);
	for (y = 0; y < qr->width; y++) {
		for (x = 0; x < qr->width; x += run) {
			const unsigned char *row = qr->data + y * qr->width;

			run = 1;
			if (!(row[x] & 1))
				continue;
			while (x + run < qr->width && (row[x + run] & 1))
				run++;
			buf_printf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET,
				   y + QR_QUIET, run, run);
		}
	}
	buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	return out->err;
}
