/*
 * section.c - sections of the newsroom ("World", "Business"): listing
 * them with their counts of visible articles, reading one by slug, and
 * the find-or-create that store_article_put uses for sections and tags.
 *
 * Data flow: the front page and /section/{slug} handlers read through the
 * calling thread's reader; store_named_ensure runs on the writer inside
 * the caller's transaction.
 *
 * Invariants: a section's slug and name are each unique; a slug is never
 * empty once the creating call returns (a name with no slug characters
 * gets "section-<id>").
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <string.h>

#include "util/err.h"
#include "util/pool.h"
#include "util/slug.h"

/* Shared by store_section_get (all three columns) and the find-or-create
 * (first column), so that one connection never holds two texts for it. */
#define SECTION_BY_SLUG "SELECT id, slug, name FROM sections WHERE slug = ?1"

const struct store_named store_named_section = {
	.kind = "section",
	.by_slug = STMT_SECTION_BY_SLUG,
	.by_name = STMT_SECTION_BY_NAME,
	.insert = STMT_SECTION_INSERT,
	.slug_set = STMT_SECTION_SLUG_SET,
	.by_slug_sql = SECTION_BY_SLUG,
	.by_name_sql = "SELECT id FROM sections WHERE name = ?1",
	.insert_sql = "INSERT INTO sections (slug, name) VALUES (?1, ?2) "
		      "RETURNING id",
	.slug_set_sql = "UPDATE sections SET slug = 'section-' || id "
			"WHERE id = ?1",
};

int
store_named_ensure(struct store_conn *c, struct pool *scratch,
		   const struct store_named *k, const char *name, int64_t *id)
{
	struct db_stmt *s = NULL;
	const char *slug;
	int err, rc;

	assert(c && scratch && k && name && id);
	if (!(slug = slug_make(scratch, name, strlen(name))))
		return GZ_ENOMEM;
	if (*slug) {
		err = store_find_text(c, k->by_slug, k->by_slug_sql, slug, id);
		if (err != GZ_ENOTFOUND)
			return err;
	}
	/* By name too: a name whose slug is empty, or whose slug changed
	 * with a newer slug_make, is still the same section. */
	err = store_find_text(c, k->by_name, k->by_name_sql, name, id);
	if (err != GZ_ENOTFOUND)
		return err;

	if ((err = store_stmt(c, k->insert, k->insert_sql, &s)) != GZ_OK)
		return err;
	/* An empty slug stands in until slug_set below, in the same
	 * transaction; the caller's savepoint undoes it if that fails. */
	rc = store_bind_text(s, 1, slug);
	if (rc == DB_OK)
		rc = store_bind_text(s, 2, name);
	if (rc != DB_OK) {
		err = store_err(c, rc, k->insert_sql);
		store_stmt_done(s);
		return err;
	}
	if ((err = store_stmt_int64(c, s, id)) != GZ_OK)
		return err == GZ_ENOTFOUND ? GZ_EDB : err;
	if (*slug)
		return GZ_OK;

	err = store_stmt_bind_int64(c, k->slug_set, k->slug_set_sql, *id, &s);
	if (err != GZ_OK)
		return err;
	return store_stmt_run(c, s);
}

/* Lists every section by name (case folded for ASCII, then exact), each
 * with its count of articles visible at now; sections without one are
 * listed with 0. The count is the one kept on write (visible at
 * counted_at, events.c), corrected by the articles whose published_at
 * lies between counted_at and now: two short ranges of
 * articles_listed_section, not a count of the archive.
 * Output: *items (pool array, NULL when *n is 0), *n.
 * Returns GZ_OK, GZ_ENOMEM or a mapped error. */
int
store_section_list(struct store *st, struct pool *pool, int64_t now,
		   struct store_section **items, size_t *n)
{
	static const char sql[] =
		"SELECT s.id, s.slug, s.name, s.article_count"
		" + (SELECT count(*) FROM articles a WHERE a.section_id = s.id"
		"  AND a.status <> 'draft' AND a.published_at > s.counted_at"
		"  AND a.published_at <= ?1)"
		" - (SELECT count(*) FROM articles a WHERE a.section_id = s.id"
		"  AND a.status <> 'draft' AND a.published_at > ?1"
		"  AND a.published_at <= s.counted_at)"
		" FROM sections s ORDER BY lower(s.name), s.name, s.id";
	struct store_conn *c;
	struct store_section *arr = NULL, *sec;
	struct db_stmt *s = NULL;
	size_t cap = 0, len = 0;
	bool reading = false;
	int err, rc;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	reading = true;
	err = store_stmt_bind_int64(c, STMT_SECTION_LIST, sql, now, &s);
	if (err != GZ_OK)
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		sec = &arr[len];
		sec->id = db_col_int64(s, 0);
		sec->slug = store_col_text(pool, s, 1);
		sec->name = store_col_text(pool, s, 2);
		sec->article_count = db_col_int64(s, 3);
		if (!sec->slug || !sec->name) {
			err = GZ_ENOMEM;
			goto out;
		}
		len++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, sql);
		goto out;
	}
	*items = arr;
	*n = len;
	err = GZ_OK;
out:
	store_stmt_done(s);
	if (reading)
		store_read_end(c);
	return err;
}

/* Reads the section whose slug is slug into *out (strings in pool;
 * article_count 0). Returns GZ_OK, GZ_ENOTFOUND, GZ_ENOMEM or a mapped
 * error. */
int
store_section_get(struct store *st, struct pool *pool, const char *slug,
		  struct store_section *out)
{
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && slug && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_text(c, STMT_SECTION_BY_SLUG, SECTION_BY_SLUG,
				   slug, &s);
	if (err != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) != GZ_OK)
		goto out;
	out->id = db_col_int64(s, 0);
	out->slug = store_col_text(pool, s, 1);
	out->name = store_col_text(pool, s, 2);
	out->article_count = 0;
	err = out->slug && out->name ? GZ_OK : GZ_ENOMEM;
out:
	store_stmt_done(s);
	return err;
}
