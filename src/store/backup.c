/*
 * backup.c - `gazette backup` and `gazette restore` at the store's level:
 * a consistent copy of a live database into one file, and the checked,
 * atomic replacement of a site's database by such a file.
 *
 * Data flow: cli/cmd_backup.c parses the command line and prints; the
 * functions here open their own SQLite connections by path, not a struct
 * store: a backup must never migrate or otherwise write the live database
 * (the backing-up binary may be newer than the serving one), and a
 * restore must not open the database it replaces the way a server would.
 *
 * Backup (docs/store.md, "Backup and restore", compares this with VACUUM
 * INTO): SQLite's online backup API, from a read connection that opens a
 * read transaction first and holds it across every sqlite3_backup_step.
 * sqlite3_backup_step opens a read transaction of its own only when the
 * source has none, and restarts from page 1 when the source changes
 * between steps; with ours held, every step reads one WAL snapshot, so
 * the copy is the database as of the moment the backup began and it
 * never restarts, however busy the writer is. In WAL mode a reader does
 * not block the writer; it only keeps checkpoints from passing its
 * snapshot, so the WAL grows for the length of a backup. Steps are
 * BACKUP_STEP_PAGES pages with a short pause between them, so that the
 * server's threads get the disk and the CPU between steps.
 *
 * Restore: "is anyone using this database" is asked of SQLite's own
 * locks. A WAL-mode connection holds a shared lock on the database file
 * from its first read until it closes, so a gazette serve (whose writer
 * connection stays open) holds one as long as it runs. The restore opens
 * the site's database with locking_mode=EXCLUSIVE: its first read then
 * needs an exclusive lock, which fails (SQLITE_BUSY) while any other
 * connection, of any process, has the database open. Holding it, the
 * restore switches the old database to journal_mode=DELETE (which
 * checkpoints its WAL into it and removes the -wal file, so no stale WAL
 * can ever be replayed onto the new database), and keeps that lock until
 * the new file has been renamed into place. A server starting meanwhile
 * waits for the lock and gives up with "locked"; one starting after the
 * rename opens the new file.
 *
 * Invariants:
 * - Nothing is replaced before every check passed. On any error the
 *   destination (backup) or the site's gazette.db (restore) is as it
 *   was, and the temporary file is removed.
 * - Every name this file creates is its argument plus a suffix, in the
 *   same directory, so each rename is atomic.
 * - SQLite's result codes become enum gz_err here with a sentence for a
 *   person (msg), not a log line: a bad file handed to restore is the
 *   user's mistake to fix, not the store's failure.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <assert.h>
#include <libgen.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "util/err.h"

/* Pages copied per sqlite3_backup_step: 1 MiB at 4 KiB pages. */
#define BACKUP_STEP_PAGES 256
/* Pause between steps, in nanoseconds (1 ms): room for the server. */
#define BACKUP_PAUSE_NS 1000000L
/* Steps answered SQLITE_BUSY or SQLITE_LOCKED (a checkpoint or recovery
 * holding a lock for a moment) retried before giving up: with the pause,
 * about 5 s. */
#define BACKUP_BUSY_TRIES 5000
/* How long the connections here wait for a lock another process holds
 * for a moment (a commit) before answering busy. */
#define BACKUP_BUSY_MS 2000

/* Fills msg with a sentence (cut when longer than msglen). */
static void bk_msg(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
bk_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (!msg || msglen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

/* SQLite's code rc, from a file the user named, as an enum gz_err. */
static int
bk_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		return GZ_EPARSE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return GZ_EBUSY;
	case SQLITE_NOMEM:
		return GZ_ENOMEM;
	case SQLITE_CANTOPEN:
		return GZ_ENOTFOUND;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return GZ_EIO;
	default:
		return GZ_EDB; /* CORRUPT and the rest */
	}
}

/* Joins path and suffix into a string the caller frees with free();
 * NULL when out of memory. */
static char *
bk_path(const char *path, const char *suffix)
{
	size_t pl = strlen(path), sl = strlen(suffix);
	char *p = malloc(pl + sl + 1);

	if (!p)
		return NULL;
	memcpy(p, path, pl);
	memcpy(p + pl, suffix, sl + 1);
	return p;
}

/* Removes path if it exists. Returns 0, or -1 with errno. */
static int
bk_unlink(const char *path)
{
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	return -1;
}

/* Removes the file path and the journal, WAL and shared-memory files
 * SQLite may have left beside it. Returns GZ_OK or GZ_EIO (msg says which
 * file). */
static int
bk_unlink_db(const char *path, char *msg, size_t msglen)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	char *p;
	size_t i;
	int err = GZ_OK;

	for (i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		if (!(p = bk_path(path, suffixes[i])))
			return GZ_ENOMEM;
		if (bk_unlink(p) != 0 && err == GZ_OK) {
			bk_msg(msg, msglen, "cannot remove %s (%s)", p,
			       strerror(errno));
			err = GZ_EIO;
		}
		free(p);
	}
	return err;
}

