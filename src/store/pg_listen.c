/*
 * pg_listen.c - change events across nodes on PostgreSQL: every commit
 * that records keys in the changes table also NOTIFYs channel
 * gazette_changes (store_changes_record, through the engine's
 * notify_sql), and each store's listener thread, LISTENing on its own
 * connection, reads the new rows at once (store_changes_sync) and fires
 * them to the store's listener: a comment approved on node B leaves node
 * A's page cache as soon as the notification arrives.
 *
 * Data flow: notification -> this thread -> store_changes_sync (the
 * thread's reader) -> changes_fire -> st->event_fn (the page cache).
 *
 * Invariants:
 * - The changes table stays the record: a notification only says "look
 *   now" (its payload is empty), so one lost to a dropped connection
 *   costs nothing but time. After every (re)connection the thread looks
 *   once, and then every STORE_PG_SAFETY_MS without a notification. It
 *   is the only one that looks while it runs: requests never wait on
 *   the database for change events (changes.c), so a database that is
 *   away or frozen never holds a cached page.
 * - The thread makes its connection again after a database restart,
 *   waiting STORE_PG_RETRY_MS between attempts; store_pg_listen_stop
 *   wakes it through a pipe, so it never keeps a close waiting.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

/* Between attempts to reach a database that is away. */
#define STORE_PG_RETRY_MS 1000
/* How often the thread reads the changes table with no notification:
 * one lost (a NOTIFY is not delivered to a connection that was being
 * made again at that moment) costs at most this long. */
#define STORE_PG_SAFETY_MS 1000

static const char listen_sql[] = "LISTEN gazette_changes";

/* Reads every new change now, whatever the requests' throttle says. */
static void
listen_sync(struct store *st)
{
	(void)store_changes_sync_now(st);
}

/* Waits up to ms for fd (or -1: none) or the stop pipe. Returns 1 when
 * fd is readable, 0 on a timeout, -1 when stopping. */
static int
listen_wait(struct store *st, int fd, int ms)
{
	struct pollfd p[2] = {
		{.fd = st->listen_pipe[0], .events = POLLIN},
		{.fd = fd, .events = POLLIN},
	};
	int n;

	if (atomic_load(&st->listen_stop))
		return -1;
	n = poll(p, fd >= 0 ? 2 : 1, ms);
	if (atomic_load(&st->listen_stop) || (n > 0 && p[0].revents))
		return -1;
	return n > 0 && fd >= 0 && p[1].revents ? 1 : 0;
}

/* Connects c and LISTENs. Returns GZ_OK or a mapped error (the caller
 * says once that the database is away; each attempt's answer is logged
 * by the driver). */
static int
listen_connect(struct store *st, struct store_conn *c)
{
	int err;

	if (c->eng)
		c->eng->close(c);
	if ((err = store_pg_conn_open(c, st->path)) != GZ_OK)
		return err;
	/* A connection that does not listen (a standby in recovery refuses
	 * LISTEN) is closed: open, its socket would be waited on for ever
	 * and the thread would hear nothing. */
	if ((err = db_exec(c, listen_sql, listen_sql)) != GZ_OK)
		c->eng->close(c);
	return err;
}

static void *
listen_main(void *arg)
{
	struct store *st = arg;
	struct store_conn c = {0};
	bool away = false;
	int w, fd;

	c.st = st;
	for (;;) {
		if ((fd = store_pg_socket(&c)) < 0) {
			if (listen_connect(st, &c) != GZ_OK) {
				if (!away)
					log_error("store: PostgreSQL is away; "
						  "change events wait for it");
				away = true;
				if (listen_wait(st, -1, STORE_PG_RETRY_MS) < 0)
					break;
				continue;
			}
			if (away)
				log_info("store: listening for changes again");
			away = false;
			/* What was committed while nobody listened. */
			listen_sync(st);
			continue;
		}
		if ((w = listen_wait(st, fd, STORE_PG_SAFETY_MS)) < 0)
			break;
		/* A lost connection shows at the next turn's socket. */
		if (w == 0 || store_pg_notified(&c) > 0)
			listen_sync(st);
	}
	if (c.eng)
		c.eng->close(&c);
	return NULL;
}

int
store_pg_listen_start(struct store *st)
{
	sigset_t all, old;
	int rc;

	if (pipe2(st->listen_pipe, O_CLOEXEC) != 0)
		return GZ_ENOMEM;
	atomic_store(&st->listen_stop, false);
	atomic_store(&st->listening, true);
	/* No process signals here, as for the writer (writer.c): the
	 * store is opened before `gazette serve` blocks SIGTERM and SIGHUP
	 * to wait for them in its main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&st->listen_thread, NULL, listen_main, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		atomic_store(&st->listening, false);
		close(st->listen_pipe[0]);
		close(st->listen_pipe[1]);
		return GZ_ENOMEM;
	}
	st->listen_started = true;
	return GZ_OK;
}

void
store_pg_listen_stop(struct store *st)
{
	ssize_t n;

	if (!st->listen_started)
		return;
	atomic_store(&st->listen_stop, true);
	do
		n = write(st->listen_pipe[1], "", 1);
	while (n < 0 && errno == EINTR);
	pthread_join(st->listen_thread, NULL);
	close(st->listen_pipe[0]);
	close(st->listen_pipe[1]);
	atomic_store(&st->listening, false);
	st->listen_started = false;
}
