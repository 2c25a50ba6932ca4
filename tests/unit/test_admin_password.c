/* Tests for src/admin/password.c: the problem sentences, Argon2id hashes
 * at the minimum cost (and once at the real one), rehash decisions,
 * one-time passwords, and verification on the hashing threads: many
 * jobs, a full queue, and admin_free with jobs still waiting. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "util/err.h"
#include "util/limits.h"

#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define GOOD "correct horse battery"

static struct admin *
make(enum admin_hash_cost cost)
{
	struct admin *a = NULL;

	assert_int_equal(admin_new(SECRET, cost, &a), GZ_OK);
	return a;
}

static void
problem_sentences(void **state)
{
	char *long_pw;

	(void)state;
	assert_null(admin_password_problem(GOOD));
	assert_null(admin_password_problem("twelve chars"));
	assert_string_equal(admin_password_problem("eleven char"),
			    "Use at least 12 characters.");
	assert_string_equal(admin_password_problem(""),
			    "Use at least 12 characters.");
	/* Characters, not bytes: eleven two-byte letters are too few,
	 * twelve are enough. */
	assert_string_equal(admin_password_problem(
				    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
				    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
				    "\xc3\xa9"),
			    "Use at least 12 characters.");
	assert_null(admin_password_problem(
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
	assert_string_equal(admin_password_problem("twelve chars\xff"),
			    "The password is not valid text.");
	assert_string_equal(admin_password_problem("             "),
			    "Use something other than spaces.");
	long_pw = malloc(GZ_LIMIT_PASSWORD_BYTES + 2);
	assert_non_null(long_pw);
	memset(long_pw, 'x', GZ_LIMIT_PASSWORD_BYTES + 1);
	long_pw[GZ_LIMIT_PASSWORD_BYTES + 1] = '\0';
	assert_string_equal(admin_password_problem(long_pw),
			    "Use at most 1024 bytes.");
	long_pw[GZ_LIMIT_PASSWORD_BYTES] = '\0';
	assert_null(admin_password_problem(long_pw));
	free(long_pw);
	assert_non_null(admin_password_problem(NULL));
}

static void
hash_and_verify(void **state)
{
	struct admin *a = make(ADMIN_HASH_MINIMUM);
	char h1[ADMIN_HASH_MAX], h2[ADMIN_HASH_MAX];

	(void)state;
	assert_int_equal(admin_password_hash(a, GOOD, h1), GZ_OK);
	assert_int_equal(admin_password_hash(a, GOOD, h2), GZ_OK);
	assert_non_null(strstr(h1, "$argon2id$"));
	/* Salted: the same password, two hashes. */
	assert_string_not_equal(h1, h2);
	assert_int_equal(admin_password_verify(h1, GOOD), GZ_OK);
	assert_int_equal(admin_password_verify(h2, GOOD), GZ_OK);
	assert_int_equal(admin_password_verify(h1, GOOD "!"), GZ_EFORBIDDEN);
	assert_int_equal(admin_password_verify(h1, "correct horse batterY"),
			 GZ_EFORBIDDEN);
	assert_int_equal(admin_password_verify(h1, ""), GZ_EFORBIDDEN);
	assert_int_equal(admin_password_verify("not a hash", GOOD),
			 GZ_EFORBIDDEN);
	assert_int_equal(admin_password_verify("", GOOD), GZ_EFORBIDDEN);
	assert_int_equal(admin_password_verify(NULL, GOOD), GZ_EFORBIDDEN);
	assert_int_equal(admin_password_verify(h1, NULL), GZ_EFORBIDDEN);
	/* A refused password is not hashed. */
	assert_int_equal(admin_password_hash(a, "short", h1), GZ_EINVAL);
	assert_string_equal(h1, "");
	admin_free(a);
}

static void
real_cost_hash(void **state)
{
	struct admin *a = make(ADMIN_HASH_INTERACTIVE);
	char h[ADMIN_HASH_MAX];

	(void)state;
	assert_int_equal(admin_password_hash(a, GOOD, h), GZ_OK);
	/* libsodium's INTERACTIVE: 64 MiB, two passes. */
	assert_non_null(strstr(h, "$m=65536,t=2,p=1$"));
	assert_int_equal(admin_password_verify(h, GOOD), GZ_OK);
	assert_int_equal(admin_password_verify(h, "wrong password!"),
			 GZ_EFORBIDDEN);
	assert_false(admin_password_needs_rehash(a, h));
	admin_free(a);
}

static void
needs_rehash(void **state)
{
	struct admin *min = make(ADMIN_HASH_MINIMUM);
	char weak[ADMIN_HASH_MAX];
	/* What MODERATE makes (libsodium 1.0.18: 256 MiB, three passes),
	 * written out so the test does not spend 256 MiB on it. */
	const char *strong = "$argon2id$v=19$m=262144,t=3,p=1$"
			     "c29tZXNhbHRzb21lc2FsdA$"
			     "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI";

	(void)state;
	assert_int_equal(admin_password_hash(min, GOOD, weak), GZ_OK);
	assert_false(admin_password_needs_rehash(min, weak));
	/* A site that raised its cost rehashes old hashes... */
	{
		struct admin *inter = make(ADMIN_HASH_INTERACTIVE);

		assert_true(admin_password_needs_rehash(inter, weak));
		/* ...and one that lowered it keeps its stronger ones. */
		assert_false(admin_password_needs_rehash(inter, strong));
		assert_false(admin_password_needs_rehash(min, strong));
		admin_free(inter);
	}
	assert_true(admin_password_needs_rehash(min, "not a hash"));
	assert_true(admin_password_needs_rehash(min, NULL));
	/* An argon2i hash (another algorithm) is rehashed. */
	assert_true(admin_password_needs_rehash(
		min, "$argon2i$v=19$m=32768,t=4,p=1$c29tZXNhbHQ$"
		     "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI"));
	admin_free(min);
}

static void
one_time_passwords(void **state)
{
	char p[ADMIN_ONETIME_LEN + 1], q[ADMIN_ONETIME_LEN + 1];
	size_t i;

	(void)state;
	admin_password_generate(p);
	admin_password_generate(q);
	assert_int_equal(strlen(p), ADMIN_ONETIME_LEN);
	assert_string_not_equal(p, q);
	for (i = 0; i < ADMIN_ONETIME_LEN; i++) {
		if (i % 5 == 4) {
			assert_int_equal(p[i], '-');
			continue;
		}
		assert_non_null(strchr("23456789abcdefghjkmnpqrstuvwxyz", p[i]));
		assert_null(strchr("01oli", p[i]));
	}
	/* It is a password we accept. */
	assert_null(admin_password_problem(p));
}

/* ---- asynchronous verification ---------------------------------------- */

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned done;        /* callbacks seen */
	unsigned busy;        /* of them GZ_EBUSY */
	bool hold;            /* the first callback waits while true */
	bool held;            /* the first callback is waiting */
	pthread_t caller;     /* the test's thread */
	unsigned on_caller;   /* callbacks run on the test's thread */
};

