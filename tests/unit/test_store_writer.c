/*
 * test_store_writer.c - tests of src/store/writer.c: group commit of
 * comments and nonces (store_comment_add, store_nonce_use) from many
 * threads next to ordinary transactions, a nonce spent without waiting
 * (store_nonce_use_async) while another connection holds the lock, a
 * failing job failing alone in its batch, events after a batch's commit,
 * store_sync_set, and the writer thread leaving process signals (SIGTERM)
 * to the main thread.
 *
 * The tests reach into struct store (store_int.h) only to see how many
 * jobs are queued, so that they can build one batch on purpose.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/pool.h"

#include "store_fixture.h"

#define THREADS 8
#define PER_THREAD 200
#define TX_COMMENTS 100

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	int64_t article_id;
	atomic_int fired;
	atomic_int comment_keys;
};

static void
listener(void *ctx, const char *const *keys, size_t nkeys)
{
	struct fx *fx = ctx;
	size_t i;

	atomic_fetch_add(&fx->fired, 1);
	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i], "comments") == 0)
			atomic_fetch_add(&fx->comment_keys, 1);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct store_article_input in = {
		.headline = "Open thread",
		.status = STORE_PUBLISHED,
		.published_at = 100,
	};
	bool created;

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-writer-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_article_put(fx->st, &in, &fx->article_id,
					   &created), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	store_events_listen(fx->st, listener, fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	store_fixture_remove(fx->dir);
	free(fx);
	return 0;
}

/* Runs sql, one integer answer, on a raw connection to the database. */
static int64_t
raw_int(const char *path, const char *sql)
{
	long long v = store_fixture_int(path, sql);

	assert_true(v >= 0);
	return v;
}

static struct store_comment_input
comment(const struct fx *fx, const char *body, const char *nonce)
{
	struct store_comment_input in = {
		.article_id = fx->article_id,
		.author = "Ana",
		.body = body,
		.status = STORE_COMMENT_APPROVED,
		.created_at = 1000,
		.nonce = (const unsigned char *)nonce,
		.nonce_len = nonce ? strlen(nonce) : 0,
		.nonce_expires_at = 4000000000,
	};

	return in;
}

static void
test_add_and_replay(void **state)
{
	struct fx *fx = *state;
	struct store_comment_input in = comment(fx, "First.", "nonce-1");
	int64_t id = 0, id2 = -1;

	assert_int_equal(store_comment_add(fx->st, &in, &id), GZ_OK);
	assert_true(id > 0);
	assert_int_equal(atomic_load(&fx->comment_keys), 1);
	/* The same token again. */
	in.body = "Again.";
	assert_int_equal(store_comment_add(fx->st, &in, &id2), GZ_EEXIST);
	assert_int_equal(id2, 0);
	/* Errors of store_comment_insert come back as they are. */
	in = comment(fx, "Where?", "nonce-2");
	in.article_id = 999;
	assert_int_equal(store_comment_add(fx->st, &in, &id2), GZ_ENOTFOUND);
	in = comment(fx, NULL, "nonce-3");
	assert_int_equal(store_comment_add(fx->st, &in, &id2), GZ_EINVAL);
	/* Nothing of the failed ones is stored, not even their nonces. */
	assert_int_equal(store_nonce_use(fx->st,
					 (const unsigned char *)"nonce-2", 7,
					 4000000000), GZ_OK);
	assert_int_equal(store_nonce_use(fx->st,
					 (const unsigned char *)"nonce-2", 7,
					 4000000000), GZ_EEXIST);
	assert_int_equal(store_nonce_use(fx->st,
					 (const unsigned char *)"nonce-1", 7,
					 4000000000), GZ_EEXIST);
	assert_int_equal(store_nonce_use(fx->st, NULL, 0, 0), GZ_EINVAL);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM comments"), 1);
}

struct worker {
	struct fx *fx;
	int n;
	int64_t ids[PER_THREAD];
	int errs;
};

