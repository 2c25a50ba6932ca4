/*
 * secret.c - the site secret parsed into a key-derivation master key
 * (secret.h), one way for every module.
 */
#include <string.h>

#include "util/err.h"
#include "util/secret.h"

int
gz_secret_parse(const char *hex, unsigned char master[crypto_kdf_KEYBYTES])
{
	const size_t digits = 2 * crypto_kdf_KEYBYTES;
	const char *end = NULL;
	size_t bin_len = 0;

	if (!hex || strnlen(hex, digits + 1) != digits ||
	    sodium_hex2bin(master, crypto_kdf_KEYBYTES, hex, digits, NULL,
			   &bin_len, &end) != 0 ||
	    bin_len != crypto_kdf_KEYBYTES || end != hex + digits) {
		sodium_memzero(master, crypto_kdf_KEYBYTES);
		return GZ_EINVAL;
	}
	return GZ_OK;
}
