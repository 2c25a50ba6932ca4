/*
 * test_store_setting.c - tests of src/store/setting.c: settings put,
 * replaced and removed, listed by key, bad keys and values refused, and
 * the "settings" change key each write fires after its commit (and a
 * rollback, or removing a key that is not there, does not).
 *
 * A listener collects the keys of each firing, as in
 * test_store_events.c; each test works in its own mkdtemp directory.
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
	/* What the listener heard: how often, and the last firing's keys
	 * joined by spaces. */
	int fired;
	char keys[1024];
};

static void
listener(void *ctx, const char *const *keys, size_t nkeys)
{
	struct fx *fx = ctx;
	size_t i, len = 0;

	fx->fired++;
	fx->keys[0] = '\0';
	for (i = 0; i < nkeys; i++) {
		int n = snprintf(fx->keys + len, sizeof(fx->keys) - len, "%s%s",
				 i ? " " : "", keys[i]);

		assert_true(n > 0 && (size_t)n < sizeof(fx->keys) - len);
		len += (size_t)n;
	}
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-setting-XXXXXX");
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_non_null(fx->pool = pool_new(1u << 20));
	store_events_listen(fx->st, listener, fx);
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

/* Puts key = value (NULL: removes) in its own transaction. */
static int
put(struct fx *fx, const char *key, const char *value)
{
	int err;

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	err = store_setting_put(fx->st, key, value);
	assert_int_equal(store_tx_commit(fx->st), GZ_OK);
	return err;
}

/* The settings as "key=value" joined by spaces, into buf. */
static const char *
listed(struct fx *fx, char *buf, size_t len)
{
	struct store_setting *items;
	size_t n, i, used = 0;

	assert_int_equal(store_setting_list(fx->st, fx->pool, &items, &n),
			 GZ_OK);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%s=%s",
				 i ? " " : "", items[i].key, items[i].value);

		assert_true(w > 0 && (size_t)w < len - used);
		used += (size_t)w;
	}
	return buf;
}

static void
test_put_replace_delete(void **state)
{
	struct fx *fx = *state;
	char buf[512];

	assert_string_equal(listed(fx, buf, sizeof(buf)), "");
	assert_int_equal(put(fx, "site.title", "The Riverton Ledger"), GZ_OK);
	assert_int_equal(fx->fired, 1);
	assert_string_equal(fx->keys, "settings");
	assert_int_equal(put(fx, "comments.hold_words", "casino, pills"),
			 GZ_OK);
	assert_int_equal(fx->fired, 2);
	assert_string_equal(listed(fx, buf, sizeof(buf)),
			    "comments.hold_words=casino, pills"
			    " site.title=The Riverton Ledger");

	/* Replaced, not added. */
	assert_int_equal(put(fx, "site.title", "The Ledger"), GZ_OK);
	assert_int_equal(fx->fired, 3);
	assert_string_equal(fx->keys, "settings");
	assert_string_equal(listed(fx, buf, sizeof(buf)),
			    "comments.hold_words=casino, pills"
			    " site.title=The Ledger");
	/* An empty value is a value. */
	assert_int_equal(put(fx, "comments.hold_words", ""), GZ_OK);
	assert_string_equal(listed(fx, buf, sizeof(buf)),
			    "comments.hold_words= site.title=The Ledger");

	/* Removed; removing again changes nothing and fires nothing. */
	assert_int_equal(put(fx, "site.title", NULL), GZ_OK);
	assert_int_equal(fx->fired, 5);
	assert_string_equal(fx->keys, "settings");
	assert_string_equal(listed(fx, buf, sizeof(buf)),
			    "comments.hold_words=");
	assert_int_equal(put(fx, "site.title", NULL), GZ_OK);
	assert_int_equal(fx->fired, 5);
}

static void
test_rollback_fires_nothing(void **state)
{
	struct fx *fx = *state;
	char buf[512];

	assert_int_equal(store_tx_begin(fx->st), GZ_OK);
	assert_int_equal(store_setting_put(fx->st, "site.title", "X"), GZ_OK);
	store_tx_rollback(fx->st);
	assert_int_equal(fx->fired, 0);
	assert_string_equal(listed(fx, buf, sizeof(buf)), "");
}

static void
test_bad_input(void **state)
{
	struct fx *fx = *state;
	char key[GZ_LIMIT_SETTING_KEY_BYTES + 2];
	char *value;
	char buf[512];

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_non_null(value = malloc(GZ_LIMIT_CONFIG_BYTES + 2));
	memset(value, 'v', GZ_LIMIT_CONFIG_BYTES + 1);
	value[GZ_LIMIT_CONFIG_BYTES + 1] = '\0';

	assert_int_equal(put(fx, "", "x"), GZ_EINVAL);
	assert_int_equal(put(fx, NULL, "x"), GZ_EINVAL);
	assert_int_equal(put(fx, key, "x"), GZ_EINVAL);
	assert_int_equal(put(fx, "site.\xff", "x"), GZ_EINVAL);
	assert_int_equal(put(fx, "site.title", "\xc3("), GZ_EINVAL);
	assert_int_equal(put(fx, "site.title", value), GZ_EINVAL);
	assert_int_equal(fx->fired, 0);
	assert_string_equal(listed(fx, buf, sizeof(buf)), "");

	/* At the limits: kept. */
	key[GZ_LIMIT_SETTING_KEY_BYTES] = '\0';
	value[GZ_LIMIT_CONFIG_BYTES] = '\0';
	assert_int_equal(put(fx, key, value), GZ_OK);
	assert_int_equal(fx->fired, 1);
	free(value);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_replace_delete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rollback_fires_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_setting", tests, NULL, NULL);
}
