/*
 * fuzz_config.c - libFuzzer target for gazette.conf (src/config/config.c
 * over libinih): config_parse on the input, cut at its first NUL, as
 * config_load would after reading the file.
 *
 * A site's configuration is its owner's file, but one copied from a
 * forum or a half-written one should be refused with file:line, never
 * crash the server. Checks: an error message is terminated and names the
 * file; a configuration that loads has a 64-digit secret, a base_url
 * starting with http:// or https:// and without a trailing '/', valid
 * UTF-8 in its title and a listing size of at least one article.
 */
#include "config/config.h"
#include "fuzz.h"
#include "util/err.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_strdup(data, size);
  char err[256];
  struct config c;
  int rc;

  if (config_init(&c) != GZ_OK)
    abort();
  memset(err, 'x', sizeof(err));
  rc = config_parse(&c, text, "gazette.conf", err, sizeof(err));
  if (rc != GZ_OK) {
    if (!memchr(err, '\0', sizeof(err)) ||
        strncmp(err, "gazette.conf", 12) != 0)
      abort();
  } else {
    size_t n = strlen(c.base_url);

    if (strlen(c.secret) != 64 ||
        (strncmp(c.base_url, "http://", 7) != 0 &&
         strncmp(c.base_url, "https://", 8) != 0) ||
        (n && c.base_url[n - 1] == '/') ||
        !utf8_valid(c.title, strlen(c.title), NULL) || c.per_page < 1)
      abort();
  }
  config_fini(&c);
  free(text);
  return 0;
}
