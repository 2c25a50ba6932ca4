/* test_config_config.c - reading, validating and writing gazette.conf
 * (src/config/config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "util/err.h"
#include "util/limits.h"

static char dir[] = "/tmp/gazette-test-config-XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, CONFIG_FILE);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_defaults(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(config_init(&c), GZ_OK);
	assert_string_equal(c.timezone, "UTC");
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.per_page, 20);
	config_fini(&c);
}

static void
test_set_validates(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_set(&c, "site", "timezone", "Asia/Tehran", err, sizeof(err)), GZ_OK);
	assert_string_equal(c.timezone, "Asia/Tehran");
	assert_int_equal(config_set(&c, "site", "timezone", "Mars/Olympus", err, sizeof(err)), GZ_EINVAL);
	assert_non_null(strstr(err, "Mars/Olympus"));
	assert_int_equal(config_set(&c, "site", "timezone", "../../etc/passwd", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "site", "base_url", "https://news.example.org///", err, sizeof(err)), GZ_OK);
	assert_string_equal(c.base_url, "https://news.example.org");
	assert_int_equal(config_set(&c, "site", "base_url", "ftp://x", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "site", "per_page", "0", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "site", "per_page", "101", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "site", "per_page", "x", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "site", "per_page", "5", err, sizeof(err)), GZ_OK);
	assert_int_equal(c.per_page, 5);
	assert_int_equal(config_set(&c, "server", "listen", "127.0.0.1", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "server", "listen", "127.0.0.1:99999", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "server", "listen", "[::1]:8080", err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&c, "site", "title", "", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "site", "title", "\xff", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "site", "language", "fa", err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&c, "site", "language", "f a", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "site", "nonsense", "1", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "nowhere", "title", "x", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "security", "secret", "abc", err, sizeof(err)), GZ_EINVAL);
	/* [store] url: PostgreSQL's, or nothing (the site's gazette.db). */
	assert_string_equal(c.store_url, "");
	assert_int_equal(config_set(&c, "store", "url", "postgresql://gz@db/news", err, sizeof(err)), GZ_OK);
	assert_string_equal(c.store_url, "postgresql://gz@db/news");
	assert_int_equal(config_set(&c, "store", "url", "postgres:///news?host=/run/pg", err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&c, "store", "url", "/var/lib/other.db", err, sizeof(err)), GZ_EINVAL);
	assert_non_null(strstr(err, "postgresql://"));
	assert_int_equal(config_set(&c, "store", "url", "mysql://x", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "store", "url", "", err, sizeof(err)), GZ_OK);
	assert_string_equal(c.store_url, "");
	config_fini(&c);
}

/* [edge] esi: off unless said, yes or no only. */
static void
test_edge_esi(void **state)
{
	struct config c;
	char err[256];

	(void)state;
	assert_int_equal(config_init(&c), GZ_OK);
	assert_false(c.edge_esi);
	assert_int_equal(config_set(&c, "edge", "esi", "yes", err, sizeof(err)), GZ_OK);
	assert_true(c.edge_esi);
	assert_int_equal(config_set(&c, "edge", "esi", "no", err, sizeof(err)), GZ_OK);
	assert_false(c.edge_esi);
	assert_int_equal(config_set(&c, "edge", "esi", "sometimes", err, sizeof(err)), GZ_EINVAL);
	assert_non_null(strstr(err, "sometimes"));
	assert_int_equal(config_set(&c, "edge", "nonsense", "1", err, sizeof(err)), GZ_EINVAL);
	config_fini(&c);
}

