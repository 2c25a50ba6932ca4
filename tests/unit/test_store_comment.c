/*
 * test_store_comment.c - tests of src/store/comment.c: storing and
 * reading comments, spending CAPTCHA nonces once (also with two threads
 * racing), the reply rules, moderation with its log, deletion that keeps
 * threads whole, the commenter lookup, the moderators' queue, and the
 * comment fields of articles (comment_count, comments_close_at).
 *
 * Each test opens a fresh store in its own mkdtemp directory, removed
 * afterwards. moderation_log and other rows no function returns are read
 * through a second, raw SQLite connection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "store/store.h"
#include "util/err.h"
#include "util/pool.h"

#include "store_fixture.h"

/* A fixed "now": 2021-05-18 18:31 UTC. */
#define NOW INT64_C(1621362660)

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	struct pool *pool;
	int64_t a1, a2; /* two published articles */
	unsigned nonce_seq;
};

static int64_t put_article(struct fx *fx, const char *headline,
			   const char *key, int64_t close_at);

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-comment-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(16u << 20));
	fx->a1 = put_article(fx, "Council approves new river bridge", NULL, 0);
	fx->a2 = put_article(fx, "Storm watch: high winds", NULL, 0);
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

/* A published article; key may be NULL. */
static int64_t
put_article(struct fx *fx, const char *headline, const char *key,
	    int64_t close_at)
{
	struct store_article_input in = {
		.import_key = key,
		.headline = headline,
		.body = "Text.",
		.status = STORE_PUBLISHED,
		.published_at = NOW - 3600,
		.comments_close_at = close_at,
	};
	int64_t id = 0;
	bool created;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, &in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_true(id > 0);
	return id;
}

/* Runs sql, one integer answer (-1: no row), on a raw connection to the
 * database. */
static long long
raw_int(struct fx *fx, const char *sql)
{
	return store_fixture_int(fx->path, sql);
}

/* Asserts that the first column of sql's rows, joined by ' ', is want. */
static void
assert_raw_text(struct fx *fx, const char *sql, const char *want)
{
	char *got = store_fixture_text(fx->path, sql);

	assert_string_equal(got, want);
	free(got);
}

/* Asserts that SQLite's query plan of sql names want (as "USING INDEX
 * x"); PostgreSQL plans for its own statistics (a test's few rows are a
 * sequential scan), so there this checks nothing. */
static void
assert_plan_uses(struct fx *fx, const char *sql, const char *want)
{
	struct store_fixture_db db;
	char plan[1024];
	char *got;
	int n;

	if (store_fixture_pg())
		return;
	n = snprintf(plan, sizeof(plan), "EXPLAIN QUERY PLAN %s", sql);
	assert_true(n > 0 && (size_t)n < sizeof(plan));
	store_fixture_db_open(&db, fx->path);
	/* Column 3 of EXPLAIN QUERY PLAN is the step's text. */
	got = store_fixture_db_rows(&db, plan, 4, "; ");
	store_fixture_db_close(&db);
	if (!strstr(got, want))
		fail_msg("plan of %s: %s", sql, got);
	free(got);
}

/* A comment input on article with status, created at when, with a fresh
 * 16-byte nonce in buf. */
static struct store_comment_input
input(struct fx *fx, unsigned char buf[16], int64_t article,
      enum store_comment_status status, int64_t when)
{
	struct store_comment_input in = {
		.article_id = article,
		.author = "Ana",
		.email = "ana@example.com",
		.body = "Good news for the east bank.",
		.ip = "192.0.2.7",
		.status = status,
		.created_at = when,
		.nonce = buf,
		.nonce_len = 16,
		.nonce_expires_at = when + 7200,
	};

	memset(buf, 0, 16);
	fx->nonce_seq++;
	memcpy(buf, &fx->nonce_seq, sizeof(fx->nonce_seq));
	return in;
}

/* Inserts in in its own transaction, committed either way; returns what
 * store_comment_insert answered. */
static int
insert_err(struct fx *fx, const struct store_comment_input *in, int64_t *id)
{
	int64_t dummy;
	int err;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_comment_insert(fx->st, in, id ? id : &dummy);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return err;
}

/* Inserts a comment that must be stored; returns its id. */
static int64_t
add(struct fx *fx, int64_t article, enum store_comment_status status,
    int64_t when, int64_t parent, const char *email)
{
	unsigned char nonce[16];
	struct store_comment_input in = input(fx, nonce, article, status, when);
	int64_t id = 0;

	in.parent_id = parent;
	if (email)
		in.email = email;
	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
	assert_true(id > 0);
	return id;
}

static int
set_status(struct fx *fx, int64_t id, enum store_comment_status s)
{
	int err;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_comment_set_status(fx->st, id, s, "cli:ed", NOW + 60);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return err;
}

static int
delete(struct fx *fx, int64_t id)
{
	int err;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_comment_delete(fx->st, id, "admin:ed", NOW + 120);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return err;
}

