/*
 * article.c - articles and their tags: reading one, listing and counting
 * them, creating or updating one (store_article_put), and reading a tag.
 *
 * Data flow: article pages, listings and feeds read through the calling
 * thread's reader connection; imports and the newsroom write through the
 * writer, inside the caller's store_tx_begin/commit.
 *
 * Invariants:
 * - "Visible at now" means status <> 'draft' AND published_at <= now, the
 *   same text in every query (so it can use articles_published).
 * - Everything stored is valid UTF-8 and every article has a non-blank
 *   headline: store_article_put checks before it writes.
 * - A put is all or nothing on its own (a savepoint), so a caller may go
 *   on with its transaction after a failed put.
 * - A reader that runs more than one query for one answer (an article and
 *   its tags; a page and its total) runs them in one read transaction, so
 *   they see the same snapshot of the database.
 * - comment_count counts approved comments only, in the same statement
 *   that reads the article (a lookup in comments_article), so it agrees
 *   with the snapshot of the rest of the row.
 * - article_tags.published_at is the article's published_at while it is
 *   not a draft, else NULL: store_article_put writes both together.
 * - Every listing reads one index range in its order (articles_listed,
 *   articles_listed_section, article_tags_listed) and stops at its
 *   limit; the totals of a section's or a tag's listing come from the
 *   counts kept on write (events.c), so no page costs more as the
 *   archive grows (docs/store.md has the plans and timings).
 * - A put records the change keys of the article before and after it
 *   (old and new section and tags) and the site-wide listings.
 * - STORE_UNPUBLISHED is stored as status 'draft' with unpublished_at
 *   set, so that VISIBLE and the partial indexes hide it unchanged; only
 *   store_article_get and the admin's list (which read unpublished_at)
 *   tell it from a draft. Reader listings never select the newsroom's
 *   columns (owner_id, review_at, unpublished_at).
 * - Every put that creates or changes an article, every status change
 *   and every put by a person (actor set) leaves a revision
 *   (revision.c), in the same savepoint as the write.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/slug.h"

/*
 * Scratch memory for slugs made while putting one article: one name at a
 * time (the pool is cleared between them), and no name is longer than the
 * file it was imported from; slug_make may need a few times its input.
 */
#define ARTICLE_SCRATCH_MAX (4u * GZ_LIMIT_IMPORT_FILE_BYTES)

static const char *const status_names[] = {
	[STORE_DRAFT] = "draft",
	[STORE_SCHEDULED] = "scheduled",
	[STORE_PUBLISHED] = "published",
};

/* Shared by store_tag_get (slug and name) and the find-or-create (id),
 * so that one statement id always has one text. */
#define TAG_BY_SLUG "SELECT id, slug, name FROM tags WHERE slug = ?1"

static const struct store_named named_tag = {
	.kind = "tag",
	.by_slug = STMT_TAG_BY_SLUG,
	.by_name = STMT_TAG_BY_NAME,
	.insert = STMT_TAG_INSERT,
	.slug_set = STMT_TAG_SLUG_SET,
	.by_slug_sql = TAG_BY_SLUG,
	.by_name_sql = "SELECT id FROM tags WHERE name = ?1",
	.insert_sql = "INSERT INTO tags (slug, name) VALUES (?1, ?2) "
		      "RETURNING id",
	.slug_set_sql = "UPDATE tags SET slug = 'tag-' || id WHERE id = ?1",
};

/* ARTICLE_COLS, ARTICLE_FROM and VISIBLE are in store_int.h. */

/* Does article ?1 exist (put by id, status_set, delete: one text). */
#define ARTICLE_BY_ID_SQL "SELECT id FROM articles WHERE id = ?1"

/* The newsroom's columns (owner_id, review_at, unpublished_at), read by
 * newsroom_fill: after the body's columns in article_get_sql, right
 * after ARTICLE_COLS in the admin's list. */
#define NEWSROOM_COLS \
	" coalesce(a.owner_id, 0), coalesce(a.review_at, 0)," \
	" coalesce(a.unpublished_at, 0), a.body_trusted"
#define ARTICLE_COL_NEWSROOM (ARTICLE_NCOLS + 3)
#define ADMIN_COL_NEWSROOM ARTICLE_NCOLS

static const char article_get_sql[] =
	"SELECT " ARTICLE_COLS ", a.body, a.body_html, a.html_version,"
	NEWSROOM_COLS ARTICLE_FROM
	" WHERE a.id = ?2 AND (?1 = 0 OR (" VISIBLE "))";

/* Sorted by name, ASCII case folded first so "bridges" sits between
 * "Arts" and "Council", then exactly, for a stable order. */
static const char article_tags_sql[] =
	"SELECT t.slug, t.name FROM article_tags x"
	" JOIN tags t ON t.id = x.tag_id WHERE x.article_id = ?1"
	" ORDER BY lower(t.name), t.name, t.id";

/*
 * Listings: four fixed texts for the four combinations of filters, so each
 * is planned for its own indexes, and no SQL is ever assembled at run
 * time. Parameters: ?1 now, ?2 exclude_id, ?3 section slug, ?4 tag slug,
 * ?5 limit, ?6 offset. The index of a variant is (section ? 1 : 0) |
 * (tag ? 2 : 0), matching the order of the statement ids.
 *
 * Without a tag the listing walks articles_listed (or, in a section,
 * articles_listed_section) backwards from now. With a tag it walks
 * article_tags_listed backwards, the tag's links newest first, and looks
 * each article up by id: CROSS JOIN keeps SQLite from choosing the other
 * order (the whole archive, newest first, probing each for the tag),
 * which reads every article for a rare tag. The article's own VISIBLE
 * terms are repeated there as a second guard.
 */
#define LIST_ORDER " ORDER BY a.published_at DESC, a.id DESC LIMIT ?5 OFFSET ?6"
#define TAG_ORDER \
	" ORDER BY x.published_at DESC, x.article_id DESC LIMIT ?5 OFFSET ?6"
#define LIST_WHERE " WHERE " VISIBLE " AND a.id <> ?2"
#define BY_SECTION \
	" AND a.section_id = (SELECT id FROM sections WHERE slug = ?3)"
#define TAG_FROM                                                        \
	" FROM article_tags x CROSS JOIN articles a"                    \
	" LEFT JOIN sections s ON s.id = a.section_id"                  \
	ARTICLE_IMAGE_JOIN                                              \
	" WHERE x.tag_id = (SELECT id FROM tags WHERE slug = ?4)"       \
	" AND x.published_at <= ?1 AND x.article_id <> ?2"              \
	" AND a.id = x.article_id AND " VISIBLE
#define LIST_SELECT "SELECT " ARTICLE_COLS ARTICLE_FROM LIST_WHERE

static const char *const list_sql[4] = {
	LIST_SELECT LIST_ORDER,
	LIST_SELECT BY_SECTION LIST_ORDER,
	"SELECT " ARTICLE_COLS TAG_FROM TAG_ORDER,
	"SELECT " ARTICLE_COLS TAG_FROM BY_SECTION TAG_ORDER,
};

/*
 * Totals. A section's or a tag's comes from its kept count (visible at
 * counted_at), plus what came due in (counted_at, now], less what is not
 * due yet in (now, counted_at], less the excluded article when it is in
 * the listing: three short index ranges. The site-wide total counts
 * articles_listed (no page asks for it); the section-and-tag total
 * counts the tag's links.
 */
