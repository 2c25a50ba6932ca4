/* test_util_slug.c - tests for src/util/slug.c: ASCII, folding, kept
 * scripts, apostrophes, separators, and the length cut. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "util/pool.h"
#include "util/slug.h"
#include "util/utf8.h"

static struct pool *pool;

static int
setup(void **state)
{
	(void)state;
	pool = pool_new(1024 * 1024);
	return pool ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	pool_free(pool);
	pool = NULL;
	return 0;
}

/* The invariants every slug keeps, whatever the input. */
static void
check_shape(const char *slug)
{
	size_t n = strlen(slug);

	assert_true(n <= SLUG_MAX);
	assert_true(utf8_valid(slug, n, NULL));
	if (n == 0)
		return;
	assert_true(slug[0] != '-');
	assert_true(slug[n - 1] != '-');
	assert_null(strstr(slug, "--"));
}

static void
expect(const char *in, const char *want)
{
	char *got = slug_make(pool, in, strlen(in));

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("slug of [%s]: got [%s], want [%s]", in, got, want);
	check_shape(got);
}

static void
test_ascii(void **state)
{
	(void)state;
	expect("Council approves new river bridge",
	       "council-approves-new-river-bridge");
	expect("  Council   approves -- new river bridge!  ",
	       "council-approves-new-river-bridge");
	expect("Vote passes 7-2", "vote-passes-7-2");
	expect("COVID-19: 3.5% rise", "covid-19-3-5-rise");
	expect("a_b/c\\d|e", "a-b-c-d-e");
	expect("x", "x");
	expect("", "");
	expect("!!! ... ???", "");
	expect("- - -", "");
	expect("\"Quoted\"", "quoted");
	expect("Tabs\tand\nnewlines", "tabs-and-newlines");
}

static void
test_apostrophes(void **state)
{
	(void)state;
	/* Inside a word an apostrophe vanishes: "weve", not "we-ve". */
	expect("\xE2\x80\x9CWe\xE2\x80\x99ve waited\xE2\x80\x9D",
	       "weve-waited");
	expect("We've waited", "weve-waited");
	expect("O'Brien's plan", "obriens-plan");
	expect("Children\xE2\x80\x99s hospital", "childrens-hospital");
	expect("Hawai\xCA\xBBi", "hawaii"); /* ʻokina */
	/* Anywhere else it is a quote. */
	expect("rock \xE2\x80\x99n\xE2\x80\x99 roll", "rock-n-roll");
	expect("'Quoted'", "quoted");
	expect("the '90s", "the-90s");
	expect("players' union", "players-union");
	expect("\xE2\x80\x98single\xE2\x80\x99", "single");
}

static void
test_latin_folding(void **state)
{
	(void)state;
	expect("Caf\xC3\xA9 d\xC3\xA9j\xC3\xA0 vu", "cafe-deja-vu");
	expect("Stra\xC3\x9F" "e", "strasse");              /* ß */
	expect("\xC3\x86sir \xC3\xA6on", "aesir-aeon");     /* Æ æ */
	expect("K\xC3\xB8" "benhavn", "kobenhavn");         /* ø */
	expect("\xC5\x81\xC3\xB3" "d\xC5\xBA", "lodz");     /* Łódź */
	expect("Gda\xC5\x84sk", "gdansk");
	expect("\xC5\x92uvre", "oeuvre");                   /* Œ */
	expect("\xC3\x9E" "orn", "thorn");                  /* Þ */
	expect("Ni\xC3\xB1o", "nino");
	expect("Z\xC3\xBCrich", "zurich");
	expect("\xC4\xB0stanbul", "istanbul");              /* İ */
	expect("Bra\xC8\x99ov", "brasov");                  /* ș comma below */
	expect("\xC8\x9A" "ara", "tara");                      /* Ț */
	expect("\xE1\xBA\x9E", "ss");                       /* ẞ */
	expect("\xC3\x80\xC3\x81\xC3\x82\xC3\x83\xC3\x84\xC3\x85",
	       "aaaaaa");
	expect("\xC3\xBF\xC5\xB8", "yy");                   /* ÿ Ÿ */
	expect("\xC5\xBF", "s");                            /* ſ (U+017F) */
	/* Decomposed accents (NFD) agree with composed ones. */
	expect("Cafe\xCC\x81 de\xCC\x81ja\xCC\x80 vu", "cafe-deja-vu");
	/* × and ÷ are symbols, not letters. */
	expect("3\xC3\x97" "4\xC3\xB7" "2", "3-4-2");
	/* Fullwidth ASCII folds too. */
	expect("\xEF\xBC\xA1\xEF\xBD\x82\xEF\xBC\x91", "ab1");
}

