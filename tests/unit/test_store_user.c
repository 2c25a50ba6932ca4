/*
 * test_store_user.c - tests of src/store/user.c: role names, sign-in
 * names, adding and reading users (a taken name, bad input), the list
 * leaving out hashes and secrets, the last admin kept by role changes and
 * removals, a removed user's sessions and recovery codes going with them,
 * TOTP steps accepted once, and recovery codes spent once.
 *
 * Each test works in its own mkdtemp directory; rows no function returns
 * are read on a raw SQLite connection.
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
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-user-XXXXXX");
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

/* Runs sql, one integer answer, on a raw connection to the database. */
static long long
raw_int(struct fx *fx, const char *sql)
{
	return store_fixture_int(fx->path, sql);
}

/* Adds a user in its own transaction; returns store_user_add's answer. */
static int
add(struct fx *fx, const char *name, enum store_role role, int64_t *id)
{
	struct store_user in = {
		.name = name,
		.display_name = "A Person",
		.role = role,
		.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
	};
	int err;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_user_add(fx->st, &in, id);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return err;
}

static int64_t
add_ok(struct fx *fx, const char *name, enum store_role role)
{
	int64_t id = 0;

	assert_int_equal(add(fx, name, role, &id), GZ_OK);
	assert_true(id > 0);
	return id;
}

static void
test_roles(void **state)
{
	enum store_role r;

	(void)state;
	assert_string_equal(store_role_name(STORE_ROLE_ADMIN), "admin");
	assert_string_equal(store_role_name(STORE_ROLE_EDITOR), "editor");
	assert_string_equal(store_role_name(STORE_ROLE_WRITER), "writer");
	assert_string_equal(store_role_name(STORE_ROLE_MODERATOR), "moderator");
	assert_null(store_role_name((enum store_role)4));
	assert_int_equal(store_role_parse("moderator", &r), GZ_OK);
	assert_int_equal(r, STORE_ROLE_MODERATOR);
	assert_int_equal(store_role_parse("writer", &r), GZ_OK);
	assert_int_equal(r, STORE_ROLE_WRITER);
	assert_int_equal(store_role_parse("Admin", &r), GZ_EINVAL);
	assert_int_equal(store_role_parse("", &r), GZ_EINVAL);
	assert_int_equal(store_role_parse(NULL, &r), GZ_EINVAL);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(store_user_name_ok("ann"));
	assert_true(store_user_name_ok("ann.lee_2-x"));
	assert_true(store_user_name_ok("a"));
	assert_true(store_user_name_ok("abcdefghijklmnopqrstuvwxyz012345"));
	assert_false(store_user_name_ok("abcdefghijklmnopqrstuvwxyz0123456"));
	assert_false(store_user_name_ok(""));
	assert_false(store_user_name_ok(NULL));
	assert_false(store_user_name_ok("Ann"));
	assert_false(store_user_name_ok("ann lee"));
	assert_false(store_user_name_ok("ann@x"));
	assert_false(store_user_name_ok("ann\n"));
	assert_false(store_user_name_ok("\xc3\xa9mile"));
}

