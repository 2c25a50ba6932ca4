/*
 * test_store_sqlite.c - tests of src/store/sqlite.c: opening (WAL, schema
 * version, refusing files it must not touch), upgrading a database made
 * by an older gazette, locking, per-thread readers next to one writer,
 * an open that lands on a file a restore renamed away (opened again),
 * and the error mapping.
 *
 * Each test works in its own mkdtemp directory, removed afterwards. A
 * second, raw SQLite connection plays "another process" where needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/err.h"
#include "util/pool.h"

#include "store_fixture.h"

/* The schema version sqlite.c migrates to: bump with each migration. */
#define SCHEMA_VERSION 15

/*
 * The schema of version 1, as the first gazette wrote it: a frozen copy
 * of store_migrations[0], so that the upgrade tests start from what an
 * old database really holds, whatever later versions do.
 */
static const char schema_v1[] =
	"CREATE TABLE sections ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL"
	");"
	"CREATE TABLE articles ("
	"  id INTEGER PRIMARY KEY,"
	"  slug TEXT NOT NULL,"
	"  headline TEXT NOT NULL,"
	"  summary TEXT NOT NULL DEFAULT '',"
	"  body TEXT NOT NULL DEFAULT '',"
	"  byline TEXT NOT NULL DEFAULT '',"
	"  dateline TEXT NOT NULL DEFAULT '',"
	"  section_id INTEGER REFERENCES sections (id) ON DELETE SET NULL,"
	"  lang TEXT NOT NULL DEFAULT 'en',"
	"  status TEXT NOT NULL"
	"    CHECK (status IN ('draft', 'scheduled', 'published')),"
	"  published_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  import_key TEXT UNIQUE"
	");"
	"CREATE INDEX articles_published ON articles (published_at, id);"
	"CREATE INDEX articles_section ON articles (section_id, published_at, id);"
	"CREATE TABLE article_tags ("
	"  article_id INTEGER NOT NULL"
	"    REFERENCES articles (id) ON DELETE CASCADE,"
	"  tag_id INTEGER NOT NULL REFERENCES tags (id),"
	"  PRIMARY KEY (article_id, tag_id)"
	");"
	"CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);";

/* What an old newsroom had: a section, two tags, a published article
 * and a draft. */
static const char data_v1[] =
	"INSERT INTO sections VALUES (1, 'city', 'City');"
	"INSERT INTO tags VALUES (1, 'bridges', 'bridges'), (2, 'council',"
	"  'Council');"
	"INSERT INTO articles VALUES (1, 'council-approves-new-river-bridge',"
	"  'Council approves new river bridge', 'The vote was 7-2.',"
	"  'The city council voted 7-2 on Tuesday.', 'By the City Desk',"
	"  'RIVERTON', 1, 'en', 'published', 1621362660, 1621362000,"
	"  1621362600, '/wire/bridge.txt');"
	"INSERT INTO articles VALUES (2, 'draft', 'Draft', '', '', '', '',"
	"  NULL, 'fa', 'draft', NULL, 1621362000, 1621362000, NULL);"
	"INSERT INTO article_tags VALUES (1, 1), (1, 2);";

/*
 * What version 2 added on top of version 1: a frozen copy of
 * store_migrations[1], for the upgrade from 2 to 3.
 */
static const char schema_v2[] =
	"CREATE TABLE comments ("
	"  id INTEGER PRIMARY KEY,"
	"  article_id INTEGER NOT NULL"
	"    REFERENCES articles (id) ON DELETE CASCADE,"
	"  parent_id INTEGER REFERENCES comments (id) ON DELETE SET NULL,"
	"  author TEXT NOT NULL,"
	"  email TEXT NOT NULL DEFAULT '',"
	"  body TEXT NOT NULL,"
	"  ip TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL"
	"    CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE INDEX comments_article"
	"  ON comments (article_id, status, created_at, id);"
	"CREATE INDEX comments_status ON comments (status, created_at);"
	"CREATE INDEX comments_parent ON comments (parent_id);"
	"CREATE INDEX comments_email ON comments (lower(email))"
	"  WHERE status = 'approved' AND email <> '';"
	"CREATE TABLE comment_nonces ("
	"  nonce BLOB PRIMARY KEY,"
	"  expires_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX comment_nonces_expires ON comment_nonces (expires_at);"
	"CREATE TABLE moderation_log ("
	"  id INTEGER PRIMARY KEY,"
	"  comment_id INTEGER NOT NULL,"
	"  action TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  detail TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX moderation_log_comment ON moderation_log (comment_id, at);"
	"ALTER TABLE articles ADD COLUMN comments_close_at INTEGER;";

/* A version 2 newsroom: data_v1, a scheduled article far ahead, an
 * approved comment, a spent nonce and its log. */
static const char data_v2[] =
	"INSERT INTO articles VALUES (3, 'later', 'Later', '', 'Soon.', '',"
	"  '', 1, 'en', 'scheduled', 4102444800, 1621362000, 1621362000,"
	"  '/wire/later.txt', 1700000000);"
	"INSERT INTO article_tags VALUES (3, 1);"
	"INSERT INTO comments VALUES (1, 1, NULL, 'Ana', 'ana@example.org',"
	"  'At last.', '192.0.2.1', 'approved', 1621400000, 1621400000);"
	"INSERT INTO comment_nonces VALUES (x'00112233', 4000000000);"
	"INSERT INTO moderation_log VALUES (1, 1, 'submitted', 'reader',"
	"  1621400000, 'approved');";

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-store-XXXXXX");
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_fixture_remove(fx->dir);
	free(fx);
	return 0;
}

/* Opens a raw connection to path; the test's "other process". */
static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_free(msg);
}

/* Returns the first column of the first row of sql, as a malloc'd
 * string ("" for no row). */
static char *
raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *t;
	char *r;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    (t = sqlite3_column_text(s, 0)) != NULL)
		r = strdup((const char *)t);
	else
		r = strdup("");
	sqlite3_finalize(s);
	assert_non_null(r);
	return r;
}

static long long
raw_int(sqlite3 *db, const char *sql)
{
	char *t = raw_text(db, sql);
	long long v = strtoll(t, NULL, 10);

	free(t);
	return v;
}

