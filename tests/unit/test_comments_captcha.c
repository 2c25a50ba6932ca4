/* Tests for src/comments/captcha.c: keys, challenges, signed tokens and
 * the reader's answer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
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
#define NOW INT64_C(1700000000)
#define ARTICLE INT64_C(42)
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static struct comments *
make(const char *secret)
{
	struct comments_policy p;
	struct comments *c = NULL;

	comments_policy_default(&p);
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

/* Decodes a token into payload; fails the test if it does not decode. */
static void
decode(const char *token, unsigned char payload[COMMENTS_PAYLOAD_BYTES])
{
	size_t bin_len = 0;

	assert_int_equal(sodium_base642bin(payload, COMMENTS_PAYLOAD_BYTES,
					   token, strlen(token), NULL, &bin_len,
					   NULL, B64),
			 0);
	assert_int_equal(bin_len, COMMENTS_PAYLOAD_BYTES);
}

static void
encode(const unsigned char payload[COMMENTS_PAYLOAD_BYTES],
       char token[COMMENTS_TOKEN_MAX])
{
	sodium_bin2base64(token, COMMENTS_TOKEN_MAX, payload,
			  COMMENTS_PAYLOAD_BYTES, B64);
}

/* Re-signs payload with c's MAC key, as only the server could. */
static void
resign(const struct comments *c, unsigned char payload[COMMENTS_PAYLOAD_BYTES])
{
	crypto_generichash(payload + COMMENTS_OFF_MAC, COMMENTS_MAC_BYTES, payload,
			   COMMENTS_OFF_MAC, c->mac_key, sizeof(c->mac_key));
}

/* The answer to a question "a op b =". */
static long
solve(const char *question)
{
	unsigned a = 0, b = 0;
	char op = 0, eq = 0;

	assert_int_equal(sscanf(question, "%u %c %u %c", &a, &op, &b, &eq), 4);
	assert_int_equal(eq, '=');
	switch (op) {
	case '+': return (long)(a + b);
	case '-': return (long)a - (long)b;
	case 'x': return (long)(a * b);
	default: fail_msg("operator %c", op);
	}
	return -1;
}

/* ---- keys ---------------------------------------------------------------- */

static void
secret_must_be_64_hex_digits(void **state)
{
	struct comments_policy p;
	struct comments *c = (struct comments *)1;
	static const char *const bad[] = {
		"",
		"00",
		/* 63 and 65 digits */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0",
		/* a non-hex digit */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",
		/* spaces */
		"000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e",
	};
	size_t i;

	(void)state;
	comments_policy_default(&p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(comments_new(&p, bad[i], &c), GZ_EINVAL);
		assert_null(c);
	}
	assert_int_equal(comments_new(&p, NULL, &c), GZ_EINVAL);
	/* Upper case is hex too. */
	assert_int_equal(comments_new(&p,
				      "000102030405060708090A0B0C0D0E0F"
				      "101112131415161718191A1B1C1D1E1F",
				      &c),
			 GZ_OK);
	comments_free(c);
	comments_free(NULL);
}

static void
keys_are_distinct_and_depend_on_the_secret(void **state)
{
	struct comments *c = *state, *d = make(OTHER_SECRET),
			*e = make(SECRET);

	assert_memory_not_equal(c->mac_key, c->answer_key, COMMENTS_KEY_BYTES);
	assert_memory_not_equal(c->mac_key, d->mac_key, COMMENTS_KEY_BYTES);
	assert_memory_not_equal(c->answer_key, d->answer_key,
				COMMENTS_KEY_BYTES);
	/* Same secret, same keys: every node of a site agrees. */
	assert_memory_equal(c->mac_key, e->mac_key, COMMENTS_KEY_BYTES);
	assert_memory_equal(c->answer_key, e->answer_key, COMMENTS_KEY_BYTES);
	comments_free(d);
	comments_free(e);
}

/* ---- tokens --------------------------------------------------------------- */

