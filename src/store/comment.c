/*
 * comment.c - readers' comments: storing one together with its CAPTCHA
 * nonce, reading an article's approved comments and the moderators'
 * queue, moderation actions with their log, and the spent-nonce table.
 *
 * Data flow: the comment POST handler, after comments_intake, stores
 * through the group commit (store_comment_add, writer.c, which runs
 * store_comment_insert); article pages read store_comment_page, the
 * per-article feed store_comment_list, through the calling thread's
 * reader; the admin queue and `gazette comments` read with
 * store_comment_query and act with store_comment_set_status/delete.
 *
 * Invariants:
 * - A nonce is spent at most once: comment_nonces' primary key refuses
 *   the second insert, and every write runs under the store's write lock,
 *   so of two submissions of one token exactly one is stored.
 * - Each write function is all or nothing on its own (a savepoint): on an
 *   error nothing of that call is left and the caller's transaction is
 *   still open.
 * - Everything stored is valid UTF-8; a reply's parent is an approved
 *   comment of the same article when the reply is stored (it may be
 *   rejected or deleted later: a deleted parent's replies move up to its
 *   own parent).
 * - Every submission and moderation action leaves a row in
 *   moderation_log, in the same savepoint as the change it records.
 * - Every comment write records the change keys "article:ID" (its
 *   article) and "comments" (events.c); a write that fails takes its
 *   keys back with its savepoint.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/pool.h"

/* Longest nonce accepted: comments/ uses 16 bytes; anything much longer
 * is not a nonce of ours. */
#define COMMENT_NONCE_MAX 64
/* Longest commenter key accepted: comments/ makes 32 bytes. */
#define COMMENT_KEY_MAX 64
/* Rows store_comment_query returns by default, and at most. */
#define COMMENT_QUERY_DEFAULT 100
#define COMMENT_QUERY_MAX 1000

static const char *const comment_status_names[] = {
	[STORE_COMMENT_PENDING] = "pending",
	[STORE_COMMENT_APPROVED] = "approved",
	[STORE_COMMENT_REJECTED] = "rejected",
	[STORE_COMMENT_SPAM] = "spam",
};

/* The moderation_log action for setting each status. */
static const char *const comment_status_actions[] = {
	[STORE_COMMENT_PENDING] = "hold",
	[STORE_COMMENT_APPROVED] = "approve",
	[STORE_COMMENT_REJECTED] = "reject",
	[STORE_COMMENT_SPAM] = "spam",
};

#define NSTATUS (sizeof(comment_status_names) / sizeof(*comment_status_names))

/* Columns 0-9 of every comment read; comment_row reads them. */
#define COMMENT_COLS                                                    \
	"c.id, c.article_id, coalesce(c.parent_id, 0), c.author, c.email," \
	" c.body, c.ip, c.status, c.created_at, c.hold_reason"

static const char list_sql[] =
	"SELECT " COMMENT_COLS " FROM comments c"
	" WHERE c.article_id = ?1 AND c.status = 'approved'"
	" ORDER BY c.created_at, c.id";

static const char get_sql[] =
	"SELECT " COMMENT_COLS " FROM comments c WHERE c.id = ?1";

/*
 * The moderators' queue: four fixed texts for the four combinations of
 * filters (as article.c's listings), so each is planned for its index
 * (comments_status, comments_article). Parameters: ?1 status, ?2 article,
 * ?3 limit, ?4 offset. The index of a variant is (status ? 1 : 0) | (article ? 2 :
 * 0), matching the order of the statement ids.
 */
#define QUERY_SELECT                                                    \
	"SELECT " COMMENT_COLS ", a.headline FROM comments c"           \
	" JOIN articles a ON a.id = c.article_id WHERE 1"
#define QUERY_STATUS " AND c.status = ?1"
#define QUERY_ARTICLE " AND c.article_id = ?2"
#define QUERY_ORDER \
	" ORDER BY c.created_at DESC, c.id DESC LIMIT ?3 OFFSET ?4"

static const char *const query_sql[4] = {
	QUERY_SELECT QUERY_ORDER,
	QUERY_SELECT QUERY_STATUS QUERY_ORDER,
	QUERY_SELECT QUERY_ARTICLE QUERY_ORDER,
	QUERY_SELECT QUERY_STATUS QUERY_ARTICLE QUERY_ORDER,
};

/* The first-time rule's lookup: a comment with this commenter key that a
 * moderator approved (its log has an "approve") and that is approved
 * still. A comment stored as approved without a moderator (published
 * because its browser was known, or by a caller's policy) trusts nobody
 * by itself, and a moderator who rejects or holds the comments they
 * approved takes the trust back. Served by the partial index comments_commenter
 * (commenter_key, status), whose WHERE the equality implies, then
 * moderation_log_comment. */
