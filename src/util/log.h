/*
 * log.h - the error log and the access log.
 *
 * The error log is one line per event on stderr,
 * "2026-11-25T07:10:00Z level msg", each line one write, safe from any
 * thread. Messages say what failed and where: the request path, the
 * article id, the SQLite message.
 *
 * The access log is one line per finished request,
 * "2026-11-25T07:10:00.123Z access PEER \"METHOD TARGET\" STATUS BYTES
 * SECONDS CACHE", written by http/ when libmicrohttpd is done with the
 * request (docs/operations.md). Lines are gathered in a buffer per
 * thread and written whole, when a buffer is nearly full and whenever
 * log_access_flush runs (the serve loop calls it every second), so a
 * request costs no system call. Writes to the destination are
 * serialised with the error log's, so lines never interleave.
 */
#ifndef GZ_UTIL_LOG_H
#define GZ_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Sends the access log to dest: "-" (stderr), "off" (nowhere), or a file
 * path, opened for appending (created 0640). Call before serving, and
 * not while another thread logs. Returns GZ_OK, or GZ_EIO with the
 * reason in err. */
int log_access_open(const char *dest, char *err, size_t errlen);
/* True when access lines go somewhere: callers may skip building them. */
bool log_access_enabled(void);
/* One finished request, for log_access_request. Strings are raw (they
 * are escaped here, see log_escape) and NUL-terminated; target may be
 * NULL ("-"). */
struct log_access_rec {
	const char *peer;
	const char *method;
	const char *target;
	int status;       /* 0: none was sent ("-") */
	uint64_t bytes;
	uint64_t usec;
	const char *cache; /* "hit", "miss" or "-" */
};

/* Appends the request's access line to the calling thread's buffer: the
 * time, "access", then r's fields, escaped; the target is cut at
 * GZ_LIMIT_LOG_TARGET_BYTES. Any thread. */
void log_access_request(const struct log_access_rec *r);
/* Writes out every thread's gathered lines. Any thread. */
void log_access_flush(void);
/* Opens the access log's file again (after logrotate moved it; SIGHUP):
 * lines gathered so far go to the old file first. Nothing to do for
 * stderr or off. Returns GZ_OK or GZ_EIO (the old file is kept). */
int log_access_reopen(void);
/* Flushes and closes the access log; later lines go nowhere until the
 * next log_access_open. */
void log_access_close(void);

/* Copies in[0..inlen) to out (cap bytes, cap >= 8), NUL-terminated, so
 * that it cannot break a log line or forge a field: bytes outside
 * printable ASCII, the space, '"' and '\\' become "\xHH". Input that does
 * not fit ends in "...". Returns the length written. */
size_t log_escape(char *out, size_t cap, const char *in, size_t inlen);

#endif