#define KEPT_SECTION_RANGE(lo, hi)                                      \
	" (SELECT count(*) FROM articles a WHERE a.section_id = s.id"   \
	" AND a.status <> 'draft' AND a.published_at > " lo             \
	" AND a.published_at <= " hi ")"
#define KEPT_TAG_RANGE(lo, hi)                                          \
	" (SELECT count(*) FROM article_tags x WHERE x.tag_id = t.id"   \
	" AND x.published_at > " lo " AND x.published_at <= " hi ")"

static const char *const total_sql[4] = {
	"SELECT count(*) FROM articles a" LIST_WHERE,
	"SELECT coalesce((SELECT s.article_count"
	" +" KEPT_SECTION_RANGE("s.counted_at", "?1")
	" -" KEPT_SECTION_RANGE("?1", "s.counted_at")
	" - (SELECT count(*) FROM articles a WHERE a.id = ?2"
	" AND a.section_id = s.id AND " VISIBLE ")"
	" FROM sections s WHERE s.slug = ?3), 0)",
	"SELECT coalesce((SELECT t.article_count"
	" +" KEPT_TAG_RANGE("t.counted_at", "?1")
	" -" KEPT_TAG_RANGE("?1", "t.counted_at")
	" - (SELECT count(*) FROM article_tags x WHERE x.tag_id = t.id"
	" AND x.article_id = ?2 AND x.published_at <= ?1)"
	" FROM tags t WHERE t.slug = ?4), 0)",
	"SELECT count(*)" TAG_FROM BY_SECTION,
};

int
store_article_row(struct pool *pool, struct db_stmt *s, struct store_article *a)
{
	const char *status;
	size_t i;

	memset(a, 0, sizeof(*a));
	a->id = db_col_int64(s, 0);
	a->slug = store_col_text(pool, s, 1);
	a->headline = store_col_text(pool, s, 2);
	a->summary = store_col_text(pool, s, 3);
	a->byline = store_col_text(pool, s, 4);
	a->dateline = store_col_text(pool, s, 5);
	a->section_slug = store_col_text(pool, s, 6);
	a->section_name = store_col_text(pool, s, 7);
	a->lang = store_col_text(pool, s, 8);
	a->published_at = db_col_int64(s, 10);
	a->updated_at = db_col_int64(s, 11);
	a->created_at = db_col_int64(s, 12);
	a->comment_count = db_col_int64(s, 13);
	a->comments_close_at = db_col_int64(s, 14);
	a->body = "";
	a->image = NULL;
	if (!db_col_null(s, ARTICLE_COL_IMAGE)) {
		struct store_media *m = pool_alloc(pool, sizeof(*m));
		int err;

		if (!m)
			return GZ_ENOMEM;
		if ((err = store_media_row(pool, s, ARTICLE_COL_IMAGE, m)) != GZ_OK)
			return err;
		a->image = m;
	}
	if (!a->slug || !a->headline || !a->summary || !a->byline ||
	    !a->dateline || !a->section_slug || !a->section_name || !a->lang)
		return GZ_ENOMEM;
	status = db_col_text(s, 9);
	for (i = 0; status && i < sizeof(status_names) / sizeof(*status_names);
	     i++) {
		if (strcmp(status, status_names[i]) == 0) {
			a->status = (enum store_status)i;
			return GZ_OK;
		}
	}
	/* The CHECK constraint makes this unreachable short of corruption
	 * or another writer's bug. */
	return GZ_EDB;
}

int
store_article_rows(struct store_conn *c, struct pool *pool, struct db_stmt *s,
		   const char *what, struct store_article **items, size_t *n)
{
	struct store_article *arr = NULL;
	size_t cap = 0, len = 0;
	int err, rc;

	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p)
			return GZ_ENOMEM;
		arr = p;
		if ((err = store_article_row(pool, s, &arr[len])) != GZ_OK)
			return err;
		len++;
	}
	if (rc != DB_DONE)
		return store_err(c, rc, what);
	*items = arr;
	*n = len;
	return GZ_OK;
}

/* Fills a's owner_id, review_at, unpublished_at and body_trusted from
 * columns col to col + 3 of s (NEWSROOM_COLS), and tells an unpublished
 * article from a draft. */
static void
newsroom_fill(struct db_stmt *s, int col, struct store_article *a)
{
	a->owner_id = db_col_int64(s, col);
	a->review_at = db_col_int64(s, col + 1);
	a->unpublished_at = db_col_int64(s, col + 2);
	a->body_trusted = db_col_int(s, col + 3) != 0;
	if (a->status == STORE_DRAFT && a->unpublished_at)
		a->status = STORE_UNPUBLISHED;
}

/* Reads the tags of article a into it, sorted by name. */
static int
article_tags_read(struct store_conn *c, struct pool *pool,
		  struct store_article *a)
{
	struct store_tag *tags = NULL;
	struct db_stmt *s;
	size_t cap = 0, n = 0;
	int err, rc;

	err = store_stmt_bind_int64(c, STMT_ARTICLE_GET_TAGS, article_tags_sql,
				    a->id, &s);
	if (err != GZ_OK)
		return err;
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, tags, &cap, n, sizeof(*tags));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		tags = p;
		tags[n].slug = store_col_text(pool, s, 0);
		tags[n].name = store_col_text(pool, s, 1);
		if (!tags[n].slug || !tags[n].name) {
			err = GZ_ENOMEM;
			goto out;
		}
		n++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, article_tags_sql);
		goto out;
	}
	a->tags = tags;
	a->ntags = n;
	err = GZ_OK;
out:
	store_stmt_done(s);
	return err;
}

/* Reads article id, visible at now (any status when now is 0), with its
 * body, section, tags and the newsroom's fields (owner_id, review_at,
 * unpublished_at; status STORE_UNPUBLISHED for a story taken down, which
 * only now 0 finds), into *out (strings and tags in pool, valid until it
 * is cleared). Returns GZ_OK, GZ_ENOTFOUND (no such article, or not
 * visible yet), GZ_ENOMEM, GZ_EBUSY or GZ_EDB. */
int
store_article_get(struct store *st, struct pool *pool, int64_t id,
		  int64_t now, struct store_article *out)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	bool reading = false;
	int err, rc;

	assert(st && pool && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	reading = true;
	err = store_stmt(c, STMT_ARTICLE_GET, article_get_sql, &s);
	if (err != GZ_OK)
		goto out;
	rc = store_bind_int64(s, 1, now);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, id);
	if (rc != DB_OK) {
		err = store_err(c, rc, article_get_sql);
		goto out;
	}
	if ((err = store_stmt_row(c, s)) != GZ_OK)
		goto out;
	if ((err = store_article_row(pool, s, out)) != GZ_OK)
		goto out;
	if (!(out->body = store_col_text(pool, s, ARTICLE_COL_BODY))) {
		err = GZ_ENOMEM;
		goto out;
	}
	out->body_html = NULL;
	out->html_version = 0;
	if (!db_col_null(s, ARTICLE_COL_HTML)) {
		if (!(out->body_html = store_col_text(pool, s,
						      ARTICLE_COL_HTML))) {
			err = GZ_ENOMEM;
			goto out;
		}
		out->html_version = db_col_int(s,
						       ARTICLE_COL_HTML_VERSION);
	}
	newsroom_fill(s, ARTICLE_COL_NEWSROOM, out);
	store_stmt_done(s);
	s = NULL;
	err = article_tags_read(c, pool, out);
	if (err == GZ_OK)
		err = store_article_authors_read(c, pool, out);
out:
	store_stmt_done(s);
	if (reading)
		store_read_end(c);
	return err;
}