/* Reads a whole (small) file; *len gets its size. */
static char *
file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static bool
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Puts one published article with this headline, in its own transaction. */
static int64_t
put_one(struct store *st, const char *headline, int64_t published_at)
{
	struct store_article_input in = {
		.headline = headline,
		.status = STORE_PUBLISHED,
		.published_at = published_at,
	};
	int64_t id = 0;
	bool created = false;

	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(store_article_put(st, &in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	assert_true(created);
	assert_true(id > 0);
	return id;
}

static void
test_open_creates_wal(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	sqlite3 *db;
	char *mode, *tables;

	assert_false(file_exists(fx->path));
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_non_null(st);
	assert_true(file_exists(fx->path));
	assert_int_equal(store_ping(st), GZ_OK);

	db = raw_open(fx->path);
	mode = raw_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	tables = raw_text(db, "SELECT group_concat(name, ',') FROM (SELECT name"
			      " FROM sqlite_master WHERE type = 'table'"
			      " ORDER BY name)");
	assert_string_equal(tables, "article_authors,article_media,"
				    "article_tags,articles,"
				    "articles_fts,"
				    "articles_fts_config,articles_fts_data,"
				    "articles_fts_docsize,articles_fts_idx,"
				    "audit_log,authors,changes,comment_nonces,"
				    "comments,corrections,limit_hits,"
				    "login_spent,media,moderation_log,"
				    "pages,"
				    "recovery_codes,revisions,sections,sessions,"
				    /* SQLite's, for media's AUTOINCREMENT */
				    "settings,sqlite_sequence,tags,users");
	free(tables);
	sqlite3_close(db);
	store_close(st);
}

/* Schema 11: a revision whose body is the article's stores none; the
 * old body is written into it before a save changes the article's. */
static void
test_revision_bodies_shared(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	struct pool *pool = pool_new(1u << 20);
	struct store_article_input in = {
		.headline = "Shared", .body = "first words",
		.status = STORE_DRAFT, .actor = "admin:ann",
	};
	struct store_revision *revs, r;
	size_t n = 0;
	int64_t id = 0;
	bool created;
	sqlite3 *db;

	assert_non_null(pool);
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(store_article_put(st, &in, &id, &created), GZ_OK);
	in.id = id;
	in.headline = "Shared, retitled"; /* same body: still shared */
	assert_int_equal(store_article_put(st, &in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM revisions"
				     " WHERE body IS NULL"), 2);
	sqlite3_close(db);

	in.body = "second words";
	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(store_article_put(st, &in, &id, &created), GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM revisions"
				     " WHERE body IS NULL"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM revisions"
				     " WHERE body = 'first words'"), 2);
	sqlite3_close(db);
	assert_int_equal(store_revision_list(st, pool, id, &revs, &n), GZ_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_revision_get(st, pool, revs[0].id, &r), GZ_OK);
	assert_string_equal(r.body, "second words");
	assert_int_equal(store_revision_get(st, pool, revs[2].id, &r), GZ_OK);
	assert_string_equal(r.body, "first words");
	store_close(st);
	pool_free(pool);
}

static void
test_reopen_idempotent(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	sqlite3 *db;
	char *schema1, *schema2;
	int64_t n = -1;

	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	put_one(st, "First", 100);
	store_close(st);
	db = raw_open(fx->path);
	schema1 = raw_text(db, "SELECT group_concat(sql, ';') FROM "
			       "(SELECT sql FROM sqlite_master ORDER BY name)");
	sqlite3_close(db);

	st = NULL;
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_int_equal(store_article_count(st, &n), GZ_OK);
	assert_int_equal(n, 1);
	store_close(st);
	st = NULL;
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	store_close(st);

	db = raw_open(fx->path);
	schema2 = raw_text(db, "SELECT group_concat(sql, ';') FROM "
			       "(SELECT sql FROM sqlite_master ORDER BY name)");
	assert_string_equal(schema1, schema2);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM articles"), 1);
	sqlite3_close(db);
	free(schema1);
	free(schema2);
}

/* Makes fx->path a version 1 database with data_v1 in it, in WAL mode
 * (as gazette 1 left it), through a raw connection. */
static void
make_v1(const char *path)
{
	sqlite3 *db = raw_open(path);
	char *mode = raw_text(db, "PRAGMA journal_mode=WAL");

	assert_string_equal(mode, "wal");
	free(mode);
	raw_exec(db, "BEGIN");
	raw_exec(db, schema_v1);
	raw_exec(db, data_v1);
	raw_exec(db, "PRAGMA user_version = 1; COMMIT");
	sqlite3_close(db);
}

/* Makes path a version 2 database with data_v1 and data_v2 in it. */
static void
make_v2(const char *path)
{
	sqlite3 *db = raw_open(path);
	char *mode = raw_text(db, "PRAGMA journal_mode=WAL");

	assert_string_equal(mode, "wal");
	free(mode);
	raw_exec(db, "BEGIN");
	raw_exec(db, schema_v1);
	raw_exec(db, data_v1);
	raw_exec(db, schema_v2);
	raw_exec(db, data_v2);
	raw_exec(db, "PRAGMA user_version = 2; COMMIT");
	sqlite3_close(db);
}

/* The schema of the database at path: every object's SQL, by name. */
static char *
schema_of(const char *path)
{
	sqlite3 *db = raw_open(path);
	char *schema = raw_text(db, "SELECT group_concat(sql, ';') FROM"
				    " (SELECT sql FROM sqlite_master"
				    " WHERE sql IS NOT NULL ORDER BY name)");

	sqlite3_close(db);
	return schema;
}

/* Adds a photo of hash h (store_media_add, on its own); its id. */
static int64_t
photo_add(struct store *st, const char *h)
{
	static const int widths[] = {320};
	struct store_media_input in = {
		.hash = h, .format = "jpeg", .width = 320, .height = 200,
		.bytes = 10, .widths = widths, .nwidths = 1, .alt = h,
		.actor = "admin:ann",
	};
	int64_t id = 0;
	bool created = false;

	assert_int_equal(store_media_add(st, &in, &id, &created), GZ_OK);
	assert_true(created);
	return id;
}

/* The media table as schema 12 made it: id the rowid alone. */
static const char media_v12[] =
	"CREATE TABLE media_12 ("
	"  id INTEGER PRIMARY KEY,"
	"  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 32),"
	"  format TEXT NOT NULL CHECK (format IN"
	"    ('jpeg', 'png', 'webp', 'avif')),"
	"  width INTEGER NOT NULL CHECK (width > 0),"
	"  height INTEGER NOT NULL CHECK (height > 0),"
	"  bytes INTEGER NOT NULL CHECK (bytes >= 0),"
	"  widths TEXT NOT NULL DEFAULT '',"
	"  avif INTEGER NOT NULL DEFAULT 0 CHECK (avif IN (0, 1)),"
	"  alt TEXT NOT NULL DEFAULT '',"
	"  decorative INTEGER NOT NULL DEFAULT 0"
	"    CHECK (decorative IN (0, 1)),"
	"  caption TEXT NOT NULL DEFAULT '',"
	"  credit TEXT NOT NULL DEFAULT '',"
	"  focal_x INTEGER NOT NULL DEFAULT 500"
	"    CHECK (focal_x BETWEEN 0 AND 1000),"
	"  focal_y INTEGER NOT NULL DEFAULT 500"
	"    CHECK (focal_y BETWEEN 0 AND 1000),"
	"  created_at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  CHECK (alt <> '' OR decorative = 1)"
	");"
	"INSERT INTO media_12 SELECT * FROM media;"
	"DROP TABLE media;"
	"ALTER TABLE media_12 RENAME TO media;"
	"CREATE INDEX media_created ON media (created_at, id);"
	"DELETE FROM sqlite_sequence;";

#define PHOTO_1 "11111111111111111111111111111111"
#define PHOTO_2 "22222222222222222222222222222222"
#define PHOTO_3 "33333333333333333333333333333333"
#define PHOTO_5 "55555555555555555555555555555555"
#define PHOTO_6 "66666666666666666666666666666666"

/* Schema 13: a schema-12 database, whose media ids SQLite gave again
 * after a delete, upgrades keeping its photos and the articles using
 * them; then no id is given twice, not even one deleted before the
 * upgrade that a revision or the audit log still names. */
static void
test_upgrade_v12_media_ids(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	struct store_article_input in = {
		.headline = "Bridge", .status = STORE_PUBLISHED,
		.published_at = 1621362660, .actor = "admin:ann",
	};
	struct store_article a;
	struct store_media m;
	struct pool *pool = pool_new(1u << 20);
	char fresh_path[160], *old_schema, *new_schema;
	int64_t p1, p3, art = 0, id;
	bool created;
	sqlite3 *db;

	assert_non_null(pool);
	/* A database as schema 12 left it: photo 3 was a lead image (a
	 * revision names it) and is deleted; the audit log names a photo 4
	 * deleted too. */
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	p1 = photo_add(st, PHOTO_1);
	assert_int_equal(photo_add(st, PHOTO_2), p1 + 1);
	p3 = photo_add(st, PHOTO_3);
	in.image_id = p3;
	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(store_article_put(st, &in, &art, &created), GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	in.id = art;
	in.image_id = p1;
	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(store_article_put(st, &in, &art, &created), GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	store_close(st);
	st = NULL;
	db = raw_open(fx->path);
	raw_exec(db, "BEGIN");
	raw_exec(db, "DROP TABLE article_media");
	raw_exec(db, media_v12);
	raw_exec(db, "DELETE FROM media WHERE id = 3;"
		     "INSERT INTO audit_log (at, actor, action, object)"
		     " VALUES (1, 'admin:ann', 'media-delete', 'media:4');"
		     "DROP TABLE limit_hits; DROP TABLE login_spent;"
		     "PRAGMA user_version = 12; COMMIT");
	/* What schema 12 did: the largest id again. */
	raw_exec(db, "BEGIN; INSERT INTO media (hash, format, width, height,"
		     " bytes, alt, created_at, actor) VALUES"
		     " ('" PHOTO_6 "', 'png', 1, 1, 1, 'x', 1, 'x')");
	assert_int_equal(raw_int(db, "SELECT max(id) FROM media"), 3);
	raw_exec(db, "ROLLBACK");
	sqlite3_close(db);

	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM media"), 2);
	assert_int_equal(raw_int(db, "SELECT seq FROM sqlite_sequence"
				     " WHERE name = 'media'"), 4);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM"
				     " pragma_foreign_key_list('articles')"
				     " WHERE \"table\" = 'media'"), 1);
	sqlite3_close(db);
	/* The photos and the article's lead image are as they were. */
	assert_int_equal(store_media_get(st, pool, p1, &m), GZ_OK);
	assert_string_equal(m.hash, PHOTO_1);
	assert_int_equal(m.uses, 1);
	assert_int_equal(store_article_get(st, pool, art, 0, &a), GZ_OK);
	assert_non_null(a.image);
	assert_int_equal(a.image->id, p1);
	assert_int_equal(store_media_delete(st, p1), GZ_EBUSY);
	/* Past every id known: 5, then 6 even after 5 is deleted. */
	id = photo_add(st, PHOTO_5);
	assert_int_equal(id, 5);
	assert_int_equal(store_media_delete(st, id), GZ_OK);
	assert_int_equal(photo_add(st, PHOTO_6), 6);
	store_close(st);

	/* The upgraded schema is exactly a new database's. */
	snprintf(fresh_path, sizeof(fresh_path), "%s/fresh.db", fx->dir);
	assert_int_equal(store_open(fresh_path, &st), GZ_OK);
	store_close(st);
	old_schema = schema_of(fx->path);
	new_schema = schema_of(fresh_path);
	assert_string_equal(old_schema, new_schema);
	free(old_schema);
	free(new_schema);
	pool_free(pool);
}

/* Schema 14: a schema-13 database (no article_media) upgrades with the
 * inline uses its bodies hold filled in, once per article and photo;
 * a hash outside a /media/ path, or under another prefix, is none. */
static void
test_upgrade_v13_article_media(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	struct store_article_input in = {
		.headline = "Bridge", .status = STORE_PUBLISHED,
		.published_at = 1621362660, .actor = "admin:ann",
	};
	struct store_media m;
	struct pool *pool = pool_new(1u << 20);
	char fresh_path[160], *old_schema, *new_schema;
	int64_t p1, p2, a1 = 0, a2 = 0, a3 = 0;
	bool created;
	sqlite3 *db;

	assert_non_null(pool);
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	p1 = photo_add(st, PHOTO_1);
	p2 = photo_add(st, PHOTO_2);
	assert_int_equal(store_tx_begin(st), GZ_OK);
	in.body = "![a](/media/11/" PHOTO_1 "-320.jpeg) and"
		  " ![b](/media/11/" PHOTO_1 "-640.webp)";
	assert_int_equal(store_article_put(st, &in, &a1, &created), GZ_OK);
	in.headline = "Heron";
	in.body = "![a](/media/22/" PHOTO_2 "-320.jpeg)"
		  " ![c](/media/11/" PHOTO_1 "-320.jpeg)";
	assert_int_equal(store_article_put(st, &in, &a2, &created), GZ_OK);
	in.headline = "Words";
	in.body = "The file " PHOTO_1 ", and /media/22/" PHOTO_1 "-320.jpeg";
	in.image_id = p2;
	assert_int_equal(store_article_put(st, &in, &a3, &created), GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	store_close(st);
	st = NULL;
	/* What schema 13 left: the bodies, no index of them. */
	db = raw_open(fx->path);
	raw_exec(db, "BEGIN; DROP TABLE article_media;"
		     " DROP TABLE limit_hits; DROP TABLE login_spent;"
		     " PRAGMA user_version = 13; COMMIT");
	sqlite3_close(db);

	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM article_media"), 3);
	sqlite3_close(db);
	assert_int_equal(store_media_get(st, pool, p1, &m), GZ_OK);
	assert_int_equal(m.uses, 2);
	/* a3's lead image and a2's body: two articles. */
	assert_int_equal(store_media_get(st, pool, p2, &m), GZ_OK);
	assert_int_equal(m.uses, 2);
	assert_int_equal(store_media_delete(st, p1), GZ_EBUSY);
	store_close(st);

	/* The upgraded schema is exactly a new database's. */
	snprintf(fresh_path, sizeof(fresh_path), "%s/fresh.db", fx->dir);
	assert_int_equal(store_open(fresh_path, &st), GZ_OK);
	store_close(st);
	old_schema = schema_of(fx->path);
	new_schema = schema_of(fresh_path);
	assert_string_equal(old_schema, new_schema);
	free(old_schema);
	free(new_schema);
	pool_free(pool);
}

static void
test_upgrade_v1_keeps_data(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL, *fresh = NULL;
	struct pool *pool;
	struct store_article a;
	struct store_section *sections;
	struct store_comment_input in = {
		.author = "Ana",
		.body = "At last.",
		.status = STORE_COMMENT_APPROVED,
		.created_at = 1621400000,
	};
	char fresh_path[160], *old_schema, *new_schema, *rev_tags;
	int64_t id = 0, n = -1;
	size_t nsections;
	sqlite3 *db;
	int k;

	make_v1(fx->path);
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_non_null(pool = pool_new(1u << 20));

	/* Every field of the old article reads back, with the new fields
	 * at their "nothing yet" values. */
	assert_int_equal(store_article_get(st, pool, 1, 1621400000, &a), GZ_OK);
	assert_string_equal(a.headline, "Council approves new river bridge");
	assert_string_equal(a.slug, "council-approves-new-river-bridge");
	assert_string_equal(a.summary, "The vote was 7-2.");
	assert_string_equal(a.body, "The city council voted 7-2 on Tuesday.");
	assert_string_equal(a.byline, "By the City Desk");
	assert_string_equal(a.dateline, "RIVERTON");
	assert_string_equal(a.section_slug, "city");
	assert_string_equal(a.lang, "en");
	assert_int_equal(a.status, STORE_PUBLISHED);
	assert_int_equal(a.published_at, 1621362660);
	assert_int_equal(a.created_at, 1621362000);
	assert_int_equal(a.updated_at, 1621362600);
	assert_int_equal(a.ntags, 2);
	assert_string_equal(a.tags[0].name, "bridges");
	assert_string_equal(a.tags[1].name, "Council");
	assert_int_equal(a.comment_count, 0);
	assert_int_equal(a.comments_close_at, 0);
	assert_null(a.image);
	/* Schema 8 gave the old article the author its byline names, and
	 * search (schema 7) finds it by its body. */
	assert_int_equal(a.nauthors, 1);
	assert_string_equal(a.authors[0].name, "the City Desk");
	assert_string_equal(a.authors[0].slug, "the-city-desk");
	{
		struct store_search_hit *hits = NULL;
		size_t nh = 0, total = 0;
		bool capped = true;

		assert_int_equal(store_search(st, pool, 1621400000, "\"tuesday\"",
					      10, 0, &hits, &nh, &total, &capped),
				 GZ_OK);
		assert_false(capped);
		assert_int_equal(nh, 1);
		assert_int_equal(hits[0].article.id, 1);
	}
	assert_int_equal(store_article_get(st, pool, 2, 0, &a), GZ_OK);
	assert_int_equal(a.status, STORE_DRAFT);
	assert_string_equal(a.lang, "fa");
	assert_int_equal(store_article_count(st, &n), GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_section_list(st, pool, 1621400000, &sections,
					    &nsections), GZ_OK);
	assert_int_equal(nsections, 1);
	assert_int_equal(sections[0].article_count, 1);

	/* The old article takes comments, and counts them. */
	in.article_id = 1;
	assert_int_equal(store_tx_begin(st), GZ_OK);
	assert_int_equal(store_comment_insert(st, &in, &id), GZ_OK);
	assert_int_equal(store_tx_commit(st), GZ_OK);
	assert_int_equal(store_article_get(st, pool, 1, 0, &a), GZ_OK);
	assert_int_equal(a.comment_count, 1);

	/* The history the migration started agrees with what a put
	 * records: the same file imported again adds no revision. */
	{
		static const char *const tags[] = {"Council", "bridges"};
		struct store_article_input again = {
			.import_key = "/wire/bridge.txt",
			.headline = "Council approves new river bridge",
			.summary = "The vote was 7-2.",
			.body = "The city council voted 7-2 on Tuesday.",
			.byline = "By the City Desk",
			.dateline = "RIVERTON",
			.section = "City",
			.status = STORE_PUBLISHED,
			.published_at = 1621362660,
			.tags = tags,
			.ntags = 2,
		};
		struct store_revision *revs;
		size_t nrevs;
		bool created;

		assert_int_equal(store_tx_begin(st), GZ_OK);
		assert_int_equal(store_article_put(st, &again, &id, &created),
				 GZ_OK);
		assert_int_equal(store_tx_commit(st), GZ_OK);
		assert_int_equal(id, 1);
		assert_int_equal(store_revision_list(st, pool, 1, &revs,
						     &nrevs), GZ_OK);
		assert_int_equal(nrevs, 1);
	}
	store_close(st);
	pool_free(pool);

	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM article_tags"), 2);
	assert_int_equal(raw_int(db, "PRAGMA foreign_key_check"), 0);
	/* Schema 10 starts each article's history with it as it stood. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM revisions"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM revisions r"
				     " JOIN articles a ON a.id = r.article_id"
				     " WHERE r.headline = a.headline"
				     " AND r.actor = 'import'"), 2);
	rev_tags = raw_text(db, "SELECT tags || '|' || authors || '|' || section"
				" FROM revisions WHERE article_id = 1");
	assert_string_equal(rev_tags, "bridges, Council|the City Desk|City");
	free(rev_tags);
	/* Schema 11: what was stored before was an import's or an editor's,
	 * trusted, and so is its history. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM articles"
				     " WHERE body_trusted = 1"), 2);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM revisions"
				     " WHERE body_trusted = 1"), 2);
	/* Schema 12: an empty library, no article or revision with a lead
	 * image. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM media"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM articles"
				     " WHERE image_id IS NOT NULL"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM revisions"
				     " WHERE image_id IS NOT NULL"), 0);
	sqlite3_close(db);
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_non_null(pool = pool_new(1u << 20));
	/* Schema 12: the old article takes a lead image, which its
	 * listings show. */
	{
		static const int widths[] = {320};
		struct store_media_input img = {
			.hash = "0123456789abcdef0123456789abcdef",
			.format = "jpeg",
			.width = 400,
			.height = 300,
			.widths = widths,
			.nwidths = 1,
			.alt = "The bridge",
		};
		struct store_article_input again = {
			.id = 1,
			.headline = "Council approves new river bridge",
			.status = STORE_PUBLISHED,
			.published_at = 1621362660,
		};
		struct store_article_query q = {.now = 1621400000, .limit = 5};
		struct store_article *items;
		size_t nitems;
		int64_t img_id = 0;
		bool created;

		assert_int_equal(store_media_add(st, &img, &img_id, &created),
				 GZ_OK);
		again.image_id = img_id;
		assert_int_equal(store_tx_begin(st), GZ_OK);
		assert_int_equal(store_article_put(st, &again, &id, &created),
				 GZ_OK);
		assert_int_equal(store_tx_commit(st), GZ_OK);
		assert_int_equal(store_article_list(st, pool, &q, &items,
						    &nitems, NULL), GZ_OK);
		assert_int_equal(nitems, 1);
		assert_non_null(items[0].image);
		assert_int_equal(items[0].image->id, img_id);
		/* In use: not deleted until the article lets go. */
		again.image_id = STORE_IMAGE_NONE;
		assert_int_equal(store_tx_begin(st), GZ_OK);
		assert_int_equal(store_media_delete(st, img_id), GZ_EBUSY);
		assert_int_equal(store_article_put(st, &again, &id, &created),
				 GZ_OK);
		assert_int_equal(store_media_delete(st, img_id), GZ_OK);
		assert_int_equal(store_tx_commit(st), GZ_OK);
	}
	store_close(st);
	pool_free(pool);

	/* The upgraded schema is exactly a new database's. */
	k = snprintf(fresh_path, sizeof(fresh_path), "%s/fresh.db", fx->dir);
	assert_true(k > 0 && (size_t)k < sizeof(fresh_path));
	assert_int_equal(store_open(fresh_path, &fresh), GZ_OK);
	store_close(fresh);
	old_schema = schema_of(fx->path);
	new_schema = schema_of(fresh_path);
	assert_string_equal(old_schema, new_schema);
	free(old_schema);
	free(new_schema);
}

static void
test_upgrade_v2_keeps_data(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL, *fresh = NULL;
	struct pool *pool;
	struct store_article a;
	struct store_article *items;
	struct store_article_query q = {.now = 1621400000, .limit = 10};
	struct store_section *sections;
	struct store_comment *comments;
	char fresh_path[160], *old_schema, *new_schema;
	size_t n, total;
	int64_t *ids;
	sqlite3 *db;
	int k;

	make_v2(fx->path);
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_non_null(pool = pool_new(1u << 20));

	/* Old rows read back, with no stored HTML. */
	assert_int_equal(store_article_get(st, pool, 1, 1621400000, &a), GZ_OK);
	assert_string_equal(a.body, "The city council voted 7-2 on Tuesday.");
	assert_int_equal(a.comment_count, 1);
	assert_null(a.body_html);
	assert_int_equal(a.html_version, 0);
	assert_int_equal(store_article_get(st, pool, 3, 0, &a), GZ_OK);
	assert_int_equal(a.status, STORE_SCHEDULED);
	assert_int_equal(a.comments_close_at, 1700000000);
	assert_int_equal(store_comment_list(st, pool, 1, &comments, &n), GZ_OK);
	assert_int_equal(n, 1);
	assert_string_equal(comments[0].email, "ana@example.org");
	/* The spent nonce is still spent. */
	assert_int_equal(store_nonce_use(st,
					 (const unsigned char *)"\x00\x11\x22\x33",
					 4, 4000000000), GZ_EEXIST);
	/* Every article needs rendering. */
	assert_int_equal(store_article_html_stale(st, pool, 1, 0, 10, &ids, &n),
			 GZ_OK);
	assert_int_equal(n, 3);

	/* The counts were filled: the scheduled one is not counted yet, at
	 * a now before it, and is at a now after. */
	assert_int_equal(store_section_list(st, pool, 1621400000, &sections,
					    &n), GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(sections[0].article_count, 1);
	assert_int_equal(store_section_list(st, pool, 4102444800, &sections,
					    &n), GZ_OK);
	assert_int_equal(sections[0].article_count, 2);
	q.tag_slug = "bridges";
	assert_int_equal(store_article_list(st, pool, &q, &items, &n, &total),
			 GZ_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	q.now = 4102444800;
	assert_int_equal(store_article_list(st, pool, &q, &items, &n, &total),
			 GZ_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_int_equal(items[0].id, 3);
	store_close(st);
	pool_free(pool);

	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT published_at FROM article_tags"
				     " WHERE article_id = 1 AND tag_id = 2"),
			 1621362660);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM article_tags"
				     " WHERE published_at IS NULL"), 0);
	assert_int_equal(raw_int(db, "SELECT article_count FROM tags"
				     " WHERE slug = 'bridges'"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM moderation_log"), 1);
	assert_int_equal(raw_int(db, "PRAGMA foreign_key_check"), 0);
	/* Version 6: the old comment has no commenter key (an address's
	 * trust is not carried over), and the address index is gone. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM comments"
				     " WHERE commenter_key IS NULL"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"
				     " WHERE name = 'comments_email'"), 0);
	sqlite3_close(db);

	k = snprintf(fresh_path, sizeof(fresh_path), "%s/fresh.db", fx->dir);
	assert_true(k > 0 && (size_t)k < sizeof(fresh_path));
	assert_int_equal(store_open(fresh_path, &fresh), GZ_OK);
	store_close(fresh);
	old_schema = schema_of(fx->path);
	new_schema = schema_of(fresh_path);
	assert_string_equal(old_schema, new_schema);
	free(old_schema);
	free(new_schema);
}

static void
test_failed_upgrade_leaves_v1(void **state)
{
	struct fx *fx = *state;
	struct store *st = (struct store *)1;
	sqlite3 *db;

	/* A v1 database with a table in the way of migration 2: the
	 * migration fails as a whole, and the database stays a working
	 * version 1. */
	make_v1(fx->path);
	db = raw_open(fx->path);
	raw_exec(db, "CREATE TABLE moderation_log (x)");
	sqlite3_close(db);

	assert_int_equal(store_open(fx->path, &st), GZ_EDB);
	assert_null(st);

	db = raw_open(fx->path);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"
				     " WHERE name IN ('comments',"
				     " 'comment_nonces')"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_table_info"
				     "('articles') WHERE name ="
				     " 'comments_close_at'"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM articles"), 2);
	sqlite3_close(db);
}

static void
test_newer_schema_untouched(void **state)
{
	struct fx *fx = *state;
	struct store *st = (struct store *)1;
	char wal[160];
	sqlite3 *db;
	char *before, *after;
	size_t nbefore, nafter;
	int n;

	db = raw_open(fx->path);
	raw_exec(db, "CREATE TABLE future (x); PRAGMA user_version = 99");
	sqlite3_close(db);
	before = file_read(fx->path, &nbefore);

	assert_int_equal(store_open(fx->path, &st), GZ_ESCHEMA);
	assert_null(st);

	after = file_read(fx->path, &nafter);
	assert_int_equal(nbefore, nafter);
	assert_memory_equal(before, after, nbefore);
	n = snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	assert_true(n > 0 && (size_t)n < sizeof(wal));
	assert_false(file_exists(wal));
	free(before);
	free(after);
}

static void
test_checked_missing_is_notfound(void **state)
{
	struct fx *fx = *state;
	struct store *st = (struct store *)1;
	char why[512] = "x";

	/* Without STORE_OPEN_CREATE a missing file is reported, not made:
	 * the caller says "no site here". */
	assert_int_equal(store_open_checked(fx->path, 0, &st, why, sizeof(why)),
			 GZ_ENOTFOUND);
	assert_null(st);
	assert_string_equal(why, "");
	assert_false(file_exists(fx->path));
	/* With it, the database is made. */
	assert_int_equal(store_open_checked(fx->path, STORE_OPEN_CREATE, &st,
					    why, sizeof(why)),
			 GZ_OK);
	store_close(st);
	assert_true(file_exists(fx->path));
}

static void
test_checked_says_why(void **state)
{
	struct fx *fx = *state;
	struct store *st = (struct store *)1;
	char why[512], want[256];
	sqlite3 *db;
	FILE *f;
	int n;

	/* A newer schema names both versions. */
	db = raw_open(fx->path);
	raw_exec(db, "PRAGMA user_version = 99");
	sqlite3_close(db);
	assert_int_equal(store_open_checked(fx->path, 0, &st, why, sizeof(why)),
			 GZ_ESCHEMA);
	assert_null(st);
	n = snprintf(want, sizeof(want),
		     "%s has schema version 99, newer than this gazette (%d): "
		     "upgrade gazette",
		     fx->path, SCHEMA_VERSION);
	assert_true(n > 0 && (size_t)n < sizeof(want));
	assert_string_equal(why, want);

	/* Not a database: said before SQLite reads it. */
	f = fopen(fx->path, "w");
	assert_non_null(f);
	fputs("SQLite format 2 is not what this is.\n", f);
	fclose(f);
	assert_int_equal(store_open_checked(fx->path, 0, &st, why, sizeof(why)),
			 GZ_EDB);
	assert_non_null(strstr(why, "is not a database"));
	assert_null(strstr(why, "SQLite 26"));

	/* A folder is not a database either. */
	assert_int_equal(store_open_checked(fx->dir, 0, &st, why, sizeof(why)),
			 GZ_EDB);
	assert_non_null(strstr(why, "cannot open"));
	assert_null(st);
}

static void
test_checked_lock_probe(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	char why[512];
	sqlite3 *db;

	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	store_close(st);
	st = NULL;
	db = raw_open(fx->path);
	raw_exec(db, "BEGIN IMMEDIATE; CREATE TABLE holder (x)");
	/* Without the probe a current database opens under another's
	 * write lock (WAL readers never wait); with it, the lock is
	 * reported after the busy timeout. */
	assert_int_equal(store_open_checked(fx->path, 0, &st, why, sizeof(why)),
			 GZ_OK);
	store_close(st);
	st = (struct store *)1;
	assert_int_equal(store_open_checked(fx->path, STORE_OPEN_LOCK_PROBE, &st,
					    why, sizeof(why)),
			 GZ_EBUSY);
	assert_null(st);
	assert_non_null(strstr(why, "is locked by another process"));
	raw_exec(db, "ROLLBACK");
	assert_int_equal(store_open_checked(fx->path, STORE_OPEN_LOCK_PROBE, &st,
					    why, sizeof(why)),
			 GZ_OK);
	store_close(st);
	sqlite3_close(db);
}

static void
test_text_file_is_edb(void **state)
{
	struct fx *fx = *state;
	struct store *st = (struct store *)1;
	char logpath[160], *log;
	FILE *f;
	size_t len, i;
	int saved, fd, n;

	f = fopen(fx->path, "w");
	assert_non_null(f);
	for (i = 0; i < 100; i++)
		fputs("This is a page of notes, not a database.\n", f);
	fclose(f);

	/* The reason goes to the log (stderr): catch it there. */
	n = snprintf(logpath, sizeof(logpath), "%s/log", fx->dir);
	assert_true(n > 0 && (size_t)n < sizeof(logpath));
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
	n = store_open(fx->path, &st);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);

	assert_int_equal(n, GZ_EDB);
	assert_null(st);
	log = file_read(logpath, &len);
	log[len] = '\0';
	assert_non_null(strstr(log, fx->path));
	assert_non_null(strstr(log, "not a database"));
	free(log);
}

static void
test_bad_paths_are_edb(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	char p[160];
	int n;

	/* A directory, and a file in a directory that does not exist. */
	assert_int_equal(store_open(fx->dir, &st), GZ_EDB);
	assert_null(st);
	n = snprintf(p, sizeof(p), "%s/missing/gazette.db", fx->dir);
	assert_true(n > 0 && (size_t)n < sizeof(p));
	assert_int_equal(store_open(p, &st), GZ_EDB);
	assert_null(st);
	/* In-memory and temporary databases would be private to each
	 * connection, so every thread would see its own: refused. */
	assert_int_equal(store_open(":memory:", &st), GZ_EDB);
	assert_null(st);
	assert_int_equal(store_open("", &st), GZ_EDB);
	assert_null(st);
}

static void
test_locked_migration_is_busy(void **state)
{
	struct fx *fx = *state;
	struct store *st = (struct store *)1;
	sqlite3 *db;
	char *mode;

	/* An unmigrated WAL database, write-locked by another connection:
	 * the migration cannot start (after the 5 s busy timeout). */
	db = raw_open(fx->path);
	mode = raw_text(db, "PRAGMA journal_mode=WAL");
	assert_string_equal(mode, "wal");
	free(mode);
	raw_exec(db, "CREATE TABLE other (x)");
	raw_exec(db, "BEGIN IMMEDIATE; INSERT INTO other VALUES (1)");

	assert_int_equal(store_open(fx->path, &st), GZ_EBUSY);
	assert_null(st);

	raw_exec(db, "ROLLBACK");
	assert_int_equal(raw_int(db, "PRAGMA user_version"), 0);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"
				     " WHERE name = 'articles'"), 0);

	/* Once the lock is gone the same open migrates. */
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);

	/* A current database opens and reads while another connection
	 * holds the write lock (WAL: readers never wait), but a write
	 * transaction is busy. */
	store_close(st);
	st = NULL;
	raw_exec(db, "BEGIN IMMEDIATE; INSERT INTO other VALUES (2)");
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_int_equal(store_ping(st), GZ_OK);
	assert_int_equal(store_tx_begin(st), GZ_EBUSY);
	raw_exec(db, "ROLLBACK");
	assert_int_equal(store_tx_begin(st), GZ_OK);
	store_tx_rollback(st);
	store_close(st);
	sqlite3_close(db);
}

