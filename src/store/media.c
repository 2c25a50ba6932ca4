/*
 * media.c - the photo library (schema 12): recording an uploaded image
 * whose variant files media/ has already written, reading and listing
 * the library, an editor's words and focal point, deleting an unused
 * image, and the articles that use one as their lead image.
 *
 * Data flow: the admin's upload (and an import) calls media_ingest,
 * then store_media_add; the library pages read through the calling
 * thread's reader. Articles reach their image through ARTICLE_COLS'
 * join (store_int.h), not through this file.
 *
 * Invariants:
 * - One row per hash: the same bytes uploaded again find the row they
 *   made, whose words stay as the editor left them.
 * - alt is "" only when decorative; every text is valid UTF-8 of at most
 *   GZ_LIMIT_MEDIA_TEXT_BYTES, and alt, caption and credit are one line
 *   without controls or bidi overrides (utf8_find_line_control);
 *   focal_x, focal_y are in 0..1000. Checked
 *   here before anything is written (the schema's CHECKs are the
 *   backstop).
 * - A row an article uses is never deleted (GZ_EBUSY), so an article's
 *   image_id always names a row. An article uses an image as its lead
 *   image, or inline: its body holds "/media/<ab>/<hash>-" (the
 *   library's Markdown snippet names a variant so, at any width and
 *   format). article_media (schema 14) holds the inline uses: every
 *   body write replaces the article's rows (store_media_article_link,
 *   in store_article_put's savepoint) and a new row links the bodies
 *   that already name its hash (store_media_add), so the uses counts,
 *   the list of users and the delete's refusal read an index, never
 *   the bodies.
 * - A change of words or focal point records the change keys of every
 *   article using the image (its page and every card of it), so cached
 *   pages that show the old alt, caption or crop drop.
 * - Writes join the caller's transaction when it holds one, else run in
 *   their own.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

#define MEDIA_NWIDTHS \
	(sizeof(((struct store_media *)0)->widths) / sizeof(int))
/* A variant wider than this is no variant media/ makes. */
#define MEDIA_WIDTH_MAX 100000
/* "100000," at most per width. */
#define MEDIA_WIDTHS_TEXT (MEDIA_NWIDTHS * 7 + 1)
/* The library page's search, as the admin's article search caps it. */
#define MEDIA_SEARCH_MAX GZ_LIMIT_SEARCH_BYTES

static const char *const media_formats[] = {"jpeg", "png", "webp", "avif"};

/* What an article's body holds where it shows the image of hash h
 * inline (an SQL expression): "/media/ab/<hash>-". Only store_media_add
 * scans the bodies with it; store_media_hashes_in finds the same in one
 * body. */
#define MEDIA_INLINE(h) \
	"('/media/' || substr(" h ", 1, 2) || '/' || " h " || '-')"
/* The number of articles using image m (an SQL expression): those with
 * it as their lead image (articles_image), then those showing it inline
 * (article_media_media) that do not also have it as their lead image,
 * so each article counts once. */
#define MEDIA_USES(m)                                                    \
	"((SELECT count(*) FROM articles a WHERE a.image_id = " m ".id)"  \
	" + (SELECT count(*) FROM article_media am JOIN articles a"       \
	" ON a.id = am.article_id WHERE am.media_id = " m ".id"          \
	" AND a.image_id IS NOT " m ".id))"

static const char media_get_sql[] =
	"SELECT " MEDIA_COLS ", " MEDIA_USES("m") " FROM media m WHERE m.id = ?1";
static const char media_get_lite_sql[] =
	"SELECT " MEDIA_COLS ", 0 FROM media m WHERE m.id = ?1";
/* The row of a hash (store_media_add on the writer, store_media_hash_used
 * on a reader). */
static const char media_by_hash_sql[] = "SELECT id FROM media WHERE hash = ?1";

/* ?1 the search folded to ASCII lower case (NULL: all), as the admin's
 * list folds it (lower() folds ASCII only). Newest first down
 * media_created. */
#define MEDIA_MATCH                                                     \
	" WHERE (?1 IS NULL OR instr(lower(m.alt), ?1) > 0"             \
	" OR instr(lower(m.caption), ?1) > 0"                           \
	" OR instr(lower(m.credit), ?1) > 0)"