static void *
adder(void *arg)
{
	struct worker *w = arg;
	char body[32], nonce[32];
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		struct store_comment_input in;

		snprintf(body, sizeof(body), "t%d-%d", w->n, i);
		snprintf(nonce, sizeof(nonce), "n%d-%d", w->n, i);
		in = comment(w->fx, body, nonce);
		if (store_comment_add(w->fx->st, &in, &w->ids[i]) != GZ_OK) {
			w->ids[i] = 0;
			w->errs++;
		}
	}
	return NULL;
}

/* Stores comments the old way, each in its own transaction, while the
 * group commits run. */
static void *
tx_inserter(void *arg)
{
	struct worker *w = arg;
	char body[32];
	int i;

	for (i = 0; i < TX_COMMENTS; i++) {
		struct store_comment_input in;
		int64_t id;

		snprintf(body, sizeof(body), "tx-%d", i);
		in = comment(w->fx, body, NULL);
		if (store_tx_begin(w->fx->st) != GZ_OK) {
			w->errs++;
			continue;
		}
		if (store_comment_insert(w->fx->st, &in, &id) != GZ_OK) {
			store_tx_rollback(w->fx->st);
			w->errs++;
			continue;
		}
		if (store_tx_commit(w->fx->st) != GZ_OK)
			w->errs++;
	}
	return NULL;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
test_many_threads(void **state)
{
	struct fx *fx = *state;
	struct worker *w = calloc(THREADS + 1, sizeof(*w));
	pthread_t t[THREADS + 1];
	int64_t *all = calloc(THREADS * PER_THREAD, sizeof(*all));
	size_t k = 0;
	int i, j;

	assert_non_null(w);
	assert_non_null(all);
	for (i = 0; i <= THREADS; i++) {
		w[i].fx = fx;
		w[i].n = i;
		assert_int_equal(pthread_create(&t[i], NULL,
						i < THREADS ? adder : tx_inserter,
						&w[i]), 0);
	}
	for (i = 0; i <= THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i <= THREADS; i++)
		assert_int_equal(w[i].errs, 0);

	/* Every acknowledged comment is stored, once, under its id. */
	for (i = 0; i < THREADS; i++)
		for (j = 0; j < PER_THREAD; j++)
			all[k++] = w[i].ids[j];
	qsort(all, k, sizeof(*all), cmp_id);
	for (k = 1; k < THREADS * PER_THREAD; k++)
		assert_true(all[k] > all[k - 1]);
	assert_true(all[0] > 0);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM comments"),
			 THREADS * PER_THREAD + TX_COMMENTS);
	assert_int_equal(raw_int(fx->path,
				 "SELECT count(DISTINCT body) FROM comments"),
			 THREADS * PER_THREAD + TX_COMMENTS);
	assert_int_equal(raw_int(fx->path, store_fixture_sql(
		"SELECT count(*) FROM comments c JOIN comment_nonces n"
		" ON n.nonce = CAST('n' || substr(c.body, 2) AS BLOB)",
		"SELECT count(*) FROM comments c JOIN comment_nonces n"
		" ON n.nonce = CAST('n' || substr(c.body, 2) AS BYTEA)")),
		THREADS * PER_THREAD);
	/* Batched: fewer commits than comments is the point, though how many
	 * depends on timing; at least the listener heard each batch. */
	assert_true(atomic_load(&fx->fired) >= 1);
	free(all);
	free(w);
}

struct one {
	struct fx *fx;
	const char *body, *nonce;
	int err;
	int64_t id;
};

static void *
one_add(void *arg)
{
	struct one *o = arg;
	struct store_comment_input in = comment(o->fx, o->body, o->nonce);

	o->err = store_comment_add(o->fx->st, &in, &o->id);
	return NULL;
}

static size_t
queued(struct store *st)
{
	size_t n;

	pthread_mutex_lock(&st->queue_lock);
	n = st->queued;
	pthread_mutex_unlock(&st->queue_lock);
	return n;
}

static uint64_t
batches(struct store *st)
{
	uint64_t n;

	pthread_mutex_lock(&st->queue_lock);
	n = st->batches;
	pthread_mutex_unlock(&st->queue_lock);
	return n;
}

/* Waits (up to 120 s: a bound for a stuck writer, not a timing) until n
 * jobs are queued. The caller holds the write lock: on failure it is
 * released first, or teardown would wait for the writer for ever. */
