/*
 * test_store_media.c - tests of src/store/media.c and of the lead image
 * articles carry (schema 12): recording an image and finding it again by
 * hash, the words an image needs, the library's list and search, an
 * editor's changes and the change keys they fire, deleting, the
 * articles using an image, and article puts and reads with an image.
 *
 * Each test opens a fresh store in its own mkdtemp directory, removed
 * afterwards. The upgrade from schema 11 is tested with the others, from
 * schema 1 through every migration, in test_store_sqlite.c.
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
#include "store/store_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#include "store_fixture.h"

#define NOW INT64_C(1621362660)
#define LATER (NOW + 3600)

#define HASH_A "0123456789abcdef0123456789abcdef"
#define HASH_B "fedcba9876543210fedcba9876543210"
#define HASH_C "00112233445566778899aabbccddeeff"

/* The keys of the last commit, as the listener heard them. */
#define KEYS_MAX 64

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	struct pool *pool;
	char keys[KEYS_MAX][64];
	size_t nkeys;
};

static void
on_keys(void *ctx, const char *const *keys, size_t nkeys)
{
	struct fx *fx = ctx;
	size_t i;

	for (i = 0; i < nkeys && fx->nkeys < KEYS_MAX; i++) {
		snprintf(fx->keys[fx->nkeys], sizeof(fx->keys[0]), "%s",
			 keys[i]);
		fx->nkeys++;
	}
}

static bool
heard(const struct fx *fx, const char *key)
{
	size_t i;

	for (i = 0; i < fx->nkeys; i++)
		if (strcmp(fx->keys[i], key) == 0)
			return true;
	return false;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-media-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(4u << 20));
	store_events_listen(fx->st, on_keys, fx);
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

static const int widths_two[] = {320, 640};

/* An image of hash h with alt; the rest as a small JPEG's. */
static struct store_media_input
image(const char *h, const char *alt)
{
	struct store_media_input in = {
		.hash = h,
		.format = "jpeg",
		.width = 800,
		.height = 600,
		.bytes = 12345,
		.widths = widths_two,
		.nwidths = 2,
		.alt = alt,
		.actor = "admin:ann",
	};

	return in;
}

/* Adds in on its own (no transaction of the caller's); returns the id. */
static int64_t
add(struct fx *fx, const struct store_media_input *in, bool want_created)
{
	int64_t id = 0;
	bool created = !want_created;

	assert_int_equal(store_media_add(fx->st, in, &id, &created), GZ_OK);
	assert_true(id > 0);
	assert_true(created == want_created);
	return id;
}

/* Puts in in its own transaction; returns put's answer, id in *id. */
static int
put(struct fx *fx, const struct store_article_input *in, int64_t *id)
{
	bool created;
	int err;

	fx->nkeys = 0;
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_article_put(fx->st, in, id, &created);
	if (err == GZ_OK)
		assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	else
		store_tx_rollback(fx->st);
	return err;
}

static struct store_article_input
story(const char *headline, int64_t image_id)
{
	static const char *const tags[] = {"Bridges"};
	struct store_article_input in = {
		.headline = headline,
		.body = "The council voted on the bridge.",
		.byline = "By Ann Lee",
		.section = "City",
		.status = STORE_PUBLISHED,
		.published_at = NOW,
		.tags = tags,
		.ntags = 1,
		.image_id = image_id,
	};

	return in;
}

