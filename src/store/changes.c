/*
 * changes.c - change events that cross processes: a write committed by
 * another process (`gazette comments approve`, `gazette import` while the
 * site is served, another gazette on the same database) reaches this
 * process's listener, so its page cache never serves a page the database
 * has moved past.
 *
 * Data flow: store_tx_commit records the transaction's keys in the
 * changes table inside the transaction itself (store_changes_record), so
 * a change is committed exactly when its row is. store_changes_sync reads
 * the rows other processes committed since its last call and fires them.
 * The server calls it before every cache lookup; it must be nearly free
 * when nothing changed, so it first compares SQLite's WAL-index header
 * (the -shm file, mapped read-only: its change counter and last frame
 * move with every commit, https://www.sqlite.org/walformat.html) with
 * what it saw last, and only on a difference runs a query (one indexed
 * range read, usually empty). The header moves with this process's own
 * commits too, so under a comment storm about one request per batch runs
 * that query, under the lock other syncing requests wait on briefly.
 *
 * Invariants:
 * - Rows carry the writing store's random origin; sync skips its own,
 *   whose events fired at commit already.
 * - The header is read before the query: a commit landing between the two
 *   is seen by the query or, at the latest, by the next sync.
 * - The mapping is made after this process opened the database, so SQLite
 *   never truncates the -shm file under it (only the first connection to
 *   open a database does, and ours stays open until store_close). Its
 *   descriptor is closed only after every SQLite connection of the
 *   store: POSIX drops a process's locks on a file when any of its
 *   descriptors of that file is closed, and SQLite's locks on -shm are
 *   what tell other processes the database is in use.
 * - Rows older than STORE_CHANGES_KEEP seconds are purged now and then:
 *   a process that has not looked for that long has nothing cached that
 *   a restart would not also drop.
 */
#include <assert.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_int.h"

#include "util/err.h"
#include "util/log.h"

/* Seconds a change row is kept. */
#define STORE_CHANGES_KEEP 600
/* One commit in this many also purges old rows. */
#define STORE_CHANGES_PURGE_EVERY 256u
/* Without the WAL-index mapping, the database is asked at most this often
 * (nanoseconds): 50 ms. */
#define STORE_CHANGES_POLL_NS 50000000LL
/* Bytes of the -shm file mapped: its first page holds the header. */
#define STORE_SHM_MAP 4096u

static const char changes_insert_sql[] =
	"INSERT INTO changes (origin, at, keys) VALUES (?1, ?2, ?3)";
static const char changes_since_sql[] =
	"SELECT id, origin, keys FROM changes WHERE id > ?1 ORDER BY id";
static const char changes_purge_sql[] =
	"DELETE FROM changes WHERE at < ?1";