/* Binds the filters of q (parameters 1-4) to s. */
static int
list_bind(struct db_stmt *s, const struct store_article_query *q)
{
	int rc;

	rc = store_bind_int64(s, 1, q->now);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, q->exclude_id);
	if (rc == DB_OK && q->section_slug)
		rc = store_bind_text(s, 3, q->section_slug);
	if (rc == DB_OK && q->tag_slug)
		rc = store_bind_text(s, 4, q->tag_slug);
	return rc;
}

/*
 * Lists the articles visible at q->now (now 0 means the epoch: nothing
 * visible; admin listings of drafts will get their own query), newest
 * first (published_at, then id, descending), filtered by section slug, tag
 * slug and an id to leave out, q->limit of them from q->offset (a limit of
 * 0 returns none, but still counts the total). Items have body "" (never
 * NULL, so a template that prints it prints nothing) and no tags; their
 * other fields are filled as by store_article_get.
 * Output: *items (pool array, NULL when *n is 0), *n, and *total (all
 * matches, for pagination) when total is not NULL; the page and the total
 * come from one snapshot. Returns GZ_OK, GZ_ENOMEM, GZ_EBUSY or GZ_EDB.
 */
int
store_article_list(struct store *st, struct pool *pool,
		   const struct store_article_query *q,
		   struct store_article **items, size_t *n, size_t *total)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t count;
	bool reading = false;
	int err, rc, v;

	assert(st && pool && q && items && n);
	*items = NULL;
	*n = 0;
	if (total)
		*total = 0;
	v = (q->section_slug ? 1 : 0) | (q->tag_slug ? 2 : 0);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	reading = true;

	if (total) {
		err = store_stmt(c, (enum store_stmt_id)(STMT_ARTICLE_TOTAL + v),
				 total_sql[v], &s);
		if (err != GZ_OK)
			goto out;
		if ((rc = list_bind(s, q)) != DB_OK) {
			err = store_err(c, rc, total_sql[v]);
			goto out;
		}
		err = store_stmt_int64(c, s, &count);
		s = NULL;
		if (err != GZ_OK)
			goto out;
		*total = (size_t)count;
	}

	err = store_stmt(c, (enum store_stmt_id)(STMT_ARTICLE_LIST + v),
			 list_sql[v], &s);
	if (err != GZ_OK)
		goto out;
	rc = list_bind(s, q);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, store_size_to_int64(q->limit));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 6, store_size_to_int64(q->offset));
	if (rc != DB_OK) {
		err = store_err(c, rc, list_sql[v]);
		goto out;
	}
	if ((err = store_article_rows(c, pool, s, list_sql[v], items, n)) != GZ_OK)
		goto out;
	err = GZ_OK;
out:
	store_stmt_done(s);
	if (reading)
		store_read_end(c);
	if (err != GZ_OK && total)
		*total = 0;
	return err;
}

/*
 * The archive: visible articles published in [?2, ?3), newest first, a
 * range of articles_published; and the months that have any, in the site
 * zone (SQLite's 'localtime' reads TZ, which date_timezone_set set).
 */
static const char range_sql[] =
	"SELECT " ARTICLE_COLS ARTICLE_FROM " WHERE " VISIBLE
	" AND a.published_at >= ?2 AND a.published_at < ?3"
	" ORDER BY a.published_at DESC, a.id DESC LIMIT ?4 OFFSET ?5";
static const char range_total_sql[] =
	"SELECT count(*) FROM articles a WHERE " VISIBLE
	" AND a.published_at >= ?2 AND a.published_at < ?3";
static const char months_sql[] =
	"SELECT strftime('%Y', a.published_at, 'unixepoch', 'localtime'),"
	" strftime('%m', a.published_at, 'unixepoch', 'localtime'), count(*)"
	" FROM articles a WHERE " VISIBLE " GROUP BY 1, 2 ORDER BY 1 DESC, 2 DESC";

int
store_article_range(struct store *st, struct pool *pool, int64_t now,
		    int64_t from, int64_t to, size_t limit, size_t offset,
		    struct store_article **items, size_t *n, size_t *total)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t count = 0;
	int err, rc;

	assert(st && pool && items && n && total);
	*items = NULL;
	*n = 0;
	*total = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_ARTICLE_RANGE_TOTAL, range_total_sql,
			      &s)) != GZ_OK)
		goto out;
	rc = store_bind_int64(s, 1, now);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, from);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, to);
	if (rc != DB_OK) {
		err = store_err(c, rc, range_total_sql);
		goto out;
	}
	err = store_stmt_int64(c, s, &count);
	s = NULL;
	if (err != GZ_OK)
		goto out;
	if ((err = store_stmt(c, STMT_ARTICLE_RANGE, range_sql, &s)) != GZ_OK)
		goto out;
	rc = store_bind_int64(s, 1, now);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, from);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, to);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, store_size_to_int64(limit));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, store_size_to_int64(offset));
	if (rc != DB_OK) {
		err = store_err(c, rc, range_sql);
		goto out;
	}
	if ((err = store_article_rows(c, pool, s, range_sql, items, n)) != GZ_OK)
		goto out;
	*total = (size_t)count;
	err = GZ_OK;
out:
	store_stmt_done(s);
	store_read_end(c);
	return err;
}

int
store_article_months(struct store *st, struct pool *pool, int64_t now,
		     struct store_month **items, size_t *n)
{
	struct store_conn *c;
	struct store_month *arr = NULL;
	struct db_stmt *s = NULL;
	size_t cap = 0, len = 0;
	int err, rc;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_ARTICLE_MONTHS, months_sql, now, &s);
	if (err != GZ_OK)
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		/* strftime's text, read as a number by SQLite. */
		arr[len].year = db_col_int(s, 0);
		arr[len].month = db_col_int(s, 1);
		arr[len].count = db_col_int64(s, 2);
		len++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, months_sql);
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

/* The JSON API's listing: every filter optional (NULL passes), the
 * cursor a row-value comparison, so each page is one index walk down
 * articles_listed from the cursor. */
static const char page_sql[] =
	"SELECT " ARTICLE_COLS ARTICLE_FROM " WHERE " VISIBLE
	" AND (?2 IS NULL OR s.slug = ?2)"
	" AND (?3 IS NULL OR EXISTS (SELECT 1 FROM article_tags x"
	"  JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id"
	"  AND t.slug = ?3))"
	" AND (?4 IS NULL OR EXISTS (SELECT 1 FROM article_authors x"
	"  JOIN authors u ON u.id = x.author_id WHERE x.article_id = a.id"
	"  AND u.slug = ?4))"
	" AND a.published_at >= ?5"
	" AND (?6 = 0 OR (a.published_at, a.id) < (?6, ?7))"
	" ORDER BY a.published_at DESC, a.id DESC LIMIT ?8";

int
store_article_page(struct store *st, struct pool *pool,
		   const struct store_article_filter *f,
		   struct store_article **items, size_t *n)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int err, rc;

	assert(st && pool && f && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_ARTICLE_PAGE, page_sql, &s)) != GZ_OK)
		return err;
	rc = store_bind_int64(s, 1, f->now);
	if (rc == DB_OK)
		rc = store_bind_text(s, 2, f->section_slug);
	if (rc == DB_OK)
		rc = store_bind_text(s, 3, f->tag_slug);
	if (rc == DB_OK)
		rc = store_bind_text(s, 4, f->author_slug);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, f->since);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 6, f->before_published);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 7, f->before_id);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 8, store_size_to_int64(f->limit));
	if (rc != DB_OK) {
		err = store_err(c, rc, page_sql);
		goto out;
	}
	if ((err = store_article_rows(c, pool, s, page_sql, items, n)) != GZ_OK)
		goto out;
	err = GZ_OK;
