/*
 * correction.c - corrections: what an article got wrong, appended by an
 * editor and shown on the article, in its JSON-LD and at /corrections.
 *
 * Data flow: the newsroom's admin adds them on the writer, inside its
 * store_tx_begin/commit; article pages and the corrections page read
 * them through the calling thread's reader.
 *
 * Invariants:
 * - A correction is appended, never edited; it goes with its article (ON
 *   DELETE CASCADE). Its text is plain text, valid UTF-8, not blank, at
 *   most GZ_LIMIT_CORRECTION_BYTES.
 * - The site-wide list shows only corrections of articles visible at the
 *   reader's now (VISIBLE): a correction never reveals a draft, an
 *   embargoed or an unpublished story.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

static const char article_sql[] = "SELECT id FROM articles WHERE id = ?1";
static const char insert_sql[] =
	"INSERT INTO corrections (article_id, created_at, text, actor)"
	" VALUES (?1, ?2, ?3, ?4) RETURNING id";

/* Columns 0-4 of every correction read, the article's headline and
 * slug after them; correction_row reads them. */
#define CORRECTION_COLS                                                 \
	"c.id, c.article_id, c.created_at, c.text, c.actor"
static const char list_sql[] =
	"SELECT " CORRECTION_COLS ", '', '' FROM corrections c"
	" WHERE c.article_id = ?1 ORDER BY c.id";
/* Newest first down corrections_created; each article looked up by id. */
static const char recent_sql[] =
	"SELECT " CORRECTION_COLS ", a.headline, a.slug FROM corrections c"
	" CROSS JOIN articles a WHERE a.id = c.article_id AND " VISIBLE
	" ORDER BY c.created_at DESC, c.id DESC LIMIT ?2 OFFSET ?3";
static const char recent_total_sql[] =
	"SELECT count(*) FROM corrections c CROSS JOIN articles a"
	" WHERE a.id = c.article_id AND " VISIBLE;

/* True when s has a character other than ASCII white space. */
static bool
has_text(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return true;
	return false;
}

/* Appends a correction; store.h has the contract. The article may have
 * any status (an editor may correct a story before putting it back up).
 * actor must be non-empty UTF-8. */
int
store_correction_add(struct store *st, int64_t article_id, const char *text,
		     const char *actor, int64_t at, int64_t *id)
{
	struct store_conn *c;
	struct db_stmt *s;
	char idbuf[24];
	int64_t found;
	size_t mark;
	int err, rc, n;

	assert(st && id);
	c = store_writer(st);
	if (!text || !has_text(text) || strlen(text) > GZ_LIMIT_CORRECTION_BYTES ||
	    !store_utf8_ok(text) || !actor || !*actor || !store_utf8_ok(actor))
		return GZ_EINVAL;
	n = snprintf(idbuf, sizeof(idbuf), "%" PRId64, article_id);
	if (n < 0 || (size_t)n >= sizeof(idbuf))
		return GZ_EINVAL;
	mark = store_keys_mark(st);
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_CORRECTION_ARTICLE, article_sql,
				    article_id, &s);
	if (err == GZ_OK)
		err = store_stmt_int64(c, s, &found);
	if (err != GZ_OK)
		goto out;
	err = store_stmt_bind_int64(c, STMT_CORRECTION_INSERT, insert_sql,
				    article_id, &s);
	if (err != GZ_OK)
		goto out;
	rc = store_bind_int64(s, 2, at);
	if (rc == DB_OK)
		rc = store_bind_text(s, 3, text);
	if (rc == DB_OK)
		rc = store_bind_text(s, 4, actor);
	if (rc != DB_OK) {
		err = store_err(c, rc, insert_sql);
		store_stmt_done(s);
		goto out;
	}
	if ((err = store_stmt_int64(c, s, id)) != GZ_OK) {
		err = err == GZ_ENOTFOUND ? GZ_EDB : err;
		goto out;
	}
	if ((err = store_keys_add(st, "article:", idbuf)) == GZ_OK &&
	    (err = store_keys_add(st, "front", "")) == GZ_OK &&
	    (err = store_keys_add(st, "feeds", "")) == GZ_OK)
		err = store_keys_add(st, "corrections", "");
out:
	err = store_savepoint_end(c, err);
	if (err != GZ_OK)
		store_keys_truncate(st, mark);
	return err;
}

/* Fills r from row s (CORRECTION_COLS, headline and slug at 5 and 6;
 * strings in pool). Returns GZ_OK or GZ_ENOMEM. */
static int
correction_row(struct pool *pool, struct db_stmt *s, struct store_correction *r)
{
	memset(r, 0, sizeof(*r));
	r->id = db_col_int64(s, 0);
	r->article_id = db_col_int64(s, 1);
	r->created_at = db_col_int64(s, 2);
	r->text = store_col_text(pool, s, 3);
	r->actor = store_col_text(pool, s, 4);
	r->article_headline = store_col_text(pool, s, 5);
	r->article_slug = store_col_text(pool, s, 6);
	if (!r->text || !r->actor || !r->article_headline || !r->article_slug)
		return GZ_ENOMEM;
	return GZ_OK;
}

/* Steps s (bound) to its end into a pool array. Hands s back. */
static int
correction_rows(struct store_conn *c, struct pool *pool, struct db_stmt *s,
		struct store_correction **items, size_t *n)
{
	struct store_correction *arr = NULL;
	size_t cap = 0, len = 0;
	int err, rc;

	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		if ((err = correction_row(pool, s, &arr[len])) != GZ_OK)
			goto out;
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

/* Article article_id's corrections, oldest first, whatever the article's
 * status (its page decides whether to show them). Output: *items (pool
 * array, NULL when none), *n. Returns GZ_OK, GZ_ENOMEM, GZ_EBUSY or
 * GZ_EDB. */
int
store_correction_list(struct store *st, struct pool *pool, int64_t article_id,
		      struct store_correction **items, size_t *n)
{
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_CORRECTION_LIST, list_sql,
				    article_id, &s);
	if (err != GZ_OK)
		return err;
	return correction_rows(c, pool, s, items, n);
}

/* The corrections of articles visible at now, newest first (created_at,
 * then id), limit from offset, with each article's headline and slug;
 * the page and *total (when not NULL) from one snapshot. Output: *items
 * (pool array, NULL when none), *n. Returns GZ_OK, GZ_ENOMEM, GZ_EBUSY
 * or GZ_EDB. */
int
store_correction_recent(struct store *st, struct pool *pool, int64_t now,
			size_t limit, size_t offset,
			struct store_correction **items, size_t *n,
			size_t *total)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t count;
	int err, rc;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if (total)
		*total = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	if (total) {
		err = store_stmt_bind_int64(c, STMT_CORRECTION_RECENT_TOTAL,
					    recent_total_sql, now, &s);
		if (err == GZ_OK)
			err = store_stmt_int64(c, s, &count);
		s = NULL;
		if (err != GZ_OK)
			goto out;
		*total = (size_t)count;
	}
	err = store_stmt_bind_int64(c, STMT_CORRECTION_RECENT, recent_sql, now,
				    &s);
	if (err != GZ_OK)
		goto out;
	rc = store_bind_int64(s, 2, store_size_to_int64(limit));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, store_size_to_int64(offset));
	if (rc != DB_OK) {
		err = store_err(c, rc, recent_sql);
		goto out;
	}
	err = correction_rows(c, pool, s, items, n);
	s = NULL; /* handed back by correction_rows */
out:
	store_stmt_done(s);
	store_read_end(c);
	if (err != GZ_OK && total)
		*total = 0;
	return err;
}
