/*
 * log.c - the error log on stderr and the buffered access log (see
 * log.h).
 *
 * The access log: every thread that logs gets a buffer of its own
 * (struct tbuf), registered once in a global list. A line is formatted
 * into the thread's buffer under the buffer's own mutex, which only
 * log_access_flush ever contends for (once a second), so a request costs
 * an uncontended lock and a few hundred bytes of formatting; the buffer
 * is written out when the next line might not fit. Every write(2) to a
 * log destination happens under out_lock, so a large flush and an error
 * line on a shared stderr never interleave.
 *
 * Invariants: a buffer holds whole lines only; buffers are never freed
 * (they stay reachable from the list, at most one per thread that ever
 * logged), so a late line from a thread that outlives
 * log_access_close finds memory, and goes nowhere.
 */
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/limits.h"

/* Each thread's access-log buffer: a few hundred lines, one write(2). */
#define LOG_TBUF_BYTES (32u * 1024u)
/* Escaped peer and method fields, NUL included (a peer's address is at
 * most 63 bytes, a method 15; escaping may quadruple them). */
#define LOG_PEER_MAX 256u
#define LOG_METHOD_MAX 64u

struct tbuf {
	pthread_mutex_t lock;
	size_t len;
	struct tbuf *next; /* in the global list; set once */
	/* The last second formatted, and its text "YYYY-MM-DDTHH:MM:SS". */
	time_t sec;
	char stamp[24];
	char data[LOG_TBUF_BYTES];
};

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tbuf *tbufs;
static _Thread_local struct tbuf *mine;

/* The access log's descriptor: -1 off, STDERR_FILENO, or a file's. Read
 * without a lock on the hot path; changed under out_lock. */
static _Atomic int access_fd = -1;
static char *access_path; /* the file's path, for reopening */

/* Writes all of p[0..n) to fd, as far as it goes (a full disk or a
 * closed pipe loses the lines: there is nowhere to say so). Holds
 * out_lock. */
static void
log_write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

/* Copies in[0..inlen) to out (at most cap bytes, no NUL) with every
 * control byte and DEL as "\xHH", as far as it fits without splitting
 * an escape. Returns the bytes written. */
