/*
 * test_site_admin_gate.c - the pure parts of the newsroom's gate
 * (src/site/admin_gate.c): where a sign-in may send the browser on to
 * (site_admin_next: a local path under /admin, nothing else).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "site/site_int.h"

static void
test_next_kept(void **state)
{
	static const char *const ok[] = {
		"/admin", "/admin/", "/admin/users", "/admin/articles/12",
		"/admin?done=saved", "/admin/articles?status=draft&q=a%20b",
		"/admin/log?before=10&actor=admin:ann", "/admin/a.b/c..d",
		"/admin/.well", NULL,
	};
	size_t i;

	(void)state;
	for (i = 0; ok[i]; i++)
		assert_string_equal(site_admin_next(ok[i]), ok[i]);
}

static void
test_next_refused(void **state)
{
	static const char *const bad[] = {
		"", "admin", "/", "/news/1", "/administrator", "/adminx",
		"https://evil.example/admin", "//evil.example/admin",
		"/admin//evil.example", "/admin/../news", "/admin/..",
		"/admin/./users", "/admin/.", "/admin/..?x", "/admin\\evil",
		"/admin/\\\\evil", "/admin/a\tb", "/admin/a\nb", "/admin/a\rb",
		"/admin/a b", "/admin/\x7f", "/admin?x=\n", "/ADMIN",
		"http:/admin", NULL,
	};
	char longer[8192];
	size_t i;

	(void)state;
	for (i = 0; bad[i]; i++)
		assert_string_equal(site_admin_next(bad[i]), "/admin");
	assert_string_equal(site_admin_next(NULL), "/admin");
	/* Past the longest URL the site keeps, refused. */
	memcpy(longer, "/admin/", 7);
	memset(longer + 7, 'a', sizeof(longer) - 8);
	longer[sizeof(longer) - 1] = '\0';
	assert_string_equal(site_admin_next(longer), "/admin");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_kept),
		cmocka_unit_test(test_next_refused),
	};

	return cmocka_run_group_tests_name("site_admin_gate", tests, NULL, NULL);
}
