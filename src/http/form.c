/*
 * form.c - decoding a POSTed form: application/x-www-form-urlencoded
 * (WHATWG URL standard, section 5) or multipart/form-data (RFC 7578 over
 * RFC 2046's multipart syntax).
 *
 * The decoder needs no connection: server.c hands it the request's
 * Content-Type, then the body in pieces, then asks for the fields. That
 * keeps it unit-testable and fuzzable on its own (fuzz/fuzz_form.c).
 * libmicrohttpd's post processor cannot be used that way (it reads the
 * Content-Type from a live connection), and it takes "%ZZ" literally
 * where gazette refuses it.
 *
 * The body is at most the form's max (GZ_LIMIT_BODY_BYTES, or
 * GZ_LIMIT_ADMIN_BODY_BYTES for the editor's /admin/articles: server.c
 * decides), so it is buffered whole and decoded in place when it ends:
 * names and values are NUL-terminated pieces of the one buffer, never
 * longer than what encoded them. Rules: a repeated name keeps every
 * value in order (http_form_get answers the first, http_form_all all of
 * them); a name or value holding a NUL
 * byte, a bad percent escape, more than GZ_LIMIT_FORM_FIELDS fields or
 * GZ_LIMIT_FORM_FILES files, or a multipart body without its closing
 * delimiter make the form malformed,
 * and the request is answered 400 (413 for a body over the limit is
 * decided earlier, in server.c).
 *
 * A multipart part with a filename parameter is a file (an upload, RFC
 * 7578 4.2): its bytes may be anything, NULs included, so it is kept
 * apart from the fields (http_form_file), never answered as a field's
 * value, and its length is kept rather than a terminator relied on.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "http/http_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"

enum form_kind { FORM_URLENCODED, FORM_MULTIPART };

struct form_field {
  const char *name;  /* NUL-terminated, inside body */
  const char *value; /* NUL-terminated, inside body */
};

struct form_file {
  const char *name;         /* NUL-terminated, inside body */
  const char *filename;     /* "" when the part named none */
  const char *content_type; /* "" when the part had no Content-Type */
  const char *data;         /* inside body; may hold NULs */
  size_t len;
};

struct http_form {
  enum form_kind kind;
  char boundary[GZ_LIMIT_FORM_BOUNDARY + 1];
  size_t boundary_len;
  size_t max;      /* the most body bytes taken */
  struct buf body; /* the whole body, decoded in place at the end */
  struct form_field fields[GZ_LIMIT_FORM_FIELDS];
  size_t n;
  struct form_file files[GZ_LIMIT_FORM_FILES];
  size_t nfiles;
  bool malformed;
  bool finished;
};

/* RFC 9110 5.6.2 tchar: what an unquoted parameter value may hold. */
static bool form_is_tchar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 2046 5.1.1 bchars: what a boundary may hold. */
static bool form_is_bchar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || (c && strchr("'()+_,-./:=? ", c));
}

/* The length of the spaces and tabs at [p, end). */
static size_t form_ows(const char *p, const char *end) {
  const char *q = p;

  while (q < end && (*q == ' ' || *q == '\t'))
    q++;
  return (size_t)(q - p);
}

/*
 * Reads one "; name=value" parameter of a header value at *pp (RFC 9110
 * 5.6.6), value a token or a quoted-string. Outputs: the name in
 * [*name, *name + *name_len), the value unquoted into out (at most
 * out_size - 1 bytes, NUL-terminated; longer is bad syntax). Advances
 * *pp past it. Returns false at the end of the parameters or on bad
 * syntax (*bad set).
 */
static bool form_param(const char **pp, const char *end, const char **name,
                       size_t *name_len, char *out, size_t out_size,
                       bool *bad) {
  const char *p = *pp + form_ows(*pp, end);
  size_t n = 0;

  if (p == end)
    return false;
  if (*p != ';')
    goto bad;
  p++;
  p += form_ows(p, end);
  *name = p;
  while (p < end && form_is_tchar(*p))
    p++;
  *name_len = (size_t)(p - *name);
  if (!*name_len || p == end || *p != '=')
    goto bad;
  p++;
  if (p < end && *p == '"') {
    for (p++; p < end && *p != '"'; p++) {
      if (*p == '\\' && ++p == end)
        goto bad;
      if (*p == '\r' || *p == '\n' || *p == '\0' || n + 1 >= out_size)
        goto bad;
      out[n++] = *p;
    }
    if (p == end)
      goto bad;
    p++;
  } else {
    for (; p < end && form_is_tchar(*p); p++) {
      if (n + 1 >= out_size)
        goto bad;
      out[n++] = *p;
    }
    if (!n)
      goto bad;
  }
  out[n] = '\0';
  *pp = p;
  return true;
bad:
  *bad = true;
  return false;
}

