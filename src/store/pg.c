/*
 * pg.c - a store on PostgreSQL: opening one at a postgresql:// URL (the
 * writer connection, the schema brought to its newest migration), the
 * write lock that makes every node's writes one at a time, and the
 * statements whose SQL differs for the store's own work (transactions,
 * the health check).
 *
 * Data flow: store_open_checked sends a URL here; what follows is the
 * same as on SQLite (sqlite.c's readers, transactions and close, conn.c's
 * statements, the query files), through the PostgreSQL engine
 * (pg_driver.c).
 *
 * Invariants:
 * - One writer at a time across every node: a write transaction takes
 *   the transaction-scoped advisory lock STORE_PG_WRITE_LOCK right after
 *   BEGIN, as SQLite's BEGIN IMMEDIATE takes the file's write lock. The
 *   store's writes read then write (find-or-create, counts kept on
 *   write) and rely on it.
 * - Migrations run under the same lock, each in its own transaction with
 *   the version bump, so two nodes starting on one database migrate it
 *   once.
 * - Reads run in REPEATABLE READ, READ ONLY transactions: one snapshot
 *   for a page's queries, as SQLite's read transaction gives.
 */
#include "store/pg_int.h"
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

bool
store_url_is_pg(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 ||
	       strncmp(path, "postgres://", 11) == 0;
}

/* Runs constant sql on the writer and reads an integer from its first
 * row (0 when it has none). */
static int
pg_query_int(struct store_conn *c, const char *sql, int64_t *v)
{
	struct db_stmt *s;
	int err, rc;

	*v = 0;
	if ((err = db_prepare(c, sql, &s)) != GZ_OK)
		return err;
	rc = db_step(s);
	if (rc == DB_ROW)
		*v = db_col_int64(s, 0);
	err = rc == DB_ROW || rc == DB_DONE ? GZ_OK : store_err(c, rc, sql);
	db_finalize(s);
	return err;
}

/* Sets the version to v, in the migration's transaction. */
static int
pg_version_set(struct store_conn *c, int64_t v)
{
	static const char sql[] = "UPDATE schema_version SET version = ?1";
	struct db_stmt *s;
	int err, rc;

	if ((err = db_prepare(c, sql, &s)) != GZ_OK)
		return err;
	if ((rc = db_bind_int64(s, 1, v)) != DB_OK)
		err = store_err(c, rc, sql);
	else
		err = store_stmt_run(c, s);
	db_finalize(s);
	return err;
}

/* Brings the database to store_pg_schema_version, one transaction per
 * migration with its version bump, under the write lock (taken first,
 * so that two nodes starting at once neither make the version table
 * twice nor migrate twice). */
static int
pg_migrate(struct store *st)
{
	struct store_conn *c = &st->writer;
	const char *const *script;
	int64_t version = 0, locked = 0;
	int err;

	for (;;) {
		if ((err = db_exec(c, "BEGIN", "migrate")) != GZ_OK)
			return err;
		if ((err = pg_query_int(c, store_pg_engine.write_lock_sql,
					&locked)) ||
		    (err = db_exec(c, STORE_PG_VERSION_SQL, "schema version")) ||
		    (err = pg_query_int(c, "SELECT version FROM schema_version",
					&version)))
			goto fail;
		if (version > store_pg_schema_version) {
			/* Not st->path: a URL may carry a password. */
			log_error("store: the PostgreSQL database has schema "
				  "version %lld, newer than this gazette "
				  "(%d): upgrade gazette",
				  (long long)version, store_pg_schema_version);
			err = GZ_ESCHEMA;
			goto fail;
		}
		if (version == store_pg_schema_version)
			return db_exec(c, "COMMIT", "migrate");
		for (script = store_pg_migrations[version]; *script; script++)
			if ((err = db_exec(c, *script, "migration")) != GZ_OK)
				goto fail;
		if ((err = pg_version_set(c, version + 1)) != GZ_OK ||
		    (err = db_exec(c, "COMMIT", "migrate")) != GZ_OK)
			goto fail;
		if (version > 0)
			log_info("store: PostgreSQL schema upgraded to version "
				 "%lld", (long long)version + 1);
	}
fail:
	if (c->eng->in_tx(c))
		(void)c->eng->exec(c, "ROLLBACK");
	return err;
}

int
store_pg_open(const char *url, struct store **out, char *why,
	      size_t whylen)
{
	struct store *st = NULL;
	int err;

	assert(url && out);
	*out = NULL;
	if ((err = store_alloc(url, &st)) != GZ_OK)
		goto out;
	if ((err = store_pg_conn_open(&st->writer, url)) != GZ_OK ||
	    (err = pg_migrate(st)) != GZ_OK ||
	    (err = store_changes_open(st)) != GZ_OK ||
	    (err = store_writer_start(st)) != GZ_OK ||
	    (err = store_pg_listen_start(st)) != GZ_OK)
		goto out;
	*out = st;
	st = NULL;
out:
	store_close(st);
	/* The URL may carry a password: the sentence does not repeat it.
	 * GZ_EBUSY is the server away (pg_driver.c's pg_err), which
	 * "busy" would not say. */
	if (err != GZ_OK && why && whylen)
		snprintf(why, whylen, "cannot open the PostgreSQL database: %s "
			 "(the log says what the server answered)",
			 err == GZ_EBUSY ? "the server cannot be reached or "
					   "refused the connection"
					 : gz_strerror(err));
	return err;
}
