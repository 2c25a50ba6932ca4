/*
 * setting.c - the site settings an admin changed in the browser: keys as
 * "section.key" ("site.title"), values as config_set takes them, laid
 * over gazette.conf when the server loads its configuration.
 *
 * Data flow: the admin's settings page writes store_setting_put inside
 * its transaction; the server reads store_setting_list at start and when
 * it hears "settings", which every write fires (through the change feed
 * too, so a change from another process reaches a running server).
 *
 * Invariants:
 * - Keys and values are valid UTF-8, keys 1 to GZ_LIMIT_SETTING_KEY_BYTES
 *   bytes, values at most GZ_LIMIT_CONFIG_BYTES; the store does not judge
 *   what a key means (config/ does, and refuses what it does not know).
 */
#include <assert.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

int
store_setting_list(struct store *st, struct pool *pool,
		   struct store_setting **items, size_t *n)
{
	static const char sql[] = "SELECT key, value FROM settings ORDER BY key";
	struct store_setting *arr = NULL;
	struct store_conn *c;
	struct db_stmt *s;
	size_t cap = 0, len = 0;
	int err = GZ_OK, rc;

	assert(st && pool && items && n);
	*items = NULL;
	*n = 0;
	if ((err = store_reader(st, &c)) != GZ_OK ||
	    (err = store_stmt(c, STMT_SETTING_LIST, sql, &s)) != GZ_OK)
		return err;
	while ((rc = db_step(s)) == DB_ROW) {
		void *p = store_grow(pool, arr, &cap, len, sizeof(*arr));

		if (!p) {
			err = GZ_ENOMEM;
			goto out;
		}
		arr = p;
		arr[len].key = store_col_text(pool, s, 0);
		arr[len].value = store_col_text(pool, s, 1);
		if (!arr[len].key || !arr[len].value) {
			err = GZ_ENOMEM;
			goto out;
		}
		len++;
	}
	if (rc != DB_DONE) {
		err = store_err(c, rc, sql);
		goto out;
	}
	*items = arr;
	*n = len;
out:
	store_stmt_done(s);
	return err;
}

int
store_setting_put(struct store *st, const char *key, const char *value)
{
	static const char put_sql[] =
		"INSERT INTO settings (key, value) VALUES (?1, ?2)"
		" ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	static const char delete_sql[] = "DELETE FROM settings WHERE key = ?1";
	struct store_conn *c = store_writer(st);
	struct db_stmt *s;
	int err, rc;

	if (!key || !*key || strlen(key) > GZ_LIMIT_SETTING_KEY_BYTES ||
	    !store_utf8_ok(key))
		return GZ_EINVAL;
	if (value && (strlen(value) > GZ_LIMIT_CONFIG_BYTES ||
		      !store_utf8_ok(value)))
		return GZ_EINVAL;
	if (!value) {
		err = store_stmt_bind_text(c, STMT_SETTING_DELETE, delete_sql,
					   key, &s);
		if (err == GZ_OK)
			err = store_stmt_run(c, s);
	} else {
		err = store_stmt_bind_text(c, STMT_SETTING_PUT, put_sql, key, &s);
		if (err != GZ_OK)
			return err;
		if ((rc = store_bind_text(s, 2, value)) != DB_OK) {
			err = store_err(c, rc, put_sql);
			store_stmt_done(s);
			return err;
		}
		err = store_stmt_run(c, s);
	}
	if (err != GZ_OK)
		return err;
	/* Removing a key that was not there changes nothing to hear of. */
	if (db_changes(c) == 0)
		return GZ_OK;
	return store_keys_add(st, "settings", "");
}