/* The page's rows first, then the uses of those few (index lookups). */
static const char media_list_sql[] =
	"WITH page AS MATERIALIZED (SELECT * FROM media m" MEDIA_MATCH
	" ORDER BY m.created_at DESC, m.id DESC LIMIT ?2 OFFSET ?3)"
	" SELECT " MEDIA_COLS ", " MEDIA_USES("m") " FROM page m"
	" ORDER BY m.created_at DESC, m.id DESC";
static const char media_total_sql[] =
	"SELECT count(*) FROM media m" MEDIA_MATCH;

/* The articles using image ?1 as their lead image (articles_image):
 * those whose pages show its words and crop. */
static const char media_users_sql[] =
	"SELECT id FROM articles WHERE image_id = ?1";

/* True when s has a character other than ASCII white space. */
static bool
media_has_text(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return true;
	return false;
}

/* NULL, or valid UTF-8 of at most GZ_LIMIT_MEDIA_TEXT_BYTES. */
static bool
media_text_ok(const char *s)
{
	return !s || (strlen(s) <= GZ_LIMIT_MEDIA_TEXT_BYTES &&
		      store_utf8_ok(s));
}

/* One of an image's words: as media_text_ok, and without the control
 * and bidi characters utf8_find_line_control finds (the admin's form,
 * gazette media and imports refuse them first, naming the field). */
static bool
media_word_ok(const char *s)
{
	return media_text_ok(s) &&
	       (!s || utf8_find_line_control(s, strlen(s), NULL) == strlen(s));
}

/* The words of an image, as store_media_add and store_media_update take
 * them: GZ_OK or GZ_EINVAL. */
static int
media_words_check(const char *alt, bool decorative, const char *caption,
		  const char *credit)
{
	if (!media_word_ok(alt) || !media_word_ok(caption) ||
	    !media_word_ok(credit))
		return GZ_EINVAL;
	if (!decorative && !media_has_text(alt))
		return GZ_EINVAL;
	return GZ_OK;
}

static bool
media_hash_ok(const char *h)
{
	size_t i;

	if (!h || strlen(h) != 32)
		return false;
	for (i = 0; i < 32; i++)
		if (!strchr("0123456789abcdef", h[i]))
			return false;
	return true;
}

static bool
media_format_ok(const char *f)
{
	size_t i;

	for (i = 0; f && i < sizeof(media_formats) / sizeof(*media_formats);
	     i++)
		if (strcmp(f, media_formats[i]) == 0)
			return true;
	return false;
}

/* Writes in's widths as "320,640,960" into buf (MEDIA_WIDTHS_TEXT
 * bytes). Returns GZ_OK, or GZ_EINVAL when there are too many, one is
 * out of range or they are not narrowest first. */
static int
media_widths_text(const struct store_media_input *in, char *buf)
{
	size_t i, len = 0;
	int n;

	buf[0] = '\0';
	if (in->nwidths > MEDIA_NWIDTHS || (in->nwidths && !in->widths))
		return GZ_EINVAL;
	for (i = 0; i < in->nwidths; i++) {
		if (in->widths[i] <= 0 || in->widths[i] > MEDIA_WIDTH_MAX ||
		    (i && in->widths[i] <= in->widths[i - 1]))
			return GZ_EINVAL;
		n = snprintf(buf + len, MEDIA_WIDTHS_TEXT - len, "%s%d",
			     i ? "," : "", in->widths[i]);
		if (n < 0 || (size_t)n >= MEDIA_WIDTHS_TEXT - len)
			return GZ_EINVAL;
		len += (size_t)n;
	}
	return GZ_OK;
}

/* Reads "320,640,960" into m->widths. Returns GZ_OK or GZ_EDB. */
static int
media_widths_parse(const char *t, struct store_media *m)
{
	long v;

	m->nwidths = 0;
	while (t && *t) {
		if (m->nwidths == MEDIA_NWIDTHS || *t < '0' || *t > '9')
			return GZ_EDB;
		for (v = 0; *t >= '0' && *t <= '9'; t++) {
			v = v * 10 + (*t - '0');
			if (v > MEDIA_WIDTH_MAX)
				return GZ_EDB;
		}
		m->widths[m->nwidths++] = (int)v;
		if (*t == ',' && t[1])
			t++;
		else if (*t)
			return GZ_EDB;
	}
	return GZ_OK;
}

/* One parameter of a media statement: text (NULL binds NULL) or an
 * integer. */
