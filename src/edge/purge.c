/*
 * purge.c - the purge thread and its queue (see edge.h).
 *
 * Data flow: edge_purge_keys copies keys, escaped by cache_key_token,
 * into queue[] under mu and wakes the thread; the thread takes the whole
 * queue at once (so the keys of events close together go out in one
 * request), then, outside the lock, sends each URL one PURGE per
 * GZ_LIMIT_EDGE_HEADER_BYTES of keys:
 *
 *   PURGE <url> HTTP/1.1
 *   Surrogate-Key: article:12 section:world front
 *   xkey-purge: article:12 section:world front
 *
 * Invariants: only the thread touches curl and urls[]' failure state;
 * nothing under mu waits on the network; the queue never holds a key
 * twice, and once it overflows it holds only "all" until taken.
 */
#include "edge/edge.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "metrics/metrics.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/log.h"

struct edge_url {
	char url[GZ_LIMIT_EDGE_URL_BYTES + 1];
	/* url as the log shows it: a user and password in it (a proxy's
	 * basic auth) as "***" (purge_url_shown). */
	char shown[GZ_LIMIT_EDGE_URL_BYTES + 1];
	bool failing;  /* the last purge failed: the next failure is quiet */
	bool owe_all;  /* a purge failed: the next one is of "all" */
};

struct edge_purge {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started;
	/* Under mu. */
	bool stopping;
	bool all;       /* purge everything: the queue overflowed, or asked */
	size_t nkeys;
	char queue[GZ_LIMIT_EDGE_QUEUE][CACHE_KEY_TOKEN_BYTES];
	/* The thread's own: what it took from the queue. */
	bool batch_all;
	size_t nbatch;
	char batch[GZ_LIMIT_EDGE_QUEUE][CACHE_KEY_TOKEN_BYTES];
	size_t nurls;
	struct edge_url urls[GZ_LIMIT_EDGE_URLS];
	CURL *curl;
};

/* Adds one key to the queue; mu is held. */
static void
purge_queue_locked(struct edge_purge *p, const char *key)
{
	char tok[CACHE_KEY_TOKEN_BYTES];
	size_t i;

	if (p->all)
		return; /* "all" covers it */
	if (!cache_key_token(key, tok, sizeof(tok)))
		return; /* empty: names no page */
	if (strcmp(tok, EDGE_KEY_ALL) == 0) {
		p->all = true;
		p->nkeys = 0;
		return;
	}
	for (i = 0; i < p->nkeys; i++)
		if (strcmp(p->queue[i], tok) == 0)
			return;
	if (p->nkeys == GZ_LIMIT_EDGE_QUEUE) {
		/* Never a lost invalidation: everything instead. */
		p->all = true;
		p->nkeys = 0;
		return;
	}
	memcpy(p->queue[p->nkeys++], tok, strlen(tok) + 1);
}

/* Moves the queue into the batch; mu is held. */
static void
purge_take_locked(struct edge_purge *p)
{
	size_t i;

	p->batch_all = p->all;
	p->nbatch = p->nkeys;
	for (i = 0; i < p->nkeys; i++)
		memcpy(p->batch[i], p->queue[i], strlen(p->queue[i]) + 1);
	p->all = false;
	p->nkeys = 0;
}

static size_t
purge_discard(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * n;
}

/* Sends u one PURGE of the space-separated keys in list. Returns true on
 * a 2xx answer. */
static bool
purge_send(struct edge_purge *p, struct edge_url *u, const char *list)
{
	/* "xkey-purge: " and the list, and its NUL. */
	char sk[GZ_LIMIT_EDGE_HEADER_BYTES + 32], xk[GZ_LIMIT_EDGE_HEADER_BYTES + 32];
	char why[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL, *t;
	long status = 0;
	CURLcode rc;
	bool ok;
	int n1, n2;

	n1 = snprintf(sk, sizeof(sk), "Surrogate-Key: %s", list);
	n2 = snprintf(xk, sizeof(xk), "xkey-purge: %s", list);
	if (n1 < 0 || (size_t)n1 >= sizeof(sk) || n2 < 0 ||
	    (size_t)n2 >= sizeof(xk))
		return false; /* cannot happen: lists are capped below */
	if (!(t = curl_slist_append(h, sk)) || !(h = t) ||
	    !(t = curl_slist_append(h, xk)) || !(h = t)) {
		curl_slist_free_all(h);
		rc = CURLE_OUT_OF_MEMORY;
		goto out;
	}
	curl_easy_setopt(p->curl, CURLOPT_URL, u->url);
	curl_easy_setopt(p->curl, CURLOPT_CUSTOMREQUEST, "PURGE");
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)GZ_LIMIT_EDGE_CONNECT_MS);
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS,
			 (long)GZ_LIMIT_EDGE_TOTAL_MS);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, purge_discard);
	curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, why);
	curl_easy_setopt(p->curl, CURLOPT_USERAGENT, "gazette/" GZ_VERSION);
	rc = curl_easy_perform(p->curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &status);
	/* The handle forgets h and why (the connection stays open for the
	 * next purge). */
	curl_easy_reset(p->curl);
	curl_slist_free_all(h);
