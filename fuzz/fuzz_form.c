/*
 * fuzz_form.c - libFuzzer target for the POSTed-form decoder
 * (src/http/form.c): urlencoded and multipart/form-data bodies, as
 * server.c feeds them, with no connection.
 *
 * The input's first line (up to '\n', cut at a NUL) is the Content-Type;
 * the rest is the body. The body is decoded twice, once fed at once and
 * once in pieces whose size the first body byte picks: both must agree
 * on whether the form is malformed, on its field count and on every
 * value, and every field a decoded form has must be found by its name.
 * (A fuzz target may include a module's _int.h: it stands where server.c
 * stands.)
 */
#include <stdbool.h>

#include "fuzz.h"
#include "http/http.h"
#include "http/http_int.h"
#include "util/limits.h"

/* Decodes body[0..len) in pieces of step bytes. Returns the form, or
 * NULL when the content type is not a form. */
static struct http_form *decode(const char *ct, const char *body, size_t len,
                                size_t step) {
  struct http_form *f = http_form_new(ct, GZ_LIMIT_BODY_BYTES);
  size_t off = 0;

  if (!f)
    return NULL;
  while (off < len) {
    size_t n = len - off < step ? len - off : step;

    http_form_feed(f, body + off, n);
    off += n;
  }
  (void)http_form_finish(f);
  return f;
}

/* The names a form may hold, to look values up in both decodings. */
static const char *const names[] = {
    "name", "email", "text", "answer", "token", "website", "a", "", "x y",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nl = size ? memchr(data, '\n', size) : NULL;
  size_t ct_len = nl ? (size_t)(nl - data) : size;
  char *ct = fuzz_strdup(data, ct_len);
  size_t body_len = nl ? size - ct_len - 1 : 0;
  char *body = fuzz_dup(nl ? nl + 1 : data, body_len);
  size_t step = body_len ? (size_t)(unsigned char)body[0] % 17 + 1 : 1;
  struct http_form *whole = decode(ct, body, body_len, body_len + 1);
  struct http_form *pieces = decode(ct, body, body_len, step);
  size_t i;

  if (!whole != !pieces)
    abort();
  if (whole) {
    bool ok1 = http_form_finish(whole), ok2 = http_form_finish(pieces);
    size_t n = http_form_count(whole);

    if (ok1 != ok2 || n != http_form_count(pieces) ||
        n > GZ_LIMIT_FORM_FIELDS || (!ok1 && n))
      abort();
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
      const char *a = http_form_get(whole, names[i]);
      const char *b = http_form_get(pieces, names[i]);

      struct http_file fa, fb;
      bool ha, hb;

      if (!a != !b || (a && strcmp(a, b) != 0))
        abort();
      /* A file part: the same bytes however the body came in. */
      ha = http_form_file(whole, names[i], &fa);
      hb = http_form_file(pieces, names[i], &fb);
      if (ha != hb || (ha && (fa.len != fb.len ||
                              memcmp(fa.data, fb.data, fa.len) != 0 ||
                              strcmp(fa.filename, fb.filename) != 0 ||
                              strcmp(fa.content_type, fb.content_type) != 0)))
        abort();
    }
  }
  http_form_free(whole);
  http_form_free(pieces);
  free(body);
  free(ct);
  return 0;
}