struct media_arg {
	const char *text;
	int64_t num;
	bool is_text;
};
#define MEDIA_TEXT(s) {(s), 0, true}
#define MEDIA_NUM(v) {NULL, (int64_t)(v), false}

/* store_stmt, then args[0..n) bound to ?1..?n: the one prepare-and-bind
 * every statement of this file goes through. Output: *out (NULL on an
 * error). Returns GZ_OK or a mapped error. */
static int
media_stmt(struct store_conn *c, enum store_stmt_id id, const char *sql,
	   const struct media_arg *args, size_t n, struct db_stmt **out)
{
	size_t i;
	int err, rc = DB_OK;

	if ((err = store_stmt(c, id, sql, out)) != GZ_OK)
		return err;
	for (i = 0; i < n && rc == DB_OK; i++)
		rc = args[i].is_text
			     ? store_bind_text(*out, (int)i + 1, args[i].text)
			     : store_bind_int64(*out, (int)i + 1, args[i].num);
	if (rc == DB_OK)
		return GZ_OK;
	err = store_err(c, rc, sql);
	store_stmt_done(*out);
	*out = NULL;
	return err;
}

/* media_stmt, then the statement run (no row expected). */
static int
media_run(struct store_conn *c, enum store_stmt_id id, const char *sql,
	  const struct media_arg *args, size_t n)
{
	struct db_stmt *s;
	int err;

	if ((err = media_stmt(c, id, sql, args, n, &s)) != GZ_OK)
		return err;
	return store_stmt_run(c, s);
}

/* media_stmt, then the first column of its one row into *v: GZ_OK,
 * GZ_ENOTFOUND (no row) or a mapped error. */
static int
media_int64(struct store_conn *c, enum store_stmt_id id, const char *sql,
	    const struct media_arg *args, size_t n, int64_t *v)
{
	struct db_stmt *s;
	int err;

	if ((err = media_stmt(c, id, sql, args, n, &s)) != GZ_OK)
		return err;
	return store_stmt_int64(c, s, v);
}

#define MEDIA_NARGS(a) (sizeof(a) / sizeof((a)[0]))

int
store_media_row(struct pool *pool, struct db_stmt *s, int first,
		struct store_media *m)
{
	memset(m, 0, sizeof(*m));
	m->id = db_col_int64(s, first);
	m->hash = store_col_text(pool, s, first + 1);
	m->format = store_col_text(pool, s, first + 2);
	m->width = db_col_int(s, first + 3);
	m->height = db_col_int(s, first + 4);
	m->bytes = db_col_int64(s, first + 5);
	m->avif = db_col_int(s, first + 7) != 0;
	m->alt = store_col_text(pool, s, first + 8);
	m->decorative = db_col_int(s, first + 9) != 0;
	m->caption = store_col_text(pool, s, first + 10);
	m->credit = store_col_text(pool, s, first + 11);
	m->focal_x = db_col_int(s, first + 12);
	m->focal_y = db_col_int(s, first + 13);
	m->created_at = db_col_int64(s, first + 14);
	m->actor = store_col_text(pool, s, first + 15);
	if (!m->hash || !m->format || !m->alt || !m->caption || !m->credit ||
	    !m->actor)
		return GZ_ENOMEM;
	return media_widths_parse(
		db_col_text(s, first + 6), m);
}

/* Begins a transaction of the write's own unless the caller holds one.
 * Output: *own (end it with media_tx_end). */
static int
media_tx_begin(struct store *st, bool *own)
{
	int err;

	*own = !store_tx_held(st);
	if (*own && (err = store_tx_begin(st)) != GZ_OK) {
		*own = false;
		return err;
	}
	return GZ_OK;
}

/* Ends what media_tx_begin began: commits on GZ_OK, else rolls back;
 * in the caller's transaction, forgets the keys recorded since mark on
 * error (what the write did is then undone by its savepoint, or it
 * wrote nothing). Returns err, or the commit's error. */
static int
media_tx_end(struct store *st, bool own, size_t mark, int err)
{
	if (!own) {
		if (err != GZ_OK)
			store_keys_truncate(st, mark);
		return err;
	}
	if (err != GZ_OK) {
		store_tx_rollback(st);
		return err;
	}
	return store_tx_commit(st);
}

/* A lowercase hex digit (what media_hash_ok allows). */
static bool
media_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

