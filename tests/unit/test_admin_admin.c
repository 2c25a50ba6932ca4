/* Tests for src/admin/admin.c: the secret's parsing, the cost, the CSRF
 * key's derivation (a different secret, a different token) and the dummy
 * hash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "admin/admin.h"
#include "util/err.h"

#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SECRET2 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static void
secret_is_checked(void **state)
{
	struct admin *a = (struct admin *)1;
	char s[80];

	(void)state;
	assert_int_equal(admin_new(NULL, ADMIN_HASH_MINIMUM, &a), GZ_EINVAL);
	assert_null(a);
	assert_int_equal(admin_new("", ADMIN_HASH_MINIMUM, &a), GZ_EINVAL);
	/* 63 and 65 digits. */
	memcpy(s, SECRET, 63);
	s[63] = '\0';
	assert_int_equal(admin_new(s, ADMIN_HASH_MINIMUM, &a), GZ_EINVAL);
	memcpy(s, SECRET "0", 66);
	assert_int_equal(admin_new(s, ADMIN_HASH_MINIMUM, &a), GZ_EINVAL);
	/* Not hex. */
	memcpy(s, SECRET, 65);
	s[10] = 'g';
	assert_int_equal(admin_new(s, ADMIN_HASH_MINIMUM, &a), GZ_EINVAL);
	s[10] = ' ';
	assert_int_equal(admin_new(s, ADMIN_HASH_MINIMUM, &a), GZ_EINVAL);
	/* No such cost. */
	assert_int_equal(admin_new(SECRET, (enum admin_hash_cost)3, &a),
			 GZ_EINVAL);
	assert_null(a);
	/* Upper-case hex is hex. */
	assert_int_equal(admin_new("00112233445566778899AABBCCDDEEFF"
				   "00112233445566778899AABBCCDDEEFF",
				   ADMIN_HASH_MINIMUM, &a),
			 GZ_OK);
	assert_non_null(a);
	admin_free(a);
	admin_free(NULL);
}

static void
csrf_key_comes_from_the_secret(void **state)
{
	struct admin *a = NULL, *b = NULL, *c = NULL;
	unsigned char hash[ADMIN_HASH_BYTES];
	char ta[ADMIN_TOKEN_LEN + 1], tb[ADMIN_TOKEN_LEN + 1],
		tc[ADMIN_TOKEN_LEN + 1];

	(void)state;
	memset(hash, 7, sizeof(hash));
	assert_int_equal(admin_new(SECRET, ADMIN_HASH_MINIMUM, &a), GZ_OK);
	assert_int_equal(admin_new(SECRET, ADMIN_HASH_MINIMUM, &b), GZ_OK);
	assert_int_equal(admin_new(SECRET2, ADMIN_HASH_MINIMUM, &c), GZ_OK);
	admin_csrf_token(a, hash, ta);
	admin_csrf_token(b, hash, tb);
	admin_csrf_token(c, hash, tc);
	/* Same secret, same token (a restarted server keeps its forms
	 * valid); another secret, another token. */
	assert_string_equal(ta, tb);
	assert_string_not_equal(ta, tc);
	assert_false(admin_csrf_check(c, hash, ta));
	admin_free(a);
	admin_free(b);
	admin_free(c);
}

static void
dummy_hash_is_a_real_hash(void **state)
{
	struct admin *a = NULL, *b = NULL;

	(void)state;
	assert_int_equal(admin_new(SECRET, ADMIN_HASH_MINIMUM, &a), GZ_OK);
	assert_int_equal(admin_new(SECRET, ADMIN_HASH_MINIMUM, &b), GZ_OK);
	assert_non_null(strstr(admin_password_dummy(a), "$argon2id$"));
	/* Made once: the same hash for a's life. */
	assert_ptr_equal(admin_password_dummy(a), admin_password_dummy(a));
	{
		char first[ADMIN_HASH_MAX];

		memcpy(first, admin_password_dummy(a), ADMIN_HASH_MAX);
		assert_string_equal(first, admin_password_dummy(a));
	}
	assert_false(admin_password_needs_rehash(a, admin_password_dummy(a)));
	/* Each state draws its own random password. */
	assert_string_not_equal(admin_password_dummy(a),
				admin_password_dummy(b));
	assert_int_equal(admin_password_verify(admin_password_dummy(a),
					       "a guess at the password"),
			 GZ_EFORBIDDEN);
	admin_free(a);
	admin_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(secret_is_checked),
		cmocka_unit_test(csrf_key_comes_from_the_secret),
		cmocka_unit_test(dummy_hash_is_a_real_hash),
	};

	return cmocka_run_group_tests_name("admin/admin", tests, NULL, NULL);
}
