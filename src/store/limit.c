/*
 * limit.c - limits that every node on one database shares (issue 16):
 * hits counted per (scope, key) in a sliding window, and the sign-in
 * tokens already spent.
 *
 * Data flow: site/limits.c hashes an address or an account name into a
 * key under the site's secret and calls these for comments/ (the comment
 * and refusal rate limits) and admin/ (the sign-in throttles, the spent
 * sign-in tokens) when the store is PostgreSQL; on SQLite (one node)
 * those modules count in their own memory instead.
 *
 * Invariants:
 * - The database never holds an address or a name: only the 16 to 32
 *   byte keys the caller made.
 * - store_limit_take counts and records in one write transaction, so on
 *   PostgreSQL under the store's advisory write lock (pg.c), which every
 *   node's writes take: the count a take reads cannot change before its
 *   insert commits, and two nodes racing for the last hit of a window
 *   are served one after the other. (SQLite: BEGIN IMMEDIATE does the
 *   same on one file.)
 * - Each hit carries when it stops counting (expires_at), so the purge
 *   needs no knowledge of the windows.
 */
#include <assert.h>
#include <limits.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"

static bool
limit_key_ok(const unsigned char *key, size_t keylen)
{
	return key && keylen >= STORE_LIMIT_KEY_MIN &&
	       keylen <= STORE_LIMIT_KEY_MAX;
}

bool
store_is_shared(const struct store *st)
{
	assert(st);
	return st->writer.eng == &store_pg_engine;
}

/* Opens a transaction of the call's own unless the caller holds one. */
static int
limit_tx_begin(struct store *st, bool *own)
{
	int err;

	*own = !store_tx_held(st);
	if (*own && (err = store_tx_begin(st)) != GZ_OK) {
		*own = false;
		return err;
	}
	return GZ_OK;
}

/* Ends what limit_tx_begin began: commits on GZ_OK, else rolls back.
 * In the caller's transaction, err is the caller's to act on. */
static int
limit_tx_end(struct store *st, bool own, int err)
{
	if (!own)
		return err;
	if (err == GZ_OK)
		return store_tx_commit(st);
	store_tx_rollback(st);
	return err;
}

/* Counts the hits of (scope, key) at > now - window on c. Output:
 * *count, *oldest (0 when none). */
static int
limit_count_on(struct store_conn *c, int scope, const unsigned char *key,
	       size_t keylen, int64_t now, int64_t window, unsigned *count,
	       int64_t *oldest)
{
	static const char sql[] =
		"SELECT count(*), coalesce(min(at), 0) FROM limit_hits"
		" WHERE scope = ?1 AND key = ?2 AND at > ?3";
	struct db_stmt *s = NULL;
	int64_t n;
	int err, rc;

	if ((err = store_stmt_bind_int64(c, STMT_LIMIT_COUNT, sql, scope,
					 &s)) != GZ_OK)
		return err;
	rc = db_bind_blob(s, 2, key, keylen);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, now - window);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		goto out;
	}
	if ((err = store_stmt_row(c, s)) != GZ_OK)
		goto out;
	n = db_col_int64(s, 0);
	*count = n < 0 ? 0 : n > (int64_t)UINT_MAX ? UINT_MAX : (unsigned)n;
	*oldest = db_col_int64(s, 1);
out:
	store_stmt_done(s);
	return err;
}

int
store_limit_take(struct store *st, int scope, const unsigned char *key,
		 size_t keylen, int64_t now, int64_t window, unsigned max,
		 bool *allowed, int64_t *oldest)
{
	static const char sql[] =
		"INSERT INTO limit_hits (scope, key, at, expires_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	struct store_conn *c;
	struct db_stmt *s = NULL;
	unsigned count = 0;
	int64_t first = 0;
	bool own = false;
	int err, rc;

	assert(st && allowed);
	*allowed = false;
	if (!limit_key_ok(key, keylen) || window < 1)
		return GZ_EINVAL;
	if ((err = limit_tx_begin(st, &own)) != GZ_OK)
		return err;
	c = store_writer(st);
	if ((err = limit_count_on(c, scope, key, keylen, now, window, &count,
				  &first)) != GZ_OK)
		return limit_tx_end(st, own, err);
	if (count >= max) {
		if (oldest)
			*oldest = first;
		return limit_tx_end(st, own, GZ_OK);
	}
	if ((err = store_stmt_bind_int64(c, STMT_LIMIT_INSERT, sql, scope,
					 &s)) != GZ_OK)
		return limit_tx_end(st, own, err);
	rc = db_bind_blob(s, 2, key, keylen);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, now);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, now + window);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return limit_tx_end(st, own, err);
	}
	err = limit_tx_end(st, own, store_stmt_run(c, s));
	*allowed = err == GZ_OK;
	return err;
}

