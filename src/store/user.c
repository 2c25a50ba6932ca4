/*
 * user.c - the newsroom's staff accounts: a sign-in name, a role, a
 * password hash, an optional TOTP secret with the last step it accepted,
 * and the hashes of its recovery codes.
 *
 * Data flow: admin/ hashes passwords and checks codes (libsodium,
 * liboath); this file only keeps what it is handed. Sign-in reads
 * store_user_by_name on the calling thread's reader; every change runs on
 * the writer, inside the caller's store_tx_begin/commit.
 *
 * Invariants:
 * - There is always an admin once there has been one: a role change or a
 *   removal that would leave none is refused (GZ_EFORBIDDEN, never
 *   GZ_EBUSY, which says the database is locked or away) in the same
 *   statement that makes it, so two writers cannot both demote "the
 *   other" admin.
 * - A TOTP step is accepted at most once: the update that records it
 *   only matches a stored step that is smaller, under the write lock.
 * - Removing a user removes their sessions and recovery codes through
 *   ON DELETE CASCADE (the writer connection runs with foreign_keys on,
 *   sqlite.c); their articles keep owner_id, the audit log their name.
 * - Recovery codes are stored only as the 32-byte hashes admin/ makes; a
 *   code is spent by deleting its row.
 */
#include <assert.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* The longest sign-in name. */
#define USER_NAME_MAX 32

static const char *const role_names[] = {
	[STORE_ROLE_ADMIN] = "admin",
	[STORE_ROLE_EDITOR] = "editor",
	[STORE_ROLE_WRITER] = "writer",
	[STORE_ROLE_MODERATOR] = "moderator",
};

#define NROLES (sizeof(role_names) / sizeof(*role_names))

static const char exists_sql[] = "SELECT 1 FROM users WHERE id = ?1";
static const char recovery_clear_sql[] =
	"DELETE FROM recovery_codes WHERE user_id = ?1";

const char *
store_role_name(enum store_role role)
{
	if ((unsigned)role >= NROLES)
		return NULL;
	return role_names[role];
}

int
store_role_parse(const char *s, enum store_role *out)
{
	size_t i;

	if (!s)
		return GZ_EINVAL;
	for (i = 0; i < NROLES; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum store_role)i;
			return GZ_OK;
		}
	}
	return GZ_EINVAL;
}

