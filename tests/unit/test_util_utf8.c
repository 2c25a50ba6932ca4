/*
 * test_util_utf8.c - tests of src/util/utf8.c: well-formed text, each
 * kind of ill-formed sequence (overlongs, surrogates, above U+10FFFF,
 * truncated, stray continuation bytes) with the offset reported, decoding,
 * and an exhaustive comparison with a plain reference over every code
 * point and every string of up to three bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "util/pool.h"
#include "util/utf8.h"

/* Asserts s (n bytes) is invalid with the first bad sequence at off. */
static void
check_bad(const char *s, size_t n, size_t off)
{
	size_t got = (size_t)-1;

	assert_false(utf8_valid(s, n, &got));
	assert_int_equal(got, off);
	assert_false(utf8_valid(s, n, NULL));
}

static void
test_valid(void **state)
{
	static const char *const ok[] = {
		"",
		"plain ASCII, with \x7f",
		"caf\xC3\xA9",                 /* é, 2 bytes */
		"\xC2\x80",                    /* U+0080, the smallest 2 */
		"\xDF\xBF",                    /* U+07FF */
		"\xE0\xA0\x80",                /* U+0800, the smallest 3 */
		"\xE2\x82\xAC",                /* € */
		"\xED\x9F\xBF",                /* U+D7FF, below surrogates */
		"\xEE\x80\x80",                /* U+E000, above them */
		"\xEF\xBF\xBF",                /* U+FFFF */
		"\xF0\x90\x80\x80",            /* U+10000, the smallest 4 */
		"\xF0\x9D\x84\x9E",            /* 𝄞 */
		"\xF4\x8F\xBF\xBF",            /* U+10FFFF, the largest */
		"شورای شهر",                   /* Persian */
		"Ελλάδα 中文 😀",
	};
	size_t i, off = 12345;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		assert_true(utf8_valid(ok[i], strlen(ok[i]), &off));
	assert_int_equal(off, 12345); /* untouched when valid */
	/* Length, not NUL, ends the text. */
	assert_true(utf8_valid("a\0b", 3, NULL));
	assert_true(utf8_valid("\xFF", 0, NULL));
}

static void
test_overlongs(void **state)
{
	(void)state;
	check_bad("\xC0\x80", 2, 0);          /* NUL in 2 bytes */
	check_bad("\xC1\xBF", 2, 0);          /* U+007F in 2 */
	check_bad("ab\xE0\x80\x80", 5, 2);    /* NUL in 3 */
	check_bad("\xE0\x9F\xBF", 3, 0);      /* U+07FF in 3 */
	check_bad("\xF0\x80\x80\x80", 4, 0);  /* NUL in 4 */
	check_bad("\xF0\x8F\xBF\xBF", 4, 0);  /* U+FFFF in 4 */
}

static void
test_surrogates_and_range(void **state)
{
	(void)state;
	check_bad("\xED\xA0\x80", 3, 0);      /* U+D800 */
	check_bad("x\xED\xBF\xBF", 4, 1);     /* U+DFFF */
	check_bad("\xED\xA0\xBD\xED\xB8\x80", 6, 0); /* CESU-8 pair */
	check_bad("\xF4\x90\x80\x80", 4, 0);  /* U+110000 */
	check_bad("\xF5\x80\x80\x80", 4, 0);
	check_bad("\xF7\xBF\xBF\xBF", 4, 0);
	check_bad("\xF8\x88\x80\x80\x80", 5, 0); /* old 5-byte form */
	check_bad("\xFE", 1, 0);
	check_bad("\xFF", 1, 0);
}

static void
test_truncated_and_stray(void **state)
{
	(void)state;
	check_bad("abc\xE2\x82", 5, 3);       /* € cut at the end */
	check_bad("\xF0\x9F\x98", 3, 0);      /* 😀 cut */
	check_bad("x\xC3", 2, 1);
	check_bad("\xF4", 1, 0);
	/* Cut by len although more bytes follow in memory. */
	check_bad("\xE2\x82\xAC", 2, 0);
	/* A lead byte followed by something that is not a continuation. */
	check_bad("\xE2\x28\xA1", 3, 0);
	check_bad("\xC3 ", 2, 0);
	check_bad("\xF0\x9F\x98 ", 4, 0);
	/* A continuation byte with no lead. */
	check_bad("\x80", 1, 0);
	check_bad("ok\xBF", 3, 2);
	check_bad("\xC3\xA9\xA9", 3, 2);
	/* The first bad sequence is reported, past good multibyte ones. */
	check_bad("h\xC3\xA9llo\xFFworld", 12, 6);
	check_bad("\xE2\x82\xAC\xE2\x82\xAC\xC0\xAF\xFF", 9, 6);
}

