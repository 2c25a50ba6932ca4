/*
 * revision.c - an article's history: each save leaves a copy of the
 * article as it was stored (store_revision_record, called by article.c
 * inside the write's savepoint), which the newsroom lists, reads and
 * restores from (a restore is a put of an old revision's fields, itself a
 * revision).
 *
 * Data flow: store_article_put and store_article_status_set record on the
 * writer; the admin's history pages read through the calling thread's
 * reader.
 *
 * Invariants:
 * - A revision is copied from the stored row by one INSERT ... SELECT, so
 *   it is exactly what readers were (or would be) shown: the section by
 *   name, tags by name as store_article_get sorts them, authors by name
 *   in byline order, each list joined with ", ", and status
 *   'unpublished' for a draft with unpublished_at set.
 * - Revisions are never edited; they go with their article (ON DELETE
 *   CASCADE). Their ids grow with time, so "newest first" is id order.
 * - An article keeps its newest GZ_LIMIT_REVISIONS: each save may copy a
 *   body of up to GZ_LIMIT_EDITOR_BODY_BYTES, and a writer pressing Save
 *   must not grow the database without bound. The oldest go first.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* A revision's body is NULL while it is the article's current body: an
 * import of 10,000 stories stored each body twice (the database grew
 * a third and the import slowed by as much). store_revision_keep_body
 * writes the old body into those revisions before a save changes it, so
 * NULL always means "the article's body now" (get_sql reads it so). */
/* The article as it stands (?1), the latest revision compared with it
 * unless ?5 (always); the names in their lists' orders. */
static const char record_sql[] =
	"WITH cur (slug, headline, summary, body, byline, dateline, section,"
	" lang, tags, authors, status, published_at, body_trusted,"
	" image_id) AS"
	" (SELECT a.slug,"
	" a.headline, a.summary, a.body, a.byline, a.dateline,"
	" coalesce(s.name, ''), a.lang,"
	" coalesce((SELECT group_concat(name, ', ') FROM (SELECT t.name"
	"  FROM article_tags x JOIN tags t ON t.id = x.tag_id"
	"  WHERE x.article_id = ?1 ORDER BY lower(t.name), t.name, t.id)), ''),"
	" coalesce((SELECT group_concat(name, ', ') FROM (SELECT u.name"
	"  FROM article_authors y JOIN authors u ON u.id = y.author_id"
	"  WHERE y.article_id = ?1 ORDER BY y.position)), ''),"
	" CASE WHEN a.status = 'draft' AND a.unpublished_at IS NOT NULL"
	"  THEN 'unpublished' ELSE a.status END, a.published_at,"
	" a.body_trusted, a.image_id"
	" FROM articles a LEFT JOIN sections s ON s.id = a.section_id"
	" WHERE a.id = ?1)"
	" INSERT INTO revisions (article_id, created_at, actor, note, slug,"
	" headline, summary, body, byline, dateline, section, lang, tags,"
	" authors, status, published_at, body_trusted, image_id)"
	" SELECT ?1, ?2, ?3, ?4, cur.slug, cur.headline, cur.summary,"
	" NULL, cur.byline, cur.dateline, cur.section, cur.lang,"
	" cur.tags, cur.authors, cur.status, cur.published_at,"
	" cur.body_trusted, cur.image_id FROM cur"
	" WHERE ?5 OR NOT EXISTS (SELECT 1 FROM revisions r"
	"  WHERE r.id = (SELECT max(id) FROM revisions WHERE article_id = ?1)"
	"  AND r.slug IS cur.slug AND r.headline IS cur.headline"
	"  AND r.summary IS cur.summary"
	"  AND coalesce(r.body, cur.body) IS cur.body"
	"  AND r.byline IS cur.byline AND r.dateline IS cur.dateline"
	"  AND r.section IS cur.section AND r.lang IS cur.lang"
	"  AND r.tags IS cur.tags AND r.authors IS cur.authors"
	"  AND r.status IS cur.status AND r.published_at IS cur.published_at"
	"  AND r.body_trusted IS cur.body_trusted"
	"  AND r.image_id IS cur.image_id)";

/* Columns 0-17 of every revision read; revision_row reads them (the body,
 * at 18, is "" in the list). image_id is NULL before schema 12 (there
 * were no photos) and when the revision had none: 0. */
#define REVISION_COLS                                                   \
	"id, article_id, created_at, actor, note, headline, summary,"  \
	" byline, dateline, section, lang, tags, authors, slug, status," \
	" coalesce(published_at, 0), body_trusted, coalesce(image_id, 0)"

static const char list_sql[] =
	"SELECT " REVISION_COLS ", '' FROM revisions WHERE article_id = ?1"
	" ORDER BY id DESC";
static const char get_sql[] =
	"SELECT " REVISION_COLS ", coalesce(body, (SELECT a.body FROM articles a"
	" WHERE a.id = revisions.article_id)) FROM revisions WHERE id = ?1";

static const char *const status_names[] = {
	[STORE_DRAFT] = "draft",
	[STORE_SCHEDULED] = "scheduled",
	[STORE_PUBLISHED] = "published",
	[STORE_UNPUBLISHED] = "unpublished",
};

/* Drops article id's revisions older than its newest GZ_LIMIT_REVISIONS
 * (revisions_article serves both the offset and the range). */
