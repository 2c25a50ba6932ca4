/*
 * test_metrics_metrics.c - tests of src/metrics/metrics.c: which bucket
 * an observation lands in (bounds are inclusive, past the last is +Inf),
 * the rendered text format (HELP and TYPE before each family, cumulative
 * buckets, _count equal to +Inf, exact seconds), and label escaping.
 * Includes the .c file to reach its statics and to reset its counters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/metrics/metrics.c"

static int
reset(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	return 0;
}

/* The rendered text, in a buffer the caller frees with buf_fini. */
static void
render(struct buf *b)
{
	buf_init(b, 1u << 20);
	assert_int_equal(metrics_render(b), GZ_OK);
	assert_non_null(b->data);
}

/* The value on the line that starts with "series " (name and labels). */
static const char *
value_of(const struct buf *b, const char *series)
{
	size_t n = strlen(series);
	const char *p = b->data;

	while (p && *p) {
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return p + n + 1;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

static void
assert_value(const struct buf *b, const char *series, const char *want)
{
	const char *v = value_of(b, series);
	size_t n = strlen(want);

	if (!v) {
		print_error("no line for %s in:\n%s", series, b->data);
		fail();
	}
	if (strncmp(v, want, n) != 0 || v[n] != '\n') {
		print_error("%s: want %s, got %.*s", series, want,
			    (int)strcspn(v, "\n"), v);
		fail();
	}
}

static void
test_bucket_bounds(void **state)
{
	const struct hist_bounds *b = &http_bounds;

	(void)state;
	assert_int_equal(hist_bucket(b, 0), 0);
	assert_int_equal(hist_bucket(b, 50), 0); /* le is inclusive */
	assert_int_equal(hist_bucket(b, 51), 1);
	assert_int_equal(hist_bucket(b, 100), 1);
	assert_int_equal(hist_bucket(b, 999), 4);
	assert_int_equal(hist_bucket(b, 1000), 4);
	assert_int_equal(hist_bucket(b, 10000000), b->n - 1);
	assert_int_equal(hist_bucket(b, 10000001), b->n); /* +Inf */
	assert_int_equal(hist_bucket(b, UINT64_MAX), b->n);
	assert_true(b->n <= HIST_MAX_BUCKETS);
	assert_true(db_bounds.n <= HIST_MAX_BUCKETS);
}

/* Every printed bound says what its microseconds say, in order. */
static void
test_bounds_match_labels(void **state)
{
	const struct hist_bounds *all[] = {&http_bounds, &db_bounds};
	size_t i, k;

	(void)state;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < all[k]->n; i++) {
			double le = strtod(all[k]->le[i], NULL);
			double us = (double)all[k]->us[i] / 1e6;

			assert_true(le > us * 0.999999 && le < us * 1.000001);
			if (i)
				assert_true(all[k]->us[i] > all[k]->us[i - 1]);
		}
	}
}

static void
test_render_http(void **state)
{
	struct buf b;

	(void)state;
	metrics_http_request(200, 1000, 40, METRICS_CACHE_HIT);
	metrics_http_request(200, 2000, 153, METRICS_CACHE_MISS);
	metrics_http_request(404, 10, 2000000, METRICS_CACHE_MISS);
	metrics_http_request(303, 0, 20000000, METRICS_CACHE_NONE);
	metrics_http_request(0, 0, 7, METRICS_CACHE_NONE);
	render(&b);
	assert_value(&b, "gazette_http_requests_total{code=\"200\"}", "2");
	assert_value(&b, "gazette_http_requests_total{code=\"404\"}", "1");
	assert_value(&b, "gazette_http_requests_total{code=\"303\"}", "1");
	assert_null(value_of(&b, "gazette_http_requests_total{code=\"500\"}"));
	assert_value(&b, "gazette_http_requests_unanswered_total", "1");
	assert_value(&b, "gazette_http_response_bytes_total", "3010");
	assert_value(&b, "gazette_cache_requests_total{result=\"hit\"}", "1");
	assert_value(&b, "gazette_cache_requests_total{result=\"miss\"}", "2");
	/* Cumulative: 7 and 40 us under 50 us, 153 under 250 us, 2 s
	 * under 2.5 s, 20 s only in +Inf. */
	assert_value(&b, "gazette_http_request_duration_seconds_bucket"
		     "{le=\"5e-05\"}", "2");
	assert_value(&b, "gazette_http_request_duration_seconds_bucket"
		     "{le=\"0.0001\"}", "2");
	assert_value(&b, "gazette_http_request_duration_seconds_bucket"
		     "{le=\"0.00025\"}", "3");
	assert_value(&b, "gazette_http_request_duration_seconds_bucket"
		     "{le=\"1\"}", "3");
	assert_value(&b, "gazette_http_request_duration_seconds_bucket"
		     "{le=\"2.5\"}", "4");
	assert_value(&b, "gazette_http_request_duration_seconds_bucket"
		     "{le=\"10\"}", "4");
	assert_value(&b, "gazette_http_request_duration_seconds_bucket"
		     "{le=\"+Inf\"}", "5");
	assert_value(&b, "gazette_http_request_duration_seconds_count", "5");
	/* 7 + 40 + 153 + 2,000,000 + 20,000,000 us, exactly. */
	assert_value(&b, "gazette_http_request_duration_seconds_sum",
		     "22.000200");
	buf_fini(&b);
}

