/* Tests for src/admin/session.c: session ids' shape, their hashes,
 * malformed cookie values, expiry at its boundaries, and CSRF tokens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admin/admin.h"
#include "util/err.h"
#include "util/limits.h"

#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static bool
b64url_only(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

static void
token_shape_and_hash(void **state)
{
	char t1[ADMIN_TOKEN_LEN + 1], t2[ADMIN_TOKEN_LEN + 1];
	unsigned char h1[ADMIN_HASH_BYTES], h2[ADMIN_HASH_BYTES],
		again[ADMIN_HASH_BYTES];

	(void)state;
	admin_session_new(t1, h1);
	admin_session_new(t2, h2);
	assert_int_equal(strlen(t1), ADMIN_TOKEN_LEN);
	assert_true(b64url_only(t1));
	assert_string_not_equal(t1, t2);
	assert_memory_not_equal(h1, h2, ADMIN_HASH_BYTES);
	/* The cookie's hash is the hash the store was given, every time. */
	assert_int_equal(admin_session_hash(t1, again), GZ_OK);
	assert_memory_equal(h1, again, ADMIN_HASH_BYTES);
	assert_int_equal(admin_session_hash(t1, again), GZ_OK);
	assert_memory_equal(h1, again, ADMIN_HASH_BYTES);
	assert_int_equal(admin_session_hash(t2, again), GZ_OK);
	assert_memory_equal(h2, again, ADMIN_HASH_BYTES);
}

static void
known_hash(void **state)
{
	/* 32 zero bytes: base64url "AAAA...A" (43), and their BLAKE2b-256. */
	char t[ADMIN_TOKEN_LEN + 1];
	unsigned char zero[32] = { 0 }, want[32], got[32];

	(void)state;
	memset(t, 'A', ADMIN_TOKEN_LEN);
	t[ADMIN_TOKEN_LEN] = '\0';
	crypto_generichash(want, sizeof(want), zero, sizeof(zero), NULL, 0);
	assert_int_equal(admin_session_hash(t, got), GZ_OK);
	assert_memory_equal(want, got, 32);
}

static void
malformed_cookies(void **state)
{
	char t[ADMIN_TOKEN_LEN + 8], good[ADMIN_TOKEN_LEN + 1];
	unsigned char h[ADMIN_HASH_BYTES];
	const char bad_chars[] = "+/=. %\"\x80";
	size_t i;

	(void)state;
	admin_session_new(good, h);
	assert_int_equal(admin_session_hash(NULL, h), GZ_EINVAL);
	assert_int_equal(admin_session_hash("", h), GZ_EINVAL);
	/* Too short, too long. */
	memcpy(t, good, ADMIN_TOKEN_LEN + 1);
	t[ADMIN_TOKEN_LEN - 1] = '\0';
	assert_int_equal(admin_session_hash(t, h), GZ_EINVAL);
	memcpy(t, good, ADMIN_TOKEN_LEN);
	t[ADMIN_TOKEN_LEN] = 'A';
	t[ADMIN_TOKEN_LEN + 1] = '\0';
	assert_int_equal(admin_session_hash(t, h), GZ_EINVAL);
	/* Padding, as standard base64 would add it. */
	memcpy(t, good, ADMIN_TOKEN_LEN);
	t[ADMIN_TOKEN_LEN] = '=';
	t[ADMIN_TOKEN_LEN + 1] = '\0';
	assert_int_equal(admin_session_hash(t, h), GZ_EINVAL);
	/* One character outside the URL-safe alphabet, at each end and in
	 * the middle. */
	for (i = 0; i < sizeof(bad_chars) - 1; i++) {
		size_t at[] = { 0, 20, ADMIN_TOKEN_LEN - 1 }, k;

		for (k = 0; k < 3; k++) {
			memcpy(t, good, ADMIN_TOKEN_LEN + 1);
			t[at[k]] = bad_chars[i];
			assert_int_equal(admin_session_hash(t, h), GZ_EINVAL);
		}
	}
	/* 43 characters carry 258 bits: the last two must be zero, so no
	 * id has two spellings. "AAA...B" sets one of them. */
	memset(t, 'A', ADMIN_TOKEN_LEN);
	t[ADMIN_TOKEN_LEN - 1] = 'B';
	t[ADMIN_TOKEN_LEN] = '\0';
	assert_int_equal(admin_session_hash(t, h), GZ_EINVAL);
	t[ADMIN_TOKEN_LEN - 1] = 'E'; /* 000100: the low bits clear */
	assert_int_equal(admin_session_hash(t, h), GZ_OK);
}