/* True when the media type at s is exactly type (case-insensitive),
 * followed by its end, parameters or whitespace. Output: *rest. */
static bool form_media_type(const char *s, const char *type,
                            const char **rest) {
  size_t n = strlen(type);

  if (strncasecmp(s, type, n) != 0 ||
      (s[n] && s[n] != ';' && s[n] != ' ' && s[n] != '\t'))
    return false;
  *rest = s + n;
  return true;
}

struct http_form *http_form_new(const char *content_type, size_t max) {
  struct http_form *form = NULL;
  const char *p, *end, *name;
  char value[GZ_LIMIT_FORM_BOUNDARY + 1];
  size_t name_len;
  bool bad = false;

  if (!content_type)
    return NULL;
  if (!(form = calloc(1, sizeof(*form))))
    return NULL;
  /* One byte more than the body: the last value's terminating NUL. */
  form->max = max;
  buf_init(&form->body, max + 1);
  if (form_media_type(content_type, "application/x-www-form-urlencoded", &p)) {
    form->kind = FORM_URLENCODED;
    return form; /* parameters (a charset) change nothing */
  }
  if (!form_media_type(content_type, "multipart/form-data", &p))
    goto fail;
  form->kind = FORM_MULTIPART;
  end = p + strlen(p);
  while (form_param(&p, end, &name, &name_len, value, sizeof(value), &bad)) {
    if (name_len == 8 && strncasecmp(name, "boundary", 8) == 0 &&
        !form->boundary_len) {
      form->boundary_len = strlen(value);
      memcpy(form->boundary, value, form->boundary_len + 1);
    }
  }
  if (bad || !form->boundary_len)
    goto fail;
  /* 1 to 70 bchars, not ending in a space (RFC 2046 5.1.1). */
  for (p = form->boundary; *p; p++)
    if (!form_is_bchar(*p))
      goto fail;
  if (form->boundary[form->boundary_len - 1] == ' ')
    goto fail;
  return form;
fail:
  http_form_free(form);
  return NULL;
}

void http_form_feed(struct http_form *form, const char *data, size_t len) {
  if (form->malformed || form->finished)
    return;
  /* Over the limit is 413, decided by server.c; here it only stops. */
  if (len > form->max - form->body.len ||
      buf_append(&form->body, data, len) != GZ_OK)
    form->malformed = true;
}

/* Adds a field; a repeated name adds another value after the earlier
 * ones. Returns false when the form already has as many fields as
 * allowed. */
static bool form_add(struct http_form *form, const char *name,
                     const char *value) {
  if (form->n == GZ_LIMIT_FORM_FIELDS)
    return false;
  form->fields[form->n].name = name;
  form->fields[form->n].value = value;
  form->n++;
  return true;
}

static int form_hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes [s, end) in place ('+' is a space, %XX a byte) and
 * NUL-terminates it. Returns false for a bad escape or a NUL byte. */
static bool form_unescape(char *s, char *end) {
  char *out = s;
  int hi, lo;

  for (; s < end; s++) {
    char c = *s;

    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (end - s < 3 || (hi = form_hex(s[1])) < 0 || (lo = form_hex(s[2])) < 0)
        return false;
      c = (char)(hi << 4 | lo);
      s += 2;
    }
    if (c == '\0')
      return false;
    *out++ = c;
  }
  *out = '\0';
  return true;
}

/* name=value pairs separated by '&'; empty pairs are skipped and a pair
 * without '=' is a name with an empty value (WHATWG URL 5.1). */
