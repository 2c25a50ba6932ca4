/*
 * log.h - one line per event on stderr: "2026-11-25T07:10:00Z level msg".
 * Safe from any thread (each line is one write).
 */
#ifndef GZ_UTIL_LOG_H
#define GZ_UTIL_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