static void
test_decode(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		unsigned cp;
	} c[] = {
		{"A", 1, 0x41},
		{"\xC2\x80", 2, 0x80},
		{"\xC3\xA9", 2, 0xE9},
		{"\xDF\xBF", 2, 0x7FF},
		{"\xE0\xA0\x80", 3, 0x800},
		{"\xE2\x82\xAC", 3, 0x20AC},
		{"\xEF\xBF\xBF", 3, 0xFFFF},
		{"\xF0\x90\x80\x80", 4, 0x10000},
		{"\xF0\x9F\x98\x80", 4, 0x1F600},
		{"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
	};
	unsigned cp = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(*c); i++) {
		assert_int_equal(utf8_decode(c[i].s, strlen(c[i].s), &cp),
				 c[i].len);
		assert_int_equal(cp, c[i].cp);
	}
	assert_int_equal(utf8_decode("", 0, &cp), 0);
	/* Reads only the first code point. */
	assert_int_equal(utf8_decode("\xC3\xA9x", 3, &cp), 2);
	assert_int_equal(cp, 0xE9);
}

/* Encodes cp (any value up to U+10FFFF, surrogates too) into out. */
static size_t
encode(unsigned cp, unsigned char out[4])
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

static void
test_every_code_point(void **state)
{
	unsigned char b[4];
	unsigned cp, got;
	size_t n;
	bool surrogate;

	(void)state;
	for (cp = 0; cp <= 0x10FFFF; cp++) {
		n = encode(cp, b);
		surrogate = cp >= 0xD800 && cp <= 0xDFFF;
		if (utf8_valid((const char *)b, n, NULL) == surrogate)
			fail_msg("U+%04X: wrong validity", cp);
		if (surrogate)
			continue;
		if (utf8_decode((const char *)b, n, &got) != n || got != cp)
			fail_msg("U+%04X: decoded as U+%04X", cp, got);
	}
}

/*
 * The reference: reads a sequence the slow, obvious way (length from the
 * lead byte, continuation bytes, then the value's range). Returns its
 * length, or 0 when the sequence at s is ill-formed.
 */
static size_t
ref_seq(const unsigned char *s, size_t len)
{
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t n, k;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = s[0] & 0x1Fu;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = s[0] & 0x0Fu;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = s[0] & 0x07u;
	} else
		return 0;
	if (len < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3Fu);
	}
	if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static bool
ref_valid(const unsigned char *s, size_t len, size_t *bad)
{
	size_t i = 0, n;

	while (i < len) {
		if ((n = ref_seq(s + i, len - i)) == 0) {
			*bad = i;
			return false;
		}
		i += n;
	}
	return true;
}

static void
test_every_short_string(void **state)
{
	unsigned char b[3];
	size_t len, bad_ref, bad_got;
	unsigned long v, end;
	bool want, got;

	(void)state;
	for (len = 1; len <= 3; len++) {
		end = 1ul << (8 * len);
		for (v = 0; v < end; v++) {
			b[0] = (unsigned char)(v & 0xFF);
			b[1] = (unsigned char)(v >> 8 & 0xFF);
			b[2] = (unsigned char)(v >> 16 & 0xFF);
			bad_ref = bad_got = 0;
			want = ref_valid(b, len, &bad_ref);
			got = utf8_valid((const char *)b, len, &bad_got);
			if (want != got || (!want && bad_ref != bad_got))
				fail_msg("%02X %02X %02X (len %zu): want %d at "
					 "%zu, got %d at %zu", b[0], b[1],
					 b[2], len, want, bad_ref, got,
					 bad_got);
		}
	}
}

static void
test_four_byte_strings(void **state)
{
	unsigned char b[4];
	size_t bad_ref, bad_got;
	uint32_t x = 2463534242u; /* xorshift32: fixed, reproducible */
	unsigned long i;
	unsigned lead;
	bool want, got;

	(void)state;
	/* Every lead byte F0-F7 with random tails, plus random strings:
	 * 2^32 is too many, the interesting region is not. */
	for (i = 0; i < 2000000ul; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		memcpy(b, &x, 4);
		if (i % 2 == 0) {
			lead = 0xF0u + (unsigned)(i / 2 % 8);
			b[0] = (unsigned char)lead;
			b[1] = (unsigned char)(0x80 | (b[1] & 0x3F)) ^
			       (unsigned char)(i % 3 == 0 ? 0x40 : 0);
			b[2] = (unsigned char)(0x80 | (b[2] & 0x3F));
			b[3] = (unsigned char)(0x80 | (b[3] & 0x3F));
		}
		bad_ref = bad_got = 0;
		want = ref_valid(b, 4, &bad_ref);
		got = utf8_valid((const char *)b, 4, &bad_got);
		if (want != got || (!want && bad_ref != bad_got))
			fail_msg("%02X %02X %02X %02X: want %d at %zu, got %d "
				 "at %zu", b[0], b[1], b[2], b[3], want,
				 bad_ref, got, bad_got);
	}
}