static void
test_insert_get_list_round_trip(void **state)
{
	struct fx *fx = *state;
	unsigned char nonce[16];
	struct store_comment_input in =
		input(fx, nonce, fx->a1, STORE_COMMENT_APPROVED, NOW);
	struct store_comment c, *items;
	int64_t id = 0, pending, later, first;
	size_t n;

	in.author = "Zahra Ahmadi \xd8\xb2\xd9\x87\xd8\xb1\xd8\xa7";
	in.body = "Line one.\nLine two, \xe2\x80\x9cquoted\xe2\x80\x9d.";
	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
	assert_true(id > 0);

	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	assert_int_equal(c.id, id);
	assert_int_equal(c.article_id, fx->a1);
	assert_int_equal(c.parent_id, 0);
	assert_string_equal(c.author, in.author);
	assert_string_equal(c.email, "ana@example.com");
	assert_string_equal(c.body, in.body);
	assert_string_equal(c.ip, "192.0.2.7");
	assert_int_equal(c.status, STORE_COMMENT_APPROVED);
	assert_int_equal(c.created_at, NOW);
	assert_string_equal(c.article_headline, "");
	assert_int_equal(store_comment_get(fx->st, fx->pool, id + 100, &c),
			 GZ_ENOTFOUND);

	/* updated_at starts as created_at; the submission is logged. */
	assert_int_equal(raw_int(fx, "SELECT updated_at - created_at FROM "
				     "comments"), 0);
	assert_raw_text(fx, "SELECT action || '/' || actor || '/' || detail ||"
			    " '/' || CAST(at = 1621362660 AS INTEGER) FROM moderation_log",
			"submitted/reader/approved/1");

	/* NULL email and ip are stored as "". */
	in = input(fx, nonce, fx->a1, STORE_COMMENT_APPROVED, NOW);
	in.email = NULL;
	in.ip = NULL;
	first = id;
	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	assert_string_equal(c.email, "");
	assert_string_equal(c.ip, "");

	/* The list: approved only, oldest first, ties by id. */
	pending = add(fx, fx->a1, STORE_COMMENT_PENDING, NOW - 100, 0, NULL);
	later = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW + 5, 0, NULL);
	(void)add(fx, fx->a1, STORE_COMMENT_SPAM, NOW - 50, 0, NULL);
	(void)add(fx, fx->a2, STORE_COMMENT_APPROVED, NOW - 500, 0, NULL);
	assert_true(pending > 0);
	assert_int_equal(store_comment_list(fx->st, fx->pool, fx->a1, &items,
					    &n), GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(items[0].id, first);
	assert_int_equal(items[1].id, id);
	assert_int_equal(items[2].id, later);
	assert_int_equal(items[2].status, STORE_COMMENT_APPROVED);
	assert_string_equal(items[0].author, "Zahra Ahmadi \xd8\xb2\xd9\x87"
					     "\xd8\xb1\xd8\xa7");
	assert_int_equal(store_comment_list(fx->st, fx->pool, 999, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 0);
	assert_null(items);
}

static void
test_nonce_replay(void **state)
{
	struct fx *fx = *state;
	unsigned char nonce[16], other[16];
	struct store_comment_input in =
		input(fx, nonce, fx->a1, STORE_COMMENT_PENDING, NOW);
	struct store_comment_input in2;
	int64_t id = 0, id2 = 0;

	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
	/* The same token again, with other words: refused, nothing stored,
	 * nothing logged. */
	in.body = "A second comment on one token.";
	assert_int_equal(insert_err(fx, &in, NULL), GZ_EEXIST);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 1);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM moderation_log"), 1);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comment_nonces"), 1);

	/* The refusal leaves the transaction usable: a second insert in it
	 * lands. */
	in2 = input(fx, other, fx->a1, STORE_COMMENT_PENDING, NOW);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_insert(fx->st, &in, &id2), GZ_EEXIST);
	assert_int_equal(store_comment_insert(fx->st, &in2, &id2), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_true(id2 > id);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 2);

	/* A nonce spent alone (a discarded submission) cannot store a
	 * comment afterwards, nor be spent twice. */
	in2 = input(fx, other, fx->a1, STORE_COMMENT_PENDING, NOW);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_nonce_spend(fx->st, other, 16, NOW + 60), GZ_OK);
	assert_int_equal(store_nonce_spend(fx->st, other, 16, NOW + 60),
			 GZ_EEXIST);
	assert_int_equal(store_comment_insert(fx->st, &in2, &id2), GZ_EEXIST);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 2);

	/* Nonces are compared as bytes: one differing byte is another. */
	other[15] ^= 1;
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_nonce_spend(fx->st, other, 16, NOW + 60), GZ_OK);
	assert_int_equal(store_nonce_spend(fx->st, other, 15, NOW + 60), GZ_OK);
	assert_int_equal(store_nonce_spend(fx->st, other, 0, NOW), GZ_EINVAL);
	assert_int_equal(store_nonce_spend(fx->st, NULL, 16, NOW), GZ_EINVAL);
	assert_int_equal(store_nonce_spend(fx->st, other, 65, NOW), GZ_EINVAL);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	/* Without a nonce (a moderator's own comment, an import) nothing
	 * is spent. */
	in2.nonce = NULL;
	assert_int_equal(insert_err(fx, &in2, NULL), GZ_OK);
	assert_int_equal(insert_err(fx, &in2, NULL), GZ_OK);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 4);
}

/* Two threads submitting one token at the same moment. */
struct racer {
	struct store *st;
	pthread_barrier_t *go;
	const struct store_comment_input *in;
	int err;
};

