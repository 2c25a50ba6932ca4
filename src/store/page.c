/*
 * page.c - the newsroom's own pages: about, contact, corrections policy,
 * privacy (seeded by schema 9 with texts to edit) and any other the site
 * adds, each a slug, a title and a Markdown body, shown at /SLUG and
 * linked from every footer in their order. A write names "nav", which
 * every page's footer depends on.
 */
#include <assert.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/slug.h"

int
store_page_get(struct store *st, struct pool *pool, const char *slug,
	       struct store_page *out)
{
	static const char sql[] =
		"SELECT slug, title, body, updated_at FROM pages WHERE slug = ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && pool && slug && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt_bind_text(c, STMT_PAGE_GET, sql, slug, &s)))
		return err;
	if ((err = store_stmt_row(c, s)) == GZ_OK) {
		out->slug = store_col_text(pool, s, 0);
		out->title = store_col_text(pool, s, 1);
		out->body = store_col_text(pool, s, 2);
		out->updated_at = db_col_int64(s, 3);
		if (!out->slug || !out->title || !out->body)
			err = GZ_ENOMEM;
	}
	store_stmt_done(s);
	return err;
}

int
store_page_list(struct store *st, struct pool *pool, struct store_page **items,
		size_t *n)
{
	static const char sql[] =
		"SELECT slug, title, updated_at FROM pages ORDER BY position, slug";
	struct store_page *arr = NULL;
	struct store_conn *c;
	struct db_stmt *s;
	size_t cap = 0, len = 0;
	int err, rc;

	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt(c, STMT_PAGE_LIST, sql, &s)) != GZ_OK)
		return err;
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			store_stmt_done(s);
			return GZ_ENOMEM;
		}
		arr = p;
		arr[len].slug = store_col_text(pool, s, 0);
		arr[len].title = store_col_text(pool, s, 1);
		arr[len].body = "";
		arr[len].updated_at = db_col_int64(s, 2);
		if (!arr[len].slug || !arr[len].title) {
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

/* True when slug is what slug_make makes of it: the page's URL is it. */
static bool
page_slug_ok(const char *slug)
{
	struct pool *pool = pool_new(4096);
	const char *made;
	bool ok;

	if (!pool)
		return false;
	made = slug_make(pool, slug, strlen(slug));
	ok = made && *made && strcmp(made, slug) == 0;
	pool_free(pool);
	return ok;
}

int
store_page_put(struct store *st, const char *slug, const char *title,
	       const char *body)
{
	/* A new page goes after the others; a replaced one keeps its place. */
	static const char sql[] =
		"INSERT INTO pages (slug, title, body, position, updated_at)"
		" VALUES (?1, ?2, ?3, (SELECT coalesce(max(position), 0) + 1"
		" FROM pages), ?4) ON CONFLICT (slug) DO UPDATE SET"
		" title = excluded.title, body = excluded.body,"
		" updated_at = excluded.updated_at";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	if (!slug || !title || !body || !*title ||
	    strlen(title) > GZ_LIMIT_HEADLINE_BYTES ||
	    strlen(body) > GZ_LIMIT_PAGE_SOURCE_BYTES ||
	    !store_utf8_ok(title) || !store_utf8_ok(body) ||
	    strlen(slug) > SLUG_MAX || !page_slug_ok(slug))
		return GZ_EINVAL;
	if ((err = store_stmt_bind_text(c, STMT_PAGE_PUT, sql, slug, &s)))
		return err;
	rc = store_bind_text(s, 2, title);
	if (rc == DB_OK)
		rc = store_bind_text(s, 3, body);
	if (rc == DB_OK)
		rc = store_bind_int64(s, 4, (int64_t)time(NULL));
	if (rc != DB_OK) {
		store_stmt_done(s);
		return store_err(c, rc, sql);
	}
	if ((err = store_stmt_run(c, s)) != GZ_OK)
		return err;
	return store_keys_add(st, "nav", "");
}

/* What a new site's pages say until the newsroom rewrites them: what
 * each is for, and, for privacy, what gazette itself keeps. */
static const char seed_sql[] =
	"INSERT INTO pages (slug, title, body, position, updated_at) VALUES"
	" ('about', 'About us', 'We report the news of our community: its"
	" council and schools, its courts and businesses, its sport and its"
	" weather. Our reporters and editors work here, and our stories are"
	" signed by the people who wrote them.' || char(10) || char(10) ||"
	" 'This page is the newsroom''s to write: tell readers who you are,"
	" who owns the paper, and how it is paid for.', 1,"
	" CAST(strftime('%s', 'now') AS INTEGER)),"
	" ('contact', 'Contact', 'To send us a news tip, a letter to the"
	" editor or a correction, write to the newsroom. We read everything"
	" we receive, and we protect the people who come to us with"
	" information.' || char(10) || char(10) || 'This page is the"
	" newsroom''s to write: give its email address, telephone number and"
	" street address.', 2, CAST(strftime('%s', 'now') AS INTEGER)),"
	" ('corrections', 'Corrections policy', 'We correct our errors"
	" promptly and in the open. When a story is wrong in a fact that"
	" matters, we fix it and add a note at its end that says what was"
	" wrong and when it was corrected; we do not quietly change what we"
	" published. Spelling and style are fixed without a note.' ||"
	" char(10) || char(10) || 'If you see an error, tell us on the"
	" contact page: name the story and what is wrong.', 3,"
	" CAST(strftime('%s', 'now') AS INTEGER)),"
	" ('privacy', 'Privacy', 'Reading this site sets no cookie and runs"
	" no tracker: there is no advertising network, no analytics script"
	" and no third-party content on its pages.' || char(10) || char(10) ||"
	" 'When you leave a comment we keep what you typed (your name, your"
	" comment and, if you give one, your email address, which is never"
	" shown) and your network address, to stop abuse. Where comments from"
	" returning readers are published without waiting, your browser gets"
	" one cookie, gz_commenter, which only tells us it is the browser of"
	" someone whose comment a moderator approved before. Our server keeps"
	" a log of requests (the address, the page and the time) for"
	" operating the site.' || char(10) || char(10) || 'To have a comment"
	" removed, write to us on the contact page.', 4,"
	" CAST(strftime('%s', 'now') AS INTEGER));";

int
store_pages_seed(struct store *st)
{
	static const char count_sql[] = "SELECT count(*) FROM pages";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int64_t n = 0;
	int err;

	if ((err = store_stmt(c, STMT_PAGE_COUNT, count_sql, &s)) ||
	    (err = store_stmt_int64(c, s, &n)))
		return err;
	if (n > 0)
		return GZ_OK;
	if ((err = store_stmt(c, STMT_PAGE_SEED, seed_sql, &s)) ||
	    (err = store_stmt_run(c, s)))
		return err;
	return store_keys_add(st, "nav", "");
}