static void
test_other_scripts(void **state)
{
	(void)state;
	/* Persian: letters kept, Arabic punctuation separates, ZWNJ goes. */
	expect("\xD8\xB4\xD9\x88\xD8\xB1\xD8\xA7\xDB\x8C \xD8\xB4\xD9\x87\xD8\xB1 "
	       "\xD9\xBE\xD9\x84 \xD8\xAA\xD8\xA7\xD8\xB2\xD9\x87 \xD8\xB1\xD8\xA7 "
	       "\xD8\xAA\xD8\xB5\xD9\x88\xDB\x8C\xD8\xA8 \xDA\xA9\xD8\xB1\xD8\xAF",
	       "\xD8\xB4\xD9\x88\xD8\xB1\xD8\xA7\xDB\x8C-\xD8\xB4\xD9\x87\xD8\xB1-"
	       "\xD9\xBE\xD9\x84-\xD8\xAA\xD8\xA7\xD8\xB2\xD9\x87-\xD8\xB1\xD8\xA7-"
	       "\xD8\xAA\xD8\xB5\xD9\x88\xDB\x8C\xD8\xA8-\xDA\xA9\xD8\xB1\xD8\xAF");
	expect("\xD8\xAA\xD9\x87\xD8\xB1\xD8\xA7\xD9\x86\xD8\x8C \xDB\xB1\xDB\xB4\xDB\xB0\xDB\xB0\xD8\x9F",
	       "\xD8\xAA\xD9\x87\xD8\xB1\xD8\xA7\xD9\x86-\xDB\xB1\xDB\xB4\xDB\xB0\xDB\xB0");
	expect("\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85",
	       "\xD9\x85\xDB\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85");
	/* Chinese: kept; CJK punctuation separates. */
	expect("\xE5\xB8\x82\xE8\xAE\xAE\xE4\xBC\x9A\xE6\x89\xB9\xE5\x87\x86"
	       "\xEF\xBC\x8C\xE6\x96\xB0\xE6\xA1\xA5\xE3\x80\x82",
	       "\xE5\xB8\x82\xE8\xAE\xAE\xE4\xBC\x9A\xE6\x89\xB9\xE5\x87\x86-"
	       "\xE6\x96\xB0\xE6\xA1\xA5");
	expect("\xE3\x80\x8C\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x80\x8D", /* 「東京」 */
	       "\xE6\x9D\xB1\xE4\xBA\xAC");
	/* Greek and Cyrillic: kept, lowercased. */
	expect("\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1", /* Αθήνα */
	       "\xCE\xB1\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1");
	expect("\xCE\x86\xCF\x81\xCE\xB7\xCF\x82", /* Άρης */
	       "\xCE\xAC\xCF\x81\xCE\xB7\xCF\x82");
	expect("\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0 \xD0\x81", /* Москва Ё */
	       "\xD0\xBC\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0-\xD1\x91");
	/* Emoji and symbols separate; their joiners and selectors do not
	 * leave two dashes. */
	expect("Fire \xF0\x9F\x94\xA5\xE2\x80\x8D\xF0\x9F\x9A\x92\xEF\xB8\x8F alarm",
	       "fire-alarm");
	expect("\xE2\x82\xAC" "5 \xE2\x84\xA2 \xC2\xA9 \xC2\xBF\xC2\xA1",
	       "5");
	expect("left\xC2\xA0right\xE2\x80\x83" "end", "left-right-end");
	expect("soft\xC2\xADhyphen", "softhyphen");
	expect("\xE2\x80\x8F\xD8\xA7\xE2\x80\x8E", "\xD8\xA7"); /* bidi marks */
}

