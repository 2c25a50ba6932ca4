/*
 * store_fixture.h - the temporary directory every store test works in:
 * made in a test's setup (mkdtemp, with the database path inside it) and
 * removed with everything in it (the database, its -wal and -shm) in
 * teardown.
 *
 * With GAZETTE_TEST_STORE=postgresql (and GAZETTE_TEST_PG, the URL of
 * the PostgreSQL make check starts), the database is instead a fresh
 * schema there, named after the directory, and the path is a URL whose
 * search_path is that schema: the same store tests on the other engine
 * (a test that opens the file itself is SQLite's only, and skips itself
 * there with store_fixture_sqlite_only).
 *
 * store_fixture_db_* give a test a connection of its own beside the
 * store's, on either engine, to look at (or change) what the store keeps
 * without going through it; store_fixture_sql picks a statement's text
 * where the two dialects differ.
 *
 * A test-only header of static functions, included by
 * tests/unit/test_store_*.c after cmocka.h; not a test of its own.
 */
#ifndef GZ_TEST_STORE_FIXTURE_H
#define GZ_TEST_STORE_FIXTURE_H

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

/* Sizes of a test's directory and database path buffers. */
#define FIXTURE_DIR_MAX 64
#define FIXTURE_PATH_MAX 512

/* The PostgreSQL URL to test on, or NULL: SQLite. */
static const char *
store_fixture_pg(void)
{
	const char *engine = getenv("GAZETTE_TEST_STORE");
	const char *url = getenv("GAZETTE_TEST_PG");

	if (!engine || strcmp(engine, "postgresql") != 0)
		return NULL;
	assert_non_null(url);
	return url;
}

/* The schema of directory dir: "t_" and its last part, lowercased, with
 * anything but letters and digits as '_'. */
static void
store_fixture_schema(const char *dir, char *out, size_t len)
{
	const char *base = strrchr(dir, '/');
	size_t i = 0;

	base = base ? base + 1 : dir;
	assert_true(len > 3);
	out[i++] = 't';
	out[i++] = '_';
	for (; *base && i + 1 < len; base++)
		out[i++] = isalnum((unsigned char)*base)
				   ? (char)tolower((unsigned char)*base)
				   : '_';
	out[i] = '\0';
}

/* A connection to url, its notices (DROP SCHEMA's list of what it
 * drops) kept off the test's output. Caller closes with PQfinish. */
static PGconn *
store_fixture_pg_connect(const char *url)
{
	PGconn *pg = PQconnectdb(url);
	PGresult *res;

	if (PQstatus(pg) != CONNECTION_OK)
		fail_msg("cannot connect to the test's PostgreSQL: %s",
			 PQerrorMessage(pg));
	res = PQexec(pg, "SET client_min_messages = warning");
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	return pg;
}

/* Runs sql on the test server. */
static void
store_fixture_pg_exec(const char *url, const char *sql)
{
	PGconn *pg = store_fixture_pg_connect(url);
	PGresult *res;

	res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(pg);
}

/* Makes a fresh directory from tmpl ("/tmp/gz-NAME-XXXXXX") into
 * dir[FIXTURE_DIR_MAX] and sets path[FIXTURE_PATH_MAX] to gazette.db in
 * it; the database itself is not created. */
static void
store_fixture_make(char *dir, char *path, const char *tmpl)
{
	int n;

	n = snprintf(dir, FIXTURE_DIR_MAX, "%s", tmpl);
	assert_true(n > 0 && n < FIXTURE_DIR_MAX);
	assert_non_null(mkdtemp(dir));
	n = snprintf(path, FIXTURE_PATH_MAX, "%s/gazette.db", dir);
	assert_true(n > 0 && n < FIXTURE_PATH_MAX);
	if (store_fixture_pg()) {
		char schema[FIXTURE_DIR_MAX], sql[FIXTURE_DIR_MAX * 2];
		const char *url = store_fixture_pg();

		store_fixture_schema(dir, schema, sizeof(schema));
		snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
		store_fixture_pg_exec(url, sql);
		n = snprintf(path, FIXTURE_PATH_MAX,
			     "%s%soptions=-csearch_path%%3D%s", url,
			     strchr(url, '?') ? "&" : "?", schema);
		assert_true(n > 0 && n < FIXTURE_PATH_MAX);
	}
}

/* Removes dir and the files in it (no subdirectories), and on
 * PostgreSQL its schema. */
