/*
 * search.c - full-text search over the articles (FTS5, articles_fts, see
 * the version 7 migration in sqlite.c): ranked by BM25 with the headline
 * weighted above the summary above the body, the newer story first
 * between equals, with a highlighted snippet of the body and the
 * headline.
 *
 * Bounded work per query, whatever the size of the archive: FTS5 walks
 * a word's matches in rowid order cheaply, so a search takes the most
 * recent STORE_SEARCH_MAX visible matches by id (the order stories are
 * stored in, which for a newsroom is the order they are published),
 * ranks those by BM25 and cuts the page from them; the total counts
 * them too, and says when there were more. For a word most stories
 * hold ("council", "the") the ranking thus covers the recent stories
 * only: readers of news want those, and the older ones stay reachable
 * by a rarer word. The headline's highlight and the body's snippet
 * (which tokenise the whole text) are made for the page's rows only, in
 * one more FTS5 scan limited to the page's range of rowids. Measured at 100,000 articles in
 * docs/store.md.
 *
 * The caller hands an FTS5 query it built (site/search_query.c quotes
 * every word a reader typed); a query FTS5 still refuses is answered
 * GZ_EINVAL, never logged as a database failure. The page, its rows and
 * its total come from one snapshot (one read transaction).
 */
#include <assert.h>
#include <stdio.h>


#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/pool.h"

/* Column weights for bm25(): headline, summary, body_text. */
#define SEARCH_WEIGHTS "10.0, 4.0, 1.0"

/* ?1 now, ?2 the query, ?3 limit, ?4 offset, ?5 STORE_SEARCH_MAX. c is
 * the most recent ?5 + 1 visible matches (FTS5 hands them in rowid
 * order: the plan is one scan of articles_fts, "INDEX 192", and a lookup
 * of each article by id); r the ?5 of them that are ranked. One row per
 * story of the page, each with the count of c (more than ?5: capped),
 * or a single row with a NULL id when the page is empty, so that the
 * total is known past the last page too. */
static const char search_page_sql[] =
	"WITH c AS MATERIALIZED ("
	"  SELECT f.rowid AS id, bm25(articles_fts, " SEARCH_WEIGHTS ") AS score,"
	"  a.published_at AS at"
	"  FROM articles_fts f JOIN articles a ON a.id = f.rowid"
	"  WHERE articles_fts MATCH ?2 AND " VISIBLE
	"  ORDER BY f.rowid DESC LIMIT ?5 + 1),"
	" r AS (SELECT id, score, at FROM c ORDER BY id DESC LIMIT ?5)"
	" SELECT n.total, p.id FROM (SELECT count(*) AS total FROM c) n"
	" LEFT JOIN (SELECT id, score, at FROM r"
	"  ORDER BY score, at DESC, id DESC LIMIT ?3 OFFSET ?4) p ON 1"
	" ORDER BY p.score, p.at DESC, p.id DESC";

/* ?1 the query, ?2 and ?3 the lowest and highest id of the page, ?4
 * the page's ids as a JSON array. Markers: U+0001 opens a match, U+0002
 * closes it (site/search.c escapes the text, then turns them into
 * <mark>). One FTS5 scan over the page's range of rowids ("INDEX 0:M><":
 * a prefix query merges its words' doclists once, not once a row), the
 * "+" keeping the ids out of FTS5's hands so that they filter that scan
 * instead of starting one scan each; highlight() and snippet() run for
 * the rows that pass only. */
static const char search_rows_sql[] =
	"SELECT " ARTICLE_COLS ","
	" highlight(articles_fts, 0, char(1), char(2)),"
	" snippet(articles_fts, 2, char(1), char(2), '…', 24)"
	" FROM articles_fts f JOIN articles a ON a.id = f.rowid"
	" LEFT JOIN sections s ON s.id = a.section_id" ARTICLE_IMAGE_JOIN
	" WHERE articles_fts MATCH ?1 AND f.rowid BETWEEN ?2 AND ?3"
	" AND +f.rowid IN (SELECT value FROM json_each(?4))";

/* FTS5 reports a query it cannot parse as SQLITE_ERROR: the reader's
 * text, not the database, is at fault. */
static int
search_err(struct store_conn *c, int rc, const char *sql)
{
	return db_bad_query(c, rc) ? GZ_EINVAL : store_err(c, rc, sql);
}

/* Reads the ids of the page into *ids (pool array, *n of them, at most
 * limit) and the count of the candidates into *count. */
