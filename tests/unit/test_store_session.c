/*
 * test_store_session.c - tests of src/store/session.c: a session stored
 * by the hash of its id and read back with its user, only for a user
 * that exists, touched and marked past its second factor, deleted alone
 * or with all of its user's others (keeping one or none), and purged when
 * expired or idle.
 *
 * Each test works in its own mkdtemp directory.
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

#include "store_fixture.h"

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	struct store *st;
	struct pool *pool;
	int64_t ann, bob;
};

static int64_t
add_user(struct store *st, const char *name, enum store_role role)
{
	struct store_user in = {
		.name = name,
		.display_name = "",
		.role = role,
		.password_hash = "$h",
	};
	int64_t id = 0;

	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(store_user_add(st, &in, &id), GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	return id;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-session-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(1u << 20));
	fx->ann = add_user(fx->st, "ann", STORE_ROLE_ADMIN);
	fx->bob = add_user(fx->st, "bob", STORE_ROLE_MODERATOR);
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

/* A 32-byte hash made of byte b. */
static void
hash_of(unsigned char h[32], unsigned char b)
{
	memset(h, b, 32);
}

static bool
live(struct fx *fx, const unsigned char h[32])
{
	struct store_session s;
	int err = store_session_get(fx->st, fx->pool, h, &s);

	assert_true(err == GZ_OK || err == GZ_ENOTFOUND);
	return err == GZ_OK;
}

static void
test_add_get(void **state)
{
	struct fx *fx = *state;
	unsigned char h[32], other[32];
	struct store_session s;
	char longip[GZ_LIMIT_AUDIT_FIELD_BYTES + 2];

	hash_of(h, 0x11);
	hash_of(other, 0x12);
	memset(longip, '1', sizeof(longip) - 1);
	longip[sizeof(longip) - 1] = '\0';
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_session_add(fx->st, h, fx->bob, 1000, 1000 + 43200,
					   false, "2001:db8::1"), GZ_OK);
	/* The same hash again; a user that does not exist; a bad address. */
	assert_int_equal(store_session_add(fx->st, h, fx->ann, 1000, 2000, true,
					   ""), GZ_EEXIST);
	assert_int_equal(store_session_add(fx->st, other, 9999, 1000, 2000,
					   true, ""), GZ_ENOTFOUND);
	assert_int_equal(store_session_add(fx->st, other, fx->ann, 1000, 2000,
					   true, longip), GZ_EINVAL);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(store_session_get(fx->st, fx->pool, h, &s), GZ_OK);
	assert_int_equal(s.user_id, fx->bob);
	assert_int_equal(s.created_at, 1000);
	assert_int_equal(s.seen_at, 1000);
	assert_int_equal(s.expires_at, 1000 + 43200);
	assert_false(s.second_factor);
	assert_string_equal(s.ip, "2001:db8::1");
	/* The user, as store_user_get reads it. */
	assert_int_equal(s.user.id, fx->bob);
	assert_string_equal(s.user.name, "bob");
	assert_int_equal(s.user.role, STORE_ROLE_MODERATOR);
	assert_string_equal(s.user.password_hash, "$h");
	assert_false(live(fx, other));

	/* Touch and the second factor. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_session_touch(fx->st, h, 1060), GZ_OK);
	assert_int_equal(store_session_factor_set(fx->st, h), GZ_OK);
	/* Nothing to match is not an error. */
	assert_int_equal(store_session_touch(fx->st, other, 1060), GZ_OK);
	assert_int_equal(store_session_factor_set(fx->st, other), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_session_get(fx->st, fx->pool, h, &s), GZ_OK);
	assert_int_equal(s.seen_at, 1060);
	assert_int_equal(s.created_at, 1000);
	assert_true(s.second_factor);

	/* The user's changes show through the session. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_user_role_set(fx->st, fx->bob, STORE_ROLE_EDITOR),
			 GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_session_get(fx->st, fx->pool, h, &s), GZ_OK);
	assert_int_equal(s.user.role, STORE_ROLE_EDITOR);

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_session_delete(fx->st, h), GZ_OK);
	assert_int_equal(store_session_delete(fx->st, h), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_false(live(fx, h));
}

static void
test_delete_user(void **state)
{
	struct fx *fx = *state;
	unsigned char a1[32], a2[32], a3[32], b1[32];

	hash_of(a1, 0xa1);
	hash_of(a2, 0xa2);
	hash_of(a3, 0xa3);
	hash_of(b1, 0xb1);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_session_add(fx->st, a1, fx->ann, 1, 99, true, ""),
			 GZ_OK);
	assert_int_equal(store_session_add(fx->st, a2, fx->ann, 1, 99, true, ""),
			 GZ_OK);
	assert_int_equal(store_session_add(fx->st, a3, fx->ann, 1, 99, true, ""),
			 GZ_OK);
	assert_int_equal(store_session_add(fx->st, b1, fx->bob, 1, 99, true, ""),
			 GZ_OK);
	/* Sign out everywhere else: a2 stays. */
	assert_int_equal(store_session_delete_user(fx->st, fx->ann, a2), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_false(live(fx, a1));
	assert_true(live(fx, a2));
	assert_false(live(fx, a3));
	assert_true(live(fx, b1));

	/* keep of another user's session keeps nothing of this one's. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_session_delete_user(fx->st, fx->ann, b1), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_false(live(fx, a2));
	assert_true(live(fx, b1));

	/* NULL: all of them. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_session_add(fx->st, a1, fx->ann, 1, 99, true, ""),
			 GZ_OK);
	assert_int_equal(store_session_delete_user(fx->st, fx->bob, NULL), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_false(live(fx, b1));
	assert_true(live(fx, a1));
}

static void
test_purge(void **state)
{
	struct fx *fx = *state;
	unsigned char expired[32], idle[32], fresh[32], edge[32];

	hash_of(expired, 1);
	hash_of(idle, 2);
	hash_of(fresh, 3);
	hash_of(edge, 4);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	/* Expires at 5000 (now): gone. */
	assert_int_equal(store_session_add(fx->st, expired, fx->ann, 1000, 5000,
					   true, ""), GZ_OK);
	/* Last seen at 2000, idle before 3000: gone. */
	assert_int_equal(store_session_add(fx->st, idle, fx->ann, 2000, 9000,
					   true, ""), GZ_OK);
	/* Seen just now, and seen exactly at the idle bound: kept. */
	assert_int_equal(store_session_add(fx->st, fresh, fx->bob, 1000, 9000,
					   true, ""), GZ_OK);
	assert_int_equal(store_session_touch(fx->st, fresh, 4900), GZ_OK);
	assert_int_equal(store_session_add(fx->st, edge, fx->bob, 3000, 9000,
					   false, ""), GZ_OK);
	assert_int_equal(store_session_purge(fx->st, 5000, 3000), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_false(live(fx, expired));
	assert_false(live(fx, idle));
	assert_true(live(fx, fresh));
	assert_true(live(fx, edge));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_user, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_session", tests, NULL, NULL);
}