/* fsync(2)s the file or directory at path. Returns GZ_OK or GZ_EIO. */
static int
bk_sync(const char *path, char *msg, size_t msglen)
{
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		saved = errno;
		if (fd >= 0)
			close(fd);
		bk_msg(msg, msglen, "cannot sync %s to disk (%s)", path,
		       strerror(saved));
		return GZ_EIO;
	}
	close(fd);
	return GZ_OK;
}

/* fsync(2)s the directory holding path, so that a rename in it is on
 * disk. Returns GZ_OK, GZ_EIO or GZ_ENOMEM. */
static int
bk_sync_dir(const char *path, char *msg, size_t msglen)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int err;

	if (!slash)
		return bk_sync(".", msg, msglen);
	if (slash == path)
		return bk_sync("/", msg, msglen);
	if (!(dir = strndup(path, (size_t)(slash - path))))
		return GZ_ENOMEM;
	err = bk_sync(dir, msg, msglen);
	free(dir);
	return err;
}

/* Opens path with flags, extended result codes and a busy timeout. On
 * error *out is closed and NULL. Returns an SQLite code. */
static int
bk_open(const char *path, int flags, sqlite3 **out)
{
	int rc;

	rc = sqlite3_open_v2(path, out, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(*out);
		*out = NULL;
		return rc;
	}
	sqlite3_extended_result_codes(*out, 1);
	sqlite3_busy_timeout(*out, BACKUP_BUSY_MS);
	return SQLITE_OK;
}

/* Runs constant sql, which returns one row, and reads its first column
 * as an integer into *iv or as text into text[textlen] (whichever is not
 * NULL). Returns an SQLite code (SQLITE_OK on a row); SQLITE_TOOBIG when
 * the text did not fit, text then holding its cut start: a cut value
 * (a journal mode, "ok") must not be compared as if whole. */
static int
bk_query1(sqlite3 *db, const char *sql, int64_t *iv, char *text,
	  size_t textlen)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *t;
	int rc, n;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		rc = SQLITE_OK;
		if (iv)
			*iv = sqlite3_column_int64(s, 0);
		if (text) {
			t = sqlite3_column_text(s, 0);
			n = snprintf(text, textlen, "%s",
				     t ? (const char *)t : "");
			if (n < 0 || (size_t)n >= textlen)
				rc = SQLITE_TOOBIG;
		}
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_ERROR; /* a pragma that answered nothing */
	}
	sqlite3_finalize(s);
	return rc;
}

/* The message of SQLite's last error on db, or of rc without one. */
static const char *
bk_why(sqlite3 *db, int rc)
{
	return db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
}

/*
 * Checks the open database db (read from path, named in messages) and
 * fills *info: an SQLite database (its header reads), gazette's (its
 * tables, a schema version from 1 on), not newer than this gazette
 * unless allow_newer, whole (PRAGMA integrity_check). The cheap checks
 * come first, so a wrong file is refused before a long scan. Returns
 * GZ_OK or store_restore_check's errors, with msg.
 */
static int
bk_inspect(sqlite3 *db, const char *path, bool allow_newer,
	   struct store_file_info *info, char *msg, size_t msglen)
{
	char first[512];
	int64_t version = 0, tables = 0, comments_table = 0;
	int rc;

