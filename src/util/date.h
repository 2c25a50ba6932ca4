/*
 * date.h - the newsroom's date formats, in the site's time zone.
 *
 * Times are stored as seconds since the epoch, UTC. They are shown as
 * "May 18, 2021 - 18:31" in the site's IANA time zone, and written into
 * markup as ISO 8601 with the offset in force at that instant
 * ("2021-05-18T18:31:00+04:30"), so DST changes are honoured.
 *
 * The site time zone is process-wide (the TZ environment variable, read by
 * localtime_r and mktime): date_timezone_set is called once at start-up,
 * before any thread starts, and never again while serving.
 */
#ifndef GZ_UTIL_DATE_H
#define GZ_UTIL_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Enough for either format, NUL included. */
#define DATE_MAX 40

/* Makes iana ("Asia/Tehran", "UTC") the process's time zone. Returns
 * GZ_OK, or GZ_EINVAL when the name is malformed or not in the system's
 * zone database. */
int date_timezone_set(const char *iana);
/* The same check without setting anything, for a zone that takes effect
 * at the next start (the admin's settings page, while serving). Returns
 * GZ_OK or GZ_EINVAL. */
int date_timezone_check(const char *iana);

/* Formats utc as "May 18, 2021 - 18:31" in the site zone into out. */
void date_format_human(int64_t utc, char out[DATE_MAX]);
/* Formats utc as "2021-05-18T18:31:00+04:30" (or "...Z" offset "+00:00")
 * in the site zone into out. */
void date_format_iso(int64_t utc, char out[DATE_MAX]);
/* Formats utc's day in the site zone as "Wednesday, December 2, 2026"
 * into human and "2026-12-02" into iso (the masthead's date). */
void date_format_day(int64_t utc, char human[DATE_MAX], char iso[DATE_MAX]);
/* "January" for 1 ... "December" for 12; NULL for any other month. */
const char *date_month_name(int month);
/* Formats utc as "Tue, 18 May 2021 18:31:00 +0430" in the site zone
 * (RFC 5322 3.3, as RSS 2.0 wants) into out. */
void date_format_rfc5322(int64_t utc, char out[DATE_MAX]);

/* Parses "May 18, 2021 - 18:31" (full or three-letter month names, day
 * without or with leading zero, 24-hour time; surrounding spaces ignored)
 * as a wall-clock time in the site zone. Returns GZ_OK and sets *utc, or
 * GZ_EINVAL. */
int date_parse_human(const char *s, size_t len, int64_t *utc);
/* Parses the ISO-like forms used in front matter: "2021-05-18",
 * "2021-05-18 18:31", "2021-05-18T18:31", "2021-05-18T18:31:00" (site
 * zone), and any of those followed by "Z" or "+04:30" (explicit offset).
 * Also accepts the human form above. Returns GZ_OK or GZ_EINVAL. */
int date_parse_any(const char *s, size_t len, int64_t *utc);
/* Parses what an HTML form's date and time inputs send, "2021-05-18"
 * and "18:31" (or "18:31:05"), as a wall-clock time in the site zone,
 * strictly: a time the zone skips or shows twice is refused, not moved.
 * Returns GZ_OK and sets *utc; GZ_EINVAL (malformed, or no such day);
 * GZ_ENOTFOUND (the clocks jump over it that day); GZ_EEXIST (the clocks
 * go back over it: it happens twice). */
int date_parse_form(const char *day, const char *time, int64_t *utc);

#endif
