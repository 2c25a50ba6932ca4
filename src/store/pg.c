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

/* Brings the database to the newest of store_pg_migrations, one
 * transaction per migration, under the write lock. */
static int
pg_migrate(struct store *st)
{
	struct store_conn *c = &st->writer;
	char bump[96];
	int64_t version = 0;
	size_t n = store_pg_migration_count();
	int err;

	if ((err = db_exec(c, "CREATE TABLE IF NOT EXISTS gazette_schema"
			      " (version BIGINT NOT NULL)",
			   "schema version table")) != GZ_OK)
		return err;
	for (;;) {
		if ((err = db_exec(c, "BEGIN", "migrate")) != GZ_OK)
			return err;
		if ((err = pg_query_int(c, store_pg_engine.write_lock_sql,
					&version)) ||
		    (err = pg_query_int(c, "SELECT coalesce(max(version), 0)"
					   " FROM gazette_schema",
					&version)))
			goto fail;
		if (version > (int64_t)n) {
			/* Not st->path: a URL may carry a password. */
			log_error("store: the PostgreSQL database has schema "
				  "version %lld, newer than this gazette "
				  "(%zu): upgrade gazette",
				  (long long)version, n);
			err = GZ_ESCHEMA;
			goto fail;
		}
		if (version == (int64_t)n)
			return db_exec(c, "COMMIT", "migrate");
		snprintf(bump, sizeof(bump),
			 "DELETE FROM gazette_schema;"
			 " INSERT INTO gazette_schema VALUES (%lld)",
			 (long long)version + 1);
		if ((err = db_exec(c, store_pg_migration(version + 1),
				   "migration")) != GZ_OK ||
		    (err = db_exec(c, bump, "migrate")) != GZ_OK ||
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
	/* The URL may carry a password: the sentence does not repeat it. */
	if (err != GZ_OK && why && whylen)
		snprintf(why, whylen, "cannot open the PostgreSQL database: %s "
			 "(the log says what the server answered)",
			 gz_strerror(err));
	return err;
}