int
store_media_hashes_in(const char *body,
		      int (*fn)(void *ctx, const char *hash), void *ctx)
{
	static const char mark[] = "/media/";
	const size_t marklen = sizeof(mark) - 1;
	char hash[33];
	const char *p, *q;
	size_t i;
	int err;

	assert(fn);
	for (p = body; p && (p = strstr(p, mark)); p++) {
		q = p + marklen;
		/* "ab/" then 32 digits then "-", ab the hash's first two:
		 * what MEDIA_INLINE's instr found. Each test stops at the
		 * body's NUL, which is no digit. */
		if (!media_hex(q[0]) || !media_hex(q[1]) || q[2] != '/')
			continue;
		for (i = 0; i < 32 && media_hex(q[3 + i]); i++)
			hash[i] = q[3 + i];
		if (i < 32 || q[35] != '-' || q[0] != q[3] || q[1] != q[4])
			continue;
		hash[32] = '\0';
		if ((err = fn(ctx, hash)) != GZ_OK)
			return err;
	}
	return GZ_OK;
}

/* store_media_article_link's callback: links ctx's article to the
 * image of hash, if there is one. */
struct media_link {
	struct store_conn *c;
	int64_t article_id;
};

static int
media_link_one(void *ctx, const char *hash)
{
	/* No row for the hash: a photo not (or no longer) in the library,
	 * linked when it is added. */
	static const char sql[] =
		"INSERT OR IGNORE INTO article_media (article_id, media_id)"
		" SELECT ?1, id FROM media WHERE hash = ?2";
	const struct media_link *l = ctx;
	const struct media_arg args[] = {
		MEDIA_NUM(l->article_id), MEDIA_TEXT(hash),
	};

	return media_run(l->c, STMT_MEDIA_LINK, sql, args, MEDIA_NARGS(args));
}

int
store_media_article_link(struct store_conn *c, int64_t article_id,
			 const char *body, bool replace)
{
	static const char clear_sql[] =
		"DELETE FROM article_media WHERE article_id = ?1";
	struct media_link l = {c, article_id};
	int err;

	assert(c);
	if (replace) {
		const struct media_arg args[] = {MEDIA_NUM(article_id)};

		err = media_run(c, STMT_MEDIA_LINKS_CLEAR, clear_sql, args, 1);
		if (err != GZ_OK)
			return err;
	}
	return store_media_hashes_in(body, media_link_one, &l);
}

int
store_media_backfill(struct store_conn *c)
{
	/* No photo, no use: a library never used reads no body. */
	static const char sql[] =
		"SELECT id, body FROM articles"
		" WHERE EXISTS (SELECT 1 FROM media) ORDER BY id";
	struct db_stmt *s = NULL;
	int err = GZ_OK, rc;

	assert(c);
	/* Prepared outside the statement cache: it runs once. */
	if ((err = db_prepare(c, sql, &s)) != GZ_OK)
		return err;
	while ((rc = db_step(s)) == DB_ROW) {
		err = store_media_article_link(
			c, db_col_int64(s, 0),
			db_col_text(s, 1), false);
		if (err != GZ_OK)
			break;
	}
	if (err == GZ_OK && rc != DB_DONE)
		err = store_err(c, rc, sql);
	db_finalize(s);
	return err;
}

