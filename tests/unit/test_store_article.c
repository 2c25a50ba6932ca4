/*
 * test_store_article.c - tests of src/store/article.c: putting and
 * reading articles with every field, upserts by import key, rollback,
 * visibility at a given time, listings (order, pages, filters), the
 * validation of what is put, and the newsroom's side (schema 10): puts by
 * id, unpublishing, deleting, the admin's list, the dashboard's counts,
 * and an embargo that every reader-side function keeps.
 *
 * Each test opens a fresh store in its own mkdtemp directory, removed
 * afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/slug.h"

#include "store_fixture.h"

/* A fixed "now" for visibility tests: 2021-05-18 18:31 UTC. */
#define NOW INT64_C(1621362660)

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	struct pool *pool;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-article-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(4u << 20));
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	pool_free(fx->pool);
	store_fixture_remove(fx->dir);
	free(fx);
	return 0;
}

/* Puts in, in its own transaction; returns the id. */
static int64_t
put(struct fx *fx, const struct store_article_input *in, bool want_created)
{
	int64_t id = 0;
	bool created = !want_created;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_true(id > 0);
	assert_int_equal(created, want_created);
	return id;
}

/* Puts in and returns what put answered, in a transaction committed
 * either way. */
static int
put_err(struct fx *fx, const struct store_article_input *in)
{
	int64_t id = 0;
	bool created = false;
	int err;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_article_put(fx->st, in, &id, &created);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return err;
}

/* A published article in section (may be NULL) with tags. */
static int64_t
put_simple(struct fx *fx, const char *headline, int64_t published_at,
	   const char *section, const char *const *tags, size_t ntags)
{
	struct store_article_input in = {
		.headline = headline,
		.section = section,
		.status = STORE_PUBLISHED,
		.published_at = published_at,
		.tags = tags,
		.ntags = ntags,
	};

	return put(fx, &in, true);
}

static int64_t
count(struct fx *fx)
{
	int64_t n = -1;

	assert_int_equal(store_article_count(fx->st, &n), GZ_OK);
	return n;
}

/* Every row of every table, in a stable order, as text, and the
 * schema: the database's content, to compare before and after. Caller
 * frees. */
static char *
dump(struct fx *fx)
{
	static const char *const sql[] = {
		"SELECT * FROM sections ORDER BY id",
		"SELECT * FROM tags ORDER BY id",
		"SELECT * FROM articles ORDER BY id",
		"SELECT * FROM article_tags ORDER BY article_id, tag_id",
		NULL, /* the schema, by engine */
	};
	struct store_fixture_db db;
	struct buf b;
	char *rows;
	size_t i;

	buf_init(&b, 1u << 20);
	store_fixture_db_open(&db, fx->path);
	for (i = 0; i < sizeof(sql) / sizeof(*sql); i++) {
		const char *q = sql[i] ? sql[i] : store_fixture_sql(
			"SELECT name, sql FROM sqlite_master ORDER BY name",
			"SELECT table_name, column_name, data_type"
			" FROM information_schema.columns"
			" WHERE table_schema = current_schema()"
			" ORDER BY 1, 2");

		rows = store_fixture_db_rows(&db, q, 0, "|\n");
		buf_printf(&b, "%s\n%s|\n", q, rows);
		free(rows);
	}
	store_fixture_db_close(&db);
	assert_int_equal(b.err, GZ_OK);
	return buf_detach(&b, NULL);
}

static void
test_put_get_round_trip(void **state)
{
	struct fx *fx = *state;
	const char *const tags[] = {"Rivers", "bridges", "Council"};
	struct store_article_input in = {
		.import_key = "wire/2021/0518-bridge",
		.headline = "Council approves new river bridge",
		.summary = "A 7-2 vote ends twenty years of waiting.",
		.body = "The city council voted 7-2 on Tuesday...\n\n"
			"\"We have waited twenty years,\" the mayor said.",
		.byline = "By the City Desk",
		.dateline = "RIVERTON",
		.section = "City Hall",
		.lang = "en-GB",
		.status = STORE_PUBLISHED,
		.published_at = NOW - 60,
		.tags = tags,
		.ntags = 3,
	};
	struct store_article a;
	int64_t id, before, after;

	before = (int64_t)time(NULL);
	id = put(fx, &in, true);
	after = (int64_t)time(NULL);

	assert_int_equal(store_article_get(fx->st, fx->pool, id, NOW, &a),
			 GZ_OK);
	assert_int_equal(a.id, id);
	assert_string_equal(a.slug, "council-approves-new-river-bridge");
	assert_string_equal(a.headline, in.headline);
	assert_string_equal(a.summary, in.summary);
	assert_string_equal(a.body, in.body);
	assert_string_equal(a.byline, in.byline);
	assert_string_equal(a.dateline, in.dateline);
	assert_string_equal(a.section_slug, "city-hall");
	assert_string_equal(a.section_name, "City Hall");
	assert_string_equal(a.lang, "en-GB");
	assert_int_equal(a.status, STORE_PUBLISHED);
	assert_int_equal(a.published_at, NOW - 60);
	/* Stored after it ran: last changed when it ran. */
	assert_int_equal(a.updated_at, NOW - 60);
	assert_in_range(a.created_at, before, after);
	/* Tags sorted by name, ASCII case folded. */
	assert_int_equal(a.ntags, 3);
	assert_string_equal(a.tags[0].name, "bridges");
	assert_string_equal(a.tags[0].slug, "bridges");
	assert_string_equal(a.tags[1].name, "Council");
	assert_string_equal(a.tags[1].slug, "council");
	assert_string_equal(a.tags[2].name, "Rivers");
	assert_string_equal(a.tags[2].slug, "rivers");

	/* now == 0: any status, same content. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_string_equal(a.headline, in.headline);
	assert_int_equal(a.ntags, 3);

	assert_int_equal(store_article_get(fx->st, fx->pool, id + 1, 0, &a),
			 GZ_ENOTFOUND);
	assert_int_equal(count(fx), 1);
}

static void
test_put_defaults(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Storm watch",
		.status = STORE_DRAFT,
	};
	struct store_article a;
	int64_t id;

	id = put(fx, &in, true);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_string_equal(a.slug, "storm-watch");
	assert_string_equal(a.summary, "");
	assert_string_equal(a.body, "");
	assert_string_equal(a.byline, "");
	assert_string_equal(a.dateline, "");
	assert_string_equal(a.section_slug, "");
	assert_string_equal(a.section_name, "");
	assert_string_equal(a.lang, "en");
	assert_int_equal(a.status, STORE_DRAFT);
	assert_int_equal(a.published_at, 0);
	assert_int_equal(a.ntags, 0);
	assert_null(a.tags);
}

static void
test_put_slugs(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Council approves new river bridge",
		.slug = "My Own Slug",
		.status = STORE_PUBLISHED,
	};
	struct store_article a;
	int64_t id;

	/* A given slug is kept, made fit for a URL. */
	id = put(fx, &in, true);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_string_equal(a.slug, "my-own-slug");

	/* A given slug of punctuation only: the headline's. */
	in.slug = "!!!";
	id = put(fx, &in, true);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_string_equal(a.slug, "council-approves-new-river-bridge");

	/* A headline of punctuation only: an empty slug. */
	in.slug = NULL;
	in.headline = "?!";
	id = put(fx, &in, true);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_string_equal(a.slug, "");
	assert_string_equal(a.headline, "?!");
}

