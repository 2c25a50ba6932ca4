/* test_http_form.c - decoding POSTed forms without a connection
 * (src/http/form.c): urlencoded and multipart/form-data, the refusals,
 * bodies fed in pieces, and pathological inputs within the body limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first. */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "http/http_int.h"
#include "util/limits.h"

#define URLENC "application/x-www-form-urlencoded"
#define MULTI "multipart/form-data; boundary=XyZ"

/* Decodes body (len bytes) of content type ct, fed in pieces of step
 * bytes (0: at once). Returns the form when it decoded, else frees it
 * and returns NULL. Caller frees with http_form_free. */
static struct http_form *decode_n(const char *ct, const char *body, size_t len,
                                  size_t step) {
  struct http_form *f = http_form_new(ct, GZ_LIMIT_BODY_BYTES);
  size_t off = 0;

  assert_non_null(f);
  if (!step)
    step = len ? len : 1;
  while (off < len) {
    size_t n = len - off < step ? len - off : step;

    http_form_feed(f, body + off, n);
    off += n;
  }
  if (!http_form_finish(f)) {
    assert_int_equal(http_form_count(f), 0);
    http_form_free(f);
    return NULL;
  }
  return f;
}

static struct http_form *decode(const char *ct, const char *body) {
  return decode_n(ct, body, strlen(body), 0);
}

static void test_content_types(void **state) {
  struct http_form *f;

  (void)state;
  assert_null(http_form_new(NULL, GZ_LIMIT_BODY_BYTES));
  assert_null(http_form_new("text/plain", GZ_LIMIT_BODY_BYTES));
  assert_null(http_form_new("application/x-www-form-urlencodedx", GZ_LIMIT_BODY_BYTES));
  assert_null(http_form_new("multipart/form-data", GZ_LIMIT_BODY_BYTES));
  assert_null(http_form_new("multipart/form-data; boundary=", GZ_LIMIT_BODY_BYTES));
  assert_null(http_form_new("multipart/form-data; boundary=\"a b \"", GZ_LIMIT_BODY_BYTES));
  assert_null(http_form_new("multipart/form-data; boundary=\"unterminated", GZ_LIMIT_BODY_BYTES));
  assert_null(http_form_new("multipart/form-data; boundary=a{b", GZ_LIMIT_BODY_BYTES));
  assert_null(http_form_new("multipart/mixed; boundary=abc", GZ_LIMIT_BODY_BYTES));
  /* 71 characters: one too many for RFC 2046. */
  assert_null(http_form_new("multipart/form-data; boundary="
                            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                            "aaaaaaaaaaaaaaaaaaaaa", GZ_LIMIT_BODY_BYTES));
  f = http_form_new("APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8", GZ_LIMIT_BODY_BYTES);
  assert_non_null(f);
  http_form_free(f);
  f = http_form_new("multipart/form-data; charset=utf-8; BOUNDARY=\"a'b c\"", GZ_LIMIT_BODY_BYTES);
  assert_non_null(f);
  http_form_free(f);
  http_form_free(NULL);
}

static void test_urlencoded(void **state) {
  struct http_form *f;

  (void)state;
  f = decode(URLENC, "name=Ann+Lee&text=caf%C3%A9%21&empty=&bare&&a=1&a=2");
  assert_non_null(f);
  assert_int_equal(http_form_count(f), 6); /* both a's */
  assert_string_equal(http_form_get(f, "name"), "Ann Lee");
  assert_string_equal(http_form_get(f, "text"), "caf\xc3\xa9!");
  assert_string_equal(http_form_get(f, "empty"), "");
  assert_string_equal(http_form_get(f, "bare"), "");
  assert_string_equal(http_form_get(f, "a"), "1"); /* the first stands */
  assert_null(http_form_get(f, "missing"));
  http_form_free(f);

  f = decode(URLENC, "x=a%3Db%26c&y%20z=%2B");
  assert_non_null(f);
  assert_string_equal(http_form_get(f, "x"), "a=b&c");
  assert_string_equal(http_form_get(f, "y z"), "+");
  http_form_free(f);

  f = decode(URLENC, "");
  assert_non_null(f);
  assert_int_equal(http_form_count(f), 0);
  http_form_free(f);
}