static void *
racer_main(void *p)
{
	struct racer *r = p;
	int64_t id;

	pthread_barrier_wait(r->go);
	if ((r->err = store_tx_begin(r->st)) != GZ_OK)
		return NULL;
	r->err = store_comment_insert(r->st, r->in, &id);
	if (r->err == GZ_OK)
		r->err = store_tx_commit(r->st);
	else
		store_tx_rollback(r->st);
	return NULL;
}

static void
test_nonce_race_two_threads(void **state)
{
	struct fx *fx = *state;
	enum { ROUNDS = 50 };
	unsigned char nonce[16];
	struct store_comment_input in;
	pthread_barrier_t go;
	struct racer r[2];
	pthread_t t[2];
	int round, i, wins;

	for (round = 0; round < ROUNDS; round++) {
		in = input(fx, nonce, fx->a1, STORE_COMMENT_PENDING,
			   NOW + round);
		assert_int_equal(pthread_barrier_init(&go, NULL, 2), 0);
		for (i = 0; i < 2; i++) {
			r[i] = (struct racer){.st = fx->st, .go = &go,
					      .in = &in, .err = -1};
			assert_int_equal(pthread_create(&t[i], NULL,
							racer_main, &r[i]), 0);
		}
		for (i = 0; i < 2; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		pthread_barrier_destroy(&go);
		wins = 0;
		for (i = 0; i < 2; i++) {
			if (r[i].err == GZ_OK)
				wins++;
			else
				assert_int_equal(r[i].err, GZ_EEXIST);
		}
		assert_int_equal(wins, 1);
	}
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), ROUNDS);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comment_nonces"),
			 ROUNDS);
}

static void
test_parent_rules(void **state)
{
	struct fx *fx = *state;
	unsigned char nonce[16];
	struct store_comment_input in;
	struct store_comment c;
	int64_t approved, pending, elsewhere, id = 0;

	approved = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW, 0, NULL);
	pending = add(fx, fx->a1, STORE_COMMENT_PENDING, NOW, 0, NULL);
	elsewhere = add(fx, fx->a2, STORE_COMMENT_APPROVED, NOW, 0, NULL);

	in = input(fx, nonce, fx->a1, STORE_COMMENT_PENDING, NOW + 1);
	/* A reply to a comment awaiting moderation, to one on another
	 * article, to one that does not exist: no. */
	in.parent_id = pending;
	assert_int_equal(insert_err(fx, &in, NULL), GZ_ENOTFOUND);
	in.parent_id = elsewhere;
	assert_int_equal(insert_err(fx, &in, NULL), GZ_ENOTFOUND);
	in.parent_id = elsewhere + 100;
	assert_int_equal(insert_err(fx, &in, NULL), GZ_ENOTFOUND);
	/* Nor on an article that does not exist. */
	in.parent_id = 0;
	in.article_id = fx->a2 + 100;
	assert_int_equal(insert_err(fx, &in, NULL), GZ_ENOTFOUND);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 3);
	/* Each refusal left nothing, not even the nonce: the same token
	 * still stores the reply to an approved comment. */
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comment_nonces"), 3);
	in.article_id = fx->a1;
	in.parent_id = approved;
	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	assert_int_equal(c.parent_id, approved);
	assert_int_equal(c.article_id, fx->a1);
	/* Negative ids are input errors. */
	in.parent_id = -1;
	assert_int_equal(insert_err(fx, &in, NULL), GZ_EINVAL);
}

static void
test_set_status_logs(void **state)
{
	struct fx *fx = *state;
	struct store_comment c;
	int64_t id;

	id = add(fx, fx->a1, STORE_COMMENT_PENDING, NOW, 0, NULL);
	assert_int_equal(set_status(fx, id, STORE_COMMENT_APPROVED), GZ_OK);
	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	assert_int_equal(c.status, STORE_COMMENT_APPROVED);
	assert_int_equal(c.created_at, NOW);
	assert_int_equal(raw_int(fx, "SELECT updated_at FROM comments"),
			 NOW + 60);
	assert_int_equal(set_status(fx, id, STORE_COMMENT_SPAM), GZ_OK);
	assert_int_equal(set_status(fx, id, STORE_COMMENT_REJECTED), GZ_OK);
	assert_int_equal(set_status(fx, id, STORE_COMMENT_PENDING), GZ_OK);
	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	assert_int_equal(c.status, STORE_COMMENT_PENDING);

	/* Every action, in order, with who, when and the status before. */
	assert_raw_text(fx, "SELECT action || ':' || actor || ':' ||"
			    " (at - 1621362660) || ':' || detail"
			    " FROM moderation_log WHERE"
			    " comment_id = (SELECT max(id) FROM comments)"
			    " ORDER BY id",
			"submitted:reader:0:pending approve:cli:ed:60:pending "
			"spam:cli:ed:60:approved reject:cli:ed:60:spam "
			"hold:cli:ed:60:rejected");

	/* A missing comment: not found, nothing logged. */
	assert_int_equal(set_status(fx, id + 1, STORE_COMMENT_APPROVED),
			 GZ_ENOTFOUND);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM moderation_log"), 5);
	/* Bad input. */
	assert_int_equal(set_status(fx, id, (enum store_comment_status)4),
			 GZ_EINVAL);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_set_status(fx->st, id,
						  STORE_COMMENT_APPROVED, "",
						  NOW), GZ_EINVAL);
	assert_int_equal(store_comment_set_status(fx->st, id,
						  STORE_COMMENT_APPROVED,
						  "cli:\xff", NOW), GZ_EINVAL);
	assert_int_equal(store_comment_delete(fx->st, id, NULL, NOW),
			 GZ_EINVAL);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM moderation_log"), 5);
}

