/*
 * author.c - the people who write the news: authors with a slug, a name
 * and a bio, linked to their articles in byline order.
 *
 * An article's authors are the names its import or editor gives, else
 * the names its byline gives ("By Ann Lee and Ben Ode"): an author is
 * found by slug, then by name, and created on first use, as sections and
 * tags are (store_named_ensure). article_authors keeps each link's
 * published_at (0 for a draft), as article_tags does, so an author's page
 * walks an index range newest first. Schema 8 gave every article that
 * existed then the authors of its byline (store_authors_backfill).
 */
#include <assert.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#define AUTHOR_BY_SLUG "SELECT id, slug, name, bio FROM authors WHERE slug = ?1"

static const struct store_named named_author = {
	.kind = "author",
	.by_slug = STMT_AUTHOR_BY_SLUG,
	.by_name = STMT_AUTHOR_BY_NAME,
	.insert = STMT_AUTHOR_INSERT,
	.slug_set = STMT_AUTHOR_SLUG_SET,
	.by_slug_sql = AUTHOR_BY_SLUG,
	.by_name_sql = "SELECT id FROM authors WHERE name = ?1",
	.insert_sql = "INSERT INTO authors (slug, name) VALUES (?1, ?2) "
		      "RETURNING id",
	.slug_set_sql = "UPDATE authors SET slug = 'author-' || id "
			"WHERE id = ?1",
};

/* Appends p[0..len) to names, trimmed, unless blank. */
static int
byline_name(struct pool *pool, const char *p, size_t len, const char **names,
	    size_t max, size_t *n)
{
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (!len || *n == max)
		return GZ_OK;
	if (!(names[*n] = pool_strndup(pool, p, len)))
		return GZ_ENOMEM;
	(*n)++;
	return GZ_OK;
}

/* The next " and " or " & " at or after p, or NULL; *skip its length. */
static const char *
byline_and(const char *p, size_t *skip)
{
	const char *a = strstr(p, " and "), *b = strstr(p, " & ");

	if (a && (!b || a < b)) {
		*skip = 5;
		return a;
	}
	*skip = 3;
	return b;
}

/*
 * "A, B and C" names three people, but "A, Staff Writer" and "A and B,
 * Reuters" name one and two: a comma lists names only before the last
 * "and"; after it (or with no "and" at all) what follows a comma is a
 * title or an agency, and is dropped.
 */
int
store_byline_names(struct pool *pool, const char *byline, const char **names,
		   size_t max, size_t *n)
{
	const char *p = byline, *and, *end, *comma;
	size_t skip = 0;
	int err;

	*n = 0;
	if (strncmp(p, "By ", 3) == 0 || strncmp(p, "by ", 3) == 0)
		p += 3;
	while ((and = byline_and(p, &skip))) {
		/* Before an "and": a list, split at each comma. */
		for (end = and; p < end; p = comma + 2) {
			comma = strstr(p, ", ");
			if (!comma || comma > end)
				comma = end;
			if ((err = byline_name(pool, p, (size_t)(comma - p), names,
					       max, n)))
				return err;
			if (comma == end)
				break;
		}
		p = and + skip;
	}
	/* The last name: up to a comma, which brings a title. */
	comma = strstr(p, ", ");
	return byline_name(pool, p, comma ? (size_t)(comma - p) : strlen(p),
			   names, max, n);
}

/* Links article id to the authors named names[0..n), in order. */
static int
authors_link(struct store_conn *c, struct pool *scratch, int64_t id,
	     int64_t listed_at, const char *const *names, size_t n)
{
	static const char add_sql[] =
		"INSERT INTO article_authors (article_id, author_id, position,"
		" published_at) VALUES (?1, ?2, ?3, nullif(?4, 0))"
		" ON CONFLICT DO NOTHING";
	struct db_stmt *s;
	int64_t author_id;
	size_t i;
	int err, rc;

	for (i = 0; i < n; i++) {
		err = store_named_ensure(c, scratch, &named_author, names[i],
					 &author_id);
		if (err != GZ_OK)
			return err;
		err = store_stmt_bind_int64(c, STMT_ARTICLE_AUTHOR_ADD, add_sql,
					    id, &s);
		if (err != GZ_OK)
			return err;
		rc = store_bind_int64(s, 2, author_id);
		if (rc == DB_OK)
			rc = store_bind_int64(s, 3, (int64_t)i);
		if (rc == DB_OK)
			rc = store_bind_int64(s, 4, listed_at);
		if (rc != DB_OK) {
			store_stmt_done(s);
			return store_err(c, rc, add_sql);
		}
		if ((err = store_stmt_run(c, s)) != GZ_OK)
			return err;
	}
	return GZ_OK;
}