int
store_changes_open(struct store *st)
{
	struct store_conn *c = &st->writer;
	struct db_stmt *s = NULL;
	char *shm = NULL;
	int64_t last = 0;
	size_t plen;
	int err, fd;

	if (getrandom(&st->changes_origin, sizeof(st->changes_origin), 0) !=
	    (ssize_t)sizeof(st->changes_origin))
		st->changes_origin = (int64_t)time(NULL) ^ (int64_t)getpid() << 32;
	err = store_stmt(c, STMT_CHANGES_MAX,
			 "SELECT coalesce(max(id), 0) FROM changes", &s);
	if (err == GZ_OK)
		err = store_stmt_int64(c, s, &last);
	if (err != GZ_OK)
		return err;
	st->changes_last = last;
	if (pthread_mutex_init(&st->changes_lock, NULL) != 0)
		return GZ_ENOMEM;
	st->changes_made = true;
	/* Without a mapping sync still works, by asking the database every
	 * STORE_CHANGES_POLL_NS; the WAL index is SQLite's, so another
	 * engine is always asked. */
	plen = strlen(st->path);
	if (c->eng == &store_sqlite_engine &&
	    (shm = malloc(plen + 5)) != NULL) {
		memcpy(shm, st->path, plen);
		memcpy(shm + plen, "-shm", 5);
		if ((fd = open(shm, O_RDONLY | O_CLOEXEC)) >= 0) {
			void *m = mmap(NULL, STORE_SHM_MAP, PROT_READ, MAP_SHARED,
				       fd, 0);

			/* The descriptor stays open until every SQLite
			 * connection is closed (store_changes_close):
			 * closing any descriptor of a file drops all of the
			 * process's POSIX locks on it, SQLite's included, and
			 * the next process to open the database would then
			 * rebuild the WAL index under our feet. */
			if (m != MAP_FAILED) {
				st->shm = m;
				st->shm_fd = fd;
			} else {
				st->shm_fd = fd; /* closed with the others */
			}
		}
		free(shm);
	}
	/* Not on PostgreSQL: there is no WAL index, and its path is a URL
	 * that may carry a password. */
	if (!st->shm && c->eng == &store_sqlite_engine)
		log_error("store: %s-shm could not be mapped: other processes' "
			  "changes are seen within 50 ms instead of at once",
			  st->path);
	return GZ_OK;
}

void
store_changes_close(struct store *st)
{
	if (st->shm)
		munmap((void *)(uintptr_t)(const volatile char *)st->shm,
		       STORE_SHM_MAP);
	st->shm = NULL;
	if (st->shm_fd >= 0)
		close(st->shm_fd);
	st->shm_fd = -1;
	if (st->changes_made)
		pthread_mutex_destroy(&st->changes_lock);
	st->changes_made = false;
}

int
store_changes_record(struct store *st)
{
	struct store_conn *c = &st->writer;
	struct db_stmt *s = NULL;
	size_t i, len = 0;
	char *joined, *p;
	int err;

	assert(st->in_tx);
	if (st->keys.n == 0)
		return GZ_OK;
	for (i = 0; i < st->keys.n; i++)
		len += strlen(st->keys.keys[i]) + 1;
	if (!(joined = malloc(len)))
		return GZ_ENOMEM;
	/* Keys hold no space: ids, slugs and fixed words. */
	for (i = 0, p = joined; i < st->keys.n; i++) {
		size_t n = strlen(st->keys.keys[i]);

		memcpy(p, st->keys.keys[i], n);
		p += n;
		*p++ = i + 1 < st->keys.n ? ' ' : '\0';
	}
	err = store_stmt(c, STMT_CHANGES_INSERT, changes_insert_sql, &s);
	if (err == GZ_OK) {
		int rc = store_bind_int64(s, 1, st->changes_origin);

		if (rc == DB_OK)
			rc = store_bind_int64(s, 2, (int64_t)time(NULL));
		if (rc == DB_OK)
			rc = store_bind_text(s, 3, joined);
		if (rc != DB_OK) {
			err = store_err(c, rc, changes_insert_sql);
			store_stmt_done(s);
		} else {
			err = store_stmt_run(c, s);
		}
	}
	free(joined);
	if (err == GZ_OK && c->eng->notify_sql &&
	    (err = store_stmt(c, STMT_CHANGES_NOTIFY, c->eng->notify_sql,
			      &s)) == GZ_OK)
		err = store_stmt_run(c, s);
	if (err == GZ_OK && ++st->changes_commits % STORE_CHANGES_PURGE_EVERY == 0)
		err = store_stmt_bind_int64(c, STMT_CHANGES_PURGE, changes_purge_sql,
					    (int64_t)time(NULL) - STORE_CHANGES_KEEP, &s)
			? GZ_EDB : store_stmt_run(c, s);
	return err;
}

/* What the WAL-index header says now: its change counter and last valid
 * frame (header copy 0, bytes 8-11 and 16-19). */
