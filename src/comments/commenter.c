/*
 * commenter.c - the commenter cookie that the first-time moderation rule
 * is keyed on: making one, checking one a browser sends back, and the
 * commenter key stored with a comment in its place.
 *
 * Data flow: the comment POST handler (site/) reads the commenter
 * cookie (http_req_cookie; its name is comments_cookie_name's:
 * __Host-gz_commenter on an https site, gz_commenter on plain http) and hands its value to comments_commenter;
 * a value that is not exactly one of ours is replaced by a fresh one. The
 * comment is stored with the commenter key, and the answer sets the
 * cookie. Under `moderation = first-time` the store publishes a comment
 * at once only when an earlier comment with the same key was approved by
 * a moderator (docs/security.md, "First-time moderation").
 *
 * The cookie is 32 bytes from libsodium's generator, base64url without
 * padding (43 characters): nothing a person types, nothing another reader
 * knows. The key is BLAKE2b-256 of those 32 bytes keyed with subkey 3 of
 * the site secret (crypto_kdf, context "gzcomnt1", as captcha.c's subkeys
 * 1 and 2), so a copy of the database does not give out cookies, and a
 * cookie says nothing about the key without the secret.
 *
 * Invariants: comments_cookie_parse accepts exactly the strings
 * comments_cookie_new can make (43 characters of the base64url alphabet,
 * the last one carrying no bits past the 32 bytes), so one cookie has
 * one key; nothing here allocates or takes a lock.
 */
#include <assert.h>
#include <string.h>

#include <sodium.h>

#include "comments/comments.h"
#include "comments/comments_int.h"
#include "util/err.h"
#include "util/secret.h"

#define COMMENTER_KDF_CONTEXT "gzcomnt1"
#define COMMENTER_SUBKEY 3u
#define COMMENTER_B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(COMMENTS_COOKIE_CHARS + 1 ==
		       sodium_base64_ENCODED_LEN(COMMENTS_COOKIE_BYTES,
						 COMMENTER_B64),
	       "cookie length");
_Static_assert(COMMENTS_COOKIE_CHARS == 43 && COMMENTS_COOKIE_BYTES == 32,
	       "the last character carries 4 bits and 2 of padding");
_Static_assert(COMMENTS_COMMENTER_KEY_BYTES >= crypto_generichash_BYTES_MIN &&
		       COMMENTS_COMMENTER_KEY_BYTES <=
			       crypto_generichash_BYTES_MAX,
	       "libsodium sizes");
_Static_assert(sizeof(COMMENTER_KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
	       "kdf context");

int
comments_commenter_keys(struct comments *c, const char *secret_hex)
{
	unsigned char master[crypto_kdf_KEYBYTES];
	int rc = GZ_EINVAL;

	assert(c != NULL && secret_hex != NULL);
	if (gz_secret_parse(secret_hex, master) != GZ_OK)
		return GZ_EINVAL;
	if (crypto_kdf_derive_from_key(c->commenter_key,
				       sizeof(c->commenter_key),
				       COMMENTER_SUBKEY, COMMENTER_KDF_CONTEXT,
				       master) != 0)
		goto out;
	rc = GZ_OK;
out:
	sodium_memzero(master, sizeof(master));
	return rc;
}

/* The value of one base64url character, or -1 for any other byte. */
static int
b64url_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return -1;
}

const char *
comments_cookie_name(bool https)
{
	return https ? COMMENTS_COOKIE_NAME_HOST : COMMENTS_COOKIE_NAME;
}

int
comments_cookie_parse(const char *value,
		      unsigned char raw[COMMENTS_COOKIE_BYTES])
{
	size_t i, bin_len = 0;
	const char *end = NULL;
	int v = 0;

	assert(raw != NULL);
	memset(raw, 0, COMMENTS_COOKIE_BYTES);
	if (!value)
		return GZ_EINVAL;
	/* Length first, without reading past what a longer value holds. */
	for (i = 0; i < COMMENTS_COOKIE_CHARS; i++)
		if (value[i] == '\0' ||
		    (v = b64url_value((unsigned char)value[i])) < 0)
			return GZ_EINVAL;
	if (value[COMMENTS_COOKIE_CHARS] != '\0')
		return GZ_EINVAL;
	/* 43 characters hold 258 bits: the last one's low 2 are padding and
	 * must be 0, or two spellings would name one cookie. */
	if (v & 3)
		return GZ_EINVAL;
	if (sodium_base642bin(raw, COMMENTS_COOKIE_BYTES, value,
			      COMMENTS_COOKIE_CHARS, NULL, &bin_len, &end,
			      COMMENTER_B64) != 0 ||
	    bin_len != COMMENTS_COOKIE_BYTES ||
	    end != value + COMMENTS_COOKIE_CHARS) {
		sodium_memzero(raw, COMMENTS_COOKIE_BYTES);
		return GZ_EINVAL;
	}
	return GZ_OK;
}

void
comments_cookie_new(char out[COMMENTS_COOKIE_CHARS + 1],
		    unsigned char raw[COMMENTS_COOKIE_BYTES])
{
	assert(out != NULL && raw != NULL);
	randombytes_buf(raw, COMMENTS_COOKIE_BYTES);
	sodium_bin2base64(out, COMMENTS_COOKIE_CHARS + 1, raw,
			  COMMENTS_COOKIE_BYTES, COMMENTER_B64);
}

void
comments_commenter_key(const struct comments *c,
		       const unsigned char raw[COMMENTS_COOKIE_BYTES],
		       unsigned char key[COMMENTS_COMMENTER_KEY_BYTES])
{
	assert(c != NULL && raw != NULL && key != NULL);
	/* Cannot fail with these sizes (the static asserts above). */
	(void)crypto_generichash(key, COMMENTS_COMMENTER_KEY_BYTES, raw,
				 COMMENTS_COOKIE_BYTES, c->commenter_key,
				 sizeof(c->commenter_key));
}

void
comments_commenter(const struct comments *c, const char *cookie,
		   struct comments_commenter *out)
{
	unsigned char raw[COMMENTS_COOKIE_BYTES];

	assert(c != NULL && out != NULL);
	memset(out, 0, sizeof(*out));
	if (comments_cookie_parse(cookie, raw) == GZ_OK) {
		memcpy(out->cookie, cookie, COMMENTS_COOKIE_CHARS + 1);
		out->fresh = false;
	} else {
		comments_cookie_new(out->cookie, raw);
		out->fresh = true;
	}
	comments_commenter_key(c, raw, out->key);
	sodium_memzero(raw, sizeof(raw));
}