static void
test_delete_reparents(void **state)
{
	struct fx *fx = *state;
	struct store_comment c;
	int64_t a, b, c1, c2, other;

	/* a <- b <- {c1, c2}; other is a sibling of a. */
	a = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW, 0, NULL);
	b = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW + 1, a, NULL);
	c1 = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW + 2, b, NULL);
	c2 = add(fx, fx->a1, STORE_COMMENT_PENDING, NOW + 3, b, NULL);
	other = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW + 4, 0, NULL);

	/* Deleting b moves its replies up to a. */
	assert_int_equal(delete(fx, b), GZ_OK);
	assert_int_equal(store_comment_get(fx->st, fx->pool, b, &c),
			 GZ_ENOTFOUND);
	assert_int_equal(store_comment_get(fx->st, fx->pool, c1, &c), GZ_OK);
	assert_int_equal(c.parent_id, a);
	assert_int_equal(store_comment_get(fx->st, fx->pool, c2, &c), GZ_OK);
	assert_int_equal(c.parent_id, a);
	/* Deleting a makes them top level; other is untouched. */
	assert_int_equal(delete(fx, a), GZ_OK);
	assert_int_equal(store_comment_get(fx->st, fx->pool, c1, &c), GZ_OK);
	assert_int_equal(c.parent_id, 0);
	assert_int_equal(store_comment_get(fx->st, fx->pool, other, &c), GZ_OK);
	assert_int_equal(c.parent_id, 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 3);

	/* The log outlives the comments it names. */
	assert_raw_text(fx, "SELECT"
			    " comment_id || ':' || action || ':' || actor || ':'"
			    " || detail || ':' || (at - 1621362660)"
			    " FROM moderation_log WHERE action = 'delete'"
			    " ORDER BY id",
			"2:delete:admin:ed:approved:120 "
			"1:delete:admin:ed:approved:120");
	assert_int_equal(delete(fx, b), GZ_ENOTFOUND);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM moderation_log"
				     " WHERE action = 'delete'"), 2);
}

/* A commenter key of 32 bytes, all b. */
static void
key_fill(unsigned char key[32], unsigned char b)
{
	memset(key, b, 32);
}

/* Inserts a comment from the browser with key (NULL: none) as status,
 * with approve_if_known as given; returns its id and, in *stored, the
 * status store_comment_get reads back. */
static int64_t
add_keyed(struct fx *fx, const unsigned char *key, enum store_comment_status status,
	  bool if_known, const char *email, enum store_comment_status *stored)
{
	unsigned char nonce[16];
	struct store_comment_input in = input(fx, nonce, fx->a1, status, NOW);
	struct store_comment c;
	int64_t id = 0;

	in.commenter_key = key;
	in.commenter_key_len = key ? 32 : 0;
	in.approve_if_known = if_known;
	if (email)
		in.email = email;
	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
	assert_true(id > 0);
	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	*stored = c.status;
	return id;
}

static bool
known(struct fx *fx, const unsigned char *key, size_t len)
{
	bool k = true; /* the call must set it either way */

	assert_int_equal(store_commenter_known(fx->st, key, len, &k), GZ_OK);
	return k;
}

static void
test_commenter_known(void **state)
{
	struct fx *fx = *state;
	unsigned char a[32], b[32];
	enum store_comment_status st;
	int64_t first, auto_ok;
	bool k = true;

	key_fill(a, 0xA1);
	key_fill(b, 0xB2);
	assert_false(known(fx, a, 32));
	/* A pending comment is not known yet. */
	first = add_keyed(fx, a, STORE_COMMENT_PENDING, false,
			  "regular@example.com", &st);
	assert_int_equal(st, STORE_COMMENT_PENDING);
	assert_false(known(fx, a, 32));
	/* Stored approved without a moderator (moderation = post): trusts
	 * nobody. */
	auto_ok = add_keyed(fx, a, STORE_COMMENT_APPROVED, false, NULL, &st);
	assert_int_equal(st, STORE_COMMENT_APPROVED);
	assert_false(known(fx, a, 32));
	/* A moderator's approval is what makes the browser known. */
	assert_int_equal(set_status(fx, first, STORE_COMMENT_APPROVED), GZ_OK);
	assert_true(known(fx, a, 32));
	assert_false(known(fx, b, 32));
	/* Another length is another key. */
	assert_false(known(fx, a, 31));
	/* Rejecting what the moderator approved takes it back, though an
	 * approved comment of the browser remains. */
	assert_int_equal(set_status(fx, first, STORE_COMMENT_REJECTED), GZ_OK);
	assert_false(known(fx, a, 32));
	assert_int_equal(set_status(fx, first, STORE_COMMENT_APPROVED), GZ_OK);
	assert_true(known(fx, a, 32));
	(void)auto_ok;
	/* No key is never known, though approved comments without one
	 * exist (every comment stored before schema 6). */
	(void)add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW, 0, "");
	assert_false(known(fx, NULL, 0));
	assert_false(known(fx, a, 0));
	assert_int_equal(store_commenter_known(fx->st, a, 65, &k),
			 GZ_EINVAL);
	assert_false(k);
	/* The look-up is served by the partial index. */
	assert_plan_uses(fx, "SELECT 1 FROM comments c WHERE c.commenter_key = ?1"
			     " AND c.status = 'approved' AND EXISTS (SELECT 1"
			     " FROM moderation_log m WHERE m.comment_id = c.id"
			     " AND m.action = 'approve') LIMIT 1",
			 "INDEX comments_commenter (commenter_key=? AND status=?)");
	/* The key is stored as given, and not the email's trust. */
	assert_int_equal(raw_int(fx, store_fixture_sql(
		"SELECT count(*) FROM comments WHERE commenter_key = x'"
		"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
		"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'",
		"SELECT count(*) FROM comments WHERE commenter_key = '\\x"
		"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
		"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1'")), 2);
}

