/* Tests for src/comments/commenter.c: the commenter cookie's strict
 * validator, fresh cookies, and the keyed commenter key stored in the
 * cookie's place. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "comments/comments.h"
#include "comments/comments_int.h"
#include "util/err.h"

#define SECRET "000102030405060708090a0b0c0d0e0f" \
	       "101112131415161718191a1b1c1d1e1f"
#define OTHER_SECRET "f00102030405060708090a0b0c0d0e0f" \
		     "101112131415161718191a1b1c1d1e1f"
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING
/* 32 bytes of 0x00..0x1f, base64url without padding. */
#define GOOD "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

static struct comments *
make(const char *secret)
{
	struct comments_policy p;
	struct comments *c = NULL;

	comments_policy_default(&p);
	p.moderation = COMMENTS_FIRST_TIME;
	assert_int_equal(comments_new(&p, secret, &c), GZ_OK);
	assert_non_null(c);
	return c;
}

static int
setup(void **state)
{
	*state = make(SECRET);
	return 0;
}

static int
teardown(void **state)
{
	comments_free(*state);
	return 0;
}

/* Parses s, expecting rc. */
static void
parse_is(const char *s, int rc)
{
	unsigned char raw[COMMENTS_COOKIE_BYTES];

	if (comments_cookie_parse(s, raw) != rc)
		fail_msg("comments_cookie_parse(\"%s\") is not %d", s ? s : "(null)",
			 rc);
}

static void
parse_accepts_a_cookie_of_ours(void **state)
{
	unsigned char raw[COMMENTS_COOKIE_BYTES];
	size_t i;

	(void)state;
	assert_int_equal(strlen(GOOD), COMMENTS_COOKIE_CHARS);
	assert_int_equal(comments_cookie_parse(GOOD, raw), GZ_OK);
	for (i = 0; i < sizeof(raw); i++)
		assert_int_equal(raw[i], i);
	/* Every character of the alphabet, '-' and '_' included. */
	parse_is("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopg", GZ_OK);
	parse_is("qrstuvwxyz0123456789-_-_-_-_-_-_-_-_-_-_-_w", GZ_OK);
}

static void
parse_refuses_everything_else(void **state)
{
	char s[128];
	size_t i;

	(void)state;
	parse_is(NULL, GZ_EINVAL);
	parse_is("", GZ_EINVAL);
	parse_is("x", GZ_EINVAL);
	/* One short, one long, padded. */
	parse_is("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh", GZ_EINVAL);
	parse_is(GOOD "A", GZ_EINVAL);
	parse_is(GOOD "=", GZ_EINVAL);
	parse_is(GOOD " ", GZ_EINVAL);
	parse_is(" " GOOD, GZ_EINVAL);
	parse_is("\"" GOOD "\"", GZ_EINVAL);
	/* Standard base64's '+' and '/', a dot, a space, a non-ASCII byte,
	 * each in place of one character. */
	for (i = 0; i < COMMENTS_COOKIE_CHARS; i++) {
		static const char bad[] = "+/=. %\xc3\x7f";
		size_t k;

		for (k = 0; k < sizeof(bad) - 1; k++) {
			memcpy(s, GOOD, sizeof(GOOD));
			s[i] = bad[k];
			parse_is(s, GZ_EINVAL);
		}
	}
	/* The last character's two low bits are padding: "h" (33) has one
	 * set, so it names the same bytes as "g" (32) would, and is not a
	 * spelling of ours. */
	memcpy(s, GOOD, sizeof(GOOD));
	s[COMMENTS_COOKIE_CHARS - 1] = 'g';
	parse_is(s, GZ_OK);
	for (i = 1; i < 4; i++) {
		s[COMMENTS_COOKIE_CHARS - 1] = (char)('g' + i);
		parse_is(s, GZ_EINVAL);
	}
	/* A long value of alphabet characters. */
	memset(s, 'A', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	parse_is(s, GZ_EINVAL);
}

/* The validator stops at the first byte that disqualifies the value: a
 * value with no NUL after a bad byte is never read past it (ASan sees a
 * read past the block). */
static void
parse_reads_no_further_than_it_must(void **state)
{
	unsigned char raw[COMMENTS_COOKIE_BYTES];
	char *p = malloc(5);

	(void)state;
	assert_non_null(p);
	memcpy(p, "AAA.A", 5); /* no NUL: the '.' ends the reading */
	assert_int_equal(comments_cookie_parse(p, raw), GZ_EINVAL);
	free(p);
}

static void
fresh_cookies_parse_and_differ(void **state)
{
	char a[COMMENTS_COOKIE_CHARS + 1], b[COMMENTS_COOKIE_CHARS + 1];
	unsigned char ra[COMMENTS_COOKIE_BYTES], rb[COMMENTS_COOKIE_BYTES];
	unsigned char back[COMMENTS_COOKIE_BYTES];
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		comments_cookie_new(a, ra);
		comments_cookie_new(b, rb);
		assert_int_equal(strlen(a), COMMENTS_COOKIE_CHARS);
		assert_int_equal(comments_cookie_parse(a, back), GZ_OK);
		assert_memory_equal(back, ra, sizeof(ra));
		assert_string_not_equal(a, b);
	}
}

