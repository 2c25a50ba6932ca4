/* Tests for src/admin/totp.c: RFC 6238 appendix B's eighteen test
 * vectors, the check's window of one step and the step it reports,
 * RFC 4648 section 10's base32 vectors, and the otpauth:// URI. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "admin/admin.h"
#include "util/buf.h"
#include "util/err.h"

/* The RFC's seeds: ASCII digits, 20, 32 and 64 bytes long. */
static const char seed_sha1[] = "12345678901234567890";
static const char seed_sha256[] = "12345678901234567890123456789012";
static const char seed_sha512[] =
	"1234567890123456789012345678901234567890123456789012345678901234";

static void
rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *sha1, *sha256, *sha512;
	} v[] = {
		{ 59LL, "94287082", "46119246", "90693936" },
		{ 1111111109LL, "07081804", "68084774", "25091201" },
		{ 1111111111LL, "14050471", "67062674", "99943326" },
		{ 1234567890LL, "89005924", "91819424", "93441116" },
		{ 2000000000LL, "69279037", "90698825", "38618901" },
		{ 20000000000LL, "65353130", "77737706", "47863826" },
	};
	char out[9];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(admin_totp_code((const unsigned char *)seed_sha1,
						 20, v[i].t, 8, "sha1", out,
						 sizeof(out)),
				 GZ_OK);
		assert_string_equal(out, v[i].sha1);
		assert_int_equal(admin_totp_code((const unsigned char *)seed_sha256,
						 32, v[i].t, 8, "sha256", out,
						 sizeof(out)),
				 GZ_OK);
		assert_string_equal(out, v[i].sha256);
		assert_int_equal(admin_totp_code((const unsigned char *)seed_sha512,
						 64, v[i].t, 8, "sha512", out,
						 sizeof(out)),
				 GZ_OK);
		assert_string_equal(out, v[i].sha512);
		/* Six digits are the last six of eight. */
		assert_int_equal(admin_totp_code((const unsigned char *)seed_sha1,
						 20, v[i].t, 6, "sha1", out,
						 sizeof(out)),
				 GZ_OK);
		assert_string_equal(out, v[i].sha1 + 2);
	}
}

static void
code_arguments(void **state)
{
	const unsigned char *s = (const unsigned char *)seed_sha1;
	char out[9];

	(void)state;
	assert_int_equal(admin_totp_code(s, 20, 59, 7, "sha1", out, 9),
			 GZ_EINVAL);
	assert_int_equal(admin_totp_code(s, 20, 59, 8, "md5", out, 9),
			 GZ_EINVAL);
	assert_int_equal(admin_totp_code(s, 20, 59, 8, "sha1", out, 8),
			 GZ_EINVAL);
	assert_int_equal(admin_totp_code(s, 0, 59, 6, "sha1", out, 9),
			 GZ_EINVAL);
	assert_int_equal(admin_totp_code(s, 20, -1, 6, "sha1", out, 9),
			 GZ_EINVAL);
	assert_int_equal(admin_totp_code(NULL, 20, 59, 6, "sha1", out, 9),
			 GZ_EINVAL);
}

static void
check_window_and_step(void **state)
{
	const unsigned char *s = (const unsigned char *)seed_sha1;
	const int64_t t = 1111111111LL; /* step 37037037, 1 s into it */
	int64_t step = -1;
	char code[9];

	(void)state;
	/* The code of t's own step. */
	assert_int_equal(admin_totp_check(s, 20, "050471", t, &step), GZ_OK);
	assert_int_equal(step, t / 30);
	/* The same code 30 s later (one step on) is still taken, and says
	 * it was the earlier step; 60 s later it is not. */
	step = -1;
	assert_int_equal(admin_totp_check(s, 20, "050471", t + 30, &step), GZ_OK);
	assert_int_equal(step, t / 30);
	assert_int_equal(admin_totp_check(s, 20, "050471", t + 60, &step),
			 GZ_EFORBIDDEN);
	/* One step early (a phone whose clock runs ahead) is taken... */
	assert_int_equal(admin_totp_code(s, 20, t + 30, 6, "sha1", code,
					 sizeof(code)),
			 GZ_OK);
	assert_int_equal(admin_totp_check(s, 20, code, t, &step), GZ_OK);
	assert_int_equal(step, t / 30 + 1);
	/* ...two are not. */
	assert_int_equal(admin_totp_code(s, 20, t + 60, 6, "sha1", code,
					 sizeof(code)),
			 GZ_OK);
	assert_int_equal(admin_totp_check(s, 20, code, t, &step),
			 GZ_EFORBIDDEN);
	/* Spaces are ignored; anything else is refused. */
	assert_int_equal(admin_totp_check(s, 20, " 050 471 ", t, &step), GZ_OK);
	assert_int_equal(admin_totp_check(s, 20, "050-471", t, &step),
			 GZ_EFORBIDDEN);
	assert_int_equal(admin_totp_check(s, 20, "05047", t, &step),
			 GZ_EFORBIDDEN);
	assert_int_equal(admin_totp_check(s, 20, "0504710", t, &step),
			 GZ_EFORBIDDEN);
	assert_int_equal(admin_totp_check(s, 20, "14050471", t, &step),
			 GZ_EFORBIDDEN);
	assert_int_equal(admin_totp_check(s, 20, "", t, &step), GZ_EFORBIDDEN);
	assert_int_equal(admin_totp_check(s, 20, NULL, t, &step),
			 GZ_EFORBIDDEN);
	assert_int_equal(admin_totp_check(s, 20, "050471", t, &step), GZ_OK);
	/* A wrong code. */
	assert_int_equal(admin_totp_check(s, 20, "050472", t, &step),
			 GZ_EFORBIDDEN);
	/* At time 0 there is no step before. */
	assert_int_equal(admin_totp_code(s, 20, 0, 6, "sha1", code,
					 sizeof(code)),
			 GZ_OK);
	assert_int_equal(admin_totp_check(s, 20, code, 0, &step), GZ_OK);
	assert_int_equal(step, 0);
}