	rc = bk_query1(db, "PRAGMA user_version", &version, NULL, 0);
	if (rc == SQLITE_OK)
		rc = bk_query1(db,
			       "SELECT count(*) FROM sqlite_master"
			       " WHERE type = 'table' AND name IN ('articles',"
			       " 'sections', 'tags', 'article_tags')",
			       &tables, NULL, 0);
	if (rc == SQLITE_OK)
		rc = bk_query1(db,
			       "SELECT count(*) FROM sqlite_master"
			       " WHERE type = 'table' AND name = 'comments'",
			       &comments_table, NULL, 0);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB) {
			bk_msg(msg, msglen, "%s is not an SQLite database",
			       path);
			return GZ_EPARSE;
		}
		if ((rc & 0xff) == SQLITE_CORRUPT) {
			bk_msg(msg, msglen, "%s is damaged (%s)", path,
			       bk_why(db, rc));
			return GZ_EDB;
		}
		bk_msg(msg, msglen, "cannot read %s (%s)", path,
		       bk_why(db, rc));
		return bk_err(rc);
	}
	if (tables == 0 && version == 0) {
		bk_msg(msg, msglen, "%s is an SQLite database without gazette's "
		       "tables (empty, or not a gazette database)", path);
		return GZ_EINVAL;
	}
	if (tables != 4 || version < 1) {
		bk_msg(msg, msglen, "%s is an SQLite database, but not a "
		       "gazette database (no articles, sections and tags "
		       "tables at a gazette schema version)", path);
		return GZ_EINVAL;
	}
	if (version > store_schema_version() && !allow_newer) {
		bk_msg(msg, msglen, "%s is at schema version %lld, newer than "
		       "this gazette's (%d): restore it with the gazette that "
		       "wrote it, or upgrade gazette", path,
		       (long long)version, store_schema_version());
		return GZ_ESCHEMA;
	}
	/* One message is enough to refuse the file: integrity_check(1)
	 * still scans everything when all is well. */
	rc = bk_query1(db, "PRAGMA integrity_check(1)", NULL, first,
		       sizeof(first));
	if (rc == SQLITE_TOOBIG) {
		/* Longer than "ok": the check's first complaint, cut. */
		bk_msg(msg, msglen, "%s is damaged: the integrity check says "
		       "\"%s...\"", path, first);
		return GZ_EDB;
	}
	if (rc != SQLITE_OK) {
		bk_msg(msg, msglen, "%s is damaged (%s)", path,
		       bk_why(db, rc));
		return (rc & 0xff) == SQLITE_NOMEM ? GZ_ENOMEM : GZ_EDB;
	}
	if (strcmp(first, "ok") != 0) {
		bk_msg(msg, msglen, "%s is damaged: the integrity check says "
		       "\"%s\"", path, first);
		return GZ_EDB;
	}
	rc = bk_query1(db, "SELECT count(*) FROM articles", &info->articles,
		       NULL, 0);
	if (rc == SQLITE_OK && comments_table)
		rc = bk_query1(db, "SELECT count(*) FROM comments",
			       &info->comments, NULL, 0);
	if (rc != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot count the articles of %s (%s)",
		       path, bk_why(db, rc));
		return bk_err(rc);
	}
	info->schema_version = (int)version;
	return GZ_OK;
}

/* Copies database src into dst with the backup API, BACKUP_STEP_PAGES a
 * step, telling progress after each. Names from (src) and to (dst) in
 * messages. Returns GZ_OK or a mapped error with msg. */
static int
bk_copy(sqlite3 *src, const char *from, sqlite3 *dst, const char *to,
	store_progress_fn progress, void *ctx, char *msg, size_t msglen)
{
	const struct timespec pause = {0, BACKUP_PAUSE_NS};
	sqlite3_backup *b;
	int rc, busy = 0, total;

	if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
		rc = sqlite3_errcode(dst);
		bk_msg(msg, msglen, "cannot copy %s into %s (%s)", from, to,
		       sqlite3_errmsg(dst));
		return bk_err(rc);
	}
	for (;;) {
		rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
		if (rc == SQLITE_DONE)
			break;
		if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
			if (++busy > BACKUP_BUSY_TRIES)
				break;
		} else if (rc != SQLITE_OK) {
			break;
		}
		total = sqlite3_backup_pagecount(b);
		if (progress && rc == SQLITE_OK)
			progress(ctx, total - sqlite3_backup_remaining(b),
				 total);
		(void)nanosleep(&pause, NULL);
	}
	if (rc == SQLITE_DONE && progress) {
		total = sqlite3_backup_pagecount(b);
		progress(ctx, total, total);
	}
	/* finish reports the step's error again, on dst. */
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		if (rc == SQLITE_DONE)
			rc = sqlite3_errcode(dst);
		if ((rc & 0xff) == SQLITE_NOTADB) {
			bk_msg(msg, msglen, "%s is not an SQLite database",
			       from);
			return GZ_EPARSE;
		}
		bk_msg(msg, msglen, "cannot copy %s into %s (%s)", from, to,
		       sqlite3_errmsg(dst));
		return bk_err(rc);
	}
	return GZ_OK;
}

/* Runs constant sql on db; on error fills msg about path. Returns an
 * SQLite code. */
static int
bk_exec(sqlite3 *db, const char *sql, const char *path, char *msg,
	size_t msglen)
{
	int rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		bk_msg(msg, msglen, "%s: %s (%s)", path, sql,
		       sqlite3_errmsg(db));
	return rc;
}

/* Closes db, reporting a failure about path in msg when err is GZ_OK.
 * Returns err, or GZ_EIO when the close failed. */
static int
bk_close(sqlite3 *db, const char *path, int err, char *msg, size_t msglen)
{
	int rc;

	if (!db)
		return err;
	rc = sqlite3_close(db);
	if (rc != SQLITE_OK && err == GZ_OK) {
		bk_msg(msg, msglen, "cannot close %s (%s)", path,
		       sqlite3_errstr(rc));
		return GZ_EIO;
	}
	return err;
}