static void
token_round_trip(void **state)
{
	struct comments *c = *state;
	struct comments_challenge ch, ch2;
	struct comments_token t;
	static const unsigned char zero[COMMENTS_NONCE_BYTES];

	comments_challenge_new(c, ARTICLE, NOW, &ch);
	assert_int_equal(strlen(ch.token), COMMENTS_TOKEN_CHARS);
	assert_true(strlen(ch.token) < COMMENTS_TOKEN_MAX);
	assert_int_equal(strspn(ch.token, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "abcdefghijklmnopqrstuvwxyz"
					  "0123456789-_"),
			 strlen(ch.token));
	assert_int_equal(comments_token_check(c, ch.token, ARTICLE, NOW, &t),
			 GZ_OK);
	assert_int_equal(t.article_id, ARTICLE);
	assert_int_equal(t.issued_at, NOW);
	assert_int_equal(t.expires_at, NOW + 7200);
	assert_memory_not_equal(t.nonce, zero, sizeof(zero));

	/* Another challenge, another nonce. */
	comments_challenge_new(c, ARTICLE, NOW, &ch2);
	assert_string_not_equal(ch.token, ch2.token);
	{
		struct comments_token t2;

		assert_int_equal(comments_token_check(c, ch2.token, ARTICLE,
						      NOW, &t2),
				 GZ_OK);
		assert_memory_not_equal(t.nonce, t2.nonce, sizeof(t.nonce));
	}

	/* Negative and large ids survive the big-endian trip. */
	comments_challenge_new(c, INT64_MAX, NOW, &ch);
	assert_int_equal(comments_token_check(c, ch.token, INT64_MAX, NOW, &t),
			 GZ_OK);
	assert_int_equal(t.article_id, INT64_MAX);
	comments_challenge_new(c, -5, -100, &ch);
	assert_int_equal(comments_token_check(c, ch.token, -5, -100, &t),
			 GZ_OK);
	assert_int_equal(t.issued_at, -100);
	/* Expiry saturates instead of overflowing. */
	comments_challenge_new(c, 1, INT64_MAX - 10, &ch);
	assert_int_equal(comments_token_check(c, ch.token, 1, INT64_MAX - 1, &t),
			 GZ_OK);
	assert_int_equal(t.expires_at, INT64_MAX);
}

static void
every_byte_is_signed(void **state)
{
	struct comments *c = *state;
	struct comments_challenge ch;
	struct comments_token t;
	unsigned char payload[COMMENTS_PAYLOAD_BYTES], bad[COMMENTS_PAYLOAD_BYTES];
	char token[COMMENTS_TOKEN_MAX];
	static const unsigned char flips[] = {0x01, 0x80, 0xFF};
	size_t i, f;

	comments_challenge_new(c, ARTICLE, NOW, &ch);
	decode(ch.token, payload);
	/* The decoded bytes re-encode to the same token. */
	encode(payload, token);
	assert_string_equal(token, ch.token);
	for (i = 0; i < COMMENTS_PAYLOAD_BYTES; i++) {
		for (f = 0; f < sizeof(flips); f++) {
			memcpy(bad, payload, sizeof(bad));
			bad[i] ^= flips[f];
			encode(bad, token);
			t.article_id = 99;
			if (comments_token_check(c, token, ARTICLE, NOW, &t) !=
			    GZ_EINVAL)
				fail_msg("byte %zu ^ %02x accepted", i, flips[f]);
			/* Nothing is reported from a refused token. */
			assert_int_equal(t.article_id, 0);
		}
	}
}

