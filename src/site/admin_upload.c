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
 * Shutdown, in two steps (site_stop, then site_free after the server has
 * stopped): site_worker_stop takes no job any more and answers the
 * waiting ones at once, unrun and marked stopped, while the server still
 * runs to send their answers (503); the job running goes on, and the
 * server waits for its request as for any other. site_worker_free then
 * finds nothing running and joins its threads. Should a job still run
 * then (the server stopped waiting: GZ_LIMIT_STOP_SECONDS is shorter
 * than GZ_LIMIT_INGEST_SECONDS), it is abandoned: its done is never
 * called, since the server that would answer has gone, and the last
 * thread to finish frees the worker.
 *
 * Invariants: at most the queue's limit of jobs wait (each holds a file
 * in its request's pool); a job's done runs at most once, exactly once
 * unless abandoned, never under the lock; once site_worker_stop has
 * begun no job is accepted.
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
	size_t running;               /* jobs taken whose run has not ended */
	bool stopping;                /* no job is taken any more */
	bool abandoned;               /* freed while running: see above */
	pthread_t thread[WORKER_MAX_THREADS];
	size_t threads;               /* started */
	size_t alive;                 /* started and not yet returning */
};

static void
worker_destroy(struct site_worker *w)
{
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* A worker thread: runs the oldest job and calls its done, until the
 * worker stops (site_worker_stop answers the jobs still waiting). */
static void *
worker_main(void *arg)
{
	struct site_worker *w = arg;
	struct site_job *job;
	bool abandoned, last;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stopping && !w->head)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stopping)
			break;
		job = w->head;
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		w->queued--;
		w->running++;
		pthread_mutex_unlock(&w->lock);
		job->run(job);
		job->ran = true;
		pthread_mutex_lock(&w->lock);
		w->running--;
		abandoned = w->abandoned;
		pthread_mutex_unlock(&w->lock);
		/* done may end the request whose pool holds job. */
		if (!abandoned)
			job->done(job->ctx);
		pthread_mutex_lock(&w->lock);
	}
	w->alive--;
	last = w->abandoned && w->alive == 0;
	pthread_mutex_unlock(&w->lock);
	if (last)
		worker_destroy(w);
	return NULL;
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
	for (; w->threads < threads; w->threads++) {
		if (pthread_create(&w->thread[w->threads], NULL, worker_main,
				   w) != 0) {
			site_worker_free(w);
			return GZ_ENOMEM;
		}
		pthread_mutex_lock(&w->lock);
		w->alive++;
		pthread_mutex_unlock(&w->lock);
	}
	*out = w;
	return GZ_OK;
}

void
site_worker_stop(struct site_worker *w)
{
	struct site_job *job, *next;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	job = w->head;
	w->head = w->tail = NULL;
	w->queued = 0;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	/* The waiting ones are answered now, while the server runs. */
	for (; job; job = next) {
		next = job->next;
		job->ran = false;
		job->stopped = true;
		job->done(job->ctx);
	}
}

void
site_worker_free(struct site_worker *w)
{
	size_t i;

	if (!w)
		return;
	site_worker_stop(w);
	pthread_mutex_lock(&w->lock);
	if (w->running) {
		/* The server stopped without this job's answer: nothing may
		 * resume its request now. Its thread frees w. */
		w->abandoned = true;
		for (i = 0; i < w->threads; i++)
			pthread_detach(w->thread[i]);
		pthread_mutex_unlock(&w->lock);
		return;
	}
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->threads; i++)
		pthread_join(w->thread[i], NULL);
	worker_destroy(w);
}

void
site_worker_submit(struct site_worker *w, struct site_job *job)
{
	bool taken = false;

	assert(job && job->run && job->done);
	job->next = NULL;
	job->ran = false;
	job->stopped = false;
	if (w) {
		pthread_mutex_lock(&w->lock);
		job->stopped = w->stopping;
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