out:
	store_stmt_done(s);
	return err;
}

int
store_tag_list(struct store *st, struct pool *pool,
	       struct store_tag_count **items, size_t *n)
{
	static const char sql[] =
		"SELECT slug, name, article_count FROM tags"
		" ORDER BY lower(name), name, id";
	struct store_tag_count *arr = NULL;
	struct store_conn *c;
	struct db_stmt *s;
	size_t cap = 0, len = 0;
	int err, rc;

	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_TAG_LIST, sql, &s)) != GZ_OK)
		return err;
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			store_stmt_done(s);
			return GZ_ENOMEM;
		}
		arr = p;
		arr[len].slug = store_col_text(pool, s, 0);
		arr[len].name = store_col_text(pool, s, 1);
		arr[len].article_count = db_col_int64(s, 2);
		if (!arr[len].slug || !arr[len].name) {
			store_stmt_done(s);
			return GZ_ENOMEM;
		}
		len++;
	}
	store_stmt_done(s);
	if (rc != DB_DONE)
		return store_err(c, rc, sql);
	*items = arr;
	*n = len;
	return GZ_OK;
}

/* Counts all articles, whatever their status, into *n. Returns GZ_OK,
 * GZ_EBUSY or GZ_EDB. */
int
store_article_count(struct store *st, int64_t *n)
{
	static const char sql[] = "SELECT count(*) FROM articles";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && n);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_ARTICLE_COUNT, sql, &s)) != GZ_OK)
		return err;
	return store_stmt_int64(c, s, n);
}

int
store_article_id_by_key(struct store *st, const char *import_key, int64_t *id)
{
	static const char sql[] = "SELECT id FROM articles WHERE import_key = ?1";
	struct store_conn *c;
	int err;

	assert(st && import_key && id);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	return store_find_text(c, STMT_ARTICLE_ID_BY_KEY, sql, import_key, id);
}

/* Reads the tag whose slug is slug into *out (strings in pool). A tag no
 * article uses any more is still found (tags are not deleted); its
 * listing is empty. Returns GZ_OK, GZ_ENOTFOUND, GZ_ENOMEM or a mapped
 * error. */
int
store_tag_get(struct store *st, struct pool *pool, const char *slug,
	      struct store_tag *out)
{
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && slug && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_text(c, STMT_TAG_BY_SLUG, TAG_BY_SLUG, slug, &s);
	if (err != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) != GZ_OK)
		goto out;
	out->slug = store_col_text(pool, s, 1);
	out->name = store_col_text(pool, s, 2);
	err = out->slug && out->name ? GZ_OK : GZ_ENOMEM;
out:
	store_stmt_done(s);
	return err;
}

/* True when s has a character other than ASCII white space. */
static bool
has_text(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return true;
	return false;
}

/* Checks in before anything is written. */
static int
article_input_check(const struct store_article_input *in)
{
	size_t i;

	if (!has_text(in->headline))
		return GZ_EINVAL;
	if (strlen(in->headline) > GZ_LIMIT_HEADLINE_BYTES)
		return GZ_ETOOBIG;
	if ((unsigned)in->status > STORE_UNPUBLISHED || in->id < 0 ||
	    in->owner_id < 0 || in->review_at < 0 ||
	    in->image_id < STORE_IMAGE_NONE)
		return GZ_EINVAL;
	if (in->ntags > GZ_LIMIT_TAGS)
		return GZ_ETOOBIG;
	if (in->ntags && !in->tags)
		return GZ_EINVAL;
	if (in->authors && in->nauthors > GZ_LIMIT_AUTHORS)
		return GZ_ETOOBIG;
	for (i = 0; in->authors && i < in->nauthors; i++)
		if (!in->authors[i] || !store_utf8_ok(in->authors[i]))
			return GZ_EINVAL;
	if (!store_utf8_ok(in->import_key) || !store_utf8_ok(in->slug) ||
	    !store_utf8_ok(in->headline) || !store_utf8_ok(in->summary) ||
	    !store_utf8_ok(in->body) || !store_utf8_ok(in->byline) ||
	    !store_utf8_ok(in->dateline) || !store_utf8_ok(in->section) ||
	    !store_utf8_ok(in->lang) || !store_utf8_ok(in->body_html) ||
	    !store_utf8_ok(in->body_text) || !store_utf8_ok(in->actor) ||
	    !store_utf8_ok(in->revision_note))
		return GZ_EINVAL;
	for (i = 0; i < in->ntags; i++)
		if (!in->tags[i] || !store_utf8_ok(in->tags[i]))
			return GZ_EINVAL;
	return GZ_OK;
}

/* Writes the article row at now: an update of existing_id when it is not
 * 0, else an insert. in->status is at most STORE_PUBLISHED here;
 * unpublished marks a story taken down (stored as a draft). Output:
 * *id. */
static int
put_row(struct store_conn *c, const struct store_article_input *in,
	const char *slug, int64_t section_id, int64_t existing_id,
	bool unpublished, int64_t now, int64_t *id)
{
	static const char insert_sql[] =
		"INSERT INTO articles (slug, headline, summary, body, byline,"
		" dateline, section_id, lang, status, published_at, created_at,"
		" updated_at, import_key, comments_close_at, body_html,"
		" html_version, body_text, owner_id, review_at, unpublished_at,"
		" body_trusted)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		" ?8, ?9, nullif(?10, 0), ?11,"
		/* A story imported after it ran was last changed when it ran:
		 * its feeds' and sitemaps' dates are not the import's. */
		" CASE WHEN ?10 > 0 AND ?10 < ?11 THEN ?10 ELSE ?11 END,"
		" ?12, nullif(?14, 0), ?15, ?16, ?17, nullif(?18, 0),"
		" nullif(?19, 0), CASE WHEN ?20 THEN ?11 END, ?21 = 0)"
		" RETURNING id";
	static const char update_sql[] =
		"UPDATE articles SET slug = ?1, headline = ?2, summary = ?3,"
		" body = ?4, byline = ?5, dateline = ?6, section_id = ?7,"
		" lang = ?8, status = ?9, published_at = nullif(?10, 0),"
		/* Changed only when what a reader sees changes: importing the
		 * same file again is not an update (SET reads the old row). */
		" updated_at = CASE WHEN slug IS ?1 AND headline IS ?2"
		" AND summary IS ?3 AND body IS ?4 AND byline IS ?5"
		" AND dateline IS ?6 AND section_id IS ?7 AND lang IS ?8"
		" AND status IS ?9 AND published_at IS nullif(?10, 0)"
		" AND (unpublished_at IS NOT NULL) = (?20 <> 0)"
		" AND body_trusted = (?21 = 0)"
		" THEN updated_at ELSE ?11 END,"
		" comments_close_at = nullif(?14, 0),"
		" body_html = ?15, html_version = ?16, body_text = ?17,"
		" review_at = nullif(?19, 0), body_trusted = (?21 = 0),"
		/* Taken down when it first was, not at each later save. */
		" unpublished_at = CASE WHEN ?20 THEN coalesce(unpublished_at,"
		" ?11) END"
		" WHERE id = ?13";
	const char *sql = existing_id ? update_sql : insert_sql;
	const char *key = in->import_key && *in->import_key ? in->import_key
							    : NULL;
	struct db_stmt *s;
	int err, rc;

	err = store_stmt(c, existing_id ? STMT_ARTICLE_UPDATE
					: STMT_ARTICLE_INSERT, sql, &s);
	if (err != GZ_OK)
		return err;
	rc = store_bind_text(s, 1, slug);
	if (rc == DB_OK)
		rc = store_bind_text(s, 2, in->headline);
	if (rc == DB_OK)
		rc = store_bind_text(s, 3, store_nz(in->summary));
	if (rc == DB_OK)
		rc = store_bind_text(s, 4, store_nz(in->body));
	if (rc == DB_OK)
		rc = store_bind_text(s, 5, store_nz(in->byline));
	if (rc == DB_OK)
		rc = store_bind_text(s, 6, store_nz(in->dateline));
	if (rc == DB_OK)
		rc = section_id ? store_bind_int64(s, 7, section_id)
				: db_bind_null(s, 7);
	if (rc == DB_OK)
		rc = store_bind_text(s, 8, in->lang && *in->lang ? in->lang
								   : "en");
	if (rc == DB_OK)
		rc = store_bind_text(s, 9, status_names[in->status]);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 10, in->published_at);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 11, now);
	if (rc == DB_OK)
		rc = existing_id ? store_bind_int64(s, 13, existing_id)
				 : store_bind_text(s, 12, key);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 14, in->comments_close_at);
	/* No HTML clears the stored one: it was made from the old body. */
	if (rc == DB_OK)
		rc = store_bind_text(s, 15, in->body_html);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 16, in->body_html ? in->html_version
							   : 0);
	/* What search reads: the text of the HTML, else the Markdown. */
	if (rc == DB_OK)
		rc = store_bind_text(s, 17, in->body_text ? in->body_text
							  : store_nz(in->body));
	/* The owner is who created it: an update never changes it. */
	if (rc == DB_OK && !existing_id)
		rc = store_bind_int64(s, 18, in->owner_id);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 19, in->review_at);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 20, unpublished);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 21, in->body_untrusted);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	if (existing_id) {
		*id = existing_id;
		return store_stmt_run(c, s);
	}
	err = store_stmt_int64(c, s, id);
	return err == GZ_ENOTFOUND ? GZ_EDB : err;
}