#define COUNT_A1 \
	"SELECT comment_count FROM articles" \
	" WHERE headline = 'Council approves new river bridge'"

/* The first-time rule in the insert: APPROVED with approve_if_known is
 * stored PENDING unless a moderator approved a comment of the browser.
 * The email a regular used grants nothing (the defect this replaced). */
static void
test_insert_approve_if_known(void **state)
{
	struct fx *fx = *state;
	unsigned char a[32], b[32];
	enum store_comment_status st;
	int64_t first, id;
	long long count0;

	key_fill(a, 0xA1);
	key_fill(b, 0xB2);
	count0 = raw_int(fx, COUNT_A1);
	first = add_keyed(fx, a, STORE_COMMENT_APPROVED, true,
			  "regular@example.com", &st);
	assert_int_equal(st, STORE_COMMENT_PENDING);
	/* Held: not counted, logged as pending. */
	assert_int_equal(raw_int(fx, COUNT_A1), count0);
	assert_raw_text(fx, "SELECT detail FROM moderation_log"
			    " WHERE action = 'submitted' ORDER BY id DESC"
			    " LIMIT 1", "pending");
	assert_int_equal(set_status(fx, first, STORE_COMMENT_APPROVED), GZ_OK);

	/* The same browser: published at once, and counted. */
	(void)add_keyed(fx, a, STORE_COMMENT_APPROVED, true, NULL, &st);
	assert_int_equal(st, STORE_COMMENT_APPROVED);
	assert_int_equal(raw_int(fx, COUNT_A1), count0 + 2);
	/* A stranger with the regular's exact email: held. */
	(void)add_keyed(fx, b, STORE_COMMENT_APPROVED, true,
			"regular@example.com", &st);
	assert_int_equal(st, STORE_COMMENT_PENDING);
	(void)add_keyed(fx, NULL, STORE_COMMENT_APPROVED, true,
			"regular@example.com", &st);
	assert_int_equal(st, STORE_COMMENT_PENDING);
	/* Without approve_if_known the status is the caller's; a HOLD stays
	 * a hold, known browser or not. */
	(void)add_keyed(fx, b, STORE_COMMENT_APPROVED, false, NULL, &st);
	assert_int_equal(st, STORE_COMMENT_APPROVED);
	(void)add_keyed(fx, a, STORE_COMMENT_PENDING, true, NULL, &st);
	assert_int_equal(st, STORE_COMMENT_PENDING);
	id = add_keyed(fx, a, STORE_COMMENT_REJECTED, true, NULL, &st);
	assert_int_equal(st, STORE_COMMENT_REJECTED);
	(void)id;
	/* The moderator takes the trust back: the next one is held. */
	assert_int_equal(set_status(fx, first, STORE_COMMENT_SPAM), GZ_OK);
	(void)add_keyed(fx, a, STORE_COMMENT_APPROVED, true, NULL, &st);
	assert_int_equal(st, STORE_COMMENT_PENDING);
}

/* Why a comment is held: stored as given, "first-time" when the rule
 * held it, "" when not given; read back by get, query and list. */
static void
test_hold_reason_round_trip(void **state)
{
	struct fx *fx = *state;
	unsigned char nonce[16], a[32];
	struct store_comment_input in;
	struct store_comment c, *items;
	struct store_comment_filter f = {.status = -1, .limit = 1};
	enum store_comment_status st;
	int64_t id;
	size_t n;

	in = input(fx, nonce, fx->a1, STORE_COMMENT_PENDING, NOW);
	in.hold_reason = "word: casino";
	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	assert_string_equal(c.hold_reason, "word: casino");
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, id);
	assert_string_equal(items[0].hold_reason, "word: casino");
	assert_non_null(items[0].article_headline);
	assert_true(*items[0].article_headline);

	key_fill(a, 0xC3);
	id = add_keyed(fx, a, STORE_COMMENT_APPROVED, true, NULL, &st);
	assert_int_equal(st, STORE_COMMENT_PENDING);
	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	assert_string_equal(c.hold_reason, "first-time");

	in = input(fx, nonce, fx->a1, STORE_COMMENT_APPROVED, NOW + 1);
	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
	assert_int_equal(store_comment_get(fx->st, fx->pool, id, &c), GZ_OK);
	assert_string_equal(c.hold_reason, "");
	assert_int_equal(store_comment_list(fx->st, fx->pool, fx->a1, &items,
					    &n), GZ_OK);
	assert_true(n > 0);
	assert_string_equal(items[n - 1].hold_reason, "");

	in = input(fx, nonce, fx->a1, STORE_COMMENT_PENDING, NOW + 2);
	in.hold_reason = "bad \xff";
	assert_int_equal(insert_err(fx, &in, &id), GZ_EINVAL);
}