static const char known_sql[] =
	"SELECT 1 FROM comments c WHERE c.commenter_key = ?1"
	" AND c.status = 'approved' AND EXISTS (SELECT 1 FROM moderation_log m"
	" WHERE m.comment_id = c.id AND m.action = 'approve') LIMIT 1";

static const char nonce_spend_sql[] =
	"INSERT INTO comment_nonces (nonce, expires_at) VALUES (?1, ?2)";
static const char nonce_purge_sql[] =
	"DELETE FROM comment_nonces WHERE expires_at < ?1";
static const char article_exists_sql[] =
	"SELECT id FROM articles WHERE id = ?1";
static const char parent_ok_sql[] =
	"SELECT id FROM comments"
	" WHERE id = ?1 AND article_id = ?2 AND status = 'approved'";
/* A reply joins its parent's thread; a top-level comment's thread is
 * itself (thread_set_sql, once its id is known). */
static const char insert_sql[] =
	"INSERT INTO comments (article_id, parent_id, author, email, body,"
	" ip, status, created_at, updated_at, thread_id, commenter_key,"
	" hold_reason)"
	" VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?8, (SELECT"
	" coalesce(p.thread_id, p.id) FROM comments p WHERE p.id ="
	" nullif(?2, 0)), ?9, ?10) RETURNING id";
static const char thread_set_sql[] =
	"UPDATE comments SET thread_id = id WHERE id = ?1";
/* Every comment write on an article: its approved count moves by ?2 and
 * its comment version (store_comment_activity) by one. */
static const char count_add_sql[] =
	"UPDATE articles SET comment_count = comment_count + ?2,"
	" comment_version = comment_version + 1 WHERE id = ?1";
/* One page of threads: their ids, then their approved comments. ?1
 * article, ?2 limit, ?3 offset. */
static const char page_threads_sql[] =
	"SELECT DISTINCT thread_id FROM comments"
	" WHERE article_id = ?1 AND status = 'approved'"
	" ORDER BY thread_id LIMIT ?2 OFFSET ?3";
static const char page_sql[] =
	"SELECT " COMMENT_COLS " FROM comments c"
	" WHERE c.article_id = ?1 AND c.status = 'approved'"
	" AND c.thread_id BETWEEN ?2 AND ?3"
	" ORDER BY c.created_at, c.id";
static const char thread_of_sql[] =
	"SELECT thread_id FROM comments"
	" WHERE id = ?1 AND article_id = ?2 AND status = 'approved'";
static const char thread_pos_sql[] =
	"SELECT count(DISTINCT thread_id) FROM comments"
	" WHERE article_id = ?1 AND status = 'approved' AND thread_id < ?2";
static const char find_sql[] =
	"SELECT coalesce(parent_id, 0), status, article_id FROM comments"
	" WHERE id = ?1";
static const char set_status_sql[] =
	"UPDATE comments SET status = ?2, updated_at = ?3 WHERE id = ?1";
static const char reparent_sql[] =
	"UPDATE comments SET parent_id = nullif(?2, 0) WHERE parent_id = ?1";
static const char delete_sql[] = "DELETE FROM comments WHERE id = ?1";
static const char log_sql[] =
	"INSERT INTO moderation_log (comment_id, action, actor, at, detail)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";

static int comment_stmt_ids(struct store_conn *c, enum store_stmt_id id,
			    const char *sql, int64_t a, int64_t b,
			    struct db_stmt **out);
static int comment_write_ids(struct store_conn *c, enum store_stmt_id id,
			     const char *sql, int64_t a, int64_t b);

/* Maps a status column to the enum. Returns GZ_OK or GZ_EDB (a value
 * the CHECK constraint forbids: corruption or another writer's bug). */
static int
status_parse(const char *t, enum store_comment_status *out)
{
	size_t i;

	for (i = 0; t && i < NSTATUS; i++) {
		if (strcmp(t, comment_status_names[i]) == 0) {
			*out = (enum store_comment_status)i;
			return GZ_OK;
		}
	}
	return GZ_EDB;
}