/* Sets article id's lead image to image_id (STORE_IMAGE_NONE: none; 0
 * leaves it), at now: a change of image is a change a reader sees, so
 * updated_at follows. The image was checked to exist. */
static int
put_image(struct store_conn *c, int64_t id, int64_t image_id, int64_t now)
{
	static const char sql[] =
		"UPDATE articles SET image_id = ?2,"
		" updated_at = CASE WHEN image_id IS ?2 THEN updated_at"
		" ELSE ?3 END WHERE id = ?1";
	struct db_stmt *s;
	int err, rc;

	if (image_id == 0)
		return GZ_OK;
	err = store_stmt_bind_int64(c, STMT_ARTICLE_IMAGE_SET, sql, id, &s);
	if (err != GZ_OK)
		return err;
	rc = image_id == STORE_IMAGE_NONE ? db_bind_null(s, 2)
					  : store_bind_int64(s, 2, image_id);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, now);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

/* Replaces the tags of article id with in's, creating missing ones. */
static int
put_tags(struct store_conn *c, struct pool *scratch,
	 const struct store_article_input *in, int64_t id, bool replace)
{
	static const char clear_sql[] =
		"DELETE FROM article_tags WHERE article_id = ?1";
	/* Two names with one slug ("Climate", "climate") are one tag: the
	 * second link is a no-op. */
	static const char add_sql[] =
		"INSERT INTO article_tags (article_id, tag_id, published_at)"
		" VALUES (?1, ?2, nullif(?3, 0)) ON CONFLICT DO NOTHING";
	/* What the tag's listing sorts and filters by: see the file's
	 * invariants. */
	int64_t listed_at = in->status == STORE_DRAFT ? 0 : in->published_at;
	struct db_stmt *s;
	int64_t tag_id;
	size_t i;
	int err, rc;

	if (replace) {
		err = store_stmt_bind_int64(c, STMT_ARTICLE_TAGS_CLEAR,
					    clear_sql, id, &s);
		if (err != GZ_OK)
			return err;
		if ((err = store_stmt_run(c, s)) != GZ_OK)
			return err;
	}
	for (i = 0; i < in->ntags; i++) {
		/* A blank name ("tags: a, , b") is not a tag. */
		if (!has_text(in->tags[i]))
			continue;
		err = store_named_ensure(c, scratch, &named_tag, in->tags[i],
					 &tag_id);
		pool_clear(scratch);
		if (err != GZ_OK)
			return err;
		err = store_stmt_bind_int64(c, STMT_ARTICLE_TAG_ADD, add_sql,
					    id, &s);
		if (err != GZ_OK)
			return err;
		rc = store_bind_int64(s, 2, tag_id);
		if (rc == DB_OK)
			rc = store_bind_int64(s, 3, listed_at);
		if (rc != DB_OK) {
			store_stmt_done(s);
			return store_err(c, rc, add_sql);
		}
		if ((err = store_stmt_run(c, s)) != GZ_OK)
			return err;
	}
	return GZ_OK;
}

/*
 * Creates the article that in describes, or updates in place (same id, tags
 * replaced, created_at kept) article in->id when it is not 0 (its
 * import_key kept), else the one with the same non-empty import_key.
 * Inside store_tx_begin/commit, on the writer; what it writes is visible
 * to readers once committed.
 *
 * - headline must have a non-blank character and be at most
 *   GZ_LIMIT_HEADLINE_BYTES; every string must be valid UTF-8; at most
 *   GZ_LIMIT_TAGS tags.
 * - slug: slug_make(in->slug) when in->slug is non-empty (so a slug typed
 *   by hand is still fit for a URL), else slug_make(headline); may be "".
 * - section: found by slug or name, created on first use; NULL or blank
 *   for none. Tags likewise; blank tag names are skipped, names with the
 *   same slug are one tag.
 * - NULL strings are stored as "", lang NULL or "" as "en"; published_at
 *   as given (0: never published). created_at and updated_at are now.
 * - comments_close_at as given (0: the site's policy; an update writes
 *   it too, so a re-import without one returns the article to policy).
 * - owner_id is stored on create only; review_at (0: none) on every put.
 *   STORE_UNPUBLISHED is stored as a draft with unpublished_at = now (or
 *   when it was first taken down); any other status clears it.
 * - image_id: the lead image (0 keeps an update's, a new article has
 *   none; STORE_IMAGE_NONE takes it away); an id with no image is
 *   GZ_ENOTFOUND.
 * - A revision (revision.c) by in->actor with in->revision_note is
 *   recorded when the article is created, when it differs from its
 *   latest revision, and always when in->actor is set.
 *
 * Output: *id, *created (false when an article was updated). Returns GZ_OK,
 * GZ_EINVAL (blank headline, invalid UTF-8, bad status or id),
 * GZ_ENOTFOUND (no article in->id, no image in->image_id), GZ_ETOOBIG,
 * GZ_ENOMEM, GZ_EEXIST, GZ_EBUSY, GZ_EDB. On error nothing of this call
 * is left in the database and the transaction is still open.
 */