/* A commenter key of a bad length stores nothing. */
static void
test_insert_commenter_key_length(void **state)
{
	struct fx *fx = *state;
	unsigned char nonce[16], key[65];
	struct store_comment_input in = input(fx, nonce, fx->a1,
					      STORE_COMMENT_APPROVED, NOW);
	int64_t id = 0;
	long long n0 = raw_int(fx, "SELECT count(*) FROM comments");

	memset(key, 7, sizeof(key));
	in.commenter_key = key;
	in.commenter_key_len = 0;
	assert_int_equal(insert_err(fx, &in, &id), GZ_EINVAL);
	in.commenter_key_len = 65;
	assert_int_equal(insert_err(fx, &in, &id), GZ_EINVAL);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), n0);
	in.commenter_key_len = 64;
	assert_int_equal(insert_err(fx, &in, &id), GZ_OK);
}

static void
test_article_comment_count(void **state)
{
	struct fx *fx = *state;
	struct store_article a, *items;
	struct store_article_query q = {.now = NOW, .limit = 10};
	int64_t id;
	size_t n;

	assert_int_equal(store_article_get(fx->st, fx->pool, fx->a1, NOW, &a),
			 GZ_OK);
	assert_int_equal(a.comment_count, 0);
	id = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW, 0, NULL);
	(void)add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW, id, NULL);
	(void)add(fx, fx->a1, STORE_COMMENT_PENDING, NOW, 0, NULL);
	(void)add(fx, fx->a1, STORE_COMMENT_SPAM, NOW, 0, NULL);
	(void)add(fx, fx->a1, STORE_COMMENT_REJECTED, NOW, 0, NULL);
	(void)add(fx, fx->a2, STORE_COMMENT_APPROVED, NOW, 0, NULL);

	assert_int_equal(store_article_get(fx->st, fx->pool, fx->a1, NOW, &a),
			 GZ_OK);
	assert_int_equal(a.comment_count, 2);
	assert_string_equal(a.body, "Text.");
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    NULL), GZ_OK);
	assert_int_equal(n, 2);
	/* Same published_at: newest id first. */
	assert_int_equal(items[0].id, fx->a2);
	assert_int_equal(items[0].comment_count, 1);
	assert_int_equal(items[1].id, fx->a1);
	assert_int_equal(items[1].comment_count, 2);

	assert_int_equal(set_status(fx, id, STORE_COMMENT_REJECTED), GZ_OK);
	assert_int_equal(store_article_get(fx->st, fx->pool, fx->a1, 0, &a),
			 GZ_OK);
	assert_int_equal(a.comment_count, 1);
}

/* Pages of threads: a thread (a top-level comment and its replies) is
 * never split, pages come oldest thread first, "more" says whether
 * another follows, and a comment's thread position finds its page. The
 * kept count follows deletion too. */
static void
test_comment_pages(void **state)
{
	struct fx *fx = *state;
	struct store_comment *items;
	struct store_article a;
	int64_t top[5], reply, deep;
	size_t n, pos, i;
	bool more;

	for (i = 0; i < 5; i++)
		top[i] = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW + (int64_t)i,
			     0, NULL);
	reply = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW + 10, top[0], NULL);
	deep = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW + 11, reply, NULL);
	(void)add(fx, fx->a1, STORE_COMMENT_PENDING, NOW + 12, top[4], NULL);
	(void)add(fx, fx->a2, STORE_COMMENT_APPROVED, NOW, 0, NULL);

	assert_int_equal(store_comment_page(fx->st, fx->pool, fx->a1, 0, 2,
					    &items, &n, &more), GZ_OK);
	/* Threads 1 and 2, thread 1's replies with it (the reply to the
	 * reply included), in time order. */
	assert_int_equal(n, 4);
	assert_int_equal(items[0].id, top[0]);
	assert_int_equal(items[1].id, top[1]);
	assert_int_equal(items[2].id, reply);
	assert_int_equal(items[3].id, deep);
	assert_true(more);
	assert_int_equal(store_comment_page(fx->st, fx->pool, fx->a1, 4, 2,
					    &items, &n, &more), GZ_OK);
	assert_int_equal(n, 1); /* the pending reply is not shown */
	assert_int_equal(items[0].id, top[4]);
	assert_false(more);
	assert_int_equal(store_comment_page(fx->st, fx->pool, fx->a1, 6, 2,
					    &items, &n, &more), GZ_OK);
	assert_int_equal(n, 0);
	assert_false(more);

	assert_int_equal(store_comment_thread_pos(fx->st, fx->a1, deep, &pos),
			 GZ_OK);
	assert_int_equal(pos, 0);
	assert_int_equal(store_comment_thread_pos(fx->st, fx->a1, top[3], &pos),
			 GZ_OK);
	assert_int_equal(pos, 3);
	assert_int_equal(store_comment_thread_pos(fx->st, fx->a2, top[3], &pos),
			 GZ_ENOTFOUND);

	/* A rejected top-level comment takes its thread off the pages when
	 * nothing of it is left approved... */
	assert_int_equal(set_status(fx, top[1], STORE_COMMENT_REJECTED), GZ_OK);
	assert_int_equal(store_comment_page(fx->st, fx->pool, fx->a1, 0, 2,
					    &items, &n, &more), GZ_OK);
	assert_int_equal(n, 4);
	assert_int_equal(items[0].id, top[0]);
	assert_int_equal(items[1].id, top[2]);
	assert_int_equal(items[2].id, reply);
	/* ...and the kept count follows approval, rejection and deletion. */
	assert_int_equal(store_article_get(fx->st, fx->pool, fx->a1, 0, &a),
			 GZ_OK);
	assert_int_equal(a.comment_count, 6);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_comment_delete(fx->st, top[0], "test", NOW),
			 GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_article_get(fx->st, fx->pool, fx->a1, 0, &a),
			 GZ_OK);
	assert_int_equal(a.comment_count, 5);
	/* The deleted comment's replies keep their thread. */
	assert_int_equal(store_comment_page(fx->st, fx->pool, fx->a1, 0, 1,
					    &items, &n, &more), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].id, reply);
	assert_int_equal(items[1].id, deep);
}

