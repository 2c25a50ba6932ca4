/*
 * fuzz_search_query.c - libFuzzer target for the search box
 * (src/site/search_query.c): the input, made valid UTF-8 as /search makes
 * it (utf8_scrub), becomes an FTS5 query, which FTS5 must then accept:
 * it is run against a small FTS5 table in memory, and an error from
 * SQLite is a finding. Also: at most GZ_LIMIT_SEARCH_TERMS terms, and
 * nothing to search for only when no term was kept.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "fuzz.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

static sqlite3 *db;
static sqlite3_stmt *stmt;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, b, c,"
			 " tokenize = 'unicode61 remove_diacritics 2');"
			 "INSERT INTO t VALUES ('Council approves river bridge',"
			 " 'café', 'کتابخانه');",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1",
			       -1, &stmt, NULL) != SQLITE_OK)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = fuzz_strdup(data, size);
	struct pool *pool = pool_new(1u << 20);
	struct buf b;
	const char *q;
	size_t terms = 0;
	bool cut = false;
	int rc;

	if (!pool)
		abort();
	if (!(q = utf8_scrub(pool, raw)))
		goto out; /* larger than the pool: /search's pool is bigger */
	buf_init(&b, 4 * GZ_LIMIT_SEARCH_BYTES + 4 * GZ_LIMIT_SEARCH_TERMS);
	rc = site_search_query(&b, q, &terms, &cut);
	if (terms > GZ_LIMIT_SEARCH_TERMS || (rc == GZ_OK) != (terms > 0))
		abort();
	if (rc == GZ_OK) {
		sqlite3_bind_text(stmt, 1, b.data, (int)b.len, SQLITE_STATIC);
		if (sqlite3_step(stmt) != SQLITE_ROW) {
			fprintf(stderr, "FTS5 refused %s: %s\n", b.data,
				sqlite3_errmsg(db));
			abort();
		}
		sqlite3_reset(stmt);
	}
	buf_fini(&b);
out:
	pool_free(pool);
	free(raw);
	return 0;
}