static void
test_upsert_by_import_key(void **state)
{
	struct fx *fx = *state;
	const char *const tags1[] = {"Alpha", "Beta"};
	const char *const tags2[] = {"Gamma"};
	struct store_article_input in = {
		.import_key = "wire/123",
		.headline = "First version",
		.body = "one",
		.section = "World",
		.status = STORE_DRAFT,
		.tags = tags1,
		.ntags = 2,
	};
	struct store_article a;
	int64_t id1, id2, id3, other;

	id1 = put(fx, &in, true);
	other = put_simple(fx, "Unrelated", NOW, NULL, NULL, 0);

	in.headline = "Second version";
	in.body = "two";
	in.section = "Business";
	in.status = STORE_PUBLISHED;
	in.published_at = NOW;
	in.tags = tags2;
	in.ntags = 1;
	id2 = put(fx, &in, false);
	assert_int_equal(id2, id1);
	assert_int_equal(count(fx), 2);

	assert_int_equal(store_article_get(fx->st, fx->pool, id1, NOW, &a),
			 GZ_OK);
	assert_string_equal(a.headline, "Second version");
	assert_string_equal(a.slug, "second-version");
	assert_string_equal(a.body, "two");
	assert_string_equal(a.section_name, "Business");
	assert_int_equal(a.status, STORE_PUBLISHED);
	assert_int_equal(a.published_at, NOW);
	assert_int_equal(a.ntags, 1);
	assert_string_equal(a.tags[0].name, "Gamma");

	/* Another key is another article; no key never matches. */
	in.import_key = "wire/124";
	id3 = put(fx, &in, true);
	assert_true(id3 != id1 && id3 != other);
	in.import_key = NULL;
	assert_true(put(fx, &in, true) != id3);
	in.import_key = "";
	assert_true(put(fx, &in, true) != id3);
	assert_int_equal(count(fx), 5);
}

static void
test_tags_dedupe_by_slug(void **state)
{
	struct fx *fx = *state;
	const char *const tags[] = {"Climate", "climate", "  ", "", "CLIMATE",
				    "Storms"};
	const char *const tags2[] = {"climate"};
	struct store_article a;
	int64_t id, id2;

	id = put_simple(fx, "Storm season", NOW, NULL, tags, 6);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_int_equal(a.ntags, 2);
	assert_string_equal(a.tags[0].slug, "climate");
	assert_string_equal(a.tags[0].name, "Climate"); /* first seen */
	assert_string_equal(a.tags[1].slug, "storms");

	/* A later article naming it differently shares the tag. */
	id2 = put_simple(fx, "More rain", NOW, NULL, tags2, 1);
	assert_int_equal(store_article_get(fx->st, fx->pool, id2, 0, &a),
			 GZ_OK);
	assert_int_equal(a.ntags, 1);
	assert_string_equal(a.tags[0].name, "Climate");
}

static void
test_tag_get(void **state)
{
	struct fx *fx = *state;
	const char *const tags[] = {"Climate Change", "!!!"};
	struct store_tag t = {0};
	struct store_article a;
	int64_t id;

	id = put_simple(fx, "Warmer", NOW, NULL, tags, 2);
	assert_int_equal(store_tag_get(fx->st, fx->pool, "climate-change", &t),
			 GZ_OK);
	assert_string_equal(t.slug, "climate-change");
	assert_string_equal(t.name, "Climate Change");
	assert_int_equal(store_tag_get(fx->st, fx->pool, "Climate Change", &t),
			 GZ_ENOTFOUND);
	assert_int_equal(store_tag_get(fx->st, fx->pool, "", &t),
			 GZ_ENOTFOUND);
	/* A name with no slug characters gets "tag-<id>", and is found by
	 * it. */
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_int_equal(a.ntags, 2);
	assert_string_equal(a.tags[0].name, "!!!");
	assert_true(strncmp(a.tags[0].slug, "tag-", 4) == 0);
	assert_int_equal(store_tag_get(fx->st, fx->pool, a.tags[0].slug, &t),
			 GZ_OK);
	assert_string_equal(t.name, "!!!");
}

