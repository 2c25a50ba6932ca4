/*
 * test_store_migrate.c - tests of src/store/migrate.c: a SQLite site with
 * rows in every table copied into PostgreSQL (GAZETTE_TEST_PG, a fresh
 * schema per test through search_path in the URL) and read back through
 * the store API there; a second copy into the now full target refused,
 * changing nothing; a copy failing at its last table leaving the target
 * empty; the table list held to both schemas, so that a new table or
 * column without a copy rule fails here; and URLs shown without their
 * passwords.
 *
 * Without GAZETTE_TEST_PG the tests that need the server say so and
 * skip; the SQLite half of the table list and the URLs run anyway.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

/* The table list and its static helpers. */
#include "../../src/store/migrate.c"

#include "util/pool.h"

#define NOW INT64_C(1621362660)
#define HASH_A "0123456789abcdef0123456789abcdef"
#define HASH_B "fedcba9876543210fedcba9876543210"
#define PW_HASH "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA"

struct fx {
	char dir[64];
	char db[512];
	char url[1024];       /* the test's schema on the server, or "" */
	char schema[64];
	const char *server;   /* GAZETTE_TEST_PG, or NULL */
	struct pool *pool;
	int64_t article, comment, reply, media, user;
	unsigned char session[32];
};

/* PostgreSQL's notices ("drop cascades to ...") are not the test's. */
static void
pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs sql on url (the test's schema when it is fx->url). */
static void
pg_exec(const char *url, const char *sql)
{
	PGconn *pg = PQconnectdb(url);
	PGresult *res;

	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	PQsetNoticeProcessor(pg, pg_quiet, NULL);
	res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(pg);
}

/* The rows of table on fx's schema. */
static long long
pg_count(struct fx *fx, const char *table)
{
	char sql[128];
	PGconn *pg = PQconnectdb(fx->url);
	PGresult *res;
	long long n;

	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	res = PQexec(pg, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(res));
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	PQfinish(pg);
	return n;
}

static int
setup(void **state)
{
	struct fx *fx;
	const char *base;
	size_t i = 0;
	int n;

	assert_non_null(fx = calloc(1, sizeof(*fx)));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/gz-migrate-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	n = snprintf(fx->db, sizeof(fx->db), "%s/gazette.db", fx->dir);
	assert_true(n > 0 && (size_t)n < sizeof(fx->db));
	assert_non_null(fx->pool = pool_new(1 << 20));
	fx->server = getenv("GAZETTE_TEST_PG");
	if (fx->server && !*fx->server)
		fx->server = NULL;
	if (fx->server) {
		char sql[128];

		/* "m_" and the directory's last part, lowercased. */
		base = strrchr(fx->dir, '/') + 1;
		fx->schema[i++] = 'm';
		fx->schema[i++] = '_';
		for (; *base && i + 1 < sizeof(fx->schema); base++)
			fx->schema[i++] = isalnum((unsigned char)*base)
					  ? (char)tolower((unsigned char)*base)
					  : '_';
		fx->schema[i] = '\0';
		snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", fx->schema);
		pg_exec(fx->server, sql);
		n = snprintf(fx->url, sizeof(fx->url),
			     "%s%soptions=-csearch_path%%3D%s", fx->server,
			     strchr(fx->server, '?') ? "&" : "?", fx->schema);
		assert_true(n > 0 && (size_t)n < sizeof(fx->url));
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	struct dirent *de;
	char p[600];
	DIR *d;

	if (fx->server) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", fx->schema);
		pg_exec(fx->server, sql);
	}
	if ((d = opendir(fx->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", fx->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(fx->dir);
	pool_free(fx->pool);
	free(fx);
	return 0;
}

#define NEED_SERVER(fx)                                                   \
	do {                                                              \
		if (!(fx)->server) {                                      \
			print_message("GAZETTE_TEST_PG is not set: no "   \
				      "PostgreSQL to migrate to\n");     \
			skip();                                           \
		}                                                         \
	} while (0)

/* Fills fx->db with rows in every copied table, through the store. */
static void
fill(struct fx *fx)
{
	static const int widths[] = {320, 640};
	static const char *const tags[] = {"Transport", "Weather"};
	static const unsigned char nonce[16] = "nonce-0123456789";
	static const unsigned char ckey[32] = "commenter-key-0123456789abcdef!";
	static const unsigned char codes[2][32] = {"recovery-one", "recovery-two"};
	static const unsigned char totp[20] = "totp-secret-20-bytes";
	struct store_media_input m = {
		.hash = HASH_A, .format = "jpeg", .width = 800, .height = 600,
		.bytes = 12345, .widths = widths, .nwidths = 2,
		.alt = "A zeppelin over the river", .caption = "Up it goes",
		.credit = "Photo: Ann Lee", .actor = "import",
	};
	struct store_article_input a = {
		.import_key = "zeppelin.md",
		.headline = "Zeppelin returns to Riverton",
		.summary = "An airship over the valley.",
		.body = "The airship ![x](/media/01/" HASH_A "-640.jpg) "
			"floated in.",
		.byline = "By Ann Lee and Ben Ode",
		.dateline = "RIVERTON",
		.section = "City",
		.status = STORE_PUBLISHED,
		.published_at = NOW - 60,
		.tags = tags,
		.ntags = 2,
	};
	struct store_comment_input c = {
		.author = "Cora", .email = "cora@example.com",
		.body = "Saw it from the bridge.", .ip = "192.0.2.1",
		.status = STORE_COMMENT_APPROVED, .created_at = NOW,
		.nonce = nonce, .nonce_len = sizeof(nonce),
		.nonce_expires_at = NOW + 3600,
	};
	struct store_user u = {
		.name = "ann", .display_name = "Ann Lee",
		.role = STORE_ROLE_EDITOR, .password_hash = PW_HASH,
	};
	struct store *st = NULL;
	int64_t id, gone;
	bool created;

	assert_int_equal(store_open(fx->db, &st), GZ_OK);
	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(store_pages_seed(st), GZ_OK);
	assert_int_equal(store_media_add(st, &m, &fx->media, &created), GZ_OK);
	/* A photo added and deleted: the media counter passes max(id). */
	m.hash = HASH_B;
	assert_int_equal(store_media_add(st, &m, &gone, &created), GZ_OK);
	assert_int_equal(store_media_delete(st, gone), GZ_OK);
	a.image_id = fx->media;
	assert_int_equal(store_article_put(st, &a, &fx->article, &created),
			 GZ_OK);
	/* A second save: a second revision. */
	a.summary = "An airship over the valley, again.";
	a.actor = "admin:ann";
	assert_int_equal(store_article_put(st, &a, &id, &created), GZ_OK);
	c.article_id = fx->article;
	assert_int_equal(store_comment_insert(st, &c, &fx->comment), GZ_OK);
	c.parent_id = fx->comment;
	c.nonce = NULL;
	/* The browser a moderator approves: trusted from then on. */
	c.commenter_key = ckey;
	c.commenter_key_len = sizeof(ckey);
	c.author = "Dan";
	c.body = "So did I.";
	c.status = STORE_COMMENT_PENDING;
	assert_int_equal(store_comment_insert(st, &c, &fx->reply), GZ_OK);
	assert_int_equal(store_comment_set_status(st, fx->reply,
						  STORE_COMMENT_APPROVED,
						  "cli:root", NOW),
			 GZ_OK);
	assert_int_equal(store_user_add(st, &u, &fx->user), GZ_OK);
	assert_int_equal(store_user_totp_set(st, fx->user, totp, sizeof(totp)),
			 GZ_OK);
	assert_int_equal(store_recovery_set(st, fx->user, codes, 2), GZ_OK);
	memset(fx->session, 0xab, sizeof(fx->session));
	assert_int_equal(store_session_add(st, fx->session, fx->user, NOW,
					   NOW + 86400, true, "192.0.2.9"),
			 GZ_OK);
	assert_int_equal(store_correction_add(st, fx->article,
					      "The airship is blue.",
					      "admin:ann", NOW, &id),
			 GZ_OK);
	assert_int_equal(store_audit_add(st, "admin:ann", "edit",
					 "article:1", "", "192.0.2.9", NOW),
			 GZ_OK);
	assert_int_equal(store_setting_put(st, "site.title", "The Riverton Post"),
			 GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	store_close(st);
}

/* store_migrate_to, its sentence shown when it fails unexpectedly. */
static int
migrate(struct fx *fx, store_migrate_report_fn fn, void *ctx, char *msg,
	size_t msglen, int expect)
{
	int err = store_migrate_to(fx->db, fx->url, fn, ctx, msg, msglen);

	if (err != expect)
		fail_msg("migrate: %s (%s)", gz_strerror(err), msg);
	return err;
}

/* What a report heard. */
struct tally {
	size_t tables, skipped;
	int64_t rows;
	int64_t articles, comments;
};

static void
on_table(void *ctx, const char *table, int64_t rows, const char *skipped)
{
	struct tally *t = ctx;

	if (skipped) {
		t->skipped++;
		return;
	}

	/* Every table of fill's site holds rows. */
	if (rows == 0)
		fail_msg("table %s copied no row", table);
	t->tables++;
	t->rows += rows;
	if (strcmp(table, "articles") == 0)
		t->articles = rows;
	if (strcmp(table, "comments") == 0)
		t->comments = rows;
}

static void
test_copies_and_reads_back(void **state)
{
	struct fx *fx = *state;
	struct tally tally = {0};
	struct store *st = NULL;
	struct store_article art;
	struct store_revision *revs;
	struct store_comment *cs;
	struct store_user u;
	struct store_session se;
	struct store_media med;
	struct store_search_hit *hits;
	struct store_setting *sets;
	struct store_page page;
	struct store_media_input m = {
		.hash = "ffffffffffffffffffffffffffffffff", .format = "png",
		.width = 10, .height = 10, .bytes = 10, .decorative = true,
		.actor = "test",
	};
	char msg[512];
	size_t n, total;
	int64_t id;
	bool capped, created;

	NEED_SERVER(fx);
	fill(fx);
	migrate(fx, on_table, &tally, msg, sizeof(msg), GZ_OK);
	assert_int_equal(tally.tables, MIGRATE_NTABLES);
	assert_int_equal(tally.skipped, 2); /* articles_fts*, changes */
	assert_int_equal(tally.articles, 1);
	assert_int_equal(tally.comments, 2);

	assert_int_equal(store_open(fx->url, &st), GZ_OK);
	assert_int_equal(store_article_get(st, fx->pool, fx->article, NOW,
					   &art),
			 GZ_OK);
	assert_string_equal(art.headline, "Zeppelin returns to Riverton");
	assert_string_equal(art.section_name, "City");
	assert_int_equal(art.ntags, 2);
	assert_int_equal(art.nauthors, 2);
	assert_int_equal(art.comment_count, 2);
	assert_non_null(art.image);
	assert_int_equal(art.image->id, fx->media);
	assert_int_equal(store_revision_list(st, fx->pool, fx->article, &revs,
					     &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_comment_list(st, fx->pool, fx->article, &cs, &n),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(cs[0].id, fx->comment);
	assert_int_equal(cs[1].parent_id, fx->comment);
	assert_string_equal(cs[1].body, "So did I.");
	/* The reader's browser is still trusted (a bytea key). */
	{
		static const unsigned char ckey[32] =
			"commenter-key-0123456789abcdef!";
		bool known = false;

		assert_int_equal(store_commenter_known(st, ckey, sizeof(ckey),
						       &known),
				 GZ_OK);
		assert_true(known);
	}
	/* The editor signs in by her hash, with her second factor. */
	assert_int_equal(store_user_by_name(st, fx->pool, "ann", &u), GZ_OK);
	assert_string_equal(u.password_hash, PW_HASH);
	assert_int_equal(u.totp_secret_len, 20);
	assert_memory_equal(u.totp_secret, "totp-secret-20-bytes", 20);
	assert_int_equal(store_session_get(st, fx->pool, fx->session, &se),
			 GZ_OK);
	assert_int_equal(se.user_id, fx->user);
	assert_true(se.second_factor);
	assert_int_equal(store_recovery_count(st, fx->user, &id), GZ_OK);
	assert_int_equal(id, 2);
	/* The photo, used as lead image and inline. */
	assert_int_equal(store_media_get(st, fx->pool, fx->media, &med), GZ_OK);
	assert_string_equal(med.alt, "A zeppelin over the river");
	assert_int_equal(med.nwidths, 2);
	assert_int_equal(med.uses, 1);
	/* Search: PostgreSQL's generated tsvector, from the copied rows. */
	assert_int_equal(store_search(st, fx->pool, NOW, "\"airship\"", 10, 0,
				      &hits, &n, &total, &capped),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].article.id, fx->article);
	assert_int_equal(store_page_get(st, fx->pool, "about", &page), GZ_OK);
	assert_int_equal(store_setting_list(st, fx->pool, &sets, &n), GZ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(sets[0].value, "The Riverton Post");
	/* New ids follow the copied ones: a photo's past the deleted one
	 * (2), a comment's past the reply. */
	assert_int_equal(store_media_add(st, &m, &id, &created), GZ_OK);
	assert_int_equal(id, 3);
	assert_int_equal(store_tx_begin(st), GZ_OK);
	{
		struct store_comment_input c = {
			.article_id = fx->article, .author = "Eve",
			.body = "Third.", .status = STORE_COMMENT_PENDING,
			.created_at = NOW,
		};

		assert_int_equal(store_comment_insert(st, &c, &id), GZ_OK);
	}
	assert_int_equal(store_tx_commit(st), GZ_OK);
	assert_true(id > fx->reply);
	store_close(st);
	/* The source is as it was. */
	assert_int_equal(store_open(fx->db, &st), GZ_OK);
	assert_int_equal(store_article_count(st, &id), GZ_OK);
	assert_int_equal(id, 1);
	store_close(st);
}

static void
test_refuses_a_full_target(void **state)
{
	struct fx *fx = *state;
	struct tally tally = {0};
	char msg[512];

	NEED_SERVER(fx);
	fill(fx);
	assert_int_equal(store_migrate_to(fx->db, fx->url, NULL, NULL, msg,
					  sizeof(msg)),
			 GZ_OK);
	migrate(fx, on_table, &tally, msg, sizeof(msg), GZ_EEXIST);
	assert_non_null(strstr(msg, "already holds rows"));
	assert_non_null(strstr(msg, "nothing was written"));
	assert_int_equal(tally.tables, 0);
	assert_int_equal(pg_count(fx, "articles"), 1);
	assert_int_equal(pg_count(fx, "comments"), 2);
	assert_int_equal(pg_count(fx, "revisions"), 2);
	assert_int_equal(pg_count(fx, "pages"), 4);
}

static void
test_failure_leaves_target_empty(void **state)
{
	struct fx *fx = *state;
	struct tally tally = {0};
	struct store *st = NULL;
	char msg[512];
	size_t i;

	NEED_SERVER(fx);
	fill(fx);
	/* The target's schema, and a rule its last table breaks. */
	assert_int_equal(store_open(fx->url, &st), GZ_OK);
	store_close(st);
	assert_string_equal(migrate_tables[MIGRATE_NTABLES - 1].name,
			    "settings");
	pg_exec(fx->url, "ALTER TABLE settings ADD CONSTRAINT no_title"
			 " CHECK (key <> 'site.title')");
	migrate(fx, on_table, &tally, msg, sizeof(msg), GZ_EDB);
	assert_non_null(strstr(msg, "settings"));
	assert_non_null(strstr(msg, "nothing was written"));
	assert_int_equal(tally.tables, 0);
	for (i = 0; i < MIGRATE_NTABLES; i++)
		if (pg_count(fx, migrate_tables[i].name) != 0)
			fail_msg("%s holds rows", migrate_tables[i].name);
	/* Without the rule, the same copy goes through. */
	pg_exec(fx->url, "ALTER TABLE settings DROP CONSTRAINT no_title");
	assert_int_equal(store_migrate_to(fx->db, fx->url, NULL, NULL, msg,
					  sizeof(msg)),
			 GZ_OK);
	assert_int_equal(pg_count(fx, "settings"), 1);
}

static void
test_refuses_what_it_cannot_copy(void **state)
{
	struct fx *fx = *state;
	char msg[512];

	assert_int_equal(store_migrate_to(fx->db, "/tmp/other.db", NULL, NULL,
					  msg, sizeof(msg)),
			 GZ_EINVAL);
	assert_non_null(strstr(msg, "postgresql://"));
	/* No site: nothing made, and the server is not needed to say so. */
	assert_int_equal(store_migrate_to(fx->db, "postgresql:///nowhere",
					  NULL, NULL, msg, sizeof(msg)),
			 GZ_ENOTFOUND);
	assert_int_equal(access(fx->db, F_OK), -1);
}

/* Whether name is a table migrate copies (its entry) or skips. */
static const struct migrate_table *
table_find(const char *name, bool *skipped)
{
	size_t i, n;

	*skipped = false;
	for (i = 0; i < MIGRATE_NTABLES; i++)
		if (strcmp(migrate_tables[i].name, name) == 0)
			return &migrate_tables[i];
	for (i = 0; i < sizeof(migrate_skipped) / sizeof(migrate_skipped[0]);
	     i++) {
		n = strlen(migrate_skipped[i].name);
		if (migrate_skipped[i].name[n - 1] == '*'
			    ? strncmp(migrate_skipped[i].name, name, n - 1) == 0
			    : strcmp(migrate_skipped[i].name, name) == 0)
			*skipped = true;
	}
	return NULL;
}

/* The type letter of column col in t's list, or 0 when t lists none. */
static char
table_col_type(const struct migrate_table *t, const char *col)
{
	const char *p = t->cols;
	size_t i, len;

	for (i = 0; t->types[i]; i++) {
		len = strcspn(p, ",");
		if (len == strlen(col) && strncmp(p, col, len) == 0)
			return t->types[i];
		p += len;
		p += strspn(p, ", ");
	}
	return 0;
}

/* The columns t lists. */
static size_t
table_ncols(const struct migrate_table *t)
{
	size_t n = 1;
	const char *p;

	for (p = t->cols; *p; p++)
		n += *p == ',';
	assert_int_equal(n, strlen(t->types));
	return n;
}

/* SQLite's schema 14: every table copied or skipped; every copied
 * table's columns, and only those, with their types. */
static void
check_sqlite_schema(struct fx *fx)
{
	struct store *st = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL, *c = NULL;
	const struct migrate_table *t;
	char sql[128], want;
	const char *type;
	size_t seen[MIGRATE_NTABLES] = {0}, cols, i;
	bool skipped;

	assert_int_equal(store_open(fx->db, &st), GZ_OK);
	store_close(st);
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT name FROM sqlite_master"
					    " WHERE type = 'table'",
					    -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		t = table_find(name, &skipped);
		if (!t && !skipped)
			fail_msg("SQLite table %s has no copy rule", name);
		if (!t)
			continue;
		seen[t - migrate_tables]++;
		snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", name);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &c, NULL),
				 SQLITE_OK);
		cols = 0;
		while (sqlite3_step(c) == SQLITE_ROW) {
			const char *col = (const char *)sqlite3_column_text(c, 1);

			type = (const char *)sqlite3_column_text(c, 2);
			want = strcmp(type, "INTEGER") == 0 ? 'i'
			       : strcmp(type, "TEXT") == 0  ? 't'
			       : strcmp(type, "BLOB") == 0  ? 'b'
							    : '?';
			if (table_col_type(t, col) != want)
				fail_msg("SQLite %s.%s (%s) is not copied as "
					 "such", name, col, type);
			cols++;
		}
		sqlite3_finalize(c);
		assert_int_equal(cols, table_ncols(t));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	for (i = 0; i < MIGRATE_NTABLES; i++)
		if (seen[i] != 1)
			fail_msg("%s is not a table of SQLite's",
				 migrate_tables[i].name);
}

/* PostgreSQL's migration 1: the same, its generated search left out,
 * and the identity columns where the list says. */
static void
check_pg_schema(struct fx *fx)
{
	struct store *st = NULL;
	const struct migrate_table *t;
	PGconn *pg;
	PGresult *res, *cres;
	size_t seen[MIGRATE_NTABLES] = {0}, cols, i;
	int r, k;
	bool skipped;

	assert_int_equal(store_open(fx->url, &st), GZ_OK);
	store_close(st);
	pg = PQconnectdb(fx->url);
	assert_int_equal(PQstatus(pg), CONNECTION_OK);
	res = PQexec(pg, "SELECT table_name FROM information_schema.tables"
			 " WHERE table_schema = current_schema()"
			 " AND table_type = 'BASE TABLE'");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	for (r = 0; r < PQntuples(res); r++) {
		const char *name = PQgetvalue(res, r, 0);
		const char *params[1] = {name};

		t = table_find(name, &skipped);
		if (!t && !skipped)
			fail_msg("PostgreSQL table %s has no copy rule", name);
		if (!t)
			continue;
		seen[t - migrate_tables]++;
		cres = PQexecParams(pg,
				    "SELECT column_name, data_type, is_identity,"
				    " is_generated FROM information_schema.columns"
				    " WHERE table_schema = current_schema()"
				    " AND table_name = $1",
				    1, NULL, params, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(cres), PGRES_TUPLES_OK);
		cols = 0;
		for (k = 0; k < PQntuples(cres); k++) {
			const char *col = PQgetvalue(cres, k, 0);
			const char *type = PQgetvalue(cres, k, 1);
			char want;

			if (strcmp(PQgetvalue(cres, k, 3), "ALWAYS") == 0) {
				/* Generated (articles.search): never written. */
				if (table_col_type(t, col))
					fail_msg("%s.%s is generated", name, col);
				continue;
			}
			want = strcmp(type, "bigint") == 0  ? 'i'
			       : strcmp(type, "text") == 0  ? 't'
			       : strcmp(type, "bytea") == 0 ? 'b'
							    : '?';
			if (table_col_type(t, col) != want)
				fail_msg("PostgreSQL %s.%s (%s) is not copied "
					 "as such", name, col, type);
			if ((strcmp(PQgetvalue(cres, k, 2), "YES") == 0) !=
			    (t->identity && strcmp(col, "id") == 0))
				fail_msg("%s.%s: identity differs from the "
					 "list", name, col);
			cols++;
		}
		PQclear(cres);
		assert_int_equal(cols, table_ncols(t));
	}
	PQclear(res);
	PQfinish(pg);
	for (i = 0; i < MIGRATE_NTABLES; i++)
		if (seen[i] != 1)
			fail_msg("%s is not a table of PostgreSQL's",
				 migrate_tables[i].name);
}

static void
test_table_list_covers_both_schemas(void **state)
{
	struct fx *fx = *state;
	size_t i;

	for (i = 0; i < MIGRATE_NTABLES; i++) {
		(void)table_ncols(&migrate_tables[i]);
		/* An identity's id is the first column: its largest is
		 * read from column 0. */
		if (migrate_tables[i].identity)
			assert_int_equal(strncmp(migrate_tables[i].cols, "id,",
						 3),
					 0);
	}
	check_sqlite_schema(fx);
	if (!fx->server) {
		print_message("GAZETTE_TEST_PG is not set: PostgreSQL's "
			      "schema not checked\n");
		return;
	}
	check_pg_schema(fx);
}

static void
test_url_redact(void **state)
{
	char out[256];

	(void)state;
	assert_true(store_url_redact("postgresql://ann:s3cret@db.example:5432"
				     "/news",
				     out, sizeof(out)));
	assert_string_equal(out, "postgresql://ann:***@db.example:5432/news");
	assert_false(store_url_redact("postgresql:///gazette_test?host=/tmp/x"
				      "&user=gazette",
				      out, sizeof(out)));
	assert_string_equal(out,
			    "postgresql:///gazette_test?host=/tmp/x&user=gazette");
	assert_true(store_url_redact("postgres://db/news?user=ann&password=pw"
				     "&sslmode=require",
				     out, sizeof(out)));
	assert_string_equal(out, "postgres://db/news?user=ann&password=***"
				 "&sslmode=require");
	assert_false(store_url_redact("postgresql://ann@db/news", out,
				      sizeof(out)));
	assert_string_equal(out, "postgresql://ann@db/news");
	/* An '@' in the password itself: the last one ends the userinfo. */
	assert_true(store_url_redact("postgresql://ann:p@ss@db/news", out,
				     sizeof(out)));
	assert_string_equal(out, "postgresql://ann:***@db/news");
	/* libpq decodes a key's %XX too, and sslpassword is as secret. */
	assert_true(store_url_redact("postgresql://db/news?pass%77ord=S3CRET"
				     "&user=ann&sslpassword=K3Y",
				     out, sizeof(out)));
	assert_string_equal(out, "postgresql://db/news?pass%77ord=***"
				 "&user=ann&sslpassword=***");
	assert_true(strstr(out, "S3CRET") == NULL);
	/* Too long for out: nothing of it. */
	assert_true(store_url_redact("postgresql://ann:s3cret@db.example/news",
				     out, 20));
	assert_string_equal(out, "(a PostgreSQL URL)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_copies_and_reads_back),
		T(test_refuses_a_full_target),
		T(test_failure_leaves_target_empty),
		T(test_refuses_what_it_cannot_copy),
		T(test_table_list_covers_both_schemas),
		T(test_url_redact),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