int
store_article_authors_put(struct store_conn *c, struct pool *scratch,
			  const struct store_article_input *in, int64_t id,
			  bool replace)
{
	static const char clear_sql[] =
		"DELETE FROM article_authors WHERE article_id = ?1";
	const char *names[GZ_LIMIT_AUTHORS];
	const char *const *list = in->authors;
	int64_t listed_at = in->status == STORE_DRAFT ? 0 : in->published_at;
	size_t n = in->nauthors;
	struct db_stmt *s;
	int err;

	if (in->authors && in->nauthors > GZ_LIMIT_AUTHORS)
		return GZ_ETOOBIG;
	if (replace) {
		err = store_stmt_bind_int64(c, STMT_ARTICLE_AUTHORS_CLEAR,
					    clear_sql, id, &s);
		if (err != GZ_OK)
			return err;
		if ((err = store_stmt_run(c, s)) != GZ_OK)
			return err;
	}
	if (!list) {
		if ((err = store_byline_names(scratch, in->byline ? in->byline
					      : "", names, GZ_LIMIT_AUTHORS,
					      &n)) != GZ_OK)
			return err;
		list = names;
	}
	return authors_link(c, scratch, id, listed_at, list, n);
}

int
store_article_authors_read(struct store_conn *c, struct pool *pool,
			   struct store_article *a)
{
	static const char sql[] =
		"SELECT u.slug, u.name FROM article_authors x"
		" JOIN authors u ON u.id = x.author_id"
		" WHERE x.article_id = ?1 ORDER BY x.position";
	struct store_author *arr = NULL;
	struct db_stmt *s;
	size_t cap = 0, len = 0;
	int err, rc;

	a->authors = NULL;
	a->nauthors = 0;
	if ((err = store_stmt_bind_int64(c, STMT_ARTICLE_AUTHORS, sql, a->id,
					 &s)) != GZ_OK)
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
		arr[len].bio = "";
		if (!arr[len].slug || !arr[len].name) {
			store_stmt_done(s);
			return GZ_ENOMEM;
		}
		len++;
	}
	store_stmt_done(s);
	if (rc != DB_DONE)
		return store_err(c, rc, sql);
	a->authors = arr;
	a->nauthors = len;
	return GZ_OK;
}

int
store_authors_backfill(struct store_conn *c)
{
	static const char sql[] =
		"SELECT id, byline, CASE WHEN status = 'draft' THEN 0"
		" ELSE coalesce(published_at, 0) END FROM articles ORDER BY id";
	struct db_stmt *s = NULL;
	struct pool *scratch = pool_new(1u << 20);
	const char *names[GZ_LIMIT_AUTHORS];
	int err = GZ_OK, rc;
	size_t n;

	if (!scratch)
		return GZ_ENOMEM;
	/* Prepared outside the statement cache: it runs once. */
	if ((err = db_prepare(c, sql, &s)) != GZ_OK)
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *byline = db_col_text(s, 1);

		pool_clear(scratch);
		if ((err = store_byline_names(scratch, byline ? byline : "",
					      names, GZ_LIMIT_AUTHORS, &n)) ||
		    (err = authors_link(c, scratch, db_col_int64(s, 0),
					db_col_int64(s, 2), names, n)))
			goto out;
	}
	if (rc != DB_DONE)
		err = store_err(c, rc, sql);
out:
	db_finalize(s);
	pool_free(scratch);
	return err;
}

int
store_author_get(struct store *st, struct pool *pool, const char *slug,
		 struct store_author *out)
{
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && slug && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt_bind_text(c, STMT_AUTHOR_GET, AUTHOR_BY_SLUG, slug,
					&s)) != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) == GZ_OK) {
		out->slug = store_col_text(pool, s, 1);
		out->name = store_col_text(pool, s, 2);
		out->bio = store_col_text(pool, s, 3);
		if (!out->slug || !out->name || !out->bio)
			err = GZ_ENOMEM;
	}
	store_stmt_done(s);
	return err;
}