bool
store_user_name_ok(const char *name)
{
	size_t i;

	if (!name || !*name)
		return false;
	for (i = 0; name[i]; i++) {
		char ch = name[i];

		if (i == USER_NAME_MAX)
			return false;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* True when name (NULL: none) is a display name the store keeps. */
static bool
user_display_ok(const char *name)
{
	return !name || (strlen(name) <= GZ_LIMIT_DISPLAY_NAME_BYTES &&
			 store_utf8_ok(name));
}

/* True when hash is a password hash the store keeps. */
static bool
user_hash_ok(const char *hash)
{
	return hash && *hash && strlen(hash) <= GZ_LIMIT_PASSWORD_HASH_BYTES &&
	       store_utf8_ok(hash);
}

int
store_user_row(struct pool *pool, struct db_stmt *s, int first,
	       struct store_user *out)
{
	const char *role;
	const void *secret;
	int len;

	memset(out, 0, sizeof(*out));
	out->id = db_col_int64(s, first);
	out->name = store_col_text(pool, s, first + 1);
	out->display_name = store_col_text(pool, s, first + 2);
	role = db_col_text(s, first + 3);
	out->password_hash = store_col_text(pool, s, first + 4);
	if (!out->name || !out->display_name || !out->password_hash)
		return GZ_ENOMEM;
	if (store_role_parse(role, &out->role) != GZ_OK)
		return GZ_EDB;
	if (!db_col_null(s, first + 5)) {
		secret = db_col_blob(s, first + 5);
		len = db_col_bytes(s, first + 5);
		if (len < 0 || len > STORE_TOTP_SECRET_MAX || (len && !secret))
			return GZ_EDB;
		if (len)
			memcpy(out->totp_secret, secret, (size_t)len);
		out->totp_secret_len = (size_t)len;
	}
	out->totp_last_step = db_col_int64(s, first + 6);
	out->must_change_password = db_col_int64(s, first + 7) != 0;
	out->created_at = db_col_int64(s, first + 8);
	out->last_signin_at = db_col_int64(s, first + 9);
	return GZ_OK;
}

int
store_user_add(struct store *st, const struct store_user *in, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO users (name, display_name, role, password_hash,"
		" must_change_password, created_at) VALUES (?1, ?2, ?3, ?4, ?5,"
		" ?6) RETURNING id";
	struct store_conn *c = store_writer(st);
	const char *role;
	struct db_stmt *s;
	int err, rc;

	assert(st && in && id);
	role = store_role_name(in->role);
	if (!store_user_name_ok(in->name) || !user_display_ok(in->display_name) ||
	    !user_hash_ok(in->password_hash) || !role)
		return GZ_EINVAL;
	if ((err = store_stmt_bind_text(c, STMT_USER_ADD, sql, in->name, &s)))
		return err;
	rc = store_bind_text(s, 2, store_nz(in->display_name));
	if (rc == DB_OK)
		rc = store_bind_text(s, 3, role);
	if (rc == DB_OK)
		rc = store_bind_text(s, 4, in->password_hash);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, in->must_change_password ? 1 : 0);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 6, (int64_t)time(NULL));
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	/* A taken name fails the step: GZ_EEXIST, not logged. */
	return store_stmt_int64(c, s, id);
}

/* Reads the one user statement s (bound) finds into *out. */
static int
user_read(struct pool *pool, struct store_conn *c, struct db_stmt *s,
	  struct store_user *out)
{
	int err;

	if ((err = store_stmt_row(c, s)) == GZ_OK)
		err = store_user_row(pool, s, 0, out);
	store_stmt_done(s);
	return err;
}

int
store_user_get(struct store *st, struct pool *pool, int64_t id,
	       struct store_user *out)
{
	static const char sql[] =
		"SELECT " USER_COLS " FROM users u WHERE u.id = ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt_bind_int64(c, STMT_USER_GET, sql, id, &s)))
		return err;
	return user_read(pool, c, s, out);
}

int
store_user_by_name(struct store *st, struct pool *pool, const char *name,
		   struct store_user *out)
{
	static const char sql[] =
		"SELECT " USER_COLS " FROM users u WHERE u.name = ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && out);
	if (!name)
		return GZ_ENOTFOUND;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt_bind_text(c, STMT_USER_BY_NAME, sql, name, &s)))
		return err;
	return user_read(pool, c, s, out);
}

/*
 * The list leaves out what a list has no use for and a leak would cost:
 * password_hash is "" and totp_secret zeros, but totp_secret_len says
 * whether a second factor is enrolled (the list shows it).
 */
int
store_user_list(struct store *st, struct pool *pool, struct store_user **items,
		size_t *n)
{
	static const char sql[] =
		"SELECT u.id, u.name, u.display_name, u.role, '',"
		" zeroblob(length(u.totp_secret)), u.totp_last_step,"
		" u.must_change_password, u.created_at, u.last_signin_at"
		" FROM users u ORDER BY u.name";
	struct store_user *arr = NULL;
	struct store_conn *c;
	struct db_stmt *s;
	size_t cap = 0, len = 0;
	int err = GZ_OK, rc;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_USER_LIST, sql, &s)) != GZ_OK)
		return err;
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		if ((err = store_user_row(pool, s, 0, &arr[len])) != GZ_OK)
			goto out;
		len++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, sql);
		goto out;
	}
	*items = arr;
	*n = len;
out:
	store_stmt_done(s);
	return err;
}

/* GZ_ENOTFOUND when there is no user id, else GZ_OK (or an error): what
 * an update that changed nothing means. */
static int
user_exists(struct store_conn *c, int64_t id)
{
	struct db_stmt *s;
	int64_t one;
	int err;

	if ((err = store_stmt_bind_int64(c, STMT_USER_EXISTS, exists_sql, id,
					 &s)) != GZ_OK)
		return err;
	return store_stmt_int64(c, s, &one);
}

/* Runs s (bound) and tells GZ_ENOTFOUND when it changed no row. */
static int
user_update(struct store_conn *c, struct db_stmt *s)
{
	int err;

	if ((err = store_stmt_run(c, s)) != GZ_OK)
		return err;
	return db_changes(c) ? GZ_OK : GZ_ENOTFOUND;
}

