/*
 * test_site_admin_upload.c - the newsroom's worker for slow jobs
 * (src/site/admin_upload.c): every job's done runs exactly once, after
 * its run; a full queue refuses at once (done, ran false); stopping
 * the worker does the waiting jobs at once, unrun and stopped, and lets
 * the running one finish; freeing it with one still running abandons
 * that one. No timing: a job blocks on a gate the test opens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "site/site_int.h"
#include "util/err.h"

/* A gate the first job waits at, so the queue behind it fills. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open, running;
static int left_gate; /* blocking jobs past the gate, under its lock */

struct test_job {
	struct site_job job;
	bool blocks;
	atomic_int runs, dones;
	atomic_bool ran_at_done;
};

static void
job_run(struct site_job *j)
{
	struct test_job *t = (struct test_job *)(void *)j;

	atomic_fetch_add(&t->runs, 1);
	if (!t->blocks)
		return;
	pthread_mutex_lock(&gate_lock);
	running = true;
	pthread_cond_broadcast(&gate_cond);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	left_gate++;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

/* Finished jobs, counted under the gate's lock so the test can wait. */
static int finished;

static void
job_done(void *ctx)
{
	struct test_job *t = ctx;

	atomic_store(&t->ran_at_done, t->job.ran);
	atomic_fetch_add(&t->dones, 1);
	pthread_mutex_lock(&gate_lock);
	finished++;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

static void
job_init(struct test_job *t, bool blocks)
{
	memset(t, 0, sizeof(*t));
	t->job.run = job_run;
	t->job.done = job_done;
	t->job.ctx = t;
	t->blocks = blocks;
}

static void
reset_gate(void)
{
	pthread_mutex_lock(&gate_lock);
	gate_open = false;
	running = false;
	finished = 0;
	left_gate = 0;
	pthread_mutex_unlock(&gate_lock);
}

static void
wait_finished(int n)
{
	pthread_mutex_lock(&gate_lock);
	while (finished < n)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
}

static void
test_jobs_run_once_each(void **state)
{
	struct site_worker *w = NULL;
	struct test_job jobs[3];
	size_t i;

	(void)state;
	reset_gate();
	assert_int_equal(site_worker_new(1, 4, &w), GZ_OK);
	for (i = 0; i < 3; i++) {
		job_init(&jobs[i], false);
		site_worker_submit(w, &jobs[i].job);
	}
	wait_finished(3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(atomic_load(&jobs[i].runs), 1);
		assert_int_equal(atomic_load(&jobs[i].dones), 1);
		assert_true(atomic_load(&jobs[i].ran_at_done));
	}
	site_worker_free(w);
}

static void
test_full_queue_refuses_at_once(void **state)
{
	struct site_worker *w = NULL;
	struct test_job first, waiting[2], refused;

	(void)state;
	reset_gate();
	assert_int_equal(site_worker_new(1, 2, &w), GZ_OK);
	job_init(&first, true);
	site_worker_submit(w, &first.job);
	/* The first is running (off the queue): two may wait behind it. */
	pthread_mutex_lock(&gate_lock);
	while (!running)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	job_init(&waiting[0], false);
	job_init(&waiting[1], false);
	site_worker_submit(w, &waiting[0].job);
	site_worker_submit(w, &waiting[1].job);
	job_init(&refused, false);
	site_worker_submit(w, &refused.job);
	/* Refused on this thread, before submit returned. */
	assert_int_equal(atomic_load(&refused.dones), 1);
	assert_int_equal(atomic_load(&refused.runs), 0);
	assert_false(atomic_load(&refused.ran_at_done));
	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	wait_finished(4);
	assert_int_equal(atomic_load(&waiting[0].runs), 1);
	assert_int_equal(atomic_load(&waiting[1].runs), 1);
	assert_int_equal(atomic_load(&first.dones), 1);
	site_worker_free(w);
}

/* Waits until the blocking job is running (off the queue). */
static void
wait_running(void)
{
	pthread_mutex_lock(&gate_lock);
	while (!running)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
}

static void
open_gate(void)
{
	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

/* Shutdown's first step: the waiting jobs are done at once, unrun and
 * stopped, on the stopping thread, while the running one goes on and is
 * done as usual; a job submitted after is refused as stopped. */
static void
test_stop_answers_waiting_running_finishes(void **state)
{
	struct site_worker *w = NULL;
	struct test_job first, waiting[2], late;

	(void)state;
	reset_gate();
	assert_int_equal(site_worker_new(1, 4, &w), GZ_OK);
	job_init(&first, true);
	site_worker_submit(w, &first.job);
	wait_running();
	job_init(&waiting[0], false);
	job_init(&waiting[1], false);
	site_worker_submit(w, &waiting[0].job);
	site_worker_submit(w, &waiting[1].job);
	/* The gate is shut: stopping must not wait for the running job. */
	site_worker_stop(w);
	assert_int_equal(atomic_load(&waiting[0].dones), 1);
	assert_int_equal(atomic_load(&waiting[1].dones), 1);
	assert_int_equal(atomic_load(&waiting[0].runs), 0);
	assert_int_equal(atomic_load(&waiting[1].runs), 0);
	assert_false(atomic_load(&waiting[0].ran_at_done));
	assert_true(waiting[0].job.stopped && waiting[1].job.stopped);
	assert_int_equal(atomic_load(&first.dones), 0);
	/* Stopped: refused at once, and said so. */
	job_init(&late, false);
	site_worker_submit(w, &late.job);
	assert_int_equal(atomic_load(&late.dones), 1);
	assert_int_equal(atomic_load(&late.runs), 0);
	assert_true(late.job.stopped);
	site_worker_stop(w); /* again: nothing more */
	open_gate();
	wait_finished(4);
	assert_int_equal(atomic_load(&first.runs), 1);
	assert_int_equal(atomic_load(&first.dones), 1);
	assert_true(atomic_load(&first.ran_at_done));
	assert_false(first.job.stopped);
	site_worker_free(w);
}

/* Freeing with a job still running (the server gave up waiting for it)
 * returns at once and abandons the job: its done is never called, and
 * the worker is freed by its thread (AddressSanitizer sees a use after
 * free or a leak otherwise). */
static void
test_free_abandons_running(void **state)
{
	struct site_worker *w = NULL;
	static struct test_job first, waiting; /* outlive the test */

	(void)state;
	reset_gate();
	assert_int_equal(site_worker_new(1, 4, &w), GZ_OK);
	job_init(&first, true);
	site_worker_submit(w, &first.job);
	wait_running();
	job_init(&waiting, false);
	site_worker_submit(w, &waiting.job);
	/* The gate is shut: a free that waited would never return. */
	site_worker_free(w);
	assert_int_equal(atomic_load(&waiting.dones), 1);
	assert_false(atomic_load(&waiting.ran_at_done));
	assert_true(waiting.job.stopped);
	assert_int_equal(atomic_load(&first.dones), 0);
	open_gate();
	/* Past the gate before the next test shuts it again. */
	pthread_mutex_lock(&gate_lock);
	while (left_gate < 1)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
}

/* Freeing an idle worker joins its threads. */
static void
test_free_idle_joins(void **state)
{
	struct site_worker *w = NULL;
	struct test_job one;

	(void)state;
	reset_gate();
	assert_int_equal(site_worker_new(2, 4, &w), GZ_OK);
	job_init(&one, false);
	site_worker_submit(w, &one.job);
	wait_finished(1);
	site_worker_free(w);
	assert_int_equal(atomic_load(&one.dones), 1);
	assert_true(atomic_load(&one.ran_at_done));
}

static void
test_stopped_or_missing_worker_refuses(void **state)
{
	struct test_job t;

	(void)state;
	reset_gate();
	job_init(&t, false);
	site_worker_submit(NULL, &t.job);
	assert_int_equal(atomic_load(&t.dones), 1);
	assert_int_equal(atomic_load(&t.runs), 0);
	assert_false(atomic_load(&t.ran_at_done));
	assert_false(t.job.stopped);
	site_worker_stop(NULL);
	site_worker_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jobs_run_once_each),
		cmocka_unit_test(test_full_queue_refuses_at_once),
		cmocka_unit_test(test_stop_answers_waiting_running_finishes),
		cmocka_unit_test(test_free_abandons_running),
		cmocka_unit_test(test_free_idle_joins),
		cmocka_unit_test(test_stopped_or_missing_worker_refuses),
	};

	return cmocka_run_group_tests_name("site/admin_upload", tests, NULL,
					   NULL);
}
