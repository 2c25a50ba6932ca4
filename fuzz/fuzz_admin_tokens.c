/*
 * fuzz_admin_tokens.c - libFuzzer target for what the newsroom admin
 * reads from outside before anyone has signed in (src/admin/): the
 * session cookie's value (admin_session_hash), a form's CSRF field
 * (admin_csrf_check), a typed TOTP code (admin_totp_check), a typed
 * recovery code (admin_recovery_hash) and a new password
 * (admin_password_problem).
 *
 * The input goes to each as a C string cut at its first NUL, and to
 * admin_session_hash also unterminated when a byte that is not base64url
 * comes in its first 43 (the check must stop there). Beyond "no
 * sanitizer report": an accepted cookie is 43 characters, the canonical
 * base64url of 32 bytes, and its hash is theirs; a CSRF field is accepted
 * exactly when it is the token; an accepted TOTP code is six digits (and
 * spaces) that are the code of the step reported, within one step of
 * now; an accepted recovery code hashes as its normalised spelling does;
 * a password problem is NULL or one of the known sentences.
 */
#include <sodium.h>

#include "admin/admin.h"
#include "fuzz.h"
#include "util/err.h"

#define FUZZ_SECRET "000102030405060708090a0b0c0d0e0f" \
		    "101112131415161718191a1b1c1d1e1f"
#define FUZZ_NOW 1111111111LL

static struct admin *admin;
static unsigned char session_hash[ADMIN_HASH_BYTES];
static char csrf[ADMIN_TOKEN_LEN + 1];
static const unsigned char totp_secret[] = "12345678901234567890";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (admin_new(FUZZ_SECRET, ADMIN_HASH_MINIMUM, &admin) != GZ_OK)
		abort();
	memset(session_hash, 0x5A, sizeof(session_hash));
	admin_csrf_token(admin, session_hash, csrf);
	return 0;
}

static int
b64url(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

static void
check_session(const uint8_t *data, size_t size, const char *s)
{
	unsigned char hash[ADMIN_HASH_BYTES], raw[32], want[ADMIN_HASH_BYTES];
	char again[ADMIN_TOKEN_LEN + 1];
	size_t i, raw_len = 0;
	int rc;

	for (i = 0; i < size && i < ADMIN_TOKEN_LEN; i++)
		if (!b64url(data[i]))
			break;
	if (i < size && i < ADMIN_TOKEN_LEN) {
		char *u = fuzz_dup(data, i + 1);

		if (admin_session_hash(u, hash) != GZ_EINVAL)
			abort();
		free(u);
	}
	rc = admin_session_hash(s, hash);
	if (rc == GZ_EINVAL)
		return;
	if (rc != GZ_OK || strlen(s) != ADMIN_TOKEN_LEN)
		abort();
	if (sodium_base642bin(raw, sizeof(raw), s, ADMIN_TOKEN_LEN, NULL,
			      &raw_len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    raw_len != sizeof(raw))
		abort();
	sodium_bin2base64(again, sizeof(again), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (strcmp(again, s) != 0)
		abort();
	crypto_generichash(want, sizeof(want), raw, sizeof(raw), NULL, 0);
	if (memcmp(want, hash, sizeof(hash)) != 0)
		abort();
}

static void
check_totp(const char *s)
{
	char digits[8], code[7];
	int64_t step = -1;
	size_t i, n = 0;

	if (admin_totp_check(totp_secret, 20, s, FUZZ_NOW, &step) != GZ_OK)
		return;
	for (i = 0; s[i]; i++) {
		if (s[i] == ' ')
			continue;
		if (s[i] < '0' || s[i] > '9' || n == 6)
			abort();
		digits[n++] = s[i];
	}
	if (n != 6 || step < FUZZ_NOW / 30 - 1 || step > FUZZ_NOW / 30 + 1)
		abort();
	if (admin_totp_code(totp_secret, 20, step * 30, 6, "sha1", code,
			    sizeof(code)) != GZ_OK ||
	    memcmp(code, digits, 6) != 0)
		abort();
}

static void
check_recovery(const char *s)
{
	unsigned char hash[ADMIN_HASH_BYTES], again[ADMIN_HASH_BYTES];
	char norm[ADMIN_RECOVERY_LEN + 1];
	size_t i, n = 0;

	if (admin_recovery_hash(s, hash) != GZ_OK)
		return;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!strchr("23456789abcdefghjkmnpqrstuvwxyz", c) ||
		    n == ADMIN_RECOVERY_LEN)
			abort();
		norm[n++] = c;
		if (n == 5)
			norm[n++] = '-';
	}
	if (n != ADMIN_RECOVERY_LEN)
		abort();
	norm[n] = '\0';
	if (admin_recovery_hash(norm, again) != GZ_OK ||
	    memcmp(hash, again, sizeof(hash)) != 0)
		abort();
}

static void
check_password(const char *s)
{
	static const char *const known[] = {
		"Use at least 12 characters.", "Use at most 1024 bytes.",
		"The password is not valid text.",
		"Use something other than spaces.",
	};
	const char *p = admin_password_problem(s);
	size_t i;

	if (!p)
		return;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(p, known[i]) == 0)
			return;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size);

	check_session(data, size, s);
	if (admin_csrf_check(admin, session_hash, s) != (strcmp(s, csrf) == 0))
		abort();
	check_totp(s);
	check_recovery(s);
	check_password(s);
	free(s);
	return 0;
}
