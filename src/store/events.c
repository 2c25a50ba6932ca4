/*
 * events.c - change events: which pages a committed write may have
 * changed, told to one listener as plain-text keys (store.h lists them),
 * and the kept counts of visible articles per section and tag that go
 * with them; also the due ticker (store_due_publish) that makes
 * scheduled articles visible.
 *
 * Data flow: a write function (article.c, comment.c) records the keys of
 * what it touched in st->keys while it holds the write lock;
 * store_tx_commit (sqlite.c) calls store_events_recount before COMMIT,
 * then, after COMMIT and after releasing the lock, store_events_fire.
 *
 * Invariants:
 * - st->keys holds the keys of the open transaction only: emptied by
 *   store_tx_begin and store_tx_rollback, cut back by a write rolled
 *   back to its savepoint (store_keys_truncate), handed over whole at
 *   commit. A rolled-back transaction fires nothing.
 * - Each key is in the set once; the listener gets them in the order
 *   they were first recorded.
 * - sections.article_count (tags.article_count) is the number of
 *   articles visible at sections.counted_at (tags.counted_at). Every
 *   section or tag whose key a transaction records is recounted in that
 *   transaction, so a count is never older than the last write that
 *   could change it; readers add the articles that came due (or take
 *   away those not yet due) between counted_at and their now, a range
 *   of one index (articles_listed_section, article_tags_listed).
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/err.h"

#define SECTION_PREFIX "section:"
#define TAG_PREFIX "tag:"

/* FNV-1a: short keys, no adversary (they are our own slugs and ids). */
static size_t
key_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211u;
	}
	return (size_t)h;
}

/* Puts index i of ks->keys into the table (which has room). */
static void
table_put(struct store_keyset *ks, size_t i)
{
	size_t mask = ks->tcap - 1, j = key_hash(ks->keys[i]) & mask;

	while (ks->table[j])
		j = (j + 1) & mask;
	ks->table[j] = i + 1;
}

/* Rebuilds the table for ks->n keys with tcap slots. */
static int
table_rebuild(struct store_keyset *ks, size_t tcap)
{
	size_t *t, i;

	if (!(t = calloc(tcap, sizeof(*t))))
		return GZ_ENOMEM;
	free(ks->table);
	ks->table = t;
	ks->tcap = tcap;
	for (i = 0; i < ks->n; i++)
		table_put(ks, i);
	return GZ_OK;
}

/* True when key is in ks. */
static bool
keys_has(const struct store_keyset *ks, const char *key)
{
	size_t mask, j;

	if (!ks->tcap)
		return false;
	mask = ks->tcap - 1;
	for (j = key_hash(key) & mask; ks->table[j]; j = (j + 1) & mask)
		if (strcmp(ks->keys[ks->table[j] - 1], key) == 0)
			return true;
	return false;
}

int
store_keys_add(struct store *st, const char *prefix, const char *text)
{
	struct store_keyset *ks = &st->keys;
	size_t plen = strlen(prefix), tlen = strlen(text);
	char *key, **p;

	if (plen > SIZE_MAX / 2 || tlen > SIZE_MAX / 2)
		return GZ_ETOOBIG;
	if (!(key = malloc(plen + tlen + 1)))
		return GZ_ENOMEM;
	memcpy(key, prefix, plen);
	memcpy(key + plen, text, tlen + 1);
	if (keys_has(ks, key)) {
		free(key);
		return GZ_OK;
	}
	/* The table stays at most half full. */
	if ((ks->n + 1) * 2 > ks->tcap &&
	    table_rebuild(ks, ks->tcap ? ks->tcap * 2 : 64) != GZ_OK) {
		free(key);
		return GZ_ENOMEM;
	}
	if (ks->n == ks->cap) {
		size_t ncap = ks->cap ? ks->cap * 2 : 16;

		if (!(p = realloc(ks->keys, ncap * sizeof(*p)))) {
			free(key);
			return GZ_ENOMEM;
		}
		ks->keys = p;
		ks->cap = ncap;
	}
	ks->keys[ks->n] = key;
	table_put(ks, ks->n);
	ks->n++;
	return GZ_OK;
}