static void
test_comments_close_at_round_trip(void **state)
{
	struct fx *fx = *state;
	struct store_article a, *items;
	struct store_article_query q = {.now = NOW, .limit = 10};
	int64_t id, id2;
	size_t n;

	/* setup's articles leave it to the policy. */
	assert_int_equal(store_article_get(fx->st, fx->pool, fx->a1, 0, &a),
			 GZ_OK);
	assert_int_equal(a.comments_close_at, 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM articles WHERE"
				     " comments_close_at IS NULL"), 2);

	id = put_article(fx, "Closes", "key-1", NOW + 86400);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_int_equal(a.comments_close_at, NOW + 86400);
	id2 = put_article(fx, "Never closes", NULL, INT64_MAX);
	assert_int_equal(store_article_get(fx->st, fx->pool, id2, 0, &a),
			 GZ_OK);
	assert_int_equal(a.comments_close_at, INT64_MAX);
	assert_int_equal(store_article_list(fx->st, fx->pool, &q, &items, &n,
					    NULL), GZ_OK);
	assert_int_equal(n, 4);
	assert_int_equal(items[0].id, id2);
	assert_int_equal(items[0].comments_close_at, INT64_MAX);
	assert_int_equal(items[1].comments_close_at, NOW + 86400);

	/* An update writes it too: another time, then back to policy. */
	assert_int_equal(put_article(fx, "Closes", "key-1", NOW + 60), id);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_int_equal(a.comments_close_at, NOW + 60);
	assert_int_equal(put_article(fx, "Closes", "key-1", 0), id);
	assert_int_equal(store_article_get(fx->st, fx->pool, id, 0, &a), GZ_OK);
	assert_int_equal(a.comments_close_at, 0);
}

static void
test_nonce_purge(void **state)
{
	struct fx *fx = *state;
	const unsigned char old[4] = {1, 2, 3, 4}, young[4] = {5, 6, 7, 8};

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_nonce_spend(fx->st, old, 4, 100), GZ_OK);
	assert_int_equal(store_nonce_spend(fx->st, young, 4, 200), GZ_OK);
	/* Expired before now: at 200 a nonce still counts. */
	assert_int_equal(store_nonce_purge(fx->st, 200), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comment_nonces"), 1);

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_nonce_spend(fx->st, young, 4, 200), GZ_EEXIST);
	assert_int_equal(store_nonce_spend(fx->st, old, 4, 100), GZ_OK);
	assert_int_equal(store_nonce_purge(fx->st, 201), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comment_nonces"), 0);
}

static void
test_invalid_input_refused(void **state)
{
	struct fx *fx = *state;
	static const char bad[] = "caf\xc3 au lait";   /* truncated sequence */
	static const char overlong[] = "\xc0\xaf";     /* overlong '/' */
	static const char surrogate[] = "\xed\xa0\x80"; /* U+D800 */
	unsigned char nonce[16];
	struct store_comment_input in;
	int i;

	for (i = 0; i < 6; i++) {
		in = input(fx, nonce, fx->a1, STORE_COMMENT_PENDING, NOW);
		switch (i) {
		case 0: in.author = bad; break;
		case 1: in.body = overlong; break;
		case 2: in.email = surrogate; break;
		case 3: in.ip = bad; break;
		case 4: in.author = NULL; break;
		case 5: in.body = NULL; break;
		}
		assert_int_equal(insert_err(fx, &in, NULL), GZ_EINVAL);
	}
	in = input(fx, nonce, fx->a1, (enum store_comment_status)4, NOW);
	assert_int_equal(insert_err(fx, &in, NULL), GZ_EINVAL);
	in = input(fx, nonce, fx->a1, STORE_COMMENT_PENDING, NOW);
	in.nonce_len = 0;
	assert_int_equal(insert_err(fx, &in, NULL), GZ_EINVAL);
	in.nonce_len = 65;
	assert_int_equal(insert_err(fx, &in, NULL), GZ_EINVAL);
	in.nonce_len = 16;
	in.article_id = 0;
	assert_int_equal(insert_err(fx, &in, NULL), GZ_EINVAL);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comment_nonces"), 0);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM moderation_log"), 0);
	/* Valid non-ASCII and an empty body pass (the intake rules, not the
	 * store, decide what is too short). */
	in.article_id = fx->a1;
	in.author = "\xd9\x86\xd8\xa7\xd8\xb4\xd9\x86\xd8\xa7\xd8\xb3";
	in.body = "";
	assert_int_equal(insert_err(fx, &in, NULL), GZ_OK);
}