static void
version_is_checked(void **state)
{
	struct comments *c = *state;
	struct comments_challenge ch;
	struct comments_token t;
	unsigned char payload[COMMENTS_PAYLOAD_BYTES];
	char token[COMMENTS_TOKEN_MAX];

	comments_challenge_new(c, ARTICLE, NOW, &ch);
	decode(ch.token, payload);
	assert_int_equal(payload[0], COMMENTS_TOKEN_VERSION);
	/* Even correctly signed, another version is refused. */
	payload[0] = COMMENTS_TOKEN_VERSION + 1;
	resign(c, payload);
	encode(payload, token);
	assert_int_equal(comments_token_check(c, token, ARTICLE, NOW, &t),
			 GZ_EINVAL);
	/* And the re-signing itself is right: the current version passes again. */
	payload[0] = COMMENTS_TOKEN_VERSION;
	resign(c, payload);
	encode(payload, token);
	assert_int_equal(comments_token_check(c, token, ARTICLE, NOW, &t),
			 GZ_OK);
}

static void
malformed_tokens(void **state)
{
	struct comments *c = *state;
	struct comments_challenge ch;
	struct comments_token t;
	char token[COMMENTS_TOKEN_MAX + 8];
	char *huge;
	size_t len, i;
	static const char *const garbage[] = {
		"", "A", "====", "not a token", "\xff\xfe",
	};

	comments_challenge_new(c, ARTICLE, NOW, &ch);
	len = strlen(ch.token);
	assert_int_equal(comments_token_check(c, NULL, ARTICLE, NOW, &t),
			 GZ_EINVAL);
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		assert_int_equal(comments_token_check(c, garbage[i], ARTICLE,
						      NOW, &t),
				 GZ_EINVAL);
	/* The right length, all zero bits: decodes, but is not signed. */
	memset(token, 'A', COMMENTS_TOKEN_CHARS);
	token[COMMENTS_TOKEN_CHARS] = '\0';
	assert_int_equal(comments_token_check(c, token, ARTICLE, NOW, &t),
			 GZ_EINVAL);
	/* Every truncation. */
	for (i = 0; i < len; i++) {
		memcpy(token, ch.token, i);
		token[i] = '\0';
		assert_int_equal(comments_token_check(c, token, ARTICLE, NOW,
						      &t),
				 GZ_EINVAL);
	}
	/* Extended by a character, by padding, by a newline. */
	snprintf(token, sizeof(token), "%sA", ch.token);
	assert_int_equal(comments_token_check(c, token, ARTICLE, NOW, &t),
			 GZ_EINVAL);
	snprintf(token, sizeof(token), "%s=", ch.token);
	assert_int_equal(comments_token_check(c, token, ARTICLE, NOW, &t),
			 GZ_EINVAL);
	snprintf(token, sizeof(token), "%s\n", ch.token);
	assert_int_equal(comments_token_check(c, token, ARTICLE, NOW, &t),
			 GZ_EINVAL);
	/* Characters outside base64url at each place: standard base64's
	 * '+' and '/', a space, a dot. */
	for (i = 0; i < len; i += 7) {
		static const char alien[] = "+/ .";
		size_t k;

		for (k = 0; k < sizeof(alien) - 1; k++) {
			memcpy(token, ch.token, len + 1);
			token[i] = alien[k];
			assert_int_equal(comments_token_check(c, token, ARTICLE,
							      NOW, &t),
					 GZ_EINVAL);
		}
	}
	/* The last character carries 2 unused bits: set, they make a
	 * different string for the same bytes, which is refused. */
	memcpy(token, ch.token, len + 1);
	{
		static const char alphabet[] =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789-_";
		const char *p = strchr(alphabet, token[len - 1]);

		assert_non_null(p);
		token[len - 1] = alphabet[(size_t)(p - alphabet) ^ 1u];
		assert_int_equal(comments_token_check(c, token, ARTICLE, NOW,
						      &t),
				 GZ_EINVAL);
	}
	/* A megabyte is refused without being read to the end. */
	huge = malloc(1u << 20);
	assert_non_null(huge);
	memset(huge, 'A', (1u << 20) - 1);
	huge[(1u << 20) - 1] = '\0';
	assert_int_equal(comments_token_check(c, huge, ARTICLE, NOW, &t),
			 GZ_EINVAL);
	free(huge);
}