int
store_media_add(struct store *st, const struct store_media_input *in,
		int64_t *id, bool *created)
{
	static const char insert_sql[] =
		"INSERT INTO media (hash, format, width, height, bytes, widths,"
		" avif, alt, decorative, caption, credit, created_at, actor)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
		" RETURNING id";
	/* The bodies that already name the hash: saved while it was not in
	 * the library (deleted, then named by an edit, then uploaded
	 * again; an import's article saved before its photo). One scan of
	 * the bodies per new photo, on the writer: adds are rare. */
	static const char link_sql[] =
		"INSERT OR IGNORE INTO article_media (article_id, media_id)"
		" SELECT a.id, ?1 FROM articles a"
		" WHERE instr(a.body, " MEDIA_INLINE("?2") ") > 0";
	char widths[MEDIA_WIDTHS_TEXT];
	struct store_conn *c;
	bool own = false, in_savepoint = false;
	size_t mark;
	int err;

	assert(st && in && id && created);
	*id = 0;
	*created = false;
	if ((err = media_words_check(in->alt, in->decorative, in->caption,
				     in->credit)) != GZ_OK)
		return err;
	if (!media_hash_ok(in->hash) || !media_format_ok(in->format) ||
	    in->width <= 0 || in->height <= 0 || in->bytes < 0 ||
	    !media_text_ok(in->actor))
		return GZ_EINVAL;
	if ((err = media_widths_text(in, widths)) != GZ_OK)
		return err;
	if ((err = media_tx_begin(st, &own)) != GZ_OK)
		return err;
	mark = store_keys_mark(st);
	c = store_writer(st);

	err = store_find_text(c, STMT_MEDIA_BY_HASH, media_by_hash_sql,
			      in->hash, id);
	/* The row and its links, all or nothing in the caller's
	 * transaction too. */
	if (err == GZ_ENOTFOUND) {
		if ((err = store_savepoint_begin(c)) != GZ_OK)
			goto out;
		in_savepoint = true;
		err = GZ_ENOTFOUND;
	}
	if (err != GZ_ENOTFOUND)
		goto out; /* found (GZ_OK, *created false), or failed */
	{
		const struct media_arg args[] = {
			MEDIA_TEXT(in->hash), MEDIA_TEXT(in->format),
			MEDIA_NUM(in->width), MEDIA_NUM(in->height),
			MEDIA_NUM(in->bytes), MEDIA_TEXT(widths),
			MEDIA_NUM(in->avif), MEDIA_TEXT(store_nz(in->alt)),
			MEDIA_NUM(in->decorative),
			MEDIA_TEXT(store_nz(in->caption)),
			MEDIA_TEXT(store_nz(in->credit)),
			MEDIA_NUM(time(NULL)),
			MEDIA_TEXT(in->actor ? in->actor : "import"),
		};

		err = media_int64(c, STMT_MEDIA_INSERT, insert_sql, args,
				  MEDIA_NARGS(args), id);
	}
	if (err == GZ_ENOTFOUND)
		err = GZ_EDB;
	if (err == GZ_OK) {
		const struct media_arg args[] = {
			MEDIA_NUM(*id), MEDIA_TEXT(in->hash),
		};

		err = media_run(c, STMT_MEDIA_LINK_NEW, link_sql, args,
				MEDIA_NARGS(args));
	}
	if (err == GZ_OK)
		*created = true;
out:
	if (in_savepoint)
		err = store_savepoint_end(c, err);
	err = media_tx_end(st, own, mark, err);
	if (err != GZ_OK) {
		*id = 0;
		*created = false;
	}
	return err;
}

/* Fills *m from row s (MEDIA_COLS, then the uses count). */
static int
media_row_uses(struct pool *pool, struct db_stmt *s, struct store_media *m)
{
	int err;

	if ((err = store_media_row(pool, s, 0, m)) != GZ_OK)
		return err;
	m->uses = db_col_int64(s, MEDIA_NCOLS);
	return GZ_OK;
}

/* store_media_get and store_media_get_lite: statement sql (MEDIA_COLS,
 * then a count, at ?1 the id) on the calling thread's reader. */
static int
media_get_by(struct store *st, struct pool *pool, enum store_stmt_id sid,
	     const char *sql, int64_t id, struct store_media *out)
{
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int err;

	assert(st && pool && out);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_stmt_bind_int64(c, sid, sql, id, &s)) != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) == GZ_OK)
		err = media_row_uses(pool, s, out);
	store_stmt_done(s);
	return err;
}

int
store_media_get(struct store *st, struct pool *pool, int64_t id,
		struct store_media *out)
{
	return media_get_by(st, pool, STMT_MEDIA_GET, media_get_sql, id, out);
}

int
store_media_get_lite(struct store *st, struct pool *pool, int64_t id,
		     struct store_media *out)
{
	return media_get_by(st, pool, STMT_MEDIA_GET_LITE, media_get_lite_sql,
			    id, out);
}

int
store_media_exists(struct store *st, int64_t id)
{
	static const char sql[] = "SELECT id FROM media WHERE id = ?1";
	struct store_conn *c;
	struct db_stmt *s = NULL;
	int64_t found;
	int err;

	assert(st);
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_MEDIA_EXISTS_READ, sql, id, &s);
	if (err != GZ_OK)
		return err;
	return store_stmt_int64(c, s, &found);
}

