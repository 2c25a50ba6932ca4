/* test_http_request.c - ETag matching and URL numbers
 * (src/http/request.c, src/http/response.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http/http.h"
#include "http/http_int.h"
#include "util/err.h"
#include "util/limits.h"

/* Every value of a repeated field, through the request (the handler's
 * view of its form); a request without a form has none. */
static void
test_form_all(void **state)
{
	static const char body[] = "ids=3&csrf=t&ids=5&ids=8";
	struct http_form *f = http_form_new("application/x-www-form-urlencoded",
					    GZ_LIMIT_BODY_BYTES);
	struct http_req req = {0};
	const char *v[2] = {NULL, NULL};

	(void)state;
	assert_int_equal(http_req_form_all(&req, "ids", v, 2), 0);
	assert_non_null(f);
	http_form_feed(f, body, strlen(body));
	assert_true(http_form_finish(f));
	req.form = f;
	assert_int_equal(http_req_form_all(&req, "ids", v, 2), 3);
	assert_string_equal(v[0], "3");
	assert_string_equal(v[1], "5");
	assert_int_equal(http_req_form_all(&req, "csrf", v, 2), 1);
	assert_string_equal(v[0], "t");
	assert_int_equal(http_req_form_all(&req, "none", v, 2), 0);
	assert_string_equal(http_req_form(&req, "ids"), "3");
	http_form_free(f);
}

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
		cmocka_unit_test(test_form_all),
		cmocka_unit_test(test_parse_uint),
		cmocka_unit_test(test_status_of_err),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
