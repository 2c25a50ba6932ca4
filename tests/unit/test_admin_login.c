/* Tests for src/admin/login.c: the sign-in form's token (its cookie's
 * shape, its expiry bound into its hash) and the set of spent tokens:
 * once each, expiry frees a slot, a full set refuses rather than
 * forgets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "admin/admin.h"
#include "util/err.h"
#include "util/limits.h"

#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define LIFE ((int64_t)GZ_LIMIT_LOGIN_SECONDS)

static int
setup(void **state)
{
	struct admin *a = NULL;

	if (admin_new(SECRET, ADMIN_HASH_MINIMUM, &a) != GZ_OK)
		return -1;
	*state = a;
	return 0;
}

static int
teardown(void **state)
{
	admin_free(*state);
	return 0;
}

static void
token_round_trip(void **state)
{
	char cookie[ADMIN_LOGIN_COOKIE_MAX + 1], forged[ADMIN_LOGIN_COOKIE_MAX + 8];
	unsigned char h1[ADMIN_HASH_BYTES], h2[ADMIN_HASH_BYTES];
	int64_t expires = 0, e2 = 0;

	(void)state;
	admin_login_new(1000, cookie, h1, &expires);
	assert_int_equal(expires, 1000 + LIFE);
	assert_int_equal(strlen(cookie), ADMIN_TOKEN_LEN + 1 + 4);
	assert_int_equal(cookie[ADMIN_TOKEN_LEN], '.');
	assert_string_equal(cookie + ADMIN_TOKEN_LEN + 1, "2800");
	assert_int_equal(admin_login_read(cookie, 1000, h2, &e2), GZ_OK);
	assert_memory_equal(h1, h2, sizeof(h1));
	assert_int_equal(e2, expires);
	/* Good until its expiry, not at it. */
	assert_int_equal(admin_login_read(cookie, expires - 1, h2, NULL), GZ_OK);
	assert_int_equal(admin_login_read(cookie, expires, h2, NULL), GZ_EINVAL);
	/* A later expiry typed in: another hash (the csrf no longer
	 * matches), and past the longest life, refused. */
	memcpy(forged, cookie, ADMIN_TOKEN_LEN + 1);
	snprintf(forged + ADMIN_TOKEN_LEN + 1, 8, "2799");
	assert_int_equal(admin_login_read(forged, 1000, h2, NULL), GZ_OK);
	assert_memory_not_equal(h1, h2, sizeof(h1));
	snprintf(forged + ADMIN_TOKEN_LEN + 1, 8, "2801");
	assert_int_equal(admin_login_read(forged, 1000, h2, NULL), GZ_EINVAL);
	/* Shapes that are not a token. */
	snprintf(forged + ADMIN_TOKEN_LEN + 1, 8, "02800");
	assert_int_equal(admin_login_read(forged, 1000, h2, NULL), GZ_EINVAL);
	snprintf(forged + ADMIN_TOKEN_LEN + 1, 8, "28x0");
	assert_int_equal(admin_login_read(forged, 1000, h2, NULL), GZ_EINVAL);
	forged[ADMIN_TOKEN_LEN + 1] = '\0';
	assert_int_equal(admin_login_read(forged, 1000, h2, NULL), GZ_EINVAL);
	forged[ADMIN_TOKEN_LEN] = '\0';
	assert_int_equal(admin_login_read(forged, 1000, h2, NULL), GZ_EINVAL);
	assert_int_equal(admin_login_read(NULL, 1000, h2, NULL), GZ_EINVAL);
	assert_int_equal(admin_login_read("", 1000, h2, NULL), GZ_EINVAL);
	assert_int_equal(admin_login_read("x.2800", 1000, h2, NULL), GZ_EINVAL);
	memcpy(forged, cookie, sizeof(cookie));
	snprintf(forged + ADMIN_TOKEN_LEN + 1, 24, "99999999999999999999");
	assert_int_equal(admin_login_read(forged, 1000, h2, NULL), GZ_EINVAL);
}

static void
spent_once(void **state)
{
	struct admin *a = *state;
	char cookie[ADMIN_LOGIN_COOKIE_MAX + 1];
	unsigned char h[ADMIN_HASH_BYTES], other[ADMIN_HASH_BYTES];
	int64_t expires;

	admin_login_new(100, cookie, h, &expires);
	admin_login_new(100, cookie, other, NULL);
	assert_false(admin_login_spent(a, h, 100));
	assert_int_equal(admin_login_spend(a, h, expires, 100), GZ_OK);
	assert_true(admin_login_spent(a, h, 101));
	assert_int_equal(admin_login_spend(a, h, expires, 101), GZ_EEXIST);
	assert_false(admin_login_spent(a, other, 101));
	assert_int_equal(admin_login_spend(a, other, expires, 101), GZ_OK);
	/* Once it has expired, the token is refused by admin_login_read,
	 * and its slot is free again. */
	assert_false(admin_login_spent(a, h, expires));
}

static void
full_set_refuses(void **state)
{
	struct admin *a = *state;
	char cookie[ADMIN_LOGIN_COOKIE_MAX + 1];
	unsigned char h[ADMIN_HASH_BYTES], first[ADMIN_HASH_BYTES];
	int64_t expires = 0;
	unsigned i;

	for (i = 0; i < GZ_LIMIT_LOGIN_SPENT; i++) {
		admin_login_new(10, cookie, h, &expires);
		if (i == 0)
			memcpy(first, h, sizeof(h));
		assert_int_equal(admin_login_spend(a, h, expires, 10), GZ_OK);
	}
	/* Full: the next is refused, and none was forgotten. */
	admin_login_new(11, cookie, h, NULL);
	assert_int_equal(admin_login_spend(a, h, 11 + LIFE, 11), GZ_EBUSY);
	assert_int_equal(admin_login_spend(a, first, expires, 11), GZ_EEXIST);
	/* When they expire, there is room again. */
	assert_int_equal(admin_login_spend(a, h, 11 + LIFE, expires), GZ_OK);
	assert_int_equal(admin_login_spend(a, first, expires + LIFE, expires),
			 GZ_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(token_round_trip),
		cmocka_unit_test_setup_teardown(spent_once, setup, teardown),
		cmocka_unit_test_setup_teardown(full_set_refuses, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("admin/login", tests, NULL, NULL);
}