int
store_media_list(struct store *st, struct pool *pool, const char *search,
		 size_t limit, size_t offset, struct store_media **items,
		 size_t *n, size_t *total)
{
	struct store_conn *c;
	struct store_media *arr = NULL;
	struct db_stmt *s = NULL;
	char *folded = NULL;
	size_t cap = 0, len = 0, i;
	int64_t count = 0;
	bool reading = false;
	int err, rc;

	assert(st && pool && items && n && total);
	*items = NULL;
	*n = 0;
	*total = 0;
	if (search && *search) {
		if (strlen(search) > MEDIA_SEARCH_MAX || !store_utf8_ok(search))
			return GZ_EINVAL;
		if (!(folded = pool_strdup(pool, search)))
			return GZ_ENOMEM;
		for (i = 0; folded[i]; i++)
			if (folded[i] >= 'A' && folded[i] <= 'Z')
				folded[i] = (char)(folded[i] - 'A' + 'a');
	}
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = store_read_begin(c)) != GZ_OK)
		return err;
	reading = true;
	{
		const struct media_arg args[] = {
			MEDIA_TEXT(folded),
			MEDIA_NUM(store_size_to_int64(limit)),
			MEDIA_NUM(store_size_to_int64(offset)),
		};

		err = media_int64(c, STMT_MEDIA_TOTAL, media_total_sql, args, 1,
				  &count);
		if (err == GZ_OK)
			err = media_stmt(c, STMT_MEDIA_LIST, media_list_sql,
					 args, MEDIA_NARGS(args), &s);
		if (err != GZ_OK)
			goto out;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		if ((err = media_row_uses(pool, s, &arr[len])) != GZ_OK)
			goto out;
		len++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, media_list_sql);
		goto out;
	}
	*items = arr;
	*n = len;
	*total = (size_t)count;
	err = GZ_OK;
out:
	store_stmt_done(s);
	if (reading)
		store_read_end(c);
	return err;
}

/* Records the change keys of every article using image id (the article
 * and its sections' and tags' listings, events.c) and, when any does,
 * the site-wide listings its cards are on. On the writer. */
static int
media_events(struct store *st, struct store_conn *c, int64_t id)
{
	struct db_stmt *s;
	bool any = false;
	int err = GZ_OK, rc;

	err = store_stmt_bind_int64(c, STMT_MEDIA_USERS, media_users_sql, id,
				    &s);
	if (err != GZ_OK)
		return err;
	/* store_events_article runs its own statements meanwhile: SQLite
	 * lets several step on one connection. */
	while ((rc = db_step(s)) == DB_ROW) {
		any = true;
		err = store_events_article(st, c, db_col_int64(s, 0));
		if (err != GZ_OK)
			break;
	}
	if (err == GZ_OK && rc != DB_DONE)
		err = store_err(c, rc, media_users_sql);
	store_stmt_done(s);
	if (err == GZ_OK && any)
		err = store_events_listings(st);
	return err;
}

static int
media_clamp(int v)
{
	return v < 0 ? 0 : v > 1000 ? 1000 : v;
}

int
store_media_update(struct store *st, int64_t id, const char *alt,
		   bool decorative, const char *caption, const char *credit,
		   int focal_x, int focal_y)
{
	static const char sql[] =
		"UPDATE media SET alt = ?2, decorative = ?3, caption = ?4,"
		" credit = ?5, focal_x = ?6, focal_y = ?7 WHERE id = ?1";
	struct store_conn *c;
	bool own = false, in_savepoint = false;
	size_t mark;
	int err;

	assert(st);
	if ((err = media_words_check(alt, decorative, caption, credit)))
		return err;
	if ((err = media_tx_begin(st, &own)) != GZ_OK)
		return err;
	mark = store_keys_mark(st);
	c = store_writer(st);
	if ((err = store_savepoint_begin(c)) != GZ_OK)
		goto out;
	in_savepoint = true;
	{
		const struct media_arg args[] = {
			MEDIA_NUM(id), MEDIA_TEXT(store_nz(alt)),
			MEDIA_NUM(decorative), MEDIA_TEXT(store_nz(caption)),
			MEDIA_TEXT(store_nz(credit)),
			MEDIA_NUM(media_clamp(focal_x)),
			MEDIA_NUM(media_clamp(focal_y)),
		};

		err = media_run(c, STMT_MEDIA_UPDATE, sql, args,
				MEDIA_NARGS(args));
		if (err != GZ_OK)
			goto out;
	}
	if (db_changes(c) == 0) {
		err = GZ_ENOTFOUND;
		goto out;
	}
	err = media_events(st, c, id);
out:
	/* All or nothing inside the caller's transaction too. */
	if (in_savepoint)
		err = store_savepoint_end(c, err);
	return media_tx_end(st, own, mark, err);
}