/* Commits the raw connection's transaction after a short while. */
static void *
commit_later(void *p)
{
	sqlite3 *db = p;

	usleep(300 * 1000);
	return (void *)(intptr_t)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

static void
test_migration_waits_for_short_lock(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	pthread_t t;
	void *rc;
	sqlite3 *db;
	char *mode;

	/* Another process writes for 300 ms, then commits: the migration
	 * waits for the write lock up front (BEGIN IMMEDIATE) instead of
	 * reading first and finding its snapshot stale. */
	db = raw_open(fx->path);
	mode = raw_text(db, "PRAGMA journal_mode=WAL");
	free(mode);
	raw_exec(db, "CREATE TABLE other (x)");
	raw_exec(db, "BEGIN IMMEDIATE; INSERT INTO other VALUES (1)");
	assert_int_equal(pthread_create(&t, NULL, commit_later, db), 0);
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_int_equal(pthread_join(t, &rc), 0);
	assert_int_equal((intptr_t)rc, SQLITE_OK);
	assert_int_equal(raw_int(db, "PRAGMA user_version"), SCHEMA_VERSION);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM other"), 1);
	sqlite3_close(db);
	store_close(st);
}

/* Readers running while writers commit. */
struct reader_arg {
	struct store *st;
	atomic_bool *stop;
	int errors;
	long rounds;
	int64_t last_count;
};

static void *
reader_main(void *p)
{
	struct reader_arg *ra = p;
	struct pool *pool = pool_new(1u << 20);
	/* The whole list each time: the longer the page takes, the likelier
	 * a commit lands between the total and the page. */
	struct store_article_query q = {.now = INT64_MAX, .limit = 1000};
	struct store_article *items, a;
	size_t n, total;
	int64_t count;

	if (!pool) {
		ra->errors++;
		return NULL;
	}
	ra->last_count = 0;
	while (!atomic_load(ra->stop) || ra->rounds < 20) {
		if (store_article_count(ra->st, &count) != GZ_OK ||
		    count < ra->last_count)
			ra->errors++;
		ra->last_count = count;
		if (store_article_list(ra->st, pool, &q, &items, &n, &total) !=
		    GZ_OK)
			ra->errors++;
		/* One snapshot: the page agrees with the total. */
		else if (n != total ||
			 (n > 0 && strncmp(items[0].headline, "Story", 5) != 0))
			ra->errors++;
		if (store_article_get(ra->st, pool, 1, 0, &a) != GZ_OK ||
		    strcmp(a.headline, "Story 0") != 0)
			ra->errors++;
		pool_clear(pool);
		ra->rounds++;
	}
	pool_free(pool);
	return NULL;
}

struct writer_arg {
	struct store *st;
	int first, count, errors;
};

static void *
writer_main(void *p)
{
	struct writer_arg *wa = p;
	char headline[32];
	struct store_article_input in = {
		.headline = headline,
		.status = STORE_PUBLISHED,
		.tags = (const char *const[]){"Shared"},
		.ntags = 1,
		.section = "News",
	};
	int64_t id;
	bool created;
	int i, n;

	for (i = wa->first; i < wa->first + wa->count; i++) {
		n = snprintf(headline, sizeof(headline), "Story %d", i);
		if (n < 0 || (size_t)n >= sizeof(headline)) {
			wa->errors++;
			continue;
		}
		in.published_at = 1000 + i;
		if (store_tx_begin(wa->st) != GZ_OK) {
			wa->errors++;
			continue;
		}
		if (store_article_put(wa->st, &in, &id, &created) != GZ_OK) {
			wa->errors++;
			store_tx_rollback(wa->st);
			continue;
		}
		if (store_tx_commit(wa->st) != GZ_OK)
			wa->errors++;
	}
	return NULL;
}

static size_t
reader_conns(struct store *st)
{
	struct store_conn *c;
	size_t n = 0;

	pthread_mutex_lock(&st->readers_lock);
	for (c = st->readers; c; c = c->next)
		n++;
	pthread_mutex_unlock(&st->readers_lock);
	return n;
}

static void
test_threads_read_while_writing(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	atomic_bool stop;
	struct reader_arg ra[2];
	struct writer_arg wa[2];
	pthread_t rt[2], wt[2];
	int64_t n = 0;
	int i;

	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	wa[0] = (struct writer_arg){.st = st, .first = 0, .count = 1};
	writer_main(&wa[0]); /* "Story 0", id 1, for the readers' get */
	assert_int_equal(wa[0].errors, 0);

	atomic_init(&stop, false);
	for (i = 0; i < 2; i++) {
		ra[i] = (struct reader_arg){.st = st, .stop = &stop};
		assert_int_equal(pthread_create(&rt[i], NULL, reader_main,
						&ra[i]), 0);
	}
	/* Two writers at once: the store serialises them. */
	for (i = 0; i < 2; i++) {
		wa[i] = (struct writer_arg){
			.st = st, .first = 1 + 100 * i, .count = 100};
		assert_int_equal(pthread_create(&wt[i], NULL, writer_main,
						&wa[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(wt[i], NULL), 0);
	atomic_store(&stop, true);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(rt[i], NULL), 0);

	for (i = 0; i < 2; i++) {
		assert_int_equal(wa[i].errors, 0);
		assert_int_equal(ra[i].errors, 0);
		assert_true(ra[i].rounds >= 20);
	}
	/* A reader that ran after the last commit saw all of it. */
	assert_int_equal(store_article_count(st, &n), GZ_OK);
	assert_int_equal(n, 201);
	/* The reader threads' connections closed when they ended; only the
	 * main thread's is left. */
	assert_int_equal(reader_conns(st), 1);
	store_close(st);
}

static void
test_rollback_releases_lock(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	int64_t n = -1;

	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	assert_int_equal(store_tx_begin(st), GZ_OK);
	store_tx_rollback(st);
	/* The lock is free again: the same thread can begin at once. */
	put_one(st, "After", 1);
	assert_int_equal(store_article_count(st, &n), GZ_OK);
	assert_int_equal(n, 1);
	store_close(st);
}

/* The SQLite engine's table of codes (sqlite_driver.c). */
static void
test_error_mapping(void **state)
{
	int (*map)(struct store_conn *, int, const char *) =
		store_sqlite_engine.err;

	(void)state;
	assert_int_equal(map(NULL, SQLITE_BUSY, "test"), GZ_EBUSY);
	assert_int_equal(map(NULL, SQLITE_BUSY_SNAPSHOT, "test"), GZ_EBUSY);
	assert_int_equal(map(NULL, SQLITE_LOCKED, "test"), GZ_EBUSY);
	assert_int_equal(map(NULL, SQLITE_NOMEM, "test"), GZ_ENOMEM);
	assert_int_equal(map(NULL, SQLITE_CONSTRAINT_UNIQUE, "test"), GZ_EEXIST);
	assert_int_equal(map(NULL, SQLITE_CONSTRAINT_PRIMARYKEY, "test"),
			 GZ_EEXIST);
	assert_int_equal(map(NULL, SQLITE_CONSTRAINT_CHECK, "test"), GZ_EDB);
	assert_int_equal(map(NULL, SQLITE_NOTADB, "test"), GZ_EDB);
	assert_int_equal(map(NULL, SQLITE_CORRUPT, "test"), GZ_EDB);
	assert_int_equal(map(NULL, SQLITE_IOERR_WRITE, "test"), GZ_EDB);
	assert_int_equal(map(NULL, SQLITE_TOOBIG, "test"), GZ_ETOOBIG);
}

static void
test_close_null(void **state)
{
	(void)state;
	store_close(NULL);
}

/* ---- a restore's swap while a process opens the database ----------------
 *
 * A VFS over the default one that, when the main database file has just
 * been opened, renames it away and puts another file in its place: the
 * instant of a restore's rename. The two files swap each time, so each
 * open lands on the one renamed away. */
static sqlite3_vfs *swap_real;
static sqlite3_vfs swap_vfs;
static int swaps_left;
static char swap_path[FIXTURE_PATH_MAX];  /* the database's name */
static char swap_other[FIXTURE_PATH_MAX]; /* the file put in its place */
static char swap_aside[FIXTURE_PATH_MAX]; /* where the old one goes */

static int
swap_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f,
	  int flags, int *out_flags)
{
	int rc = swap_real->xOpen(swap_real, name, f, flags, out_flags);

	(void)vfs;
	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) &&
	    swaps_left > 0) {
		swaps_left--;
		assert_int_equal(rename(swap_path, swap_aside), 0);
		assert_int_equal(rename(swap_other, swap_path), 0);
		assert_int_equal(rename(swap_aside, swap_other), 0);
	}
	return rc;
}

