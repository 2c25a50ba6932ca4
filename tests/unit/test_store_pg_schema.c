/*
 * test_store_pg_schema.c - PostgreSQL's schema (pg_schema.c) and dialect
 * (pg_sql.c), against the server GAZETTE_TEST_PG names
 * (scripts/pg-test-server.sh; make check starts one). Skipped, saying
 * why, when it is not set. Each run works in a schema of its own,
 * test_<pid>, dropped at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "store/pg_int.h"

static PGconn *conn;
static char schema[64];

/* Runs sql (one or more statements); fails the test with the server's
 * message when it does not succeed. */
static void
exec_ok(const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	PQclear(r);
}

/* Quiet: a NOTICE is not a failure. */
static void
notice_none(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int
group_setup(void **state)
{
	const char *url = getenv("GAZETTE_TEST_PG");
	char sql[160];
	int n;

	(void)state;
	if (!url || !*url) {
		printf("test_store_pg_schema: skipped (GAZETTE_TEST_PG is not"
		       " set: no PostgreSQL to test against)\n");
		return 0;
	}
	conn = PQconnectdb(url);
	if (PQstatus(conn) != CONNECTION_OK) {
		printf("test_store_pg_schema: %s: %s\n", url,
		       PQerrorMessage(conn));
		return -1;
	}
	PQsetNoticeProcessor(conn, notice_none, NULL);
	n = snprintf(schema, sizeof(schema), "test_%ld", (long)getpid());
	assert_true(n > 0 && (size_t)n < sizeof(schema));
	n = snprintf(sql, sizeof(sql),
		     "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s;"
		     " SET search_path = %s", schema, schema, schema);
	assert_true(n > 0 && (size_t)n < sizeof(sql));
	exec_ok(sql);
	return 0;
}

static int
group_teardown(void **state)
{
	char sql[96];
	int n;

	(void)state;
	if (!conn)
		return 0;
	n = snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", schema);
	assert_true(n > 0 && (size_t)n < sizeof(sql));
	exec_ok(sql);
	PQfinish(conn);
	conn = NULL;
	return 0;
}

/* The translation needs no server. */
static void
test_placeholders(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "SELECT ?1, ?12", "SELECT $1, $12" },
		{ "SELECT ?, ?3, ?", "SELECT $1, $3, $4" },
		{ "SELECT '?1', \"a?2\", ?2", "SELECT '?1', \"a?2\", $2" },
		{ "SELECT 'it''s ?1', ?1", "SELECT 'it''s ?1', $1" },
		{ "SELECT \"x\"\"?1\" -- ?1\n, ?1", "SELECT \"x\"\"?1\" -- ?1\n, $1" },
		{ "SELECT /* ?1 */ ?2", "SELECT /* ?1 */ $2" },
		{ "SELECT 'open ?1", "SELECT 'open ?1" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = store_pg_placeholders(cases[i].in, NULL);

		assert_non_null(out);
		assert_string_equal(out, cases[i].out);
		free(out);
	}
}

/* Migration 1 applies in one transaction, with the version table. */
static void
test_migrations(void **state)
{
	char sql[64];
	const char *const *part;
	int v, n;

	(void)state;
	if (!conn)
		skip();
	exec_ok(STORE_PG_VERSION_SQL);
	assert_true(store_pg_schema_version >= 1);
	for (v = 0; v < store_pg_schema_version; v++) {
		exec_ok("BEGIN");
		for (part = store_pg_migrations[v]; *part; part++)
			exec_ok(*part);
		n = snprintf(sql, sizeof(sql),
			     "UPDATE schema_version SET version = %d", v + 1);
		assert_true(n > 0 && (size_t)n < sizeof(sql));
		exec_ok(sql);
		exec_ok("COMMIT");
	}
}

/* The types to declare for pg's parameters: unspecified (PostgreSQL
 * infers them) for those pg names, text for the numbers it skips (an
 * unused parameter has no type to infer). Returns how many there are
 * (the largest number), at most max. */