/* Fills c from columns 0-9 of row s (strings in pool); headline "". */
static int
comment_row(struct pool *pool, struct db_stmt *s, struct store_comment *c)
{
	memset(c, 0, sizeof(*c));
	c->id = db_col_int64(s, 0);
	c->article_id = db_col_int64(s, 1);
	c->parent_id = db_col_int64(s, 2);
	c->author = store_col_text(pool, s, 3);
	c->email = store_col_text(pool, s, 4);
	c->body = store_col_text(pool, s, 5);
	c->ip = store_col_text(pool, s, 6);
	c->created_at = db_col_int64(s, 8);
	c->hold_reason = store_col_text(pool, s, 9);
	c->article_headline = "";
	if (!c->author || !c->email || !c->body || !c->ip || !c->hold_reason)
		return GZ_ENOMEM;
	return status_parse(db_col_text(s, 7), &c->status);
}

/* Steps s (bound by the caller) and collects its rows into a pool array;
 * with_headline reads column 10 as the article's headline. Hands s back. */
static int
comment_rows(struct store_conn *c, struct pool *pool, struct db_stmt *s,
	     bool with_headline, struct store_comment **items, size_t *n)
{
	struct store_comment *arr = NULL;
	size_t cap = 0, len = 0;
	int err, rc;

	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		if ((err = comment_row(pool, s, &arr[len])) != GZ_OK)
			goto out;
		if (with_headline &&
		    !(arr[len].article_headline = store_col_text(pool, s, 10))) {
			err = GZ_ENOMEM;
			goto out;
		}
		len++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, db_sql(s));
		goto out;
	}
	*items = arr;
	*n = len;
	err = GZ_OK;
out:
	store_stmt_done(s);
	return err;
}

/*
 * Reads the approved comments of article_id, oldest first (created_at,
 * then id), on the calling thread's reader. Replies come in the same
 * flat list; the caller nests them by parent_id (a reply whose parent is
 * not in the list, because the parent was rejected later, is the
 * caller's to place). article_headline is "".
 * Output: *items (pool array, NULL when *n is 0), *n. Returns GZ_OK,
 * GZ_ENOMEM (the pool is exhausted), GZ_EBUSY or GZ_EDB.
 */
int
store_comment_list(struct store *st, struct pool *pool, int64_t article_id,
		   struct store_comment **items, size_t *n)
{
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_COMMENT_LIST, list_sql, article_id,
				    &s);
	if (err != GZ_OK)
		return err;
	return comment_rows(c, pool, s, false, items, n);
}

int
store_comment_page(struct store *st, struct pool *pool, int64_t article_id,
		   size_t skip, size_t per_page, struct store_comment **items,
		   size_t *n, bool *more)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t first = 0, last = 0;
	size_t threads = 0;
	bool reading = false;
	int err, rc;

	assert(st && pool && items && n && more && per_page > 0);
	*items = NULL;
	*n = 0;
	*more = false;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	/* One snapshot for both statements: the threads and their
	 * comments agree. */
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	reading = true;
	if ((err = comment_stmt_ids(c, STMT_COMMENT_PAGE_THREADS,
				    page_threads_sql, article_id,
				    store_size_to_int64(per_page + 1), &s)) != GZ_OK)
		goto out;
	if ((rc = store_bind_int64(s, 3, store_size_to_int64(skip))) != DB_OK) {
		err = store_err(c, rc, page_threads_sql);
		goto out;
	}
	/* Thread ids come in order: the page is the range of the first
	 * per_page, and one more says another page follows. */
	while ((rc = db_step(s)) == DB_ROW) {
		if (threads == per_page) {
			*more = true;
			break;
		}
		if (threads == 0)
			first = db_col_int64(s, 0);
		last = db_col_int64(s, 0);
		threads++;
	}
	if (rc != DB_ROW && rc != DB_DONE) {
		err = store_err(c, rc, page_threads_sql);
		goto out;
	}
	store_stmt_done(s);
	s = NULL;
	if (threads == 0)
		goto out;
	if ((err = comment_stmt_ids(c, STMT_COMMENT_PAGE, page_sql, article_id,
				    first, &s)) != GZ_OK)
		goto out;
	if ((rc = store_bind_int64(s, 3, last)) != DB_OK) {
		err = store_err(c, rc, page_sql);
		goto out;
	}
	err = comment_rows(c, pool, s, false, items, n);
	s = NULL; /* handed back by comment_rows */
out:
	store_stmt_done(s);
	if (reading)
		store_read_end(c);
	return err;
}

int
store_comment_thread_pos(struct store *st, int64_t article_id, int64_t id,
			 size_t *pos)
{
	struct store_conn *c;
	struct db_stmt *s;
	int64_t thread = 0, before = 0;
	int err;

	assert(st && pos);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = comment_stmt_ids(c, STMT_COMMENT_THREAD_OF, thread_of_sql,
				    id, article_id, &s)) != GZ_OK ||
	    (err = store_stmt_int64(c, s, &thread)) != GZ_OK)
		return err;
	if ((err = comment_stmt_ids(c, STMT_COMMENT_THREAD_POS, thread_pos_sql,
				    article_id, thread, &s)) != GZ_OK ||
	    (err = store_stmt_int64(c, s, &before)) != GZ_OK)
		return err;
	*pos = (size_t)before;
	return GZ_OK;
}

