/*
 * writer.c - group commit: readers' comments and spent nonces arrive
 * from many request threads at once, and each must be durable before its
 * request is answered. Committing each alone would cost one WAL sync
 * each (synchronous=FULL); here one writer thread commits everything
 * queued in one transaction, one sync for the batch.
 *
 * Data flow: store_comment_add / store_nonce_use (request threads) put a
 * job on st's queue and wait, or their _async forms put it there and are
 * called back (a server thread must never wait for the write lock, which
 * another process may hold for seconds); the writer thread takes up to
 * WRITER_BATCH_MAX jobs, runs store_tx_begin, each job in its own
 * savepoint, store_tx_commit (which fires the batch's change events),
 * and then wakes every waiter with its own result.
 *
 * Invariants:
 * - The writer thread writes only through store_tx_begin/commit, so it
 *   takes the same write lock as imports, the CLI and
 *   store_comment_insert's callers: batches and their transactions
 *   serialise, none is interleaved with another.
 * - A job is acknowledged (done with GZ_OK) only after the COMMIT that
 *   holds it succeeded; a failed job was rolled back to its savepoint,
 *   leaving the rest of its batch intact; a failed COMMIT fails every
 *   job that had succeeded with the commit's error.
 * - A waiting job lives on its caller's stack: its caller does not return
 *   before it is done, and the writer touches no job after marking it
 *   done. An asynchronous job (store_comment_add_async,
 *   store_nonce_use_async) lives in its caller's storage until its done
 *   callback, which the writer calls after the commit, outside the queue
 *   lock, having read everything it needs from the job first.
 * - store_close stops the thread only after the queue is empty.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "metrics/metrics.h"
#include "util/err.h"
#include "util/log.h"

/* Jobs in one transaction at most: bounds the time the write lock is
 * held for one batch (a few milliseconds), so an import or a moderator
 * waits no longer than that. */
#define WRITER_BATCH_MAX 256
/* Seconds between purges of expired nonces, run as the last unit of a
 * batch: in the batch's own transaction, so that the writer never takes
 * the write lock again behind the back of a caller it has just answered
 * (who may be about to take it: a test that held it waited for ever). */
#define WRITER_PURGE_SECS 60

enum job_kind {
	JOB_COMMENT,
	JOB_NONCE,
};

struct store_job {
	enum job_kind kind;
	const struct store_comment_input *in; /* JOB_COMMENT */
	const unsigned char *nonce;           /* JOB_NONCE */
	size_t len;
	int64_t expires_at;
	int64_t id;       /* out: the comment's id */
	enum store_comment_status status; /* out: the status it was stored
					     with */
	int err;          /* out */
	bool done;        /* guarded by queue_lock */
	/* An asynchronous job's caller: called once it is done, instead of
	 * waking a waiter (the _async submitters). */
	void (*done_fn)(void *ctx);
	void *done_ctx;
	struct store_job *next;
};

/* Runs job j inside the batch's transaction as a unit of its own
 * (store_tx_unit_begin/end): a failing job leaves nothing, not even its
 * keys, and the batch goes on. */
static void
job_run(struct store *st, struct store_job *j)
{
	int err;

	if ((err = store_tx_unit_begin(st)) == GZ_OK) {
		if (j->kind == JOB_COMMENT)
			err = store_comment_insert_status(st, j->in, &j->id,
							  &j->status);
		else
			err = store_nonce_spend(st, j->nonce, j->len,
						j->expires_at);
		err = store_tx_unit_end(st, err);
	}
	if (err != GZ_OK)
		j->id = 0;
	j->err = err;
}

/* Microseconds on the monotonic clock, for gazette_db_write_duration. */
static uint64_t
writer_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Commits the jobs of list (linked by next) in one transaction, with the
 * purge of expired nonces as one more unit when purge is set (a failed
 * purge leaves nothing and fails no job), and wakes their callers. */