static void
test_rollback_leaves_db_as_before(void **state)
{
	struct fx *fx = *state;
	const char *const tags[] = {"Old"};
	const char *const tags2[] = {"New tag", "Old"};
	struct store_article_input in = {
		.import_key = "k1",
		.headline = "Kept",
		.body = "kept body",
		.section = "Kept Section",
		.status = STORE_PUBLISHED,
		.published_at = NOW,
		.tags = tags,
		.ntags = 1,
	};
	struct store_article a;
	char *before, *after;
	int64_t id, id2;
	bool created;

	id = put(fx, &in, true);
	before = dump(fx);

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	/* Update the existing one, add another with a new section and
	 * tag, then change our mind. */
	in.headline = "Changed";
	in.section = "New Section";
	in.tags = tags2;
	in.ntags = 2;
	assert_int_equal(store_article_put(fx->st, &in, &id2, &created),
			 GZ_OK);
	assert_int_equal(id2, id);
	assert_false(created);
	in.import_key = "k2";
	assert_int_equal(store_article_put(fx->st, &in, &id2, &created),
			 GZ_OK);
	assert_true(created);
	/* Readers see nothing of an open transaction. */
	assert_int_equal(count(fx), 1);
	store_tx_rollback(fx->st);
	/* Really undone, not merely left open and unseen: the next
	 * transaction starts and commits nothing of it. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	after = dump(fx);
	assert_string_equal(before, after);
	assert_int_equal(count(fx), 1);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_string_equal(a.headline, "Kept");
	assert_string_equal(a.section_name, "Kept Section");
	assert_int_equal(a.ntags, 1);
	assert_string_equal(a.tags[0].name, "Old");
	assert_int_equal(store_article_get(fx->st, fx->pool, id2, 0, &a),
			 GZ_ENOTFOUND);
	free(before);
	free(after);
}

static void
test_failed_put_is_undone_alone(void **state)
{
	struct fx *fx = *state;
	/* "Tag 2" takes slug "tag-2"; a tag of punctuation only then gets
	 * id 2 and the fallback slug "tag-2" too: the put fails after its
	 * article row is written, and must take that row with it. */
	const char *const tags1[] = {"Tag 2"};
	const char *const tags2[] = {"!!!"};
	struct store_article_input in = {
		.headline = "Fine",
		.status = STORE_PUBLISHED,
		.tags = tags1,
		.ntags = 1,
	};
	struct store_article_input bad = {
		.headline = "Doomed",
		.section = "Doomed Section",
		.status = STORE_PUBLISHED,
		.tags = tags2,
		.ntags = 1,
	};
	struct store_section *secs;
	int64_t id, id2;
	size_t n;
	bool created;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, &in, &id, &created), GZ_OK);
	assert_int_equal(store_article_put(fx->st, &bad, &id2, &created),
			 GZ_EEXIST);
	in.headline = "Also fine";
	assert_int_equal(store_article_put(fx->st, &in, &id2, &created), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(count(fx), 2);
	assert_int_equal(store_section_list(fx->st, fx->pool, NOW, &secs, &n),
			 GZ_OK);
	assert_int_equal(n, 0);
}

static void
test_visibility(void **state)
{
	struct fx *fx = *state;
	struct {
		enum store_status status;
		int64_t published_at;
		bool visible;
		int64_t id;
	} c[] = {
		{STORE_DRAFT, 0, false, 0},
		{STORE_DRAFT, NOW - 100, false, 0},  /* unpublished again */
		{STORE_SCHEDULED, NOW + 100, false, 0},
		{STORE_SCHEDULED, NOW - 100, true, 0},
		{STORE_PUBLISHED, NOW - 50, true, 0},
		{STORE_PUBLISHED, NOW, true, 0},     /* the second itself */
		{STORE_PUBLISHED, NOW + 1, false, 0},
		{STORE_PUBLISHED, 0, false, 0},      /* no date: never */
	};
	struct store_article_input in = {.headline = "Case", .section = "S"};
	struct store_article_query q = {.now = NOW, .limit = 100};
	struct store_article a, *items;
	struct store_section *secs;
	size_t i, n, total;

	for (i = 0; i < sizeof(c) / sizeof(*c); i++) {
		in.status = c[i].status;
		in.published_at = c[i].published_at;
		c[i].id = put(fx, &in, true);
	}
	for (i = 0; i < sizeof(c) / sizeof(*c); i++) {
		assert_int_equal(store_article_get(fx->st, fx->pool, c[i].id,
						   NOW, &a),
				 c[i].visible ? GZ_OK : GZ_ENOTFOUND);
		assert_int_equal(store_article_get(fx->st, fx->pool, c[i].id,
						   0, &a), GZ_OK);
		assert_int_equal(a.status, c[i].status);
	}
	/* The scheduled one appears when its time comes. */
	assert_int_equal(store_article_get(fx->st, fx->pool, c[2].id,
					   NOW + 100, &a), GZ_OK);

	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_int_equal(items[0].id, c[5].id);
	assert_int_equal(items[1].id, c[4].id);
	assert_int_equal(items[2].id, c[3].id);
	assert_int_equal(items[2].status, STORE_SCHEDULED);

	assert_int_equal(store_section_list(fx->st, fx->pool, NOW, &secs, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(secs[0].article_count, 3);
	assert_int_equal(count(fx), (int64_t)(sizeof(c) / sizeof(*c)));
}

static void
test_list_order_and_pages(void **state)
{
	struct fx *fx = *state;
	/* published_at per article, in insertion (id) order; ties are
	 * broken by id, newest first. */
	static const int64_t when[] = {10, 30, 20, 30, 50, 40, 30};
	static const size_t expect[] = {4, 5, 6, 3, 1, 2, 0}; /* indexes */
	struct store_article_query q = {.now = 100, .limit = 3};
	struct store_article *items;
	int64_t id[7];
	size_t i, k, n, total, page;
	char headline[16];
	int len;

	for (i = 0; i < 7; i++) {
		len = snprintf(headline, sizeof(headline), "Story %zu", i);
		assert_true(len > 0 && (size_t)len < sizeof(headline));
		id[i] = put_simple(fx, headline, when[i], NULL, NULL, 0);
	}
	k = 0;
	for (page = 0; page < 3; page++) {
		q.offset = page * 3;
		assert_int_equal(store_article_list(fx->st, fx->pool, &q,
						    &items, &n, &total),
				 GZ_OK);
		assert_int_equal(total, 7);
		assert_int_equal(n, page < 2 ? 3 : 1);
		for (i = 0; i < n; i++, k++) {
			assert_int_equal(items[i].id, id[expect[k]]);
			assert_int_equal(items[i].published_at,
					 when[expect[k]]);
			/* Listings leave the body out, as "". */
			assert_string_equal(items[i].body, "");
			assert_int_equal(items[i].ntags, 0);
		}
	}
	assert_int_equal(k, 7);

	/* Past the end; no limit; no total wanted. */
	q.offset = 10;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 0);
	assert_null(items);
	assert_int_equal(total, 7);
	q.offset = 0;
	q.limit = 0;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 7);
	q.limit = SIZE_MAX;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    NULL), GZ_OK);
	assert_int_equal(n, 7);
	/* Earlier now: fewer (published_at <= now, inclusive). */
	q.now = 30;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 5);
	assert_int_equal(total, 5);
	assert_int_equal(items[0].id, id[6]);
	assert_int_equal(items[4].id, id[0]);
}

