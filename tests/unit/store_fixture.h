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
 * (a test that opens the file itself is SQLite's only).
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

/* Runs sql on the test server. */
static void
store_fixture_pg_exec(const char *url, const char *sql)
{
	PGconn *pg = PQconnectdb(url);
	PGresult *res;

	assert_int_equal(PQstatus(pg), CONNECTION_OK);
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

#endif