int
store_article_put(struct store *st, const struct store_article_input *in,
		  int64_t *id, bool *created)
{
	static const char by_key_sql[] =
		"SELECT id FROM articles WHERE import_key = ?1";
	struct store_article_input norm;
	struct store_conn *c;
	struct pool *scratch = NULL;
	struct db_stmt *s;
	const char *slug;
	int64_t section_id = 0, existing_id = 0, now = (int64_t)time(NULL);
	bool in_savepoint = false, unpublished;
	size_t mark;
	int err;

	assert(st && in && id && created);
	c = store_writer(st);
	mark = store_keys_mark(st);
	if ((err = article_input_check(in)) != GZ_OK)
		return err;
	/* From here on a story taken down is a draft (its tags' and
	 * authors' links unlisted) with unpublished_at set. */
	norm = *in;
	unpublished = in->status == STORE_UNPUBLISHED;
	if (unpublished)
		norm.status = STORE_DRAFT;
	in = &norm;
	if (!(scratch = pool_new(ARTICLE_SCRATCH_MAX)))
		return GZ_ENOMEM;
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		goto out;
	in_savepoint = true;

	/* An image that does not exist writes nothing (the savepoint is
	 * rolled back). */
	if (in->image_id > 0) {
		int64_t found;

		err = store_stmt_bind_int64(c, STMT_MEDIA_EXISTS,
					    "SELECT id FROM media WHERE id = ?1",
					    in->image_id, &s);
		if (err == GZ_OK)
			err = store_stmt_int64(c, s, &found);
		if (err != GZ_OK)
			goto out;
	}

	if (has_text(in->section)) {
		err = store_named_ensure(c, scratch, &store_named_section,
					 in->section, &section_id);
		pool_clear(scratch);
		if (err != GZ_OK)
			goto out;
	}

	if (in->id) {
		err = store_stmt_bind_int64(c, STMT_ARTICLE_BY_ID,
					    ARTICLE_BY_ID_SQL, in->id, &s);
		if (err == GZ_OK)
			err = store_stmt_int64(c, s, &existing_id);
		if (err != GZ_OK)
			goto out;
	} else if (in->import_key && *in->import_key) {
		err = store_find_text(c, STMT_ARTICLE_BY_KEY, by_key_sql,
				      in->import_key, &existing_id);
		if (err == GZ_ENOTFOUND)
			existing_id = 0;
		else if (err != GZ_OK)
			goto out;
	}
	/* A save over one the saver never saw is refused, in the same
	 * transaction as the write, so no save can fall between. */
	if (in->expect_revision && existing_id) {
		int64_t newest = 0;

		if ((err = store_revision_newest_on(c, existing_id, &newest)))
			goto out;
		if (newest != in->expect_revision) {
			err = GZ_ECONFLICT;
			goto out;
		}
	}
	/* Revisions that share the article's body get the old one before
	 * it changes (revision.c). */
	if (existing_id &&
	    (err = store_revision_keep_body(c, existing_id, in->body)) != GZ_OK)
		goto out;
	/* The section and tags it leaves are changed listings too. */
	if (existing_id &&
	    (err = store_events_article(st, c, existing_id)) != GZ_OK)
		goto out;

	slug = NULL;
	if (in->slug && *in->slug) {
		if (!(slug = slug_make(scratch, in->slug, strlen(in->slug)))) {
			err = GZ_ENOMEM;
			goto out;
		}
		if (!*slug)
			slug = NULL; /* a given slug of only punctuation */
	}
	if (!slug &&
	    !(slug = slug_make(scratch, in->headline, strlen(in->headline)))) {
		err = GZ_ENOMEM;
		goto out;
	}
	err = put_row(c, in, slug, section_id, existing_id, unpublished, now,
		      id);
	if (err == GZ_OK)
		err = put_image(c, *id, in->image_id, now);
	if (err != GZ_OK)
		goto out;
	/* The photos the body shows inline (media.c), with the body. */
	err = store_media_article_link(c, *id, in->body, existing_id != 0);
	if (err != GZ_OK)
		goto out;
	pool_clear(scratch);
	err = put_tags(c, scratch, in, *id, existing_id != 0);
	pool_clear(scratch);
	if (err == GZ_OK)
		err = store_article_authors_put(c, scratch, in, *id,
						existing_id != 0);
	if (err == GZ_OK)
		err = store_revision_record(c, *id, in->actor,
					    in->revision_note, now,
					    !existing_id || in->actor);
	if (err == GZ_OK)
		err = store_events_article(st, c, *id);
	if (err == GZ_OK)
		err = store_events_listings(st);
out:
	/* Released on success, else rolled back and released. */
	if (in_savepoint)
		err = store_savepoint_end(c, err);
	if (err == GZ_OK)
		*created = existing_id == 0;
	else
		store_keys_truncate(st, mark);
	pool_free(scratch);
	return err;
}

/* Lists up to limit ids after after_id, lowest first, of articles whose
 * stored HTML is missing or made by a renderer other than html_version:
 * the work list of a background re-render. Walks the table by id (a
 * batch job, not a page). Output: *ids (pool array, NULL when *n is 0),
 * *n. Returns GZ_OK, GZ_ENOMEM or a mapped error. */
int
store_article_html_stale(struct store *st, struct pool *pool,
			 int html_version, int64_t after_id, size_t limit,
			 int64_t **ids, size_t *n)
{
	static const char sql[] =
		"SELECT id FROM articles WHERE id > ?1"
		" AND (body_html IS NULL OR html_version <> ?2)"
		" ORDER BY id LIMIT ?3";
	struct store_conn *c;
	struct db_stmt *s;
	int64_t *arr = NULL;
	size_t cap = 0, len = 0;
	int err, rc;

	assert(st && pool && ids && n);
	*ids = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_ARTICLE_HTML_STALE, sql, after_id,
				    &s);
	if (err != GZ_OK)
		return err;
	rc = store_bind_int64(s, 2, html_version);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, store_size_to_int64(limit));
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		goto out;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		arr[len++] = db_col_int64(s, 0);
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, sql);
		goto out;
	}
	*ids = arr;
	*n = len;
	err = GZ_OK;
out:
	store_stmt_done(s);
	return err;
}

/* Stores html (valid UTF-8, not NULL) as article id's body rendered by
 * html_version. Records no change key: the page reads the same. Inside
 * store_tx_begin/commit. Returns GZ_OK, GZ_ENOTFOUND (no such article),
 * GZ_EINVAL (NULL or invalid UTF-8) or a mapped error. */
int
store_article_html_set(struct store *st, int64_t id, const char *html,
		       const char *text, int html_version)
{
	static const char sql[] =
		"UPDATE articles SET body_html = ?2, html_version = ?3,"
		" body_text = coalesce(?4, body_text) WHERE id = ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int err, rc;

	assert(st);
	c = store_writer(st);
	if (!html || !store_utf8_ok(html) || !store_utf8_ok(text))
		return GZ_EINVAL;
	if ((err = store_stmt_bind_int64(c, STMT_ARTICLE_HTML_SET, sql, id,
					 &s)) != GZ_OK)
		return err;
	rc = store_bind_text(s, 2, html);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, html_version);
	if (rc == DB_OK)
		rc = store_bind_text(s, 4, text);
	if (rc != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	if ((err = store_stmt_run(c, s)) != GZ_OK)
		return err;
	return db_changes(c) == 0 ? GZ_ENOTFOUND : GZ_OK;
}

/* ---- the newsroom's admin ------------------------------------------------ */

/* The most words of store_admin_query.q that filter (later ones are
 * ignored); q itself is capped at GZ_LIMIT_SEARCH_BYTES. */
