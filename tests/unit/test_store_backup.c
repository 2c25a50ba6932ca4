/* test_store_backup.c - backup and restore (src/store/backup.c): a backup
 * of a fixture store holds its articles and comments and passes the
 * restore check; it is one snapshot even while another connection writes
 * between its steps; an existing file is replaced only with force; the
 * restore check refuses a file that is not SQLite, a damaged one, one
 * from a newer gazette and an SQLite database that is not gazette's; a
 * restore refuses while the database is open elsewhere, and a refused
 * restore leaves the site's database as it was; a restore keeps the old
 * database, gives the new one the old one's mode, and leaves no -wal,
 * -shm or temporary file behind. A backup with no server running writes
 * nothing into the database (closing it does not checkpoint the WAL),
 * and the backup file is 0600. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "util/err.h"

#include "store_fixture.h"

#define NOW INT64_C(1621362660)
/* Articles in the fixture, each with a body of BODY_BYTES: about 600
 * pages, so a backup takes several steps. */
#define ARTICLES 600
#define BODY_BYTES 3000
#define COMMENTS 40
/* Commits the snapshot test makes between the backup's steps, at most. */
#define WRITES_MAX 20

struct fx {
	char dir[FIXTURE_DIR_MAX];
	char path[FIXTURE_PATH_MAX];
	char file[FIXTURE_PATH_MAX]; /* a backup file in dir */
	struct store *st;
	char msg[1024];
	/* the snapshot test's writer */
	int writes, steps;
};

/* Puts n articles named prefix-i through st in one transaction, and
 * comments comments on the first. */
static void
put_articles(struct store *st, int n, const char *prefix, int comments)
{
	char headline[64], key[64], body[BODY_BYTES + 1];
	int64_t id, first = 0, cid;
	bool created;
	int i;

	memset(body, 'x', BODY_BYTES);
	body[BODY_BYTES] = '\0';
	assert_int_equal(store_tx_begin(st), GZ_OK);
	for (i = 0; i < n; i++) {
		struct store_article_input in = {
			.headline = headline,
			.import_key = key,
			.body = body,
			.status = STORE_PUBLISHED,
			.published_at = NOW,
		};

		snprintf(headline, sizeof(headline), "%s %d", prefix, i);
		snprintf(key, sizeof(key), "%s-%d", prefix, i);
		assert_int_equal(store_article_put(st, &in, &id, &created),
				 GZ_OK);
		if (i == 0)
			first = id;
	}
	for (i = 0; i < comments; i++) {
		struct store_comment_input c = {
			.article_id = first,
			.author = "Reader",
			.body = "A comment.",
			.status = STORE_COMMENT_APPROVED,
			.created_at = NOW,
		};

		assert_int_equal(store_comment_insert(st, &c, &cid), GZ_OK);
	}
	assert_int_equal(store_tx_commit(st), GZ_OK);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	int n;

	assert_non_null(fx);
	store_fixture_make(fx->dir, fx->path, "/tmp/gz-backup-XXXXXX");
	n = snprintf(fx->file, sizeof(fx->file), "%s/backup.db", fx->dir);
	assert_true(n > 0 && (size_t)n < sizeof(fx->file));
	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	put_articles(fx->st, ARTICLES, "a", COMMENTS);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	store_close(fx->st);
	store_fixture_remove(fx->dir);
	free(fx);
	return 0;
}

/* A path in the fixture's directory, into out[FIXTURE_PATH_MAX]. */
static void
fx_path(const struct fx *fx, const char *name, char *out)
{
	int n = snprintf(out, FIXTURE_PATH_MAX, "%s/%s", fx->dir, name);

	assert_true(n > 0 && n < FIXTURE_PATH_MAX);
}

