/*
 * test_store_audit.c - tests of src/store/audit.c: entries appended and
 * read back newest first, bad entries refused, long strings cut at 512
 * bytes on a UTF-8 character's boundary, the comments' moderation log
 * merged in by time (negative ids, "comment:ID"), the actor and object
 * filters, the limit, and a cursor of either kind paging through the
 * merged log without repeating or skipping an entry.
 *
 * Moderation rows are written on a raw SQLite connection, as comment.c
 * would leave them; each test works in its own mkdtemp directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

#include "store_fixture.h"

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	struct pool *pool;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-audit-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(1u << 20));
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	pool_free(fx->pool);
	store_fixture_remove(fx->dir);
	free(fx);
	return 0;
}

/* Appends an audit entry in its own transaction. */
static void
audit(struct fx *fx, const char *actor, const char *action,
      const char *object, int64_t at)
{
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_audit_add(fx->st, actor, action, object, "",
					 "192.0.2.7", at), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
}

/* Writes a moderation_log row on a raw connection, as comment.c does. */
static void
moderation(struct fx *fx, int64_t comment_id, const char *action,
	   const char *actor, int64_t at)
{
	char sql[256];
	int n;

	/* The test's own constants, spliced (no quotes in them). */
	assert_null(strchr(action, '\''));
	assert_null(strchr(actor, '\''));
	n = snprintf(sql, sizeof(sql),
		     "INSERT INTO moderation_log (comment_id, action, actor, at,"
		     " detail) VALUES (%lld, '%s', '%s', %lld, 'why')",
		     (long long)comment_id, action, actor, (long long)at);
	assert_true(n > 0 && (size_t)n < sizeof(sql));
	store_fixture_exec(fx->path, sql);
}

/* The page as "action@at" joined by spaces, into buf. */
static const char *
page(struct fx *fx, const struct store_audit_filter *f, char *buf,
     size_t len, int64_t *last_id)
{
	struct store_audit *items;
	size_t n, i, used = 0;

	assert_int_equal(store_audit_list(fx->st, fx->pool, f, &items, &n),
			 GZ_OK);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%s@%lld",
				 i ? " " : "", items[i].action,
				 (long long)items[i].at);

		assert_true(w > 0 && (size_t)w < len - used);
		used += (size_t)w;
	}
	if (last_id)
		*last_id = n ? items[n - 1].id : 0;
	return buf;
}

static void
test_add_and_list(void **state)
{
	struct fx *fx = *state;
	struct store_audit_filter f = {0};
	struct store_audit *items;
	size_t n;

	audit(fx, "admin:ann", "signin", "", 100);
	audit(fx, "admin:ann", "publish", "article:12", 110);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_audit_add(fx->st, "cli:root", "user-add",
					 "user:bob", NULL, NULL, 120), GZ_OK);
	/* Refused: no actor, no action, text that is not UTF-8. */
	assert_int_equal(store_audit_add(fx->st, "", "x", "", "", "", 1),
			 GZ_EINVAL);
	assert_int_equal(store_audit_add(fx->st, NULL, "x", "", "", "", 1),
			 GZ_EINVAL);
	assert_int_equal(store_audit_add(fx->st, "a", "", "", "", "", 1),
			 GZ_EINVAL);
	assert_int_equal(store_audit_add(fx->st, "a", NULL, "", "", "", 1),
			 GZ_EINVAL);
	assert_int_equal(store_audit_add(fx->st, "a", "x", "\xc3", "", "", 1),
			 GZ_EINVAL);
	assert_int_equal(store_audit_add(fx->st, "a", "x", "", "\xff", "", 1),
			 GZ_EINVAL);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(store_audit_list(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 3);
	assert_string_equal(items[0].action, "user-add");
	assert_string_equal(items[0].actor, "cli:root");
	assert_string_equal(items[0].object, "user:bob");
	assert_string_equal(items[0].detail, "");
	assert_string_equal(items[0].ip, "");
	assert_int_equal(items[0].at, 120);
	assert_true(items[0].id > items[1].id);
	assert_string_equal(items[1].action, "publish");
	assert_string_equal(items[1].object, "article:12");
	assert_string_equal(items[1].ip, "192.0.2.7");
	assert_string_equal(items[2].action, "signin");
}

