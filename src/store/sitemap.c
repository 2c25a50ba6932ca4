/*
 * sitemap.c - the reads behind /sitemap.xml and /sitemap-news.xml: the
 * visible articles in id order, in pieces, and the newest ones.
 *
 * Rows go to a callback as they are stepped, never into an array, so a
 * sitemap piece of thousands of URLs costs the request's pool nothing and
 * the handler writes each <url> as it comes. Every walk is one read
 * transaction: a piece and the index it belongs to see one snapshot each.
 */
#include <assert.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/pool.h"

/* Visible, as in article.c: published or scheduled, and due at ?1. */
#define SITEMAP_VISIBLE "a.status <> 'draft' AND a.published_at <= ?1"
#define SITEMAP_COLS                                                  \
	"a.id, a.slug, a.headline, a.lang, a.published_at,"           \
	" max(a.published_at, a.updated_at)"

/* Oldest first by id (the rowid: no sort). ?2 limit, ?3 offset. */
static const char each_sql[] =
	"SELECT " SITEMAP_COLS " FROM articles a WHERE " SITEMAP_VISIBLE
	" ORDER BY a.id LIMIT ?2 OFFSET ?3";

/* Each piece of ?2 articles in that order, and its latest change. */
static const char pieces_sql[] =
	"SELECT (n - 1) / ?2, max(m) FROM (SELECT row_number() OVER"
	" (ORDER BY a.id) AS n, max(a.published_at, a.updated_at) AS m"
	" FROM articles a WHERE " SITEMAP_VISIBLE ") GROUP BY 1 ORDER BY 1";

/* Published in [?2, ?1], newest first: a range of articles_published. */
static const char news_sql[] =
	"SELECT " SITEMAP_COLS " FROM articles a WHERE " SITEMAP_VISIBLE
	" AND a.published_at >= ?2 ORDER BY a.published_at DESC, a.id DESC"
	" LIMIT ?3";

/* Steps s (bound, taken on c inside a read transaction) and hands each
 * row to fn. Returns GZ_OK, fn's error or a mapped error. */
static int
sitemap_walk(struct store_conn *c, struct db_stmt *s, const char *what,
	     store_sitemap_fn fn, void *ctx)
{
	struct store_sitemap_row row;
	int rc, err;

	while ((rc = db_step(s)) == DB_ROW) {
		row.id = db_col_int64(s, 0);
		row.slug = db_col_text(s, 1);
		row.headline = db_col_text(s, 2);
		row.lang = db_col_text(s, 3);
		row.published_at = db_col_int64(s, 4);
		row.modified_at = db_col_int64(s, 5);
		if (!row.slug || !row.headline || !row.lang)
			return GZ_ENOMEM; /* SQLite could not make the text */
		if ((err = fn(ctx, &row)) != GZ_OK)
			return err;
	}
	return rc == DB_DONE ? GZ_OK : store_err(c, rc, what);
}

/* Runs sql (statement id) with ?1 now, ?2 a, ?3 b, walking its rows. */
static int
sitemap_run(struct store *st, enum store_stmt_id id, const char *sql,
	    int64_t now, int64_t a, int64_t b, store_sitemap_fn fn, void *ctx)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int err, rc;

	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, id, sql, &s)) != GZ_OK)
		goto out;
	rc = store_bind_int64(s, 1, now);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, a);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, b);
	err = rc == DB_OK ? sitemap_walk(c, s, sql, fn, ctx)
			      : store_err(c, rc, sql);
out:
	store_stmt_done(s);
	store_read_end(c);
	return err;
}

int
store_sitemap_each(struct store *st, int64_t now, size_t offset,
		   size_t limit, store_sitemap_fn fn, void *ctx)
{
	assert(st && fn);
	return sitemap_run(st, STMT_SITEMAP_EACH, each_sql, now,
			   store_size_to_int64(limit),
			   store_size_to_int64(offset), fn, ctx);
}

int
store_sitemap_news(struct store *st, int64_t now, int64_t since,
		   size_t limit, store_sitemap_fn fn, void *ctx)
{
	assert(st && fn);
	return sitemap_run(st, STMT_SITEMAP_NEWS, news_sql, now, since,
			   store_size_to_int64(limit), fn, ctx);
}

int
store_sitemap_pieces(struct store *st, struct pool *pool, int64_t now,
		     size_t per, int64_t **lastmod, size_t *n)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t *arr = NULL;
	size_t cap = 0, len = 0;
	int err, rc;

	assert(st && pool && per && lastmod && n);
	*lastmod = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_SITEMAP_PIECES, pieces_sql, &s)) != GZ_OK)
		goto out;
	rc = store_bind_int64(s, 1, now);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, store_size_to_int64(per));
	if (rc != DB_OK) {
		err = store_err(c, rc, pieces_sql);
		goto out;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		/* Pieces come in order and none is empty: row k is piece k. */
		arr[len++] = db_col_int64(s, 1);
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, pieces_sql);
		goto out;
	}
	*lastmod = arr;
	*n = len;
	err = GZ_OK;
out:
	store_stmt_done(s);
	store_read_end(c);
	return err;
}
