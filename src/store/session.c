/*
 * session.c - signed-in browsers: a row per session, found by the hash
 * of the session id the browser's cookie carries, with its user.
 *
 * Data flow: admin/ makes a 256-bit id at sign-in, hands the store its
 * hash (store_session_add) and the browser the id; each admin request
 * hashes the cookie and reads the session with its user on the calling
 * thread's reader (store_session_get), judges expiry itself, and touches
 * it at most once a minute. Sign-out, a password change and the purge
 * delete rows.
 *
 * Invariants:
 * - The store never sees a session id, only its 32-byte hash: a copy of
 *   the database (a backup, a stolen file) signs nobody in.
 * - A session belongs to an existing user: it is added only when the
 *   user is there, and goes with its user (ON DELETE CASCADE).
 */
#include <assert.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

int
store_session_add(struct store *st, const unsigned char hash[32],
		  int64_t user_id, int64_t created_at, int64_t expires_at,
		  bool second_factor, const char *ip)
{
	/* Only for a user that exists: no row selected, nothing added. */
	static const char sql[] =
		"INSERT INTO sessions (id_hash, user_id, created_at, seen_at,"
		" expires_at, second_factor, ip) SELECT ?1, id, ?3, ?3, ?4, ?5,"
		" ?6 FROM users WHERE id = ?2";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s = NULL;
	int err, rc;

	assert(hash);
	ip = store_nz(ip);
	if (strlen(ip) > GZ_LIMIT_AUDIT_FIELD_BYTES || !store_utf8_ok(ip))
		return GZ_EINVAL;
	if ((err = store_stmt(c, STMT_SESSION_ADD, sql, &s)) != GZ_OK)
		return err;
	rc = db_bind_blob(s, 1, hash, 32);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, user_id);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, created_at);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, expires_at);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, second_factor ? 1 : 0);
	if (rc == DB_OK)
		rc = store_bind_text(s, 6, ip);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	/* A taken hash fails the step: GZ_EEXIST, not logged. */
	if ((err = store_stmt_run(c, s)) != GZ_OK)
		return err;
	return db_changes(c) ? GZ_OK : GZ_ENOTFOUND;
}

int
store_session_get(struct store *st, struct pool *pool,
		  const unsigned char hash[32], struct store_session *out)
{
	static const char sql[] =
		"SELECT s.user_id, s.created_at, s.seen_at, s.expires_at,"
		" s.second_factor, s.ip, " USER_COLS " FROM sessions s"
		" JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?1";
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int err, rc;

	assert(st && pool && hash && out);
	memset(out, 0, sizeof(*out));
	if ((err = store_reader(st, &c)) != GZ_OK ||
	    (err = store_stmt(c, STMT_SESSION_GET, sql, &s)) != GZ_OK)
		return err;
	if ((rc = db_bind_blob(s, 1, hash, 32)) !=
	    DB_OK) {
		err = store_err(c, rc, sql);
		goto out;
	}
	if ((err = store_stmt_row(c, s)) != GZ_OK)
		goto out;
	out->user_id = db_col_int64(s, 0);
	out->created_at = db_col_int64(s, 1);
	out->seen_at = db_col_int64(s, 2);
	out->expires_at = db_col_int64(s, 3);
	out->second_factor = db_col_int64(s, 4) != 0;
	if (!(out->ip = store_col_text(pool, s, 5))) {
		err = GZ_ENOMEM;
		goto out;
	}
	err = store_user_row(pool, s, 6, &out->user);
out:
	store_stmt_done(s);
	return err;
}

/* Runs the statement id (sql) with ?1 = hash and, when has2, ?2 = v2.
 * GZ_OK whether or not a row matched. */
static int
session_run(struct store *st, enum store_stmt_id id, const char *sql,
	    const unsigned char hash[32], bool has2, int64_t v2)
{
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	assert(hash);
	if ((err = store_stmt(c, id, sql, &s)) != GZ_OK)
		return err;
	rc = db_bind_blob(s, 1, hash, 32);
	if (rc == DB_OK && has2)
		rc = store_bind_int64(s, 2, v2);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

int
store_session_touch(struct store *st, const unsigned char hash[32],
		    int64_t seen_at)
{
	static const char sql[] =
		"UPDATE sessions SET seen_at = ?2 WHERE id_hash = ?1";

	return session_run(st, STMT_SESSION_TOUCH, sql, hash, true, seen_at);
}

int
store_session_factor_set(struct store *st, const unsigned char hash[32])
{
	static const char sql[] =
		"UPDATE sessions SET second_factor = 1 WHERE id_hash = ?1";

	return session_run(st, STMT_SESSION_FACTOR_SET, sql, hash, false, 0);
}

int
store_session_delete(struct store *st, const unsigned char hash[32])
{
	static const char sql[] = "DELETE FROM sessions WHERE id_hash = ?1";

	return session_run(st, STMT_SESSION_DELETE, sql, hash, false, 0);
}

int
store_session_delete_user(struct store *st, int64_t user_id,
			  const unsigned char *keep)
{
	/* keep NULL binds NULL, and "id_hash <> NULL" is never true. */
	static const char sql[] =
		"DELETE FROM sessions WHERE user_id = ?1"
		" AND (?2 IS NULL OR id_hash <> ?2)";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	if ((err = store_stmt_bind_int64(c, STMT_SESSION_DELETE_USER, sql,
					 user_id, &s)) != GZ_OK)
		return err;
	rc = keep ? db_bind_blob(s, 2, keep, 32)
		  : db_bind_null(s, 2);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

int
store_session_purge(struct store *st, int64_t now, int64_t idle_before)
{
	static const char sql[] =
		"DELETE FROM sessions WHERE expires_at <= ?1 OR seen_at < ?2";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	if ((err = store_stmt_bind_int64(c, STMT_SESSION_PURGE, sql, now, &s)))
		return err;
	if ((rc = store_bind_int64(s, 2, idle_before)) != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}