/* Binds ?2 = v on s (?1 bound); hands s back on error. */
static int
user_bind2_text(struct store_conn *c, struct db_stmt *s, const char *v)
{
	int rc, err;

	if ((rc = store_bind_text(s, 2, v)) == DB_OK)
		return GZ_OK;
	err = store_err(c, rc, db_sql(s));
	store_stmt_done(s);
	return err;
}

static int
user_bind2_int64(struct store_conn *c, struct db_stmt *s, int64_t v)
{
	int rc, err;

	if ((rc = store_bind_int64(s, 2, v)) == DB_OK)
		return GZ_OK;
	err = store_err(c, rc, db_sql(s));
	store_stmt_done(s);
	return err;
}

int
store_user_password_set(struct store *st, int64_t id, const char *hash,
			bool must_change)
{
	static const char sql[] =
		"UPDATE users SET password_hash = ?2, must_change_password = ?3"
		" WHERE id = ?1";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	if (!user_hash_ok(hash))
		return GZ_EINVAL;
	if ((err = store_stmt_bind_int64(c, STMT_USER_PASSWORD_SET, sql, id,
					 &s)) != GZ_OK ||
	    (err = user_bind2_text(c, s, hash)) != GZ_OK)
		return err;
	if ((rc = store_bind_int64(s, 3, must_change ? 1 : 0)) != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return user_update(c, s);
}

int
store_user_role_set(struct store *st, int64_t id, enum store_role role)
{
	/* Refused in the statement itself when it demotes the last admin. */
	static const char sql[] =
		"UPDATE users SET role = ?2 WHERE id = ?1 AND (?2 = 'admin'"
		" OR role <> 'admin' OR (SELECT count(*) FROM users"
		" WHERE role = 'admin') > 1)";
	struct store_conn *c = store_writer(st);
	const char *name = store_role_name(role);
	struct db_stmt *s;
	int err;

	if (!name)
		return GZ_EINVAL;
	if ((err = store_stmt_bind_int64(c, STMT_USER_ROLE_SET, sql, id,
					 &s)) != GZ_OK ||
	    (err = user_bind2_text(c, s, name)) != GZ_OK)
		return err;
	err = user_update(c, s);
	if (err == GZ_ENOTFOUND && (err = user_exists(c, id)) == GZ_OK)
		return GZ_EFORBIDDEN;
	return err;
}

int
store_user_display_set(struct store *st, int64_t id, const char *name)
{
	static const char sql[] =
		"UPDATE users SET display_name = ?2 WHERE id = ?1";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err;

	if (!user_display_ok(name))
		return GZ_EINVAL;
	if ((err = store_stmt_bind_int64(c, STMT_USER_DISPLAY_SET, sql, id,
					 &s)) != GZ_OK ||
	    (err = user_bind2_text(c, s, store_nz(name))) != GZ_OK)
		return err;
	return user_update(c, s);
}

int
store_user_totp_set(struct store *st, int64_t id, const unsigned char *secret,
		    size_t len)
{
	static const char sql[] =
		"UPDATE users SET totp_secret = ?2, totp_last_step = 0"
		" WHERE id = ?1";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s = NULL;
	int err, rc;

	if (len > STORE_TOTP_SECRET_MAX || (len && !secret))
		return GZ_EINVAL;
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		return err;
	if ((err = store_stmt_bind_int64(c, STMT_USER_TOTP_SET, sql, id,
					 &s)) != GZ_OK)
		goto out;
	rc = len ? db_bind_blob(s, 2, secret, len)
		 : db_bind_null(s, 2);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		goto out;
	}
	if ((err = user_update(c, s)) != GZ_OK || len)
		goto out;
	/* No second factor: its recovery codes go with it. */
	if ((err = store_stmt_bind_int64(c, STMT_RECOVERY_CLEAR,
					 recovery_clear_sql, id, &s)) != GZ_OK)
		goto out;
	err = store_stmt_run(c, s);
out:
	return store_savepoint_end(c, err);
}