static void test_urlencoded_refused(void **state) {
  (void)state;
  assert_null(decode(URLENC, "a=%ZZ"));
  assert_null(decode(URLENC, "a=%4"));
  assert_null(decode(URLENC, "a=%"));
  assert_null(decode(URLENC, "a=1%00"));
  assert_null(decode(URLENC, "a%00=1"));
  assert_null(decode_n(URLENC, "a=1\0b", 5, 0));
}

static void test_pieces(void **state) {
  static const char body[] = "name=Ann+Lee&text=caf%C3%A9%21";
  static const char multi[] =
      "--XyZ\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n"
      "hello\r\nworld\r\n--XyZ--\r\n";
  struct http_form *f;
  size_t step;

  (void)state;
  for (step = 1; step < sizeof(body); step++) {
    f = decode_n(URLENC, body, sizeof(body) - 1, step);
    assert_non_null(f);
    assert_string_equal(http_form_get(f, "text"), "caf\xc3\xa9!");
    http_form_free(f);
  }
  for (step = 1; step < sizeof(multi); step++) {
    f = decode_n(MULTI, multi, sizeof(multi) - 1, step);
    assert_non_null(f);
    assert_string_equal(http_form_get(f, "text"), "hello\r\nworld");
    http_form_free(f);
  }
}

static void test_multipart(void **state) {
  struct http_form *f;

  (void)state;
  f = decode(MULTI, "preamble, ignored\r\n"
                    "--XyZ  \r\n"
                    "Content-Disposition: form-data; name=\"name\"\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    "\r\n"
                    "Ann\r\n"
                    "--XyZ\r\n"
                    "content-disposition: FORM-DATA; name=answer\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n"
                    "\r\n"
                    "4\r\n"
                    "--XyZ\r\n"
                    "Content-Disposition: form-data; name=\"q\\\"uo\"\r\n"
                    "\r\n"
                    "--XyZ is not a delimiter without its CRLF\r\n"
                    "--XyZ\r\n"
                    "Content-Disposition: form-data; name=\"name\"\r\n"
                    "\r\n"
                    "Repeat\r\n"
                    "--XyZ\r\n"
                    "Content-Disposition: form-data; name=\"empty\"\r\n"
                    "\r\n"
                    "\r\n"
                    "--XyZ--\r\n"
                    "epilogue, ignored");
  assert_non_null(f);
  assert_int_equal(http_form_count(f), 5); /* both names */
  assert_string_equal(http_form_get(f, "name"), "Ann");
  assert_string_equal(http_form_get(f, "answer"), "4");
  assert_string_equal(http_form_get(f, "q\"uo"),
                      "--XyZ is not a delimiter without its CRLF");
  assert_string_equal(http_form_get(f, "empty"), "");
  http_form_free(f);

  /* The close delimiter right after the first one: no fields. */
  f = decode(MULTI, "--XyZ--");
  assert_non_null(f);
  assert_int_equal(http_form_count(f), 0);
  http_form_free(f);
}