static void
fresh_secrets(void **state)
{
	unsigned char a[ADMIN_TOTP_SECRET_BYTES], b[ADMIN_TOTP_SECRET_BYTES];
	char b32[ADMIN_TOTP_BASE32_LEN + 1];

	(void)state;
	admin_totp_secret_new(a);
	admin_totp_secret_new(b);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(admin_totp_base32(a, sizeof(a), b32, sizeof(b32)),
			 GZ_OK);
	assert_int_equal(strlen(b32), ADMIN_TOTP_BASE32_LEN);
	assert_int_equal(admin_totp_base32(a, sizeof(a), b32, sizeof(b32) - 1),
			 GZ_ETOOBIG);
}

static void
base32_vectors(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "" },         { "f", "MY" },
		{ "fo", "MZXQ" },   { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" },
		{ "foobar", "MZXW6YTBOI" },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(admin_totp_base32((const unsigned char *)v[i].in,
						   strlen(v[i].in), out,
						   sizeof(out)),
				 GZ_OK);
		assert_string_equal(out, v[i].out);
	}
	/* The RFC 6238 seed, as apps are given it. */
	assert_int_equal(admin_totp_base32((const unsigned char *)seed_sha1, 20,
					   out, sizeof(out)),
			 GZ_OK);
	assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	/* Exactly enough room, and one byte less. */
	assert_int_equal(admin_totp_base32((const unsigned char *)"foobar", 6,
					   out, 11),
			 GZ_OK);
	assert_int_equal(admin_totp_base32((const unsigned char *)"foobar", 6,
					   out, 10),
			 GZ_ETOOBIG);
}

static void
uri(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(admin_totp_uri(&b, "Gazette", "ann",
					(const unsigned char *)seed_sha1, 20),
			 GZ_OK);
	assert_string_equal(b.data,
			    "otpauth://totp/Gazette:ann?secret="
			    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gazette"
			    "&algorithm=SHA1&digits=6&period=30");
	buf_reset(&b);
	/* Every part percent-encoded: spaces, colons, ampersands, UTF-8. */
	assert_int_equal(admin_totp_uri(&b, "The Daily: News & Views",
					"b\xc3\xb6" "b?x=1",
					(const unsigned char *)"foo", 3),
			 GZ_OK);
	assert_string_equal(b.data,
			    "otpauth://totp/The%20Daily%3A%20News%20%26%20Views:"
			    "b%C3%B6b%3Fx%3D1?secret=MZXW6&issuer="
			    "The%20Daily%3A%20News%20%26%20Views"
			    "&algorithm=SHA1&digits=6&period=30");
	buf_fini(&b);
	/* A buffer too small says so. */
	buf_init(&b, 20);
	assert_int_equal(admin_totp_uri(&b, "Gazette", "ann",
					(const unsigned char *)seed_sha1, 20),
			 GZ_ETOOBIG);
	buf_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc6238_vectors),
		cmocka_unit_test(code_arguments),
		cmocka_unit_test(check_window_and_step),
		cmocka_unit_test(fresh_secrets),
		cmocka_unit_test(base32_vectors),
		cmocka_unit_test(uri),
	};

	return cmocka_run_group_tests_name("admin/totp", tests, NULL, NULL);
}