static void
test_list_filters(void **state)
{
	struct fx *fx = *state;
	const char *const climate[] = {"Climate"};
	const char *const both[] = {"Climate", "Storms"};
	const char *const storms[] = {"Storms"};
	struct store_article_query q = {.now = NOW, .limit = 10};
	struct store_article *items;
	int64_t w1, w2, w3, b1, n1;
	size_t n, total;

	w1 = put_simple(fx, "World one", 100, "World", climate, 1);
	b1 = put_simple(fx, "Business one", 200, "Business", both, 2);
	w2 = put_simple(fx, "World two", 300, "World", storms, 1);
	n1 = put_simple(fx, "No section", 400, NULL, climate, 1);
	w3 = put_simple(fx, "World three", 500, "World", both, 2);

	q.section_slug = "world";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_int_equal(items[0].id, w3);
	assert_int_equal(items[1].id, w2);
	assert_int_equal(items[2].id, w1);
	assert_string_equal(items[0].section_slug, "world");
	assert_string_equal(items[0].section_name, "World");

	q.section_slug = NULL;
	q.tag_slug = "climate";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 4);
	assert_int_equal(total, 4);
	assert_int_equal(items[0].id, w3);
	assert_int_equal(items[1].id, n1);
	assert_int_equal(items[2].id, b1);
	assert_int_equal(items[3].id, w1);
	assert_string_equal(items[1].section_slug, "");

	q.section_slug = "world";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_int_equal(items[0].id, w3);
	assert_int_equal(items[1].id, w1);

	/* Leave one out (the article being read, under "Related"). */
	q.exclude_id = w3;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_int_equal(items[0].id, w1);

	q.section_slug = NULL;
	q.tag_slug = NULL;
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(total, 4);
	assert_int_equal(items[0].id, n1);

	/* Unknown slugs match nothing. */
	q.exclude_id = 0;
	q.section_slug = "sport";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	q.section_slug = NULL;
	q.tag_slug = "nothing";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
}

static void
test_invalid_utf8_rejected(void **state)
{
	struct fx *fx = *state;
	static const char *const bad[] = {
		"\xC0\x80",         /* overlong NUL */
		"caf\xC3",          /* truncated */
		"\xED\xA0\x80",     /* surrogate */
		"ok \xF4\x90\x80\x80", /* above U+10FFFF */
		"\xFF",
	};
	const char *tag[1];
	struct store_article_input good = {
		.headline = "Fine",
		.status = STORE_PUBLISHED,
	};
	struct store_article_input in;
	struct store_section *secs;
	size_t i, n;
	int field;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		for (field = 0; field < 10; field++) {
			in = good;
			switch (field) {
			case 0: in.headline = bad[i]; break;
			case 1: in.summary = bad[i]; break;
			case 2: in.body = bad[i]; break;
			case 3: in.byline = bad[i]; break;
			case 4: in.dateline = bad[i]; break;
			case 5: in.section = bad[i]; break;
			case 6: in.lang = bad[i]; break;
			case 7: in.slug = bad[i]; break;
			case 8: in.import_key = bad[i]; break;
			case 9:
				tag[0] = bad[i];
				in.tags = tag;
				in.ntags = 1;
				break;
			}
			assert_int_equal(put_err(fx, &in), GZ_EINVAL);
		}
	}
	assert_int_equal(count(fx), 0);
	assert_int_equal(store_section_list(fx->st, fx->pool, NOW, &secs, &n),
			 GZ_OK);
	assert_int_equal(n, 0);
	/* The same input, fixed, goes in. */
	assert_int_equal(put_err(fx, &good), GZ_OK);
	assert_int_equal(count(fx), 1);
}

static void
test_headline_and_limits(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {.status = STORE_PUBLISHED};
	const char *tags[GZ_LIMIT_TAGS + 1];
	char long_headline[GZ_LIMIT_HEADLINE_BYTES + 2];
	size_t i;

	in.headline = NULL;
	assert_int_equal(put_err(fx, &in), GZ_EINVAL);
	in.headline = "";
	assert_int_equal(put_err(fx, &in), GZ_EINVAL);
	in.headline = " \t\n ";
	assert_int_equal(put_err(fx, &in), GZ_EINVAL);

	memset(long_headline, 'a', sizeof(long_headline) - 1);
	long_headline[sizeof(long_headline) - 1] = '\0';
	in.headline = long_headline;
	assert_int_equal(put_err(fx, &in), GZ_ETOOBIG);
	long_headline[GZ_LIMIT_HEADLINE_BYTES] = '\0'; /* exactly the limit */
	assert_int_equal(put_err(fx, &in), GZ_OK);

	in.headline = "Tagged";
	for (i = 0; i < GZ_LIMIT_TAGS + 1; i++)
		tags[i] = "t";
	in.tags = tags;
	in.ntags = GZ_LIMIT_TAGS + 1;
	assert_int_equal(put_err(fx, &in), GZ_ETOOBIG);
	in.ntags = GZ_LIMIT_TAGS;
	assert_int_equal(put_err(fx, &in), GZ_OK);

	in.ntags = 0;
	in.status = (enum store_status)7;
	assert_int_equal(put_err(fx, &in), GZ_EINVAL);
	assert_int_equal(count(fx), 2);
}