static void
batch_run(struct store *st, struct store_job *list, bool purge)
{
	struct store_job *j, *next;
	uint64_t t0 = writer_now_us();
	size_t n = 0;
	int err;

	if ((err = store_tx_begin(st)) == GZ_OK) {
		for (j = list; j; j = j->next, n++)
			job_run(st, j);
		if (purge && store_tx_unit_begin(st) == GZ_OK)
			(void)store_tx_unit_end(st, store_nonce_purge(st,
						(int64_t)time(NULL)));
		/* The shared limits' old hits and spent tokens go the same
		 * way, a unit of their own. */
		if (purge && store_tx_unit_begin(st) == GZ_OK)
			(void)store_tx_unit_end(st, store_limit_purge(st,
						(int64_t)time(NULL)));
		err = store_tx_commit(st);
	}
	/* Waiting for the write lock counts: it is what a reader's POST
	 * waits for too. */
	metrics_db_write(writer_now_us() - t0, err != GZ_OK);
	if (err != GZ_OK)
		log_error("store: a batch of %zu comment writes failed: %s",
			  n, gz_strerror(err));
	struct store_job *async = NULL;

	pthread_mutex_lock(&st->queue_lock);
	for (j = list; j; j = next) {
		next = j->next;
		/* A job that failed keeps its own error: nothing of it was
		 * stored either way, and its cause is the more useful. */
		if (err != GZ_OK && j->err == GZ_OK) {
			j->err = err;
			j->id = 0;
		}
		if (j->done_fn) {
			/* Told after the lock is released; its storage is the
			 * caller's again once told, so keep what telling
			 * needs. */
			j->next = async;
			async = j;
		} else {
			j->done = true;
		}
	}
	pthread_cond_broadcast(&st->done_cond);
	pthread_mutex_unlock(&st->queue_lock);
	for (j = async; j; j = next) {
		void (*fn)(void *) = j->done_fn;
		void *ctx = j->done_ctx;

		next = j->next;
		j->done = true;
		fn(ctx); /* j may be gone from here on */
	}
}

/* The writer thread: waits for jobs, commits them in batches, purges now
 * and then; ends when stopping is set and the queue is empty. */
static void *
writer_main(void *arg)
{
	struct store *st = arg;
	struct store_job *list, *j;
	time_t last_purge = 0, now;
	bool purge;
	size_t n;

	for (;;) {
		pthread_mutex_lock(&st->queue_lock);
		while (!st->queue_head && !st->stopping)
			pthread_cond_wait(&st->queue_cond, &st->queue_lock);
		if (!st->queue_head) {
			pthread_mutex_unlock(&st->queue_lock);
			break;
		}
		list = st->queue_head;
		for (j = list, n = 1; j->next && n < WRITER_BATCH_MAX; n++)
			j = j->next;
		st->queue_head = j->next;
		if (!st->queue_head)
			st->queue_tail = NULL;
		st->queued -= n;
		st->batches++;
		j->next = NULL;
		pthread_mutex_unlock(&st->queue_lock);

		now = time(NULL);
		if ((purge = now - last_purge >= WRITER_PURGE_SECS))
			last_purge = now;
		batch_run(st, list, purge);
	}
	return NULL;
}