static void
test_cut_at_a_character(void **state)
{
	struct fx *fx = *state;
	struct store_audit_filter f = {0};
	struct store_audit *items;
	char detail[600], exact[GZ_LIMIT_AUDIT_FIELD_BYTES + 1];
	size_t n, i;

	/* "a" then two-byte "é"s: byte 512 falls inside one. */
	detail[0] = 'a';
	for (i = 1; i + 2 < sizeof(detail); i += 2) {
		detail[i] = '\xc3';
		detail[i + 1] = '\xa9';
	}
	detail[i] = '\0';
	assert_true(strlen(detail) > GZ_LIMIT_AUDIT_FIELD_BYTES);
	memset(exact, 'x', sizeof(exact) - 1);
	exact[sizeof(exact) - 1] = '\0';

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_audit_add(fx->st, "admin:ann", "edit",
					 "article:1", detail, "", 100), GZ_OK);
	assert_int_equal(store_audit_add(fx->st, exact, "edit", "", detail + 1,
					 "", 101), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_audit_list(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	/* 512 bytes of whole "é"s (odd after the "a": 511). */
	assert_int_equal(strlen(items[0].detail), GZ_LIMIT_AUDIT_FIELD_BYTES);
	assert_true(utf8_valid(items[0].detail, strlen(items[0].detail), NULL));
	assert_memory_equal(items[0].detail, detail + 1,
			    GZ_LIMIT_AUDIT_FIELD_BYTES);
	/* Exactly the limit is kept whole. */
	assert_string_equal(items[0].actor, exact);
	assert_int_equal(strlen(items[1].detail),
			 GZ_LIMIT_AUDIT_FIELD_BYTES - 1);
	assert_true(utf8_valid(items[1].detail, strlen(items[1].detail), NULL));
	assert_memory_equal(items[1].detail, detail,
			    GZ_LIMIT_AUDIT_FIELD_BYTES - 1);
}

static void
test_merged_with_moderation(void **state)
{
	struct fx *fx = *state;
	struct store_audit_filter f = {0};
	struct store_audit *items;
	char buf[1024];
	size_t n;

	audit(fx, "admin:ann", "signin", "", 100);
	moderation(fx, 5, "approve", "admin:ann", 105);
	audit(fx, "admin:bob", "publish", "article:3", 110);
	moderation(fx, 6, "spam", "cli:root", 90);
	moderation(fx, 5, "delete", "admin:bob", 120);
	/* Same second as an audit entry: after it. */
	audit(fx, "admin:ann", "edit", "comment:5", 130);
	moderation(fx, 7, "reject", "admin:ann", 130);

	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL),
			    "edit@130 reject@130 delete@120 publish@110"
			    " approve@105 signin@100 spam@90");
	assert_int_equal(store_audit_list(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 7);
	assert_true(items[1].id < 0);
	assert_string_equal(items[1].object, "comment:7");
	assert_string_equal(items[1].actor, "admin:ann");
	assert_string_equal(items[1].detail, "why");
	assert_string_equal(items[1].ip, "");
	assert_true(items[0].id > 0);
	assert_string_equal(items[0].ip, "192.0.2.7");

	/* Filters: by actor, across both logs; by object. */
	f.actor = "admin:ann";
	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL),
			    "edit@130 reject@130 approve@105 signin@100");
	f.actor = NULL;
	f.object = "comment:5";
	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL),
			    "edit@130 delete@120 approve@105");
	f.actor = "admin:bob";
	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL), "delete@120");
	f.actor = NULL;
	f.object = "article:3";
	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL), "publish@110");
	/* Not how a comment is named: no moderation entry matches. */
	f.object = "comment:05";
	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL), "");
	f.object = "comment:";
	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL), "");
	f.object = "nothing";
	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL), "");
}

static void
test_pages_by_cursor(void **state)
{
	struct fx *fx = *state;
	struct store_audit_filter f = {.limit = 2};
	char buf[1024], all[4096] = "";
	int64_t last = 0;
	size_t used;
	int pages = 0, w;

	audit(fx, "admin:ann", "a1", "", 100);
	moderation(fx, 1, "m1", "admin:ann", 100);
	audit(fx, "admin:ann", "a2", "", 101);
	moderation(fx, 2, "m2", "admin:ann", 102);
	moderation(fx, 3, "m3", "admin:ann", 102);
	audit(fx, "admin:ann", "a3", "", 102);
	audit(fx, "admin:ann", "a4", "", 103);
	moderation(fx, 4, "m4", "admin:ann", 99);

	/* Two a page, each from the last entry's id (of either kind). */
	for (;;) {
		page(fx, &f, buf, sizeof(buf), &last);
		if (!buf[0])
			break;
		used = strlen(all);
		w = snprintf(all + used, sizeof(all) - used, "%s%s",
			     used ? " " : "", buf);
		assert_true(w > 0 && (size_t)w < sizeof(all) - used);
		f.before_id = last;
		assert_true(++pages < 10);
	}
	assert_int_equal(pages, 4);
	assert_string_equal(all, "a4@103 a3@102 m3@102 m2@102 a2@101 a1@100"
				 " m1@100 m4@99");

	/* A cursor that names no entry: an empty page. */
	f.before_id = -999;
	assert_string_equal(page(fx, &f, buf, sizeof(buf), NULL), "");
}

static void
test_limit(void **state)
{
	struct fx *fx = *state;
	struct store_audit_filter f = {0};
	struct store_audit *items;
	size_t n, i;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	for (i = 0; i < 1100; i++)
		assert_int_equal(store_audit_add(fx->st, "cli:root", "x", "", "",
						 "", (int64_t)i), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_audit_list(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 100);
	assert_int_equal(items[0].at, 1099);
	f.limit = 5000;
	assert_int_equal(store_audit_list(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 1000);
	assert_int_equal(items[999].at, 100);
	f.limit = 3;
	f.before_id = items[0].id;
	assert_int_equal(store_audit_list(fx->st, fx->pool, &f, &items, &n),
			 GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(items[0].at, 1098);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_and_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cut_at_a_character, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merged_with_moderation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_by_cursor, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_audit", tests, NULL, NULL);
}
