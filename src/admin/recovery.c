/*
 * recovery.c - recovery codes: the way in when the phone with the
 * authenticator is lost.
 *
 * Data flow: TOTP enrolment makes GZ_LIMIT_RECOVERY_CODES codes with
 * admin_recovery_new, shows them once and gives their hashes to
 * store_recovery_set; the sign-in page hashes what is typed with
 * admin_recovery_hash and spends it with store_recovery_use.
 *
 * A code is ten characters of ADMIN_ALPHABET (about 49.5 bits) shown as
 * "xxxxx-xxxxx"; its hash is BLAKE2b-256 of the ten characters, so the
 * store never holds a usable code. Typing is forgiving: case, spaces
 * and dashes do not matter.
 *
 * Invariants: input is read at most RECOVERY_INPUT_MAX bytes; nothing
 * here allocates.
 */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "admin/admin_int.h"
#include "util/err.h"

#define RECOVERY_CHARS 10u
/* The most bytes of a typed code we read: ten characters with room for
 * generous spacing; anything longer is not a code. */
#define RECOVERY_INPUT_MAX 64u

static const char recovery_alphabet[] = ADMIN_ALPHABET;

_Static_assert(ADMIN_RECOVERY_LEN == RECOVERY_CHARS + 1, "xxxxx-xxxxx");

static void
recovery_hash_of(const char norm[RECOVERY_CHARS],
		 unsigned char hash[ADMIN_HASH_BYTES])
{
	crypto_generichash(hash, ADMIN_HASH_BYTES, (const unsigned char *)norm,
			   RECOVERY_CHARS, NULL, 0);
}

void
admin_recovery_new(char code[ADMIN_RECOVERY_LEN + 1],
		   unsigned char hash[ADMIN_HASH_BYTES])
{
	char norm[RECOVERY_CHARS];
	size_t i;

	assert(code != NULL && hash != NULL);
	for (i = 0; i < RECOVERY_CHARS; i++)
		norm[i] = recovery_alphabet[randombytes_uniform(
			(uint32_t)(sizeof(recovery_alphabet) - 1))];
	memcpy(code, norm, 5);
	code[5] = '-';
	memcpy(code + 6, norm + 5, 5);
	code[ADMIN_RECOVERY_LEN] = '\0';
	recovery_hash_of(norm, hash);
	sodium_memzero(norm, sizeof(norm));
}

int
admin_recovery_hash(const char *code, unsigned char hash[ADMIN_HASH_BYTES])
{
	char norm[RECOVERY_CHARS];
	size_t len, i, n = 0;
	int rc = GZ_EINVAL;

	assert(hash != NULL);
	if (!code)
		return GZ_EINVAL;
	len = strnlen(code, RECOVERY_INPUT_MAX + 1);
	if (len > RECOVERY_INPUT_MAX)
		return GZ_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)code[i];

		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c == '\0' || !strchr(recovery_alphabet, c) ||
		    n == RECOVERY_CHARS)
			goto out;
		norm[n++] = (char)c;
	}
	if (n != RECOVERY_CHARS)
		goto out;
	recovery_hash_of(norm, hash);
	rc = GZ_OK;
out:
	sodium_memzero(norm, sizeof(norm));
	return rc;
}