static bool form_decode_urlencoded(struct http_form *form) {
  char *p = form->body.data, *end = p + form->body.len;

  while (p < end) {
    char *amp = memchr(p, '&', (size_t)(end - p));
    char *stop = amp ? amp : end;
    char *eq = memchr(p, '=', (size_t)(stop - p));
    char *value = stop; /* "" when there is no '=' */

    if (stop > p) {
      if (eq) {
        value = eq + 1;
        if (!form_unescape(value, stop))
          return false;
      } else {
        *stop = '\0';
      }
      if (!form_unescape(p, eq ? eq : stop) || !form_add(form, p, value))
        return false;
    }
    p = stop + 1;
  }
  return true;
}

/* A part's headers, as form_part_headers reads them: unquoted and
 * NUL-terminated within the headers they came from. */
struct form_part {
  const char *name;
  const char *filename;     /* NULL: not a file */
  const char *content_type; /* "" when none */
};

/* Reads a part's headers at [p, end), up to and including the empty
 * line. Outputs: *part; *next past the headers. Returns false for
 * anything but a form-data part with a name, in 7bit, 8bit or binary. */
static bool form_part_headers(char *p, char *end, struct form_part *part,
                              char **next) {
  bool have_name = false;

  part->filename = NULL;
  part->content_type = "";

  for (;;) {
    char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
    char *colon, *v;

    if (!eol)
      return false;
    if (eol == p)
      break; /* the empty line: the content follows */
    colon = memchr(p, ':', (size_t)(eol - p));
    if (!colon || colon == p)
      return false;
    v = colon + 1;
    v += form_ows(v, eol);
    if ((size_t)(colon - p) == 19 &&
        strncasecmp(p, "Content-Disposition", 19) == 0) {
      const char *q = v, *pname;
      char value[GZ_LIMIT_FORM_FILENAME_BYTES + 1];
      char name[GZ_LIMIT_FORM_NAME_BYTES + 1];
      char filename[GZ_LIMIT_FORM_FILENAME_BYTES + 1];
      size_t plen;
      bool bad = false, have_filename = false;

      if (!form_media_type(v, "form-data", &q) || have_name)
        return false;
      while (form_param(&q, eol, &pname, &plen, value, sizeof(value), &bad)) {
        if (plen == 8 && strncasecmp(pname, "filename", 8) == 0 &&
            !have_filename) {
          memcpy(filename, value, strlen(value) + 1);
          have_filename = true;
        } else if (plen == 4 && strncasecmp(pname, "name", 4) == 0 &&
                   !have_name) {
          if (strlen(value) > GZ_LIMIT_FORM_NAME_BYTES)
            return false;
          memcpy(name, value, strlen(value) + 1);
          have_name = true;
        } else if (plen == 9 && strncasecmp(pname, "filename*", 9) == 0) {
          return false; /* RFC 7578 4.2: not to be sent; never guessed at */
        }
        /* Any other parameter is ignored. */
      }
      if (bad || !have_name)
        return false;
      /* The unquoted name and filename together are never longer than
       * the header they came from (each lost its name= and quotes):
       * they are kept where "form-data" was. */
      part->name = v;
      memcpy(v, name, strlen(name) + 1);
      if (have_filename) {
        char *f = v + strlen(name) + 1;

        memcpy(f, filename, strlen(filename) + 1);
        part->filename = f;
      }
    } else if ((size_t)(colon - p) == 25 &&
               strncasecmp(p, "Content-Transfer-Encoding", 25) == 0) {
      size_t n = (size_t)(eol - v);

      while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
      if (!((n == 4 && strncasecmp(v, "7bit", 4) == 0) ||
            (n == 4 && strncasecmp(v, "8bit", 4) == 0) ||
            (n == 6 && strncasecmp(v, "binary", 6) == 0)))
        return false;
    } else if ((size_t)(colon - p) == 12 &&
               strncasecmp(p, "Content-Type", 12) == 0) {
      char *e = eol;

      while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
      *e = '\0'; /* eol's CR: the next header starts past it */
      part->content_type = v;
    }
    p = eol + 2;
  }
  *next = p + 2;
  return have_name;
}

/*
 * multipart/form-data: [preamble CRLF] "--" boundary, then parts each
 * followed by CRLF "--" boundary, the last one by "--" (RFC 2046 5.1.1).
 * After a delimiter, linear whitespace may come before its CRLF; the
 * epilogue after the close is ignored.
 */