/* True when path exists and is the file sb describes. */
static bool
bk_same_file(const char *path, const struct stat *sb)
{
	struct stat other;

	return stat(path, &other) == 0 && other.st_dev == sb->st_dev &&
	       other.st_ino == sb->st_ino;
}

/* True when dest names one of the database's own files beside it: its
 * -wal, -shm or -journal, by inode when the file exists, by resolved name
 * when it does not (a file made there would be taken for the database's
 * journal). Writing a backup onto one would corrupt the live database. */
static bool
bk_is_sidecar(const char *db_path, const char *dest)
{
	static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
	char db_real[PATH_MAX], dir_real[PATH_MAX], name[PATH_MAX];
	char *dir = NULL, *base = NULL, *copy1 = NULL, *copy2 = NULL;
	struct stat side;
	bool hit = false;
	size_t i;
	int n;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]) && !hit; i++) {
		n = snprintf(name, sizeof(name), "%s%s", db_path, suffixes[i]);
		if (n > 0 && (size_t)n < sizeof(name) && stat(name, &side) == 0)
			hit = bk_same_file(dest, &side);
	}
	if (hit || !realpath(db_path, db_real) || !(copy1 = strdup(dest)) ||
	    !(copy2 = strdup(dest)))
		goto out;
	dir = dirname(copy1);
	base = basename(copy2);
	if (!realpath(dir, dir_real))
		goto out;
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]) && !hit; i++) {
		char want[PATH_MAX];

		n = snprintf(name, sizeof(name), "%s/%s", dir_real, base);
		if (n < 0 || (size_t)n >= sizeof(name))
			break;
		n = snprintf(want, sizeof(want), "%s%s", db_real, suffixes[i]);
		if (n < 0 || (size_t)n >= sizeof(want))
			break;
		hit = strcmp(name, want) == 0;
	}
out:
	free(copy1);
	free(copy2);
	return hit;
}

/* Moves tmp to dest: atomically replacing dest when force, else failing
 * with GZ_EEXIST when dest exists (link(2), so that a file made meanwhile
 * is not overwritten either; rename where the file system has no hard
 * links). Returns GZ_OK, GZ_EEXIST or GZ_EIO. */
static int
bk_install(const char *tmp, const char *dest, bool force, char *msg,
	   size_t msglen)
{
	struct stat sb;

	if (!force) {
		if (link(tmp, dest) == 0) {
			(void)unlink(tmp);
			return GZ_OK;
		}
		if (errno == EEXIST) {
			bk_msg(msg, msglen, "%s exists already", dest);
			return GZ_EEXIST;
		}
		if (errno != EPERM && errno != ENOTSUP && errno != EXDEV &&
		    errno != EMLINK) {
			bk_msg(msg, msglen, "cannot create %s (%s)", dest,
			       strerror(errno));
			return GZ_EIO;
		}
		if (lstat(dest, &sb) == 0) {
			bk_msg(msg, msglen, "%s exists already", dest);
			return GZ_EEXIST;
		}
	}
	if (rename(tmp, dest) != 0) {
		bk_msg(msg, msglen, "cannot rename %s to %s (%s)", tmp, dest,
		       strerror(errno));
		return GZ_EIO;
	}
	return GZ_OK;
}

int
store_backup_to(const char *db_path, const char *dest, bool force,
		store_progress_fn progress, void *ctx,
		struct store_file_info *info, char *msg, size_t msglen)
{
	sqlite3 *src = NULL, *dst = NULL;
	char *tmp = NULL;
	bool tmp_made = false;
	struct stat sb;
	int err, rc, fd;

	assert(db_path && dest && info);
	memset(info, 0, sizeof(*info));
	bk_msg(msg, msglen, "%s", "");
	if (!force && lstat(dest, &sb) == 0) {
		bk_msg(msg, msglen, "%s exists already", dest);
		return GZ_EEXIST;
	}
	if (stat(db_path, &sb) != 0) {
		bk_msg(msg, msglen, "no database at %s (%s)", db_path,
		       strerror(errno));
		return GZ_ENOTFOUND;
	}
	if (bk_same_file(dest, &sb)) {
		bk_msg(msg, msglen, "%s is the database itself: back it up "
		       "into another file", dest);
		return GZ_EINVAL;
	}
	if (bk_is_sidecar(db_path, dest)) {
		bk_msg(msg, msglen, "%s is one of the database's own files: "
		       "back it up into another file", dest);
		return GZ_EINVAL;
	}
	if (!(tmp = bk_path(dest, ".tmp"))) {
		err = GZ_ENOMEM;
		goto out;
	}
	/* A .tmp left by an interrupted backup is ours to replace. */
	if ((err = bk_unlink_db(tmp, msg, msglen)) != GZ_OK)
		goto out;