static void
test_non_latin_headline(void **state)
{
	struct fx *fx = *state;
	const char *headline = "شورای شهر پل جدید را تصویب کرد";
	const char *const tags[] = {"شهر", "Ελλάδα"};
	struct store_article_input in = {
		.headline = headline,
		.dateline = "تهران",
		.section = "ایران",
		.lang = "fa",
		.status = STORE_PUBLISHED,
		.published_at = NOW,
		.tags = tags,
		.ntags = 2,
	};
	struct store_article a;
	struct store_section sec;
	const char *slug;
	int64_t id;

	id = put(fx, &in, true);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, NOW, &a),
			 GZ_OK);
	assert_string_equal(a.headline, headline);
	assert_string_equal(a.dateline, "تهران");
	assert_string_equal(a.lang, "fa");
	slug = slug_make(fx->pool, headline, strlen(headline));
	assert_non_null(slug);
	assert_string_equal(a.slug, slug);
	assert_string_equal(a.slug, "شورای-شهر-پل-جدید-را-تصویب-کرد");
	assert_string_equal(a.section_name, "ایران");
	assert_string_equal(a.section_slug, "ایران");
	assert_int_equal(a.ntags, 2);
	assert_int_equal(store_section_get(fx->st, fx->pool, "ایران", &sec),
			 GZ_OK);
	assert_int_equal(sec.id > 0, 1);
}

/* The HTML an import hands in is stored and read back; an update without
 * it clears it, so a page never shows HTML of an older body. */
static void
test_body_html_put_get(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.import_key = "/wire/a.txt",
		.headline = "Rendered",
		.body = "*Hi*",
		.body_html = "<p><em>Hi</em></p>\n",
		.html_version = 3,
		.status = STORE_PUBLISHED,
		.published_at = NOW,
	};
	struct store_article a;
	struct store_article *items;
	struct store_article_query q = {.now = NOW, .limit = 5};
	size_t n;
	int64_t id;

	id = put(fx, &in, true);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, NOW, &a),
			 GZ_OK);
	assert_string_equal(a.body_html, "<p><em>Hi</em></p>\n");
	assert_int_equal(a.html_version, 3);
	/* Listings do not carry it. */
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    NULL), GZ_OK);
	assert_int_equal(n, 1);
	assert_null(items[0].body_html);

	in.body = "*Bye*";
	in.body_html = NULL;
	assert_int_equal(put(fx, &in, false), id);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, NOW, &a),
			 GZ_OK);
	assert_null(a.body_html);
	assert_int_equal(a.html_version, 0);

	in.body_html = "\xff";
	assert_int_equal(put_err(fx, &in), GZ_EINVAL);
}

/* store_article_html_stale lists what needs rendering, in id order and in
 * pages; store_article_html_set fills it in. */
static void
test_html_stale_set_round_trip(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Fresh",
		.body_html = "<p>v2</p>",
		.html_version = 2,
		.status = STORE_PUBLISHED,
		.published_at = NOW,
	};
	struct store_article a;
	int64_t id1, id2, id3, *ids;
	size_t n;

	id1 = put_simple(fx, "One", NOW, NULL, NULL, 0);
	id2 = put(fx, &in, true);
	in.html_version = 1;
	id3 = put(fx, &in, true);

	assert_int_equal(store_article_html_stale(fx->st, fx->pool, 2, 0, 10,
						  &ids, &n), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], id1);
	assert_int_equal(ids[1], id3);
	/* Paged: after the first, at most one. */
	assert_int_equal(store_article_html_stale(fx->st, fx->pool, 2, id1, 1,
						  &ids, &n), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], id3);

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_html_set(fx->st, id1, "<p>One</p>", NULL, 2),
			 GZ_OK);
	assert_int_equal(store_article_html_set(fx->st, id3, "<p>v2</p>", NULL, 2),
			 GZ_OK);
	assert_int_equal(store_article_html_set(fx->st, 999, "<p>x</p>", NULL, 2),
			 GZ_ENOTFOUND);
	assert_int_equal(store_article_html_set(fx->st, id1, NULL, NULL, 2),
			 GZ_EINVAL);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(store_article_html_stale(fx->st, fx->pool, 2, 0, 10,
						  &ids, &n), GZ_OK);
	assert_int_equal(n, 0);
	assert_null(ids);
	/* A new renderer makes every one stale again. */
	assert_int_equal(store_article_html_stale(fx->st, fx->pool, 3, 0, 10,
						  &ids, &n), GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(ids[1], id2);
	assert_int_equal(store_article_get(fx->st, fx->pool, id1, 0, &a),
			 GZ_OK);
	assert_string_equal(a.body_html, "<p>One</p>");
	assert_int_equal(a.html_version, 2);
}

/* ---- the newsroom (schema 10) --------------------------------------------- */

/* The keys of the last commit, space-separated (store_events_listen). */
static char last_keys[1024];

static void
on_keys(void *ctx, const char *const *keys, size_t n)
{
	size_t i, len = 0;
	int k;

	(void)ctx;
	last_keys[0] = '\0';
	for (i = 0; i < n; i++) {
		k = snprintf(last_keys + len, sizeof(last_keys) - len, "%s%s",
			     i ? " " : "", keys[i]);
		assert_true(k > 0 && (size_t)k < sizeof(last_keys) - len);
		len += (size_t)k;
	}
}

