/*
 * audit.c - the newsroom's audit log: who did what to which thing, when
 * and from where, appended by every admin handler and command that
 * changes something, and read back newest first, merged with the
 * comments' moderation log (comment.c), which predates it.
 *
 * Data flow: a handler that writes calls store_audit_add in its own
 * transaction, so the entry lands with the change or not at all; the
 * admin's log page reads store_audit_list on the calling thread's reader.
 *
 * Invariants:
 * - Entries are only appended: nothing updates or deletes a row, and
 *   audit_log has no foreign key, so it outlives what it names.
 * - Every stored string is valid UTF-8 of at most
 *   GZ_LIMIT_AUDIT_FIELD_BYTES bytes (longer ones are cut at a
 *   character, never inside one).
 * - The merged list is ordered by (at, kind, id) descending, audit entries
 *   before moderation entries of the same second; moderation entries
 *   carry their id negated. A cursor (before_id) is the id of the last
 *   entry of the previous page, of either kind, so pages neither repeat
 *   nor skip an entry. Each half is read through an index in that order
 *   (the rowid, audit_log_actor, audit_log_object; moderation_log_at,
 *   moderation_log_comment) and stops at the page's size.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* A page of store_audit_list when the filter asks for none, and the most. */
#define AUDIT_LIMIT_DEFAULT 100
#define AUDIT_LIMIT_MAX 1000

/* How many bytes of s (valid UTF-8) to keep: all of it, or the most up
 * to the cap that end at a character's end. */
static size_t
audit_cut(const char *s)
{
	size_t len = strlen(s);

	if (len <= GZ_LIMIT_AUDIT_FIELD_BYTES)
		return len;
	len = GZ_LIMIT_AUDIT_FIELD_BYTES;
	/* s[len] is the first byte dropped: back up while it continues the
	 * character before it. */
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return len;
}

int
store_audit_add(struct store *st, const char *actor, const char *action,
		const char *object, const char *detail, const char *ip,
		int64_t at)
{
	static const char sql[] =
		"INSERT INTO audit_log (at, actor, action, object, detail, ip)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	const char *text[5];
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	size_t i;
	int err, rc;

	if (!actor || !*actor || !action || !*action)
		return GZ_EINVAL;
	text[0] = actor;
	text[1] = action;
	text[2] = store_nz(object);
	text[3] = store_nz(detail);
	text[4] = store_nz(ip);
	for (i = 0; i < 5; i++)
		if (!store_utf8_ok(text[i]))
			return GZ_EINVAL;
	if ((err = store_stmt_bind_int64(c, STMT_AUDIT_ADD, sql, at, &s)))
		return err;
	rc = DB_OK;
	for (i = 0; i < 5 && rc == DB_OK; i++)
		rc = db_bind_textn(s, (int)i + 2, text[i],
				   audit_cut(text[i]));
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

/*
 * One page of the merged log: each half takes at most ?4 of its newest
 * entries after the cursor, through its index, and the union is cut to
 * ?4. Parameters: ?1 actor, ?2 object, ?3 the comment id object names
 * (NULL: none), ?4 limit, ?5 audit ids below, ?6 audit times at or
 * before, ?7 and ?8 the (at, id) moderation entries come before.
 */
#define AUDIT_PART(where)                                                \
	"SELECT * FROM (SELECT a.id, a.at, a.actor, a.action, a.object,"  \
	" a.detail, a.ip FROM audit_log a WHERE " where "a.id < ?5"       \
	" AND a.at <= ?6 ORDER BY a.id DESC LIMIT ?4)"
#define MODERATION_PART(where)                                           \
	"SELECT * FROM (SELECT -m.id, m.at, m.actor, m.action,"           \
	" 'comment:' || m.comment_id, m.detail, '' FROM moderation_log m" \
	" WHERE " where "(m.at, m.id) < (?7, ?8)"                         \
	" ORDER BY m.at DESC, m.id DESC LIMIT ?4)"
#define AUDIT_LIST(audit_where, moderation_where)                        \
	"SELECT id, at, actor, action, object, detail, ip FROM ("         \
	AUDIT_PART(audit_where) " UNION ALL "                             \
	MODERATION_PART(moderation_where)                                 \
	") ORDER BY at DESC, id > 0 DESC, abs(id) DESC LIMIT ?4"

/* In enum order: STMT_AUDIT_LIST + (actor ? 1 : 0) + (object ? 2 : 0). */
static const char *const list_sql[] = {
	AUDIT_LIST("", ""),
	AUDIT_LIST("a.actor = ?1 AND ", "m.actor = ?1 AND "),
	AUDIT_LIST("a.object = ?2 AND ", "m.comment_id = ?3 AND "),
	AUDIT_LIST("a.actor = ?1 AND a.object = ?2 AND ",
		   "m.comment_id = ?3 AND m.actor = ?1 AND "),
};

/* The comment id an object names ("comment:12"), as audit entries write
 * it (no sign, no leading zero), or -1 when it names none. */
static int64_t
audit_comment_id(const char *object)
{
	static const char prefix[] = "comment:";
	const char *p;
	int64_t v = 0;

	if (strncmp(object, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	p = object + sizeof(prefix) - 1;
	if (*p < '1' || *p > '9')
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* The time of the cursor's entry (audit id > 0, moderation id < 0) into
 * *at; GZ_ENOTFOUND when there is no such entry. */
static int
audit_cursor_at(struct store_conn *c, int64_t before_id, int64_t *at)
{
	static const char audit_sql[] = "SELECT at FROM audit_log WHERE id = ?1";
	static const char moderation_sql[] =
		"SELECT at FROM moderation_log WHERE id = ?1";
	struct db_stmt *s;
	int err;

	if (before_id > 0)
		err = store_stmt_bind_int64(c, STMT_AUDIT_AT, audit_sql,
					    before_id, &s);
	else
		err = store_stmt_bind_int64(c, STMT_MODERATION_AT,
					    moderation_sql, -before_id, &s);
	if (err != GZ_OK)
		return err;
	return store_stmt_int64(c, s, at);
}

/* Binds the page's parameters on s. Returns an SQLite code. */
static int
audit_bind(struct db_stmt *s, const struct store_audit_filter *f,
	   int64_t comment_id, int64_t limit, int64_t audit_below,
	   int64_t audit_at_most, int64_t mod_at, int64_t mod_id)
{
	int rc = store_bind_text(s, 1, f->actor);

	if (rc == DB_OK)
		rc = store_bind_text(s, 2, f->object);
	if (rc == DB_OK)
		rc = comment_id > 0 ? store_bind_int64(s, 3, comment_id)
				    : db_bind_null(s, 3);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, limit);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, audit_below);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 6, audit_at_most);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 7, mod_at);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 8, mod_id);
	return rc;
}

