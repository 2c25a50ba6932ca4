/*
 * test_store_revision.c - tests of src/store/revision.c: what each save
 * records (creation, edits, an editor's unchanged save, status changes),
 * what it does not (an unchanged re-import), what a revision holds (tags
 * and authors as text, the body only when read alone), and a restore.
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

#include "store/store.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#include "store_fixture.h"

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
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-revision-XXXXXX");
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

/* Puts in in its own transaction; returns the id. */
static int64_t
put(struct fx *fx, const struct store_article_input *in)
{
	int64_t id = 0;
	bool created;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_true(id > 0);
	return id;
}

/* Article id's revisions, newest first. */
static size_t
revisions(struct fx *fx, int64_t id, struct store_revision **items)
{
	size_t n = 0;

	assert_int_equal(store_revision_list(fx->st, fx->pool, id, items, &n),
			 GZ_OK);
	return n;
}

static const char *const tags[] = {"Zoning", "bridges", "Council"};
static const char *const authors[] = {"Ben Ode", "Ann Lee"};

/* Schema 11: whose HTML a body is travels with the article and each
 * revision; a change of trust alone is a change (the page changes). */
static void
test_body_trust_kept(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "A writer's draft",
		.body = "<b>raw</b>",
		.status = STORE_DRAFT,
		.actor = "admin:wendy",
		.body_untrusted = true,
	};
	struct store_revision *items, r;
	struct store_article a;
	int64_t id;

	/* Imports and editors trust by default. */
	id = put(fx, &(struct store_article_input){
		.import_key = "t.md", .headline = "Imported", .body = "x",
		.status = STORE_PUBLISHED, .published_at = NOW});
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_true(a.body_trusted);

	id = put(fx, &in);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_false(a.body_trusted);
	assert_int_equal(revisions(fx, id, &items), 1);
	assert_int_equal(store_revision_get(fx->st, fx->pool, items[0].id, &r),
			 GZ_OK);
	assert_false(r.body_trusted);

	/* An editor trusts the same words: a new revision, trusted. */
	in.id = id;
	in.actor = "admin:eddie";
	in.body_untrusted = false;
	put(fx, &in);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_true(a.body_trusted);
	assert_int_equal(revisions(fx, id, &items), 2);
	assert_int_equal(store_revision_get(fx->st, fx->pool, items[0].id, &r),
			 GZ_OK);
	assert_true(r.body_trusted);
	assert_int_equal(store_revision_get(fx->st, fx->pool, items[1].id, &r),
			 GZ_OK);
	assert_false(r.body_trusted);
}

/* Schema 12: each revision reads back the lead image it was saved with
 * (0 for none), in the list and one by one, the photo deleted since or
 * not. */
static void
test_image_id_read(void **state)
{
	static const int widths[] = {320};
	struct fx *fx = *state;
	struct store_media_input mi = {
		.hash = "0123456789abcdef0123456789abcdef", .format = "jpeg",
		.width = 320, .height = 200, .bytes = 10, .widths = widths,
		.nwidths = 1, .alt = "A bridge", .actor = "admin:ann",
	};
	struct store_article_input in = {
		.headline = "With a photo", .body = "x", .status = STORE_DRAFT,
		.actor = "admin:ann",
	};
	struct store_revision *items, r;
	int64_t photo = 0, id;
	bool created;

	assert_int_equal(store_media_add(fx->st, &mi, &photo, &created), GZ_OK);
	in.image_id = photo;
	id = put(fx, &in);
	in.id = id;
	in.image_id = STORE_IMAGE_NONE;
	put(fx, &in);
	assert_int_equal(store_media_delete(fx->st, photo), GZ_OK);
	assert_int_equal(revisions(fx, id, &items), 2);
	assert_int_equal(items[0].image_id, 0);
	assert_int_equal(items[1].image_id, photo);
	assert_int_equal(store_revision_get(fx->st, fx->pool, items[1].id, &r),
			 GZ_OK);
	assert_int_equal(r.image_id, photo);
	assert_string_equal(r.body, "x");
	assert_int_equal(store_revision_get(fx->st, fx->pool, items[0].id, &r),
			 GZ_OK);
	assert_int_equal(r.image_id, 0);
}

