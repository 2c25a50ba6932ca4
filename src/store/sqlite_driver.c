/*
 * sqlite_driver.c - SQLite as a driver.h engine: its statements wrapped
 * in struct db_stmt, its result codes passed through (DB_ROW and DB_DONE
 * are SQLite's own numbers), and the one table that maps them to enum
 * gz_err.
 *
 * Data flow: sqlite.c opens connections and sets c->eng to
 * store_sqlite_engine; the query files then reach SQLite only through
 * driver.h's db_* calls, which land here.
 *
 * Invariants:
 * - A struct sqlite_stmt is the driver's struct db_stmt followed by
 *   SQLite's statement; it is freed with its statement (finalize).
 * - Text and blobs are bound SQLITE_STATIC: driver.h's contract says they
 *   outlive the step.
 */
#include "store/store_int.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "util/err.h"
#include "util/log.h"

struct sqlite_stmt {
	struct db_stmt base;   /* first: a struct db_stmt * is one of these */
	sqlite3_stmt *s;
};

static sqlite3_stmt *
raw(struct db_stmt *s)
{
	return ((struct sqlite_stmt *)s)->s;
}

/* A length for SQLite's int-sized arguments: driver.h's callers bind
 * what the store's limits allow, far below INT_MAX; beyond it TOOBIG. */
static int
sqlite_len(size_t len, int *out)
{
	if (len > INT_MAX)
		return SQLITE_TOOBIG;
	*out = (int)len;
	return SQLITE_OK;
}

static int
sqlite_step(struct db_stmt *s)
{
	return sqlite3_step(raw(s));
}

static void
sqlite_reset(struct db_stmt *s)
{
	/* reset repeats the last step's error, already reported. */
	(void)sqlite3_reset(raw(s));
	(void)sqlite3_clear_bindings(raw(s));
}

static void
sqlite_finalize(struct db_stmt *s)
{
	sqlite3_finalize(raw(s));
	free(s);
}

static int
sqlite_bind_text(struct db_stmt *s, int idx, const char *v, size_t len)
{
	int n, rc;

	if ((rc = sqlite_len(len, &n)) != SQLITE_OK)
		return rc;
	return sqlite3_bind_text(raw(s), idx, v, n, SQLITE_STATIC);
}

static int
sqlite_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	return sqlite3_bind_int64(raw(s), idx, v);
}

static int
sqlite_bind_null(struct db_stmt *s, int idx)
{
	return sqlite3_bind_null(raw(s), idx);
}

static int
sqlite_bind_blob(struct db_stmt *s, int idx, const void *p, size_t len)
{
	int n, rc;

	if ((rc = sqlite_len(len, &n)) != SQLITE_OK)
		return rc;
	return sqlite3_bind_blob(raw(s), idx, p, n, SQLITE_STATIC);
}

static int
sqlite_param_count(struct db_stmt *s)
{
	return sqlite3_bind_parameter_count(raw(s));
}

static bool
sqlite_col_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(raw(s), col) == SQLITE_NULL;
}

static int64_t
sqlite_col_int64(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(raw(s), col);
}

static const char *
sqlite_col_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(raw(s), col);
}

static const void *
sqlite_col_blob(struct db_stmt *s, int col)
{
	return sqlite3_column_blob(raw(s), col);
}

static size_t
sqlite_col_bytes(struct db_stmt *s, int col)
{
	int n = sqlite3_column_bytes(raw(s), col);

	return n > 0 ? (size_t)n : 0;
}

static const char *
sqlite_sql(struct db_stmt *s)
{
	return sqlite3_sql(raw(s));
}

/* Wraps a prepared SQLite statement; finalizes it when out of memory. */
static int
sqlite_wrap(struct store_conn *c, sqlite3_stmt *raw_stmt,
	    struct db_stmt **out)
{
	struct sqlite_stmt *w;