static bool
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* Writes len bytes of data to path (created or truncated). */
static void
write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Runs constant sql on the database at path with SQLite directly. */
static void
sql_run(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int64_t
article_count(struct store *st)
{
	int64_t n = -1;

	assert_int_equal(store_article_count(st, &n), GZ_OK);
	return n;
}

static void
test_backup_holds_everything(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info, check;
	struct store *copy = NULL;
	char tmp[FIXTURE_PATH_MAX];

	assert_int_equal(store_backup_to(fx->path, fx->file, false, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_OK);
	assert_int_equal(info.articles, ARTICLES);
	assert_int_equal(info.comments, COMMENTS);
	assert_int_equal(info.schema_version, store_schema_version());
	assert_true(info.bytes > (int64_t)ARTICLES * BODY_BYTES);
	fx_path(fx, "backup.db.tmp", tmp);
	assert_false(exists(tmp));
	/* One self-contained file: nothing beside it. */
	fx_path(fx, "backup.db-wal", tmp);
	assert_false(exists(tmp));

	assert_int_equal(
		store_restore_check(fx->file, &check, fx->msg, sizeof(fx->msg)),
		GZ_OK);
	assert_int_equal(check.articles, ARTICLES);
	assert_int_equal(store_open(fx->file, &copy), GZ_OK);
	assert_int_equal(article_count(copy), ARTICLES);
	store_close(copy);
}

/* The file's bytes, into *len; caller frees. */
static unsigned char *
read_file(const char *path, size_t *len)
{
	struct stat sb;
	unsigned char *data;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	*len = (size_t)sb.st_size;
	data = malloc(*len + 1);
	assert_non_null(data);
	assert_int_equal(read(fd, data, *len), (ssize_t)*len);
	close(fd);
	return data;
}

static void
test_backup_writes_nothing_and_is_private(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info;
	char wal[FIXTURE_PATH_MAX];
	unsigned char *before, *after;
	size_t blen, alen;
	struct stat sb;
	sqlite3 *db = NULL;
	mode_t old_mask;

	/* No server: the database's last connection leaves frames in its
	 * WAL, not checkpointed. */
	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
					   1, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA wal_autocheckpoint=0;"
				      "UPDATE articles SET headline = 'late'"
				      " WHERE id = 1",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	fx_path(fx, "gazette.db-wal", wal);
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size > 0);
	before = read_file(fx->path, &blen);

	old_mask = umask(022);
	assert_int_equal(store_backup_to(fx->path, fx->file, false, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_OK);
	umask(old_mask);
	/* The backup only read: gazette.db is byte for byte as it was, its
	 * WAL still there (a close that checkpointed would have copied it
	 * in and removed it). */
	after = read_file(fx->path, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	assert_true(exists(wal));
	free(before);
	free(after);
	/* Emails and addresses: for its owner only, whatever the umask. */
	assert_int_equal(stat(fx->file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(info.articles, ARTICLES);
}

static void
test_backup_no_overwrite_without_force(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info;
	struct stat sb;

	write_file(fx->file, "keep me", 7);
	assert_int_equal(store_backup_to(fx->path, fx->file, false, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_EEXIST);
	assert_non_null(strstr(fx->msg, fx->file));
	assert_int_equal(stat(fx->file, &sb), 0);
	assert_int_equal(sb.st_size, 7);
	assert_int_equal(store_backup_to(fx->path, fx->file, true, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_OK);
	assert_int_equal(info.articles, ARTICLES);
}

static void
test_backup_missing_source(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info;
	char none[FIXTURE_PATH_MAX];

	/* Nor into the database itself, even with force. */
	assert_int_equal(store_backup_to(fx->path, fx->path, true, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_EINVAL);
	assert_int_equal(article_count(fx->st), ARTICLES);
	/* Nor into its -wal or -shm (the store is open: both exist), nor its
	 * -journal, which does not: a file there would be replayed as one. */
	{
		static const char *const sides[] = {"-wal", "-shm", "-journal"};
		char side[FIXTURE_PATH_MAX + 16];
		size_t i;

		for (i = 0; i < 3; i++) {
			snprintf(side, sizeof(side), "%s%s", fx->path, sides[i]);
			assert_int_equal(store_backup_to(fx->path, side, true,
							 NULL, NULL, &info,
							 fx->msg,
							 sizeof(fx->msg)),
					 GZ_EINVAL);
			assert_non_null(strstr(fx->msg, "database's own files"));
		}
		assert_int_equal(access(side, F_OK), -1); /* no -journal */
	}
	assert_int_equal(article_count(fx->st), ARTICLES);
	fx_path(fx, "nothing.db", none);
	assert_int_equal(store_backup_to(none, fx->file, false, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_ENOTFOUND);
	assert_non_null(strstr(fx->msg, none));
	assert_false(exists(fx->file));
	assert_false(exists(none));
}

/* Progress of the snapshot test: another connection (the store's
 * writer) commits an article between the backup's steps. */
static void
write_between_steps(void *ctx, int64_t done, int64_t total)
{
	struct fx *fx = ctx;
	char prefix[32];

	fx->steps++;
	/* Bounded, so that a backup that restarts on every change still
	 * ends (and fails the test) rather than running forever. */
	if (done >= total || fx->writes >= WRITES_MAX)
		return;
	snprintf(prefix, sizeof(prefix), "w%d", fx->writes++);
	put_articles(fx->st, 1, prefix, 0);
}

static void
test_backup_is_one_snapshot(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info;

	assert_int_equal(store_backup_to(fx->path, fx->file, false,
					 write_between_steps, fx, &info,
					 fx->msg, sizeof(fx->msg)),
			 GZ_OK);
	/* Several steps, a write after each but the last, and none of
	 * those writes in the copy: it is the database as the backup
	 * began, and it did not restart (the source changed after every
	 * step, so a restarting backup would hold the later articles). */
	assert_true(fx->steps > 2);
	assert_true(fx->writes > 1);
	assert_int_equal(info.articles, ARTICLES);
	assert_int_equal(article_count(fx->st), ARTICLES + fx->writes);
}

static void
test_check_refuses_bad_files(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info;
	char p[FIXTURE_PATH_MAX];
	unsigned char junk[8192];
	struct stat sb;
	size_t i;
	int fd;

	/* Not there. */
	fx_path(fx, "missing.db", p);
	assert_int_equal(
		store_restore_check(p, &info, fx->msg, sizeof(fx->msg)),
		GZ_ENOTFOUND);

	/* Not SQLite: bytes of no format. */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7 + 3);
	fx_path(fx, "random.db", p);
	write_file(p, junk, sizeof(junk));
	assert_int_equal(
		store_restore_check(p, &info, fx->msg, sizeof(fx->msg)),
		GZ_EPARSE);
	assert_non_null(strstr(fx->msg, "not an SQLite database"));

	/* Damaged: a backup cut in half. */
	assert_int_equal(store_backup_to(fx->path, fx->file, false, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_OK);
	assert_int_equal(stat(fx->file, &sb), 0);
	fd = open(fx->file, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, sb.st_size / 2), 0);
	close(fd);
	assert_int_equal(
		store_restore_check(fx->file, &info, fx->msg, sizeof(fx->msg)),
		GZ_EDB);
	assert_non_null(strstr(fx->msg, "damaged"));

	/* SQLite, not gazette's. */
	fx_path(fx, "other.db", p);
	sql_run(p,
		"CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hi')");
	assert_int_equal(
		store_restore_check(p, &info, fx->msg, sizeof(fx->msg)),
		GZ_EINVAL);
	assert_non_null(strstr(fx->msg, "not a gazette database"));
	/* An empty file is an empty SQLite database: not gazette's either. */
	fx_path(fx, "empty.db", p);
	write_file(p, "", 0);
	assert_int_equal(
		store_restore_check(p, &info, fx->msg, sizeof(fx->msg)),
		GZ_EINVAL);
}

static void
test_check_refuses_newer_schema(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info;
	char sql[64];

	assert_int_equal(store_backup_to(fx->path, fx->file, false, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 store_schema_version() + 1);
	sql_run(fx->file, sql);
	assert_int_equal(
		store_restore_check(fx->file, &info, fx->msg, sizeof(fx->msg)),
		GZ_ESCHEMA);
	assert_non_null(strstr(fx->msg, "newer"));
}

static void
test_restore_refusals_touch_nothing(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info;
	char kept[256], p[FIXTURE_PATH_MAX], junk[8192];

	assert_int_equal(store_backup_to(fx->path, fx->file, false, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_OK);
	put_articles(fx->st, 1, "later", 0);

	/* Open elsewhere (here: fx->st, as a running server holds it). */
	assert_int_equal(store_restore_from(fx->file, fx->path, NULL, NULL,
					    &info, kept, sizeof(kept), fx->msg,
					    sizeof(fx->msg)),
			 GZ_EBUSY);
	assert_non_null(strstr(fx->msg, "in use"));
	assert_string_equal(kept, "");
	/* The server goes on writing. */
	put_articles(fx->st, 1, "after", 0);
	store_close(fx->st);
	fx->st = NULL;
	assert_true(store_open(fx->path, &fx->st) == GZ_OK);
	assert_int_equal(article_count(fx->st), ARTICLES + 2);
	store_close(fx->st);
	fx->st = NULL;

	/* The site's own database. */
	assert_int_equal(store_restore_from(fx->path, fx->path, NULL, NULL,
					    &info, kept, sizeof(kept), fx->msg,
					    sizeof(fx->msg)),
			 GZ_EINVAL);
	assert_string_equal(kept, "");

	/* Not SQLite. */
	memset(junk, 'j', sizeof(junk));
	fx_path(fx, "random.db", p);
	write_file(p, junk, sizeof(junk));
	assert_int_equal(store_restore_from(p, fx->path, NULL, NULL, &info,
					    kept, sizeof(kept), fx->msg,
					    sizeof(fx->msg)),
			 GZ_EPARSE);
	assert_string_equal(kept, "");

	/* A backup with a trigger gazette does not make: it would run in the
	 * server (this one publishes each comment with its email). */
	sql_run(fx->file, "CREATE TRIGGER zz_leak AFTER INSERT ON comments"
		" BEGIN UPDATE comments SET body = body || new.email,"
		" status = 'approved' WHERE id = new.id; END;");
	assert_int_equal(store_restore_from(fx->file, fx->path, NULL, NULL,
					    &info, kept, sizeof(kept), fx->msg,
					    sizeof(fx->msg)),
			 GZ_EINVAL);
	assert_non_null(strstr(fx->msg, "trigger zz_leak"));
	assert_string_equal(kept, "");
	/* One without a trigger gazette makes (search would go stale). */
	sql_run(fx->file, "DROP TRIGGER zz_leak; DROP TRIGGER articles_fts_update;");
	assert_int_equal(store_restore_from(fx->file, fx->path, NULL, NULL,
					    &info, kept, sizeof(kept), fx->msg,
					    sizeof(fx->msg)),
			 GZ_EINVAL);
	assert_non_null(strstr(fx->msg, "missing trigger articles_fts_update"));

	assert_true(store_open(fx->path, &fx->st) == GZ_OK);
	assert_int_equal(article_count(fx->st), ARTICLES + 2);
	store_close(fx->st);
	fx->st = NULL;
	fx_path(fx, "gazette.db.restore.tmp", p);
	assert_false(exists(p));
	fx_path(fx, "gazette.db.restore.tmp.schema", p);
	assert_false(exists(p));
}

static void
test_restore_replaces_and_keeps_old(void **state)
{
	struct fx *fx = *state;
	struct store_file_info info;
	struct store *old = NULL;
	char kept[256], p[FIXTURE_PATH_MAX];
	struct stat sb;

	assert_int_equal(store_backup_to(fx->path, fx->file, false, NULL, NULL,
					 &info, fx->msg, sizeof(fx->msg)),
			 GZ_OK);
	put_articles(fx->st, 3, "later", 0);
	store_close(fx->st); /* the server stops */
	fx->st = NULL;
	/* The new file takes the old one's mode (and owner). */
	assert_int_equal(chmod(fx->path, 0640), 0);

	assert_int_equal(store_restore_from(fx->file, fx->path, NULL, NULL,
					    &info, kept, sizeof(kept), fx->msg,
					    sizeof(fx->msg)),
			 GZ_OK);
	assert_int_equal(info.articles, ARTICLES);
	assert_int_equal(info.comments, COMMENTS);
	assert_non_null(strstr(kept, "gazette.db.before-restore-"));
	/* No stale WAL or index beside the new database, no temporary. */
	fx_path(fx, "gazette.db-wal", p);
	assert_false(exists(p));
	fx_path(fx, "gazette.db-shm", p);
	assert_false(exists(p));
	fx_path(fx, "gazette.db.restore.tmp", p);
	assert_false(exists(p));
	fx_path(fx, "gazette.db.restore.tmp-wal", p);
	assert_false(exists(p));
	fx_path(fx, "gazette.db.restore.tmp-shm", p);
	assert_false(exists(p));
	fx_path(fx, "gazette.db.restore.tmp.schema", p);
	assert_false(exists(p));
	assert_int_equal(stat(fx->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);

	assert_int_equal(store_open(fx->path, &fx->st), GZ_OK);
	assert_int_equal(article_count(fx->st), ARTICLES);
	/* The old database, with what was written after the backup (its
	 * WAL was checkpointed into it before it was set aside). */
	assert_int_equal(store_open(kept, &old), GZ_OK);
	assert_int_equal(article_count(old), ARTICLES + 3);
	store_close(old);
	/* A kept file is a database of its own: restore it back. */
	store_close(fx->st);
	fx->st = NULL;
	assert_int_equal(
		store_restore_check(kept, &info, fx->msg, sizeof(fx->msg)),
		GZ_OK);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_backup_holds_everything),
		T(test_backup_writes_nothing_and_is_private),
		T(test_backup_no_overwrite_without_force),
		T(test_backup_missing_source),
		T(test_backup_is_one_snapshot),
		T(test_check_refuses_bad_files),
		T(test_check_refuses_newer_schema),
		T(test_restore_refusals_touch_nothing),
		T(test_restore_replaces_and_keeps_old),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
