/*
 * test_store_search.c - tests of src/store/search.c: BM25 order (headline
 * above summary above body), the newer story first between equals, only
 * visible stories, pages without repeats, the total capped at
 * STORE_SEARCH_MAX over the most recent matches, and the highlighted
 * headline and snippet of each row of the page.
 *
 * Each test opens a fresh store in its own mkdtemp directory, removed
 * afterwards. BM25 needs a corpus: every test adds filler stories that
 * never hold the words searched for.
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
#include "util/pool.h"

#include "store_fixture.h"

/* A fixed "now": 2021-05-18 18:31 UTC. */
#define NOW INT64_C(1621362660)
/* An hour, for dates around NOW. */
#define HOUR INT64_C(3600)
/* Filler stories each test adds first. */
#define FILLER 12

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
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-search-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(16u << 20));
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

/* Puts one story (inside the caller's transaction); returns its id. */
static int64_t
put(struct fx *fx, const char *headline, const char *summary,
    const char *body, enum store_status status, int64_t published_at)
{
	struct store_article_input in = {0};
	int64_t id = 0;
	bool created = false;

	in.headline = headline;
	in.summary = summary;
	in.body = body;
	in.status = status;
	in.published_at = published_at;
	assert_int_equal(store_article_put(fx->st, &in, &id, &created), GZ_OK);
	assert_true(created);
	return id;
}

/* Puts FILLER stories that hold none of the test words. */
static void
put_filler(struct fx *fx)
{
	char headline[64];
	int i;

	for (i = 0; i < FILLER; i++) {
		snprintf(headline, sizeof(headline), "Harbour notes %d", i);
		put(fx, headline, "Boats came and went.",
		    "The tide rose and fell along the quay all week.",
		    STORE_PUBLISHED, NOW - 100 * HOUR - i);
	}
}

/* Searches match at NOW, limit from offset; checks GZ_OK. */
static struct store_search_hit *
search(struct fx *fx, const char *match, size_t limit, size_t offset,
       size_t *n, size_t *total, bool *capped)
{
	struct store_search_hit *hits = NULL;

	assert_int_equal(store_search(fx->st, fx->pool, NOW, match, limit,
				      offset, &hits, n, total, capped), GZ_OK);
	return hits;
}

static void
test_rank_headline_summary_body(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *h;
	int64_t body, summary, headline;
	size_t n, total;
	bool capped;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	put_filler(fx);
	/* Stored body first and dated newest, so that neither id nor date
	 * can give the order that the columns' weights give. */
	body = put(fx, "A quiet week", "Nothing much.",
		   "The zeppelin flew over the market.", STORE_PUBLISHED,
		   NOW - 1 * HOUR);
	summary = put(fx, "A busy week", "A zeppelin flew over.",
		      "Crowds looked up at the sky.", STORE_PUBLISHED,
		      NOW - 2 * HOUR);
	headline = put(fx, "Zeppelin over the market", "Crowds gather.",
		       "Crowds looked up at the sky.", STORE_PUBLISHED,
		       NOW - 3 * HOUR);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	h = search(fx, "\"zeppelin\"", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_false(capped);
	assert_int_equal(h[0].article.id, headline);
	assert_int_equal(h[1].article.id, summary);
	assert_int_equal(h[2].article.id, body);
}

static void
test_newer_first_between_equals(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *h;
	int64_t older, newer;
	size_t n, total;
	bool capped;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	put_filler(fx);
	/* The newer story is stored first: its id is the lower. */
	newer = put(fx, "Lantern parade", "Lanterns.", "A lantern parade.",
		    STORE_PUBLISHED, NOW - 1 * HOUR);
	older = put(fx, "Lantern parade", "Lanterns.", "A lantern parade.",
		    STORE_PUBLISHED, NOW - 5 * HOUR);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	h = search(fx, "\"lantern\"", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].article.id, newer);
	assert_int_equal(h[1].article.id, older);
}