/* A save that expects a revision other than the newest writes nothing. */
static void
test_stale_save_refused(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Draft", .body = "one", .status = STORE_DRAFT,
		.actor = "admin:ann",
	};
	struct store_revision *items;
	struct store_article a;
	int64_t id, newest = 0, got = 0;
	bool created;

	id = put(fx, &in);
	assert_int_equal(store_revision_newest(fx->st, id, &newest), GZ_OK);
	assert_true(newest > 0);
	in.id = id;
	in.expect_revision = newest;
	in.body = "two";
	put(fx, &in); /* the newest it read: saved */
	in.body = "three"; /* still expecting the old one */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, &in, &got, &created),
			 GZ_ECONFLICT);
	store_tx_rollback(fx->st);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_string_equal(a.body, "two");
	assert_int_equal(revisions(fx, id, &items), 2);
	assert_int_equal(store_revision_newest(fx->st, id + 100, &got), GZ_OK);
	assert_int_equal(got, 0);
}

static void
test_create_records_one(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.import_key = "a.md",
		.headline = "Council votes",
		.summary = "A vote",
		.body = "The *body*.",
		.byline = "By Ben Ode and Ann Lee",
		.dateline = "RIVERTON",
		.section = "City Hall",
		.lang = "en",
		.status = STORE_PUBLISHED,
		.published_at = NOW,
		.tags = tags,
		.ntags = 3,
		.authors = authors,
		.nauthors = 2,
	};
	struct store_revision *items, r;
	int64_t id;

	id = put(fx, &in);
	assert_int_equal(revisions(fx, id, &items), 1);
	assert_int_equal(items[0].article_id, id);
	assert_string_equal(items[0].actor, "import");
	assert_string_equal(items[0].note, "");
	assert_string_equal(items[0].headline, "Council votes");
	assert_string_equal(items[0].body, ""); /* not in the list */
	/* Tags as store_article_get sorts them; authors in byline order. */
	assert_string_equal(items[0].tags, "bridges, Council, Zoning");
	assert_string_equal(items[0].authors, "Ben Ode, Ann Lee");
	assert_string_equal(items[0].section, "City Hall");
	assert_int_equal(items[0].status, STORE_PUBLISHED);
	assert_int_equal(items[0].published_at, NOW);

	assert_int_equal(store_revision_get(fx->st, fx->pool, items[0].id, &r),
			 GZ_OK);
	assert_string_equal(r.body, "The *body*.");
	assert_string_equal(r.summary, "A vote");
	assert_string_equal(r.byline, "By Ben Ode and Ann Lee");
	assert_string_equal(r.dateline, "RIVERTON");
	assert_string_equal(r.slug, "council-votes");
	assert_string_equal(r.lang, "en");
	assert_int_equal(store_revision_get(fx->st, fx->pool, r.id + 100, &r),
			 GZ_ENOTFOUND);
	/* No such article: no revisions, no error. */
	assert_int_equal(revisions(fx, id + 100, &items), 0);
}

static void
test_reimport_unchanged_records_none(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.import_key = "a.md",
		.headline = "Same",
		.body = "Body",
		.status = STORE_PUBLISHED,
		.published_at = NOW,
		.tags = tags,
		.ntags = 1,
	};
	struct store_revision *items;
	int64_t id;

	id = put(fx, &in);
	assert_int_equal(put(fx, &in), id);
	assert_int_equal(put(fx, &in), id);
	assert_int_equal(revisions(fx, id, &items), 1);
	/* A changed file is a revision; a tag alone is a change too. */
	in.body = "Body, corrected";
	assert_int_equal(put(fx, &in), id);
	assert_int_equal(revisions(fx, id, &items), 2);
	in.ntags = 2;
	assert_int_equal(put(fx, &in), id);
	assert_int_equal(revisions(fx, id, &items), 3);
	assert_string_equal(items[0].tags, "bridges, Zoning");
	/* An editor's save records one even when nothing changed. */
	in.actor = "admin:ann";
	in.revision_note = "looked it over";
	assert_int_equal(put(fx, &in), id);
	assert_int_equal(revisions(fx, id, &items), 4);
	assert_string_equal(items[0].actor, "admin:ann");
	assert_string_equal(items[0].note, "looked it over");
}