static void
wrong_key_is_refused(void **state)
{
	struct comments *c = *state, *d = make(OTHER_SECRET);
	struct comments_challenge ch;
	struct comments_token t;

	comments_challenge_new(d, ARTICLE, NOW, &ch);
	assert_int_equal(comments_token_check(d, ch.token, ARTICLE, NOW, &t),
			 GZ_OK);
	assert_int_equal(comments_token_check(c, ch.token, ARTICLE, NOW, &t),
			 GZ_EINVAL);
	comments_free(d);
}

static void
expiry_boundary(void **state)
{
	struct comments *c = *state;
	struct comments_challenge ch;
	struct comments_token t;

	comments_challenge_new(c, ARTICLE, NOW, &ch);
	assert_int_equal(comments_token_check(c, ch.token, ARTICLE,
					      NOW + 7200 - 1, &t),
			 GZ_OK);
	assert_int_equal(comments_token_check(c, ch.token, ARTICLE, NOW + 7200,
					      &t),
			 GZ_ETOOBIG);
	assert_int_equal(comments_token_check(c, ch.token, ARTICLE,
					      NOW + 100000, &t),
			 GZ_ETOOBIG);
	/* A token from the policy's own token_seconds. */
	{
		struct comments_policy p;
		struct comments *d = NULL;

		comments_policy_default(&p);
		p.token_seconds = 60;
		assert_int_equal(comments_new(&p, SECRET, &d), GZ_OK);
		comments_challenge_new(d, ARTICLE, NOW, &ch);
		assert_int_equal(comments_token_check(d, ch.token, ARTICLE,
						      NOW + 59, &t),
				 GZ_OK);
		assert_int_equal(comments_token_check(d, ch.token, ARTICLE,
						      NOW + 60, &t),
				 GZ_ETOOBIG);
		comments_free(d);
		p.token_seconds = 0;
		assert_int_equal(comments_new(&p, SECRET, &d), GZ_EINVAL);
	}
}

static void
wrong_article_is_not_found(void **state)
{
	struct comments *c = *state;
	struct comments_challenge ch;
	struct comments_token t;

	comments_challenge_new(c, ARTICLE, NOW, &ch);
	assert_int_equal(comments_token_check(c, ch.token, ARTICLE + 1, NOW,
					      &t),
			 GZ_ENOTFOUND);
	assert_int_equal(comments_token_check(c, ch.token, -ARTICLE, NOW, &t),
			 GZ_ENOTFOUND);
	/* The article is checked before the expiry. */
	assert_int_equal(comments_token_check(c, ch.token, ARTICLE + 1,
					      NOW + 100000, &t),
			 GZ_ENOTFOUND);
}

/* ---- answers ---------------------------------------------------------------- */

static void
answer_matches_only_its_token(void **state)
{
	struct comments *c = *state;
	struct comments_challenge ch, ch2;
	struct comments_token t;
	unsigned char payload[COMMENTS_PAYLOAD_BYTES];
	unsigned char payload2[COMMENTS_PAYLOAD_BYTES];
	char token[COMMENTS_TOKEN_MAX];
	long answer, other;
	int i;

	for (i = 0; i < 200; i++) {
		comments_challenge_new(c, ARTICLE, NOW, &ch);
		answer = solve(ch.question);
		assert_int_equal(comments_token_open(c, ch.token, ARTICLE, NOW,
						     &t, payload),
				 GZ_OK);
		assert_true(comments_answer_matches(c, payload, answer));
		assert_false(comments_answer_matches(c, payload, answer + 1));
		assert_false(comments_answer_matches(c, payload, answer - 1));
		assert_false(comments_answer_matches(c, payload, -answer - 1));
		assert_false(comments_answer_matches(c, payload, LONG_MAX));
	}

	/* A tag moved to another token (re-signed, as only the server
	 * could) does not carry its answer along: the tag covers the
	 * nonce. */
	do {
		comments_challenge_new(c, ARTICLE, NOW, &ch);
		comments_challenge_new(c, ARTICLE, NOW, &ch2);
		answer = solve(ch.question);
		other = solve(ch2.question);
	} while (answer == other);
	decode(ch.token, payload);
	decode(ch2.token, payload2);
	memcpy(payload2 + COMMENTS_OFF_TAG, payload + COMMENTS_OFF_TAG,
	       COMMENTS_TAG_BYTES);
	resign(c, payload2);
	encode(payload2, token);
	assert_int_equal(comments_token_open(c, token, ARTICLE, NOW, &t,
					     payload2),
			 GZ_OK);
	assert_false(comments_answer_matches(c, payload2, answer));
	assert_false(comments_answer_matches(c, payload2, other));
}