int
store_writer_start(struct store *st)
{
	sigset_t all, old;
	int rc;

	assert(st && !st->writer_started);
	if (pthread_mutex_init(&st->queue_lock, NULL) != 0)
		return GZ_ENOMEM;
	if (pthread_cond_init(&st->queue_cond, NULL) != 0) {
		pthread_mutex_destroy(&st->queue_lock);
		return GZ_ENOMEM;
	}
	if (pthread_cond_init(&st->done_cond, NULL) != 0) {
		pthread_cond_destroy(&st->queue_cond);
		pthread_mutex_destroy(&st->queue_lock);
		return GZ_ENOMEM;
	}
	st->queue_made = true;
	/* The writer takes no process signals: the store is opened before
	 * `gazette serve` blocks SIGTERM to wait for it in its main thread,
	 * and a SIGTERM delivered here would end the process by its default
	 * action, with comments unanswered and nothing freed. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&st->writer_thread, NULL, writer_main, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_error("store: cannot start the writer thread");
		return GZ_ENOMEM;
	}
	st->writer_started = true;
	return GZ_OK;
}

void
store_writer_stop(struct store *st)
{
	if (st->writer_started) {
		pthread_mutex_lock(&st->queue_lock);
		st->stopping = true;
		pthread_cond_signal(&st->queue_cond);
		pthread_mutex_unlock(&st->queue_lock);
		pthread_join(st->writer_thread, NULL);
		st->writer_started = false;
	}
	if (st->queue_made) {
		pthread_cond_destroy(&st->done_cond);
		pthread_cond_destroy(&st->queue_cond);
		pthread_mutex_destroy(&st->queue_lock);
		st->queue_made = false;
	}
}

/* Queues j and waits until the writer has done it. Returns j's result. */
static int
job_submit(struct store *st, struct store_job *j)
{
	pthread_mutex_lock(&st->queue_lock);
	if (st->stopping) {
		pthread_mutex_unlock(&st->queue_lock);
		return GZ_EBUSY;
	}
	j->next = NULL;
	if (st->queue_tail)
		st->queue_tail->next = j;
	else
		st->queue_head = j;
	st->queue_tail = j;
	st->queued++;
	pthread_cond_signal(&st->queue_cond);
	while (!j->done)
		pthread_cond_wait(&st->done_cond, &st->queue_lock);
	pthread_mutex_unlock(&st->queue_lock);
	return j->err;
}

size_t
store_job_size(void)
{
	return sizeof(struct store_job);
}

/* Queues j, filled in with its done_fn, without waiting: the writer
 * calls done_fn after the batch's commit. A closing store fails it at
 * once, on this thread. */
static void
job_queue_async(struct store *st, struct store_job *j)
{
	assert(j->done_fn);
	pthread_mutex_lock(&st->queue_lock);
	if (st->stopping) {
		pthread_mutex_unlock(&st->queue_lock);
		j->err = GZ_EBUSY;
		j->done = true;
		j->done_fn(j->done_ctx);
		return;
	}
	j->next = NULL;
	if (st->queue_tail)
		st->queue_tail->next = j;
	else
		st->queue_head = j;
	st->queue_tail = j;
	st->queued++;
	pthread_cond_signal(&st->queue_cond);
	pthread_mutex_unlock(&st->queue_lock);
}

void
store_comment_add_async(struct store *st, const struct store_comment_input *in,
			struct store_job *j, void (*done)(void *ctx), void *ctx)
{
	assert(st && in && j && done);
	*j = (struct store_job){.kind = JOB_COMMENT, .in = in,
				.done_fn = done, .done_ctx = ctx};
	job_queue_async(st, j);
}

void
store_nonce_use_async(struct store *st, const unsigned char *nonce,
		      size_t len, int64_t expires_at, struct store_job *j,
		      void (*done)(void *ctx), void *ctx)
{
	assert(st && j && done);
	*j = (struct store_job){.kind = JOB_NONCE, .nonce = nonce, .len = len,
				.expires_at = expires_at, .done_fn = done,
				.done_ctx = ctx};
	job_queue_async(st, j);
}

int
store_job_result(const struct store_job *j, int64_t *id,
		 enum store_comment_status *status)
{
	assert(j && j->done);
	if (id)
		*id = j->err == GZ_OK ? j->id : 0;
	if (status)
		*status = j->status;
	return j->err;
}

/*
 * Stores the comment as store_comment_insert does, batched with the
 * comments that arrive at the same moment, and returns once the batch
 * is committed (at the store's sync level) and its change events have
 * been told to the listener, so the caller's next read of the page sees
 * its comment. Not inside store_tx_begin/commit (the writer would wait
 * for the caller's lock forever). Output: *id. Returns GZ_OK,
 * store_comment_insert's errors, or GZ_EBUSY when the store is closing.
 */
int
store_comment_add(struct store *st, const struct store_comment_input *in,
		  int64_t *id)
{
	struct store_job j = {.kind = JOB_COMMENT, .in = in};
	int err;

	assert(st && in && id);
	*id = 0;
	if ((err = job_submit(st, &j)) == GZ_OK)
		*id = j.id;
	return err;
}

/* Spends nonce alone, batched as store_comment_add. Returns GZ_OK,
 * GZ_EEXIST (spent already), GZ_EINVAL, GZ_EBUSY or GZ_EDB. */
int
store_nonce_use(struct store *st, const unsigned char *nonce, size_t len,
		int64_t expires_at)
{
	struct store_job j = {
		.kind = JOB_NONCE,
		.nonce = nonce,
		.len = len,
		.expires_at = expires_at,
	};

	assert(st);
	return job_submit(st, &j);
}

/* Sets how durable a commit is (SQLite: PRAGMA synchronous) on the writer
 * connection, under the write lock (waiting for a transaction or batch in
 * progress). Returns GZ_OK, GZ_EINVAL (not a level), GZ_EBUSY (called
 * inside a transaction) or GZ_EDB. */
int
store_sync_set(struct store *st, enum store_sync level)
{
	int err, rc;

	assert(st);
	if (level != STORE_SYNC_FULL && level != STORE_SYNC_NORMAL)
		return GZ_EINVAL;
	if ((rc = pthread_mutex_lock(&st->write_lock)) != 0)
		return rc == EDEADLK ? GZ_EBUSY : GZ_EDB;
	err = st->writer.eng->sync_set(&st->writer, level == STORE_SYNC_FULL);
	pthread_mutex_unlock(&st->write_lock);
	return err;
}
