/*
 * totp.c - the TOTP second factor (RFC 6238) on liboath: secrets, their
 * base32 text and otpauth:// URI, codes and their check.
 *
 * Data flow: the enrolment page makes a secret with
 * admin_totp_secret_new, shows admin_totp_base32 and the QR code of
 * admin_totp_uri (qr.c), and stores the secret once a first code checks;
 * sign-in checks each code with admin_totp_check and stores the step it
 * matched (store_user_totp_step), so a code works once.
 *
 * Invariants: liboath is initialised once (pthread_once); a code is
 * compared with sodium_memcmp against each of the three steps, all three
 * computed whatever matches; outside input (the typed code) is read at
 * most TOTP_INPUT_MAX bytes.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "admin/admin_int.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

#define TOTP_STEP 30u
#define TOTP_DIGITS 6u
/* The most bytes of a typed code we read: six digits with spaces. */
#define TOTP_INPUT_MAX 32u

_Static_assert(ADMIN_TOTP_BASE32_LEN == (ADMIN_TOTP_SECRET_BYTES * 8 + 4) / 5,
	       "base32 of a secret");

static pthread_once_t totp_once = PTHREAD_ONCE_INIT;
static int totp_init_rc = OATH_OK;

static void
totp_init(void)
{
	totp_init_rc = oath_init();
}

void
admin_totp_secret_new(unsigned char secret[ADMIN_TOTP_SECRET_BYTES])
{
	assert(secret != NULL);
	randombytes_buf(secret, ADMIN_TOTP_SECRET_BYTES);
}

int
admin_totp_base32(const unsigned char *secret, size_t len, char *out,
		  size_t outlen)
{
	char *b32 = NULL;
	size_t b32_len = 0, n;

	assert(out != NULL && outlen > 0);
	assert(secret != NULL || len == 0);
	out[0] = '\0';
	if (len == 0)
		return GZ_OK;
	if ((len * 8 + 4) / 5 + 1 > outlen)
		return GZ_ETOOBIG;
	pthread_once(&totp_once, totp_init);
	if (totp_init_rc != OATH_OK)
		return GZ_ENOMEM;
	if (oath_base32_encode((const char *)secret, len, &b32, &b32_len) !=
	    OATH_OK)
		return GZ_ENOMEM;
	/* liboath pads with '='; the apps want it without. */
	for (n = 0; n < b32_len && b32[n] != '='; n++)
		;
	assert(n < outlen);
	memcpy(out, b32, n);
	out[n] = '\0';
	free(b32);
	return GZ_OK;
}

/* Appends s percent-encoded: everything but RFC 3986's unreserved
 * characters becomes %XX. */
static void
totp_put_encoded(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			buf_putc(out, (char)c);
		} else {
			buf_putc(out, '%');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
	}
}

int
admin_totp_uri(struct buf *out, const char *issuer, const char *account,
	       const unsigned char *secret, size_t len)
{
	char b32[(STORE_TOTP_SECRET_MAX * 8 + 4) / 5 + 1];
	int rc;

	assert(out != NULL && issuer != NULL && account != NULL);
	if (len > STORE_TOTP_SECRET_MAX)
		return GZ_EINVAL;
	if ((rc = admin_totp_base32(secret, len, b32, sizeof(b32))) != GZ_OK)
		return rc;
	buf_puts(out, "otpauth://totp/");
	totp_put_encoded(out, issuer);
	buf_putc(out, ':');
	totp_put_encoded(out, account);
	buf_puts(out, "?secret=");
	buf_puts(out, b32);
	buf_puts(out, "&issuer=");
	totp_put_encoded(out, issuer);
	buf_puts(out, "&algorithm=SHA1&digits=6&period=30");
	sodium_memzero(b32, sizeof(b32));
	return out->err;
}

int
admin_totp_code(const unsigned char *secret, size_t len, int64_t t,
		unsigned digits, const char *hash, char *out, size_t outlen)
{
	int flags;

	assert(out != NULL);
	if (outlen > 0)
		out[0] = '\0';
	if (!secret || len == 0 || len > STORE_TOTP_SECRET_MAX || t < 0 ||
	    (digits != 6 && digits != 8) || outlen < digits + 1 || !hash)
		return GZ_EINVAL;
	if (strcmp(hash, "sha1") == 0)
		flags = 0;
	else if (strcmp(hash, "sha256") == 0)
		flags = OATH_TOTP_HMAC_SHA256;
	else if (strcmp(hash, "sha512") == 0)
		flags = OATH_TOTP_HMAC_SHA512;
	else
		return GZ_EINVAL;
	pthread_once(&totp_once, totp_init);
	if (totp_init_rc != OATH_OK)
		return GZ_EINVAL;
	if (oath_totp_generate2((const char *)secret, len, (time_t)t, TOTP_STEP,
				OATH_TOTP_DEFAULT_START_TIME, digits, flags,
				out) != OATH_OK) {
		out[0] = '\0';
		return GZ_EINVAL;
	}
	return GZ_OK;
}

int
admin_totp_check(const unsigned char *secret, size_t len, const char *code,
		 int64_t now, int64_t *step)
{
	char typed[TOTP_DIGITS], want[TOTP_DIGITS + 1];
	size_t in_len, i, n = 0;
	int64_t s, d, matched = -1;

	assert(step != NULL);
	if (!code || !secret || len == 0 || now < 0)
		return GZ_EFORBIDDEN;
	in_len = strnlen(code, TOTP_INPUT_MAX + 1);
	if (in_len > TOTP_INPUT_MAX)
		return GZ_EFORBIDDEN;
	for (i = 0; i < in_len; i++) {
		if (code[i] == ' ')
			continue;
		if (code[i] < '0' || code[i] > '9' || n == TOTP_DIGITS)
			return GZ_EFORBIDDEN;
		typed[n++] = code[i];
	}
	if (n != TOTP_DIGITS)
		return GZ_EFORBIDDEN;
	s = now / TOTP_STEP;
	/* One step either side for clock drift; every step is computed,
	 * so the time taken does not say which matched. */
	for (d = -1; d <= 1; d++) {
		if (s + d < 0)
			continue;
		if (admin_totp_code(secret, len, (s + d) * TOTP_STEP,
				    TOTP_DIGITS, "sha1", want,
				    sizeof(want)) != GZ_OK)
			return GZ_EFORBIDDEN;
		if (sodium_memcmp(want, typed, TOTP_DIGITS) == 0 && matched < 0)
			matched = s + d;
	}
	sodium_memzero(want, sizeof(want));
	if (matched < 0)
		return GZ_EFORBIDDEN;
	*step = matched;
	return GZ_OK;
}
