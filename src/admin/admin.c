/*
 * admin.c - the admin module's state: the CSRF key, the hashing threads
 * and their bounded queue (the dummy hash is password.c's).
 *
 * Data flow: the server (and each gazette user command) makes one struct
 * admin at start with the site secret; handlers hand password checks
 * and new hashes to admin_password_verify_async and
 * admin_password_hash_async, which queue them here for
 * GZ_LIMIT_HASH_THREADS threads of our own, so an Argon2 flood costs
 * those threads and never the readers' (libmicrohttpd's) threads; the
 * hashing threads run at SCHED_IDLE, so they take only CPU time readers
 * leave.
 *
 * The CSRF key is crypto_kdf subkey 1 of the secret under context
 * "gz-csrf", so it is never the key of anything else.
 *
 * Invariants: at most GZ_LIMIT_HASH_QUEUE jobs wait; a job's done runs
 * exactly once, never under queue_lock; after admin_free has taken the
 * queue no job is accepted (done runs at once with GZ_EBUSY).
 */
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sodium.h>

#include "admin/admin_int.h"
#include "util/err.h"
#include "util/secret.h"

#define ADMIN_KDF_CONTEXT "gz-csrf" /* 7 characters and the NUL: 8 bytes */
#define ADMIN_KDF_SUBKEY_CSRF 1u

_Static_assert(sizeof(ADMIN_KDF_CONTEXT) == crypto_kdf_CONTEXTBYTES,
	       "kdf context size");
_Static_assert(ADMIN_KEY_BYTES == crypto_kdf_KEYBYTES, "kdf key size");
_Static_assert(ADMIN_HASH_MAX == crypto_pwhash_STRBYTES, "hash size");
_Static_assert(GZ_LIMIT_HASH_THREADS >= 1, "one hashing thread at least");

int
admin_cost_limits(enum admin_hash_cost cost, unsigned long long *ops,
		  size_t *mem)
{
	switch (cost) {
	case ADMIN_HASH_INTERACTIVE:
		*ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		*mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		return GZ_OK;
	case ADMIN_HASH_MODERATE:
		*ops = crypto_pwhash_OPSLIMIT_MODERATE;
		*mem = crypto_pwhash_MEMLIMIT_MODERATE;
		return GZ_OK;
	case ADMIN_HASH_MINIMUM:
		*ops = crypto_pwhash_OPSLIMIT_MIN;
		*mem = crypto_pwhash_MEMLIMIT_MIN;
		return GZ_OK;
	}
	return GZ_EINVAL;
}

/* Puts the calling thread below every other in the scheduler's eyes:
 * SCHED_IDLE runs it only on a core nothing else wants, so a sign-in
 * flood spends the CPU readers leave and never theirs. Where a kernel
 * refuses SCHED_IDLE, the lowest nice value of this thread (Linux's
 * setpriority on a thread id) is the next best. Neither failing stops
 * sign-in: it only slows readers under a flood. */
static void
admin_worker_lower(void)
{
	struct sched_param param = { .sched_priority = 0 };

	if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) == 0)
		return;
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), 19);
}

/* A hashing thread: takes the oldest job, runs it, calls its done;
 * returns when a is stopping (jobs still queued then are admin_free's). */
static void *
admin_worker(void *arg)
{
	struct admin *a = arg;
	struct admin_job *job;
	void (*done)(void *);
	void *ctx;

	admin_worker_lower();
	for (;;) {
		pthread_mutex_lock(&a->queue_lock);
		while (!a->stopping && !a->head)
			pthread_cond_wait(&a->queue_cond, &a->queue_lock);
		if (a->stopping) {
			pthread_mutex_unlock(&a->queue_lock);
			return NULL;
		}
		job = a->head;
		a->head = job->next;
		if (!a->head)
			a->tail = NULL;
		a->queued--;
		pthread_mutex_unlock(&a->queue_lock);
		admin_job_run(a, job);
		/* done may free job: read what it needs first. */
		done = job->done;
		ctx = job->ctx;
		done(ctx);
	}
}

int
admin_new(const char *secret_hex, enum admin_hash_cost cost,
	  struct admin **out)
{
	struct admin *a = NULL;
	unsigned char master[crypto_kdf_KEYBYTES];
	bool queue_made = false, throttle_made = false;
	int rc;

