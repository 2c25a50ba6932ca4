/* Tests for src/admin/recovery.c: codes' shape and alphabet, and the
 * normalisation of what is typed (case, spaces, dashes) before hashing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <sodium.h>

#include "admin/admin.h"
#include "util/err.h"

static void
code_shape(void **state)
{
	char c1[ADMIN_RECOVERY_LEN + 1], c2[ADMIN_RECOVERY_LEN + 1];
	unsigned char h1[ADMIN_HASH_BYTES], h2[ADMIN_HASH_BYTES],
		again[ADMIN_HASH_BYTES];
	size_t i;

	(void)state;
	admin_recovery_new(c1, h1);
	admin_recovery_new(c2, h2);
	assert_int_equal(strlen(c1), ADMIN_RECOVERY_LEN);
	assert_int_equal(c1[5], '-');
	for (i = 0; i < ADMIN_RECOVERY_LEN; i++)
		if (i != 5)
			assert_non_null(strchr("23456789abcdefghjkmnpqrstuvwxyz",
					       c1[i]));
	assert_string_not_equal(c1, c2);
	assert_memory_not_equal(h1, h2, ADMIN_HASH_BYTES);
	assert_int_equal(admin_recovery_hash(c1, again), GZ_OK);
	assert_memory_equal(h1, again, ADMIN_HASH_BYTES);
}

static void
known_hash(void **state)
{
	unsigned char want[32], got[32];

	(void)state;
	crypto_generichash(want, sizeof(want),
			   (const unsigned char *)"abcde23456", 10, NULL, 0);
	assert_int_equal(admin_recovery_hash("abcde-23456", got), GZ_OK);
	assert_memory_equal(want, got, 32);
}

static void
typing_is_forgiven(void **state)
{
	unsigned char want[32], got[32];
	static const char *const same[] = {
		"abcde-23456", "abcde23456", "ABCDE-23456", "  abcde 23456 ",
		"ab-cd-e2-34-56", "AbCdE - 2 3 4 5 6",
	};
	size_t i;

	(void)state;
	assert_int_equal(admin_recovery_hash("abcde-23456", want), GZ_OK);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_int_equal(admin_recovery_hash(same[i], got), GZ_OK);
		assert_memory_equal(want, got, 32);
	}
}

static void
not_a_code(void **state)
{
	unsigned char h[32];
	char big[200];
	static const char *const bad[] = {
		"", "-----", "abcde-2345", "abcde-234567", "abcde_23456",
		"abcde-2345o", /* o is not in the alphabet */
		"abcde-23450", "abcde-2345l", "abcde-2345i", "abcde-23451",
		"abcde\t23456", "abcde-23456\n", ("\xc3\xa9" "bcde-23456"),
	};
	size_t i;

	(void)state;
	assert_int_equal(admin_recovery_hash(NULL, h), GZ_EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(admin_recovery_hash(bad[i], h), GZ_EINVAL);
	/* Very long input, even of spaces around a good code, is not read
	 * past its cap. */
	memset(big, ' ', sizeof(big) - 1);
	memcpy(big + 100, "abcde23456", 10);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(admin_recovery_hash(big, h), GZ_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(code_shape),
		cmocka_unit_test(known_hash),
		cmocka_unit_test(typing_is_forgiven),
		cmocka_unit_test(not_a_code),
	};

	return cmocka_run_group_tests_name("admin/recovery", tests, NULL, NULL);
}