static void
test_clean_line(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"Ann Reader", "Ann Reader"},
		{"Ann\tB\r\nC", "Ann B  C"},
		{"a\x07" "b\x1b[31mc\x7f" "d", "ab[31mcd"},
		{"\xe2\x80\xae" "evil" "\xe2\x81\xa6" "x\xe2\x81\xa9", "evilx"},
		{"\xe2\x80\x8f" "rlm \xd8\x9c" "alm", "rlm alm"},
		{"line\xe2\x80\xa8sep", "linesep"},
		{"\xc2\x9b" "c1", "c1"},
		{"\xe2\x80\x8b\xe2\x81\xa0\xef\xbb\xbf", ""},
		{"a\xef\xbf\xbe" "b\xef\xbf\xbf" "c\xef\xb7\x90" "d", "abcd"},
		{"\xd9\x84\xd9\x8a\xd9\x84\xd8\xa7", "\xd9\x84\xd9\x8a\xd9\x84\xd8\xa7"},
		{"bad \xff byte", "bad \xff byte"},
		{"", ""},
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].in);
		memcpy(buf, cases[i].in, n + 1);
		assert_string_equal(utf8_clean_line(buf), cases[i].out);
	}
}

static void
test_scrub(void **state)
{
	struct pool *pool = pool_new(1u << 16);
	char *r;

	(void)state;
	assert_non_null(pool);
	assert_string_equal(utf8_scrub(pool, "caf\xc3\xa9"), "caf\xc3\xa9");
	assert_string_equal(utf8_scrub(pool, "caf\xe9\xff!"),
			    "caf\xef\xbf\xbd\xef\xbf\xbd!");
	/* A truncated sequence at the end, an overlong, a surrogate. */
	r = utf8_scrub(pool, "a\xe2\x82");
	assert_true(utf8_valid(r, strlen(r), NULL));
	r = utf8_scrub(pool, "\xc0\xaf\xed\xa0\x80z");
	assert_true(utf8_valid(r, strlen(r), NULL));
	assert_int_equal(r[strlen(r) - 1], 'z');
	assert_string_equal(utf8_scrub(pool, ""), "");
	pool_free(pool);
}

/* What a photo's words refuse, and the first one found. */
static void
test_find_line_control(void **state)
{
	static const struct {
		const char *s;
		size_t at;
		unsigned cp;
	} bad[] = {
		{"a\tb", 1, 0x09}, {"line\nbreak", 4, 0x0A}, {"\r", 0, 0x0D},
		{"x\x01", 1, 0x01}, {"del\x7f", 3, 0x7F},
		{"c1 \xc2\x85", 3, 0x85}, {"\xc2\x9f", 0, 0x9F},
		{"ls\xe2\x80\xa8", 2, 0x2028}, {"ps\xe2\x80\xa9", 2, 0x2029},
		{"\xe2\x80\xaaLRE", 0, 0x202A}, {"RLO\xe2\x80\xae", 3, 0x202E},
		{"\xe2\x81\xa6LRI", 0, 0x2066}, {"PDI\xe2\x81\xa9", 3, 0x2069},
		{"caf\xc3\xa9\t", 5, 0x09},
	};
	static const char *const good[] = {
		"", "The river bridge at dusk", "Photo: Ann Lee/The Riverton Post",
		"caf\xc3\xa9 \xc2\xa0\xc2\xa0", /* U+00A0 is a space, not C1 */
		"\xd9\x86\xd9\x88\xd8\xb1 \xe2\x80\x8f(RLM)", /* U+200F allowed */
		"\xe2\x80\x8e\xd8\x9c", /* U+200E, U+061C */
		"\xe2\x80\xa9x" + 3, /* after a separator */
		"\xe2\x81\xa5 \xe2\x81\xaa", /* U+2065, U+206A: not isolates */
		"\xe2\x80\xa7 \xe2\x80\xaf", /* U+2027, U+202F */
	};
	unsigned cp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		cp = 0;
		assert_int_equal(utf8_find_line_control(bad[i].s,
							 strlen(bad[i].s), &cp),
				 bad[i].at);
		assert_int_equal(cp, bad[i].cp);
	}
	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_int_equal(utf8_find_line_control(good[i],
							 strlen(good[i]), NULL),
				 strlen(good[i]));
	/* A NUL inside the length is a control too. */
	assert_int_equal(utf8_find_line_control("ab\0c", 4, &cp), 2);
	assert_int_equal(cp, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_find_line_control),
		cmocka_unit_test(test_clean_line),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_overlongs),
		cmocka_unit_test(test_surrogates_and_range),
		cmocka_unit_test(test_truncated_and_stray),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_every_code_point),
		cmocka_unit_test(test_every_short_string),
		cmocka_unit_test(test_four_byte_strings),
	};

	return cmocka_run_group_tests_name("util/utf8", tests, NULL, NULL);
}