static void
test_add_get_list(void **state)
{
	struct fx *fx = *state;
	struct store_user u, *items;
	int64_t ann, bob, id = 0, n = -1;
	size_t nitems;

	assert_int_equal(store_user_count(fx->st, &n), GZ_OK);
	assert_int_equal(n, 0);
	ann = add_ok(fx, "ann", STORE_ROLE_ADMIN);
	bob = add_ok(fx, "bob", STORE_ROLE_WRITER);
	assert_int_not_equal(ann, bob);
	assert_int_equal(store_user_count(fx->st, &n), GZ_OK);
	assert_int_equal(n, 2);

	/* A taken name. */
	assert_int_equal(add(fx, "ann", STORE_ROLE_EDITOR, &id), GZ_EEXIST);
	assert_int_equal(store_user_count(fx->st, &n), GZ_OK);
	assert_int_equal(n, 2);

	assert_int_equal(store_user_get(fx->st, fx->pool, ann, &u), GZ_OK);
	assert_int_equal(u.id, ann);
	assert_string_equal(u.name, "ann");
	assert_string_equal(u.display_name, "A Person");
	assert_int_equal(u.role, STORE_ROLE_ADMIN);
	assert_string_equal(u.password_hash,
			    "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
	assert_int_equal(u.totp_secret_len, 0);
	assert_int_equal(u.totp_last_step, 0);
	assert_false(u.must_change_password);
	assert_true(u.created_at > 1600000000);
	assert_int_equal(u.last_signin_at, 0);

	assert_int_equal(store_user_by_name(fx->st, fx->pool, "bob", &u), GZ_OK);
	assert_int_equal(u.id, bob);
	assert_int_equal(u.role, STORE_ROLE_WRITER);
	assert_int_equal(store_user_by_name(fx->st, fx->pool, "cy", &u),
			 GZ_ENOTFOUND);
	assert_int_equal(store_user_get(fx->st, fx->pool, 9999, &u),
			 GZ_ENOTFOUND);

	/* Changes, then the list: by name, without hashes or secrets. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_user_display_set(fx->st, bob, "Bob Ode"), GZ_OK);
	assert_int_equal(store_user_password_set(fx->st, bob, "$new", true),
			 GZ_OK);
	assert_int_equal(store_user_signin_at(fx->st, bob, 1700000000), GZ_OK);
	assert_int_equal(store_user_totp_set(fx->st, bob,
					     (const unsigned char *)"0123456789"
					     "abcdefghij", 20), GZ_OK);
	assert_int_equal(store_user_display_set(fx->st, 9999, "x"),
			 GZ_ENOTFOUND);
	assert_int_equal(store_user_password_set(fx->st, 9999, "$x", false),
			 GZ_ENOTFOUND);
	assert_int_equal(store_user_signin_at(fx->st, 9999, 1), GZ_ENOTFOUND);
	assert_int_equal(store_user_totp_set(fx->st, 9999, NULL, 0),
			 GZ_ENOTFOUND);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(store_user_get(fx->st, fx->pool, bob, &u), GZ_OK);
	assert_string_equal(u.display_name, "Bob Ode");
	assert_string_equal(u.password_hash, "$new");
	assert_true(u.must_change_password);
	assert_int_equal(u.last_signin_at, 1700000000);
	assert_int_equal(u.totp_secret_len, 20);
	assert_memory_equal(u.totp_secret, "0123456789abcdefghij", 20);

	assert_int_equal(store_user_list(fx->st, fx->pool, &items, &nitems),
			 GZ_OK);
	assert_int_equal(nitems, 2);
	assert_string_equal(items[0].name, "ann");
	assert_string_equal(items[1].name, "bob");
	assert_string_equal(items[1].display_name, "Bob Ode");
	assert_string_equal(items[1].password_hash, "");
	assert_int_equal(items[1].totp_secret_len, 20);
	assert_memory_equal(items[1].totp_secret, "\0\0\0\0\0\0\0\0\0\0", 10);
	assert_int_equal(items[0].totp_secret_len, 0);
	assert_true(items[1].must_change_password);
}

static void
test_bad_input(void **state)
{
	struct fx *fx = *state;
	char longname[GZ_LIMIT_DISPLAY_NAME_BYTES + 2];
	struct store_user in = {
		.name = "ann",
		.role = STORE_ROLE_EDITOR,
		.password_hash = "$h",
	};
	int64_t id = 0, n = -1, ann;
	unsigned char secret[STORE_TOTP_SECRET_MAX + 1] = {0};

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	in.name = "Ann";
	assert_int_equal(store_user_add(fx->st, &in, &id), GZ_EINVAL);
	in.name = "";
	assert_int_equal(store_user_add(fx->st, &in, &id), GZ_EINVAL);
	in.name = "ann";
	in.password_hash = "";
	assert_int_equal(store_user_add(fx->st, &in, &id), GZ_EINVAL);
	in.password_hash = NULL;
	assert_int_equal(store_user_add(fx->st, &in, &id), GZ_EINVAL);
	in.password_hash = "$h";
	in.display_name = longname;
	assert_int_equal(store_user_add(fx->st, &in, &id), GZ_EINVAL);
	in.display_name = "\xff\xfe";
	assert_int_equal(store_user_add(fx->st, &in, &id), GZ_EINVAL);
	in.display_name = NULL;
	in.role = (enum store_role)9;
	assert_int_equal(store_user_add(fx->st, &in, &id), GZ_EINVAL);
	/* A display name of exactly the limit is kept. */
	longname[GZ_LIMIT_DISPLAY_NAME_BYTES] = '\0';
	in.display_name = longname;
	in.role = STORE_ROLE_ADMIN;
	assert_int_equal(store_user_add(fx->st, &in, &id), GZ_OK);
	ann = id;
	assert_int_equal(store_user_role_set(fx->st, ann, (enum store_role)9),
			 GZ_EINVAL);
	assert_int_equal(store_user_totp_set(fx->st, ann, secret,
					     sizeof(secret)), GZ_EINVAL);
	assert_int_equal(store_user_password_set(fx->st, ann, "", false),
			 GZ_EINVAL);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_user_count(fx->st, &n), GZ_OK);
	assert_int_equal(n, 1);
}

