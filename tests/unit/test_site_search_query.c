/*
 * test_site_search_query.c - tests of src/site/search_query.c (what a
 * reader types becomes an FTS5 query FTS5 accepts, meaning what they
 * meant) and of the highlighting in src/site/search.c (escaped first,
 * marks balanced), which is included to reach its static function. Each
 * built query is also run against an FTS5 table in memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdlib.h>

#include "../../src/site/search.c"

static sqlite3 *db;

static int
setup(void **state)
{
	(void)state;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return -1;
	return sqlite3_exec(db,
		"CREATE VIRTUAL TABLE t USING fts5(a, tokenize ="
		" 'unicode61 remove_diacritics 2');"
		"INSERT INTO t VALUES ('Le café est ouvert le dimanche');"
		"INSERT INTO t VALUES ('Council approves river bridge');"
		"INSERT INTO t VALUES ('AND OR NOT NEAR are words here');"
		"INSERT INTO t VALUES ('کتابخانه برنامه قصه‌گویی فارسی');",
		NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	sqlite3_close(db);
	return 0;
}

/* Rows of t matching the FTS5 query; -1 when FTS5 refuses it. */
static int
matches(const char *fts)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, fts, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Builds q's query; checks it is want (NULL: nothing to search for) and
 * that FTS5 finds rows rows for it. */
static void
expect(const char *q, const char *want, int rows)
{
	struct buf b;
	size_t terms = 0;
	bool cut = false;
	int rc;

	buf_init(&b, 1 << 16);
	rc = site_search_query(&b, q, &terms, &cut);
	if (!want) {
		assert_int_equal(rc, GZ_ENOTFOUND);
		assert_int_equal(terms, 0);
	} else {
		assert_int_equal(rc, GZ_OK);
		assert_string_equal(b.data, want);
		assert_int_equal(matches(b.data), rows);
	}
	buf_fini(&b);
}

static void
test_words_phrases_prefixes(void **state)
{
	(void)state;
	expect("bridge", "\"bridge\"", 1);
	expect("  river   bridge ", "\"river\" \"bridge\"", 1);
	expect("\"river bridge\"", "\"river bridge\"", 1);
	expect("\"bridge river\"", "\"bridge river\"", 0);
	expect("counc*", "\"counc\"*", 1);
	expect("cafe", "\"cafe\"", 1); /* diacritics folded */
	expect("CAFÉ", "\"CAFÉ\"", 1);
	expect("فارسی", "\"فارسی\"", 1);
	expect("", NULL, 0);
	expect("   \t ", NULL, 0);
	expect("\"\"", NULL, 0);
	expect("***", NULL, 0);
}

static void
test_operators_are_words(void **state)
{
	(void)state;
	expect("AND", "\"AND\"", 1);
	expect("river OR bridge", "\"river\" \"OR\" \"bridge\"", 0);
	expect("NEAR(", "\"NEAR(\"", 1);
	expect("NOT council", "\"NOT\" \"council\"", 0);
	expect("a:b", "\"a:b\"", 0);
	expect("-bridge", "\"-bridge\"", 1);
	expect("^council", "\"^council\"", 1);
	expect("(bridge)", "\"(bridge)\"", 1);
	expect("say \"hi", "\"say\" \"hi\"", 0);
	expect("x\"y", "\"x\" \"y\"", 0);
	expect("bri*dge", "\"bri*dge\"", 0);
	expect("{a b}", "\"{a\" \"b}\"", 0);
}

static void
test_limits(void **state)
{
	char *q = malloc(10001);
	struct buf b;
	size_t terms, i;
	bool cut;

	(void)state;
	assert_non_null(q);
	/* 10,000 characters: cut to the byte limit, and told. */
	memset(q, 'a', 10000);
	q[10000] = '\0';
	buf_init(&b, 1 << 16);
	assert_int_equal(site_search_query(&b, q, &terms, &cut), GZ_OK);
	assert_true(cut);
	assert_int_equal(terms, 1);
	assert_int_equal(b.len, GZ_LIMIT_SEARCH_BYTES + 2);
	assert_int_equal(matches(b.data), 0);
	buf_fini(&b);
	/* Many words: the first GZ_LIMIT_SEARCH_TERMS are kept. */
	for (i = 0; i + 2 <= 200; i += 2) {
		q[i] = 'w';
		q[i + 1] = ' ';
	}
	q[200] = '\0';
	buf_init(&b, 1 << 16);
	assert_int_equal(site_search_query(&b, q, &terms, &cut), GZ_OK);
	assert_true(cut);
	assert_int_equal(terms, GZ_LIMIT_SEARCH_TERMS);
	assert_true(matches(b.data) >= 0);
	buf_fini(&b);
	/* A cut never splits a character: 255 bytes of 'a', then é. */
	memset(q, 'a', 255);
	memcpy(q + 255, "\xc3\xa9\xc3\xa9", 5);
	buf_init(&b, 1 << 16);
	assert_int_equal(site_search_query(&b, q, &terms, &cut), GZ_OK);
	assert_true(cut);
	assert_int_equal(b.len, 255 + 2);
	buf_fini(&b);
	free(q);
}

static void
expect_marked(const char *in, const char *want)
{
	struct pool *pool = pool_new(1 << 16);
	const char *got = site_search_marked(pool, in);

	assert_non_null(got);
	assert_string_equal(got, want);
	pool_free(pool);
}

static void
test_marked(void **state)
{
	(void)state;
	expect_marked("", "");
	expect_marked("a \x01" "bridge\x02 b", "a <mark>bridge</mark> b");
	/* Escaped first: the story's own markup stays text. */
	expect_marked("<b>\x01" "x\x02</b> & \"q\"",
		      "&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; &quot;q&quot;");
	/* Unbalanced markers never unbalance the markup. */
	expect_marked("\x02" "a\x01" "b\x01" "c", "a<mark>bc</mark>");
	expect_marked("\x01\x01" "a\x02\x02", "<mark>a</mark>");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_phrases_prefixes),
		cmocka_unit_test(test_operators_are_words),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_marked),
	};

	return cmocka_run_group_tests_name("site_search_query", tests, setup,
					   teardown);
}