static void
test_query_filters(void **state)
{
	struct fx *fx = *state;
	struct store_comment_filter f = {.status = -1};
	struct store_comment *items;
	int64_t p1, p2, ap, sp;
	size_t n;
	int i;

	p1 = add(fx, fx->a1, STORE_COMMENT_PENDING, NOW + 10, 0, NULL);
	ap = add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW + 20, 0, NULL);
	p2 = add(fx, fx->a2, STORE_COMMENT_PENDING, NOW + 30, 0, NULL);
	sp = add(fx, fx->a2, STORE_COMMENT_SPAM, NOW + 30, 0, NULL);

	/* Everything, newest first (ties: higher id first), with headlines. */
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 4);
	assert_int_equal(items[0].id, sp);
	assert_int_equal(items[1].id, p2);
	assert_int_equal(items[2].id, ap);
	assert_int_equal(items[3].id, p1);
	assert_string_equal(items[0].article_headline,
			    "Storm watch: high winds");
	assert_string_equal(items[3].article_headline,
			    "Council approves new river bridge");
	assert_int_equal(items[0].status, STORE_COMMENT_SPAM);

	f.status = STORE_COMMENT_PENDING;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].id, p2);
	assert_int_equal(items[1].id, p1);

	f.article_id = fx->a1;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, p1);

	f.status = -1;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].id, ap);

	f.status = STORE_COMMENT_REJECTED;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 0);
	assert_null(items);

	f = (struct store_comment_filter){.status = -1, .limit = 3};
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 3);

	/* Pages of the queue: from offset, in the same order. */
	f.limit = 2;
	f.offset = 1;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].id, p2);
	assert_int_equal(items[1].id, ap);
	f.offset = 3;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, p1);
	f.status = STORE_COMMENT_PENDING;
	f.offset = 1;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, p1);
	f.offset = 2;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 0);
	f = (struct store_comment_filter){.status = -1, .limit = 3};

	f.status = 4;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_EINVAL);
	f.status = -2;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_EINVAL);

	/* Default 100, at most 1000. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	for (i = 0; i < 1010; i++) {
		struct store_comment_input in = {
			.article_id = fx->a2,
			.author = "Bot",
			.body = "Same again.",
			.status = STORE_COMMENT_SPAM,
			.created_at = NOW - i,
		};
		int64_t id;

		assert_int_equal(store_comment_insert(fx->st, &in, &id), GZ_OK);
	}
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	f = (struct store_comment_filter){.status = -1};
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 100);
	f.limit = 5000;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1000);
	f.limit = 1000;
	f.status = STORE_COMMENT_SPAM;
	f.article_id = fx->a2;
	assert_int_equal(store_comment_query(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1000);
	assert_int_equal(items[0].id, sp);
}

static void
test_comments_follow_their_article(void **state)
{
	struct fx *fx = *state;

	(void)add(fx, fx->a1, STORE_COMMENT_APPROVED, NOW, 0, NULL);
	(void)add(fx, fx->a2, STORE_COMMENT_APPROVED, NOW, 0, NULL);
	/* No store function deletes articles yet; the schema's cascade is
	 * what a later one will rely on (PostgreSQL always enforces it). */
	store_fixture_exec(fx->path, store_fixture_sql(
		"PRAGMA foreign_keys = ON; DELETE FROM articles WHERE id = 1",
		"DELETE FROM articles WHERE id = 1"));
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM comments"), 1);
	assert_int_equal(raw_int(fx, "SELECT article_id FROM comments"),
			 fx->a2);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM moderation_log"), 2);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_insert_get_list_round_trip),
		T(test_nonce_replay),
		T(test_nonce_race_two_threads),
		T(test_parent_rules),
		T(test_set_status_logs),
		T(test_delete_reparents),
		T(test_commenter_known),
		T(test_insert_approve_if_known),
		T(test_hold_reason_round_trip),
		T(test_insert_commenter_key_length),
		T(test_article_comment_count),
		T(test_comment_pages),
		T(test_comments_close_at_round_trip),
		T(test_nonce_purge),
		T(test_invalid_input_refused),
		T(test_query_filters),
		T(test_comments_follow_their_article),
	};
#undef T

	return cmocka_run_group_tests_name("store/comment", tests, NULL, NULL);
}
