/*
 * pg_int.h - what store/'s PostgreSQL engine shares (issue 16): its
 * migration history (pg_schema.c) and its dialect of the store's
 * statements (pg_sql.c). Only store/ includes this header; the driver
 * that uses it (store/pg.c, to come) and tests/unit/test_store_pg_schema.c
 * do.
 *
 * Invariants:
 * - Migration N (1-based) is store_pg_migrations[N - 1]; migration 1 is
 *   the whole of SQLite's schema 14 (sqlite.c). The version lives in
 *   table schema_version (STORE_PG_VERSION_SQL), which the driver makes
 *   before it reads it; each migration runs in one transaction with the
 *   version bump, as on SQLite.
 * - A statement is SQLite's text (store_stmt's sql argument), or
 *   PostgreSQL's own when store_pg_sql gives one for its id, with ?N
 *   turned into $N by store_pg_placeholders. Both keep the parameters'
 *   numbers and the columns' order and meaning.
 */
#ifndef GZ_STORE_PG_INT_H
#define GZ_STORE_PG_INT_H

#include "store/store_int.h"

/* The migrations, oldest first; each is a NULL-terminated list of
 * scripts of several statements, for PQexec (simple query protocol), run
 * in order in the migration's one transaction. */
extern const char *const *const store_pg_migrations[];
extern const int store_pg_schema_version;

/* Makes the version table (idempotent) and gives it its one row, 0 for a
 * new database; run before reading "SELECT version FROM schema_version". */
#define STORE_PG_VERSION_SQL                                              \
	"CREATE TABLE IF NOT EXISTS schema_version ("                     \
	"  version BIGINT NOT NULL);"                                     \
	"INSERT INTO schema_version (version) SELECT 0"                   \
	"  WHERE NOT EXISTS (SELECT 1 FROM schema_version);"

/* PostgreSQL's text for statement id (?N placeholders, as SQLite's),
 * when SQLite's would not run on PostgreSQL 15 (or would mean something
 * else); NULL when SQLite's, numbered by store_pg_placeholders, does.
 * The text is a constant. */
const char *store_pg_sql(enum store_stmt_id id);
/* The name of statement id ("STMT_SEARCH") when it has an override, for
 * logs and tests; NULL when it has none. A constant. */
const char *store_pg_sql_name(enum store_stmt_id id);

/* Copies sql with each SQLite placeholder ?N made PostgreSQL's $N (a
 * bare ? is one more than the largest number before it, as in SQLite),
 * leaving string literals ('...'), quoted identifiers ("...") and
 * comments alone; *nparams (when not NULL) gets the largest N. Caller
 * frees the result with free(); NULL when memory runs out. */
char *store_pg_placeholders(const char *sql, int *nparams);

#endif