static void
unterminated_is_read_no_further_than_a_bad_byte(void **state)
{
	/* A block of exactly ten bytes, no NUL, a '.' at 5: the check must
	 * stop there (AddressSanitizer sees the block's end). */
	char *t = malloc(10);
	unsigned char h[ADMIN_HASH_BYTES];

	(void)state;
	assert_non_null(t);
	memcpy(t, "AAAAA.AAAA", 10);
	assert_int_equal(admin_session_hash(t, h), GZ_EINVAL);
	free(t);
}

static void
expiry_boundaries(void **state)
{
	const int64_t idle = GZ_LIMIT_SESSION_IDLE_SECONDS;
	const int64_t life = GZ_LIMIT_SESSION_SECONDS;
	const int64_t created = 1000000;

	(void)state;
	/* Idle: live until idle seconds have passed since the last
	 * request, then not. */
	assert_true(admin_session_live(created, created + life, created));
	assert_true(admin_session_live(created, created + life,
				       created + idle - 1));
	assert_false(admin_session_live(created, created + life,
					created + idle));
	/* A request moves seen_at and so the idle limit... */
	assert_true(admin_session_live(created + idle - 1, created + life,
				       created + 2 * idle - 2));
	/* ...but never the absolute one. */
	assert_true(admin_session_live(created + life - 10, created + life,
				       created + life - 1));
	assert_false(admin_session_live(created + life - 10, created + life,
					created + life));
	assert_false(admin_session_live(created + life, created + life,
					created + life + 1));
}

static void
csrf_tokens(void **state)
{
	struct admin *a = NULL;
	char tok[ADMIN_TOKEN_LEN + 1], other[ADMIN_TOKEN_LEN + 1],
		t[ADMIN_TOKEN_LEN + 2], id[ADMIN_TOKEN_LEN + 1];
	unsigned char h[ADMIN_HASH_BYTES], h2[ADMIN_HASH_BYTES];
	size_t i;

	(void)state;
	assert_int_equal(admin_new(SECRET, ADMIN_HASH_MINIMUM, &a), GZ_OK);
	admin_session_new(id, h);
	admin_session_new(id, h2);
	admin_csrf_token(a, h, tok);
	admin_csrf_token(a, h2, other);
	assert_int_equal(strlen(tok), ADMIN_TOKEN_LEN);
	assert_true(b64url_only(tok));
	/* The same for the session's life. */
	admin_csrf_token(a, h, t);
	assert_string_equal(t, tok);
	assert_true(admin_csrf_check(a, h, tok));
	/* Another session's token is refused. */
	assert_string_not_equal(tok, other);
	assert_false(admin_csrf_check(a, h, other));
	assert_false(admin_csrf_check(a, h2, tok));
	/* NULL, empty, short, long. */
	assert_false(admin_csrf_check(a, h, NULL));
	assert_false(admin_csrf_check(a, h, ""));
	memcpy(t, tok, ADMIN_TOKEN_LEN + 1);
	t[ADMIN_TOKEN_LEN - 1] = '\0';
	assert_false(admin_csrf_check(a, h, t));
	memcpy(t, tok, ADMIN_TOKEN_LEN);
	t[ADMIN_TOKEN_LEN] = 'A';
	t[ADMIN_TOKEN_LEN + 1] = '\0';
	assert_false(admin_csrf_check(a, h, t));
	/* One character changed, anywhere. */
	for (i = 0; i < ADMIN_TOKEN_LEN; i++) {
		memcpy(t, tok, ADMIN_TOKEN_LEN + 1);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		assert_false(admin_csrf_check(a, h, t));
	}
	/* The token is not the session id, nor its hash: one cannot be
	 * turned into the other without the key. */
	assert_string_not_equal(tok, id);
	admin_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(token_shape_and_hash),
		cmocka_unit_test(known_hash),
		cmocka_unit_test(malformed_cookies),
		cmocka_unit_test(unterminated_is_read_no_further_than_a_bad_byte),
		cmocka_unit_test(expiry_boundaries),
		cmocka_unit_test(csrf_tokens),
	};

	return cmocka_run_group_tests_name("admin/session", tests, NULL, NULL);
}
