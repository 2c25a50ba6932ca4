/*
 * conn.c - what every query file does with a connection, whichever the
 * engine: the statement cache (store_stmt), running and reading one
 * statement, binding, savepoints, reading columns into a pool, and the
 * db_* calls of driver.h that are more than one hook.
 *
 * Data flow: article.c, comment.c and the rest take a connection from
 * sqlite.c (the calling thread's reader, or the writer inside a
 * transaction) and run their constant SQL through these.
 *
 * Invariants: as store_int.h's; nothing here names an engine.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "util/err.h"
#include "util/pool.h"
#include "util/utf8.h"

int
store_err(struct store_conn *c, int rc, const char *what)
{
	assert(c && c->eng);
	return c->eng->err(c, rc, what);
}

int
db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	if (!v)
		return s->eng->bind_null(s, idx);
	return s->eng->bind_text(s, idx, v, strlen(v));
}

int
db_prepare(struct store_conn *c, const char *sql, struct db_stmt **out)
{
	assert(c && c->eng && sql && out);
	*out = NULL;
	return c->eng->prepare(c, STMT_COUNT, sql, false, out);
}

void
db_finalize(struct db_stmt *s)
{
	if (s)
		s->eng->finalize(s);
}

int
db_exec(struct store_conn *c, const char *sql, const char *what)
{
	int rc;

	assert(c && c->eng && sql);
	if ((rc = c->eng->exec(c, sql)) != DB_OK)
		return store_err(c, rc, what ? what : sql);
	return GZ_OK;
}

int64_t
db_changes(struct store_conn *c)
{
	return c->eng->changes(c);
}

bool
db_bad_query(struct store_conn *c, int rc)
{
	return c->eng->bad_query(c, rc);
}

int
store_stmt(struct store_conn *c, enum store_stmt_id id, const char *sql,
	   struct db_stmt **out)
{
	int err;

	assert(c && c->eng && id < STMT_COUNT && sql && out);
	*out = NULL;
	if (!c->stmt[id]) {
		err = c->eng->prepare(c, (int)id, sql, true, &c->stmt[id]);
		if (err != GZ_OK)
			return err;
	}
	/* One id, one statement: two call sites must not share an id. */
	assert(strcmp(db_sql(c->stmt[id]), sql) == 0);
	*out = c->stmt[id];
	return GZ_OK;
}

void
store_stmt_done(struct db_stmt *s)
{
	if (s)
		s->eng->reset(s);
}

int
store_stmt_run(struct store_conn *c, struct db_stmt *s)
{
	int rc, err = GZ_OK;

	rc = db_step(s);
	/* A statement that gives rows is not run with this. */
	assert(rc != DB_ROW);
	if (rc == DB_ROW)
		err = GZ_EDB;
	else if (rc != DB_DONE)
		err = store_err(c, rc, db_sql(s));
	store_stmt_done(s);
	return err;
}

int
store_stmt_row(struct store_conn *c, struct db_stmt *s)
{
	int rc;

	rc = db_step(s);
	if (rc == DB_ROW)
		return GZ_OK;
	if (rc == DB_DONE)
		return GZ_ENOTFOUND;
	return store_err(c, rc, db_sql(s));
}

int
store_stmt_int64(struct store_conn *c, struct db_stmt *s, int64_t *v)
{
	int err;

	if ((err = store_stmt_row(c, s)) == GZ_OK)
		*v = db_col_int64(s, 0);
	store_stmt_done(s);
	return err;
}

/* The end of store_stmt_bind_*: rc is the bind's code; on an error *out
 * is handed back and set to NULL. */
static int
store_stmt_bound(struct store_conn *c, int rc, struct db_stmt **out)
{
	int err;

	if (rc == DB_OK)
		return GZ_OK;
	err = store_err(c, rc, db_sql(*out));
	store_stmt_done(*out);
	*out = NULL;
	return err;
}

int
store_stmt_bind_text(struct store_conn *c, enum store_stmt_id id,
		     const char *sql, const char *v, struct db_stmt **out)
{
	int err;

	if ((err = store_stmt(c, id, sql, out)) != GZ_OK)
		return err;
	return store_stmt_bound(c, store_bind_text(*out, 1, v), out);
}

int
store_stmt_bind_int64(struct store_conn *c, enum store_stmt_id id,
		      const char *sql, int64_t v, struct db_stmt **out)
{
	int err;

	if ((err = store_stmt(c, id, sql, out)) != GZ_OK)
		return err;
	return store_stmt_bound(c, store_bind_int64(*out, 1, v), out);
}

int
store_find_text(struct store_conn *c, enum store_stmt_id id, const char *sql,
		const char *key, int64_t *v)
{
	struct db_stmt *s;
	int err;

	if ((err = store_stmt_bind_text(c, id, sql, key, &s)) != GZ_OK)
		return err;
	return store_stmt_int64(c, s, v);
}

int
store_savepoint_stmt(struct store_conn *c, enum store_stmt_id id,
		     const char *sql)
{
	struct db_stmt *s;
	int err;

	if ((err = store_stmt(c, id, sql, &s)) != GZ_OK)
		return err;
	return store_stmt_run(c, s);
}

int
store_savepoint_begin(struct store_conn *c)
{
	return store_savepoint_stmt(c, STMT_SAVEPOINT, "SAVEPOINT store_write");
}

int
store_savepoint_end(struct store_conn *c, int err)
{
	static const char release_sql[] = "RELEASE store_write";

	if (err == GZ_OK) {
		err = store_savepoint_stmt(c, STMT_RELEASE, release_sql);
		if (err == GZ_OK)
			return GZ_OK;
	}
	if (store_savepoint_stmt(c, STMT_ROLLBACK_TO,
				 "ROLLBACK TO store_write") == GZ_OK)
		(void)store_savepoint_stmt(c, STMT_RELEASE, release_sql);
	return err;
}

int
store_bind_text(struct db_stmt *stmt, int idx, const char *s)
{
	return db_bind_text(stmt, idx, s);
}

int
store_bind_int64(struct db_stmt *stmt, int idx, int64_t v)
{
	return db_bind_int64(stmt, idx, v);
}

bool
store_utf8_ok(const char *s)
{
	return !s || utf8_valid(s, strlen(s), NULL);
}

const char *
store_nz(const char *s)
{
	return s ? s : "";
}

int64_t
store_size_to_int64(size_t v)
{
	return v > (size_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

const char *
store_col_text(struct pool *pool, struct db_stmt *s, int col)
{
	const char *t;

	if (db_col_null(s, col))
		return "";
	/* Text first, then its length (SQLite's order of conversions). */
	if (!(t = db_col_text(s, col)))
		return NULL; /* the engine could not convert: out of memory */
	return pool_strndup(pool, t, db_col_bytes(s, col));
}

void *
store_grow(struct pool *pool, void *arr, size_t *cap, size_t n, size_t el)
{
	size_t ncap;
	void *p;

	assert(n <= *cap && el > 0);
	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < *cap || ncap > SIZE_MAX / el)
		return NULL;
	if (!(p = pool_alloc(pool, ncap * el)))
		return NULL;
	if (n)
		memcpy(p, arr, n * el);
	*cap = ncap;
	return p;
}