static int
revision_prune(struct store_conn *c, int64_t id)
{
	static const char sql[] =
		"DELETE FROM revisions WHERE article_id = ?1 AND id <="
		" (SELECT id FROM revisions WHERE article_id = ?1"
		" ORDER BY id DESC LIMIT 1 OFFSET ?2)";
	struct db_stmt *s;
	int err, rc;

	err = store_stmt_bind_int64(c, STMT_REVISION_PRUNE, sql, id, &s);
	if (err != GZ_OK)
		return err;
	if ((rc = store_bind_int64(s, 2, GZ_LIMIT_REVISIONS)) != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

int
store_revision_record(struct store_conn *c, int64_t id, const char *actor,
		      const char *note, int64_t at, bool always)
{
	struct db_stmt *s;
	int err, rc;

	assert(c);
	err = store_stmt_bind_int64(c, STMT_REVISION_RECORD, record_sql, id,
				    &s);
	if (err != GZ_OK)
		return err;
	rc = store_bind_int64(s, 2, at);
	if (rc == DB_OK)
		rc = store_bind_text(s, 3, actor ? actor : "import");
	if (rc == DB_OK)
		rc = store_bind_text(s, 4, store_nz(note));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, always);
	if (rc != DB_OK) {
		err = store_err(c, rc, record_sql);
		store_stmt_done(s);
		return err;
	}
	if ((err = store_stmt_run(c, s)) != GZ_OK)
		return err;
	return revision_prune(c, id);
}

/* Fills r from row s (REVISION_COLS, then the body at 18; strings in
 * pool). Returns GZ_OK, GZ_ENOMEM or GZ_EDB (a status the CHECK
 * forbids). */
static int
revision_row(struct pool *pool, struct db_stmt *s, struct store_revision *r)
{
	const char *status;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->id = db_col_int64(s, 0);
	r->article_id = db_col_int64(s, 1);
	r->created_at = db_col_int64(s, 2);
	r->actor = store_col_text(pool, s, 3);
	r->note = store_col_text(pool, s, 4);
	r->headline = store_col_text(pool, s, 5);
	r->summary = store_col_text(pool, s, 6);
	r->byline = store_col_text(pool, s, 7);
	r->dateline = store_col_text(pool, s, 8);
	r->section = store_col_text(pool, s, 9);
	r->lang = store_col_text(pool, s, 10);
	r->tags = store_col_text(pool, s, 11);
	r->authors = store_col_text(pool, s, 12);
	r->slug = store_col_text(pool, s, 13);
	r->published_at = db_col_int64(s, 15);
	r->body_trusted = db_col_int(s, 16) != 0;
	r->image_id = db_col_int64(s, 17);
	r->body = store_col_text(pool, s, 18);
	if (!r->actor || !r->note || !r->headline || !r->summary ||
	    !r->byline || !r->dateline || !r->section || !r->lang ||
	    !r->tags || !r->authors || !r->slug || !r->body)
		return GZ_ENOMEM;
	status = db_col_text(s, 14);
	for (i = 0; status && i < sizeof(status_names) / sizeof(*status_names);
	     i++) {
		if (strcmp(status, status_names[i]) == 0) {
			r->status = (enum store_status)i;
			return GZ_OK;
		}
	}
	return GZ_EDB;
}

/* Lists article_id's revisions newest first, bodies "" (an article with
 * none, or no such article: *n is 0). Output: *items (pool array, NULL
 * when none), *n. Returns GZ_OK, GZ_ENOMEM, GZ_EBUSY or GZ_EDB. */
int
store_revision_list(struct store *st, struct pool *pool, int64_t article_id,
		    struct store_revision **items, size_t *n)
{
	struct store_revision *arr = NULL;
	struct store_conn *c;
	struct db_stmt *s;
	size_t cap = 0, len = 0;
	int err, rc;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_REVISION_LIST, list_sql, article_id,
				    &s);
	if (err != GZ_OK)
		return err;
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		if ((err = revision_row(pool, s, &arr[len])) != GZ_OK)
			goto out;
		len++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, list_sql);
		goto out;
	}
	*items = arr;
	*n = len;
	err = GZ_OK;
out:
	store_stmt_done(s);
	return err;
}

int
store_revision_keep_body(struct store_conn *c, int64_t id, const char *body)
{
	static const char sql[] =
		"UPDATE revisions SET body = (SELECT a.body FROM articles a"
		" WHERE a.id = ?1) WHERE article_id = ?1 AND body IS NULL"
		" AND (SELECT a.body FROM articles a WHERE a.id = ?1) IS NOT ?2";
	struct db_stmt *s;
	int err, rc;

	assert(c);
	err = store_stmt_bind_int64(c, STMT_REVISION_KEEP_BODY, sql, id, &s);
	if (err != GZ_OK)
		return err;
	if ((rc = store_bind_text(s, 2, store_nz(body))) != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

int
store_revision_newest_on(struct store_conn *c, int64_t id, int64_t *out)
{
	static const char sql[] =
		"SELECT coalesce(max(id), 0) FROM revisions"
		" WHERE article_id = ?1";
	struct db_stmt *s;
	int err;

	assert(c && out);
	*out = 0;
	err = store_stmt_bind_int64(c, STMT_REVISION_NEWEST, sql, id, &s);
	if (err == GZ_OK)
		err = store_stmt_int64(c, s, out);
	return err;
}

int
store_revision_newest(struct store *st, int64_t article_id, int64_t *id)
{
	struct store_conn *c;
	int err;

	assert(st && id);
	*id = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	return store_revision_newest_on(c, article_id, id);
}

/* Reads revision id with its body into *out (strings in pool). Returns
 * GZ_OK, GZ_ENOTFOUND, GZ_ENOMEM, GZ_EBUSY or GZ_EDB. */
int
store_revision_get(struct store *st, struct pool *pool, int64_t id,
		   struct store_revision *out)
{
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_REVISION_GET, get_sql, id, &s);
	if (err != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) == GZ_OK)
		err = revision_row(pool, s, out);
	store_stmt_done(s);
	return err;
}