/* True when key is one of the last commit's keys. */
static bool
fired(const char *key)
{
	const char *p = last_keys;
	size_t len = strlen(key);

	while ((p = strstr(p, key)) != NULL) {
		if ((p == last_keys || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

/* The first column of the first row of sql, read on its own connection. */
static int64_t
raw_int(struct fx *fx, const char *sql)
{
	long long v = store_fixture_int(fx->path, sql);

	assert_true(v >= 0);
	return v;
}

/* Sets article id's status in its own transaction; returns the answer. */
static int
status_set(struct fx *fx, int64_t id, enum store_status status,
	   int64_t published_at, int64_t at)
{
	int err;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_article_status_set(fx->st, id, status, published_at,
				       "admin:ed", at);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return err;
}

static int64_t
section_count(struct fx *fx, int64_t now)
{
	struct store_section *secs;
	size_t n;

	assert_int_equal(store_section_list(fx->st, fx->pool, now, &secs, &n),
			 GZ_OK);
	return n ? secs[0].article_count : -1;
}

static int64_t
tag_count(struct fx *fx)
{
	struct store_tag_count *t;
	size_t n;

	assert_int_equal(store_tag_list(fx->st, fx->pool, &t, &n), GZ_OK);
	return n ? t[0].article_count : -1;
}

static void
test_put_by_id(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.import_key = "kept.md",
		.headline = "First",
		.status = STORE_DRAFT,
		.owner_id = 7,
		.review_at = NOW,
		.actor = "admin:ann",
	};
	struct store_article a;
	int64_t id, other;

	id = put(fx, &in, true);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_int_equal(a.owner_id, 7);
	assert_int_equal(a.review_at, NOW);
	assert_int_equal(a.unpublished_at, 0);

	/* By id: the import key given is ignored, the old one kept; the
	 * owner is who created it; review_at 0 clears the request. */
	in.id = id;
	in.import_key = "other.md";
	in.headline = "Second";
	in.owner_id = 9;
	in.review_at = 0;
	assert_int_equal(put(fx, &in, false), id);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_string_equal(a.headline, "Second");
	assert_int_equal(a.owner_id, 7);
	assert_int_equal(a.review_at, 0);
	assert_int_equal(store_article_id_by_key(fx->st, "kept.md", &other),
			 GZ_OK);
	assert_int_equal(other, id);
	assert_int_equal(store_article_id_by_key(fx->st, "other.md", &other),
			 GZ_ENOTFOUND);
	assert_int_equal(count(fx), 1);

	/* No such article: nothing is created. */
	in.id = id + 1;
	assert_int_equal(put_err(fx, &in), GZ_ENOTFOUND);
	in.id = -1;
	assert_int_equal(put_err(fx, &in), GZ_EINVAL);
	assert_int_equal(count(fx), 1);
	/* Imports have no owner. */
	in.id = 0;
	in.import_key = "third.md";
	in.owner_id = 0;
	other = put(fx, &in, true);
	assert_int_equal(store_article_get(fx->st, fx->pool, other, 0, &a),
			 GZ_OK);
	assert_int_equal(a.owner_id, 0);
}

static void
test_unpublish_publish_counts(void **state)
{
	struct fx *fx = *state;
	static const char *const t[] = {"Floods"};
	struct store_article_input in = {
		.headline = "Taken down",
		.section = "World",
		.byline = "By Ann Lee",
		.status = STORE_PUBLISHED,
		.published_at = NOW - 100,
		.tags = t,
		.ntags = 1,
	};
	struct store_article_query q = {.now = NOW, .limit = 10};
	struct store_article a, *items;
	struct store_author *au;
	size_t n, total;
	int64_t id, now = (int64_t)time(NULL);

	store_events_listen(fx->st, on_keys, NULL);
	id = put(fx, &in, true);
	assert_int_equal(section_count(fx, now), 1);
	assert_int_equal(tag_count(fx), 1);
	assert_true(fired("nav"));

	/* A draft never published has nothing to take down. */
	assert_int_equal(status_set(fx, id + 1, STORE_UNPUBLISHED, 0, NOW),
			 GZ_ENOTFOUND);
	assert_int_equal(status_set(fx, id, (enum store_status)9, 0, NOW),
			 GZ_EINVAL);

	assert_int_equal(status_set(fx, id, STORE_UNPUBLISHED, 0, NOW), GZ_OK);
	assert_true(fired("section:world"));
	assert_true(fired("tag:floods"));
	assert_true(fired("front"));
	assert_true(fired("feeds"));
	assert_true(fired("sitemaps"));
	assert_true(fired("nav")); /* World lost its last story */
	assert_int_equal(store_article_get(fx->st, fx->pool, id, NOW, &a),
			 GZ_ENOTFOUND);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_int_equal(a.status, STORE_UNPUBLISHED);
	assert_int_equal(a.unpublished_at, NOW);
	assert_int_equal(a.published_at, NOW - 100);
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	assert_int_equal(section_count(fx, now), 0);
	assert_int_equal(tag_count(fx), 0);
	q.tag_slug = "floods";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n + total, 0);
	assert_int_equal(store_author_list(fx->st, fx->pool, NOW, &au, &n),
			 GZ_OK);
	assert_int_equal(n, 0);
	/* Taking it down twice keeps the first time. */
	assert_int_equal(status_set(fx, id, STORE_UNPUBLISHED, 0, NOW + 5),
			 GZ_OK);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_int_equal(a.unpublished_at, NOW);

	/* Back up, with the time it first ran. */
	assert_int_equal(status_set(fx, id, STORE_PUBLISHED, 0, NOW + 10),
			 GZ_OK);
	assert_true(fired("nav"));
	assert_int_equal(store_article_get(fx->st, fx->pool, id, NOW, &a),
			 GZ_OK);
	assert_int_equal(a.status, STORE_PUBLISHED);
	assert_int_equal(a.unpublished_at, 0);
	assert_int_equal(a.published_at, NOW - 100);
	assert_int_equal(a.updated_at, NOW + 10);
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(section_count(fx, now), 1);
	assert_int_equal(tag_count(fx), 1);
	assert_int_equal(store_author_list(fx->st, fx->pool, NOW, &au, &n),
			 GZ_OK);
	assert_int_equal(n, 1);

	/* A put with STORE_UNPUBLISHED does the same; another status
	 * clears it. */
	in.id = id;
	in.status = STORE_UNPUBLISHED;
	assert_int_equal(put(fx, &in, false), id);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_int_equal(a.status, STORE_UNPUBLISHED);
	assert_true(a.unpublished_at > 0);
	assert_int_equal(section_count(fx, now), 0);
	assert_int_equal(tag_count(fx), 0);
	in.status = STORE_DRAFT;
	assert_int_equal(put(fx, &in, false), id);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_int_equal(a.status, STORE_DRAFT);
	assert_int_equal(a.unpublished_at, 0);

	/* Schedule it for later: hidden until then. */
	assert_int_equal(status_set(fx, id, STORE_SCHEDULED, NOW + 3600, NOW),
			 GZ_OK);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, NOW, &a),
			 GZ_ENOTFOUND);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, NOW + 3600,
					   &a), GZ_OK);
	assert_int_equal(a.status, STORE_SCHEDULED);
	store_events_listen(fx->st, NULL, NULL);
}