/* [edge]: seconds capped at a day, purge a comma-separated URL list. */
static void
test_set_edge(void **state)
{
	struct config c;
	char err[256], many[256] = "";
	size_t i;

	(void)state;
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(c.edge_s_maxage, 60);
	assert_int_equal(c.edge_swr, 30);
	assert_string_equal(c.edge_purge, "");
	assert_false(c.edge_esi);
	assert_int_equal(config_set(&c, "edge", "s_maxage", "3600", err, sizeof(err)), GZ_OK);
	assert_int_equal(c.edge_s_maxage, 3600);
	assert_int_equal(config_set(&c, "edge", "s_maxage", "86401", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "edge", "stale_while_revalidate", "0", err, sizeof(err)), GZ_OK);
	assert_int_equal(c.edge_swr, 0);
	assert_int_equal(c.edge_s_maxage, 3600);
	assert_int_equal(config_set(&c, "edge", "esi", "yes", err, sizeof(err)), GZ_OK);
	assert_true(c.edge_esi);
	assert_int_equal(config_set(&c, "edge", "purge",
		"http://127.0.0.1:6081/, https://cdn.example/purge,", err, sizeof(err)), GZ_OK);
	assert_string_equal(c.edge_purge, "http://127.0.0.1:6081/, https://cdn.example/purge,");
	assert_int_equal(config_set(&c, "edge", "purge", "", err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&c, "edge", "purge", "ftp://x/", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "edge", "purge", "http://", err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "edge", "purge", "http://a b/", err, sizeof(err)), GZ_EINVAL);
	for (i = 0; i <= GZ_LIMIT_EDGE_URLS; i++)
		memcpy(many + i * 10, "http://a/,", 11);
	assert_int_equal(config_set(&c, "edge", "purge", many, err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_set(&c, "edge", "nonsense", "1", err, sizeof(err)), GZ_EINVAL);
	config_fini(&c);
}

static void
test_write_then_load(void **state)
{
	struct config c, d;
	char path[256], err[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, CONFIG_FILE);
	unlink(path);
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_secret_generate(&c), GZ_OK);
	assert_int_equal(strlen(c.secret), 64);
	assert_int_equal(config_set(&c, "site", "title", "The Valley Courier", err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&c, "site", "timezone", "Europe/London", err, sizeof(err)), GZ_OK);
	assert_int_equal(config_write_new(&c, path), GZ_OK);
	/* A site is never overwritten. */
	assert_int_equal(config_write_new(&c, path), GZ_EEXIST);

	assert_int_equal(config_init(&d), GZ_OK);
	assert_int_equal(config_load(&d, path, err, sizeof(err)), GZ_OK);
	assert_string_equal(d.title, "The Valley Courier");
	assert_string_equal(d.timezone, "Europe/London");
	assert_string_equal(d.secret, c.secret);
	config_fini(&c);
	config_fini(&d);
}

static void
test_load_errors_name_the_line(void **state)
{
	struct config c;
	char path[256], err[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/%s", dir, CONFIG_FILE);
	unlink(path);
	write_file(path, "[site]\ntitle = A\n\ntimezone = Nowhere/Land\n");
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), GZ_EPARSE);
	assert_non_null(strstr(err, ":4: "));
	assert_non_null(strstr(err, "Nowhere/Land"));
	config_fini(&c);

	unlink(path);
	write_file(path, "[site]\ntitle = A\n[security]\n");
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), GZ_EPARSE);
	assert_non_null(strstr(err, "secret"));
	config_fini(&c);

	unlink(path);
	write_file(path, "this is not ini\n");
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), GZ_EPARSE);
	assert_non_null(strstr(err, ":1: "));
	config_fini(&c);

	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_load(&c, "/nonexistent/gazette.conf", err, sizeof(err)), GZ_EIO);
	config_fini(&c);
}

static void
test_long_errors_are_marked_cut(void **state)
{
	struct config c;
	char path[256], err[48], text[1024];
	int n;

	(void)state;
	/* A value too long for the message: cut, and said to be. */
	n = snprintf(text, sizeof(text), "[site]\ntimezone = %0600d\n", 7);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_parse(&c, text, "gazette.conf", err, sizeof(err)),
			 GZ_EPARSE);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_string_equal(err + sizeof(err) - 4, "...");
	assert_int_equal(strncmp(err, "gazette.conf:2: ", 16), 0);
	config_fini(&c);
	/* A path too long for it, the same. */
	n = snprintf(path, sizeof(path), "%s/%0100d/gazette.conf", dir, 0);
	assert_true(n > 0 && (size_t)n < sizeof(path));
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), GZ_EIO);
	assert_string_equal(err + sizeof(err) - 4, "...");
	config_fini(&c);
	/* One that fits is whole. */
	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_load(&c, "/nonexistent/g.conf", err, sizeof(err)),
			 GZ_EIO);
	assert_null(strstr(err, "..."));
	config_fini(&c);
}

static void
test_keep_restart(void **state)
{
	struct config run, next;
	char names[256], err[256];

	(void)state;
	assert_int_equal(config_init(&run), GZ_OK);
	assert_int_equal(config_init(&next), GZ_OK);
	assert_int_equal(config_set(&run, "comments", "hold_words", "casino",
				    err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&next, "comments", "hold_words", "casino",
				    err, sizeof(err)), GZ_OK);

	/* Nothing fixed at start changed: nothing named. */
	assert_int_equal(config_set(&next, "site", "title", "New", err,
				    sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&next, "comments", "per_page", "7", err,
				    sizeof(err)), GZ_OK);
	assert_int_equal(config_keep_restart(&next, &run, names, sizeof(names)),
			 GZ_OK);
	assert_string_equal(names, "");
	assert_string_equal(next.title, "New");
	assert_int_equal(next.comments_per_page, 7);

	/* Those that need a restart are named and set back. */
	assert_int_equal(config_set(&next, "server", "listen", "127.0.0.1:9",
				    err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&next, "server", "cache_mb", "3", err,
				    sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&next, "comments", "hold_words", "dice",
				    err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&next, "comments", "moderation", "post",
				    err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&next, "store", "url", "postgresql:///n",
				    err, sizeof(err)), GZ_OK);
	assert_int_equal(config_keep_restart(&next, &run, names, sizeof(names)),
			 GZ_OK);
	assert_string_equal(names, "[server] listen, [store] url, "
				   "[server] cache_mb, "
				   "[comments] (but per_page)");
	assert_string_equal(next.store_url, "");
	assert_string_equal(next.listen, run.listen);
	assert_int_equal(next.cache_mb, run.cache_mb);
	assert_string_equal(next.hold_words, "casino");
	assert_ptr_equal(next.comments.hold_words, next.hold_words);
	assert_int_equal(next.comments.moderation, run.comments.moderation);
	assert_string_equal(next.title, "New");
	config_fini(&run);
	config_fini(&next);
}