static void
test_length_cut(void **state)
{
	char in[512], *got;
	size_t i;

	(void)state;
	/* Cut at the last whole word. */
	expect("Council approves new river bridge after twenty years of "
	       "debate, petitions and three failed ballot measures",
	       "council-approves-new-river-bridge-after-twenty-years-of-"
	       "debate-petitions-and");
	/* Exactly SLUG_MAX bytes fits whole. */
	memset(in, 'a', SLUG_MAX);
	in[SLUG_MAX] = '\0';
	got = slug_make(pool, in, SLUG_MAX);
	assert_int_equal(strlen(got), SLUG_MAX);
	/* One word too long for the slug is cut, at a character. */
	memset(in, 'b', 200);
	got = slug_make(pool, in, 200);
	assert_int_equal(strlen(got), SLUG_MAX);
	/* A word that ends right at the limit is kept whole. */
	memset(in, 'c', SLUG_MAX);
	memcpy(in + SLUG_MAX, " more", 6);
	got = slug_make(pool, in, strlen(in));
	assert_int_equal(strlen(got), SLUG_MAX);
	assert_non_null(got);
	assert_true(got[SLUG_MAX - 1] == 'c');
	/* 2-byte letters never split: 41 x "ж" is 82 bytes. */
	for (i = 0; i < 41; i++)
		memcpy(in + 2 * i, "\xD0\xB6", 2);
	got = slug_make(pool, in, 82);
	assert_int_equal(strlen(got), SLUG_MAX);
	check_shape(got);
	/* 3-byte letters: 80 is not a multiple of 3, so 78 bytes. */
	for (i = 0; i < 30; i++)
		memcpy(in + 3 * i, "\xE4\xB8\xAD", 3);
	got = slug_make(pool, in, 90);
	assert_int_equal(strlen(got), 78);
	check_shape(got);
	/* Chinese words cut at the dash. */
	{
		char cjk[256];
		size_t n = 0;

		for (i = 0; i < 9; i++) {
			memcpy(cjk + n, "\xE6\x96\xB0\xE9\x97\xBB\xE5\xAE\xA3", 9);
			n += 9;
			cjk[n++] = ' ';
		}
		got = slug_make(pool, cjk, n);
		/* 8 words of 9 bytes and 7 dashes = 79; the 9th does not fit. */
		assert_int_equal(strlen(got), 79);
		check_shape(got);
	}
	/* A folded "ss" is not split either. */
	memset(in, 'd', SLUG_MAX - 1);
	memcpy(in + SLUG_MAX - 1, "\xC3\x9F", 2);
	got = slug_make(pool, in, SLUG_MAX + 1);
	assert_int_equal(strlen(got), SLUG_MAX - 1);
}

/* Invalid UTF-8 breaks the contract, but must not break memory or the
 * slug's shape. */
static void
test_invalid_input(void **state)
{
	static const char *const bad[] = {
		"\xFF\xFE", "a\xC3", "\xE2\x80", "x\xF0\x9F\x98", "\x80\x80z",
		"\xC0\xAF", "\xED\xA0\x80",
	};
	size_t i;
	char *got;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		got = slug_make(pool, bad[i], strlen(bad[i]));
		assert_non_null(got);
		check_shape(got);
	}
	/* Bytes past len are not read. */
	got = slug_make(pool, "abc def", 3);
	assert_string_equal(got, "abc");
	got = slug_make(pool, NULL, 0);
	assert_string_equal(got, "");
}

static void
test_pool_exhausted(void **state)
{
	struct pool *tiny = pool_new(8);

	(void)state;
	assert_non_null(tiny);
	assert_null(slug_make(tiny, "hello world", 11));
	pool_free(tiny);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_apostrophes),
		cmocka_unit_test(test_latin_folding),
		cmocka_unit_test(test_other_scripts),
		cmocka_unit_test(test_length_cut),
		cmocka_unit_test(test_invalid_input),
		cmocka_unit_test(test_pool_exhausted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
