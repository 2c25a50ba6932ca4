/*
 * date.c - the newsroom's date formats, in the site's time zone (date.h).
 *
 * Data flow: import/ and the admin forms parse dates people wrote
 * (date_parse_human, date_parse_any) into seconds since the epoch, UTC;
 * the store keeps those; render/ and the feeds format them back
 * (date_format_human, date_format_iso) for the reader.
 *
 * Invariants:
 * - The site zone is the TZ environment variable, set once by
 *   date_timezone_set before threads start; every conversion between
 *   wall-clock time and UTC goes through localtime_r, which is thread-safe.
 * - Wall-clock fields are validated before any conversion (no Feb 30, no
 *   24:00), and calendar arithmetic is done here (date_days_from_civil),
 *   not by mktime or timegm, so no input is silently normalised.
 * - Local wall times are resolved to instants by date_local_resolve, with
 *   one fixed rule for times that do not exist or exist twice (see there),
 *   instead of mktime(tm_isdst = -1), whose answer for an ambiguous time
 *   depends on glibc's memory of earlier calls.
 */
#include "util/date.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/err.h"

#define DATE_ZONEINFO "/usr/share/zoneinfo/"
/* Longest zone name accepted; the longest in tzdata is about 30 bytes. */
#define DATE_ZONE_MAX 128

static const char *const date_months[12] = {
	"January", "February", "March",     "April",   "May",      "June",
	"July",    "August",   "September", "October", "November", "December",
};

/* ---- calendar ------------------------------------------------------------ */

static bool
date_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
date_days_in_month(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	assert(m >= 1 && m <= 12);
	return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). m and d must be valid. */
static int64_t
date_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* A wall-clock reading, validated by date_fields_ok. */
struct date_fields {
	int year, mon, day; /* mon 1-12 */
	int hour, min, sec;
};

static bool
date_fields_ok(const struct date_fields *f)
{
	return f->year >= 1 && f->year <= 9999 && f->mon >= 1 &&
	       f->mon <= 12 && f->day >= 1 &&
	       f->day <= date_days_in_month(f->year, f->mon) &&
	       f->hour >= 0 && f->hour <= 23 && f->min >= 0 && f->min <= 59 &&
	       f->sec >= 0 && f->sec <= 59;
}

/* The fields read as if they were UTC: seconds since the epoch. */
static int64_t
date_fields_seconds(const struct date_fields *f)
{
	return date_days_from_civil(f->year, f->mon, f->day) * 86400 +
	       f->hour * 3600 + f->min * 60 + f->sec;
}

/* ---- the site zone -------------------------------------------------------- */

/* Output: *off gets the site zone's UTC offset, in seconds, at instant t.
 * Returns false when t is beyond what localtime_r can represent. */
static bool
date_offset_at(int64_t t, long *off)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || !localtime_r(&tt, &tm))
		return false;
	*off = tm.tm_gmtoff;
	return true;
}

/*
 * Resolves a wall-clock reading in the site zone, given as seconds "as if
 * UTC" (date_fields_seconds), to the instant it names. Output: *utc.
 *
 * Each UTC offset the zone uses near that time is a candidate; the instant
 * wall - offset is a match when the zone really uses that offset then.
 * - One match: the usual case.
 * - Two matches (clocks set back, e.g. 01:30 on the night New York leaves
 *   DST): the earlier instant, the first time the clock showed it (the
 *   offset in force before the change), as java.time and Python's fold=0 do.
 * - No match (clocks set forward, e.g. 02:30 when New York jumps from
 *   02:00 to 03:00): the later reading, the wall time pushed forward by the
 *   length of the gap (02:30 becomes 03:30 EDT). This is the time a clock
 *   not yet moved would have shown, and what java.time does.
 * Returns false when the time is beyond what localtime_r can represent.
 */
static bool
date_local_resolve_n(int64_t wall, int64_t *utc, int *matches)
{
	/* Offsets are within +-26 hours; the probes straddle any change. */
	static const int64_t probes[] = {-2 * 86400, -14 * 3600, 0,
					 14 * 3600, 2 * 86400};
	long offs[16];
	size_t n = 0, i, j;
	int64_t t, best_match = 0, best_gap = 0;
	bool match = false, gap = false;
	long off, real;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (!date_offset_at(wall + probes[i], &off))
			return false;
		for (j = 0; j < n && offs[j] != off; j++)
			;
		if (j == n)
			offs[n++] = off;
	}
	/* The offset actually in force at each candidate instant joins the
	 * candidates too, so two changes close together are still found. */
	for (i = 0; i < n; i++) {
		t = wall - offs[i];
		if (!date_offset_at(t, &real))
			return false;
		if (real == offs[i]) {
			if (!match || t < best_match)
				best_match = t;
			match = true;
			continue;
		}
		if (!gap || t > best_gap)
			best_gap = t;
		gap = true;
		for (j = 0; j < n && offs[j] != real; j++)
			;
		if (j == n && n < sizeof(offs) / sizeof(offs[0]))
			offs[n++] = real;
	}
	assert(match || gap);
	*utc = match ? best_match : best_gap;
	if (matches) {
		*matches = 0;
		for (i = 0; i < n; i++)
			if (date_offset_at(wall - offs[i], &real) &&
			    real == offs[i])
				(*matches)++;
	}
	return true;
}