size_t
store_keys_mark(const struct store *st)
{
	return st->keys.n;
}

void
store_keys_truncate(struct store *st, size_t mark)
{
	struct store_keyset *ks = &st->keys;

	assert(mark <= ks->n);
	if (mark == ks->n)
		return;
	while (ks->n > mark)
		free(ks->keys[--ks->n]);
	memset(ks->table, 0, ks->tcap * sizeof(*ks->table));
	for (size_t i = 0; i < ks->n; i++)
		table_put(ks, i);
}

void
store_keys_free(struct store_keyset *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		free(ks->keys[i]);
	free(ks->keys);
	free(ks->table);
	memset(ks, 0, sizeof(*ks));
}

void
store_keys_clear(struct store *st)
{
	store_keys_truncate(st, 0);
}

int64_t
store_clock(struct store *st)
{
	int64_t now = (int64_t)time(NULL), due = atomic_load(&st->due_last);

	return due > now ? due : now;
}

/* Runs s (bound with ?1 = id by the caller) and records prefix + column
 * 0 of each row. Hands s back. */
static int
keys_from_rows(struct store *st, struct store_conn *c, struct db_stmt *s,
	       const char *prefix)
{
	const char *t;
	int err = GZ_OK, rc;

	while ((rc = db_step(s)) == DB_ROW) {
		if (!(t = db_col_text(s, 0))) {
			err = GZ_ENOMEM;
			goto out;
		}
		if ((err = store_keys_add(st, prefix, t)) != GZ_OK)
			goto out;
	}
	if (rc != DB_DONE)
		err = store_err(c, rc, db_sql(s));
out:
	store_stmt_done(s);
	return err;
}

