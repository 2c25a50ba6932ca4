/*
 * driver.h - the store's internal database driver: prepared statements,
 * bindings, steps and columns, with no engine's types in sight.
 *
 * The query files of store/ (article.c, comment.c, ...) speak only this;
 * an engine (sqlite.c today, a PostgreSQL one next) fills in struct
 * db_engine and embeds struct db_stmt first in its own statement type.
 * Only store/ includes this header, through store_int.h.
 *
 * Invariants:
 * - A step answers DB_ROW (a row to read), DB_DONE (no more rows) or an
 *   engine's own error code, which only store_err (through the engine's
 *   err hook) turns into an enum gz_err. DB_OK is a bind's success.
 * - Text and blobs bound are not copied: they must outlive the step
 *   that reads them (up to store_stmt_done).
 * - Columns are read between a DB_ROW step and the next step or reset;
 *   the pointers db_col_text and db_col_blob give die with that row.
 * - Columns and parameters are numbered as in the SQL: parameters from
 *   1 (?1), columns from 0.
 */
#ifndef GZ_STORE_DRIVER_H
#define GZ_STORE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;
struct db_stmt;

/* The common answers; the values are SQLite's, so that its engine passes
 * them through, and any other engine maps to them. */
enum {
	DB_OK = 0,
	DB_ROW = 100,
	DB_DONE = 101,
};

/* What an engine does. Every hook is given a statement (or connection)
 * of its own engine. */
struct db_engine {
	const char *name;     /* "sqlite", for logs */
	/* Run right after a write transaction's BEGIN to make writers one
	 * at a time across processes, or NULL when BEGIN does (SQLite's
	 * BEGIN IMMEDIATE). */
	const char *write_lock_sql;
	/* Run in a transaction that recorded change keys, to wake other
	 * processes' listeners at its commit, or NULL (SQLite's are woken
	 * by the WAL index: changes.c). */
	const char *notify_sql;
	int (*step)(struct db_stmt *s);
	/* Back to before the first step, bindings cleared. */
	void (*reset)(struct db_stmt *s);
	void (*finalize)(struct db_stmt *s);
	int (*bind_text)(struct db_stmt *s, int idx, const char *v,
			 size_t len);
	int (*bind_int64)(struct db_stmt *s, int idx, int64_t v);
	int (*bind_null)(struct db_stmt *s, int idx);
	int (*bind_blob)(struct db_stmt *s, int idx, const void *p,
			 size_t len);
	int (*param_count)(struct db_stmt *s);
	bool (*col_null)(struct db_stmt *s, int col);
	int64_t (*col_int64)(struct db_stmt *s, int col);
	/* NUL-terminated; NULL for SQL NULL, or when the engine is out
	 * of memory (db_col_null tells which). */
	const char *(*col_text)(struct db_stmt *s, int col);
	const void *(*col_blob)(struct db_stmt *s, int col);
	size_t (*col_bytes)(struct db_stmt *s, int col);
	const char *(*sql)(struct db_stmt *s);
	/* Prepares constant sql on c as statement id (store_int.h's enum
	 * store_stmt_id), for c's statement cache (kept until c closes),
	 * or for one use (id STMT_COUNT). An engine whose dialect differs
	 * may run its own text for id; db_sql still answers sql. Returns
	 * GZ_OK or a mapped error. */
	int (*prepare)(struct store_conn *c, int id, const char *sql,
		       bool cached, struct db_stmt **out);
	/* Runs constant sql (one or more statements, no rows); returns an
	 * engine code. */
	int (*exec)(struct store_conn *c, const char *sql);
	/* Rows the last write statement on c changed. */
	int64_t (*changes)(struct store_conn *c);
	/* Sets how durable a commit is on c: full (every commit on disk
	 * before it returns) or normal (the engine's safe default).
	 * Returns GZ_OK or a mapped error. */
	int (*sync_set)(struct store_conn *c, bool full);
	/* True when rc says the query's text could not be understood
	 * (SQLite's FTS5 refusing a reader's search syntax). */
	bool (*bad_query)(struct store_conn *c, int rc);
	/* Opens c as a reader of st (the calling thread's: a read never
	 * writes), whose writer is already open on this engine. On an
	 * error c is half-open, for close. Returns GZ_OK or a mapped
	 * error. */
	int (*open_reader)(struct store *st, struct store_conn *c);
	/* Finalizes c's cached statements and disconnects; a half-open c
	 * is fine. */
	void (*close)(struct store_conn *c);
	/* True when c is inside a transaction (some errors end one
	 * themselves). */
	bool (*in_tx)(struct store_conn *c);
	/* The enum gz_err for code rc from c (NULL: none open), logging
	 * what failed unless it is an expected answer. */
	int (*err)(struct store_conn *c, int rc, const char *what);
};

/* The first member of every engine's statement. */
struct db_stmt {
	const struct db_engine *eng;
};

static inline int
db_step(struct db_stmt *s)
{
	return s->eng->step(s);
}

/* Binds text v (NULL: SQL NULL) up to its NUL. */
int db_bind_text(struct db_stmt *s, int idx, const char *v);

/* Binds the first len bytes of v. */
static inline int
db_bind_textn(struct db_stmt *s, int idx, const char *v, size_t len)
{
	return s->eng->bind_text(s, idx, v, len);
}

static inline int
db_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	return s->eng->bind_int64(s, idx, v);
}

static inline int
db_bind_null(struct db_stmt *s, int idx)
{
	return s->eng->bind_null(s, idx);
}

static inline int
db_bind_blob(struct db_stmt *s, int idx, const void *p, size_t len)
{
	return s->eng->bind_blob(s, idx, p, len);
}

static inline int
db_param_count(struct db_stmt *s)
{
	return s->eng->param_count(s);
}

static inline bool
db_col_null(struct db_stmt *s, int col)
{
	return s->eng->col_null(s, col);
}

static inline int64_t
db_col_int64(struct db_stmt *s, int col)
{
	return s->eng->col_int64(s, col);
}

/* Column col as an int: for columns the schema keeps small (flags,
 * counts of a page, enum codes). */
static inline int
db_col_int(struct db_stmt *s, int col)
{
	return (int)s->eng->col_int64(s, col);
}

static inline const char *
db_col_text(struct db_stmt *s, int col)
{
	return s->eng->col_text(s, col);
}

static inline const void *
db_col_blob(struct db_stmt *s, int col)
{
	return s->eng->col_blob(s, col);
}

static inline size_t
db_col_bytes(struct db_stmt *s, int col)
{
	return s->eng->col_bytes(s, col);
}

static inline const char *
db_sql(struct db_stmt *s)
{
	return s->eng->sql(s);
}

/* A statement prepared outside the cache (a query run once: a
 * migration's backfill), freed with db_finalize. Returns GZ_OK or a
 * mapped error. */
int db_prepare(struct store_conn *c, const char *sql, struct db_stmt **out);
/* Frees s; NULL is a no-op. */
void db_finalize(struct db_stmt *s);
/* Runs constant sql on c. Returns GZ_OK or a mapped error. */
int db_exec(struct store_conn *c, const char *sql, const char *what);
/* Rows changed by c's last write statement. */
int64_t db_changes(struct store_conn *c);
/* True when rc, from c, refused the query's text (a reader's search
 * syntax), not the database. */
bool db_bad_query(struct store_conn *c, int rc);

#endif