static int
param_types(const char *pg, Oid *types, int max)
{
	const char *p;
	int n = 0, i;

	for (i = 0; i < max; i++)
		types[i] = 25; /* TEXTOID */
	for (p = pg; (p = strchr(p, '$')); p++) {
		char *end;
		long v = strtol(p + 1, &end, 10);

		if (end == p + 1 || v < 1 || v > max)
			continue;
		types[v - 1] = 0;
		n = (int)v > n ? (int)v : n;
	}
	return n;
}

/* Every override prepares (parses, names resolve, every parameter gets a
 * type) on the migrated schema; each failure names its statement. */
static void
test_overrides_prepare(void **state)
{
	Oid types[64];
	int id, n = 0, bad = 0;

	(void)state;
	if (!conn)
		skip();
	for (id = 0; id < STMT_COUNT; id++) {
		const char *sql = store_pg_sql((enum store_stmt_id)id);
		const char *name = store_pg_sql_name((enum store_stmt_id)id);
		char *pg;
		PGresult *r;

		if (!sql)
			continue;
		assert_non_null(name);
		assert_non_null(pg = store_pg_placeholders(sql, NULL));
		r = PQprepare(conn, "", pg, param_types(pg, types, 64), types);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			printf("%s (%d): %s  in: %s\n", name, id,
			       PQerrorMessage(conn), pg);
			bad++;
		}
		n++;
		PQclear(r);
		free(pg);
	}
	printf("%d overrides prepared, %d failed\n", n - bad, bad);
	assert_int_equal(bad, 0);
	assert_true(n > 0);
}

/* Runs statement id's override with text parameters; returns the result
 * (caller clears it), failing the test when it fails. */
static PGresult *
run(enum store_stmt_id id, int nparams, const char *const *params)
{
	char *pg = store_pg_placeholders(store_pg_sql(id), NULL);
	Oid types[64];
	PGresult *r;

	assert_non_null(pg);
	assert_int_equal(param_types(pg, types, 64), nparams);
	r = PQexecParams(conn, pg, nparams, types, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", store_pg_sql_name(id), PQerrorMessage(conn));
	free(pg);
	return r;
}

/* Search as search.c's FTS5 does it: accents and case folded, phrases in
 * order, a prefix, every term needed; drafts and the future unseen; the
 * headline marked with U+0001 and U+0002. */
static void
test_search(void **state)
{
	const char *page[5] = { "1000", NULL, "10", "0", "100" };
	const char *rows[4] = { NULL, NULL, NULL, NULL };
	PGresult *r;
	char lo[24], list[48];

	(void)state;
	if (!conn)
		skip();
	exec_ok("INSERT INTO articles (slug, headline, summary, body_text,"
		" status, published_at, created_at, updated_at) VALUES"
		" ('a', 'Café society', 'The city council', 'Résumé of the"
		" council meeting', 'published', 10, 10, 10),"
		" ('b', 'Council café', '', 'council', 'draft', 10, 10, 10),"
		" ('c', 'Cafe later', '', '', 'published', 5000, 10, 10)");

	page[1] = "\"CAFE\" \"city counc\"*";
	r = run(STMT_SEARCH, 5, page);
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, 0), "1");
	snprintf(lo, sizeof(lo), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);

	snprintf(list, sizeof(list), "[%s]", lo);
	rows[0] = page[1];
	rows[1] = lo;
	rows[2] = lo;
	rows[3] = list;
	r = run(STMT_SEARCH_ROWS, 4, rows);
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, ARTICLE_NCOLS),
			    "\001Café\002 society");
	assert_non_null(strstr(PQgetvalue(r, 0, ARTICLE_NCOLS + 1),
			       "\001council\002"));
	PQclear(r);

	/* The words in another order are no phrase; a missing word no
	 * match; punctuation alone is nothing (the empty page's row). */
	page[1] = "\"council city\"";
	r = run(STMT_SEARCH, 5, page);
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, 0), "0");
	assert_true(PQgetisnull(r, 0, 1));
	PQclear(r);
	page[1] = "\"cafe\" \"...\"";
	r = run(STMT_SEARCH, 5, page);
	assert_string_equal(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	page[1] = "\"cafe\" \"moon\"";
	r = run(STMT_SEARCH, 5, page);
	assert_string_equal(PQgetvalue(r, 0, 0), "0");
	PQclear(r);
	exec_ok("DELETE FROM articles");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_overrides_prepare),
		cmocka_unit_test(test_search),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