int
store_events_article(struct store *st, struct store_conn *c, int64_t id)
{
	static const char section_sql[] =
		"SELECT s.slug FROM articles a JOIN sections s"
		" ON s.id = a.section_id WHERE a.id = ?1";
	static const char tags_sql[] =
		"SELECT t.slug FROM article_tags x JOIN tags t"
		" ON t.id = x.tag_id WHERE x.article_id = ?1";
	char idbuf[24];
	struct db_stmt *s;
	int err, n;

	n = snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	if (n < 0 || (size_t)n >= sizeof(idbuf))
		return GZ_EINVAL;
	if ((err = store_keys_add(st, "article:", idbuf)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_EVENT_ARTICLE_SECTION, section_sql,
				    id, &s);
	if (err != GZ_OK)
		return err;
	if ((err = keys_from_rows(st, c, s, SECTION_PREFIX)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_EVENT_ARTICLE_TAGS, tags_sql, id,
				    &s);
	if (err != GZ_OK)
		return err;
	return keys_from_rows(st, c, s, TAG_PREFIX);
}

int
store_events_listings(struct store *st)
{
	int err;

	if ((err = store_keys_add(st, "front", "")) != GZ_OK ||
	    (err = store_keys_add(st, "feeds", "")) != GZ_OK)
		return err;
	return store_keys_add(st, "sitemaps", "");
}

/* Recounts the section with this slug at clock; *crossed is true when
 * its count went from zero to more or back. A slug with no section (it
 * cannot happen: keys come from stored rows) is skipped. */
static int
recount_section(struct store_conn *c, const char *slug, int64_t clock,
		bool *crossed)
{
	static const char old_sql[] =
		"SELECT id, article_count FROM sections WHERE slug = ?1";
	static const char recount_sql[] =
		"UPDATE sections SET article_count = (SELECT count(*)"
		" FROM articles a WHERE a.section_id = ?1"
		" AND a.status <> 'draft' AND a.published_at <= ?2),"
		" counted_at = ?2 WHERE id = ?1 RETURNING article_count";
	struct db_stmt *s;
	int64_t id, before, after;
	int err, rc;

	*crossed = false;
	err = store_stmt_bind_text(c, STMT_EVENT_SECTION_OLD, old_sql, slug,
				   &s);
	if (err != GZ_OK)
		return err;
	if ((err = store_stmt_row(c, s)) != GZ_OK) {
		store_stmt_done(s);
		return err == GZ_ENOTFOUND ? GZ_OK : err;
	}
	id = db_col_int64(s, 0);
	before = db_col_int64(s, 1);
	store_stmt_done(s);

	err = store_stmt_bind_int64(c, STMT_EVENT_SECTION_RECOUNT, recount_sql,
				    id, &s);
	if (err != GZ_OK)
		return err;
	if ((rc = store_bind_int64(s, 2, clock)) != DB_OK) {
		err = store_err(c, rc, recount_sql);
		store_stmt_done(s);
		return err;
	}
	if ((err = store_stmt_int64(c, s, &after)) != GZ_OK)
		return err == GZ_ENOTFOUND ? GZ_EDB : err;
	*crossed = (before == 0) != (after == 0);
	return GZ_OK;
}

/* Recounts the tag with this slug at clock. */
static int
recount_tag(struct store_conn *c, const char *slug, int64_t clock)
{
	static const char sql[] =
		"UPDATE tags SET article_count = (SELECT count(*)"
		" FROM article_tags x WHERE x.tag_id = tags.id"
		" AND x.published_at <= ?2), counted_at = ?2 WHERE slug = ?1";
	struct db_stmt *s;
	int err, rc;

	err = store_stmt_bind_text(c, STMT_EVENT_TAG_RECOUNT, sql, slug, &s);
	if (err != GZ_OK)
		return err;
	if ((rc = store_bind_int64(s, 2, clock)) != DB_OK) {
		err = store_err(c, rc, sql);
		store_stmt_done(s);
		return err;
	}
	return store_stmt_run(c, s);
}

int
store_events_recount(struct store *st)
{
	struct store_conn *c = store_writer(st);
	int64_t clock = store_clock(st);
	bool crossed, nav = false;
	size_t i, n = st->keys.n;
	const char *k;
	int err;

	/* Only the keys recorded by writes: "nav" is added after. */
	for (i = 0; i < n; i++) {
		k = st->keys.keys[i];
		if (strncmp(k, SECTION_PREFIX, strlen(SECTION_PREFIX)) == 0) {
			err = recount_section(c, k + strlen(SECTION_PREFIX),
					      clock, &crossed);
			if (err != GZ_OK)
				return err;
			nav = nav || crossed;
		} else if (strncmp(k, TAG_PREFIX, strlen(TAG_PREFIX)) == 0) {
			err = recount_tag(c, k + strlen(TAG_PREFIX), clock);
			if (err != GZ_OK)
				return err;
		}
	}
	return nav ? store_keys_add(st, "nav", "") : GZ_OK;
}

void
store_events_fire(struct store *st, struct store_keyset *keys)
{
	if (st->event_fn && keys->n)
		st->event_fn(st->event_ctx, (const char *const *)keys->keys,
			     keys->n);
}

/* Sets the listener; store.h says when. */
void
store_events_listen(struct store *st, store_event_fn fn, void *ctx)
{
	assert(st);
	/* Other processes' changes fire under changes_lock, from a
	 * request or from PostgreSQL's listener thread: a listener being
	 * taken away (the cache about to be freed) waits for one firing. */
	if (st->changes_made)
		pthread_mutex_lock(&st->changes_lock);
	st->event_fn = fn;
	st->event_ctx = ctx;
	if (st->changes_made)
		pthread_mutex_unlock(&st->changes_lock);
}

/* The articles that come due in (?1, ?2]: the same terms as VISIBLE in
 * article.c, so the partial index articles_listed serves them. */
#define DUE_WHERE \
	" WHERE status <> 'draft' AND published_at > ?1 AND published_at <= ?2"

/* Binds ?1 = a, ?2 = b to statement id. */
static int
due_stmt(struct store_conn *c, enum store_stmt_id id, const char *sql,
	 int64_t a, int64_t b, struct db_stmt **out)
{
	int err, rc;

	if ((err = store_stmt_bind_int64(c, id, sql, a, out)) != GZ_OK)
		return err;
	if ((rc = store_bind_int64(*out, 2, b)) == DB_OK)
		return GZ_OK;
	err = store_err(c, rc, sql);
	store_stmt_done(*out);
	*out = NULL;
	return err;
}

/* Records the keys of every article due in (prev, now] on the writer. */
static int
due_record(struct store *st, int64_t prev, int64_t now)
{
	static const char sql[] = "SELECT id FROM articles" DUE_WHERE
				  " ORDER BY published_at, id";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	if ((err = due_stmt(c, STMT_DUE_LIST, sql, prev, now, &s)) != GZ_OK)
		return err;
	err = GZ_OK;
	while ((rc = db_step(s)) == DB_ROW) {
		err = store_events_article(st, c, db_col_int64(s, 0));
		if (err != GZ_OK)
			break;
	}
	if (err == GZ_OK && rc != DB_DONE)
		err = store_err(c, rc, sql);
	store_stmt_done(s);
	if (err == GZ_OK)
		err = store_events_listings(st);
	return err;
}

/*
 * Makes the articles due in (previous now, now] visible: they already
 * are to every query that passes now (visibility is published_at <=
 * now), so what is left is to recount their sections and tags and to
 * tell the listener. The cheap question "is anything due?" is asked on
 * the reader, so an idle tick never takes the write lock. Returns GZ_OK,
 * GZ_EBUSY or GZ_EDB; on an error the window is kept, so the next call
 * tries again.
 */
int
store_due_publish(struct store *st, int64_t now)
{
	static const char any_sql[] = "SELECT 1 FROM articles" DUE_WHERE
				      " LIMIT 1";
	struct store_conn *c;
	struct db_stmt *s;
	int64_t prev, one;
	int err;

	assert(st);
	if (!atomic_exchange(&st->due_started, true)) {
		atomic_store(&st->due_last, now);
		return GZ_OK;
	}
	prev = atomic_load(&st->due_last);
	if (now <= prev)
		return GZ_OK;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	if ((err = due_stmt(c, STMT_DUE_ANY, any_sql, prev, now, &s)) != GZ_OK)
		return err;
	err = store_stmt_int64(c, s, &one);
	if (err == GZ_ENOTFOUND) {
		/* Nothing due; a concurrent call that moved further wins. */
		atomic_compare_exchange_strong(&st->due_last, &prev, now);
		return GZ_OK;
	}
	if (err != GZ_OK)
		return err;

	if ((err = store_tx_begin(st)) != GZ_OK)
		return err;
	prev = atomic_load(&st->due_last);
	if (now <= prev) {
		store_tx_rollback(st);
		return GZ_OK;
	}
	if ((err = due_record(st, prev, now)) != GZ_OK) {
		store_tx_rollback(st);
		return err;
	}
	/* The recount at commit counts at the new now. */
	atomic_store(&st->due_last, now);
	if ((err = store_tx_commit(st)) != GZ_OK)
		atomic_store(&st->due_last, prev);
	return err;
}

/* The earliest published_at after now of any article that is not a
 * draft (a "published" one with a future time waits just as a
 * "scheduled" one does), or 0. Output: *at. */
int
store_due_next(struct store *st, int64_t now, int64_t *at)
{
	static const char sql[] =
		"SELECT coalesce(min(published_at), 0) FROM articles"
		" WHERE status <> 'draft' AND published_at > ?1";
	struct store_conn *c;
	struct db_stmt *s;
	int err;

	assert(st && at);
	*at = 0;
	if ((err = store_reader(st, &c)) != GZ_OK)
		return err;
	err = store_stmt_bind_int64(c, STMT_DUE_NEXT, sql, now, &s);
	if (err != GZ_OK)
		return err;
	return store_stmt_int64(c, s, at);
}
