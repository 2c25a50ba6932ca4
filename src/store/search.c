/*
 * search.c - full-text search over the articles (FTS5, articles_fts, see
 * the version 7 migration in sqlite.c): ranked by BM25 with the headline
 * weighted above the summary above the body, the newer story first
 * between equals, with a highlighted snippet of the body and the
 * headline.
 *
 * The caller hands an FTS5 query it built (site/search_query.c quotes
 * every word a reader typed); a query FTS5 still refuses is answered
 * GZ_EINVAL, never logged as a database failure. The page and its total
 * come from one snapshot.
 */
#include <assert.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/pool.h"

/* Column weights for bm25(): headline, summary, body_text. */
#define SEARCH_WEIGHTS "10.0, 4.0, 1.0"

/* ?1 now, ?2 the query, ?3 limit, ?4 offset. Markers: U+0001 opens a
 * match, U+0002 closes it (site/search.c escapes the text, then turns
 * them into <mark>). */
static const char search_sql[] =
	"SELECT " ARTICLE_COLS ","
	" highlight(articles_fts, 0, char(1), char(2)),"
	" snippet(articles_fts, 2, char(1), char(2), '…', 24)"
	" FROM articles_fts f JOIN articles a ON a.id = f.rowid"
	" LEFT JOIN sections s ON s.id = a.section_id"
	" WHERE articles_fts MATCH ?2 AND " VISIBLE
	" ORDER BY bm25(articles_fts, " SEARCH_WEIGHTS "),"
	" a.published_at DESC, a.id DESC LIMIT ?3 OFFSET ?4";
static const char search_total_sql[] =
	"SELECT count(*) FROM articles_fts f JOIN articles a ON a.id = f.rowid"
	" WHERE articles_fts MATCH ?2 AND " VISIBLE;

/* FTS5 reports a query it cannot parse as SQLITE_ERROR: the reader's
 * text, not the database, is at fault. */
static int
search_err(struct store_conn *c, int rc, const char *sql)
{
	return rc == SQLITE_ERROR ? GZ_EINVAL : store_err(c->db, rc, sql);
}

static int
search_bind(sqlite3_stmt *s, int64_t now, const char *match)
{
	int rc = store_bind_int64(s, 1, now);

	return rc == SQLITE_OK ? store_bind_text(s, 2, match) : rc;
}

int
store_search(struct store *st, struct pool *pool, int64_t now,
	     const char *match, size_t limit, size_t offset,
	     struct store_search_hit **hits, size_t *n, size_t *total)
{
	struct store_conn *c;
	struct store_search_hit *arr = NULL;
	sqlite3_stmt *s = NULL;
	size_t cap = 0, len = 0;
	int64_t count = 0;
	int err, rc;

	assert(st && pool && match && hits && n && total);
	*hits = NULL;
	*n = 0;
	*total = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_SEARCH_TOTAL, search_total_sql, &s)))
		goto out;
	if ((rc = search_bind(s, now, match)) != SQLITE_OK) {
		err = store_err(c->db, rc, search_total_sql);
		goto out;
	}
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		err = search_err(c, rc, search_total_sql);
		goto out;
	}
	count = sqlite3_column_int64(s, 0);
	store_stmt_done(s);
	s = NULL;
	if ((err = store_stmt(c, STMT_SEARCH, search_sql, &s)))
		goto out;
	rc = search_bind(s, now, match);
	if (rc == SQLITE_OK)
		rc = store_bind_int64(s, 3, store_size_to_int64(limit));
	if (rc == SQLITE_OK)
		rc = store_bind_int64(s, 4, store_size_to_int64(offset));
	if (rc != SQLITE_OK) {
		err = store_err(c->db, rc, search_sql);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		if ((err = store_article_row(pool, s, &arr[len].article)))
			goto out;
		arr[len].headline_marked = store_col_text(pool, s, 15);
		arr[len].snippet = store_col_text(pool, s, 16);
		if (!arr[len].headline_marked || !arr[len].snippet) {
			err = GZ_ENOMEM;
			goto out;
		}
		len++;
	}
	if (rc != SQLITE_DONE) {
		err = search_err(c, rc, search_sql);
		goto out;
	}
	*hits = arr;
	*n = len;
	*total = (size_t)count;
	err = GZ_OK;
out:
	store_stmt_done(s);
	store_read_end(c);
	return err;
}