static bool
date_local_resolve(int64_t wall, int64_t *utc)
{
	return date_local_resolve_n(wall, utc, NULL);
}

static bool
date_zone_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > DATE_ZONE_MAX || s[0] == '/' || s[n - 1] == '/')
		return false;
	if (strstr(s, "..") || strstr(s, "//"))
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		      c == '-' || c == '+'))
			return false;
	}
	return true;
}

int
date_timezone_check(const char *iana)
{
	char path[sizeof(DATE_ZONEINFO) + DATE_ZONE_MAX], magic[4];
	struct stat st;
	FILE *f = NULL;
	int n, rc = GZ_EINVAL;

	if (!iana || !date_zone_name_ok(iana))
		goto out;
	if (strcmp(iana, "UTC") != 0) {
		n = snprintf(path, sizeof(path), "%s%s", DATE_ZONEINFO, iana);
		if (n < 0 || (size_t)n >= sizeof(path))
			goto out;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			goto out;
		/* A zone is a TZif file; the database also holds text files
		 * ("leapseconds") that glibc would quietly read as UTC. */
		if (!(f = fopen(path, "rb")) ||
		    fread(magic, 1, sizeof(magic), f) != sizeof(magic) ||
		    memcmp(magic, "TZif", sizeof(magic)) != 0)
			goto out;
	}
	rc = GZ_OK;
out:
	if (f)
		fclose(f);
	return rc;
}

int
date_timezone_set(const char *iana)
{
	int rc;

	if ((rc = date_timezone_check(iana)) != GZ_OK)
		return rc;
	if (setenv("TZ", iana, 1) != 0)
		return GZ_ENOMEM;
	tzset();
	return GZ_OK;
}

/* ---- formatting ------------------------------------------------------------ */

void
date_format_human(int64_t utc, char out[DATE_MAX])
{
	time_t t = (time_t)utc;
	struct tm tm;
	int n;

	assert(out);
	out[0] = '\0';
	if ((int64_t)t != utc || !localtime_r(&t, &tm))
		return;
	n = snprintf(out, DATE_MAX, "%s %d, %04d - %02d:%02d",
		     date_months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
		     tm.tm_hour, tm.tm_min);
	if (n < 0 || n >= DATE_MAX)
		out[0] = '\0';
}

void
date_format_iso(int64_t utc, char out[DATE_MAX])
{
	time_t t = (time_t)utc;
	struct tm tm;
	long off, a;
	int n;

	assert(out);
	out[0] = '\0';
	if ((int64_t)t != utc || !localtime_r(&t, &tm))
		return;
	off = tm.tm_gmtoff;
	if (off % 60 != 0) {
		/* Local mean time before 1900 or so had offsets with seconds
		 * (Tehran: +03:25:44), which ISO 8601 cannot write. Write the
		 * offset cut to whole minutes and the clock reading that goes
		 * with it, so the string still names the exact instant. */
		off = off / 60 * 60;
		t = (time_t)(utc + off);
		if (!gmtime_r(&t, &tm))
			return;
	}
	a = off < 0 ? -off : off;
	n = snprintf(out, DATE_MAX, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', a / 3600,
		     a % 3600 / 60);
	if (n < 0 || n >= DATE_MAX)
		out[0] = '\0';
}

/* ---- parsing --------------------------------------------------------------- */

/* A cursor over the text being parsed. */
struct date_in {
	const char *s;
	size_t len, pos;
};

static bool
date_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char
date_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Reads between min and max digits. Output: *v. */
static bool
date_digits(struct date_in *in, size_t min, size_t max, int *v)
{
	size_t n = 0;
	int r = 0;

	while (in->pos < in->len && n < max && date_is_digit(in->s[in->pos])) {
		r = r * 10 + (in->s[in->pos] - '0');
		in->pos++;
		n++;
	}
	*v = r;
	return n >= min && !(in->pos < in->len && date_is_digit(in->s[in->pos]));
}

static bool
date_char(struct date_in *in, char c)
{
	if (in->pos < in->len && in->s[in->pos] == c) {
		in->pos++;
		return true;
	}
	return false;
}

/* Skips spaces and tabs; returns how many were skipped. */
static size_t
date_spaces(struct date_in *in)
{
	size_t start = in->pos;

	while (in->pos < in->len &&
	       (in->s[in->pos] == ' ' || in->s[in->pos] == '\t'))
		in->pos++;
	return in->pos - start;
}