static void
test_add_get_dedupe(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in = image(HASH_A, "The river bridge at dusk");
	struct store_media m;
	int64_t id, again;

	in.caption = "The bridge, finished.";
	in.credit = "Photo: Ann Lee/The Riverton Post";
	in.avif = true;
	id = add(fx, &in, true);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_int_equal(m.id, id);
	assert_string_equal(m.hash, HASH_A);
	assert_string_equal(m.format, "jpeg");
	assert_int_equal(m.width, 800);
	assert_int_equal(m.height, 600);
	assert_int_equal(m.bytes, 12345);
	assert_int_equal(m.nwidths, 2);
	assert_int_equal(m.widths[0], 320);
	assert_int_equal(m.widths[1], 640);
	assert_true(m.avif);
	assert_string_equal(m.alt, "The river bridge at dusk");
	assert_false(m.decorative);
	assert_string_equal(m.caption, "The bridge, finished.");
	assert_string_equal(m.credit, "Photo: Ann Lee/The Riverton Post");
	assert_int_equal(m.focal_x, 500);
	assert_int_equal(m.focal_y, 500);
	assert_true(m.created_at > 0);
	assert_string_equal(m.actor, "admin:ann");
	assert_int_equal(m.uses, 0);

	/* The same bytes again: the same row, its words as they were. */
	in.alt = "Something else";
	in.caption = NULL;
	again = add(fx, &in, false);
	assert_int_equal(again, id);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_string_equal(m.alt, "The river bridge at dusk");
	assert_string_equal(m.caption, "The bridge, finished.");

	/* Other bytes: another row; no widths and no caption read back as
	 * none and "". */
	in = image(HASH_B, "A heron");
	in.nwidths = 0;
	in.widths = NULL;
	in.actor = NULL;
	again = add(fx, &in, true);
	assert_int_not_equal(again, id);
	assert_int_equal(store_media_get(fx->st, fx->pool, again, &m), GZ_OK);
	assert_int_equal(m.nwidths, 0);
	assert_string_equal(m.caption, "");
	assert_string_equal(m.credit, "");
	assert_string_equal(m.actor, "import");

	assert_int_equal(store_media_get(fx->st, fx->pool, id + 100, &m),
			 GZ_ENOTFOUND);
}