static int
search_page(struct store_conn *c, struct pool *pool, int64_t now,
	    const char *match, size_t limit, size_t offset, int64_t **ids,
	    size_t *n, int64_t *count)
{
	struct db_stmt *s = NULL;
	int64_t *arr = NULL;
	size_t cap = 0, len = 0;
	int err, rc;

	if ((err = store_stmt(c, STMT_SEARCH, search_page_sql, &s)))
		return err;
	rc = store_bind_int64(s, 1, now);
	if (rc == DB_OK)
		rc = store_bind_text(s, 2, match);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, store_size_to_int64(limit));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, store_size_to_int64(offset));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 5, STORE_SEARCH_MAX);
	if (rc != DB_OK) {
		err = store_err(c, rc, search_page_sql);
		goto out;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		void *p;

		*count = db_col_int64(s, 0);
		if (db_col_null(s, 1))
			continue;
		if (!(p = store_grow(pool, arr, &cap, len, sizeof(*arr)))) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		arr[len++] = db_col_int64(s, 1);
	}
	if (rc != DB_DONE) {
		err = search_err(c, rc, search_page_sql);
		goto out;
	}
	*ids = arr;
	*n = len;
	err = GZ_OK;
out:
	store_stmt_done(s);
	return err;
}

/* The largest text of one id in search_rows' JSON array, and a comma. */
#define SEARCH_ID_CHARS 21

/* Fills hits[i] for each of the n ids of the page (n > 0), in their
 * order: the article, its highlighted headline and snippet. An id the
 * scan does not give (one snapshot rules that out) leaves its hit
 * zeroed. Returns GZ_OK or a mapped error. */
static int
search_rows(struct store_conn *c, struct pool *pool, const char *match,
	    const int64_t *ids, size_t n, struct store_search_hit *hits)
{
	struct db_stmt *s = NULL;
	int64_t lo = ids[0], hi = ids[0];
	size_t cap = n * SEARCH_ID_CHARS + 3, len = 0, i;
	char *list;
	int err, rc;

	assert(n > 0);
	if (!(list = pool_alloc(pool, cap)))
		return GZ_ENOMEM;
	list[len++] = '[';
	for (i = 0; i < n; i++) {
		int w = snprintf(list + len, cap - len, "%s%lld", i ? "," : "",
				 (long long)ids[i]);

		assert(w > 0 && (size_t)w < cap - len);
		len += (size_t)w;
		lo = ids[i] < lo ? ids[i] : lo;
		hi = ids[i] > hi ? ids[i] : hi;
	}
	list[len++] = ']';
	list[len] = '\0';
	if ((err = store_stmt(c, STMT_SEARCH_ROWS, search_rows_sql, &s)))
		return err;
	rc = store_bind_text(s, 1, match);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 2, lo);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, hi);
	if (rc == DB_OK)
		rc = store_bind_text(s, 4, list);
	if (rc != DB_OK) {
		err = store_err(c, rc, search_rows_sql);
		goto out;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		struct store_search_hit *h = NULL;
		int64_t id = db_col_int64(s, 0);

		for (i = 0; i < n && !h; i++)
			if (ids[i] == id)
				h = &hits[i];
		if (!h)
			continue;
		if ((err = store_article_row(pool, s, &h->article)))
			goto out;
		h->headline_marked = store_col_text(pool, s, ARTICLE_NCOLS);
		h->snippet = store_col_text(pool, s, ARTICLE_NCOLS + 1);
		if (!h->headline_marked || !h->snippet) {
			err = GZ_ENOMEM;
			goto out;
		}
	}
	err = rc == DB_DONE ? GZ_OK : search_err(c, rc, search_rows_sql);
out:
	store_stmt_done(s);
	return err;
}

int
store_search(struct store *st, struct pool *pool, int64_t now,
	     const char *match, size_t limit, size_t offset,
	     struct store_search_hit **hits, size_t *n, size_t *total,
	     bool *capped)
{
	struct store_conn *c;
	struct store_search_hit *arr = NULL;
	int64_t *ids = NULL, count = 0;
	size_t nids = 0, len = 0, i;
	int err;

	assert(st && pool && match && hits && n && total && capped);
	*hits = NULL;
	*n = 0;
	*total = 0;
	*capped = false;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	if ((err = search_page(c, pool, now, match, limit, offset, &ids, &nids,
			       &count)))
		goto out;
	if (nids && !(arr = pool_calloc(pool, nids, sizeof(*arr)))) {
		err = GZ_ENOMEM;
		goto out;
	}
	if (nids && (err = search_rows(c, pool, match, ids, nids, arr)))
		goto out;
	for (i = 0; i < nids; i++)
		if (arr[i].snippet)
			arr[len++] = arr[i];
	*hits = arr;
	*n = len;
	*capped = count > STORE_SEARCH_MAX;
	*total = (size_t)(*capped ? STORE_SEARCH_MAX : count);
	err = GZ_OK;
out:
	store_read_end(c);
	return err;
}