static void
test_last_admin(void **state)
{
	struct fx *fx = *state;
	struct store_user u;
	int64_t ann, bob, cy;

	ann = add_ok(fx, "ann", STORE_ROLE_ADMIN);
	bob = add_ok(fx, "bob", STORE_ROLE_EDITOR);
	cy = add_ok(fx, "cy", STORE_ROLE_WRITER);

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	/* The only admin can be neither demoted nor removed. */
	assert_int_equal(store_user_role_set(fx->st, ann, STORE_ROLE_EDITOR),
			 GZ_EFORBIDDEN);
	assert_int_equal(store_user_remove(fx->st, ann), GZ_EFORBIDDEN);
	/* Setting what it is, and changing the others, is fine. */
	assert_int_equal(store_user_role_set(fx->st, ann, STORE_ROLE_ADMIN),
			 GZ_OK);
	assert_int_equal(store_user_role_set(fx->st, cy, STORE_ROLE_MODERATOR),
			 GZ_OK);
	assert_int_equal(store_user_role_set(fx->st, 9999, STORE_ROLE_ADMIN),
			 GZ_ENOTFOUND);
	assert_int_equal(store_user_remove(fx->st, 9999), GZ_ENOTFOUND);
	/* With a second admin, the first can go. */
	assert_int_equal(store_user_role_set(fx->st, bob, STORE_ROLE_ADMIN),
			 GZ_OK);
	assert_int_equal(store_user_role_set(fx->st, ann, STORE_ROLE_WRITER),
			 GZ_OK);
	/* Now bob is the last. */
	assert_int_equal(store_user_role_set(fx->st, bob, STORE_ROLE_EDITOR),
			 GZ_EFORBIDDEN);
	assert_int_equal(store_user_remove(fx->st, bob), GZ_EFORBIDDEN);
	assert_int_equal(store_user_remove(fx->st, ann), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(store_user_get(fx->st, fx->pool, ann, &u),
			 GZ_ENOTFOUND);
	assert_int_equal(store_user_get(fx->st, fx->pool, bob, &u), GZ_OK);
	assert_int_equal(u.role, STORE_ROLE_ADMIN);
	assert_int_equal(store_user_get(fx->st, fx->pool, cy, &u), GZ_OK);
	assert_int_equal(u.role, STORE_ROLE_MODERATOR);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM users"
				 " WHERE role = 'admin'"), 1);
}

static void
test_remove_takes_sessions_and_codes(void **state)
{
	struct fx *fx = *state;
	unsigned char h1[32], h2[32], h3[32], codes[2][32];
	struct store_session sess;
	int64_t ann, bob, n = -1;

	memset(h1, 1, sizeof(h1));
	memset(h2, 2, sizeof(h2));
	memset(h3, 3, sizeof(h3));
	memset(codes[0], 7, 32);
	memset(codes[1], 8, 32);
	ann = add_ok(fx, "ann", STORE_ROLE_ADMIN);
	bob = add_ok(fx, "bob", STORE_ROLE_EDITOR);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_session_add(fx->st, h1, bob, 100, 200, true,
					   "192.0.2.1"), GZ_OK);
	assert_int_equal(store_session_add(fx->st, h2, bob, 100, 200, false,
					   ""), GZ_OK);
	assert_int_equal(store_session_add(fx->st, h3, ann, 100, 200, true,
					   NULL), GZ_OK);
	assert_int_equal(store_recovery_set(fx->st, bob,
					    (const unsigned char (*)[32])codes,
					    2), GZ_OK);
	assert_int_equal(store_recovery_set(fx->st, ann,
					    (const unsigned char (*)[32])codes,
					    1), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM sessions"), 3);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM recovery_codes"), 3);

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_user_remove(fx->st, bob), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);

	assert_int_equal(store_session_get(fx->st, fx->pool, h1, &sess),
			 GZ_ENOTFOUND);
	assert_int_equal(store_session_get(fx->st, fx->pool, h2, &sess),
			 GZ_ENOTFOUND);
	assert_int_equal(store_session_get(fx->st, fx->pool, h3, &sess), GZ_OK);
	assert_int_equal(store_recovery_count(fx->st, bob, &n), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_recovery_count(fx->st, ann, &n), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(raw_int(fx, "SELECT count(*) FROM recovery_codes"), 1);
}

