/*
 * metrics.h - process-wide counters for /metrics, in the Prometheus text
 * exposition format 0.0.4 (docs/operations.md lists every metric).
 *
 * Data flow: http/ counts every finished request (status, bytes,
 * duration, cache hit or miss), site/ every comment submission's
 * outcome, store/ every group commit's latency; the /metrics handler
 * (site/health.c) renders them all.
 *
 * Invariants: a leaf module (it includes only util/); counting is a few
 * relaxed atomic additions, never a lock, from any thread; rendering
 * reads each counter once, so a histogram's _count always equals its
 * +Inf bucket even while requests are counted meanwhile.
 */
#ifndef GZ_METRICS_H
#define GZ_METRICS_H

#include <stdint.h>

struct buf;

/* What the page cache did for a request. */
enum metrics_cache {
	METRICS_CACHE_NONE, /* not looked up: a POST, an uncacheable URL */
	METRICS_CACHE_HIT,
	METRICS_CACHE_MISS,
};

/* What became of one comment submission (POST /news/{id}/comments). */
enum metrics_comment_outcome {
	METRICS_COMMENT_PUBLISHED,    /* stored as approved */
	METRICS_COMMENT_HELD,         /* stored, waiting for a moderator */
	METRICS_COMMENT_REJECTED,     /* block-list word: stored as rejected */
	METRICS_COMMENT_SPAM,         /* honeypot or clock trap: dropped */
	METRICS_COMMENT_TOO_FAST,     /* sent before min_fill_seconds */
	METRICS_COMMENT_EXPIRED,      /* token forged, expired or elsewhere */
	METRICS_COMMENT_WRONG_ANSWER, /* CAPTCHA empty, not a number, wrong */
	METRICS_COMMENT_INVALID,      /* name, email or body to fix */
	METRICS_COMMENT_RATE_LIMITED, /* 429 */
	METRICS_COMMENT_DUPLICATE,    /* token already spent at commit */
	METRICS_COMMENT_CLOSED,       /* comments closed on the article */
	METRICS_COMMENT_FORBIDDEN,    /* cross-site POST */
	METRICS_COMMENT_ERROR,        /* database or other server error */
	METRICS_COMMENT_OUTCOMES      /* how many there are */
};

/* Marks the process's start for gazette_process_start_time_seconds;
 * later calls do nothing. Call before serving. */
void metrics_init(void);

/* Counts one finished request: status (0: gazette queued no response,
 * e.g. the client went away first), body bytes queued, microseconds
 * from its request line to its completion, and the cache's part. */
void metrics_http_request(int status, uint64_t bytes, uint64_t usec,
			  enum metrics_cache cache);
/* Counts one comment submission's outcome. */
void metrics_comment(enum metrics_comment_outcome outcome);
/* Counts one write transaction of the group-commit writer, begin to
 * commit, in microseconds; failed says the commit did not succeed. */
void metrics_db_write(uint64_t usec, int failed);

/* Counts one purge request sent to an edge (edge/purge.c): failed says
 * it did not get a 2xx answer in time. */
void metrics_edge_purge(int failed);

/* The label value of an outcome ("published"); static. */
const char *metrics_comment_name(enum metrics_comment_outcome outcome);

/* Appends every metric to out in the text format 0.0.4. Returns GZ_OK or
 * out's error (GZ_ETOOBIG, GZ_ENOMEM). */
int metrics_render(struct buf *out);

#endif