static bool
date_at_end(struct date_in *in)
{
	date_spaces(in);
	return in->pos == in->len;
}

/* Reads an English month name, full or its first three letters, any
 * case. Output: *mon (1-12). */
static bool
date_month(struct date_in *in, int *mon)
{
	size_t start = in->pos, n, k;
	int m;

	while (in->pos < in->len &&
	       ((in->s[in->pos] >= 'a' && in->s[in->pos] <= 'z') ||
		(in->s[in->pos] >= 'A' && in->s[in->pos] <= 'Z')))
		in->pos++;
	n = in->pos - start;
	for (m = 0; m < 12; m++) {
		const char *name = date_months[m];

		if (n != 3 && n != strlen(name))
			continue;
		for (k = 0; k < n && date_lower(in->s[start + k]) ==
					     date_lower(name[k]);
		     k++)
			;
		if (k == n) {
			*mon = m + 1;
			return true;
		}
	}
	return false;
}

/* Reads '-', an en dash (U+2013) or an em dash (U+2014). */
static bool
date_dash(struct date_in *in)
{
	if (date_char(in, '-'))
		return true;
	if (in->len - in->pos >= 3 && memcmp(in->s + in->pos, "\xE2\x80", 2) == 0 &&
	    (in->s[in->pos + 2] == '\x93' || in->s[in->pos + 2] == '\x94')) {
		in->pos += 3;
		return true;
	}
	return false;
}

/* "May 18, 2021 - 18:31" with surrounding spaces. Output: *f (unchecked). */
static bool
date_read_human(struct date_in *in, struct date_fields *f)
{
	memset(f, 0, sizeof(*f));
	date_spaces(in);
	return date_month(in, &f->mon) && date_spaces(in) > 0 &&
	       date_digits(in, 1, 2, &f->day) && date_char(in, ',') &&
	       date_spaces(in) > 0 && date_digits(in, 4, 4, &f->year) &&
	       date_spaces(in) > 0 && date_dash(in) && date_spaces(in) > 0 &&
	       date_digits(in, 1, 2, &f->hour) && date_char(in, ':') &&
	       date_digits(in, 2, 2, &f->min) && date_at_end(in);
}

/* Resolves validated site-zone fields. Output: *utc. */
static int
date_local_to_utc(const struct date_fields *f, int64_t *utc)
{
	if (!date_fields_ok(f))
		return GZ_EINVAL;
	if (!date_local_resolve(date_fields_seconds(f), utc))
		return GZ_EINVAL;
	return GZ_OK;
}