static void
answer_parse_table(void **state)
{
	static const struct {
		const char *in;
		int rc;
		long want;
	} cases[] = {
		{"3", GZ_OK, 3},
		{" 3 ", GZ_OK, 3},
		{"\t3\t", GZ_OK, 3},
		{"03", GZ_OK, 3},
		{"0000000000000000000000000003", GZ_OK, 3},
		{"0", GZ_OK, 0},
		{"-0", GZ_OK, 0},
		{"-2", GZ_OK, -2},
		{"81", GZ_OK, 81},
		{"three", GZ_OK, 3},
		{"Three", GZ_OK, 3},
		{"THREE", GZ_OK, 3},
		{" zero ", GZ_OK, 0},
		{"ten", GZ_OK, 10},
		{"nineteen", GZ_OK, 19},
		{"twenty", GZ_OK, 20},
		{"Twenty-One", GZ_OK, 21},
		{"twenty one", GZ_OK, 21},
		{"twenty  one", GZ_OK, 21},
		{"forty-two", GZ_OK, 42},
		{"eighty-one", GZ_OK, 81},
		{"ninety-nine", GZ_OK, 99},
		{"one hundred", GZ_OK, 100},
		{"One Hundred", GZ_OK, 100},
		{"9223372036854775807", GZ_OK, LONG_MAX},
		{"-9223372036854775808", GZ_OK, LONG_MIN},
		{"", GZ_EINVAL, 0},
		{"   ", GZ_EINVAL, 0},
		{"-", GZ_EINVAL, 0},
		{"--3", GZ_EINVAL, 0},
		{"+3", GZ_EINVAL, 0},
		{"3.0", GZ_EINVAL, 0},
		{"3,0", GZ_EINVAL, 0},
		{"3 apples", GZ_EINVAL, 0},
		{"3 3", GZ_EINVAL, 0},
		{"0x3", GZ_EINVAL, 0},
		{"3\n", GZ_EINVAL, 0},
		{"9223372036854775808", GZ_EINVAL, 0},
		{"-9223372036854775809", GZ_EINVAL, 0},
		{"99999999999999999999", GZ_EINVAL, 0},
		{"thre", GZ_EINVAL, 0},
		{"threee", GZ_EINVAL, 0},
		{"twenty-ten", GZ_EINVAL, 0},
		{"twenty-zero", GZ_EINVAL, 0},
		{"one-twenty", GZ_EINVAL, 0},
		{"twenty--one", GZ_EINVAL, 0},
		{"twenty - one", GZ_EINVAL, 0},
		{"twenty-", GZ_EINVAL, 0},
		{"-three", GZ_EINVAL, 0},
		{"hundred", GZ_EINVAL, 0},
		{"two hundred", GZ_EINVAL, 0},
		{"one hundred one", GZ_EINVAL, 0},
		{"twenty one two", GZ_EINVAL, 0},
		{"three\xc2\xa0", GZ_EINVAL, 0},
		{"\xd9\xa3", GZ_EINVAL, 0}, /* Arabic-Indic three */
	};
	size_t i;
	long v;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = -12345;
		rc = comments_answer_parse(cases[i].in, &v);
		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d, want %d", cases[i].in, rc,
				 cases[i].rc);
		if (rc == GZ_OK && v != cases[i].want)
			fail_msg("\"%s\": %ld, want %ld", cases[i].in, v,
				 cases[i].want);
		if (rc != GZ_OK && v != -12345)
			fail_msg("\"%s\": output written on error", cases[i].in);
	}
	assert_int_equal(comments_answer_parse(NULL, &v), GZ_EINVAL);
}