static bool form_decode_multipart(struct http_form *form) {
  char *p = form->body.data, *end = p + form->body.len;
  char delim[GZ_LIMIT_FORM_BOUNDARY + 4] = "\r\n--";
  size_t dlen = form->boundary_len + 4;
  char *hit;

  memcpy(delim + 4, form->boundary, form->boundary_len);
  /* The first delimiter may open the body, without its CRLF. */
  if ((size_t)(end - p) >= dlen - 2 && memcmp(p, delim + 2, dlen - 2) == 0)
    p += dlen - 2;
  else if ((hit = memmem(p, (size_t)(end - p), delim, dlen)))
    p = hit + dlen;
  else
    return false;
  for (;;) {
    struct form_part part = {0};
    char *content;

    if (end - p >= 2 && p[0] == '-' && p[1] == '-')
      return true; /* the close delimiter */
    p += form_ows(p, end);
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
      return false;
    if (!form_part_headers(p + 2, end, &part, &content))
      return false;
    if (!(hit = memmem(content, (size_t)(end - content), delim, dlen)))
      return false; /* no closing delimiter */
    if (part.filename) {
      struct form_file *f;

      if (form->nfiles == GZ_LIMIT_FORM_FILES)
        return false;
      f = &form->files[form->nfiles++];
      f->name = part.name;
      f->filename = part.filename;
      f->content_type = part.content_type;
      f->data = content;
      f->len = (size_t)(hit - content);
    } else {
      if (memchr(content, '\0', (size_t)(hit - content)))
        return false;
      *hit = '\0';
      if (!form_add(form, part.name, content))
        return false;
    }
    p = hit + dlen;
  }
}

bool http_form_finish(struct http_form *form) {
  if (form->finished)
    return !form->malformed;
  form->finished = true;
  if (form->malformed)
    return false;
  /* An empty body still needs a buffer to point into. */
  if (buf_append(&form->body, "", 0) != GZ_OK) {
    form->malformed = true;
    return false;
  }
  if (form->kind == FORM_URLENCODED)
    form->malformed = !form_decode_urlencoded(form);
  else
    form->malformed = !form_decode_multipart(form);
  if (form->malformed)
    form->n = form->nfiles = 0; /* no half-read form is ever looked at */
  return !form->malformed;
}

size_t http_form_count(const struct http_form *form) { return form->n; }

const char *http_form_get(const struct http_form *form, const char *name) {
  size_t i;

  for (i = 0; i < form->n; i++)
    if (strcmp(form->fields[i].name, name) == 0)
      return form->fields[i].value;
  return NULL;
}

size_t http_form_all(const struct http_form *form, const char *name,
                     const char **values, size_t max) {
  size_t i, n = 0;

  for (i = 0; i < form->n; i++) {
    if (strcmp(form->fields[i].name, name) != 0)
      continue;
    if (n < max)
      values[n] = form->fields[i].value;
    n++;
  }
  return n;
}

bool http_form_file(const struct http_form *form, const char *name,
                    struct http_file *out) {
  size_t i;

  for (i = 0; i < form->nfiles; i++) {
    const struct form_file *f = &form->files[i];

    if (strcmp(f->name, name) != 0)
      continue;
    out->filename = f->filename;
    out->content_type = f->content_type;
    out->data = f->data;
    out->len = f->len;
    return true;
  }
  return false;
}

void http_form_free(struct http_form *form) {
  if (!form)
    return;
  buf_fini(&form->body);
  free(form);
}

const char *http_req_form(const struct http_req *req, const char *name) {
  return req->form ? http_form_get(req->form, name) : NULL;
}

size_t http_req_form_all(const struct http_req *req, const char *name,
                         const char **values, size_t max) {
  return req->form ? http_form_all(req->form, name, values, max) : 0;
}

bool http_req_form_has_files(const struct http_req *req) {
  return req->form && req->form->nfiles > 0;
}

bool http_req_form_file(const struct http_req *req, const char *name,
                        struct http_file *out) {
  return req->form ? http_form_file(req->form, name, out) : false;
}