static void
test_add_refuses(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in;
	static const int unsorted[] = {640, 320};
	static const int nine[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	char *big;
	int64_t id = 7;
	bool created = true;
	size_t total = 9, n;
	struct store_media *items;

	/* No alt, and not decorative. */
	in = image(HASH_A, "");
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	assert_int_equal(id, 0);
	assert_false(created);
	in = image(HASH_A, NULL);
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	in = image(HASH_A, " \t ");
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	/* Words over the limit, or not UTF-8. */
	assert_non_null(big = malloc(GZ_LIMIT_MEDIA_TEXT_BYTES + 2));
	memset(big, 'a', GZ_LIMIT_MEDIA_TEXT_BYTES + 1);
	big[GZ_LIMIT_MEDIA_TEXT_BYTES + 1] = '\0';
	in = image(HASH_A, big);
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	in = image(HASH_A, "ok");
	in.caption = big;
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	in = image(HASH_A, "ok");
	in.credit = big;
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	/* Exactly the limit is fine. */
	big[GZ_LIMIT_MEDIA_TEXT_BYTES] = '\0';
	in = image(HASH_C, big);
	add(fx, &in, true);
	free(big);
	in = image(HASH_A, "caf\xc3");
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	/* Control and bidi characters, in any of the words; an update is
	 * refused the same and changes nothing. */
	{
		static const char *const bad[] = {
			"a\tb", "two\nlines", "del\x7f", "\xe2\x80\xae" "evil",
			"\xe2\x81\xa6iso\xe2\x81\xa9",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
			in = image(HASH_A, bad[i]);
			assert_int_equal(store_media_add(fx->st, &in, &id,
							 &created), GZ_EINVAL);
			in = image(HASH_A, "ok");
			in.caption = bad[i];
			assert_int_equal(store_media_add(fx->st, &in, &id,
							 &created), GZ_EINVAL);
			in = image(HASH_A, "ok");
			in.credit = bad[i];
			assert_int_equal(store_media_add(fx->st, &in, &id,
							 &created), GZ_EINVAL);
		}
		in = image(HASH_B, "ok");
		id = add(fx, &in, true);
		assert_int_equal(store_media_update(fx->st, id, "ok", false,
						    "cap\ttion", "", 500, 500),
				 GZ_EINVAL);
		assert_int_equal(store_media_update(fx->st, id, "ok", false, "",
						    "\xe2\x80\xadx", 500, 500),
				 GZ_EINVAL);
		assert_int_equal(store_media_delete(fx->st, id), GZ_OK);
		/* Right-to-left marks are words' own. */
		in = image(HASH_B, "\xd9\x86\xd9\x88\xd8\xb1\xe2\x80\x8f");
		id = add(fx, &in, true);
		assert_int_equal(store_media_delete(fx->st, id), GZ_OK);
	}
	/* What media_ingest never hands over. */
	in = image("0123", "ok");
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	in = image("0123456789ABCDEF0123456789ABCDEF", "ok");
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	in = image(HASH_A, "ok");
	in.format = "gif";
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	in = image(HASH_A, "ok");
	in.width = 0;
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	in = image(HASH_A, "ok");
	in.widths = unsorted;
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	in = image(HASH_A, "ok");
	in.widths = nine;
	in.nwidths = 9;
	assert_int_equal(store_media_add(fx->st, &in, &id, &created),
			 GZ_EINVAL);
	/* Only the image at the limit was stored. */
	assert_int_equal(store_media_list(fx->st, fx->pool, NULL, 10, 0, &items,
					  &n, &total), GZ_OK);
	assert_int_equal(total, 1);

	/* Decorative: no alt needed. */
	in = image(HASH_A, "");
	in.decorative = true;
	id = add(fx, &in, true);
	{
		struct store_media m;

		assert_int_equal(store_media_get(fx->st, fx->pool, id, &m),
				 GZ_OK);
		assert_true(m.decorative);
		assert_string_equal(m.alt, "");
	}
}

static void
test_add_in_callers_transaction(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in = image(HASH_A, "A heron");
	struct store_media m;
	int64_t id = 0;
	bool created = false;

	/* Rolled back with the caller's transaction. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_media_add(fx->st, &in, &id, &created), GZ_OK);
	assert_true(created);
	store_tx_rollback(fx->st);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m),
			 GZ_ENOTFOUND);
	/* Kept with its commit. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_media_add(fx->st, &in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
}

static void
test_list_search_total(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in;
	struct store_media *items;
	size_t n, total;
	int64_t a, b, c;

	in = image(HASH_A, "The river bridge at dusk");
	a = add(fx, &in, true);
	in = image(HASH_B, "A heron");
	in.caption = "Wading under the BRIDGE";
	b = add(fx, &in, true);
	in = image(HASH_C, "Council chamber");
	in.credit = "Photo: Ben Ode";
	c = add(fx, &in, true);

	/* Newest first (the same second: the later id first). */
	assert_int_equal(store_media_list(fx->st, fx->pool, NULL, 10, 0, &items,
					  &n, &total), GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_int_equal(items[0].id, c);
	assert_int_equal(items[1].id, b);
	assert_int_equal(items[2].id, a);
	assert_string_equal(items[1].caption, "Wading under the BRIDGE");
	assert_int_equal(items[0].uses, 0);

	/* Search: alt, caption and credit, any case. */
	assert_int_equal(store_media_list(fx->st, fx->pool, "Bridge", 10, 0,
					  &items, &n, &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_int_equal(items[0].id, b);
	assert_int_equal(items[1].id, a);
	assert_int_equal(store_media_list(fx->st, fx->pool, "ben ODE", 10, 0,
					  &items, &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, c);
	assert_int_equal(store_media_list(fx->st, fx->pool, "nothing", 10, 0,
					  &items, &n, &total), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	assert_null(items);
	/* "" is no search; a page of one from the second. */
	assert_int_equal(store_media_list(fx->st, fx->pool, "", 1, 1, &items,
					  &n, &total), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 3);
	assert_int_equal(items[0].id, b);
	/* The search is an input: capped, and UTF-8. */
	assert_int_equal(store_media_list(fx->st, fx->pool, "caf\xc3", 10, 0,
					  &items, &n, &total), GZ_EINVAL);
	{
		char big[GZ_LIMIT_SEARCH_BYTES + 2];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		assert_int_equal(store_media_list(fx->st, fx->pool, big, 10, 0,
						  &items, &n, &total),
				 GZ_EINVAL);
	}
}

static void
test_update_clamps_and_fires(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in = image(HASH_A, "The river bridge");
	struct store_article_input art;
	struct store_media m;
	int64_t id, article = 0, other = 0;
	char key[32];

	id = add(fx, &in, true);
	/* Unused: the row changes, and no page is told. */
	fx->nkeys = 0;
	assert_int_equal(store_media_update(fx->st, id, "The bridge", false,
					    "Finished.", "Photo: Ann Lee", -5,
					    2000), GZ_OK);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_string_equal(m.alt, "The bridge");
	assert_string_equal(m.caption, "Finished.");
	assert_string_equal(m.credit, "Photo: Ann Lee");
	assert_int_equal(m.focal_x, 0);
	assert_int_equal(m.focal_y, 1000);
	assert_false(heard(fx, "front"));

	/* Used: every page showing it is told. */
	art = story("Bridge opens", id);
	assert_int_equal(put(fx, &art, &article), GZ_OK);
	art = story("Other news", 0);
	art.section = "Sport";
	art.ntags = 0;
	assert_int_equal(put(fx, &art, &other), GZ_OK);
	fx->nkeys = 0;
	assert_int_equal(store_media_update(fx->st, id, "", true, NULL, NULL,
					    250, 750), GZ_OK);
	snprintf(key, sizeof(key), "article:%lld", (long long)article);
	assert_true(heard(fx, key));
	assert_true(heard(fx, "section:city"));
	assert_true(heard(fx, "tag:bridges"));
	assert_true(heard(fx, "front"));
	assert_true(heard(fx, "feeds"));
	snprintf(key, sizeof(key), "article:%lld", (long long)other);
	assert_false(heard(fx, key));
	assert_false(heard(fx, "section:sport"));
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_true(m.decorative);
	assert_string_equal(m.alt, "");
	assert_string_equal(m.caption, "");
	assert_int_equal(m.focal_x, 250);
	assert_int_equal(m.focal_y, 750);
	assert_int_equal(m.uses, 1);

	/* Refused: nothing changes, nothing is told. */
	fx->nkeys = 0;
	assert_int_equal(store_media_update(fx->st, id, "", false, NULL, NULL,
					    1, 1), GZ_EINVAL);
	assert_int_equal(store_media_update(fx->st, id, "ok", false,
					    "caf\xc3", NULL, 1, 1), GZ_EINVAL);
	assert_int_equal(store_media_update(fx->st, id + 9, "ok", false, NULL,
					    NULL, 1, 1), GZ_ENOTFOUND);
	assert_int_equal(fx->nkeys, 0);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_int_equal(m.focal_x, 250);

	/* Inside the caller's transaction: rolled back with it. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_media_update(fx->st, id, "Dusk", false, NULL,
					    NULL, 10, 10), GZ_OK);
	store_tx_rollback(fx->st);
	assert_int_equal(fx->nkeys, 0);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_string_equal(m.alt, "");
}

static void
test_delete_busy_when_used(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in = image(HASH_A, "The river bridge");
	struct store_article_input art;
	struct store_article *items;
	struct store_media m;
	int64_t id, unused, a1 = 0, a2 = 0;
	size_t n;

	id = add(fx, &in, true);
	in = image(HASH_B, "A heron");
	unused = add(fx, &in, true);
	art = story("Bridge opens", id);
	assert_int_equal(put(fx, &art, &a1), GZ_OK);
	art = story("Bridge draws crowds", id);
	art.status = STORE_DRAFT;
	assert_int_equal(put(fx, &art, &a2), GZ_OK);

	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_int_equal(m.uses, 2);
	assert_int_equal(store_media_uses(fx->st, fx->pool, id, 10, &items,
					  &n), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].id, a2);
	assert_string_equal(items[0].headline, "Bridge draws crowds");
	assert_string_equal(items[0].slug, "bridge-draws-crowds");
	assert_int_equal(items[0].status, STORE_DRAFT);
	assert_int_equal(items[1].id, a1);
	assert_int_equal(items[1].status, STORE_PUBLISHED);
	assert_int_equal(store_media_uses(fx->st, fx->pool, id, 1, &items,
					  &n), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_media_uses(fx->st, fx->pool, unused, 10, &items,
					  &n), GZ_OK);
	assert_int_equal(n, 0);

	assert_int_equal(store_media_delete(fx->st, id), GZ_EBUSY);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	/* Taken off both: then it goes. */
	art = story("Bridge opens", STORE_IMAGE_NONE);
	art.id = a1;
	assert_int_equal(put(fx, &art, &a1), GZ_OK);
	assert_int_equal(store_media_delete(fx->st, id), GZ_EBUSY);
	art = story("Bridge draws crowds", STORE_IMAGE_NONE);
	art.id = a2;
	art.status = STORE_DRAFT;
	assert_int_equal(put(fx, &art, &a2), GZ_OK);
	assert_int_equal(store_media_delete(fx->st, id), GZ_OK);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m),
			 GZ_ENOTFOUND);
	assert_int_equal(store_media_delete(fx->st, id), GZ_ENOTFOUND);
	assert_int_equal(store_media_delete(fx->st, unused), GZ_OK);
}

/* A body showing an image inline (the library's Markdown snippet) is a
 * use: counted, listed, and the delete refused; another image's hash,
 * or the hash elsewhere than in a /media/ path, is not. */
static void
test_inline_uses(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in = image(HASH_A, "The river bridge");
	struct store_article_input art;
	struct store_article *items;
	struct store_media m, *list;
	size_t n, total;
	int64_t id, other, a1 = 0, a2 = 0, a3 = 0;
	bool used = false;

	id = add(fx, &in, true);
	in = image(HASH_B, "A heron");
	other = add(fx, &in, true);
	art = story("Bridge in text", 0);
	art.body = "Before.\n\n![The bridge](/media/01/" HASH_A
		   "-960.jpeg)\n\nAfter.";
	assert_int_equal(put(fx, &art, &a1), GZ_OK);
	/* Lead image and inline in one article: one use. */
	art = story("Bridge twice", id);
	art.body = "![The bridge](/media/01/" HASH_A "-320.webp)";
	assert_int_equal(put(fx, &art, &a2), GZ_OK);
	art = story("Hash in words", 0);
	art.body = "The file " HASH_A " is named here, not shown.";
	assert_int_equal(put(fx, &art, &a3), GZ_OK);

	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_int_equal(m.uses, 2);
	assert_int_equal(store_media_get(fx->st, fx->pool, other, &m), GZ_OK);
	assert_int_equal(m.uses, 0);
	assert_int_equal(store_media_list(fx->st, fx->pool, NULL, 10, 0, &list,
					  &n, &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, other);
	assert_int_equal(list[0].uses, 0);
	assert_int_equal(list[1].id, id);
	assert_int_equal(list[1].uses, 2);
	assert_int_equal(store_media_uses(fx->st, fx->pool, id, 10, &items,
					  &n), GZ_OK);
	assert_int_equal(n, 2);
	assert_true((items[0].id == a1 && items[1].id == a2) ||
		    (items[0].id == a2 && items[1].id == a1));
	assert_int_equal(store_media_delete(fx->st, id), GZ_EBUSY);

	/* Out of the text and off the lead: then it goes, and its hash is
	 * no row's. */
	art = story("Bridge in text", 0);
	art.id = a1;
	assert_int_equal(put(fx, &art, &a1), GZ_OK);
	art = story("Bridge twice", STORE_IMAGE_NONE);
	art.id = a2;
	assert_int_equal(put(fx, &art, &a2), GZ_OK);
	assert_int_equal(store_media_hash_used(fx->st, HASH_A, &used), GZ_OK);
	assert_true(used);
	assert_int_equal(store_media_delete(fx->st, id), GZ_OK);
	assert_int_equal(store_media_hash_used(fx->st, HASH_A, &used), GZ_OK);
	assert_false(used);
	assert_int_equal(store_media_hash_used(fx->st, HASH_B, &used), GZ_OK);
	assert_true(used);
}

/* store_media_hashes_in's callback: appends each hash, then ";". */
struct found {
	char text[512];
	int calls;
	int fail_at; /* the call to answer GZ_ENOMEM (0: none) */
};

static int
on_hash(void *ctx, const char *hash)
{
	struct found *f = ctx;
	size_t len = strlen(f->text);

	assert_int_equal(strlen(hash), 32);
	f->calls++;
	if (f->calls == f->fail_at)
		return GZ_ENOMEM;
	snprintf(f->text + len, sizeof(f->text) - len, "%s;", hash);
	return GZ_OK;
}

/* The scan finds what MEDIA_INLINE's instr found: "/media/ab/", 32
 * lowercase hex digits starting "ab", then "-"; nothing else. */
static void
test_hashes_in(void **state)
{
	struct found f;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(store_media_hashes_in(NULL, on_hash, &f), GZ_OK);
	assert_int_equal(store_media_hashes_in("", on_hash, &f), GZ_OK);
	assert_int_equal(f.calls, 0);
	assert_int_equal(store_media_hashes_in(
				 "![a](/media/01/" HASH_A "-320.jpeg) x"
				 "/media/media/fe/" HASH_B "-1.webp"
				 " /media/01/" HASH_A "-9.avif",
				 on_hash, &f), GZ_OK);
	assert_string_equal(f.text, HASH_A ";" HASH_B ";" HASH_A ";");

	memset(&f, 0, sizeof(f));
	assert_int_equal(store_media_hashes_in(
				 /* no "-", another prefix, upper case, short,
				  * no "/media/", cut at the end */
				 "/media/01/" HASH_A ".jpeg "
				 "/media/02/" HASH_A "-1.jpeg "
				 "/media/01/0123456789ABCDEF0123456789abcdef-1 "
				 "/media/01/0123456789abcdef-1 "
				 "/img/01/" HASH_A "-1 " HASH_A "- "
				 "/media/01/" HASH_A,
				 on_hash, &f), GZ_OK);
	assert_int_equal(f.calls, 0);
	assert_int_equal(store_media_hashes_in("/media/0", on_hash, &f),
			 GZ_OK);
	assert_int_equal(store_media_hashes_in("/media/", on_hash, &f),
			 GZ_OK);
	assert_int_equal(f.calls, 0);

	/* The callback's error stops the scan. */
	memset(&f, 0, sizeof(f));
	f.fail_at = 1;
	assert_int_equal(store_media_hashes_in("/media/01/" HASH_A "-1 "
					       "/media/fe/" HASH_B "-1",
					       on_hash, &f), GZ_ENOMEM);
	assert_int_equal(f.calls, 1);
}

/* The inline uses follow the bodies (article_media, schema 14): after
 * a save, after an edit taking the URL out, after an article's delete,
 * and for a photo deleted and uploaded again that a body still names. */
static void
test_inline_uses_follow_writes(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in = image(HASH_A, "The river bridge");
	struct store_article_input art;
	struct store_article *items;
	struct store_media m;
	int64_t id, again, a1 = 0, a2 = 0;
	size_t n;

	id = add(fx, &in, true);
	art = story("Bridge in text", 0);
	art.body = "![The bridge](/media/01/" HASH_A "-960.jpeg)";
	assert_int_equal(put(fx, &art, &a1), GZ_OK);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_int_equal(m.uses, 1);

	/* The URL edited out: no use, and it can go. */
	art.id = a1;
	art.body = "No photo now.";
	assert_int_equal(put(fx, &art, &a1), GZ_OK);
	assert_int_equal(store_media_get(fx->st, fx->pool, id, &m), GZ_OK);
	assert_int_equal(m.uses, 0);
	assert_int_equal(store_media_delete(fx->st, id), GZ_OK);

	/* A body naming it while it is gone, then the same bytes uploaded
	 * again (a new id): the body uses the new row. */
	art.body = "Again: ![The bridge](/media/01/" HASH_A "-320.jpeg)";
	assert_int_equal(put(fx, &art, &a1), GZ_OK);
	art = story("Second", 0);
	art.body = "![x](/media/01/" HASH_A "-640.jpeg)";
	assert_int_equal(put(fx, &art, &a2), GZ_OK);
	in = image(HASH_A, "The river bridge");
	again = add(fx, &in, true);
	assert_true(again != id);
	assert_int_equal(store_media_get(fx->st, fx->pool, again, &m), GZ_OK);
	assert_int_equal(m.uses, 2);
	assert_int_equal(store_media_uses(fx->st, fx->pool, again, 10, &items,
					  &n), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_media_delete(fx->st, again), GZ_EBUSY);

	/* An article deleted takes its uses with it (ON DELETE CASCADE). */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_delete(fx->st, a2), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_media_get(fx->st, fx->pool, again, &m), GZ_OK);
	assert_int_equal(m.uses, 1);

	/* The cheap reads: no uses counted, the same row. */
	assert_int_equal(store_media_exists(fx->st, again), GZ_OK);
	assert_int_equal(store_media_exists(fx->st, id), GZ_ENOTFOUND);
	assert_int_equal(store_media_get_lite(fx->st, fx->pool, again, &m),
			 GZ_OK);
	assert_string_equal(m.hash, HASH_A);
	assert_int_equal(m.uses, 0);
	assert_int_equal(store_media_get_lite(fx->st, fx->pool, id, &m),
			 GZ_ENOTFOUND);
}

static void
test_put_image(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in = image(HASH_A, "The river bridge");
	struct store_article_input art;
	struct store_revision *revs;
	struct store_article a;
	int64_t img, img2, id = 0, same = 0, n = 0;
	size_t nrevs, before;

	img = add(fx, &in, true);
	in = image(HASH_B, "A heron");
	img2 = add(fx, &in, true);

	/* A new article without one has none. */
	art = story("Bridge opens", 0);
	assert_int_equal(put(fx, &art, &id), GZ_OK);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_null(a.image);
	assert_int_equal(store_revision_list(fx->st, fx->pool, id, &revs,
					     &before), GZ_OK);

	/* Given one: read back with the article, a revision of its own. */
	art.id = id;
	art.image_id = img;
	assert_int_equal(put(fx, &art, &same), GZ_OK);
	assert_int_equal(same, id);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_non_null(a.image);
	assert_int_equal(a.image->id, img);
	assert_string_equal(a.image->alt, "The river bridge");
	assert_string_equal(a.image->hash, HASH_A);
	assert_int_equal(a.image->nwidths, 2);
	assert_int_equal(a.image->widths[1], 640);
	assert_int_equal(store_revision_list(fx->st, fx->pool, id, &revs,
					     &nrevs), GZ_OK);
	assert_int_equal(nrevs, before + 1);

	/* 0 keeps it; an unchanged re-save records no revision. */
	art.image_id = 0;
	assert_int_equal(put(fx, &art, &same), GZ_OK);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_non_null(a.image);
	assert_int_equal(a.image->id, img);
	assert_int_equal(store_revision_list(fx->st, fx->pool, id, &revs,
					     &nrevs), GZ_OK);
	assert_int_equal(nrevs, before + 1);

	/* Another image, alone: a change, a revision. */
	art.image_id = img2;
	assert_int_equal(put(fx, &art, &same), GZ_OK);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_int_equal(a.image->id, img2);
	assert_int_equal(store_revision_list(fx->st, fx->pool, id, &revs,
					     &nrevs), GZ_OK);
	assert_int_equal(nrevs, before + 2);

	/* An image that does not exist: nothing written, update or new. */
	art.image_id = img2 + 100;
	art.headline = "Changed headline";
	assert_int_equal(put(fx, &art, &same), GZ_ENOTFOUND);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_string_equal(a.headline, "Bridge opens");
	assert_int_equal(a.image->id, img2);
	art = story("A new story", img2 + 100);
	assert_int_equal(put(fx, &art, &same), GZ_ENOTFOUND);
	assert_int_equal(store_article_count(fx->st, &n), GZ_OK);
	assert_int_equal(n, 1);
	art.image_id = -2;
	assert_int_equal(put(fx, &art, &same), GZ_EINVAL);

	/* STORE_IMAGE_NONE takes it away. */
	art = story("Bridge opens", STORE_IMAGE_NONE);
	art.id = id;
	assert_int_equal(put(fx, &art, &same), GZ_OK);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a),
			 GZ_OK);
	assert_null(a.image);
	assert_int_equal(store_revision_list(fx->st, fx->pool, id, &revs,
					     &nrevs), GZ_OK);
	assert_int_equal(nrevs, before + 3);
}

/* Which of items is article id. */
static const struct store_article *
find(const struct store_article *items, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (items[i].id == id)
			return &items[i];
	fail_msg("article %lld not listed", (long long)id);
	return NULL;
}

static void
test_listings_fill_image(void **state)
{
	struct fx *fx = *state;
	struct store_media_input in = image(HASH_A, "The river bridge");
	struct store_article_input art;
	struct store_article *items;
	struct store_article_query q = {.now = LATER, .limit = 10};
	struct store_article_filter f = {.now = LATER, .limit = 10};
	struct store_admin_query aq = {.status = -1, .limit = 10};
	struct store_search_hit *hits;
	const struct store_article *x;
	int64_t img, with = 0, without = 0;
	size_t n, total;
	bool capped;

	in.caption = "The bridge, finished.";
	img = add(fx, &in, true);
	art = story("Bridge opens", img);
	assert_int_equal(put(fx, &art, &with), GZ_OK);
	art = story("Bridge closes", 0);
	assert_int_equal(put(fx, &art, &without), GZ_OK);

	/* The front page, a section's, a tag's. */
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_int_equal(n, 2);
	x = find(items, n, with);
	assert_non_null(x->image);
	assert_int_equal(x->image->id, img);
	assert_string_equal(x->image->caption, "The bridge, finished.");
	assert_null(find(items, n, without)->image);
	q.section_slug = "city";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_non_null(find(items, n, with)->image);
	assert_null(find(items, n, without)->image);
	q.section_slug = NULL;
	q.tag_slug = "bridges";
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    &total), GZ_OK);
	assert_non_null(find(items, n, with)->image);
	assert_null(find(items, n, without)->image);

	/* The JSON API's pages, an author's page, the archive, search and
	 * the newsroom's list. */
	assert_int_equal(store_article_page(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(find(items, n, with)->image->id, img);
	assert_null(find(items, n, without)->image);
	assert_int_equal(store_author_articles(fx->st, fx->pool, LATER,
					       "ann-lee", 10, 0, &items, &n,
					       &total), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(find(items, n, with)->image->id, img);
	assert_null(find(items, n, without)->image);
	assert_int_equal(store_article_range(fx->st, fx->pool, LATER, NOW - 1,
					     LATER, 10, 0, &items, &n, &total),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(find(items, n, with)->image->id, img);
	assert_int_equal(store_search(fx->st, fx->pool, LATER, "bridge", 10, 0,
				      &hits, &n, &total, &capped), GZ_OK);
	assert_int_equal(n, 2);
	{
		size_t i, seen = 0;

		for (i = 0; i < n; i++) {
			if (hits[i].article.id == with) {
				assert_non_null(hits[i].article.image);
				assert_int_equal(hits[i].article.image->id, img);
				assert_non_null(hits[i].headline_marked);
				assert_non_null(strstr(hits[i].headline_marked,
						       "Bridge"));
				seen++;
			} else {
				assert_null(hits[i].article.image);
			}
		}
		assert_int_equal(seen, 1);
	}
	assert_int_equal(store_article_admin_list(fx->st, fx->pool, &aq,
						  &items, &n, &total), GZ_OK);
	assert_int_equal(n, 2);
	x = find(items, n, with);
	assert_int_equal(x->image->id, img);
	assert_int_equal(x->status, STORE_PUBLISHED);
	assert_null(find(items, n, without)->image);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_get_dedupe, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_in_callers_transaction,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_search_total, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_update_clamps_and_fires,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_busy_when_used,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_inline_uses, setup,
						teardown),
		cmocka_unit_test(test_hashes_in),
		cmocka_unit_test_setup_teardown(test_inline_uses_follow_writes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_image, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_listings_fill_image, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("store_media", tests, NULL, NULL);
}