/*
 * Reads comments for moderators, newest first (created_at, then id,
 * descending), with their article's headline: those with status
 * f->status (-1: any) on article f->article_id (0: any), at most f->limit
 * (0: 100; more than 1000: 1000) from f->offset (a page of the queue).
 * Output: *items (pool array, NULL when *n is 0), *n. Returns GZ_OK,
 * GZ_EINVAL (a status out of range), GZ_ENOMEM, GZ_EBUSY or GZ_EDB.
 */
int
store_comment_query(struct store *st, struct pool *pool,
		    const struct store_comment_filter *f,
		    struct store_comment **items, size_t *n)
{
	struct store_conn *c;
	struct db_stmt *s;
	size_t limit;
	int err, rc, v;

	assert(st && pool && f && items && n);
	*items = NULL;
	*n = 0;
	if (f->status < -1 || f->status >= (int)NSTATUS)
		return GZ_EINVAL;
	limit = f->limit ? f->limit : COMMENT_QUERY_DEFAULT;
	if (limit > COMMENT_QUERY_MAX)
		limit = COMMENT_QUERY_MAX;
	v = (f->status >= 0 ? 1 : 0) | (f->article_id ? 2 : 0);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt(c, (enum store_stmt_id)(STMT_COMMENT_QUERY + v),
			 query_sql[v], &s);
	if (err != GZ_OK)
		return err;
	rc = DB_OK;
	if (f->status >= 0)
		rc = store_bind_text(s, 1, comment_status_names[f->status]);
	if (rc == DB_OK && f->article_id)
		rc = store_bind_int64(s, 2, f->article_id);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, store_size_to_int64(limit));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, store_size_to_int64(f->offset));
	if (rc != DB_OK) {
		err = store_err(c, rc, query_sql[v]);
		store_stmt_done(s);
		return err;
	}
	return comment_rows(c, pool, s, true, items, n);
}

/* Reads comment id, whatever its status, into *out (strings in pool;
 * article_headline ""). Returns GZ_OK, GZ_ENOTFOUND, GZ_ENOMEM, GZ_EBUSY
 * or GZ_EDB. */
int
store_comment_get(struct store *st, struct pool *pool, int64_t id,
		  struct store_comment *out)
{
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_COMMENT_GET, get_sql, id, &s);
	if (err != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) == GZ_OK)
		err = comment_row(pool, s, out);
	store_stmt_done(s);
	return err;
}

/* Runs known_sql for key[0..len) on c. Output: *known. */
static int
commenter_known_on(struct store_conn *c, const unsigned char *key, size_t len,
		   bool *known)
{
	struct db_stmt *s;
	int64_t one;
	int err, rc;

	*known = false;
	if ((err = store_stmt(c, STMT_COMMENTER_KNOWN, known_sql, &s)) != GZ_OK)
		return err;
	/* Bound, not copied: the caller's bytes outlive the step. */
	if ((rc = db_bind_blob(s, 1, key, len)) !=
	    DB_OK) {
		err = store_err(c, rc, known_sql);
		store_stmt_done(s);
		return err;
	}
	err = store_stmt_int64(c, s, &one);
	if (err == GZ_ENOTFOUND)
		return GZ_OK;
	if (err == GZ_OK)
		*known = true;
	return err;
}

/* Sets *known to whether a moderator approved a comment with commenter
 * key key[0..len) that is approved still (known_sql); no key (NULL or
 * len 0) is never known. On the calling thread's reader. Returns GZ_OK,
 * GZ_EINVAL (len over COMMENT_KEY_MAX), GZ_EBUSY or GZ_EDB. */
int
store_commenter_known(struct store *st, const unsigned char *key, size_t len,
		      bool *known)
{
	struct store_conn *c;
	int err;

	assert(st && known);
	*known = false;
	if (!key || len == 0)
		return GZ_OK;
	if (len > COMMENT_KEY_MAX)
		return GZ_EINVAL;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	return commenter_known_on(c, key, len, known);
}

/* The article's comment version, kept on write: any comment stored,
 * moderated or deleted moves it by one. One row, whatever the article's
 * number of comments. */