out:
	ok = rc == CURLE_OK && status >= 200 && status < 300;
	metrics_edge_purge(!ok);
	if (!ok && !u->failing) {
		if (rc != CURLE_OK)
			log_error("edge: PURGE %s failed: %s; further failures "
				  "there are not logged until one succeeds",
				  u->shown, why[0] ? why : curl_easy_strerror(rc));
		else
			log_error("edge: PURGE %s answered %ld; further failures "
				  "there are not logged until one succeeds",
				  u->shown, status);
	} else if (ok && u->failing) {
		log_info("edge: PURGE %s succeeds again", u->shown);
	}
	u->failing = !ok;
	return ok;
}

/* Sends u the batch: "all" when asked or owed, else the keys, as many
 * per request as fit GZ_LIMIT_EDGE_HEADER_BYTES. */
static void
purge_url(struct edge_purge *p, struct edge_url *u)
{
	char list[GZ_LIMIT_EDGE_HEADER_BYTES];
	size_t i, len = 0, n;

	if (p->batch_all || u->owe_all) {
		u->owe_all = !purge_send(p, u, EDGE_KEY_ALL);
		return;
	}
	for (i = 0; i < p->nbatch; i++) {
		n = strlen(p->batch[i]);
		if (len && len + 1 + n >= sizeof(list)) {
			if (!purge_send(p, u, list)) {
				u->owe_all = true;
				return;
			}
			len = 0;
		}
		if (len)
			list[len++] = ' ';
		memcpy(list + len, p->batch[i], n + 1);
		len += n;
	}
	if (len && !purge_send(p, u, list))
		u->owe_all = true;
}

static void *
purge_main(void *arg)
{
	struct edge_purge *p = arg;
	size_t i;
	bool stop;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stopping && !p->all && p->nkeys == 0)
			pthread_cond_wait(&p->cv, &p->mu);
		stop = p->stopping;
		purge_take_locked(p);
		pthread_mutex_unlock(&p->mu);
		if (p->batch_all || p->nbatch)
			for (i = 0; i < p->nurls; i++)
				purge_url(p, &p->urls[i]);
		if (stop)
			return NULL; /* what was queued before the stop is sent */
	}
}

/* Writes url into u->shown with its userinfo (up to the last '@' before
 * the path) as "***": never a password in the log. The result is never
 * longer than url, which fits. */
static void
purge_url_shown(struct edge_url *u)
{
	const char *url = u->url, *host = strstr(url, "://"), *q, *at = NULL;
	size_t len = strlen(url), n;

	if (host) {
		host += 3;
		for (q = host; *q && !strchr("/?#", *q); q++)
			if (*q == '@')
				at = q;
	}
	if (!at || (size_t)(at - host) < 3) {
		memcpy(u->shown, url, len + 1);
		return;
	}
	/* scheme:// and "***" and @host...: shorter than url, since the
	 * userinfo had three bytes at least. */
	n = (size_t)(host - url);
	memcpy(u->shown, url, n);
	memcpy(u->shown + n, "***", 3);
	memcpy(u->shown + n + 3, at, len - (size_t)(at - url) + 1);
}

/* Splits urls (comma-separated, items trimmed of spaces and tabs, empty
 * ones skipped) into p->urls. */
static int
purge_urls_parse(struct edge_purge *p, const char *urls)
{
	const char *s = urls, *end, *a, *b;

	for (;;) {
		if (!(end = strchr(s, ',')))
			end = s + strlen(s);
		for (a = s; a < end && (*a == ' ' || *a == '\t'); a++)
			;
		for (b = end; b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		if (b > a) {
			if (p->nurls == GZ_LIMIT_EDGE_URLS ||
			    (size_t)(b - a) > GZ_LIMIT_EDGE_URL_BYTES)
				return GZ_EINVAL;
			memcpy(p->urls[p->nurls].url, a, (size_t)(b - a));
			p->urls[p->nurls].url[b - a] = '\0';
			purge_url_shown(&p->urls[p->nurls++]);
		}
		if (!*end)
			return GZ_OK;
		s = end + 1;
	}
}

int
edge_purge_new(const char *urls, struct edge_purge **out)
{
	struct edge_purge *p;
	int rc;

	*out = NULL;
	if (!(p = calloc(1, sizeof(*p))))
		return GZ_ENOMEM;
	if ((rc = purge_urls_parse(p, urls ? urls : "")) != GZ_OK ||
	    p->nurls == 0) {
		free(p);
		return rc;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(p);
		return GZ_EIO;
	}
	if (!(p->curl = curl_easy_init()) ||
	    pthread_mutex_init(&p->mu, NULL) != 0) {
		curl_easy_cleanup(p->curl);
		curl_global_cleanup();
		free(p);
		return GZ_EIO;
	}
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		curl_easy_cleanup(p->curl);
		curl_global_cleanup();
		free(p);
		return GZ_EIO;
	}
	if (pthread_create(&p->thread, NULL, purge_main, p) != 0) {
		edge_purge_free(p);
		return GZ_EIO;
	}
	p->started = true;
	*out = p;
	return GZ_OK;
}

void
edge_purge_free(struct edge_purge *p)
{
	if (!p)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->mu);
		p->stopping = true;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	curl_easy_cleanup(p->curl);
	curl_global_cleanup();
	free(p);
}

void
edge_purge_keys(struct edge_purge *p, const char *const *keys, size_t n)
{
	size_t i;

	if (!p || !n)
		return;
	pthread_mutex_lock(&p->mu);
	for (i = 0; i < n; i++)
		purge_queue_locked(p, keys[i]);
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
edge_purge_all(struct edge_purge *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->all = true;
	p->nkeys = 0;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}
