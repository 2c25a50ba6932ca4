/* Tests for src/admin/role.c: every cell of the roles x actions table,
 * printed as the table docs/admin.md shows, and the actions' names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "admin/admin.h"

/* The expected table, row by row: Y allowed, - refused. Columns in enum
 * order: dashboard, article-read, article-write-own, article-edit-any,
 * article-publish, article-delete, correction-add, comment-moderate,
 * user-manage, settings-edit, audit-read, media-upload, media-edit-any. */
static const struct {
	enum store_role role;
	const char *name;
	const char *row;
} expected[] = {
	{ STORE_ROLE_ADMIN,     "admin",     "YYYYYYYYYYYYY" },
	{ STORE_ROLE_EDITOR,    "editor",    "YYYYYYYY---YY" },
	{ STORE_ROLE_WRITER,    "writer",    "YYY--------Y-" },
	{ STORE_ROLE_MODERATOR, "moderator", "Y------Y-----" },
};

static void
table_is_exactly_the_rules(void **state)
{
	size_t r, c;
	int bad = 0;

	(void)state;
	printf("%-10s", "");
	for (c = 0; c < ADMIN_ACTION_COUNT; c++)
		printf(" %s", admin_action_name((enum admin_action)c));
	printf("\n");
	for (r = 0; r < sizeof(expected) / sizeof(expected[0]); r++) {
		assert_int_equal(strlen(expected[r].row), ADMIN_ACTION_COUNT);
		printf("%-10s", expected[r].name);
		for (c = 0; c < ADMIN_ACTION_COUNT; c++) {
			bool got = admin_role_can(expected[r].role,
						  (enum admin_action)c);
			bool want = expected[r].row[c] == 'Y';

			printf(" %*s",
			       (int)strlen(admin_action_name((enum admin_action)c)),
			       got ? "Y" : "-");
			if (got != want) {
				printf("\n  wrong: %s may%s %s\n",
				       expected[r].name,
				       got ? "" : " not",
				       admin_action_name((enum admin_action)c));
				bad++;
			}
		}
		printf("\n");
	}
	assert_int_equal(bad, 0);
}

static void
outside_the_enums_nothing_is_allowed(void **state)
{
	(void)state;
	assert_false(admin_role_can((enum store_role)4, ADMIN_DASHBOARD));
	assert_false(admin_role_can((enum store_role)-1, ADMIN_DASHBOARD));
	assert_false(admin_role_can(STORE_ROLE_ADMIN, ADMIN_ACTION_COUNT));
	assert_false(admin_role_can(STORE_ROLE_ADMIN, (enum admin_action)-1));
}

static void
action_names(void **state)
{
	size_t i, j;

	(void)state;
	assert_string_equal(admin_action_name(ADMIN_DASHBOARD), "dashboard");
	assert_string_equal(admin_action_name(ADMIN_ARTICLE_PUBLISH),
			    "article-publish");
	assert_string_equal(admin_action_name(ADMIN_AUDIT_READ), "audit-read");
	assert_null(admin_action_name(ADMIN_ACTION_COUNT));
	/* Every action has its own name. */
	for (i = 0; i < ADMIN_ACTION_COUNT; i++) {
		assert_non_null(admin_action_name((enum admin_action)i));
		for (j = 0; j < i; j++)
			assert_string_not_equal(
				admin_action_name((enum admin_action)i),
				admin_action_name((enum admin_action)j));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_exactly_the_rules),
		cmocka_unit_test(outside_the_enums_nothing_is_allowed),
		cmocka_unit_test(action_names),
	};

	return cmocka_run_group_tests_name("admin/role", tests, NULL, NULL);
}