int
store_comment_activity(struct store *st, int64_t article_id, int64_t *mark)
{
	static const char sql[] =
		"SELECT comment_version FROM articles WHERE id = ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && mark);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_COMMENT_ACTIVITY, sql, article_id,
				    &s);
	if (err != GZ_OK)
		return err;
	return store_stmt_int64(c, s, mark);
}

/* ---- writes -------------------------------------------------------------- */

/* store_stmt, binding ?1 = a and, when the statement has a second
 * parameter, ?2 = b. Returns GZ_OK or a mapped error (then s is handed
 * back). Output: *out. */
static int
comment_stmt_ids(struct store_conn *c, enum store_stmt_id id,
		 const char *sql, int64_t a, int64_t b, struct db_stmt **out)
{
	int err, rc;

	if ((err = store_stmt_bind_int64(c, id, sql, a, out)) != GZ_OK)
		return err;
	if (db_param_count(*out) < 2 ||
	    (rc = store_bind_int64(*out, 2, b)) == DB_OK)
		return GZ_OK;
	err = store_err(c, rc, sql);
	store_stmt_done(*out);
	*out = NULL;
	return err;
}

/* Runs a lookup that returns at most one row, binding ?1 = p1 and, when
 * the statement has a second parameter, ?2 = p2. Returns GZ_OK (a row),
 * GZ_ENOTFOUND (none) or a mapped error. */
static int
comment_find_id(struct store_conn *c, enum store_stmt_id id,
		const char *sql, int64_t p1, int64_t p2)
{
	struct db_stmt *s;
	int64_t v;
	int err;

	if ((err = comment_stmt_ids(c, id, sql, p1, p2, &s)) != GZ_OK)
		return err;
	return store_stmt_int64(c, s, &v);
}