static void
test_five_edits_and_restore(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Draft 0",
		.body = "Body 0",
		.section = "World",
		.status = STORE_DRAFT,
		.actor = "admin:ann",
	};
	char headline[32], body[32], note[64];
	struct store_revision *items, old;
	struct store_article a;
	const char *restored_tags[1];
	int64_t id, first;
	int i, k;

	id = put(fx, &in);
	assert_int_equal(revisions(fx, id, &items), 1);
	first = items[0].id;
	in.id = id;
	for (i = 1; i <= 5; i++) {
		k = snprintf(headline, sizeof(headline), "Draft %d", i);
		assert_true(k > 0 && (size_t)k < sizeof(headline));
		k = snprintf(body, sizeof(body), "Body %d", i);
		assert_true(k > 0 && (size_t)k < sizeof(body));
		in.headline = headline;
		in.body = body;
		in.tags = tags;
		in.ntags = (size_t)(i % 2);
		assert_int_equal(put(fx, &in), id);
	}
	assert_int_equal(revisions(fx, id, &items), 6);
	assert_string_equal(items[0].headline, "Draft 5");
	assert_string_equal(items[5].headline, "Draft 0");
	for (i = 0; i < 5; i++)
		assert_true(items[i].id > items[i + 1].id);

	/* Restore revision 1 (the first edit): its fields put back. */
	assert_int_equal(store_revision_get(fx->st, fx->pool, items[4].id,
					    &old), GZ_OK);
	assert_string_equal(old.headline, "Draft 1");
	assert_string_equal(old.tags, "Zoning");
	k = snprintf(note, sizeof(note), "restore of revision %lld",
		     (long long)old.id);
	assert_true(k > 0 && (size_t)k < sizeof(note));
	restored_tags[0] = old.tags;
	in.headline = old.headline;
	in.body = old.body;
	in.summary = old.summary;
	in.byline = old.byline;
	in.dateline = old.dateline;
	in.section = old.section;
	in.lang = old.lang;
	in.slug = old.slug;
	in.tags = restored_tags;
	in.ntags = 1;
	in.status = old.status;
	in.published_at = old.published_at;
	in.revision_note = note;
	assert_int_equal(put(fx, &in), id);

	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_string_equal(a.headline, "Draft 1");
	assert_string_equal(a.body, "Body 1");
	assert_int_equal(a.ntags, 1);
	assert_string_equal(a.tags[0].name, "Zoning");
	assert_int_equal(revisions(fx, id, &items), 7);
	assert_string_equal(items[0].note, note);
	assert_string_equal(items[0].headline, "Draft 1");
	assert_true(items[0].id > first);
}

static void
test_status_changes_record(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Story",
		.status = STORE_PUBLISHED,
		.published_at = NOW,
	};
	struct store_revision *items;
	int64_t id;

	id = put(fx, &in);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_status_set(fx->st, id,
						  STORE_UNPUBLISHED, 0,
						  "admin:ed", NOW + 10), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(revisions(fx, id, &items), 2);
	assert_string_equal(items[0].note, "unpublish");
	assert_string_equal(items[0].actor, "admin:ed");
	assert_int_equal(items[0].status, STORE_UNPUBLISHED);
	assert_int_equal(items[0].created_at, NOW + 10);
	assert_int_equal(items[0].published_at, NOW);

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_status_set(fx->st, id, STORE_PUBLISHED,
						  0, "admin:ed", NOW + 20),
			 GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(revisions(fx, id, &items), 3);
	assert_string_equal(items[0].note, "publish");
	assert_int_equal(items[0].status, STORE_PUBLISHED);
	/* Back up with the time it first ran. */
	assert_int_equal(items[0].published_at, NOW);
}

/* An article keeps its newest GZ_LIMIT_REVISIONS: five saves past the
 * limit drop the five oldest, and the newest is the last save. */
static void
test_revisions_capped(void **state)
{
	struct fx *fx = *state;
	struct store_article_input in = {
		.headline = "Save 0",
		.status = STORE_DRAFT,
		.actor = "admin:ann",
	};
	struct store_revision *items;
	char headline[32];
	int64_t id, first;
	unsigned i;
	int k;

	id = put(fx, &in);
	assert_int_equal(revisions(fx, id, &items), 1);
	first = items[0].id;
	in.id = id;
	for (i = 1; i < GZ_LIMIT_REVISIONS + 5; i++) {
		k = snprintf(headline, sizeof(headline), "Save %u", i);
		assert_true(k > 0 && (size_t)k < sizeof(headline));
		in.headline = headline;
		put(fx, &in);
	}
	assert_int_equal(revisions(fx, id, &items), GZ_LIMIT_REVISIONS);
	assert_string_equal(items[0].headline, headline);
	assert_int_equal(items[GZ_LIMIT_REVISIONS - 1].id, first + 5);
	assert_string_equal(items[GZ_LIMIT_REVISIONS - 1].headline, "Save 5");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_body_trust_kept),
		T(test_image_id_read),
		T(test_stale_save_refused),
		T(test_create_records_one),
		T(test_reimport_unchanged_records_none),
		T(test_five_edits_and_restore),
		T(test_status_changes_record),
		T(test_revisions_capped),
#undef T
	};

	return cmocka_run_group_tests_name("store/revision", tests, NULL, NULL);
}