int
store_limit_count(struct store *st, int scope, const unsigned char *key,
		  size_t keylen, int64_t now, int64_t window, unsigned *count,
		  int64_t *oldest)
{
	struct store_conn *c;
	int64_t first = 0;
	int err;

	assert(st && count);
	*count = 0;
	if (!limit_key_ok(key, keylen) || window < 1)
		return GZ_EINVAL;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = limit_count_on(c, scope, key, keylen, now, window, count,
			     &first);
	if (oldest)
		*oldest = err == GZ_OK ? first : 0;
	return err;
}

/* Runs statement id (sql) with ?1 = scope, ?2 = key, in its own
 * transaction or the caller's. */
static int
limit_delete(struct store *st, enum store_stmt_id id, const char *sql,
	     int scope, const unsigned char *key, size_t keylen)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	bool own = false;
	int err, rc;

	assert(st);
	if (!limit_key_ok(key, keylen))
		return GZ_EINVAL;
	if ((err = limit_tx_begin(st, &own)) != GZ_OK)
		return err;
	c = store_writer(st);
	if ((err = store_stmt_bind_int64(c, id, sql, scope, &s)) != GZ_OK)
		return limit_tx_end(st, own, err);
	if ((rc = db_bind_blob(s, 2, key, keylen)) != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return limit_tx_end(st, own, err);
	}
	return limit_tx_end(st, own, store_stmt_run(c, s));
}

int
store_limit_forgive(struct store *st, int scope, const unsigned char *key,
		    size_t keylen)
{
	/* The newest by time, then by id: two hits of one second are
	 * alike, and one of them goes. */
	static const char sql[] =
		"DELETE FROM limit_hits WHERE id = (SELECT id FROM limit_hits"
		" WHERE scope = ?1 AND key = ?2 ORDER BY at DESC, id DESC"
		" LIMIT 1)";

	return limit_delete(st, STMT_LIMIT_FORGIVE, sql, scope, key, keylen);
}

int
store_limit_clear(struct store *st, int scope, const unsigned char *key,
		  size_t keylen)
{
	static const char sql[] =
		"DELETE FROM limit_hits WHERE scope = ?1 AND key = ?2";

	return limit_delete(st, STMT_LIMIT_CLEAR, sql, scope, key, keylen);
}

int
store_limit_purge(struct store *st, int64_t now)
{
	static const char hits_sql[] =
		"DELETE FROM limit_hits WHERE expires_at <= ?1";
	static const char spent_sql[] =
		"DELETE FROM login_spent WHERE expires_at <= ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st);
	c = store_writer(st);
	if ((err = store_stmt_bind_int64(c, STMT_LIMIT_PURGE, hits_sql, now,
					 &s)) != GZ_OK ||
	    (err = store_stmt_run(c, s)) != GZ_OK)
		return err;
	if ((err = store_stmt_bind_int64(c, STMT_LOGIN_PURGE, spent_sql, now,
					 &s)) != GZ_OK)
		return err;
	return store_stmt_run(c, s);
}

int
store_login_spend(struct store *st, const unsigned char *hash, size_t len,
		  int64_t expires)
{
	/* DO NOTHING rather than a unique violation: on PostgreSQL an
	 * error would end the caller's transaction. */
	static const char sql[] =
		"INSERT INTO login_spent (hash, expires_at) VALUES (?1, ?2)"
		" ON CONFLICT DO NOTHING";
	struct store_conn *c;
	struct db_stmt *s = NULL;
	bool own = false;
	int err, rc;

	assert(st);
	if (!limit_key_ok(hash, len))
		return GZ_EINVAL;
	if ((err = limit_tx_begin(st, &own)) != GZ_OK)
		return err;
	c = store_writer(st);
	if ((err = store_stmt(c, STMT_LOGIN_SPEND, sql, &s)) != GZ_OK)
		return limit_tx_end(st, own, err);
	rc = db_bind_blob(s, 1, hash, len);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, expires);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return limit_tx_end(st, own, err);
	}
	/* No row inserted: spent already (an own transaction is then
	 * rolled back, having written nothing). */
	if ((err = store_stmt_run(c, s)) == GZ_OK && db_changes(c) == 0)
		err = GZ_EEXIST;
	return limit_tx_end(st, own, err);
}

int
store_login_spent(struct store *st, const unsigned char *hash, size_t len,
		  int64_t now, bool *spent)
{
	static const char sql[] =
		"SELECT count(*) FROM login_spent WHERE hash = ?1"
		" AND expires_at > ?2";
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t n = 1;
	int err, rc;

	assert(st && spent);
	*spent = true;
	if (!limit_key_ok(hash, len))
		return GZ_EINVAL;
	if ((err = store_reader(st, &c)) != GZ_OK ||
	    (err = store_stmt(c, STMT_LOGIN_SPENT, sql, &s)) != GZ_OK)
		return err;
	rc = db_bind_blob(s, 1, hash, len);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, now);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	if ((err = store_stmt_int64(c, s, &n)) == GZ_OK)
		*spent = n > 0;
	return err;
}
