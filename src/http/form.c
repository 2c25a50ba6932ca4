/*
 * form.c - reading a POSTed form (application/x-www-form-urlencoded or
 * multipart/form-data) with libmicrohttpd's post processor.
 *
 * The processor hands values over in pieces; each is appended to its
 * field's capped buffer. Repeated names keep the first value; a value
 * holding a NUL byte makes the form malformed. The whole
 * form is bounded by GZ_LIMIT_BODY_BYTES and GZ_LIMIT_FORM_FIELDS: past
 * either, the form is malformed and the request is answered 400 (413 for
 * a body over the limit is decided earlier, in server.c).
 */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "http/http_int.h"
#include "util/err.h"

static enum MHD_Result
form_on_value(void *cls, enum MHD_ValueKind kind, const char *key,
	      const char *filename, const char *content_type,
	      const char *transfer_encoding, const char *data, uint64_t off,
	      size_t size)
{
	struct http_form *form = cls;
	struct http_form_field *f = NULL;
	size_t i;

	if (!key || filename) {
		/* Uploads are not part of any gazette form. */
		form->malformed = true;
		return MHD_NO;
	}
	/* A value may come in several pieces: a piece continues the value
	 * being read when it has the same name and starts where the last one
	 * ended (libmicrohttpd may also hand over an empty piece first, so
	 * off alone does not tell). Any other piece starts a value; one whose
	 * name was seen before is a repeat, skipped whole: the first stands. */
	if (form->cur && strcmp(form->cur->name, key) == 0 &&
	    off == form->cur_off) {
		form->cur_off += size;
		if (form->skipping)
			return MHD_YES;
		f = form->cur;
	} else {
		form->skipping = false;
		for (i = 0; i < form->n; i++)
			if (strcmp(form->fields[i].name, key) == 0) {
				form->cur = &form->fields[i];
				form->cur_off = off + size;
				form->skipping = true;
				return MHD_YES;
			}
	}
	if (!f) {
		if (form->n == GZ_LIMIT_FORM_FIELDS) {
			form->malformed = true;
			return MHD_NO;
		}
		f = &form->fields[form->n];
		if (!(f->name = strdup(key))) {
			form->malformed = true;
			return MHD_NO;
		}
		buf_init(&f->value, GZ_LIMIT_BODY_BYTES);
		/* An empty value must still read as "" rather than absent. */
		buf_append(&f->value, "", 0);
		form->n++;
		form->bytes += strlen(key);
		form->cur = f;
		form->cur_off = off + size;
	}
	form->bytes += size;
	/* A NUL inside a value would cut it short unseen: refuse it. */
	if (form->bytes > GZ_LIMIT_BODY_BYTES || memchr(data, '\0', size) ||
	    buf_append(&f->value, data, size) != GZ_OK) {
		form->malformed = true;
		return MHD_NO;
	}
	return MHD_YES;
}

struct http_form *
http_form_new(struct MHD_Connection *conn)
{
	struct http_form *form = calloc(1, sizeof(*form));
	const char *ct;

	if (!form)
		return NULL;
	form->pp = MHD_create_post_processor(conn, 4096, form_on_value, form);
	if (!form->pp) {
		free(form);
		return NULL;
	}
	ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_CONTENT_TYPE);
	form->urlencoded = ct && strncasecmp(ct,
		MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
		strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) == 0;
	return form;
}

/* libmicrohttpd takes "%ZZ" and a lone "%" in an urlencoded body
 * literally; gazette refuses them, as it refuses any malformed form. The
 * state (form->pct: hex digits still due) carries across pieces. */
static bool
form_percent_ok(struct http_form *form, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = data[i];

		if (form->pct) {
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			      (c >= 'A' && c <= 'F')))
				return false;
			form->pct--;
		} else if (c == '%') {
			form->pct = 2;
		}
	}
	return true;
}

void
http_form_feed(struct http_form *form, const char *data, size_t len)
{
	if (form->malformed)
		return;
	if (form->urlencoded && !form_percent_ok(form, data, len)) {
		form->malformed = true;
		return;
	}
	if (MHD_post_process(form->pp, data, len) != MHD_YES)
		form->malformed = true;
}

bool
http_form_finish(struct http_form *form)
{
	if (form->pct)
		form->malformed = true; /* the body ended inside "%XX" */
	return !form->malformed;
}

void
http_form_free(struct http_form *form)
{
	size_t i;

	if (!form)
		return;
	if (form->pp)
		MHD_destroy_post_processor(form->pp);
	for (i = 0; i < form->n; i++) {
		free(form->fields[i].name);
		buf_fini(&form->fields[i].value);
	}
	free(form);
}

const char *
http_req_form(const struct http_req *req, const char *name)
{
	const struct http_form *form = req->form;
	size_t i;

	if (!form)
		return NULL;
	for (i = 0; i < form->n; i++)
		if (strcmp(form->fields[i].name, name) == 0)
			return form->fields[i].value.data;
	return NULL;
}
