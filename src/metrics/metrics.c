/*
 * metrics.c - the counters behind /metrics (see metrics.h).
 *
 * Every counter is a C11 atomic added to with memory_order_relaxed: the
 * numbers need no order among themselves, only no lost updates. A
 * histogram keeps one count per bucket (not cumulative) and the sum of
 * its observations in microseconds; rendering reads each bucket once,
 * adds them up into the cumulative _bucket lines, and prints the total
 * as _count, so _count and the +Inf bucket always agree.
 *
 * Invariants: no locks, no allocation; nothing here knows HTTP, SQLite
 * or comments beyond the names of their labels.
 */
#include "metrics/metrics.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/err.h"

typedef _Atomic uint64_t counter;

#define ADD(c, n) atomic_fetch_add_explicit(&(c), (n), memory_order_relaxed)
#define GET(c) atomic_load_explicit(&(c), memory_order_relaxed)

/* A histogram over microseconds. le[] are the upper bounds as printed,
 * us[] the same in microseconds, ascending; counts has one more slot,
 * for +Inf. */
#define HIST_MAX_BUCKETS 20

struct hist_bounds {
	const char *name;
	const char *help;
	size_t n;
	const char *le[HIST_MAX_BUCKETS];
	uint64_t us[HIST_MAX_BUCKETS];
};

struct hist {
	counter counts[HIST_MAX_BUCKETS + 1];
	counter sum_us;
};

/* From a cache hit (tens of microseconds) to a comment waiting for its
 * commit behind a slow disk (seconds). */
static const struct hist_bounds http_bounds = {
	"gazette_http_request_duration_seconds",
	"Time from a request's first line to its response's last byte.",
	17,
	{"5e-05", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005",
	 "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"},
	{50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	 250000, 500000, 1000000, 2500000, 5000000, 10000000},
};

/* A group commit: one WAL sync at synchronous=full (a millisecond or
 * two on an SSD) up to a batch stuck behind an import's lock. */
static const struct hist_bounds db_bounds = {
	"gazette_db_write_duration_seconds",
	"Time of one write transaction of the comment writer, begin to "
	"commit (group commit).",
	14,
	{"0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01",
	 "0.025", "0.05", "0.1", "0.25", "0.5", "1", "5"},
	{100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	 250000, 500000, 1000000, 5000000},
};

/* Statuses 100 to 599, by status - 100. */
#define STATUS_MIN 100
#define STATUS_MAX 599

static struct {
	counter status[STATUS_MAX - STATUS_MIN + 1];
	counter unanswered;
	counter bytes;
	counter cache[3];
	struct hist http;
	counter comments[METRICS_COMMENT_OUTCOMES];
	struct hist db;
	counter db_failed;
	counter edge_purges[2]; /* ok, failed */
} m;

static const char *const comment_names[METRICS_COMMENT_OUTCOMES] = {
	[METRICS_COMMENT_PUBLISHED] = "published",
	[METRICS_COMMENT_HELD] = "held",
	[METRICS_COMMENT_REJECTED] = "rejected",
	[METRICS_COMMENT_SPAM] = "spam",
	[METRICS_COMMENT_TOO_FAST] = "too_fast",
	[METRICS_COMMENT_EXPIRED] = "expired",
	[METRICS_COMMENT_WRONG_ANSWER] = "wrong_answer",
	[METRICS_COMMENT_INVALID] = "invalid",
	[METRICS_COMMENT_RATE_LIMITED] = "rate_limited",
	[METRICS_COMMENT_DUPLICATE] = "duplicate",
	[METRICS_COMMENT_CLOSED] = "closed",
	[METRICS_COMMENT_FORBIDDEN] = "forbidden",
	[METRICS_COMMENT_ERROR] = "error",
};

/* When counting started (metrics_init), as a Unix time. */
static _Atomic int64_t start_time;

void
metrics_init(void)
{
	int64_t zero = 0;

	if (GET(start_time) == 0)
		atomic_compare_exchange_strong(&start_time, &zero,
					       (int64_t)time(NULL));
}

/* The bucket an observation of us microseconds falls in (b->n: +Inf). */
static size_t
hist_bucket(const struct hist_bounds *b, uint64_t us)
{
	size_t lo = 0, hi = b->n;

	/* The first bound >= us: "le" is less than or equal. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->us[mid] < us)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
hist_observe(struct hist *h, const struct hist_bounds *b, uint64_t us)
{
	ADD(h->counts[hist_bucket(b, us)], 1);
	ADD(h->sum_us, us);
}

void
metrics_http_request(int status, uint64_t bytes, uint64_t usec,
		     enum metrics_cache cache)
{
	if (status >= STATUS_MIN && status <= STATUS_MAX)
		ADD(m.status[status - STATUS_MIN], 1);
	else
		ADD(m.unanswered, 1);
	ADD(m.bytes, bytes);
	if (cache == METRICS_CACHE_HIT || cache == METRICS_CACHE_MISS)
		ADD(m.cache[cache], 1);
	hist_observe(&m.http, &http_bounds, usec);
}

void
metrics_comment(enum metrics_comment_outcome outcome)
{
	if ((unsigned)outcome < METRICS_COMMENT_OUTCOMES)
		ADD(m.comments[outcome], 1);
}

void
metrics_edge_purge(int failed)
{
	ADD(m.edge_purges[failed ? 1 : 0], 1);
}

void
metrics_db_write(uint64_t usec, int failed)
{
	hist_observe(&m.db, &db_bounds, usec);
	if (failed)
		ADD(m.db_failed, 1);
}

const char *
metrics_comment_name(enum metrics_comment_outcome outcome)
{
	return (unsigned)outcome < METRICS_COMMENT_OUTCOMES
		? comment_names[outcome] : "unknown";
}

/* ---- rendering ------------------------------------------------------------ */

/* Appends s as a label value: backslash, double quote and line feed
 * escaped as the text format requires. */
static void
metrics_label_put(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(out, "\\\\");
		else if (*s == '"')
			buf_puts(out, "\\\"");
		else if (*s == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *s);
	}
}