static void
every_number_word_to_one_hundred(void **state)
{
	static const char *const units[] = {
		"zero", "one", "two", "three", "four", "five", "six", "seven",
		"eight", "nine", "ten", "eleven", "twelve", "thirteen",
		"fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
		"nineteen",
	};
	static const char *const tens[] = {
		"twenty", "thirty", "forty", "fifty", "sixty", "seventy",
		"eighty", "ninety",
	};
	char s[64];
	long v, n;

	(void)state;
	for (n = 0; n <= 99; n++) {
		if (n < 20)
			snprintf(s, sizeof(s), "%s", units[n]);
		else if (n % 10 == 0)
			snprintf(s, sizeof(s), "%s", tens[n / 10 - 2]);
		else
			snprintf(s, sizeof(s), "%s-%s", tens[n / 10 - 2],
				 units[n % 10]);
		assert_int_equal(comments_answer_parse(s, &v), GZ_OK);
		assert_int_equal(v, n);
	}
}

/* ---- challenges ------------------------------------------------------------- */

static void
challenges_are_well_formed(void **state)
{
	struct comments *c = *state;
	struct comments_challenge ch;
	unsigned a, b, plus = 0, minus = 0, times = 0;
	char op, eq, spoken[64];
	const char *word;
	int i;

	for (i = 0; i < 10000; i++) {
		comments_challenge_new(c, ARTICLE, NOW, &ch);
		assert_int_equal(sscanf(ch.question, "%u %c %u %c", &a, &op,
					&b, &eq),
				 4);
		/* Exactly "a op b =", nothing else. */
		snprintf(spoken, sizeof(spoken), "%u %c %u =", a, op, b);
		assert_string_equal(ch.question, spoken);
		switch (op) {
		case '+':
			plus++;
			word = "plus";
			assert_true(a >= 1 && a <= 9 && b >= 1 && b <= 9);
			break;
		case '-':
			minus++;
			word = "minus";
			assert_true(a >= 1 && a <= 9 && b >= 1 && b <= 9);
			assert_true(a >= b);
			break;
		case 'x':
			times++;
			word = "times";
			assert_true(a >= 1 && a <= 5 && b >= 1 && b <= 5);
			break;
		default:
			fail_msg("question \"%s\"", ch.question);
			return;
		}
		assert_true(solve(ch.question) >= 0);
		snprintf(spoken, sizeof(spoken), "What is %u %s %u?", a, word,
			 b);
		assert_string_equal(ch.spoken, spoken);
	}
	/* About 60/25/15 in 10,000 draws; these bounds are over 8 standard
	 * deviations wide, so the test does not flake. */
	assert_in_range(plus, 5600, 6400);
	assert_in_range(minus, 2100, 2900);
	assert_in_range(times, 1150, 1850);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(secret_must_be_64_hex_digits),
		cmocka_unit_test_setup_teardown(
			keys_are_distinct_and_depend_on_the_secret, setup,
			teardown),
		cmocka_unit_test_setup_teardown(token_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(every_byte_is_signed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(version_is_checked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(malformed_tokens, setup,
						teardown),
		cmocka_unit_test_setup_teardown(wrong_key_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(expiry_boundary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(wrong_article_is_not_found,
						setup, teardown),
		cmocka_unit_test_setup_teardown(answer_matches_only_its_token,
						setup, teardown),
		cmocka_unit_test(answer_parse_table),
		cmocka_unit_test(every_number_word_to_one_hundred),
		cmocka_unit_test_setup_teardown(challenges_are_well_formed,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("comments/captcha", tests, NULL,
					   NULL);
}