#define ADMIN_WORDS 8
#define ADMIN_LIMIT_DEFAULT 50
#define ADMIN_LIMIT_MAX 200

/*
 * The admin's list: one fixed text, every filter optional. ?1 status (an
 * enum store_status, -1 any), ?2 in review, ?3 scheduled not yet due at
 * ?4, ?5 owner, ?6 section slug, ?7-?14 words (lower case, NULL for
 * none), ?15 limit, ?16 offset. Newest change first, down
 * articles_updated. lower() folds ASCII only, so the words are folded the
 * same way in C.
 */
#define ADMIN_WORD(n) " AND (?" #n " IS NULL OR instr(lower(a.headline), ?" #n ") > 0)"
#define ADMIN_WHERE                                                     \
	" WHERE (?1 < 0 OR ?1 = CASE WHEN a.status = 'scheduled' THEN 1" \
	" WHEN a.status = 'published' THEN 2"                           \
	" WHEN a.unpublished_at IS NOT NULL THEN 3 ELSE 0 END)"         \
	" AND (?2 = 0 OR (a.status = 'draft' AND a.unpublished_at IS NULL" \
	" AND a.review_at IS NOT NULL))"                                \
	" AND (?3 = 0 OR (a.status = 'scheduled' AND a.published_at > ?4))" \
	" AND (?5 = 0 OR a.owner_id = ?5)"                              \
	" AND (?6 IS NULL OR s.slug = ?6)"                              \
	ADMIN_WORD(7) ADMIN_WORD(8) ADMIN_WORD(9) ADMIN_WORD(10)        \
	ADMIN_WORD(11) ADMIN_WORD(12) ADMIN_WORD(13) ADMIN_WORD(14)

static const char admin_list_sql[] =
	"SELECT " ARTICLE_COLS "," NEWSROOM_COLS ARTICLE_FROM ADMIN_WHERE
	" ORDER BY a.updated_at DESC, a.id DESC LIMIT ?15 OFFSET ?16";
static const char admin_total_sql[] =
	"SELECT count(*)" ARTICLE_FROM ADMIN_WHERE;

/* Splits q into at most ADMIN_WORDS words (at ASCII white space), folded
 * to ASCII lower case, into buf (qlen + 1 bytes). Output: words[], *n. */
static void
admin_words(const char *q, char *buf, const char **words, size_t *n)
{
	size_t i = 0, k = 0;
	bool in_word = false;

	*n = 0;
	for (; q[i]; i++) {
		unsigned char ch = (unsigned char)q[i];

		if (strchr(" \t\r\n\f\v", ch)) {
			if (in_word)
				buf[k++] = '\0';
			in_word = false;
			continue;
		}
		if (!in_word) {
			if (*n == ADMIN_WORDS)
				break;
			words[(*n)++] = buf + k;
			in_word = true;
		}
		buf[k++] = (char)(ch < 0x80 ? tolower(ch) : ch);
	}
	buf[k] = '\0';
}

/* Binds the filters of q (?1 to ?14) to s; words are buf's. */
static int
admin_bind(struct db_stmt *s, const struct store_admin_query *q,
	   const char *const *words, size_t nwords)
{
	size_t i;
	int rc;

	rc = store_bind_int64(s, 1, q->status);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, q->in_review);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, q->scheduled_future);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, q->now);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, q->owner_id);
	if (rc == DB_OK)
		rc = store_bind_text(s, 6, q->section_slug);
	for (i = 0; rc == DB_OK && i < nwords; i++)
		rc = store_bind_text(s, 7 + (int)i, words[i]);
	return rc;
}

/* As store_article_rows, with the newsroom's columns after ARTICLE_COLS
 * read into each item. Does not hand s back. */
static int
admin_rows(struct store_conn *c, struct pool *pool, struct db_stmt *s,
	   struct store_article **items, size_t *n)
{
	struct store_article *arr = NULL;
	size_t cap = 0, len = 0;
	int err, rc;

	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p)
			return GZ_ENOMEM;
		arr = p;
		if ((err = store_article_row(pool, s, &arr[len])) != GZ_OK)
			return err;
		newsroom_fill(s, ADMIN_COL_NEWSROOM, &arr[len]);
		len++;
	}
	if (rc != DB_DONE)
		return store_err(c, rc, admin_list_sql);
	*items = arr;
	*n = len;
	return GZ_OK;
}

/*
 * Lists articles of any status for the newsroom, newest updated_at first
 * (then id), filtered as q says (store.h), q->limit of them (0: 50; more
 * than 200: 200) from q->offset. Items have body "" and no tags; owner_id,
 * review_at and unpublished_at are filled, and a story taken down has
 * status STORE_UNPUBLISHED. The page and *total come from one snapshot.
 * Output: *items (pool array, NULL when none), *n, *total when not NULL.
 * Returns GZ_OK, GZ_EINVAL (status out of range, q longer than
 * GZ_LIMIT_SEARCH_BYTES or not UTF-8), GZ_ENOMEM, GZ_EBUSY or GZ_EDB.
 */
int
store_article_admin_list(struct store *st, struct pool *pool,
			 const struct store_admin_query *q,
			 struct store_article **items, size_t *n,
			 size_t *total)
{
	char buf[GZ_LIMIT_SEARCH_BYTES + 1];
	const char *words[ADMIN_WORDS];
	struct store_conn *c;
	struct db_stmt *s = NULL;
	size_t nwords = 0, limit;
	int64_t count;
	bool reading = false;
	int err, rc;

	assert(st && pool && q && items && n);
	*items = NULL;
	*n = 0;
	if (total)
		*total = 0;
	if (q->status < -1 || q->status > (int)STORE_UNPUBLISHED)
		return GZ_EINVAL;
	if (q->q) {
		if (strlen(q->q) > GZ_LIMIT_SEARCH_BYTES || !store_utf8_ok(q->q))
			return GZ_EINVAL;
		admin_words(q->q, buf, words, &nwords);
	}
	limit = q->limit ? q->limit : ADMIN_LIMIT_DEFAULT;
	if (limit > ADMIN_LIMIT_MAX)
		limit = ADMIN_LIMIT_MAX;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	reading = true;
	if (total) {
		err = store_stmt(c, STMT_ARTICLE_ADMIN_TOTAL, admin_total_sql,
				 &s);
		if (err != GZ_OK)
			goto out;
		if ((rc = admin_bind(s, q, words, nwords)) != DB_OK) {
			err = store_err(c, rc, admin_total_sql);
			goto out;
		}
		err = store_stmt_int64(c, s, &count);
		s = NULL;
		if (err != GZ_OK)
			goto out;
		*total = (size_t)count;
	}
	if ((err = store_stmt(c, STMT_ARTICLE_ADMIN_LIST, admin_list_sql,
			      &s)) != GZ_OK)
		goto out;
	rc = admin_bind(s, q, words, nwords);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 15, store_size_to_int64(limit));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 16, store_size_to_int64(q->offset));
	if (rc != DB_OK) {
		err = store_err(c, rc, admin_list_sql);
		goto out;
	}
	err = admin_rows(c, pool, s, items, n);
out:
	store_stmt_done(s);
	if (reading)
		store_read_end(c);
	if (err != GZ_OK && total)
		*total = 0;
	return err;
}

/* The revision note of each status an editor sets. */
static const char *const status_notes[] = {
	[STORE_DRAFT] = "draft",
	[STORE_SCHEDULED] = "schedule",
	[STORE_PUBLISHED] = "publish",
	[STORE_UNPUBLISHED] = "unpublish",
};