	if (!(w = malloc(sizeof(*w)))) {
		sqlite3_finalize(raw_stmt);
		return GZ_ENOMEM;
	}
	w->base.eng = c->eng;
	w->s = raw_stmt;
	*out = &w->base;
	return GZ_OK;
}

/* A cached statement lives as long as its connection: SQLite is told so
 * (PERSISTENT), and keeps it out of its lookaside memory. */
static int
sqlite_prepare(struct store_conn *c, int id, const char *sql, bool cached,
	       struct db_stmt **out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v3(c->db, sql, -1,
				cached ? SQLITE_PREPARE_PERSISTENT : 0, &s,
				NULL);
	if (rc != SQLITE_OK)
		return store_err(c, rc, sql);
	return sqlite_wrap(c, s, out);
}

static int
sqlite_exec(struct store_conn *c, const char *sql)
{
	return sqlite3_exec(c->db, sql, NULL, NULL, NULL);
}

static int64_t
sqlite_changes(struct store_conn *c)
{
	return sqlite3_changes(c->db);
}

static int
sqlite_sync_set(struct store_conn *c, bool full)
{
	const char *sql = full ? "PRAGMA synchronous=FULL"
			       : "PRAGMA synchronous=NORMAL";
	int rc;

	if ((rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return store_err(c, rc, sql);
	return GZ_OK;
}

/* FTS5 reports a query it cannot parse as SQLITE_ERROR. */
static bool
sqlite_bad_query(struct store_conn *c, int rc)
{
	return rc == SQLITE_ERROR;
}

/*
 * Error mapping: the one place SQLite's codes become ours.
 *   BUSY, LOCKED            -> GZ_EBUSY   (another connection holds a lock)
 *   NOMEM                   -> GZ_ENOMEM
 *   TOOBIG                  -> GZ_ETOOBIG
 *   CONSTRAINT (unique, pk) -> GZ_EEXIST  (expected; not logged)
 *   anything else           -> GZ_EDB     (NOTADB, CORRUPT, IOERR, CANTOPEN,
 *                                          CHECK/NOT NULL/foreign key...)
 * Other constraints are GZ_EDB because this module validates its input
 * before writing: a CHECK failing is our bug, not the caller's.
 */
static int
sqlite_err(struct store_conn *c, int rc, const char *what)
{
	sqlite3 *db = c ? c->db : NULL;
	int err;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		err = GZ_EBUSY;
		break;
	case SQLITE_NOMEM:
		err = GZ_ENOMEM;
		break;
	case SQLITE_TOOBIG:
		err = GZ_ETOOBIG;
		break;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE ||
		    rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return GZ_EEXIST;
		err = GZ_EDB;
		break;
	default:
		err = GZ_EDB;
		break;
	}
	/* errmsg describes the last failed call on db, which is this one:
	 * callers map before they reset the statement. */
	log_error("store: %s: %s (SQLite %d)", what,
		  db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
	return err;
}

const struct db_engine store_sqlite_engine = {
	.name = "sqlite",
	.step = sqlite_step,
	.reset = sqlite_reset,
	.finalize = sqlite_finalize,
	.bind_text = sqlite_bind_text,
	.bind_int64 = sqlite_bind_int64,
	.bind_null = sqlite_bind_null,
	.bind_blob = sqlite_bind_blob,
	.param_count = sqlite_param_count,
	.col_null = sqlite_col_null,
	.col_int64 = sqlite_col_int64,
	.col_text = sqlite_col_text,
	.col_blob = sqlite_col_blob,
	.col_bytes = sqlite_col_bytes,
	.sql = sqlite_sql,
	.prepare = sqlite_prepare,
	.exec = sqlite_exec,
	.changes = sqlite_changes,
	.sync_set = sqlite_sync_set,
	.bad_query = sqlite_bad_query,
	.open_reader = store_sqlite_open_reader,
	.close = store_sqlite_conn_close,
	.in_tx = store_sqlite_in_tx,
	.err = sqlite_err,
};
