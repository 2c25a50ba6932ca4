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

/* A POSTed form being read (form.c); no connection is needed, so unit
 * tests and fuzz/fuzz_form.c drive it as server.c does. */
struct http_form;
struct http_file;

/* Starts reading a body of this Content-Type as a form of at most max
 * bytes (GZ_LIMIT_BODY_BYTES, or GZ_LIMIT_ADMIN_BODY_BYTES for the
 * editor's paths). Returns NULL when it is not a form gazette reads
 * (urlencoded, or multipart with a valid boundary), or when out of
 * memory. Free with http_form_free. */
struct http_form *http_form_new(const char *content_type, size_t max);
/* Feeds the next piece of body. Past the form's max it is malformed. */
void http_form_feed(struct http_form *form, const char *data, size_t len);
/* Ends the body and decodes it. Returns false when the form is
 * malformed; it then has no fields. */
bool http_form_finish(struct http_form *form);
/* After a successful finish: the number of fields (each value of a
 * repeated name counts), and a field's first value (NULL when absent),
 * valid until http_form_free. */
size_t http_form_count(const struct http_form *form);
const char *http_form_get(const struct http_form *form, const char *name);
/* Every value of name, in the body's order: the first max go to
 * values[0..max) (valid until http_form_free). Returns how many there
 * are, which may be more than max. */
size_t http_form_all(const struct http_form *form, const char *name,
                     const char **values, size_t max);
/* Finds the first file part named name: true with *out filled (valid
 * until http_form_free), false when there is none. */
bool http_form_file(const struct http_form *form, const char *name,
                    struct http_file *out);
/* Frees form; NULL does nothing. */
void http_form_free(struct http_form *form);

#endif