/* The headlines' count of articles in the database file at path. */
static long long
headline_count(const char *path, const char *headline)
{
	sqlite3 *db = raw_open(path);
	char sql[256];
	long long n;
	int k = snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM articles WHERE headline = '%s'",
			 headline);

	assert_true(k > 0 && (size_t)k < sizeof(sql));
	n = raw_int(db, sql);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	return n;
}

static void
test_open_during_restore_reopens(void **state)
{
	struct fx *fx = *state;
	struct store *st = NULL;
	char why[512] = "";
	int k;

	/* Two databases: the site's, and the one a restore puts in place. */
	k = snprintf(swap_other, sizeof(swap_other), "%s/restored.db", fx->dir);
	assert_true(k > 0 && (size_t)k < sizeof(swap_other));
	k = snprintf(swap_aside, sizeof(swap_aside), "%s/aside.db", fx->dir);
	assert_true(k > 0 && (size_t)k < sizeof(swap_aside));
	memcpy(swap_path, fx->path, sizeof(swap_path));
	assert_int_equal(store_open(fx->path, &st), GZ_OK);
	store_close(st);
	assert_int_equal(store_open(swap_other, &st), GZ_OK);
	store_close(st);
	st = NULL;

	swap_real = sqlite3_vfs_find(NULL);
	assert_non_null(swap_real);
	swap_vfs = *swap_real;
	swap_vfs.zName = "gz-swap";
	swap_vfs.xOpen = swap_open;
	assert_int_equal(sqlite3_vfs_register(&swap_vfs, 1), SQLITE_OK);

	/* Replaced once while opening: opened again, on the new file, and
	 * what is written goes there, not into the file renamed away. */
	swaps_left = 1;
	assert_int_equal(store_open_checked(fx->path, 0, &st, why, sizeof(why)),
			 GZ_OK);
	assert_int_equal(swaps_left, 0);
	put_one(st, "After the restore", 1);
	store_close(st);
	st = NULL;
	assert_int_equal(headline_count(fx->path, "After the restore"), 1);
	assert_int_equal(headline_count(swap_other, "After the restore"), 0);

	/* Replaced on every open: given up, with the reason. */
	swaps_left = 2;
	assert_int_equal(store_open_checked(fx->path, 0, &st, why, sizeof(why)),
			 GZ_EBUSY);
	assert_null(st);
	assert_non_null(strstr(why, "replaced while opening; try again"));
	swaps_left = 0;
	assert_int_equal(sqlite3_vfs_unregister(&swap_vfs), SQLITE_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_wal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_revision_bodies_shared,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v12_media_ids,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v13_article_media,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v1_keeps_data,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_v2_keeps_data,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_upgrade_leaves_v1,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_untouched,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_checked_missing_is_notfound,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_checked_says_why, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_checked_lock_probe, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_text_file_is_edb, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths_are_edb, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_locked_migration_is_busy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_migration_waits_for_short_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_read_while_writing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_releases_lock,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_during_restore_reopens,
						setup, teardown),
		cmocka_unit_test(test_error_mapping),
		cmocka_unit_test(test_close_null),
	};

	return cmocka_run_group_tests_name("store/sqlite", tests, NULL, NULL);
}