	/* The source: a reader (query_only) whose read transaction, started
	 * by its first read, holds one snapshot for the whole copy. It is
	 * opened read-write, as a WAL database's readers need the -shm; so
	 * that it writes nothing, closing it must not checkpoint either:
	 * with no server running it would be the last connection, and
	 * SQLite would copy the WAL into the live gazette.db and delete it
	 * while a backup only reads. */
	if ((rc = bk_open(db_path, SQLITE_OPEN_READWRITE, &src)) != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot open %s (%s)", db_path,
		       sqlite3_errstr(rc));
		err = bk_err(rc);
		goto out;
	}
	rc = sqlite3_db_config(src, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (rc != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot open %s (%s)", db_path,
		       bk_why(src, rc));
		err = bk_err(rc);
		goto out;
	}
	rc = bk_exec(src, "PRAGMA query_only=ON; BEGIN", db_path, msg, msglen);
	if (rc == SQLITE_OK)
		rc = bk_query1(src, "SELECT count(*) FROM sqlite_master", NULL,
			       NULL, 0);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB)
			bk_msg(msg, msglen, "%s is not an SQLite database",
			       db_path);
		else
			bk_msg(msg, msglen, "cannot read %s (%s)", db_path,
			       bk_why(src, rc));
		err = bk_err(rc);
		goto out;
	}

	/* A backup holds readers' emails and addresses: made 0600 before
	 * SQLite opens it (SQLite would create it 0644 less the umask, and
	 * gives its journal the file's mode), and renamed with that mode. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC, 0600)) < 0) {
		bk_msg(msg, msglen, "cannot create %s (%s)", tmp,
		       strerror(errno));
		err = GZ_EIO;
		goto out;
	}
	tmp_made = true;
	(void)close(fd);
	rc = bk_open(tmp, SQLITE_OPEN_READWRITE, &dst);
	if (rc != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot create %s (%s)", tmp,
		       sqlite3_errstr(rc));
		err = GZ_EIO;
		goto out;
	}
	err = bk_copy(src, db_path, dst, tmp, progress, ctx, msg, msglen);
	if (err != GZ_OK)
		goto out;
	/* The copy carries the source's header, which says WAL: a backup is
	 * one self-contained file in rollback mode instead (a restore puts
	 * WAL back). */
	if (bk_exec(dst, "PRAGMA journal_mode=DELETE", tmp, msg, msglen) !=
	    SQLITE_OK) {
		err = GZ_EIO;
		goto out;
	}
	err = bk_close(dst, tmp, GZ_OK, msg, msglen);
	dst = NULL;
	if (err != GZ_OK)
		goto out;
	/* The snapshot is no longer needed: let checkpoints go on. */
	(void)sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	(void)sqlite3_close(src);
	src = NULL;

	if ((err = bk_sync(tmp, msg, msglen)) != GZ_OK)
		goto out;
	/* The copy is checked as a restore would check it (a newer schema
	 * is fine here: this gazette may be older than the server). */
	if ((rc = bk_open(tmp, SQLITE_OPEN_READONLY, &dst)) != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot open the copy %s (%s)", tmp,
		       sqlite3_errstr(rc));
		err = GZ_EIO;
		goto out;
	}
	err = bk_inspect(dst, tmp, true, info, msg, msglen);
	err = bk_close(dst, tmp, err, msg, msglen);
	dst = NULL;
	if (err != GZ_OK)
		goto out;
	if ((err = bk_install(tmp, dest, force, msg, msglen)) != GZ_OK)
		goto out;
	tmp_made = false;
	if ((err = bk_sync_dir(dest, msg, msglen)) != GZ_OK)
		goto out;
	if (stat(dest, &sb) == 0)
		info->bytes = (int64_t)sb.st_size;
out:
	if (dst)
		(void)sqlite3_close(dst);
	if (src)
		(void)sqlite3_close(src); /* ends the read transaction */
	if (tmp_made)
		(void)bk_unlink_db(tmp, NULL, 0);
	free(tmp);
	if (err == GZ_ENOMEM)
		bk_msg(msg, msglen, "out of memory");
	return err;
}

int
store_restore_check(const char *path, struct store_file_info *info,
		    char *msg, size_t msglen)
{
	sqlite3 *db = NULL;
	struct stat sb;
	int rc, err;

	assert(path && info);
	memset(info, 0, sizeof(*info));
	bk_msg(msg, msglen, "%s", "");
	if (stat(path, &sb) != 0) {
		bk_msg(msg, msglen, "cannot read %s (%s)", path,
		       strerror(errno));
		return GZ_ENOTFOUND;
	}
	if (!S_ISREG(sb.st_mode)) {
		bk_msg(msg, msglen, "%s is not a file", path);
		return GZ_EPARSE;
	}
	if ((rc = bk_open(path, SQLITE_OPEN_READONLY, &db)) != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot open %s (%s)", path,
		       sqlite3_errstr(rc));
		return bk_err(rc);
	}
	err = bk_inspect(db, path, false, info, msg, msglen);
	info->bytes = (int64_t)sb.st_size;
	return bk_close(db, path, err, msg, msglen);
}