int
store_user_totp_step(struct store *st, int64_t id, int64_t step)
{
	static const char sql[] =
		"UPDATE users SET totp_last_step = ?2 WHERE id = ?1"
		" AND totp_last_step < ?2";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err;

	if ((err = store_stmt_bind_int64(c, STMT_USER_TOTP_STEP, sql, id,
					 &s)) != GZ_OK ||
	    (err = user_bind2_int64(c, s, step)) != GZ_OK)
		return err;
	err = user_update(c, s);
	/* Nothing changed: a replayed (or older) step, or no such user. */
	if (err == GZ_ENOTFOUND && (err = user_exists(c, id)) == GZ_OK)
		return GZ_EEXIST;
	return err;
}

int
store_user_signin_at(struct store *st, int64_t id, int64_t at)
{
	static const char sql[] =
		"UPDATE users SET last_signin_at = ?2 WHERE id = ?1";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err;

	if ((err = store_stmt_bind_int64(c, STMT_USER_SIGNIN_AT, sql, id,
					 &s)) != GZ_OK ||
	    (err = user_bind2_int64(c, s, at)) != GZ_OK)
		return err;
	return user_update(c, s);
}

int
store_user_remove(struct store *st, int64_t id)
{
	/* As store_user_role_set: the last admin stays, in one statement.
	 * Sessions and recovery codes follow by ON DELETE CASCADE. */
	static const char sql[] =
		"DELETE FROM users WHERE id = ?1 AND (role <> 'admin'"
		" OR (SELECT count(*) FROM users WHERE role = 'admin') > 1)";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err;

	if ((err = store_stmt_bind_int64(c, STMT_USER_REMOVE, sql, id, &s)))
		return err;
	err = user_update(c, s);
	if (err == GZ_ENOTFOUND && (err = user_exists(c, id)) == GZ_OK)
		return GZ_EFORBIDDEN;
	return err;
}

int
store_user_count(struct store *st, int64_t *n)
{
	static const char sql[] = "SELECT count(*) FROM users";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && n);
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK ||
	    (err = store_stmt(c, STMT_USER_COUNT, sql, &s)) != GZ_OK)
		return err;
	return store_stmt_int64(c, s, n);
}

int
store_recovery_set(struct store *st, int64_t user_id,
		   const unsigned char (*hashes)[32], size_t n)
{
	static const char add_sql[] =
		"INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	size_t i;
	int err, rc;

	if (n > GZ_LIMIT_RECOVERY_CODES || (n && !hashes))
		return GZ_EINVAL;
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		return err;
	if ((err = user_exists(c, user_id)) != GZ_OK)
		goto out;
	if ((err = store_stmt_bind_int64(c, STMT_RECOVERY_CLEAR,
					 recovery_clear_sql, user_id,
					 &s)) != GZ_OK ||
	    (err = store_stmt_run(c, s)) != GZ_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((err = store_stmt_bind_int64(c, STMT_RECOVERY_ADD, add_sql,
						 user_id, &s)) != GZ_OK)
			goto out;
		rc = db_bind_blob(s, 2, hashes[i], 32);
		if (rc != DB_OK) {
			err = store_err(c, rc, add_sql);
			store_stmt_done(s);
			goto out;
		}
		/* The same hash twice is the caller's bug: GZ_EEXIST. */
		if ((err = store_stmt_run(c, s)) != GZ_OK)
			goto out;
	}
out:
	return store_savepoint_end(c, err);
}

int
store_recovery_use(struct store *st, int64_t user_id,
		   const unsigned char hash[32])
{
	static const char sql[] =
		"DELETE FROM recovery_codes WHERE user_id = ?1 AND code_hash = ?2";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	assert(hash);
	if ((err = store_stmt_bind_int64(c, STMT_RECOVERY_USE, sql, user_id,
					 &s)) != GZ_OK)
		return err;
	if ((rc = db_bind_blob(s, 2, hash, 32)) !=
	    DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return user_update(c, s);
}

int
store_recovery_count(struct store *st, int64_t user_id, int64_t *n)
{
	static const char sql[] =
		"SELECT count(*) FROM recovery_codes WHERE user_id = ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && n);
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK ||
	    (err = store_stmt_bind_int64(c, STMT_RECOVERY_COUNT, sql, user_id,
					 &s)) != GZ_OK)
		return err;
	return store_stmt_int64(c, s, n);
}