/* Runs sql (statement id) with ?1 = a, ?2 = b on the writer. */
static int
run_ids(struct store_conn *c, enum store_stmt_id id, const char *sql,
	int64_t a, int64_t b)
{
	struct db_stmt *s;
	int err, rc;

	if ((err = store_stmt_bind_int64(c, id, sql, a, &s)) != GZ_OK)
		return err;
	if ((rc = store_bind_int64(s, 2, b)) != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

/*
 * Sets article id's status, as store.h says: STORE_UNPUBLISHED takes down
 * an article that is not a plain draft (a second take-down keeps the
 * first time); the others clear unpublished_at, and PUBLISHED or
 * SCHEDULED set published_at to the one given, else the one it had, else
 * at. updated_at becomes at; its tags' and authors' listings follow
 * (article_tags, article_authors published_at); a revision by actor
 * ("import" when NULL) with note "unpublish", "publish", "schedule" or
 * "draft" is recorded; the keys of a put are recorded (the kept counts,
 * and "nav", follow at commit). Inside store_tx_begin/commit; all or
 * nothing. Returns GZ_OK, GZ_ENOTFOUND, GZ_EINVAL (bad status, negative
 * published_at, invalid actor, a draft never published to take down),
 * GZ_ENOMEM or a mapped error.
 */
int
store_article_status_set(struct store *st, int64_t id,
			 enum store_status status, int64_t published_at,
			 const char *actor, int64_t at)
{
	static const char state_sql[] =
		"SELECT status, coalesce(published_at, 0),"
		" coalesce(unpublished_at, 0) FROM articles WHERE id = ?1";
	static const char set_sql[] =
		"UPDATE articles SET status = ?2, published_at = nullif(?3, 0),"
		" unpublished_at = nullif(?4, 0), updated_at = ?5 WHERE id = ?1";
	static const char tags_sql[] =
		"UPDATE article_tags SET published_at = nullif(?2, 0)"
		" WHERE article_id = ?1";
	static const char authors_sql[] =
		"UPDATE article_authors SET published_at = nullif(?2, 0)"
		" WHERE article_id = ?1";
	struct store_conn *c;
	struct db_stmt *s = NULL;
	const char *old;
	int64_t old_pub, old_unpub, pub, unpub = 0;
	bool was_draft;
	enum store_status stored;
	size_t mark;
	int err, rc;

	assert(st);
	if ((unsigned)status > STORE_UNPUBLISHED || published_at < 0 ||
	    !store_utf8_ok(actor) || (actor && !*actor))
		return GZ_EINVAL;
	c = store_writer(st);
	mark = store_keys_mark(st);
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_ARTICLE_STATE, state_sql, id, &s);
	if (err != GZ_OK)
		goto out;
	if ((err = store_stmt_row(c, s)) != GZ_OK)
		goto out;
	old = db_col_text(s, 0);
	was_draft = old && strcmp(old, "draft") == 0;
	old_pub = db_col_int64(s, 1);
	old_unpub = db_col_int64(s, 2);
	store_stmt_done(s);
	s = NULL;

	pub = old_pub;
	stored = status;
	if (status == STORE_UNPUBLISHED) {
		if (was_draft && !old_unpub) {
			err = GZ_EINVAL;
			goto out;
		}
		stored = STORE_DRAFT;
		unpub = old_unpub ? old_unpub : at;
	} else if (status != STORE_DRAFT) {
		pub = published_at ? published_at : old_pub ? old_pub : at;
	}

	if ((err = store_events_article(st, c, id)) != GZ_OK)
		goto out;
	if ((err = store_stmt_bind_int64(c, STMT_ARTICLE_STATUS_SET, set_sql,
					 id, &s)) != GZ_OK)
		goto out;
	rc = store_bind_text(s, 2, status_names[stored]);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, pub);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, unpub);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, at);
	if (rc != DB_OK) {
		err = store_err(c, rc, set_sql);
		goto out;
	}
	err = store_stmt_run(c, s);
	s = NULL;
	if (err != GZ_OK)
		goto out;
	/* A draft's links are unlisted: see the file's invariants. */
	if ((err = run_ids(c, STMT_ARTICLE_TAGS_LISTED, tags_sql, id,
			   stored == STORE_DRAFT ? 0 : pub)) != GZ_OK ||
	    (err = run_ids(c, STMT_ARTICLE_AUTHORS_LISTED, authors_sql, id,
			   stored == STORE_DRAFT ? 0 : pub)) != GZ_OK)
		goto out;
	err = store_revision_record(c, id, actor, status_notes[status], at,
				    true);
	if (err == GZ_OK)
		err = store_events_listings(st);
out:
	store_stmt_done(s);
	err = store_savepoint_end(c, err);
	if (err != GZ_OK)
		store_keys_truncate(st, mark);
	return err;
}

/*
 * Deletes article id. Its comments, tag and author links, revisions and
 * corrections go by ON DELETE CASCADE (foreign_keys is on for every
 * connection, sqlite.c), its search row by the articles_fts_delete
 * trigger; tags, authors and its section stay, and moderation_log keeps
 * its comments' entries (a log outlives what it names). The keys of its
 * page, section, tags and the listings are recorded before the row goes,
 * so the counts are redone (and "nav" fired) at commit. Inside
 * store_tx_begin/commit; all or nothing. Returns GZ_OK, GZ_ENOTFOUND,
 * GZ_ENOMEM or a mapped error.
 */
int
store_article_delete(struct store *st, int64_t id)
{
	static const char delete_sql[] = "DELETE FROM articles WHERE id = ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int64_t found;
	size_t mark;
	int err;

	assert(st);
	c = store_writer(st);
	mark = store_keys_mark(st);
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_ARTICLE_BY_ID, ARTICLE_BY_ID_SQL,
				    id, &s);
	if (err == GZ_OK)
		err = store_stmt_int64(c, s, &found);
	if (err == GZ_OK)
		err = store_events_article(st, c, id);
	if (err == GZ_OK)
		err = store_events_listings(st);
	if (err == GZ_OK)
		err = store_stmt_bind_int64(c, STMT_ARTICLE_DELETE, delete_sql,
					    id, &s);
	if (err == GZ_OK)
		err = store_stmt_run(c, s);
	err = store_savepoint_end(c, err);
	if (err != GZ_OK)
		store_keys_truncate(st, mark);
	return err;
}

/* Reads the dashboard's counts at now into *out, from one statement (one
 * snapshot): pending comments, drafts in review (not taken down),
 * scheduled articles not yet due, articles visible. Returns GZ_OK,
 * GZ_EBUSY or GZ_EDB. */
int
store_dashboard_counts(struct store *st, int64_t now,
		       struct store_dashboard_counts *out)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM comments WHERE status = 'pending'),"
		" (SELECT count(*) FROM articles WHERE status = 'draft'"
		"  AND unpublished_at IS NULL AND review_at IS NOT NULL),"
		" (SELECT count(*) FROM articles WHERE status = 'scheduled'"
		"  AND published_at > ?1),"
		" (SELECT count(*) FROM articles a WHERE " VISIBLE ")";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && out);
	memset(out, 0, sizeof(*out));
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_DASHBOARD_COUNTS, sql, now, &s);
	if (err != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) == GZ_OK) {
		out->comments_pending = db_col_int64(s, 0);
		out->in_review = db_col_int64(s, 1);
		out->scheduled = db_col_int64(s, 2);
		out->published = db_col_int64(s, 3);
	}
	store_stmt_done(s);
	return err;
}