static size_t
log_uncontrol(char *out, size_t cap, const char *in, size_t inlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0;

	for (i = 0; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x20 && c != 0x7f) {
			if (n + 1 > cap)
				break;
			out[n++] = (char)c;
		} else {
			if (n + 4 > cap)
				break;
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	return n;
}

static void
log_line(const char *level, const char *fmt, va_list ap)
{
	char msg[2048], line[2048];
	struct tm tm;
	time_t now = time(NULL);
	size_t n, m;
	int k;

	gmtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	k = snprintf(line + n, sizeof(line) - n, "%s ", level);
	if (k > 0)
		n += (size_t)k;
	k = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (k < 0)
		k = 0;
	m = (size_t)k < sizeof(msg) ? (size_t)k : sizeof(msg) - 1;
	while (m && msg[m - 1] == '\n')
		m--; /* a library's message that ends its own line */
	/* Messages carry readers' bytes (a decoded path, a header, a
	 * form field): a control byte is written as \xHH, as in the
	 * access log, so that none can end the line and forge the next
	 * or move a terminal's cursor. Cut if need be: still one line. */
	n += log_uncontrol(line + n, sizeof(line) - n - 1, msg, m);
	line[n++] = '\n';
	pthread_mutex_lock(&out_lock);
	log_write_all(STDERR_FILENO, line, n);
	pthread_mutex_unlock(&out_lock);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}

/* ---- the access log -------------------------------------------------------- */

_Static_assert(LOG_TBUF_BYTES >= 2 * GZ_LIMIT_LOG_LINE_BYTES,
	       "a thread's buffer holds a few lines");
/* Time and "access" 32, peer, method, target, quotes and spaces 8,
 * status 3, bytes and seconds 20 + 21, cache 7, line feed 1. */
_Static_assert(32 + LOG_PEER_MAX + LOG_METHOD_MAX +
		       GZ_LIMIT_LOG_TARGET_BYTES + 8 + 3 + 41 + 7 + 1 <=
		       GZ_LIMIT_LOG_LINE_BYTES,
	       "an access line fits GZ_LIMIT_LOG_LINE_BYTES");

/* A byte that stands for itself in a log field. */
static bool
log_plain(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\';
}

size_t
log_escape(char *out, size_t cap, const char *in, size_t inlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, n = 0, total = 0, reserve;

	if (cap == 0)
		return 0;
	for (i = 0; i < inlen; i++)
		total += log_plain((unsigned char)in[i]) ? 1 : 4;
	/* All of it, or as much as leaves room for "..." and the NUL. */
	reserve = total + 1 <= cap ? 1 : 4;
	for (i = 0; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];

		if (log_plain(c)) {
			if (n + 1 + reserve > cap)
				break;
			out[n++] = (char)c;
		} else {
			if (n + 4 + reserve > cap)
				break;
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (i < inlen && n + 4 <= cap) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return n;
}

/* Writes b's lines out and empties it. Holds b->lock. */
static void
tbuf_flush(struct tbuf *b)
{
	int fd;

	if (!b->len)
		return;
	pthread_mutex_lock(&out_lock);
	if ((fd = atomic_load(&access_fd)) >= 0)
		log_write_all(fd, b->data, b->len);
	pthread_mutex_unlock(&out_lock);
	b->len = 0;
}

/* The calling thread's buffer, made and registered on first use; NULL
 * when out of memory (the line is lost). */
static struct tbuf *
tbuf_mine(void)
{
	struct tbuf *b;

	if (mine)
		return mine;
	if (!(b = calloc(1, sizeof(*b))))
		return NULL;
	pthread_mutex_init(&b->lock, NULL);
	b->sec = (time_t)-1;
	pthread_mutex_lock(&list_lock);
	b->next = tbufs;
	tbufs = b;
	pthread_mutex_unlock(&list_lock);
	return mine = b;
}

bool
log_access_enabled(void)
{
	return atomic_load_explicit(&access_fd, memory_order_relaxed) >= 0;
}

/* Writes v in decimal at p. Returns the digits written. */
static size_t
log_put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* Appends an escaped string field of at most cap bytes (NUL included)
 * at p. Returns its length. */
static size_t
log_put_field(char *p, size_t cap, const char *s)
{
	if (!s || !*s) {
		*p = '-';
		return 1;
	}
	return log_escape(p, cap, s, strlen(s));
}

void
log_access_request(const struct log_access_rec *r)
{
	struct tbuf *b;
	struct timespec ts;
	struct tm tm;
	unsigned ms;
	char *p, *start;

	if (!log_access_enabled() || !(b = tbuf_mine()))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&b->lock);
	if (LOG_TBUF_BYTES - b->len < GZ_LIMIT_LOG_LINE_BYTES)
		tbuf_flush(b);
	if (ts.tv_sec != b->sec) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(b->stamp, sizeof(b->stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		b->sec = ts.tv_sec;
	}
	/* Formatted by hand: printf's cost showed in the benchmark
	 * (docs/operations.md). The fields' caps keep the line within
	 * GZ_LIMIT_LOG_LINE_BYTES. */
	start = p = b->data + b->len;
	memcpy(p, b->stamp, 19);
	p += 19;
	ms = (unsigned)(ts.tv_nsec / 1000000);
	*p++ = '.';
	*p++ = (char)('0' + ms / 100);
	*p++ = (char)('0' + ms / 10 % 10);
	*p++ = (char)('0' + ms % 10);
	memcpy(p, "Z access ", 9);
	p += 9;
	p += log_put_field(p, LOG_PEER_MAX, r->peer);
	*p++ = ' ';
	*p++ = '"';
	p += log_put_field(p, LOG_METHOD_MAX, r->method);
	*p++ = ' ';
	p += log_put_field(p, GZ_LIMIT_LOG_TARGET_BYTES, r->target);
	*p++ = '"';
	*p++ = ' ';
	if (r->status > 0 && r->status < 1000)
		p += log_put_u64(p, (uint64_t)r->status);
	else
		*p++ = '-';
	*p++ = ' ';
	p += log_put_u64(p, r->bytes);
	*p++ = ' ';
	p += log_put_u64(p, r->usec / 1000000u);
	*p++ = '.';
	{
		uint64_t frac = r->usec % 1000000u, div = 100000u;

		for (; div; div /= 10)
			*p++ = (char)('0' + frac / div % 10);
	}
	*p++ = ' ';
	p += log_put_field(p, 8, r->cache);
	*p++ = '\n';
	b->len += (size_t)(p - start);
	pthread_mutex_unlock(&b->lock);
}

void
log_access_flush(void)
{
	struct tbuf *b;

	pthread_mutex_lock(&list_lock);
	for (b = tbufs; b; b = b->next) {
		pthread_mutex_lock(&b->lock);
		tbuf_flush(b);
		pthread_mutex_unlock(&b->lock);
	}
	pthread_mutex_unlock(&list_lock);
}

/* Opens path for appending. Returns the descriptor or -1 (errno). */
static int
log_file_open(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int
log_access_open(const char *dest, char *err, size_t errlen)
{
	int fd;

	log_access_close();
	if (strcmp(dest, "off") == 0)
		return GZ_OK;
	if (strcmp(dest, "-") == 0) {
		atomic_store(&access_fd, STDERR_FILENO);
		return GZ_OK;
	}
	if ((fd = log_file_open(dest)) < 0) {
		snprintf(err, errlen, "access log %s: %s", dest, strerror(errno));
		return GZ_EIO;
	}
	if (!(access_path = strdup(dest))) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return GZ_EIO;
	}
	atomic_store(&access_fd, fd);
	return GZ_OK;
}

int
log_access_reopen(void)
{
	int fd, old;

	if (!access_path)
		return GZ_OK;
	if ((fd = log_file_open(access_path)) < 0) {
		log_error("access log %s: cannot open it again (%s); still "
			  "writing to the old file",
			  access_path, strerror(errno));
		return GZ_EIO;
	}
	log_access_flush();
	pthread_mutex_lock(&out_lock);
	old = atomic_exchange(&access_fd, fd);
	pthread_mutex_unlock(&out_lock);
	if (old > STDERR_FILENO)
		close(old);
	return GZ_OK;
}

void
log_access_close(void)
{
	int old;

	log_access_flush();
	pthread_mutex_lock(&out_lock);
	old = atomic_exchange(&access_fd, -1);
	pthread_mutex_unlock(&out_lock);
	if (old > STDERR_FILENO)
		close(old);
	free(access_path);
	access_path = NULL;
}