static void
test_render_comments_and_db(void **state)
{
	struct buf b;
	char series[128];
	size_t i;

	(void)state;
	metrics_comment(METRICS_COMMENT_PUBLISHED);
	metrics_comment(METRICS_COMMENT_SPAM);
	metrics_comment(METRICS_COMMENT_SPAM);
	metrics_comment((enum metrics_comment_outcome)999); /* ignored */
	metrics_db_write(1500, 0);
	metrics_db_write(9000000, 1);
	render(&b);
	/* Every outcome is there from the start, at 0 when unseen. */
	for (i = 0; i < METRICS_COMMENT_OUTCOMES; i++) {
		assert_non_null(comment_names[i]);
		snprintf(series, sizeof(series),
			 "gazette_comments_total{outcome=\"%s\"}",
			 metrics_comment_name((enum metrics_comment_outcome)i));
		assert_non_null(value_of(&b, series));
	}
	assert_value(&b, "gazette_comments_total{outcome=\"published\"}", "1");
	assert_value(&b, "gazette_comments_total{outcome=\"spam\"}", "2");
	assert_value(&b, "gazette_comments_total{outcome=\"held\"}", "0");
	assert_string_equal(metrics_comment_name(METRICS_COMMENT_OUTCOMES),
			    "unknown");
	assert_value(&b, "gazette_db_write_duration_seconds_bucket"
		     "{le=\"0.001\"}", "0");
	assert_value(&b, "gazette_db_write_duration_seconds_bucket"
		     "{le=\"0.0025\"}", "1");
	assert_value(&b, "gazette_db_write_duration_seconds_bucket"
		     "{le=\"5\"}", "1");
	assert_value(&b, "gazette_db_write_duration_seconds_bucket"
		     "{le=\"+Inf\"}", "2");
	assert_value(&b, "gazette_db_write_duration_seconds_count", "2");
	assert_value(&b, "gazette_db_write_duration_seconds_sum", "9.001500");
	assert_value(&b, "gazette_db_write_failures_total", "1");
	buf_fini(&b);
}

/* The text format's grammar, line by line: "# HELP name text", then
 * "# TYPE name type" for the same name, then samples whose names start
 * with it and whose values are numbers; no family twice; every line
 * ends with a line feed. */
static void
test_render_grammar(void **state)
{
	struct buf b, seen;
	char family[128] = "";
	const char *p, *end;
	bool want_type = false;

	(void)state;
	metrics_init();
	render(&b);
	buf_init(&seen, 1u << 16);
	buf_putc(&seen, ' ');
	assert_true(b.len > 0 && b.data[b.len - 1] == '\n');
	for (p = b.data; *p; p = end + 1) {
		end = strchr(p, '\n');
		assert_non_null(end);
		if (strncmp(p, "# HELP ", 7) == 0) {
			size_t n = strcspn(p + 7, " ");
			char key[140];

			assert_false(want_type);
			assert_true(n > 0 && n < sizeof(family));
			memcpy(family, p + 7, n);
			family[n] = '\0';
			snprintf(key, sizeof(key), " %s ", family);
			assert_null(strstr(seen.data, key)); /* once each */
			buf_puts(&seen, key + 1);
			want_type = true;
		} else if (strncmp(p, "# TYPE ", 7) == 0) {
			size_t n = strlen(family);

			assert_true(want_type);
			assert_memory_equal(p + 7, family, n);
			assert_true(strncmp(p + 7 + n, " counter\n", 9) == 0 ||
				    strncmp(p + 7 + n, " gauge\n", 7) == 0 ||
				    strncmp(p + 7 + n, " histogram\n", 11) == 0);
			want_type = false;
		} else {
			const char *sp = memchr(p, ' ', (size_t)(end - p));

			assert_false(want_type);
			assert_true(p[0] != '#');
			assert_true(strncmp(p, family, strlen(family)) == 0);
			assert_non_null(sp);
			/* A number, nothing after it. */
			assert_true(strspn(sp + 1, "0123456789.") ==
				    (size_t)(end - sp - 1));
		}
	}
	assert_value(&b, "gazette_build_info{version=\"" GZ_VERSION "\"}", "1");
	assert_non_null(value_of(&b, "gazette_process_start_time_seconds"));
	assert_true(strncmp(value_of(&b, "gazette_process_start_time_seconds"),
			    "0\n", 2) != 0);
	buf_fini(&seen);
	buf_fini(&b);
}

static void
test_label_escape(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	metrics_label_put(&b, "a\\b\"c\nd");
	assert_string_equal(b.data, "a\\\\b\\\"c\\nd");
	buf_fini(&b);
}

/* A buffer too small for the text: the error comes back. */
static void
test_render_too_big(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(metrics_render(&b), GZ_ETOOBIG);
	buf_fini(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bucket_bounds, reset),
		cmocka_unit_test_setup(test_bounds_match_labels, reset),
		cmocka_unit_test_setup(test_render_http, reset),
		cmocka_unit_test_setup(test_render_comments_and_db, reset),
		cmocka_unit_test_setup(test_render_grammar, reset),
		cmocka_unit_test_setup(test_label_escape, reset),
		cmocka_unit_test_setup(test_render_too_big, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
