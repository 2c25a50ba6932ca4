/*
 * admin_upload.c - slow work of the newsroom's pages on threads of their
 * own: a photo's decoding and resizing (media_ingest, hundreds of
 * milliseconds and a core), which must not hold one of libmicrohttpd's
 * threads while readers wait.
 *
 * Data flow: a handler (admin_media.c's upload) suspends its request
 * (http_req_suspend), fills a site_job whose run does the work and whose
 * done resumes the request (http_resume), and hands it to
 * site_worker_submit; a worker thread runs it and calls done; the
 * handler, called again with req->resumed, answers from what run left in
 * the job. The password hashing threads (admin/admin.c) are not reused:
 * an upload queued there would make sign-ins wait for libvips, and their
 * jobs carry passwords, not photos.
 *
 * Invariants: at most the queue's limit of jobs wait (each holds a file
 * in its request's pool); a job's done runs exactly once, never under
 * the lock; once site_worker_free has begun no job is accepted, and the
 * jobs still waiting are finished unrun (ran false).
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

#include "site/site_int.h"
#include "util/err.h"
#include "util/limits.h"

/* More threads than this are never asked for (limits.h's are 1). */
#define WORKER_MAX_THREADS 8u

struct site_worker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct site_job *head, *tail; /* waiting, oldest first */
	size_t queued, max_queued;
	bool stopping;
	pthread_t thread[WORKER_MAX_THREADS];
	size_t threads;               /* started */
};

/* A worker thread: runs the oldest job and calls its done, until the
 * worker stops (jobs still waiting then are site_worker_free's). */
static void *
worker_main(void *arg)
{
	struct site_worker *w = arg;
	struct site_job *job;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->stopping && !w->head)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stopping) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		job = w->head;
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		w->queued--;
		pthread_mutex_unlock(&w->lock);
		job->run(job);
		job->ran = true;
		/* done may end the request whose pool holds job. */
		job->done(job->ctx);
	}
}

int
site_worker_new(size_t threads, size_t queue, struct site_worker **out)
{
	struct site_worker *w;

	assert(out && threads >= 1 && threads <= WORKER_MAX_THREADS);
	*out = NULL;
	if (!(w = calloc(1, sizeof(*w))))
		return GZ_ENOMEM;
	if (pthread_mutex_init(&w->lock, NULL) != 0) {
		free(w);
		return GZ_ENOMEM;
	}
	if (pthread_cond_init(&w->cond, NULL) != 0) {
		pthread_mutex_destroy(&w->lock);
		free(w);
		return GZ_ENOMEM;
	}
	w->max_queued = queue;
	for (; w->threads < threads; w->threads++)
		if (pthread_create(&w->thread[w->threads], NULL, worker_main,
				   w) != 0) {
			site_worker_free(w);
			return GZ_ENOMEM;
		}
	*out = w;
	return GZ_OK;
}

void
site_worker_free(struct site_worker *w)
{
	struct site_job *job, *next;
	size_t i;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	job = w->head;
	w->head = w->tail = NULL;
	w->queued = 0;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	/* The waiting ones are answered now; one running finishes first,
	 * its thread joined. */
	for (; job; job = next) {
		next = job->next;
		job->ran = false;
		job->done(job->ctx);
	}
	for (i = 0; i < w->threads; i++)
		pthread_join(w->thread[i], NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void
site_worker_submit(struct site_worker *w, struct site_job *job)
{
	bool taken = false;

	assert(job && job->run && job->done);
	job->next = NULL;
	job->ran = false;
	if (w) {
		pthread_mutex_lock(&w->lock);
		if (!w->stopping && w->queued < w->max_queued) {
			if (w->tail)
				w->tail->next = job;
			else
				w->head = job;
			w->tail = job;
			w->queued++;
			taken = true;
			pthread_cond_signal(&w->cond);
		}
		pthread_mutex_unlock(&w->lock);
	}
	if (!taken)
		job->done(job->ctx);
}