/* Appends a row to moderation_log. */
static int
comment_log(struct store_conn *c, int64_t comment_id, const char *action,
	    const char *actor, int64_t at, const char *detail)
{
	struct db_stmt *s;
	int err, rc;

	if ((err = store_stmt(c, STMT_MODERATION_LOG, log_sql, &s)) != GZ_OK)
		return err;
	rc = store_bind_int64(s, 1, comment_id);
	if (rc == DB_OK)
		rc = store_bind_text(s, 2, action);
	if (rc == DB_OK)
		rc = store_bind_text(s, 3, actor);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, at);
	if (rc == DB_OK)
		rc = store_bind_text(s, 5, store_nz(detail));
	if (rc != DB_OK) {
		err = store_err(c, rc, log_sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

/* Records the change keys of a comment write on article_id:
 * - "comments" (the moderation queue, the dashboard), always;
 * - "article:ID" when shown, i.e. when what readers see changed: a
 *   comment held for moderation changes no public page, and were the
 *   article's key fired for it, a flood held for moderation would keep
 *   the article out of every cache (gazette's and, by purges, the
 *   edge's) through the very spike the caches are there for;
 * - "article-form:ID" when the comment was taken (formed): the page
 *   that carries a reader's challenge in it (no ESI) changes its ETag
 *   with every comment taken (site/article.c), so that a reader who
 *   revalidates after commenting never gets a 304 for the page holding
 *   the token they spent. Only that page carries this key; the edge
 *   never holds it (private), so it is not purged there. */
static int
comment_keys(struct store *st, int64_t article_id, bool shown, bool formed)
{
	char buf[24];
	int err, n;

	n = snprintf(buf, sizeof(buf), "%" PRId64, article_id);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return GZ_EINVAL;
	if (shown && (err = store_keys_add(st, "article:", buf)) != GZ_OK)
		return err;
	if (formed && (err = store_keys_add(st, "article-form:", buf)) != GZ_OK)
		return err;
	return store_keys_add(st, "comments", "");
}

/* Ends a comment write's savepoint and, when it failed, forgets the keys
 * it recorded since mark. Returns err (or the release's error). */
static int
comment_write_end(struct store *st, struct store_conn *c, size_t mark,
		  int err)
{
	if ((err = store_savepoint_end(c, err)) != GZ_OK)
		store_keys_truncate(st, mark);
	return err;
}

/* Inserts the nonce on c. GZ_EEXIST when it was spent already. */
static int
nonce_insert(struct store_conn *c, const unsigned char *nonce, size_t len,
	     int64_t expires_at)
{
	struct db_stmt *s;
	int err, rc;

	if ((err = store_stmt(c, STMT_NONCE_SPEND, nonce_spend_sql, &s)) !=
	    GZ_OK)
		return err;
	/* Bound, not copied: the caller's bytes outlive the step. */
	rc = db_bind_blob(s, 1, nonce, len);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, expires_at);
	if (rc != DB_OK) {
		err = store_err(c, rc, nonce_spend_sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

/*
 * Records nonce (len bytes, 1 to 64) as spent until expires_at, so that
 * its token cannot store anything again: for a submission that is
 * discarded (honeypot, too fast) but must still use up its token. Inside
 * store_tx_begin/commit. Returns GZ_OK, GZ_EEXIST (spent already; nothing
 * changed), GZ_EINVAL (no nonce, or longer than 64 bytes), GZ_EBUSY or
 * GZ_EDB.
 */
int
store_nonce_spend(struct store *st, const unsigned char *nonce, size_t len,
		  int64_t expires_at)
{
	assert(st);
	if (!nonce || len == 0 || len > COMMENT_NONCE_MAX)
		return GZ_EINVAL;
	/* One statement: SQLite undoes it alone when it fails, so no
	 * savepoint is needed. */
	return nonce_insert(store_writer(st), nonce, len, expires_at);
}

/* Deletes the nonces whose expires_at is before now. Inside
 * store_tx_begin/commit. Returns GZ_OK, GZ_EBUSY or GZ_EDB. */
int
store_nonce_purge(struct store *st, int64_t now)
{
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st);
	c = store_writer(st);
	err = store_stmt_bind_int64(c, STMT_NONCE_PURGE, nonce_purge_sql, now,
				    &s);
	if (err != GZ_OK)
		return err;
	return store_stmt_run(c, s);
}

/* Checks in before anything is written. */
static int
comment_input_check(const struct store_comment_input *in)
{
	if (!in->author || !in->body)
		return GZ_EINVAL;
	if ((unsigned)in->status >= NSTATUS)
		return GZ_EINVAL;
	if (in->article_id <= 0 || in->parent_id < 0)
		return GZ_EINVAL;
	if (in->nonce && (in->nonce_len == 0 ||
			  in->nonce_len > COMMENT_NONCE_MAX))
		return GZ_EINVAL;
	if (in->commenter_key && (in->commenter_key_len == 0 ||
				  in->commenter_key_len > COMMENT_KEY_MAX))
		return GZ_EINVAL;
	if (!store_utf8_ok(in->author) || !store_utf8_ok(in->email) ||
	    !store_utf8_ok(in->body) || !store_utf8_ok(in->ip) ||
	    !store_utf8_ok(in->hold_reason))
		return GZ_EINVAL;
	return GZ_OK;
}

/* Inserts the comment row with status and hold_reason (NULL: "").
 * Output: *id. */
static int
comment_row_insert(struct store_conn *c, const struct store_comment_input *in,
		   enum store_comment_status status, const char *hold_reason,
		   int64_t *id)
{
	struct db_stmt *s;
	int err, rc;

	if ((err = store_stmt(c, STMT_COMMENT_INSERT, insert_sql, &s)) != GZ_OK)
		return err;
	rc = store_bind_int64(s, 1, in->article_id);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, in->parent_id);
	if (rc == DB_OK)
		rc = store_bind_text(s, 3, in->author);
	if (rc == DB_OK)
		rc = store_bind_text(s, 4, store_nz(in->email));
	if (rc == DB_OK)
		rc = store_bind_text(s, 5, in->body);
	if (rc == DB_OK)
		rc = store_bind_text(s, 6, store_nz(in->ip));
	if (rc == DB_OK)
		rc = store_bind_text(s, 7, comment_status_names[status]);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 8, in->created_at);
	/* Bound, not copied: the caller's bytes outlive the step; no key binds
	 * NULL. */
	if (rc == DB_OK && in->commenter_key)
		rc = db_bind_blob(s, 9, in->commenter_key,
				  in->commenter_key_len);
	if (rc == DB_OK)
		rc = store_bind_text(s, 10, store_nz(hold_reason));
	if (rc != DB_OK) {
		err = store_err(c, rc, insert_sql);
		store_stmt_done(s);
		return err;
	}
	err = store_stmt_int64(c, s, id);
	return err == GZ_ENOTFOUND ? GZ_EDB : err;
}

/*
 * Stores the comment in describes, inside store_tx_begin/commit, on the
 * writer, in this order: spends in->nonce (when not NULL: 1 to 64
 * bytes, kept until in->nonce_expires_at), checks that the article
 * exists and that a non-zero parent_id is an approved comment of that
 * article, inserts the comment (updated_at = created_at) and logs
 * "submitted" by "reader" with the status as detail.
 *
 * - author and body must not be NULL (they may be ""; the intake rules
 *   decide what is too short); email and ip NULL are stored as "". All
 *   strings must be valid UTF-8. Lengths are the caller's to cap.
 * - The article need not be visible or open for comments: the handler
 *   checks that against its policy.
 *
 * - With in->approve_if_known, an APPROVED comment is stored PENDING
 *   unless a moderator approved a comment with in->commenter_key that is
 *   approved still (known_sql): looked up on the writer, inside this
 *   savepoint, under the write lock, so it sees every moderation
 *   committed before this transaction and none can slip in between the
 *   look-up and the insert. The status stored goes to *status.
 *
 * Output: *id, *status. Returns GZ_OK, GZ_EEXIST (the nonce was spent: a
 * replayed token), GZ_ENOTFOUND (no such article, or the parent is not an
 * approved comment of it), GZ_EINVAL (NULL author or body, invalid UTF-8,
 * a bad status, id, nonce or commenter key length), GZ_ENOMEM, GZ_EBUSY,
 * GZ_EDB. On error nothing of this call is stored (not even the nonce: a
 * caller that wants the token used up anyway calls store_nonce_spend),
 * and the transaction is still open.
 */
int
store_comment_insert_status(struct store *st,
			    const struct store_comment_input *in, int64_t *id,
			    enum store_comment_status *status)
{
	struct store_conn *c;
	enum store_comment_status stored;
	const char *hold_reason;
	bool known = false;
	size_t mark;
	int err;

	assert(st && in && id && status);
	*status = in->status;
	c = store_writer(st);
	mark = store_keys_mark(st);
	if ((err = comment_input_check(in)) != GZ_OK)
		return err;
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		return err;
	/* The nonce first: a replay stops before any other work. */
	if (in->nonce) {
		err = nonce_insert(c, in->nonce, in->nonce_len,
				   in->nonce_expires_at);
		if (err != GZ_OK)
			goto out;
	}
	err = comment_find_id(c, STMT_COMMENT_ARTICLE_EXISTS,
			      article_exists_sql, in->article_id, 0);
	if (err != GZ_OK)
		goto out;
	if (in->parent_id) {
		err = comment_find_id(c, STMT_COMMENT_PARENT_OK, parent_ok_sql,
				      in->parent_id, in->article_id);
		if (err != GZ_OK)
			goto out;
	}
	stored = in->status;
	hold_reason = in->hold_reason;
	if (in->approve_if_known && stored == STORE_COMMENT_APPROVED) {
		if (in->commenter_key &&
		    (err = commenter_known_on(c, in->commenter_key,
					      in->commenter_key_len,
					      &known)) != GZ_OK)
			goto out;
		if (!known) {
			stored = STORE_COMMENT_PENDING;
			hold_reason = "first-time";
		}
	}
	if ((err = comment_row_insert(c, in, stored, hold_reason, id)) != GZ_OK)
		goto out;
	if (!in->parent_id &&
	    (err = comment_write_ids(c, STMT_COMMENT_THREAD_SET, thread_set_sql,
				     *id, 0)) != GZ_OK)
		goto out;
	if ((err = comment_write_ids(c, STMT_COMMENT_COUNT_ADD, count_add_sql,
				     in->article_id,
				     stored == STORE_COMMENT_APPROVED)) != GZ_OK)
		goto out;
	err = comment_log(c, *id, "submitted", "reader", in->created_at,
			  comment_status_names[stored]);
	if (err == GZ_OK)
		err = comment_keys(st, in->article_id,
				   stored == STORE_COMMENT_APPROVED, true);
	if (err == GZ_OK)
		*status = stored;
out:
	return comment_write_end(st, c, mark, err);
}

/* store_comment_insert_status without the status: store.h's contract. */
int
store_comment_insert(struct store *st, const struct store_comment_input *in,
		     int64_t *id)
{
	enum store_comment_status status;

	return store_comment_insert_status(st, in, id, &status);
}

/* Reads comment id's parent, status and article on the writer. Returns
 * GZ_OK or GZ_ENOTFOUND. */
static int
comment_find(struct store_conn *c, int64_t id, int64_t *parent_id,
	     enum store_comment_status *status, int64_t *article_id)
{
	struct db_stmt *s;
	int err;

	err = store_stmt_bind_int64(c, STMT_COMMENT_FIND, find_sql, id, &s);
	if (err != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) == GZ_OK) {
		*parent_id = db_col_int64(s, 0);
		*article_id = db_col_int64(s, 2);
		err = status_parse(db_col_text(s, 1), status);
	}
	store_stmt_done(s);
	return err;
}

