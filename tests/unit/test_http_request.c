/* test_http_request.c - ETag matching and URL numbers
 * (src/http/request.c, src/http/response.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/http.h"
#include "util/err.h"

static void
test_etag_matches(void **state)
{
	(void)state;
	assert_true(http_etag_matches("\"abc\"", "\"abc\""));
	assert_true(http_etag_matches("\"x\", \"abc\"", "\"abc\""));
	assert_true(http_etag_matches("W/\"abc\"", "\"abc\""));
	assert_true(http_etag_matches("*", "\"abc\""));
	assert_true(http_etag_matches(" \"abc\" ,", "\"abc\""));
	assert_false(http_etag_matches("\"abcd\"", "\"abc\""));
	assert_false(http_etag_matches("\"ab\"", "\"abc\""));
	assert_false(http_etag_matches("abc", "\"abc\""));
	assert_false(http_etag_matches("", "\"abc\""));
	assert_false(http_etag_matches(NULL, "\"abc\""));
	assert_false(http_etag_matches(",,,,", "\"abc\""));
}

static void
test_parse_uint(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(http_parse_uint("12", 100, &v), GZ_OK);
	assert_int_equal(v, 12);
	assert_int_equal(http_parse_uint("0", 100, &v), GZ_OK);
	assert_int_equal(v, 0);
	assert_int_equal(http_parse_uint("100", 100, &v), GZ_OK);
	assert_int_equal(http_parse_uint("101", 100, &v), GZ_EINVAL);
	/* A digit above a small maximum must not wrap the bound. */
	assert_int_equal(http_parse_uint("9", 5, &v), GZ_EINVAL);
	assert_int_equal(http_parse_uint("5", 5, &v), GZ_OK);
	assert_int_equal(http_parse_uint("", 100, &v), GZ_EINVAL);
	assert_int_equal(http_parse_uint(NULL, 100, &v), GZ_EINVAL);
	assert_int_equal(http_parse_uint("012", 100, &v), GZ_EINVAL);
	assert_int_equal(http_parse_uint("-1", 100, &v), GZ_EINVAL);
	assert_int_equal(http_parse_uint("+1", 100, &v), GZ_EINVAL);
	assert_int_equal(http_parse_uint("1x", 100, &v), GZ_EINVAL);
	assert_int_equal(http_parse_uint("18446744073709551615", UINT64_MAX, &v), GZ_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(http_parse_uint("18446744073709551616", UINT64_MAX, &v), GZ_EINVAL);
	assert_int_equal(http_parse_uint("99999999999999999999999", INT64_MAX, &v), GZ_EINVAL);
}

static void
test_status_of_err(void **state)
{
	(void)state;
	assert_int_equal(http_status_of_err(GZ_ENOTFOUND), 404);
	assert_int_equal(http_status_of_err(GZ_EINVAL), 400);
	assert_int_equal(http_status_of_err(GZ_ETOOBIG), 413);
	assert_int_equal(http_status_of_err(GZ_EBUSY), 503);
	assert_int_equal(http_status_of_err(GZ_EDB), 500);
	assert_int_equal(http_status_of_err(GZ_ENOMEM), 500);
	assert_string_equal(http_reason(404), "Not Found");
	assert_string_equal(http_reason(599), "Unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etag_matches),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_status_of_err),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