int
store_media_delete(struct store *st, int64_t id)
{
	static const char used_sql[] =
		"SELECT EXISTS (SELECT 1 FROM articles WHERE image_id = ?1)"
		" OR EXISTS (SELECT 1 FROM article_media WHERE media_id = ?1)";
	static const char sql[] = "DELETE FROM media WHERE id = ?1";
	const struct media_arg args[] = {MEDIA_NUM(id)};
	struct store_conn *c;
	int64_t used = 0;
	bool own = false;
	size_t mark;
	int err;

	assert(st);
	if ((err = media_tx_begin(st, &own)) != GZ_OK)
		return err;
	mark = store_keys_mark(st);
	c = store_writer(st);
	err = media_int64(c, STMT_MEDIA_IN_USE, used_sql, args, 1, &used);
	if (err != GZ_OK)
		goto out;
	if (used) {
		err = GZ_EBUSY;
		goto out;
	}
	err = media_run(c, STMT_MEDIA_DELETE, sql, args, 1);
	if (err == GZ_OK && db_changes(c) == 0)
		err = GZ_ENOTFOUND;
out:
	return media_tx_end(st, own, mark, err);
}

int
store_media_uses(struct store *st, struct pool *pool, int64_t id,
		 size_t limit, struct store_article **items, size_t *n)
{
	/* What the library shows of each: the newsroom's newest change
	 * first. */
	static const char sql[] =
		"SELECT id, headline, slug, status, unpublished_at IS NOT NULL"
		" FROM articles WHERE id IN (SELECT id FROM articles"
		" WHERE image_id = ?1 UNION SELECT article_id FROM article_media"
		" WHERE media_id = ?1)"
		" ORDER BY updated_at DESC, id DESC LIMIT ?2";
	static const char *const status_names[] = {
		[STORE_DRAFT] = "draft",
		[STORE_SCHEDULED] = "scheduled",
		[STORE_PUBLISHED] = "published",
	};
	struct store_conn *c;
	struct store_article *arr = NULL;
	struct db_stmt *s = NULL;
	size_t cap = 0, len = 0, i;
	int err, rc;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	{
		const struct media_arg args[] = {
			MEDIA_NUM(id), MEDIA_NUM(store_size_to_int64(limit)),
		};

		err = media_stmt(c, STMT_MEDIA_USERS_LIST, sql, args,
				 MEDIA_NARGS(args), &s);
		if (err != GZ_OK)
			return err;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));
		const char *status = db_col_text(s, 3);
		struct store_article *a;

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		a = &arr[len];
		memset(a, 0, sizeof(*a));
		a->id = db_col_int64(s, 0);
		a->headline = store_col_text(pool, s, 1);
		a->slug = store_col_text(pool, s, 2);
		a->summary = a->body = a->byline = a->dateline = "";
		a->section_slug = a->section_name = a->lang = "";
		if (!a->headline || !a->slug) {
			err = GZ_ENOMEM;
			goto out;
		}
		err = GZ_EDB; /* a status the schema's CHECK forbids */
		for (i = 0; status && i < sizeof(status_names) /
						  sizeof(*status_names);
		     i++) {
			if (strcmp(status, status_names[i]) == 0) {
				a->status = (enum store_status)i;
				err = GZ_OK;
			}
		}
		if (err != GZ_OK)
			goto out;
		if (a->status == STORE_DRAFT && db_col_int(s, 4))
			a->status = STORE_UNPUBLISHED;
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
	return err;
}

int
store_media_hash_used(struct store *st, const char *hash, bool *used)
{
	struct store_conn *c;
	int64_t id = 0;
	int err;

	assert(st && hash && used);
	*used = true; /* on an error: keep the files */
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_find_text(c, STMT_MEDIA_BY_HASH, media_by_hash_sql, hash,
			      &id);
	if (err == GZ_ENOTFOUND) {
		*used = false;
		return GZ_OK;
	}
	return err;
}