/*
 * Takes the site's database for a restore: an exclusive lock that only
 * an unused database grants, held by *out until it is closed (after the
 * rename); then its WAL, if any, checkpointed into it and removed
 * (journal_mode=DELETE), and a stale -shm removed. A database that is not
 * one at all (NOTADB) is nobody's: *out is NULL and GZ_OK. Returns GZ_OK,
 * GZ_EBUSY (in use) or another error, with msg.
 */
static int
bk_lock(const char *db_path, sqlite3 **out, char *msg, size_t msglen)
{
	sqlite3 *db = NULL;
	char mode[16];
	char *shm = NULL;
	int rc, err;

	*out = NULL;
	rc = bk_open(db_path, SQLITE_OPEN_READWRITE, &db);
	/* No waiting: a server holds its lock as long as it runs, and a
	 * restore waiting for it would hold SQLite's pending lock, which
	 * keeps the server's new connections out meanwhile. */
	if (rc == SQLITE_OK)
		sqlite3_busy_timeout(db, 0);
	if (rc == SQLITE_OK)
		rc = bk_exec(db, "PRAGMA locking_mode=EXCLUSIVE", db_path, msg,
			     msglen);
	/* The first read takes the lock (exclusive in WAL mode); only
	 * after it does journal_mode tell the file's mode. */
	if (rc == SQLITE_OK)
		rc = bk_query1(db, "SELECT count(*) FROM sqlite_master", NULL,
			       NULL, 0);
	if (rc == SQLITE_OK)
		rc = bk_query1(db, "PRAGMA journal_mode", NULL, mode,
			       sizeof(mode));
	if (rc == SQLITE_OK && strcmp(mode, "wal") == 0 &&
	    (rc = bk_query1(db, "PRAGMA journal_mode=DELETE", NULL, mode,
			    sizeof(mode))) == SQLITE_OK &&
	    strcmp(mode, "delete") != 0)
		rc = SQLITE_BUSY; /* SQLite kept WAL: another connection */
	/* In rollback mode the read took a shared lock only. */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "BEGIN EXCLUSIVE; COMMIT", NULL, NULL,
				  NULL);
	if ((rc & 0xff) == SQLITE_NOTADB) {
		(void)sqlite3_close(db);
		return GZ_OK;
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		bk_msg(msg, msglen, "%s is in use by another program (a "
		       "running gazette serve?); stop it and try again",
		       db_path);
		err = GZ_EBUSY;
		goto fail;
	}
	if (rc != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot take %s for the restore (%s)",
		       db_path, bk_why(db, rc));
		err = bk_err(rc);
		goto fail;
	}
	/* Nobody else can be using a -shm while we hold the lock. */
	if (!(shm = bk_path(db_path, "-shm"))) {
		err = GZ_ENOMEM;
		goto fail;
	}
	if (bk_unlink(shm) != 0) {
		bk_msg(msg, msglen, "cannot remove %s (%s)", shm,
		       strerror(errno));
		err = GZ_EIO;
		goto fail;
	}
	free(shm);
	*out = db;
	return GZ_OK;
fail:
	free(shm);
	(void)sqlite3_close(db);
	return err;
}

/* Makes the kept name of the old database: db_path.before-restore- and
 * the UTC time, into kept[keptlen]. Returns GZ_OK or GZ_ETOOBIG. */
static int
bk_kept_name(const char *db_path, char *kept, size_t keptlen)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (!gmtime_r(&now, &tm) ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return GZ_ETOOBIG;
	n = snprintf(kept, keptlen, "%s.before-restore-%s", db_path, stamp);
	return n < 0 || (size_t)n >= keptlen ? GZ_ETOOBIG : GZ_OK;
}

/*
 * Refuses a copy whose schema is not exactly the one this gazette makes:
 * a backup is a file from outside, and a trigger or view planted in it
 * would run inside the server (a trigger can publish every comment, or a
 * reader's email). The copy, migrated, is compared with a database made
 * new beside it by the same migrations, object by object (type, name,
 * table and SQL text), both ways. Returns GZ_OK or GZ_EINVAL with msg.
 */