	assert(out != NULL);
	*out = NULL;
	if (sodium_init() < 0)
		return GZ_EIO;
	if ((rc = gz_secret_parse(secret_hex, master)) != GZ_OK)
		goto out;
	if (!(a = calloc(1, sizeof(*a)))) {
		rc = GZ_ENOMEM;
		goto out;
	}
	a->cost = cost;
	if ((rc = admin_cost_limits(cost, &a->opslimit, &a->memlimit)) != GZ_OK)
		goto out;
	crypto_kdf_derive_from_key(a->csrf_key, sizeof(a->csrf_key),
				   ADMIN_KDF_SUBKEY_CSRF, ADMIN_KDF_CONTEXT,
				   master);
	if (!(a->dummy = calloc(1, sizeof(*a->dummy))) ||
	    pthread_mutex_init(&a->dummy->lock, NULL) != 0) {
		free(a->dummy);
		a->dummy = NULL;
		rc = GZ_ENOMEM;
		goto out;
	}
	if ((rc = admin_throttle_init(a)) != GZ_OK)
		goto out;
	throttle_made = true;
	if (pthread_mutex_init(&a->queue_lock, NULL) != 0) {
		rc = GZ_ENOMEM;
		goto out;
	}
	if (pthread_cond_init(&a->queue_cond, NULL) != 0) {
		pthread_mutex_destroy(&a->queue_lock);
		rc = GZ_ENOMEM;
		goto out;
	}
	queue_made = true;
	for (; a->threads < GZ_LIMIT_HASH_THREADS; a->threads++)
		if (pthread_create(&a->thread[a->threads], NULL, admin_worker,
				   a) != 0) {
			rc = GZ_ENOMEM;
			goto out;
		}
	*out = a;
	a = NULL;
	rc = GZ_OK;
out:
	sodium_memzero(master, sizeof(master));
	if (a && queue_made) {
		admin_free(a);
		a = NULL;
	}
	if (a && throttle_made)
		admin_throttle_fini(a);
	if (a && a->dummy) {
		pthread_mutex_destroy(&a->dummy->lock);
		free(a->dummy);
	}
	if (a) {
		sodium_memzero(a, sizeof(*a));
		free(a);
	}
	return rc;
}

void
admin_free(struct admin *a)
{
	struct admin_job *job, *next;
	size_t i;

	if (!a)
		return;
	pthread_mutex_lock(&a->queue_lock);
	a->stopping = true;
	job = a->head;
	a->head = a->tail = NULL;
	a->queued = 0;
	pthread_cond_broadcast(&a->queue_cond);
	pthread_mutex_unlock(&a->queue_lock);
	/* The jobs that never ran: wiped and answered busy. */
	for (; job; job = next) {
		next = job->next;
		sodium_memzero(job->password, sizeof(job->password));
		sodium_memzero(job->new_password, sizeof(job->new_password));
		job->result = GZ_EBUSY;
		job->done(job->ctx);
	}
	for (i = 0; i < a->threads; i++)
		pthread_join(a->thread[i], NULL);
	pthread_cond_destroy(&a->queue_cond);
	pthread_mutex_destroy(&a->queue_lock);
	admin_throttle_fini(a);
	pthread_mutex_destroy(&a->dummy->lock);
	free(a->dummy);
	sodium_memzero(a, sizeof(*a));
	free(a);
}

size_t
admin_job_size(void)
{
	return sizeof(struct admin_job);
}

int
admin_job_result(const struct admin_job *job)
{
	assert(job != NULL);
	return job->result;
}

bool
admin_job_verified(const struct admin_job *job)
{
	assert(job != NULL);
	return job->verified;
}

const char *
admin_job_hash(const struct admin_job *job)
{
	assert(job != NULL);
	return job->made;
}

/* Answers job at once, on the caller's thread, with rc. */
static void
admin_job_answer(struct admin_job *job, int rc)
{
	sodium_memzero(job->password, sizeof(job->password));
	sodium_memzero(job->new_password, sizeof(job->new_password));
	job->result = rc;
	job->done(job->ctx);
}

void
admin_password_hash_async(struct admin *a, const char *old_hash,
			  const char *old_password, const char *password,
			  struct admin_job *job, void (*done)(void *ctx),
			  void *ctx)
{
	size_t hash_len, pw_len;

	assert(a != NULL && job != NULL && done != NULL);
	memset(job, 0, offsetof(struct admin_job, hash));
	job->made[0] = '\0';
	job->done = done;
	job->ctx = ctx;
	job->verify = old_hash != NULL;
	job->make = password != NULL;
	if (job->verify) {
		hash_len = strnlen(old_hash, ADMIN_HASH_MAX);
		pw_len = old_password ? strnlen(old_password,
						GZ_LIMIT_PASSWORD_BYTES + 1)
				      : GZ_LIMIT_PASSWORD_BYTES + 1;
		/* No valid hash is that long, and no password that long
		 * was ever accepted, and an empty hash is none: none can
		 * match, and none is worth a thread. */
		if (hash_len == 0 || hash_len >= ADMIN_HASH_MAX ||
		    pw_len > GZ_LIMIT_PASSWORD_BYTES) {
			admin_job_answer(job, GZ_EFORBIDDEN);
			return;
		}
		memcpy(job->hash, old_hash, hash_len + 1);
		memcpy(job->password, old_password, pw_len + 1);
	}
	if (job->make) {
		if (admin_password_problem(password)) {
			admin_job_answer(job, GZ_EINVAL);
			return;
		}
		memcpy(job->new_password, password, strlen(password) + 1);
	}
	pthread_mutex_lock(&a->queue_lock);
	if (a->stopping || a->queued >= GZ_LIMIT_HASH_QUEUE) {
		pthread_mutex_unlock(&a->queue_lock);
		admin_job_answer(job, GZ_EBUSY);
		return;
	}
	if (a->tail)
		a->tail->next = job;
	else
		a->head = job;
	a->tail = job;
	a->queued++;
	pthread_cond_signal(&a->queue_cond);
	pthread_mutex_unlock(&a->queue_lock);
}

void
admin_password_verify_async(struct admin *a, const char *hash,
			    const char *password, struct admin_job *job,
			    void (*done)(void *ctx), void *ctx)
{
	/* A NULL hash is no hash: refused, as any invalid one. */
	admin_password_hash_async(a, hash ? hash : "", password, NULL, job,
				  done, ctx);
}