static void
wait_queued(struct store *st, size_t n)
{
	int i;

	for (i = 0; i < 120000 && queued(st) != n; i++)
		usleep(1000);
	if (queued(st) != n) {
		store_tx_rollback(st);
		fail_msg("%zu jobs queued, expected %zu", (size_t)queued(st), n);
	}
}

static void
test_replay_fails_alone(void **state)
{
	struct fx *fx = *state;
	struct one first = {fx, "first", "a", -1, 0};
	struct one batch[3] = {
		{fx, "before", "b", -1, 0},
		{fx, "replay", "spent", -1, 0},
		{fx, "after", "c", -1, 0},
	};
	pthread_t t0, t[3];
	uint64_t b0;
	int i;

	assert_int_equal(store_nonce_use(fx->st,
					 (const unsigned char *)"spent", 5,
					 4000000000), GZ_OK);
	atomic_store(&fx->fired, 0);

	/* Hold the write lock: the writer takes "first" and waits for it,
	 * and the next three queue up behind as one batch. */
	b0 = batches(fx->st);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(pthread_create(&t0, NULL, one_add, &first), 0);
	for (i = 0; i < 120000 && batches(fx->st) == b0; i++)
		usleep(1000);
	if (batches(fx->st) != b0 + 1 || queued(fx->st) != 0) {
		store_tx_rollback(fx->st);
		fail_msg("the writer did not take the first job alone");
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_create(&t[i], NULL, one_add,
						&batch[i]), 0);
		wait_queued(fx->st, (size_t)i + 1);
	}
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(pthread_join(t0, NULL), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);

	assert_int_equal(first.err, GZ_OK);
	assert_int_equal(batch[0].err, GZ_OK);
	assert_int_equal(batch[1].err, GZ_EEXIST);
	assert_int_equal(batch[1].id, 0);
	assert_int_equal(batch[2].err, GZ_OK);
	assert_true(batch[2].id > batch[0].id);
	/* Two batches, two firings (the empty transaction fires nothing). */
	assert_int_equal(batches(fx->st), b0 + 2);
	assert_int_equal(atomic_load(&fx->fired), 2);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM comments"), 3);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM comments"
					   " WHERE body = 'replay'"), 0);
}

/* An asynchronous job's caller: counts calls of done, and wakes the
 * test waiting for one. */
struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
};

static void
waiter_done(void *ctx)
{
	struct waiter *w = ctx;

	pthread_mutex_lock(&w->lock);
	w->calls++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static int
waiter_calls(struct waiter *w)
{
	int n;

	pthread_mutex_lock(&w->lock);
	n = w->calls;
	pthread_mutex_unlock(&w->lock);
	return n;
}

/* Waits (30 s at most, so a broken writer fails instead of hanging) until
 * done has been called n times. */
static void
waiter_wait(struct waiter *w, int n)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	pthread_mutex_lock(&w->lock);
	while (w->calls < n &&
	       pthread_cond_timedwait(&w->cond, &w->lock, &until) == 0)
		;
	pthread_mutex_unlock(&w->lock);
	assert_int_equal(waiter_calls(w), n);
}

/* store_nonce_use_async returns at once, even while another connection
 * holds the write lock (what a server thread needs), and calls done once
 * the nonce is spent: GZ_OK, then GZ_EEXIST for the same nonce. */