void
date_format_day(int64_t utc, char human[DATE_MAX], char iso[DATE_MAX])
{
	static const char *const days[7] = {"Sunday", "Monday", "Tuesday",
		"Wednesday", "Thursday", "Friday", "Saturday"};
	time_t t = (time_t)utc;
	struct tm tm;
	int n;

	assert(human && iso);
	human[0] = iso[0] = '\0';
	if ((int64_t)t != utc || !localtime_r(&t, &tm))
		return;
	n = snprintf(human, DATE_MAX, "%s, %s %d, %d", days[tm.tm_wday],
		     date_months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
	if (n < 0 || n >= DATE_MAX)
		human[0] = '\0';
	n = snprintf(iso, DATE_MAX, "%04d-%02d-%02d", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday);
	if (n < 0 || n >= DATE_MAX)
		iso[0] = '\0';
}

const char *
date_month_name(int month)
{
	return month >= 1 && month <= 12 ? date_months[month - 1] : NULL;
}

void
date_format_rfc5322(int64_t utc, char out[DATE_MAX])
{
	static const char *const days[7] = {"Sun", "Mon", "Tue", "Wed",
					    "Thu", "Fri", "Sat"};
	time_t t = (time_t)utc;
	struct tm tm;
	long off, a;
	int n;

	assert(out);
	out[0] = '\0';
	if ((int64_t)t != utc || !localtime_r(&t, &tm))
		return;
	off = tm.tm_gmtoff;
	if (off % 60 != 0) {
		/* As in date_format_iso: whole minutes only. */
		off = off / 60 * 60;
		t = (time_t)(utc + off);
		if (!gmtime_r(&t, &tm))
			return;
	}
	a = off < 0 ? -off : off;
	/* English names whatever the locale: RFC 5322 3.3 fixes them. */
	n = snprintf(out, DATE_MAX, "%s, %02d %.3s %04d %02d:%02d:%02d %c%02ld%02ld",
		     days[tm.tm_wday], tm.tm_mday, date_months[tm.tm_mon],
		     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     off < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
	if (n < 0 || n >= DATE_MAX)
		out[0] = '\0';
}

int
date_parse_human(const char *s, size_t len, int64_t *utc)
{
	struct date_in in = {s, len, 0};
	struct date_fields f;

	assert(utc && (s || len == 0));
	if (!date_read_human(&in, &f))
		return GZ_EINVAL;
	return date_local_to_utc(&f, utc);
}

/* Reads "+04:30" or "-05:00". Output: *off in seconds east of UTC. */
static bool
date_read_offset(struct date_in *in, long *off)
{
	int sign, h, m;

	if (date_char(in, '+'))
		sign = 1;
	else if (date_char(in, '-'))
		sign = -1;
	else
		return false;
	if (!date_digits(in, 2, 2, &h) || !date_char(in, ':') ||
	    !date_digits(in, 2, 2, &m) || h > 23 || m > 59)
		return false;
	*off = sign * (h * 3600L + m * 60L);
	return true;
}

/*
 * Reads the ISO-like forms: "2021-05-18", then optionally ' ' or 'T' and
 * "18:31" or "18:31:00" (a fraction of a second, as JavaScript's
 * toISOString writes it, is read and dropped), then optionally 'Z' or an
 * offset. Output: *f (unchecked), *has_off and *off.
 */
static bool
date_read_iso(struct date_in *in, struct date_fields *f, bool *has_off,
	      long *off)
{
	int frac;

	memset(f, 0, sizeof(*f));
	*has_off = false;
	*off = 0;
	date_spaces(in);
	if (!date_digits(in, 4, 4, &f->year) || !date_char(in, '-') ||
	    !date_digits(in, 2, 2, &f->mon) || !date_char(in, '-') ||
	    !date_digits(in, 2, 2, &f->day))
		return false;
	if (date_char(in, 'T') || date_char(in, 't') ||
	    (in->pos + 1 < in->len && in->s[in->pos] == ' ' &&
	     date_is_digit(in->s[in->pos + 1]) && date_char(in, ' '))) {
		if (!date_digits(in, 2, 2, &f->hour) || !date_char(in, ':') ||
		    !date_digits(in, 2, 2, &f->min))
			return false;
		if (date_char(in, ':')) {
			if (!date_digits(in, 2, 2, &f->sec))
				return false;
			if (date_char(in, '.') && !date_digits(in, 1, 9, &frac))
				return false;
		}
	}
	if (date_char(in, 'Z') || date_char(in, 'z'))
		*has_off = true;
	else if (in->pos < in->len &&
		 (in->s[in->pos] == '+' || in->s[in->pos] == '-')) {
		if (!date_read_offset(in, off))
			return false;
		*has_off = true;
	}
	return date_at_end(in);
}

int
date_parse_any(const char *s, size_t len, int64_t *utc)
{
	struct date_in in = {s, len, 0};
	struct date_fields f;
	bool has_off;
	long off;

	assert(utc && (s || len == 0));
	if (date_read_iso(&in, &f, &has_off, &off)) {
		if (!has_off)
			return date_local_to_utc(&f, utc);
		if (!date_fields_ok(&f))
			return GZ_EINVAL;
		*utc = date_fields_seconds(&f) - off;
		return GZ_OK;
	}
	return date_parse_human(s, len, utc);
}

/* Reads exactly n digits of s at *i as a number. */
static bool
date_form_digits(const char *s, size_t *i, size_t n, int *out)
{
	size_t k;

	*out = 0;
	for (k = 0; k < n; k++) {
		char c = s[*i + k];

		if (c < '0' || c > '9')
			return false;
		*out = *out * 10 + (c - '0');
	}
	*i += n;
	return true;
}

int
date_parse_form(const char *day, const char *time, int64_t *utc)
{
	struct date_fields f = {0};
	size_t i = 0;
	int matches = 0;

	assert(utc);
	if (!day || !time)
		return GZ_EINVAL;
	if (strlen(day) != 10 || !date_form_digits(day, &i, 4, &f.year) ||
	    day[i++] != '-' || !date_form_digits(day, &i, 2, &f.mon) ||
	    day[i++] != '-' || !date_form_digits(day, &i, 2, &f.day))
		return GZ_EINVAL;
	i = 0;
	if ((strlen(time) != 5 && strlen(time) != 8) ||
	    !date_form_digits(time, &i, 2, &f.hour) || time[i++] != ':' ||
	    !date_form_digits(time, &i, 2, &f.min))
		return GZ_EINVAL;
	if (time[i] == ':' && (i++, !date_form_digits(time, &i, 2, &f.sec)))
		return GZ_EINVAL;
	if (time[i] != '\0' || !date_fields_ok(&f))
		return GZ_EINVAL;
	if (!date_local_resolve_n(date_fields_seconds(&f), utc, &matches))
		return GZ_EINVAL;
	if (matches == 0)
		return GZ_ENOTFOUND;
	if (matches > 1)
		return GZ_EEXIST;
	return GZ_OK;
}