static int
bk_schema_same(const char *tmp, char *msg, size_t msglen)
{
	static const char diff_sql[] =
		"SELECT type || ' ' || name FROM (SELECT type, name, tbl_name, sql"
		" FROM main.sqlite_master EXCEPT SELECT type, name, tbl_name, sql"
		" FROM fresh.sqlite_master) UNION ALL SELECT 'missing ' || type ||"
		" ' ' || name FROM (SELECT type, name, tbl_name, sql FROM"
		" fresh.sqlite_master EXCEPT SELECT type, name, tbl_name, sql"
		" FROM main.sqlite_master) LIMIT 1";
	struct store *st = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *fresh = NULL, *attach = NULL;
	int err = GZ_OK, rc;

	if (!(fresh = bk_path(tmp, ".schema"))) {
		err = GZ_ENOMEM;
		goto out;
	}
	if ((err = bk_unlink_db(fresh, msg, msglen)) != GZ_OK)
		goto out;
	if ((err = store_open(fresh, &st)) != GZ_OK) {
		bk_msg(msg, msglen, "cannot make a new database to compare the "
		       "copy with at %s (%s)", fresh, gz_strerror(err));
		goto out;
	}
	store_close(st);
	if (!(attach = sqlite3_mprintf("ATTACH %Q AS fresh", fresh))) {
		err = GZ_ENOMEM;
		goto out;
	}
	/* Read-write, though it only reads: the last connection to close a
	 * WAL database removes its -wal and -shm, where a read-only one
	 * would leave them beside the file about to be renamed. */
	rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, attach, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, diff_sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot compare the copy's schema (%s)",
		       sqlite3_errmsg(db));
		err = GZ_EDB;
		goto out;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bk_msg(msg, msglen, "the backup's schema differs from the one "
		       "this gazette makes (%s); it is refused: an object "
		       "gazette does not make would run inside the server",
		       (const char *)sqlite3_column_text(s, 0));
		err = GZ_EINVAL;
	} else if (rc != SQLITE_DONE) {
		bk_msg(msg, msglen, "cannot compare the copy's schema (%s)",
		       sqlite3_errmsg(db));
		err = GZ_EDB;
	}
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	sqlite3_free(attach);
	if (fresh)
		(void)bk_unlink_db(fresh, NULL, 0);
	free(fresh);
	return err;
}

/* Brings the copy at tmp to the current schema and to WAL mode, through
 * the same store_open a server uses (which also proves it opens), and
 * closes it, its WAL checkpointed and removed. Returns GZ_OK or an
 * error with msg. */
static int
bk_migrate(const char *tmp, char *msg, size_t msglen)
{
	struct store *st = NULL;
	struct stat sb;
	char *wal;
	int err;

	if ((err = store_open(tmp, &st)) != GZ_OK) {
		bk_msg(msg, msglen, "cannot open the copy %s as a gazette "
		       "database (%s)", tmp, gz_strerror(err));
		return err;
	}
	store_close(st);
	/* The last connection to close removes the WAL; one left with
	 * frames in it would be the copy's newest pages. */
	if (!(wal = bk_path(tmp, "-wal")))
		return GZ_ENOMEM;
	if (stat(wal, &sb) == 0 && sb.st_size > 0) {
		bk_msg(msg, msglen, "%s was not checkpointed", wal);
		err = GZ_EDB;
	}
	free(wal);
	if (err == GZ_OK)
		err = bk_schema_same(tmp, msg, msglen);
	return err;
}

/* Gives tmp the owner, group and mode of the database it replaces (old),
 * so that a restore run as root leaves a file the server's own user can
 * still write. Returns GZ_OK or GZ_EIO. */
static int
bk_same_owner(const char *tmp, const struct stat *old, char *msg,
	      size_t msglen)
{
	struct stat sb;

	if (stat(tmp, &sb) != 0) {
		bk_msg(msg, msglen, "cannot read %s (%s)", tmp, strerror(errno));
		return GZ_EIO;
	}
	if ((sb.st_uid != old->st_uid || sb.st_gid != old->st_gid) &&
	    chown(tmp, old->st_uid, old->st_gid) != 0) {
		bk_msg(msg, msglen, "cannot give %s the owner of the database "
		       "it replaces (%s)", tmp, strerror(errno));
		return GZ_EIO;
	}
	if ((sb.st_mode & 07777) != (old->st_mode & 07777) &&
	    chmod(tmp, old->st_mode & 07777) != 0) {
		bk_msg(msg, msglen, "cannot give %s the mode of the database "
		       "it replaces (%s)", tmp, strerror(errno));
		return GZ_EIO;
	}
	return GZ_OK;
}

