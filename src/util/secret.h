/*
 * secret.h - the site secret ([security] secret in gazette.conf: 64 hex
 * digits) as the master key every module derives its own keys from
 * (crypto_kdf_derive_from_key with a context of its own): the CAPTCHA's
 * and commenter cookie's (comments/), the CSRF key (admin/), the shared
 * limits' (site/limits.c). Every node of one site has the same secret,
 * so every node derives the same keys.
 */
#ifndef GZ_UTIL_SECRET_H
#define GZ_UTIL_SECRET_H

#include <sodium.h>

/* Parses hex, exactly 2 * crypto_kdf_KEYBYTES hex digits and nothing
 * else, into master. Returns GZ_OK or GZ_EINVAL (NULL, another length, a
 * byte that is not a hex digit); master is then zeroed. The caller wipes
 * master (sodium_memzero) once its keys are derived. */
int gz_secret_parse(const char *hex, unsigned char master[crypto_kdf_KEYBYTES]);

#endif