static void
test_nonce_use_async(void **state)
{
	struct fx *fx = *state;
	struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			   0};
	struct store_job *j1 = calloc(1, store_job_size());
	struct store_job *j2 = calloc(1, store_job_size());
	const unsigned char *nonce = (const unsigned char *)"nonce-async";
	const char *spent = store_fixture_sql(
		"SELECT count(*) FROM comment_nonces"
		" WHERE nonce = CAST('nonce-async' AS BLOB)",
		"SELECT count(*) FROM comment_nonces"
		" WHERE nonce = CAST('nonce-async' AS BYTEA)");
	enum store_comment_status status;
	struct store_fixture_db other;
	int64_t id = -1;

	assert_non_null(j1);
	assert_non_null(j2);
	/* Another process's writer: SQLite's file lock, or on PostgreSQL
	 * the store's advisory lock (pg_driver.c's write_lock_sql). */
	store_fixture_db_open(&other, fx->path);
	store_fixture_db_exec(&other, store_fixture_sql(
		"BEGIN IMMEDIATE",
		"BEGIN; SELECT pg_advisory_xact_lock(113688491619429)"));
	store_nonce_use_async(fx->st, nonce, 11, 4000000000, j1, waiter_done,
			      &w);
	/* Returned while the lock is held: the writer waits, not us. */
	assert_int_equal(waiter_calls(&w), 0);
	store_fixture_db_exec(&other, "COMMIT");
	store_fixture_db_close(&other);
	waiter_wait(&w, 1);
	assert_int_equal(store_job_result(j1, &id, &status), GZ_OK);
	assert_int_equal(id, 0);
	assert_int_equal(store_job_result(j1, NULL, NULL), GZ_OK);
	assert_int_equal(raw_int(fx->path, spent), 1);

	store_nonce_use_async(fx->st, nonce, 11, 4000000000, j2, waiter_done,
			      &w);
	waiter_wait(&w, 2);
	assert_int_equal(store_job_result(j2, NULL, NULL), GZ_EEXIST);
	free(j1);
	free(j2);
}

/* The writer connection's durability, as its engine says it: SQLite's
 * PRAGMA synchronous (2 FULL, 1 NORMAL), or PostgreSQL's
 * synchronous_commit, as 2 when "on" (what pg_sync_set gives both
 * levels: the weaker settings lose commits at a crash). */
static int64_t
writer_sync(struct store *st)
{
	struct db_stmt *s = NULL;
	int64_t v;

	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(db_prepare(store_writer(st), store_fixture_sql(
		"PRAGMA synchronous",
		"SELECT current_setting('synchronous_commit') = 'on'"), &s),
		GZ_OK);
	assert_int_equal(db_step(s), DB_ROW);
	v = db_col_int64(s, 0);
	if (store_fixture_pg() && v == 1)
		v = 2;
	db_finalize(s);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	return v;
}

static void
test_sync_set(void **state)
{
	struct fx *fx = *state;
	struct store_comment_input in = comment(fx, "Durable.", "d");
	int64_t id;

	/* PRAGMA synchronous: 2 FULL, 1 NORMAL; PostgreSQL keeps FULL. */
	assert_int_equal(writer_sync(fx->st), 2);
	assert_int_equal(store_sync_set(fx->st, STORE_SYNC_NORMAL), GZ_OK);
	assert_int_equal(writer_sync(fx->st), store_fixture_pg() ? 2 : 1);
	assert_int_equal(store_comment_add(fx->st, &in, &id), GZ_OK);
	assert_int_equal(store_sync_set(fx->st, STORE_SYNC_FULL), GZ_OK);
	assert_int_equal(writer_sync(fx->st), 2);
	assert_int_equal(store_sync_set(fx->st, (enum store_sync)7),
			 GZ_EINVAL);
}

static atomic_int sigterm_taken;

static void
on_sigterm(int sig)
{
	(void)sig;
	atomic_fetch_add(&sigterm_taken, 1);
}

/* A SIGTERM sent to the process while every other thread blocks it stays
 * pending for the thread that waits for it: the writer thread never takes
 * it (its default action would end `gazette serve` mid-request). */
static void
test_writer_takes_no_signals(void **state)
{
	struct sigaction sa = {0}, old_sa;
	struct timespec zero = {0, 0}, pause = {0, 20 * 1000 * 1000};
	sigset_t set, old;
	int i;

	(void)state;
	sa.sa_handler = on_sigterm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGTERM, &sa, &old_sa), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &set, &old), 0);
	atomic_store(&sigterm_taken, 0);
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	/* Time for a writer that wrongly takes it to run the handler. */
	for (i = 0; i < 10 && atomic_load(&sigterm_taken) == 0; i++)
		nanosleep(&pause, NULL);
	assert_int_equal(atomic_load(&sigterm_taken), 0);
	assert_int_equal(sigtimedwait(&set, NULL, &zero), SIGTERM);
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	assert_int_equal(sigaction(SIGTERM, &old_sa, NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_and_replay, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many_threads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replay_fails_alone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nonce_use_async, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_takes_no_signals,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("store_writer", tests, NULL, NULL);
}