/* Appends microseconds as seconds, exactly ("0.000153"). */
static void
metrics_seconds_put(struct buf *out, uint64_t us)
{
	buf_printf(out, "%" PRIu64 ".%06" PRIu64, us / 1000000, us % 1000000);
}

static void
metrics_head(struct buf *out, const char *name, const char *type,
	     const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
hist_render(struct buf *out, struct hist *h, const struct hist_bounds *b)
{
	uint64_t cum = 0;
	size_t i;

	metrics_head(out, b->name, "histogram", b->help);
	for (i = 0; i <= b->n; i++) {
		cum += GET(h->counts[i]);
		buf_printf(out, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", b->name,
			   i < b->n ? b->le[i] : "+Inf", cum);
	}
	buf_printf(out, "%s_sum ", b->name);
	metrics_seconds_put(out, GET(h->sum_us));
	buf_printf(out, "\n%s_count %" PRIu64 "\n", b->name, cum);
}

int
metrics_render(struct buf *out)
{
	static const char *const cache_names[] = {"", "hit", "miss"};
	uint64_t v;
	size_t i;

	metrics_init();
	metrics_head(out, "gazette_build_info", "gauge",
		     "Always 1; the version of the running gazette.");
	buf_puts(out, "gazette_build_info{version=\"");
	metrics_label_put(out, GZ_VERSION);
	buf_puts(out, "\"} 1\n");
	metrics_head(out, "gazette_process_start_time_seconds", "gauge",
		     "When the process started serving, as a Unix time.");
	buf_printf(out, "gazette_process_start_time_seconds %lld\n",
		   (long long)GET(start_time));

	metrics_head(out, "gazette_http_requests_total", "counter",
		     "Requests answered, by status code.");
	/* 200 always, so the series exists from the start. */
	for (i = 0; i <= STATUS_MAX - STATUS_MIN; i++) {
		v = GET(m.status[i]);
		if (v || i + STATUS_MIN == 200)
			buf_printf(out, "gazette_http_requests_total{code=\"%zu\"} "
				   "%" PRIu64 "\n", i + STATUS_MIN, v);
	}
	metrics_head(out, "gazette_http_requests_unanswered_total", "counter",
		     "Requests that ended with no response from gazette: the "
		     "client went away or timed out, or libmicrohttpd refused "
		     "the request itself.");
	buf_printf(out, "gazette_http_requests_unanswered_total %" PRIu64 "\n",
		   GET(m.unanswered));
	metrics_head(out, "gazette_http_response_bytes_total", "counter",
		     "Response body bytes queued (a HEAD's and a 304's count 0).");
	buf_printf(out, "gazette_http_response_bytes_total %" PRIu64 "\n",
		   GET(m.bytes));
	hist_render(out, &m.http, &http_bounds);

	metrics_head(out, "gazette_cache_requests_total", "counter",
		     "Page-cache lookups of GET and HEAD requests, by result.");
	for (i = METRICS_CACHE_HIT; i <= METRICS_CACHE_MISS; i++)
		buf_printf(out, "gazette_cache_requests_total{result=\"%s\"} "
			   "%" PRIu64 "\n", cache_names[i], GET(m.cache[i]));

	metrics_head(out, "gazette_comments_total", "counter",
		     "Comment submissions, by outcome.");
	for (i = 0; i < METRICS_COMMENT_OUTCOMES; i++)
		buf_printf(out, "gazette_comments_total{outcome=\"%s\"} "
			   "%" PRIu64 "\n", comment_names[i], GET(m.comments[i]));

	hist_render(out, &m.db, &db_bounds);
	metrics_head(out, "gazette_db_write_failures_total", "counter",
		     "Write transactions of the comment writer whose commit "
		     "failed.");
	buf_printf(out, "gazette_db_write_failures_total %" PRIu64 "\n",
		   GET(m.db_failed));
	metrics_head(out, "gazette_edge_purges_total", "counter",
		     "PURGE requests sent to [edge] purge URLs, by result.");
	buf_printf(out, "gazette_edge_purges_total{result=\"ok\"} %" PRIu64
		   "\n", GET(m.edge_purges[0]));
	buf_printf(out, "gazette_edge_purges_total{result=\"failed\"} %" PRIu64
		   "\n", GET(m.edge_purges[1]));
	return out->err;
}