static void
test_delete_cascades(void **state)
{
	struct fx *fx = *state;
	static const char *const t[] = {"Gone"};
	struct store_article_input in = {
		.headline = "Unicorn sighting",
		.body = "A zebracorn was seen.",
		.section = "Odd",
		.byline = "By Cy Day",
		.status = STORE_PUBLISHED,
		.published_at = NOW - 10,
		.tags = t,
		.ntags = 1,
	};
	struct store_comment_input c = {
		.author = "Reader",
		.body = "Wow",
		.status = STORE_COMMENT_APPROVED,
		.created_at = NOW,
	};
	struct store_search_hit *hits;
	struct store_article a;
	int64_t id, keep, cid, rid;
	size_t n, total;
	bool capped;

	store_events_listen(fx->st, on_keys, NULL);
	keep = put_simple(fx, "Kept", NOW - 20, NULL, NULL, 0);
	id = put(fx, &in, true);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	c.article_id = id;
	assert_int_equal(store_comment_insert(fx->st, &c, &cid), GZ_OK);
	c.parent_id = cid;
	assert_int_equal(store_comment_insert(fx->st, &c, &cid), GZ_OK);
	assert_int_equal(store_correction_add(fx->st, id, "It was a horse.",
					      "admin:ed", NOW, &rid), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_search(fx->st, fx->pool, NOW, "zebracorn", 10, 0,
				      &hits, &n, &total, &capped), GZ_OK);
	assert_int_equal(n, 1);

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_delete(fx->st, id + 100), GZ_ENOTFOUND);
	assert_int_equal(store_article_delete(fx->st, id), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_true(fired("section:odd"));
	assert_true(fired("tag:gone"));
	assert_true(fired("front"));
	assert_true(fired("nav"));

	assert_int_equal(count(fx), 1);
	/* PostgreSQL checks every foreign key as it goes. */
	assert_int_equal(raw_int(fx, store_fixture_sql(
		"SELECT count(*) FROM pragma_foreign_key_check", "SELECT 0")),
		0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM article_tags"), 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM article_authors"
				     " WHERE article_id NOT IN"
				     " (SELECT id FROM articles)"), 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM revisions"
				     " WHERE article_id NOT IN"
				     " (SELECT id FROM articles)"), 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM revisions"), 1);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM corrections"), 0);
	/* FTS5's index has no row of it left; PostgreSQL's is the row's own
	 * column (articles.search). */
	assert_int_equal(raw_int(fx, store_fixture_sql(
		"SELECT count(*) FROM articles_fts"
		" WHERE articles_fts MATCH 'zebracorn'",
		"SELECT count(*) FROM articles"
		" WHERE search @@ gazette_tsquery('zebracorn')")), 0);
	assert_int_equal(raw_int(fx, store_fixture_sql(
		"SELECT count(*) FROM articles_fts",
		"SELECT count(*) FROM articles")), 1);
	assert_int_equal(raw_int(fx, "SELECT article_count FROM sections"), 0);
	assert_int_equal(raw_int(fx, "SELECT article_count FROM tags"), 0);
	assert_int_equal(store_search(fx->st, fx->pool, NOW, "zebracorn", 10, 0,
				      &hits, &n, &total, &capped), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_article_get(fx->st, fx->pool, keep, NOW, &a),
			 GZ_OK);
	store_events_listen(fx->st, NULL, NULL);
}

static void
test_admin_list_filters(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {0};
	struct store_admin_query q = {.status = -1, .now = NOW};
	struct store_article *items;
	int64_t draft, review, sched, due, pub, down;
	size_t n, total;

	in.headline = "Council Budget draft";
	in.section = "City";
	in.owner_id = 3;
	draft = put(fx, &in, true);
	in.headline = "Bridge review";
	in.review_at = NOW;
	in.owner_id = 4;
	review = put(fx, &in, true);
	in.review_at = 0;
	in.headline = "Embargoed budget";
	in.section = "World";
	in.status = STORE_SCHEDULED;
	in.published_at = NOW + 100;
	sched = put(fx, &in, true);
	in.headline = "Due story";
	in.published_at = NOW - 100;
	due = put(fx, &in, true);
	in.headline = "Published BUDGET news";
	in.status = STORE_PUBLISHED;
	pub = put(fx, &in, true);
	in.headline = "Taken down";
	down = put(fx, &in, true);
	assert_int_equal(status_set(fx, down, STORE_UNPUBLISHED, 0,
				    (int64_t)time(NULL) + 1000), GZ_OK);

	/* All, newest change first (the take-down is the newest). */
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 6);
	assert_int_equal(total, 6);
	assert_int_equal(items[0].id, down);
	assert_int_equal(items[0].status, STORE_UNPUBLISHED);
	assert_true(items[0].unpublished_at > 0);
	assert_string_equal(items[0].body, "");
	for (size_t i = 1; i < n; i++)
		assert_true(items[i - 1].updated_at > items[i].updated_at ||
			    (items[i - 1].updated_at == items[i].updated_at &&
			     items[i - 1].id > items[i].id));
	/* Status. */
	q.status = STORE_DRAFT;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].id, review);
	assert_int_equal(items[0].review_at, NOW);
	assert_int_equal(items[0].owner_id, 4);
	assert_int_equal(items[1].id, draft);
	q.status = STORE_UNPUBLISHED;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, down);
	q.status = STORE_PUBLISHED;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, pub);
	q.status = 7;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_EINVAL);
	q.status = -1;
	/* In review; scheduled and not yet due. */
	q.in_review = true;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, review);
	q.in_review = false;
	q.scheduled_future = true;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, sched);
	q.scheduled_future = false;
	q.status = STORE_SCHEDULED;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 2);
	/* An article put after it ran was last changed when it ran. */
	assert_int_equal(items[0].id, sched);
	assert_int_equal(items[1].id, due);
	q.status = -1;
	/* Owner, section. */
	q.owner_id = 3;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, draft);
	q.owner_id = 0;
	q.section_slug = "city";
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 2);
	q.section_slug = NULL;
	/* Words: each, any case, anywhere in the headline. */
	q.q = "  budget ";
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 3);
	q.q = "BUDGET  embar";
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, sched);
	q.q = "budget nowhere";
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	q.q = "bad \xff";
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_EINVAL);
	q.q = NULL;
	/* Pages. */
	q.limit = 2;
	q.offset = 4;
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &q, &items,
						  &n, &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 6);
}

