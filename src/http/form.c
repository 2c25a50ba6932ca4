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
	/* A value may come in several pieces (off > 0 after the first); the
	 * pieces of a repeated name's value are all skipped. */
	if (off > 0 && form->skipping)
		return MHD_YES;
	form->skipping = false;
	for (i = 0; i < form->n; i++)
		if (strcmp(form->fields[i].name, key) == 0) {
			f = &form->fields[i];
			break;
		}
	if (f && off == 0) {
		form->skipping = true; /* a repeated name: the first stands */
		return MHD_YES;
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

	if (!form)
		return NULL;
	form->pp = MHD_create_post_processor(conn, 4096, form_on_value, form);
	if (!form->pp) {
		free(form);
		return NULL;
	}
	return form;
}

void
http_form_feed(struct http_form *form, const char *data, size_t len)
{
	if (form->malformed)
		return;
	if (MHD_post_process(form->pp, data, len) != MHD_YES)
		form->malformed = true;
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