/* Runs a write that returns no row, binding ?1 = a and, when the
 * statement has a second parameter, ?2 = b. */
static int
comment_write_ids(struct store_conn *c, enum store_stmt_id id,
		  const char *sql, int64_t a, int64_t b)
{
	struct db_stmt *s;
	int err;

	if ((err = comment_stmt_ids(c, id, sql, a, b, &s)) != GZ_OK)
		return err;
	return store_stmt_run(c, s);
}

/* actor must be a non-empty valid UTF-8 string. */
static bool
actor_ok(const char *actor)
{
	return actor && *actor && store_utf8_ok(actor);
}

/*
 * Sets comment id's status (updated_at = at) and logs the action
 * ("approve", "reject", "spam", or "hold" for pending) by actor
 * ("cli:root", "admin:ed") at at, with the previous status as detail.
 * Setting the status a comment already has is done and logged all the
 * same. Inside store_tx_begin/commit. Returns GZ_OK, GZ_ENOTFOUND,
 * GZ_EINVAL (bad status, empty or invalid actor), GZ_EBUSY, GZ_EDB; on
 * error nothing changed and the transaction is still open.
 */
int
store_comment_set_status(struct store *st, int64_t id,
			 enum store_comment_status status, const char *actor,
			 int64_t at)
{
	struct store_conn *c;
	struct db_stmt *s;
	enum store_comment_status old = STORE_COMMENT_PENDING;
	int64_t parent_id = 0, article_id = 0;
	size_t mark;
	int err, rc;

	assert(st);
	c = store_writer(st);
	mark = store_keys_mark(st);
	if ((unsigned)status >= NSTATUS || !actor_ok(actor))
		return GZ_EINVAL;
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		return err;
	if ((err = comment_find(c, id, &parent_id, &old, &article_id)) != GZ_OK)
		goto out;
	err = store_stmt(c, STMT_COMMENT_SET_STATUS, set_status_sql, &s);
	if (err != GZ_OK)
		goto out;
	rc = store_bind_int64(s, 1, id);
	if (rc == DB_OK)
		rc = store_bind_text(s, 2, comment_status_names[status]);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, at);
	if (rc != DB_OK) {
		err = store_err(c, rc, set_status_sql);
		store_stmt_done(s);
		goto out;
	}
	if ((err = store_stmt_run(c, s)) != GZ_OK)
		goto out;
	if ((err = comment_write_ids(c, STMT_COMMENT_COUNT_ADD, count_add_sql,
				     article_id,
				     (status == STORE_COMMENT_APPROVED) -
				     (old == STORE_COMMENT_APPROVED))) != GZ_OK)
		goto out;
	err = comment_log(c, id, comment_status_actions[status], actor, at,
			  comment_status_names[old]);
	/* Only a comment that is or was approved is on the page. */
	if (err == GZ_OK)
		err = comment_keys(st, article_id,
				   status == STORE_COMMENT_APPROVED ||
				   old == STORE_COMMENT_APPROVED, false);