static void
test_drafts_and_future_never_found(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *h;
	int64_t seen;
	size_t n, total;
	bool capped;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	put_filler(fx);
	seen = put(fx, "Walrus sighted", "A walrus.", "A walrus on the quay.",
		   STORE_PUBLISHED, NOW - HOUR);
	put(fx, "Walrus draft", "A walrus.", "A walrus, not yet checked.",
	    STORE_DRAFT, NOW - HOUR);
	put(fx, "Walrus embargoed", "A walrus.", "A walrus, tomorrow.",
	    STORE_SCHEDULED, NOW + HOUR);
	put(fx, "Walrus published later", "A walrus.", "A walrus, soon.",
	    STORE_PUBLISHED, NOW + 1);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	h = search(fx, "\"walrus\"", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_int_equal(h[0].article.id, seen);
}

static void
test_pages_without_repeats(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *h;
	bool seen[64] = {false}, capped;
	size_t n, total, page, i, count = 0;
	int64_t first = 0;
	int k;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	put_filler(fx);
	for (k = 0; k < 25; k++) {
		char body[80];
		int64_t id;

		/* Some equal, some not: ties must still page stably. */
		snprintf(body, sizeof(body), "The pumpkin fair%s.",
			 k % 3 ? "" : ", pumpkin after pumpkin");
		id = put(fx, "Fair", "The fair.", body, STORE_PUBLISHED,
			 NOW - (k % 4) * HOUR);
		if (!first)
			first = id;
	}
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	for (page = 0; page < 3; page++) {
		h = search(fx, "\"pumpkin\"", 10, page * 10, &n, &total,
			   &capped);
		assert_int_equal(total, 25);
		assert_false(capped);
		assert_int_equal(n, page < 2 ? 10 : 5);
		for (i = 0; i < n; i++) {
			size_t slot = (size_t)(h[i].article.id - first);

			assert_true(slot < 25);
			assert_false(seen[slot]);
			seen[slot] = true;
			count++;
		}
	}
	assert_int_equal(count, 25);
	/* Past the last page: no rows, the total still known. */
	h = search(fx, "\"pumpkin\"", 10, 30, &n, &total, &capped);
	assert_int_equal(n, 0);
	assert_int_equal(total, 25);
}

/* Puts count stories holding match's word, with one id before them whose
 * headline holds it too (the best match of all, but the oldest stored).
 * Returns that id. */
static int64_t
put_many(struct fx *fx, int count)
{
	int64_t oldest;
	int k;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	put_filler(fx);
	oldest = put(fx, "Heron heron heron", "Heron.", "A heron.",
		     STORE_PUBLISHED, NOW - 2 * HOUR);
	for (k = 0; k < count; k++)
		put(fx, "Birds", "Birds.", "A heron on the weir.",
		    STORE_PUBLISHED, NOW - HOUR - k);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return oldest;
}

static void
test_total_capped(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *h;
	int64_t oldest = put_many(fx, STORE_SEARCH_MAX + 4);
	size_t n, total, i;
	bool capped = false;

	h = search(fx, "\"heron\"", STORE_SEARCH_MAX + 10, 0, &n, &total,
		   &capped);
	assert_true(capped);
	assert_int_equal(total, STORE_SEARCH_MAX);
	/* Only the most recent STORE_SEARCH_MAX are ranked: the five oldest
	 * stories (ids oldest to oldest + 4) are not among them, though the
	 * very oldest is the best match of all. */
	assert_int_equal(n, STORE_SEARCH_MAX);
	for (i = 0; i < n; i++)
		assert_true(h[i].article.id > oldest + 4);
	pool_clear(fx->pool);
	h = search(fx, "\"heron\"", 10, STORE_SEARCH_MAX, &n, &total, &capped);
	assert_int_equal(n, 0);
	assert_true(capped);
	assert_int_equal(total, STORE_SEARCH_MAX);
}

static void
test_total_at_the_cap_is_exact(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *h;
	int64_t oldest = put_many(fx, STORE_SEARCH_MAX - 1);
	size_t n, total;
	bool capped = true;

	/* STORE_SEARCH_MAX matches in all: counted, not "more than". */
	h = search(fx, "\"heron\"", 10, 0, &n, &total, &capped);
	assert_false(capped);
	assert_int_equal(total, STORE_SEARCH_MAX);
	assert_int_equal(n, 10);
	assert_int_equal(h[0].article.id, oldest);
}

static void
test_marks_on_every_row(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *h;
	size_t n, total, i;
	bool capped;
	int k;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	put_filler(fx);
	for (k = 0; k < 30; k++)
		put(fx, k % 2 ? "Ferry timetable" : "Harbour ferry news",
		    "Sailings.", "The morning ferry left late, and the ferry "
		    "crew apologised.", STORE_PUBLISHED, NOW - k * HOUR);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	/* A later page too, whose rows lie apart in the index. */
	for (k = 0; k < 2; k++) {
		h = search(fx, "\"ferry\"", 7, (size_t)k * 21, &n, &total,
			   &capped);
		assert_int_equal(total, 30);
		assert_int_equal(n, 7);
		for (i = 0; i < n; i++) {
			assert_non_null(h[i].headline_marked);
			assert_non_null(h[i].snippet);
			assert_non_null(strstr(h[i].snippet, "\x01" "ferry\x02"));
			assert_true(strstr(h[i].headline_marked,
					   "\x01" "ferry\x02") ||
				    strstr(h[i].headline_marked,
					   "\x01" "Ferry\x02"));
			assert_true(strlen(h[i].article.headline) > 0);
		}
	}
	/* A prefix and a phrase query mark their words too. */
	h = search(fx, "\"morning ferry\"", 10, 0, &n, &total, &capped);
	assert_int_equal(total, 30);
	assert_non_null(strstr(h[0].snippet, "\x01" "morning ferry\x02"));
	h = search(fx, "\"apolog\"*", 10, 0, &n, &total, &capped);
	assert_int_equal(total, 30);
	assert_non_null(strstr(h[0].snippet, "\x01" "apologised\x02"));
}

/* A hyphenated word is its parts, as FTS5's unicode61 splits it: the
 * query "high-school" finds "high school" and the other way round, and a
 * prefix applies to the last part. */
static void
test_hyphenated_words_are_their_parts(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *h;
	int64_t spaced, hyphened;
	size_t n, total;
	bool capped;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	put_filler(fx);
	spaced = put(fx, "A new high school", "Doors open.",
		     "The high school opens in May.", STORE_PUBLISHED,
		     NOW - 1 * HOUR);
	hyphened = put(fx, "The science-wing is ready", "Labs.",
		       "A high-school science-wing with six labs.",
		       STORE_PUBLISHED, NOW - 2 * HOUR);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	h = search(fx, "\"high-school\"", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].article.id, spaced);
	assert_int_equal(h[1].article.id, hyphened);
	h = search(fx, "\"high school\"", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 2);
	h = search(fx, "\"high-sch\"*", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 2);
	h = search(fx, "\"science-wing\"", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].article.id, hyphened);
	h = search(fx, "\"wing\"", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 1);
	/* The parts are a phrase: in another order they are not found. */
	(void)search(fx, "\"school-high\"", 10, 0, &n, &total, &capped);
	assert_int_equal(n, 0);
}

static void
test_refused_query(void **state)
{
	struct fx *fx = *state;
	struct store_search_hit *hits = NULL;
	size_t n = 1, total = 1;
	bool capped = true;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	put_filler(fx);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_search(fx->st, fx->pool, NOW, "\"unclosed", 10,
				      0, &hits, &n, &total, &capped),
			 GZ_EINVAL);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	assert_false(capped);
	/* No match at all: an empty answer, not an error. */
	assert_int_equal(store_search(fx->st, fx->pool, NOW, "\"zzzz\"", 10,
				      0, &hits, &n, &total, &capped), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_rank_headline_summary_body),
		T(test_newer_first_between_equals),
		T(test_drafts_and_future_never_found),
		T(test_pages_without_repeats),
		T(test_total_capped),
		T(test_total_at_the_cap_is_exact),
		T(test_marks_on_every_row),
		T(test_hyphenated_words_are_their_parts),
		T(test_refused_query),
#undef T
	};

	return cmocka_run_group_tests_name("store/search", tests, NULL, NULL);
}