static void
store_fixture_remove(const char *dir)
{
	char p[512];
	struct dirent *de;
	DIR *d;
	int n;

	if (store_fixture_pg()) {
		char schema[FIXTURE_DIR_MAX], sql[FIXTURE_DIR_MAX * 2];

		store_fixture_schema(dir, schema, sizeof(schema));
		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", schema);
		store_fixture_pg_exec(store_fixture_pg(), sql);
	}

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			n = snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			if (n > 0 && (size_t)n < sizeof(p))
				unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Skips the calling test on PostgreSQL, saying why (what it checks is
 * SQLite's own: its file, its WAL, its query planner). */
#define store_fixture_sqlite_only(why)                                   \
	do {                                                              \
		if (store_fixture_pg()) {                                 \
			print_message("[  SKIP    ] SQLite only: %s\n", why); \
			skip();                                           \
		}                                                         \
	} while (0)

/* The text of a statement for the engine under test: lite on SQLite, pg
 * on PostgreSQL. */
static inline const char *
store_fixture_sql(const char *lite, const char *pg)
{
	return store_fixture_pg() ? pg : lite;
}

/* A connection of the test's own to the database at path (the file, or
 * the URL store_fixture_make gave), beside the store's. */
struct store_fixture_db {
	sqlite3 *lite;
	PGconn *pg;
};

static inline void
store_fixture_db_open(struct store_fixture_db *db, const char *path)
{
	memset(db, 0, sizeof(*db));
	if (store_fixture_pg()) {
		db->pg = store_fixture_pg_connect(path);
		return;
	}
	assert_int_equal(sqlite3_open(path, &db->lite), SQLITE_OK);
	/* The store's writer may hold the lock for a moment. */
	assert_int_equal(sqlite3_busy_timeout(db->lite, 5000), SQLITE_OK);
}

static inline void
store_fixture_db_close(struct store_fixture_db *db)
{
	if (db->pg)
		PQfinish(db->pg);
	if (db->lite)
		sqlite3_close(db->lite);
	memset(db, 0, sizeof(*db));
}

/* Runs sql (one or more statements, rows ignored) on db; fails the test
 * on an error. */
static inline void
store_fixture_db_exec(struct store_fixture_db *db, const char *sql)
{
	char *why = NULL;

	if (db->pg) {
		PGresult *res = PQexec(db->pg, sql);

		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQresultErrorMessage(res));
		PQclear(res);
		return;
	}
	if (sqlite3_exec(db->lite, sql, NULL, NULL, &why) != SQLITE_OK)
		fail_msg("%s: %s", sql, why ? why : "error");
}

/* The values of sql's rows on db, row after row, each row's columns
 * (from the first, ncols of them, 0: all) joined by '|' and rows by
 * sep; NULL is "NULL". Caller frees with free(). */
static inline char *
store_fixture_db_rows(struct store_fixture_db *db, const char *sql, int ncols,
		      const char *sep)
{
	size_t len = 0, cap = 256;
	char *out = malloc(cap);
	int row, col, nrows = 0, n;

	assert_non_null(out);
	out[0] = '\0';
	/* Appends v (NULL: "NULL") after the separator before it. */
#define FIXTURE_PUT(before, v)                                            \
	do {                                                              \
		const char *v_ = (v) ? (v) : "NULL";                      \
		size_t need_ = len + strlen(before) + strlen(v_) + 1;     \
		while (need_ > cap) {                                     \
			cap *= 2;                                         \
			out = realloc(out, cap);                          \
			assert_non_null(out);                             \
		}                                                         \
		n = snprintf(out + len, cap - len, "%s%s", before, v_);   \
		assert_true(n >= 0 && (size_t)n < cap - len);             \
		len += (size_t)n;                                         \
	} while (0)
	if (db->pg) {
		PGresult *res = PQexec(db->pg, sql);

		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQresultErrorMessage(res));
		nrows = PQntuples(res);
		for (row = 0; row < nrows; row++)
			for (col = 0; col < PQnfields(res) &&
				      (ncols == 0 || col < ncols); col++)
				FIXTURE_PUT(col ? "|" : row ? sep : "",
					    PQgetisnull(res, row, col)
						    ? NULL
						    : PQgetvalue(res, row, col));
		PQclear(res);
		return out;
	}
	{
		sqlite3_stmt *s = NULL;

		if (sqlite3_prepare_v2(db->lite, sql, -1, &s, NULL) !=
		    SQLITE_OK)
			fail_msg("%s: %s", sql, sqlite3_errmsg(db->lite));
		for (row = 0; sqlite3_step(s) == SQLITE_ROW; row++)
			for (col = 0; col < sqlite3_column_count(s) &&
				      (ncols == 0 || col < ncols); col++)
				FIXTURE_PUT(col ? "|" : row ? sep : "",
					    (const char *)sqlite3_column_text(
						    s, col));
		sqlite3_finalize(s);
	}
#undef FIXTURE_PUT
	return out;
}

/* The first column of sql's rows on a connection of its own to path,
 * joined by ' ' ("" for no row). Caller frees with free(). */
static inline char *
store_fixture_text(const char *path, const char *sql)
{
	struct store_fixture_db db;
	char *t;

	store_fixture_db_open(&db, path);
	t = store_fixture_db_rows(&db, sql, 1, " ");
	store_fixture_db_close(&db);
	return t;
}

/* The integer in the first column of sql's first row (a boolean is 1 or
 * 0), or -1 when it gives no row. */
static inline long long
store_fixture_int(const char *path, const char *sql)
{
	char *t = store_fixture_text(path, sql);
	long long v;

	if (!*t)
		v = -1;
	else if (strcmp(t, "t") == 0 || strcmp(t, "f") == 0)
		v = *t == 't';
	else
		v = strtoll(t, NULL, 10);
	free(t);
	return v;
}

/* Runs sql on a connection of its own to path. */
static inline void
store_fixture_exec(const char *path, const char *sql)
{
	struct store_fixture_db db;

	store_fixture_db_open(&db, path);
	store_fixture_db_exec(&db, sql);
	store_fixture_db_close(&db);
}

#endif