static void test_multipart_refused(void **state) {
  static const char nul_body[] =
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
      "x\0y\r\n--XyZ--";
  char name[200];

  (void)state;
  assert_null(decode(MULTI, ""));
  assert_null(decode(MULTI, "no delimiter at all"));
  /* No closing delimiter: the last part may have been cut short. */
  assert_null(decode(
      MULTI, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx"));
  /* An upload named the way RFC 7578 4.2 says not to. */
  assert_null(decode(MULTI,
                     "--XyZ\r\nContent-Disposition: form-data; name=\"a\"; "
                     "filename*=UTF-8''x.txt\r\n\r\nx\r\n--XyZ--"));
  /* No name, not form-data, a header without a colon, an unknown
   * transfer encoding, headers that never end. */
  assert_null(decode(
      MULTI, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--"));
  assert_null(decode(
      MULTI,
      "--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--XyZ--"));
  assert_null(decode(
      MULTI,
      "--XyZ\r\nContent-Disposition form-data; name=a\r\n\r\nx\r\n--XyZ--"));
  assert_null(decode(
      MULTI, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\neA==\r\n--XyZ--"));
  assert_null(
      decode(MULTI, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n"));
  assert_null(decode(
      MULTI,
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--"));
  /* Junk after a delimiter. */
  assert_null(decode(MULTI, "--XyZjunk\r\nContent-Disposition: form-data; "
                            "name=a\r\n\r\nx\r\n--XyZ--"));
  assert_null(decode_n(MULTI, nul_body, sizeof(nul_body) - 1, 0));
  /* A name longer than GZ_LIMIT_FORM_NAME_BYTES. */
  memset(name, 'n', sizeof(name));
  name[GZ_LIMIT_FORM_NAME_BYTES + 1] = '\0';
  {
    char body[400];
    int n = snprintf(body, sizeof(body),
                     "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n"
                     "\r\nx\r\n--XyZ--",
                     name);

    assert_true(n > 0 && (size_t)n < sizeof(body));
    assert_null(decode(MULTI, body));
  }
}

/* Pathological inputs, each as large as a body may be: every one is
 * decoded (or refused) in one linear pass. */
/* A file part is kept apart from the fields, NUL bytes and all, with
 * its filename and type; a field still may not hold a NUL. */
static void test_multipart_files(void **state) {
  static const char body[] =
      "--XyZ\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n"
      "A heron\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; "
      "filename=\"heron.jpg\"\r\nContent-Type: image/jpeg  \r\n\r\n"
      "\xff\xd8\0\r\n\0\xff\xd9\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"empty\"; "
      "filename=\"\"\r\n\r\n\r\n--XyZ--";
  struct http_form *f = decode_n(MULTI, body, sizeof(body) - 1, 0);
  struct http_file file;
  char many[2048];
  size_t i, n = 0;

  (void)state;
  assert_non_null(f);
  assert_string_equal(http_form_get(f, "alt"), "A heron");
  assert_null(http_form_get(f, "photo")); /* a file is no field */
  assert_true(http_form_file(f, "photo", &file));
  assert_string_equal(file.filename, "heron.jpg");
  assert_string_equal(file.content_type, "image/jpeg");
  assert_int_equal(file.len, 8);
  assert_memory_equal(file.data, "\xff\xd8\0\r\n\0\xff\xd9", 8);
  assert_true(http_form_file(f, "empty", &file));
  assert_string_equal(file.filename, "");
  assert_string_equal(file.content_type, "");
  assert_int_equal(file.len, 0);
  assert_false(http_form_file(f, "alt", &file));
  http_form_free(f);

  /* The same, fed a byte at a time. */
  f = decode_n(MULTI, body, sizeof(body) - 1, 1);
  assert_non_null(f);
  assert_true(http_form_file(f, "photo", &file));
  assert_int_equal(file.len, 8);
  http_form_free(f);

  /* More files than GZ_LIMIT_FORM_FILES. */
  for (i = 0; i <= GZ_LIMIT_FORM_FILES; i++)
    n += (size_t)snprintf(many + n, sizeof(many) - n,
                          "--XyZ\r\nContent-Disposition: form-data; "
                          "name=\"f%zu\"; filename=\"a\"\r\n\r\nx\r\n",
                          i);
  n += (size_t)snprintf(many + n, sizeof(many) - n, "--XyZ--");
  assert_null(decode_n(MULTI, many, n, 0));

  /* A filename longer than GZ_LIMIT_FORM_FILENAME_BYTES. */
  n = (size_t)snprintf(many, sizeof(many),
                       "--XyZ\r\nContent-Disposition: form-data; "
                       "name=\"f\"; filename=\"");
  for (i = 0; i <= GZ_LIMIT_FORM_FILENAME_BYTES; i++)
    many[n++] = 'a';
  n += (size_t)snprintf(many + n, sizeof(many) - n,
                        "\"\r\n\r\nx\r\n--XyZ--");
  assert_null(decode_n(MULTI, many, n, 0));
}

static void test_pathological(void **state) {
  size_t max = GZ_LIMIT_BODY_BYTES, i;
  char *body = malloc(max + 2);
  struct http_form *f;

  (void)state;
  assert_non_null(body);
  memset(body, '&', max);
  f = decode_n(URLENC, body, max, 0);
  assert_non_null(f);
  assert_int_equal(http_form_count(f), 0);
  http_form_free(f);

  /* One field of %41 repeated. */
  body[0] = 'a';
  body[1] = '=';
  for (i = 2; i + 3 <= max; i += 3)
    memcpy(body + i, "%41", 3);
  f = decode_n(URLENC, body, i, 0);
  assert_non_null(f);
  assert_int_equal(strlen(http_form_get(f, "a")), (i - 2) / 3);
  http_form_free(f);

  /* Many fields: past GZ_LIMIT_FORM_FIELDS the form is refused. */
  for (i = 0; i + 4 <= max; i += 4) {
    body[i] = (char)('a' + (i / 4) % 26);
    body[i + 1] = (char)('a' + (i / 104) % 26);
    body[i + 2] = (char)('a' + (i / 2704) % 26);
    body[i + 3] = '&';
  }
  assert_null(decode_n(URLENC, body, i, 0));

  /* A multipart body of nothing but near-delimiters. */
  for (i = 0; i + 7 <= max; i += 7)
    memcpy(body + i, "\r\n--XyY", 7);
  assert_null(decode_n(MULTI, body, i, 0));

  /* One byte over the body limit. */
  memset(body, 'a', max + 1);
  assert_null(decode_n(URLENC, body, max + 1, 4096));
  free(body);
}

/* Every value of a repeated name, in order (http_form_all), and a form
 * whose max is the admin's: more than GZ_LIMIT_BODY_BYTES is taken, one
 * byte past its own max is not. */
static void test_repeated_and_max(void **state) {
  struct http_form *f;
  const char *v[3];
  char *body;
  size_t i, max = GZ_LIMIT_ADMIN_BODY_BYTES;

  (void)state;
  f = decode(URLENC, "id=4&csrf=x&id=9&id=12&id=&other=1");
  assert_non_null(f);
  assert_int_equal(http_form_all(f, "id", v, 3), 4);
  assert_string_equal(v[0], "4");
  assert_string_equal(v[1], "9");
  assert_string_equal(v[2], "12");
  assert_int_equal(http_form_all(f, "csrf", v, 3), 1);
  assert_string_equal(v[0], "x");
  assert_int_equal(http_form_all(f, "missing", v, 3), 0);
  assert_string_equal(http_form_get(f, "id"), "4");
  http_form_free(f);

  f = decode(MULTI, "--XyZ\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n"
                    "1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"id\"\r\n"
                    "\r\n2\r\n--XyZ--");
  assert_non_null(f);
  assert_int_equal(http_form_all(f, "id", v, 1), 2); /* one kept */
  assert_string_equal(v[0], "1");
  http_form_free(f);

  /* GZ_LIMIT_FORM_VALUES ids and a few more fields fit. */
  body = malloc(max + 1);
  assert_non_null(body);
  body[0] = '\0';
  for (i = 0; i < GZ_LIMIT_FORM_VALUES; i++) {
    size_t len = strlen(body);

    snprintf(body + len, max - len, "id=%zu&", i + 1);
  }
  snprintf(body + strlen(body), max - strlen(body), "%s",
           "csrf=t&action=approve&status=pending");
  f = decode(URLENC, body);
  assert_non_null(f);
  assert_int_equal(http_form_all(f, "id", v, 3), GZ_LIMIT_FORM_VALUES);
  http_form_free(f);

  /* An admin body: past GZ_LIMIT_BODY_BYTES, up to its max. */
  memcpy(body, "body=", 5);
  memset(body + 5, 'a', max - 5);
  f = http_form_new(URLENC, max);
  assert_non_null(f);
  for (i = 0; i < max; i += 4096)
    http_form_feed(f, body + i, max - i < 4096 ? max - i : 4096);
  assert_true(http_form_finish(f));
  assert_int_equal(strlen(http_form_get(f, "body")), max - 5);
  http_form_free(f);
  f = http_form_new(URLENC, max);
  assert_non_null(f);
  http_form_feed(f, body, max);
  http_form_feed(f, "a", 1);
  assert_false(http_form_finish(f));
  http_form_free(f);
  /* The same body under the ordinary limit is refused. */
  f = http_form_new(URLENC, GZ_LIMIT_BODY_BYTES);
  assert_non_null(f);
  http_form_feed(f, body, GZ_LIMIT_BODY_BYTES + 1);
  assert_false(http_form_finish(f));
  http_form_free(f);
  free(body);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_content_types),
      cmocka_unit_test(test_urlencoded),
      cmocka_unit_test(test_urlencoded_refused),
      cmocka_unit_test(test_pieces),
      cmocka_unit_test(test_multipart),
      cmocka_unit_test(test_multipart_refused),
      cmocka_unit_test(test_multipart_files),
      cmocka_unit_test(test_pathological),
      cmocka_unit_test(test_repeated_and_max),
  };

  return cmocka_run_group_tests_name("http_form", tests, NULL, NULL);
}