struct slot {
	struct waiter *w;
	struct admin_job *job;
	int result;
	bool first;
};

static void
waiter_init(struct waiter *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->caller = pthread_self();
}

static void
waiter_fini(struct waiter *w)
{
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

/* The callback; the first job's may hold the hashing thread (tests
 * only: done must not block in the server), so that later jobs queue. */
static void
on_done(void *ctx)
{
	struct slot *s = ctx;
	struct waiter *w = s->w;

	s->result = admin_job_result(s->job);
	pthread_mutex_lock(&w->lock);
	if (pthread_equal(pthread_self(), w->caller))
		w->on_caller++;
	w->done++;
	w->busy += s->result == GZ_EBUSY;
	pthread_cond_broadcast(&w->cond);
	if (s->first) {
		w->held = true;
		pthread_cond_broadcast(&w->cond);
		while (w->hold)
			pthread_cond_wait(&w->cond, &w->lock);
	}
	pthread_mutex_unlock(&w->lock);
}

static void
wait_for(struct waiter *w, unsigned done, bool held)
{
	pthread_mutex_lock(&w->lock);
	while (w->done < done || (held && !w->held))
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

static void
release(struct waiter *w)
{
	pthread_mutex_lock(&w->lock);
	w->hold = false;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

#define JOBS 40

static struct slot *
slots_new(struct waiter *w, size_t n)
{
	struct slot *s = calloc(n, sizeof(*s));
	size_t i;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		s[i].w = w;
		s[i].job = malloc(admin_job_size());
		assert_non_null(s[i].job);
		s[i].result = -1;
	}
	return s;
}

static void
slots_free(struct slot *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(s[i].job);
	free(s);
}

static void
many_jobs(void **state)
{
	struct admin *a = make(ADMIN_HASH_MINIMUM);
	struct slot *s = slots_new(NULL, JOBS);
	struct waiter w;
	char h[ADMIN_HASH_MAX];
	size_t i;

	(void)state;
	waiter_init(&w);
	assert_int_equal(admin_password_hash(a, GOOD, h), GZ_OK);
	/* Fed no faster than the queue drains: each waits for the one
	 * before, so none is refused. */
	for (i = 0; i < JOBS; i++) {
		s[i].w = &w;
		admin_password_verify_async(a, h, i % 2 ? GOOD : "wrong, wrong",
					    s[i].job, on_done, &s[i]);
		if (i % 8 == 7)
			wait_for(&w, (unsigned)i + 1, false);
	}
	wait_for(&w, JOBS, false);
	for (i = 0; i < JOBS; i++)
		assert_int_equal(s[i].result, i % 2 ? GZ_OK : GZ_EFORBIDDEN);
	assert_int_equal(w.busy, 0);
	/* Garbage in, a refusal at once. */
	admin_password_verify_async(a, "no hash", GOOD, s[0].job, on_done,
				    &s[0]);
	wait_for(&w, JOBS + 1, false);
	assert_int_equal(s[0].result, GZ_EFORBIDDEN);
	admin_free(a);
	waiter_fini(&w);
	slots_free(s, JOBS);
}

static void
full_queue_is_busy(void **state)
{
	struct admin *a = make(ADMIN_HASH_MINIMUM);
	size_t n = 1 + GZ_LIMIT_HASH_QUEUE + 3;
	struct slot *s = slots_new(NULL, n);
	struct waiter w;
	char h[ADMIN_HASH_MAX];
	size_t i;

	(void)state;
	_Static_assert(GZ_LIMIT_HASH_THREADS == 1,
		       "the test holds the one hashing thread");
	waiter_init(&w);
	w.hold = true;
	assert_int_equal(admin_password_hash(a, GOOD, h), GZ_OK);
	s[0].w = &w;
	s[0].first = true;
	admin_password_verify_async(a, h, GOOD, s[0].job, on_done, &s[0]);
	wait_for(&w, 1, true);
	/* The thread is held: GZ_LIMIT_HASH_QUEUE jobs wait, and the rest
	 * are answered at once, on this thread. */
	for (i = 1; i < n; i++) {
		s[i].w = &w;
		admin_password_verify_async(a, h, GOOD, s[i].job, on_done,
					    &s[i]);
	}
	assert_int_equal(w.done, 1 + 3);
	assert_int_equal(w.busy, 3);
	assert_int_equal(w.on_caller, 3);
	for (i = 1 + GZ_LIMIT_HASH_QUEUE; i < n; i++)
		assert_int_equal(s[i].result, GZ_EBUSY);
	release(&w);
	wait_for(&w, (unsigned)n, false);
	for (i = 0; i < 1 + GZ_LIMIT_HASH_QUEUE; i++)
		assert_int_equal(s[i].result, GZ_OK);
	admin_free(a);
	waiter_fini(&w);
	slots_free(s, n);
}

static void *
free_in_thread(void *arg)
{
	admin_free(arg);
	return NULL;
}

static void
free_with_jobs_queued(void **state)
{
	struct admin *a = make(ADMIN_HASH_MINIMUM);
	size_t n = 1 + GZ_LIMIT_HASH_QUEUE;
	struct slot *s = slots_new(NULL, n + 1);
	struct waiter w;
	pthread_t t;
	char h[ADMIN_HASH_MAX];
	size_t i;

	(void)state;
	waiter_init(&w);
	w.hold = true;
	assert_int_equal(admin_password_hash(a, GOOD, h), GZ_OK);
	s[0].w = &w;
	s[0].first = true;
	admin_password_verify_async(a, h, GOOD, s[0].job, on_done, &s[0]);
	wait_for(&w, 1, true);
	for (i = 1; i < n; i++) {
		s[i].w = &w;
		admin_password_verify_async(a, h, GOOD, s[i].job, on_done,
					    &s[i]);
	}
	/* admin_free answers every waiting job busy, then waits for the
	 * running one. */
	assert_int_equal(pthread_create(&t, NULL, free_in_thread, a), 0);
	wait_for(&w, (unsigned)n, false);
	assert_int_equal(w.busy, GZ_LIMIT_HASH_QUEUE);
	for (i = 1; i < n; i++)
		assert_int_equal(s[i].result, GZ_EBUSY);
	release(&w);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(s[0].result, GZ_OK);
	waiter_fini(&w);
	slots_free(s, n + 1);
}

/* ---- asynchronous hashing ---------------------------------------------- */

#define NEW_PW "a new password, long enough"

static void
hash_on_a_hashing_thread(void **state)
{
	struct admin *a = make(ADMIN_HASH_MINIMUM);
	struct slot *s = slots_new(NULL, 5);
	struct waiter w;
	char h[ADMIN_HASH_MAX];
	size_t i;

	(void)state;
	waiter_init(&w);
	for (i = 0; i < 5; i++)
		s[i].w = &w;
	assert_int_equal(admin_password_hash(a, GOOD, h), GZ_OK);
	/* A hash alone (a one-time password). */
	admin_password_hash_async(a, NULL, NULL, GOOD, s[0].job, on_done,
				  &s[0]);
	/* A change: the old password verified, then the new one hashed. */
	admin_password_hash_async(a, h, GOOD, NEW_PW, s[1].job, on_done,
				  &s[1]);
	/* A wrong old password: nothing hashed. */
	admin_password_hash_async(a, h, "wrong, wrong, wrong", NEW_PW,
				  s[2].job, on_done, &s[2]);
	/* A verification alone. */
	admin_password_hash_async(a, h, GOOD, NULL, s[3].job, on_done, &s[3]);
	wait_for(&w, 4, false);
	/* All four ran on the hashing thread, not on this one. */
	assert_int_equal(w.on_caller, 0);
	assert_int_equal(s[0].result, GZ_OK);
	assert_false(admin_job_verified(s[0].job));
	assert_int_equal(admin_password_verify(admin_job_hash(s[0].job), GOOD),
			 GZ_OK);
	assert_int_equal(s[1].result, GZ_OK);
	assert_true(admin_job_verified(s[1].job));
	assert_int_equal(admin_password_verify(admin_job_hash(s[1].job),
					       NEW_PW), GZ_OK);
	assert_int_equal(admin_password_verify(admin_job_hash(s[1].job), GOOD),
			 GZ_EFORBIDDEN);
	assert_int_equal(s[2].result, GZ_EFORBIDDEN);
	assert_false(admin_job_verified(s[2].job));
	assert_string_equal(admin_job_hash(s[2].job), "");
	assert_int_equal(s[3].result, GZ_OK);
	assert_true(admin_job_verified(s[3].job));
	assert_string_equal(admin_job_hash(s[3].job), "");
	/* A new password we would not accept: refused at once, here. */
	admin_password_hash_async(a, h, GOOD, "short", s[4].job, on_done,
				  &s[4]);
	assert_int_equal(w.done, 5);
	assert_int_equal(w.on_caller, 1);
	assert_int_equal(s[4].result, GZ_EINVAL);
	assert_string_equal(admin_job_hash(s[4].job), "");
	admin_free(a);
	waiter_fini(&w);
	slots_free(s, 5);
}

/* Hashes share the verifications' queue: a full one answers busy. */
static void
hash_queue_is_shared(void **state)
{
	struct admin *a = make(ADMIN_HASH_MINIMUM);
	size_t n = 1 + GZ_LIMIT_HASH_QUEUE + 1;
	struct slot *s = slots_new(NULL, n);
	struct waiter w;
	char h[ADMIN_HASH_MAX];
	size_t i;

	(void)state;
	waiter_init(&w);
	w.hold = true;
	assert_int_equal(admin_password_hash(a, GOOD, h), GZ_OK);
	s[0].w = &w;
	s[0].first = true;
	admin_password_verify_async(a, h, GOOD, s[0].job, on_done, &s[0]);
	wait_for(&w, 1, true);
	for (i = 1; i < n; i++) {
		s[i].w = &w;
		admin_password_hash_async(a, i % 2 ? h : NULL, GOOD, NEW_PW,
					  s[i].job, on_done, &s[i]);
	}
	assert_int_equal(w.done, 2);
	assert_int_equal(s[n - 1].result, GZ_EBUSY);
	assert_string_equal(admin_job_hash(s[n - 1].job), "");
	release(&w);
	wait_for(&w, (unsigned)n, false);
	for (i = 1; i < n - 1; i++)
		assert_int_equal(s[i].result, GZ_OK);
	admin_free(a);
	waiter_fini(&w);
	slots_free(s, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(problem_sentences),
		cmocka_unit_test(hash_and_verify),
		cmocka_unit_test(real_cost_hash),
		cmocka_unit_test(needs_rehash),
		cmocka_unit_test(one_time_passwords),
		cmocka_unit_test(many_jobs),
		cmocka_unit_test(full_queue_is_busy),
		cmocka_unit_test(free_with_jobs_queued),
		cmocka_unit_test(hash_on_a_hashing_thread),
		cmocka_unit_test(hash_queue_is_shared),
	};

	return cmocka_run_group_tests_name("admin/password", tests, NULL, NULL);
}