int
store_restore_from(const char *src_path, const char *db_path,
		   store_progress_fn progress, void *ctx,
		   struct store_file_info *info, char *kept, size_t keptlen,
		   char *msg, size_t msglen)
{
	sqlite3 *lock = NULL, *src = NULL, *dst = NULL;
	struct store_file_info copy;
	char *tmp = NULL;
	bool tmp_made = false, have_old;
	struct stat sb;
	int err, rc;

	assert(src_path && db_path && info && kept && keptlen > 0);
	kept[0] = '\0';
	have_old = stat(db_path, &sb) == 0;
	if (have_old && bk_same_file(src_path, &sb)) {
		memset(info, 0, sizeof(*info));
		bk_msg(msg, msglen, "%s is the site's database itself",
		       src_path);
		return GZ_EINVAL;
	}
	/* Everything about src is checked before the site is touched. */
	if ((err = store_restore_check(src_path, info, msg, msglen)) != GZ_OK)
		return err;
	if (have_old && (err = bk_lock(db_path, &lock, msg, msglen)) != GZ_OK)
		return err;
	if (!have_old) {
		/* A -wal or -shm without its database belongs to nothing and
		 * must not meet the new file. */
		if (!(tmp = bk_path(db_path, "-wal")) ||
		    bk_unlink(tmp) != 0) {
			err = tmp ? GZ_EIO : GZ_ENOMEM;
			if (tmp)
				bk_msg(msg, msglen, "cannot remove %s (%s)",
				       tmp, strerror(errno));
			goto out;
		}
		free(tmp);
		if (!(tmp = bk_path(db_path, "-shm")) ||
		    bk_unlink(tmp) != 0) {
			err = tmp ? GZ_EIO : GZ_ENOMEM;
			if (tmp)
				bk_msg(msg, msglen, "cannot remove %s (%s)",
				       tmp, strerror(errno));
			goto out;
		}
		free(tmp);
		tmp = NULL;
	}

	if (!(tmp = bk_path(db_path, ".restore.tmp"))) {
		err = GZ_ENOMEM;
		goto out;
	}
	if ((err = bk_unlink_db(tmp, msg, msglen)) != GZ_OK)
		goto out;
	tmp_made = true;
	rc = bk_open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst);
	if (rc == SQLITE_OK)
		rc = bk_open(src_path, SQLITE_OPEN_READONLY, &src);
	if (rc != SQLITE_OK) {
		bk_msg(msg, msglen, "cannot open %s or %s (%s)", src_path, tmp,
		       sqlite3_errstr(rc));
		err = bk_err(rc);
		goto out;
	}
	err = bk_copy(src, src_path, dst, tmp, progress, ctx, msg, msglen);
	if (err != GZ_OK)
		goto out;
	(void)sqlite3_close(src);
	src = NULL;
	/* What lands in the site is checked again, as it is on disk. */
	err = bk_inspect(dst, tmp, false, &copy, msg, msglen);
	err = bk_close(dst, tmp, err, msg, msglen);
	dst = NULL;
	if (err != GZ_OK)
		goto out;
	if ((err = bk_migrate(tmp, msg, msglen)) != GZ_OK ||
	    (err = bk_sync(tmp, msg, msglen)) != GZ_OK)
		goto out;
	if (have_old && (err = bk_same_owner(tmp, &sb, msg, msglen)) != GZ_OK)
		goto out;
	if (have_old) {
		if (bk_kept_name(db_path, kept, keptlen) != GZ_OK) {
			bk_msg(msg, msglen, "%s: path too long", db_path);
			err = GZ_ETOOBIG;
			goto out;
		}
		/* A second name for the old file; the rename below then
		 * swaps gazette.db in one step. */
		if (link(db_path, kept) != 0) {
			bk_msg(msg, msglen, "cannot keep the old database as "
			       "%s (%s)", kept, strerror(errno));
			err = errno == EEXIST ? GZ_EEXIST : GZ_EIO;
			kept[0] = '\0';
			goto out;
		}
	}
	if (rename(tmp, db_path) != 0) {
		bk_msg(msg, msglen, "cannot rename %s to %s (%s)", tmp, db_path,
		       strerror(errno));
		err = GZ_EIO;
		if (kept[0])
			(void)unlink(kept);
		kept[0] = '\0';
		goto out;
	}
	tmp_made = false;
	/* Done: a directory that cannot be synced leaves the restore in
	 * place (readers see it) but maybe not on disk yet; say so. */
	(void)bk_sync_dir(db_path, msg, msglen);
	err = GZ_OK;
out:
	if (src)
		(void)sqlite3_close(src);
	if (dst)
		(void)sqlite3_close(dst);
	if (tmp_made)
		(void)bk_unlink_db(tmp, NULL, 0);
	free(tmp);
	/* Last: the lock kept any other gazette off the old file until the
	 * new one was in place. The old file is in rollback mode now, so
	 * closing touches no -wal of the new one. */
	if (lock)
		(void)sqlite3_close(lock);
	if (err == GZ_ENOMEM)
		bk_msg(msg, msglen, "out of memory");
	return err;
}