static void
keys_are_keyed_by_the_secret(void **state)
{
	struct comments *c = *state, *other = make(OTHER_SECRET);
	unsigned char raw[COMMENTS_COOKIE_BYTES];
	unsigned char k1[COMMENTS_COMMENTER_KEY_BYTES];
	unsigned char k2[COMMENTS_COMMENTER_KEY_BYTES];
	unsigned char k3[COMMENTS_COMMENTER_KEY_BYTES];
	unsigned char plain[COMMENTS_COMMENTER_KEY_BYTES];

	assert_int_equal(comments_cookie_parse(GOOD, raw), GZ_OK);
	comments_commenter_key(c, raw, k1);
	comments_commenter_key(c, raw, k2);
	assert_memory_equal(k1, k2, sizeof(k1));
	/* Another site's secret, another key. */
	comments_commenter_key(other, raw, k3);
	assert_memory_not_equal(k1, k3, sizeof(k1));
	/* Not the cookie, nor its unkeyed hash: a stolen database gives
	 * out no cookie, and no key can be made from a cookie without the
	 * secret. */
	assert_memory_not_equal(k1, raw, sizeof(k1));
	crypto_generichash(plain, sizeof(plain), raw, sizeof(raw), NULL, 0);
	assert_memory_not_equal(k1, plain, sizeof(k1));
	/* Another cookie, another key. */
	raw[0] ^= 1;
	comments_commenter_key(c, raw, k2);
	assert_memory_not_equal(k1, k2, sizeof(k1));
	comments_free(other);
}

static void
commenter_keeps_ours_and_replaces_the_rest(void **state)
{
	struct comments *c = *state;
	struct comments_commenter a, b, junk, none;
	unsigned char raw[COMMENTS_COOKIE_BYTES];
	unsigned char key[COMMENTS_COMMENTER_KEY_BYTES];

	comments_commenter(c, GOOD, &a);
	assert_false(a.fresh);
	assert_string_equal(a.cookie, GOOD);
	assert_int_equal(comments_cookie_parse(GOOD, raw), GZ_OK);
	comments_commenter_key(c, raw, key);
	assert_memory_equal(a.key, key, sizeof(key));
	/* Same cookie, same key: this is what knows a browser again. */
	comments_commenter(c, GOOD, &b);
	assert_memory_equal(a.key, b.key, sizeof(a.key));

	comments_commenter(c, "garbage", &junk);
	assert_true(junk.fresh);
	assert_int_equal(comments_cookie_parse(junk.cookie, raw), GZ_OK);
	comments_commenter_key(c, raw, key);
	assert_memory_equal(junk.key, key, sizeof(key));
	assert_memory_not_equal(junk.key, a.key, sizeof(key));

	comments_commenter(c, NULL, &none);
	assert_true(none.fresh);
	assert_string_not_equal(none.cookie, junk.cookie);
	assert_memory_not_equal(none.key, junk.key, sizeof(key));
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_a_cookie_of_ours),
		cmocka_unit_test(parse_refuses_everything_else),
		cmocka_unit_test(parse_reads_no_further_than_it_must),
		cmocka_unit_test(fresh_cookies_parse_and_differ),
		T(keys_are_keyed_by_the_secret),
		T(commenter_keeps_ours_and_replaces_the_rest),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