static void
test_totp_step_once(void **state)
{
	struct fx *fx = *state;
	struct store_user u;
	int64_t ann;

	ann = add_ok(fx, "ann", STORE_ROLE_ADMIN);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_user_totp_set(fx->st, ann,
					     (const unsigned char *)"secret", 6),
			 GZ_OK);
	assert_int_equal(store_user_totp_step(fx->st, ann, 56666666), GZ_OK);
	/* The same code again, or an older one: refused. */
	assert_int_equal(store_user_totp_step(fx->st, ann, 56666666),
			 GZ_EEXIST);
	assert_int_equal(store_user_totp_step(fx->st, ann, 56666665),
			 GZ_EEXIST);
	/* The next step works. */
	assert_int_equal(store_user_totp_step(fx->st, ann, 56666667), GZ_OK);
	assert_int_equal(store_user_totp_step(fx->st, 9999, 56666668),
			 GZ_ENOTFOUND);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_user_get(fx->st, fx->pool, ann, &u), GZ_OK);
	assert_int_equal(u.totp_last_step, 56666667);
	assert_int_equal(u.totp_secret_len, 6);
	assert_memory_equal(u.totp_secret, "secret", 6);

	/* A new secret starts again from step 0. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_user_totp_set(fx->st, ann,
					     (const unsigned char *)"other", 5),
			 GZ_OK);
	assert_int_equal(store_user_totp_step(fx->st, ann, 56666667), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
}

static void
test_recovery_codes(void **state)
{
	struct fx *fx = *state;
	unsigned char codes[3][32], other[32];
	struct store_user u;
	int64_t ann, n = -1;

	memset(codes[0], 0xa1, 32);
	memset(codes[1], 0xa2, 32);
	memset(codes[2], 0xa3, 32);
	memset(other, 0xb0, 32);
	ann = add_ok(fx, "ann", STORE_ROLE_ADMIN);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_user_totp_set(fx->st, ann,
					     (const unsigned char *)"secret", 6),
			 GZ_OK);
	assert_int_equal(store_recovery_set(fx->st, ann,
					    (const unsigned char (*)[32])codes,
					    3), GZ_OK);
	assert_int_equal(store_recovery_set(fx->st, 9999,
					    (const unsigned char (*)[32])codes,
					    3), GZ_ENOTFOUND);
	assert_int_equal(store_recovery_set(fx->st, ann,
					    (const unsigned char (*)[32])codes,
					    GZ_LIMIT_RECOVERY_CODES + 1),
			 GZ_EINVAL);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_recovery_count(fx->st, ann, &n), GZ_OK);
	assert_int_equal(n, 3);

	/* Each code works once; a code never given does not. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_recovery_use(fx->st, ann, codes[1]), GZ_OK);
	assert_int_equal(store_recovery_use(fx->st, ann, codes[1]),
			 GZ_ENOTFOUND);
	assert_int_equal(store_recovery_use(fx->st, ann, other), GZ_ENOTFOUND);
	assert_int_equal(store_recovery_use(fx->st, 9999, codes[0]),
			 GZ_ENOTFOUND);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_recovery_count(fx->st, ann, &n), GZ_OK);
	assert_int_equal(n, 2);

	/* A new set replaces the old one. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_recovery_set(fx->st, ann,
					    (const unsigned char (*)[32])&other,
					    1), GZ_OK);
	assert_int_equal(store_recovery_use(fx->st, ann, codes[0]),
			 GZ_ENOTFOUND);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_recovery_count(fx->st, ann, &n), GZ_OK);
	assert_int_equal(n, 1);

	/* Removing the second factor removes its codes, resets the step. */
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_user_totp_step(fx->st, ann, 77), GZ_OK);
	assert_int_equal(store_user_totp_set(fx->st, ann, NULL, 0), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_recovery_count(fx->st, ann, &n), GZ_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_user_get(fx->st, fx->pool, ann, &u), GZ_OK);
	assert_int_equal(u.totp_secret_len, 0);
	assert_int_equal(u.totp_last_step, 0);
	assert_int_equal(raw_int(fx, "SELECT totp_secret IS NULL FROM users"),
			 1);
}

/* A failed recovery_set leaves the old codes: it is all or nothing. */
static void
test_recovery_set_whole(void **state)
{
	struct fx *fx = *state;
	unsigned char codes[2][32];
	int64_t ann, n = -1;

	memset(codes[0], 0xc1, 32);
	memset(codes[1], 0xc1, 32);
	ann = add_ok(fx, "ann", STORE_ROLE_ADMIN);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_recovery_set(fx->st, ann,
					    (const unsigned char (*)[32])codes,
					    1), GZ_OK);
	memset(codes[0], 0xc2, 32);
	memset(codes[1], 0xc2, 32);
	/* The same hash twice: refused, and the first set stays. */
	assert_int_equal(store_recovery_set(fx->st, ann,
					    (const unsigned char (*)[32])codes,
					    2), GZ_EEXIST);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	assert_int_equal(store_recovery_count(fx->st, ann, &n), GZ_OK);
	assert_int_equal(n, 1);
	memset(codes[0], 0xc1, 32);
	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_recovery_use(fx->st, ann, codes[0]), GZ_OK);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_add_get_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_takes_sessions_and_codes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_totp_step_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recovery_codes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recovery_set_whole, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("store_user", tests, NULL, NULL);
}
