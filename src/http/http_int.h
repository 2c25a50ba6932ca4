/*
 * http_int.h - what the files of http/ share: a request's form, read by
 * server.c from the body and by request.c for handlers. No other module
 * includes this file.
 */
#ifndef GZ_HTTP_INT_H
#define GZ_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/limits.h"

struct MHD_Connection;
struct MHD_PostProcessor;

struct http_form_field {
	char *name;
	struct buf value;
};

/* The fields of a POSTed form, urlencoded or multipart. */
struct http_form {
	struct MHD_PostProcessor *pp;
	struct http_form_field fields[GZ_LIMIT_FORM_FIELDS];
	size_t n;
	size_t bytes;   /* names and values so far */
	bool malformed; /* bad encoding, too many fields, or too big */
	bool skipping;  /* the value being read repeats an earlier name */
	struct http_form_field *cur; /* the field whose value is being read */
	uint64_t cur_off; /* where its next piece starts */
	bool urlencoded; /* percent escapes are checked */
	unsigned pct;   /* hex digits still due after a '%' */
};

/* Starts reading conn's body as a form. Returns NULL when the content
 * type is not a form (or when out of memory). Free with http_form_free. */
struct http_form *http_form_new(struct MHD_Connection *conn);
/* Feeds a piece of body. A malformed body sets form->malformed. */
void http_form_feed(struct http_form *form, const char *data, size_t len);
/* Ends the body. Returns false when the form is malformed. */
bool http_form_finish(struct http_form *form);
void http_form_free(struct http_form *form);

#endif