static uint64_t
changes_signature(const struct store *st)
{
	const volatile uint32_t *h = (const volatile uint32_t *)st->shm;
	uint32_t change = __atomic_load_n(&h[2], __ATOMIC_ACQUIRE);
	uint32_t frame = __atomic_load_n(&h[4], __ATOMIC_ACQUIRE);

	return (uint64_t)change << 32 | frame;
}

static int64_t
changes_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Keys handed to the listener at once; a row with more (an import's
 * batch) is told in several calls. */
#define STORE_CHANGES_FIRE_KEYS 256

/* Fires one row's keys ("a b c") to the listener. */
static void
changes_fire(struct store *st, const char *text)
{
	const char *keys[STORE_CHANGES_FIRE_KEYS];
	size_t n = 0;
	char *copy, *p;

	if (!text || !st->event_fn || !(copy = strdup(text)))
		return;
	for (p = copy; *p;) {
		keys[n++] = p;
		p += strcspn(p, " ");
		if (*p)
			*p++ = '\0';
		if (n == STORE_CHANGES_FIRE_KEYS || !*p) {
			st->event_fn(st->event_ctx, keys, n);
			n = 0;
		}
	}
	free(copy);
}

/* store_changes_sync, or with force (the listener, told a commit came)
 * without the requests' throttle. */
static int
changes_sync(struct store *st, bool force)
{
	struct store_conn *c = NULL;
	struct db_stmt *s = NULL;
	uint64_t sig = 0;
	int64_t now = 0;
	int err, rc;

	if (!st->changes_made)
		return GZ_OK;
	if (st->shm) {
		sig = changes_signature(st);
		if (sig == atomic_load_explicit(&st->changes_sig,
						memory_order_acquire))
			return GZ_OK;
	} else {
		/* While a listener thread runs (pg_listen.c), it is the one
		 * that looks: when told of a commit, and every
		 * STORE_PG_SAFETY_MS in case a notification was lost. A
		 * request then never waits on the database for this: a
		 * frozen server would hold each one the driver's answer
		 * limit, cached pages too. */
		if (!force && atomic_load(&st->listening))
			return GZ_OK;
		now = changes_now_ns();
		if (!force && now - atomic_load(&st->changes_polled) <
				      STORE_CHANGES_POLL_NS)
			return GZ_OK;
	}
	pthread_mutex_lock(&st->changes_lock);
	/* Another thread may have read this change while we waited: look
	 * again, and remember what is read now (a commit landing during
	 * the query is then seen by the next sync). */
	if (st->shm) {
		sig = changes_signature(st);
		if (sig == atomic_load(&st->changes_sig)) {
			pthread_mutex_unlock(&st->changes_lock);
			return GZ_OK;
		}
	} else if (!force && now - atomic_load(&st->changes_polled) <
				      STORE_CHANGES_POLL_NS) {
		pthread_mutex_unlock(&st->changes_lock);
		return GZ_OK;
	}
	if ((err = store_reader(st, &c)) != GZ_OK)
		goto out;
	err = store_stmt_bind_int64(c, STMT_CHANGES_SINCE, changes_since_sql,
				    st->changes_last, &s);
	if (err != GZ_OK)
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		st->changes_last = db_col_int64(s, 0);
		if (db_col_int64(s, 1) != st->changes_origin)
			changes_fire(st, db_col_text(s, 2));
	}
	err = rc == DB_DONE ? GZ_OK : store_err(c, rc, "changes");
	store_stmt_done(s);
	if (err == GZ_OK) {
		/* Only a read that went through counts the change as seen. */
		atomic_store_explicit(&st->changes_sig, sig, memory_order_release);
		if (!st->shm)
			atomic_store(&st->changes_polled, now);
	}
out:
	pthread_mutex_unlock(&st->changes_lock);
	return err;
}

int
store_changes_sync(struct store *st)
{
	return changes_sync(st, false);
}

int
store_changes_sync_now(struct store *st)
{
	return changes_sync(st, true);
}
