/* test_util_secret.c - tests for src/util/secret.c: the site secret's 64
 * hex digits become the 32-byte master key, and anything else is refused
 * with the output zeroed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/err.h"
#include "util/secret.h"

#define HEX64 "000102030405060708090a0b0c0d0e0f" \
	      "101112131415161718191A1B1C1D1E1F"

static void
test_parses_64_digits(void **state)
{
	unsigned char m[crypto_kdf_KEYBYTES];
	size_t i;

	(void)state;
	assert_int_equal(gz_secret_parse(HEX64, m), GZ_OK);
	for (i = 0; i < sizeof(m); i++)
		assert_int_equal(m[i], i);
}

static void
test_refuses_the_rest(void **state)
{
	static const char *const bad[] = {
		"",
		"00",
		HEX64 "0",           /* one digit too many */
		HEX64 "00",          /* a byte too many */
		"0g0102030405060708090a0b0c0d0e0f"
		"101112131415161718191a1b1c1d1e1f",
		" 00102030405060708090a0b0c0d0e0f"
		"101112131415161718191a1b1c1d1e1f",
	};
	unsigned char m[crypto_kdf_KEYBYTES], zero[crypto_kdf_KEYBYTES] = {0};
	size_t i;

	(void)state;
	assert_int_equal(gz_secret_parse(NULL, m), GZ_EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(m, 0xaa, sizeof(m));
		assert_int_equal(gz_secret_parse(bad[i], m), GZ_EINVAL);
		assert_memory_equal(m, zero, sizeof(m));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_64_digits),
		cmocka_unit_test(test_refuses_the_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