static void
test_dashboard_counts(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {.headline = "x"};
	struct store_comment_input c = {
		.author = "R", .body = "b", .created_at = NOW,
		.status = STORE_COMMENT_PENDING,
	};
	struct store_dashboard_counts d;
	int64_t pub, cid;

	put(fx, &in, true);                 /* a draft */
	in.review_at = NOW;
	put(fx, &in, true);                 /* in review */
	put(fx, &in, true);
	in.review_at = 0;
	in.status = STORE_SCHEDULED;
	in.published_at = NOW + 60;
	put(fx, &in, true);                 /* not yet due */
	in.published_at = NOW - 60;
	put(fx, &in, true);                 /* due: published */
	in.status = STORE_PUBLISHED;
	pub = put(fx, &in, true);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	c.article_id = pub;
	assert_int_equal(store_comment_insert(fx->st, &c, &cid), GZ_OK);
	assert_int_equal(store_comment_insert(fx->st, &c, &cid), GZ_OK);
	c.status = STORE_COMMENT_APPROVED;
	assert_int_equal(store_comment_insert(fx->st, &c, &cid), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(store_dashboard_counts(fx->st, NOW, &d), GZ_OK);
	assert_int_equal(d.comments_pending, 2);
	assert_int_equal(d.in_review, 2);
	assert_int_equal(d.scheduled, 1);
	assert_int_equal(d.published, 2);
	assert_int_equal(store_dashboard_counts(fx->st, NOW + 60, &d), GZ_OK);
	assert_int_equal(d.scheduled, 0);
	assert_int_equal(d.published, 3);
}

/* Counts a sitemap walk's rows. */
static int
count_row(void *ctx, const struct store_sitemap_row *row)
{
	(void)row;
	(*(size_t *)ctx)++;
	return GZ_OK;
}

/* How many articles every reader-side function finds at now, asserting
 * they all agree on want. */
static void
readers_see(struct fx *fx, int64_t id, int64_t now, size_t want)
{
	struct store_article_query q = {.now = now, .limit = 10};
	struct store_article_filter f = {.now = now, .limit = 10};
	struct store_article a, *items;
	struct store_search_hit *hits;
	struct store_month *months;
	struct store_author *au;
	struct store_section *secs;
	size_t n, total, rows = 0;
	int64_t *lastmod;
	bool capped;

	assert_int_equal(store_article_get(fx->st, fx->pool, id, now, &a),
			 want ? GZ_OK : GZ_ENOTFOUND);
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(total, want);
	q.section_slug = "world";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(total, want);
	q.section_slug = NULL;
	q.tag_slug = "embargo";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(total, want);
	assert_int_equal(store_article_range(fx->st, fx->pool, now, 0,
					     INT64_MAX, 10, 0, &items, &n,
					     &total), GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(store_article_months(fx->st, fx->pool, now, &months,
					      &n), GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(store_article_page(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, want);
	f.author_slug = "ann-lee";
	assert_int_equal(store_article_page(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(store_search(fx->st, fx->pool, now, "quokka", 10, 0,
				      &hits, &n, &total, &capped), GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(store_sitemap_each(fx->st, now, 0, 10, count_row,
					    &rows), GZ_OK);
	assert_int_equal(rows, want);
	rows = 0;
	assert_int_equal(store_sitemap_news(fx->st, now, 0, 10, count_row,
					    &rows), GZ_OK);
	assert_int_equal(rows, want);
	assert_int_equal(store_sitemap_pieces(fx->st, fx->pool, now, 100,
					      &lastmod, &n), GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(store_author_list(fx->st, fx->pool, now, &au, &n),
			 GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(store_author_articles(fx->st, fx->pool, now,
					       "ann-lee", 10, 0, &items, &n,
					       &total), GZ_OK);
	assert_int_equal(n, want);
	assert_int_equal(total, want);
	assert_int_equal(store_section_list(fx->st, fx->pool, now, &secs, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(secs[0].article_count, (int64_t)want);
}

static void
test_embargo_everywhere(void **state)
{
	struct fx *fx = *state;
	static const char *const t[] = {"Embargo"};
	int64_t now = (int64_t)time(NULL), at = now + 86400, id;
	struct store_article_input in = {
		.headline = "Quokka census",
		.body = "The quokka count is in.",
		.section = "World",
		.byline = "By Ann Lee",
		.status = STORE_SCHEDULED,
		.published_at = at,
		.tags = t,
		.ntags = 1,
	};

	assert_int_equal(store_due_publish(fx->st, now), GZ_OK);
	id = put(fx, &in, true);
	readers_see(fx, id, now, 0);
	readers_see(fx, id, at - 1, 0);
	assert_int_equal(tag_count(fx), 0);

	/* The due ticker reaches it: visible everywhere, and counted. */
	assert_int_equal(store_due_publish(fx->st, at), GZ_OK);
	readers_see(fx, id, at, 1);
	assert_int_equal(tag_count(fx), 1);

	/* Taken down: invisible everywhere again, counts drop. */
	assert_int_equal(status_set(fx, id, STORE_UNPUBLISHED, 0, at), GZ_OK);
	readers_see(fx, id, at, 0);
	readers_see(fx, id, at + 86400, 0);
	assert_int_equal(tag_count(fx), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_put_get_round_trip),
		T(test_put_defaults),
		T(test_put_slugs),
		T(test_upsert_by_import_key),
		T(test_tags_dedupe_by_slug),
		T(test_tag_get),
		T(test_rollback_leaves_db_as_before),
		T(test_failed_put_is_undone_alone),
		T(test_visibility),
		T(test_list_order_and_pages),
		T(test_list_filters),
		T(test_invalid_utf8_rejected),
		T(test_headline_and_limits),
		T(test_non_latin_headline),
		T(test_body_html_put_get),
		T(test_html_stale_set_round_trip),
		T(test_put_by_id),
		T(test_unpublish_publish_counts),
		T(test_delete_cascades),
		T(test_admin_list_filters),
		T(test_dashboard_counts),
		T(test_embargo_everywhere),
#undef T
	};

	return cmocka_run_group_tests_name("store/article", tests, NULL, NULL);
}