int
store_author_bio_set(struct store *st, const char *slug, const char *bio)
{
	static const char sql[] = "UPDATE authors SET bio = ?2 WHERE slug = ?1";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	if (!bio || strlen(bio) > GZ_LIMIT_BIO_BYTES || !store_utf8_ok(bio))
		return GZ_EINVAL;
	if ((err = store_stmt_bind_text(c, STMT_AUTHOR_BIO_SET, sql, slug,
					&s)) != GZ_OK)
		return err;
	if ((rc = store_bind_text(s, 2, bio)) != DB_OK) {
		store_stmt_done(s);
		return store_err(c, rc, sql);
	}
	if ((err = store_stmt_run(c, s)) != GZ_OK)
		return err;
	if (db_changes(c) == 0)
		return GZ_ENOTFOUND;
	/* The author's page shows the bio: it is made again. */
	return store_keys_add(st, "front", "");
}

int
store_author_list(struct store *st, struct pool *pool, int64_t now,
		  struct store_author **items, size_t *n)
{
	/* Only who has a story out: a draft's or an embargoed story's byline
	 * must not announce its author. */
	static const char sql[] =
		"SELECT u.slug, u.name FROM authors u WHERE EXISTS (SELECT 1"
		" FROM article_authors x JOIN articles a ON a.id = x.article_id"
		" WHERE x.author_id = u.id AND x.published_at <= ?1"
		" AND " VISIBLE ") ORDER BY lower(u.name), u.name, u.id";
	struct store_author *arr = NULL;
	struct store_conn *c;
	struct db_stmt *s;
	size_t cap = 0, len = 0;
	int err, rc;

	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt_bind_int64(c, STMT_AUTHOR_LIST, sql, now, &s)))
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
		arr[len].bio = "";
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

/* The author's links newest first (article_authors_listed), each article
 * looked up by id, as a tag's listing does. ?1 now, ?2 the author's slug,
 * ?3 limit, ?4 offset. */
#define AUTHOR_FROM                                                        \
	" FROM article_authors x CROSS JOIN articles a"                    \
	" LEFT JOIN sections s ON s.id = a.section_id"                     \
	ARTICLE_IMAGE_JOIN                                                 \
	" WHERE x.author_id = (SELECT id FROM authors WHERE slug = ?2)"    \
	" AND x.published_at <= ?1 AND a.id = x.article_id AND " VISIBLE
static const char list_sql[] =
	"SELECT " ARTICLE_COLS AUTHOR_FROM
	" ORDER BY x.published_at DESC, x.article_id DESC LIMIT ?3 OFFSET ?4";
static const char total_sql[] = "SELECT count(*)" AUTHOR_FROM;

int
store_author_articles(struct store *st, struct pool *pool, int64_t now,
		      const char *slug, size_t limit, size_t offset,
		      struct store_article **items, size_t *n, size_t *total)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t count = 0;
	int err, rc;

	*items = NULL;
	*n = 0;
	*total = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_AUTHOR_ARTICLES_TOTAL, total_sql, &s)))
		goto out;
	rc = store_bind_int64(s, 1, now);
	if (rc == DB_OK)
		rc = store_bind_text(s, 2, slug);
	if (rc != DB_OK) {
		err = store_err(c, rc, total_sql);
		goto out;
	}
	err = store_stmt_int64(c, s, &count);
	s = NULL;
	if (err != GZ_OK)
		goto out;
	if ((err = store_stmt(c, STMT_AUTHOR_ARTICLES, list_sql, &s)))
		goto out;
	rc = store_bind_int64(s, 1, now);
	if (rc == DB_OK)
		rc = store_bind_text(s, 2, slug);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 3, store_size_to_int64(limit));
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, store_size_to_int64(offset));
	if (rc != DB_OK) {
		err = store_err(c, rc, list_sql);
		goto out;
	}
	if ((err = store_article_rows(c, pool, s, list_sql, items, n)) != GZ_OK)
		goto out;
	*total = (size_t)count;
	err = GZ_OK;
out:
	store_stmt_done(s);
	store_read_end(c);
	return err;
}
