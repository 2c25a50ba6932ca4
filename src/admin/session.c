/*
 * session.c - session ids and CSRF tokens.
 *
 * Data flow: sign-in makes an id with admin_session_new, sets the token
 * as the cookie and gives the hash to store_session_add; every admin
 * request hashes its cookie with admin_session_hash and looks the hash
 * up; every form carries admin_csrf_token of the session's hash, which
 * admin_csrf_check compares on the way back.
 *
 * A session id is 32 bytes of randombytes in base64url without padding
 * (43 characters); the store keeps BLAKE2b-256 of the raw bytes, so a
 * stolen database opens no session. The CSRF token is BLAKE2b-256 of
 * that hash keyed with the CSRF key: the same for the session's life,
 * and useless for any other.
 *
 * Invariants: a cookie value is read no further than its first byte that
 * is not base64url, and decoded only when it is exactly
 * ADMIN_TOKEN_LEN characters of the URL-safe alphabet that decode
 * canonically to 32 bytes; tokens are compared in constant time;
 * nothing here allocates or locks.
 */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "admin/admin_int.h"
#include "util/err.h"

#define SESSION_B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define SESSION_RAW_BYTES 32u

_Static_assert(ADMIN_TOKEN_LEN + 1 ==
		       sodium_base64_ENCODED_LEN(SESSION_RAW_BYTES, SESSION_B64),
	       "a session id's length");
_Static_assert(ADMIN_HASH_BYTES == crypto_generichash_BYTES,
	       "a session hash is BLAKE2b-256");
_Static_assert(ADMIN_KEY_BYTES >= crypto_generichash_KEYBYTES_MIN &&
		       ADMIN_KEY_BYTES <= crypto_generichash_KEYBYTES_MAX,
	       "the CSRF key is a generichash key");

/* True for the 64 characters of base64url. */
static bool
session_b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

void
admin_session_new(char token[ADMIN_TOKEN_LEN + 1],
		  unsigned char hash[ADMIN_HASH_BYTES])
{
	unsigned char raw[SESSION_RAW_BYTES];

	assert(token != NULL && hash != NULL);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(token, ADMIN_TOKEN_LEN + 1, raw, sizeof(raw),
			  SESSION_B64);
	crypto_generichash(hash, ADMIN_HASH_BYTES, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
}

int
admin_session_hash(const char *token, unsigned char hash[ADMIN_HASH_BYTES])
{
	unsigned char raw[SESSION_RAW_BYTES];
	size_t i, raw_len = 0;
	const char *end = NULL;

	assert(hash != NULL);
	if (!token)
		return GZ_EINVAL;
	/* Byte by byte, stopping at the first that is not base64url (the
	 * NUL among them), so nothing past it is read. */
	for (i = 0; i < ADMIN_TOKEN_LEN; i++)
		if (!session_b64_char((unsigned char)token[i]))
			return GZ_EINVAL;
	if (token[ADMIN_TOKEN_LEN] != '\0')
		return GZ_EINVAL;
	/* libsodium refuses non-zero bits past the 256th, so each id has
	 * exactly one spelling. */
	if (sodium_base642bin(raw, sizeof(raw), token, ADMIN_TOKEN_LEN, NULL,
			      &raw_len, &end, SESSION_B64) != 0 ||
	    raw_len != sizeof(raw) || end != token + ADMIN_TOKEN_LEN)
		return GZ_EINVAL;
	crypto_generichash(hash, ADMIN_HASH_BYTES, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return GZ_OK;
}

bool
admin_session_live(int64_t seen_at, int64_t expires_at, int64_t now)
{
	return now < expires_at &&
	       now - seen_at < (int64_t)GZ_LIMIT_SESSION_IDLE_SECONDS;
}

void
admin_csrf_token(const struct admin *a,
		 const unsigned char hash[ADMIN_HASH_BYTES],
		 char out[ADMIN_TOKEN_LEN + 1])
{
	unsigned char tag[crypto_generichash_BYTES];

	assert(a != NULL && hash != NULL && out != NULL);
	crypto_generichash(tag, sizeof(tag), hash, ADMIN_HASH_BYTES,
			   a->csrf_key, sizeof(a->csrf_key));
	sodium_bin2base64(out, ADMIN_TOKEN_LEN + 1, tag, sizeof(tag),
			  SESSION_B64);
}

bool
admin_csrf_check(const struct admin *a,
		 const unsigned char hash[ADMIN_HASH_BYTES], const char *token)
{
	char want[ADMIN_TOKEN_LEN + 1];
	bool ok;

	assert(a != NULL && hash != NULL);
	if (!token || strnlen(token, ADMIN_TOKEN_LEN + 1) != ADMIN_TOKEN_LEN)
		return false;
	admin_csrf_token(a, hash, want);
	ok = sodium_memcmp(want, token, ADMIN_TOKEN_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