/* A settings change keeps what a restart needs, but [comments] goes
 * through: the site makes its intake state again. */
static void
test_keep_restart_settings(void **state)
{
	struct config run, next;
	char err[256], names[256];

	(void)state;
	assert_int_equal(config_init(&run), GZ_OK);
	assert_int_equal(config_init(&next), GZ_OK);
	assert_int_equal(config_set(&next, "server", "listen", "127.0.0.1:9",
				    err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&next, "comments", "hold_words", "dice",
				    err, sizeof(err)), GZ_OK);
	assert_int_equal(config_set(&next, "comments", "moderation", "post",
				    err, sizeof(err)), GZ_OK);
	assert_int_equal(config_keep_restart_settings(&next, &run, names,
						      sizeof(names)), GZ_OK);
	assert_string_equal(names, "[server] listen");
	assert_string_equal(next.listen, run.listen);
	assert_string_equal(next.hold_words, "dice");
	assert_ptr_equal(next.comments.hold_words, next.hold_words);
	assert_ptr_equal(next.comments.block_words, next.block_words);
	assert_int_equal(next.comments.moderation, COMMENTS_POST);
	config_fini(&run);
	config_fini(&next);
}

/* Settings are checked as the file's values are, and applied over
 * them; a bad stored one is skipped, never fatal. */
static void
test_settings_overlay(void **state)
{
	struct config c;
	char err[256];
	size_t skipped = 99;
	const struct config_pair items[] = {
		{"site.title", "The Settings Times"},
		{"comments.moderation", "sometimes"},
		{"comments.require_email", "yes"},
		{"server.listen", "0.0.0.0:80"},
		{"site.timezone", "Asia/Tehran"},
		{"comments.hold_words", "refund"},
	};

	(void)state;
	assert_true(config_setting_known("site.title"));
	assert_true(config_setting_known("comments.block_words"));
	assert_false(config_setting_known("server.listen"));
	assert_false(config_setting_known("site"));
	assert_int_equal(config_setting_check("comments.moderation", "post",
					      err, sizeof(err)), GZ_OK);
	assert_int_equal(config_setting_check("comments.moderation",
					      "sometimes", err, sizeof(err)),
			 GZ_EINVAL);
	assert_non_null(strstr(err, "pre, first-time or post"));
	assert_int_equal(config_setting_check("security.secret", "00", err,
					      sizeof(err)), GZ_EINVAL);
	assert_non_null(strstr(err, "not a setting"));
	assert_int_equal(config_setting_check("site.timezone", "Mars/Olympus",
					      err, sizeof(err)), GZ_EINVAL);
	assert_int_equal(config_setting_check("site.timezone", "Asia/Tehran",
					      err, sizeof(err)), GZ_OK);
	assert_int_equal(config_setting_check("site.title", "", err,
					      sizeof(err)), GZ_EINVAL);

	assert_int_equal(config_init(&c), GZ_OK);
	assert_int_equal(config_overlay(&c, items, 6, false, &skipped), GZ_OK);
	assert_int_equal(skipped, 2);
	assert_string_equal(c.title, "The Settings Times");
	assert_int_equal(c.comments.moderation, COMMENTS_PRE);
	assert_true(c.comments.require_email);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	/* The zone waits for a start. */
	assert_string_equal(c.timezone, "UTC");
	assert_string_equal(c.hold_words, "refund");
	assert_ptr_equal(c.comments.hold_words, c.hold_words);
	config_fini(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set_validates),
		cmocka_unit_test(test_edge_esi),
		cmocka_unit_test(test_set_edge),
		cmocka_unit_test(test_write_then_load),
		cmocka_unit_test(test_load_errors_name_the_line),
		cmocka_unit_test(test_long_errors_are_marked_cut),
		cmocka_unit_test(test_keep_restart),
		cmocka_unit_test(test_keep_restart_settings),
		cmocka_unit_test(test_settings_overlay),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