int
store_audit_list(struct store *st, struct pool *pool,
		 const struct store_audit_filter *f,
		 struct store_audit **items, size_t *n)
{
	struct store_audit *arr = NULL;
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t limit, comment_id = -1, at = 0;
	int64_t audit_below = INT64_MAX, audit_at_most = INT64_MAX;
	int64_t mod_at = INT64_MAX, mod_id = INT64_MAX;
	size_t cap = 0, len = 0, variant = 0;
	int err, rc;

	assert(st && pool && f && items && n);
	*items = NULL;
	*n = 0;
	limit = f->limit == 0 ? AUDIT_LIMIT_DEFAULT
		: f->limit > AUDIT_LIMIT_MAX ? AUDIT_LIMIT_MAX
		: (int64_t)f->limit;
	if (f->actor)
		variant |= 1;
	if (f->object) {
		variant |= 2;
		comment_id = audit_comment_id(f->object);
	}
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	/* The cursor's time and the page: one snapshot. */
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	if (f->before_id != 0) {
		err = audit_cursor_at(c, f->before_id, &at);
		if (err == GZ_ENOTFOUND) {
			/* A cursor that names nothing: an empty page. */
			err = GZ_OK;
			goto out;
		}
		if (err != GZ_OK)
			goto out;
		if (f->before_id > 0) {
			/* After audit entry B at T: smaller audit ids, and
			 * moderation entries of T and before. */
			audit_below = f->before_id;
			mod_at = at;
		} else {
			/* After moderation entry M at T: audit entries before
			 * T (those of T came first), moderation entries
			 * before (T, M). */
			audit_at_most = at == INT64_MIN ? INT64_MIN : at - 1;
			if (at == INT64_MIN)
				audit_below = INT64_MIN;
			mod_at = at;
			mod_id = -f->before_id;
		}
	}
	err = store_stmt(c, (enum store_stmt_id)(STMT_AUDIT_LIST + variant),
			 list_sql[variant], &s);
	if (err != GZ_OK)
		goto out;
	rc = audit_bind(s, f, comment_id, limit, audit_below, audit_at_most,
			mod_at, mod_id);
	if (rc != DB_OK) {
		err = store_err(c, rc, list_sql[variant]);
		goto out;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));
		struct store_audit *e;

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		e = &arr[len];
		e->id = db_col_int64(s, 0);
		e->at = db_col_int64(s, 1);
		e->actor = store_col_text(pool, s, 2);
		e->action = store_col_text(pool, s, 3);
		e->object = store_col_text(pool, s, 4);
		e->detail = store_col_text(pool, s, 5);
		e->ip = store_col_text(pool, s, 6);
		if (!e->actor || !e->action || !e->object || !e->detail ||
		    !e->ip) {
			err = GZ_ENOMEM;
			goto out;
		}
		len++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, list_sql[variant]);
		goto out;
	}
	*items = arr;
	*n = len;
	err = GZ_OK;
out:
	store_stmt_done(s);
	store_read_end(c);
	return err;
}