out:
	return comment_write_end(st, c, mark, err);
}

/*
 * Deletes comment id and logs "delete" by actor at at, with the status
 * it had as detail. Its replies are moved to its own parent first (to
 * the top level when it had none), so a thread keeps its shape. Inside
 * store_tx_begin/commit. Returns GZ_OK, GZ_ENOTFOUND, GZ_EINVAL (empty or
 * invalid actor), GZ_EBUSY, GZ_EDB; on error nothing changed and the
 * transaction is still open.
 */
int
store_comment_delete(struct store *st, int64_t id, const char *actor,
		     int64_t at)
{
	struct store_conn *c;
	enum store_comment_status old = STORE_COMMENT_PENDING;
	int64_t parent_id = 0, article_id = 0;
	size_t mark;
	int err;

	assert(st);
	c = store_writer(st);
	mark = store_keys_mark(st);
	if (!actor_ok(actor))
		return GZ_EINVAL;
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		return err;
	if ((err = comment_find(c, id, &parent_id, &old, &article_id)) != GZ_OK)
		goto out;
	err = comment_write_ids(c, STMT_COMMENT_REPARENT, reparent_sql, id,
				parent_id);
	if (err != GZ_OK)
		goto out;
	err = comment_write_ids(c, STMT_COMMENT_DELETE, delete_sql, id, 0);
	if (err != GZ_OK)
		goto out;
	if ((err = comment_write_ids(c, STMT_COMMENT_COUNT_ADD, count_add_sql,
				     article_id,
				     -(int64_t)(old == STORE_COMMENT_APPROVED))) != GZ_OK)
		goto out;
	err = comment_log(c, id, "delete", actor, at,
			  comment_status_names[old]);
	/* Even an unshown comment's replies moved up a level: told. */
	if (err == GZ_OK)
		err = comment_keys(st, article_id, true, false);
out:
	return comment_write_end(st, c, mark, err);
}
