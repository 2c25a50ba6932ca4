/*
 * pg_driver.c - PostgreSQL as a driver.h engine, through libpq: named
 * prepared statements, parameters sent as text (bytea as binary),
 * results read as text, and SQLSTATEs mapped to enum gz_err.
 *
 * Data flow: a connection opened with store_pg_conn_open gets c->eng =
 * store_pg_engine and c->db = a struct pg_conn; the query files' db_*
 * calls land here unchanged. A statement's SQL is the query file's text
 * (or store_pg_sql's for its id, where the dialect differs) with ?N
 * turned into $N (store_pg_placeholders).
 *
 * Invariants:
 * - A statement is executed at its first step (sent with the bound
 *   values) and its whole result is kept until reset: a step is a
 *   row index, so a query file may read columns as it does on SQLite.
 * - Values bound are not copied unless they must be (text bound with a
 *   length short of its NUL; integers, written into the statement):
 *   driver.h's contract keeps the caller's bytes alive through the step.
 * - Every error leaves its SQLSTATE on the connection (struct pg_conn)
 *   for pg_err, the one place it becomes an enum gz_err.
 * - A statement that fails inside a transaction is undone alone and the
 *   transaction goes on, as on SQLite (a spent nonce's unique violation
 *   is an answer, not the end of the batch): one the store runs outside
 *   its own savepoints (SAVEPOINT store_write and the like, whose ROLLBACK
 *   TO undoes a failed one) is sent inside a savepoint of its own,
 *   gz_stmt, in the same round trip (libpq's pipeline).
 * - A connection the server dropped (a restart, a failover) is made
 *   again at the next statement that finds it gone, and that statement
 *   is sent again once, but only outside a transaction: inside one, what
 *   it had done is lost, so every statement fails until the store's
 *   ROLLBACK, which then succeeds and lets the next BEGIN reconnect.
 *   The store writes only inside transactions, so a statement sent
 *   twice is a read or a BEGIN. Statements are prepared again on the
 *   new connection as they are next used (their generation is older).
 * - No answer is waited for without a limit (pg_await): a server that
 *   stops answering without closing the connection is away, as one
 *   that closed it, and for STORE_PG_AWAY_MS after that no connection
 *   to it is tried (pg_away_recently). Sending is still blocking: a
 *   statement larger than the socket's buffer (a photo's bytes) can
 *   wait on a frozen server.
 */
#include "store/pg_int.h"
#include "store/store_int.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libpq-fe.h>

#include "util/err.h"
#include "util/log.h"

/* The engine's codes beside DB_OK, DB_ROW and DB_DONE: the details are
 * the connection's SQLSTATE. */
enum {
	PG_RC_ERROR = 1,
	PG_RC_NOMEM = 7,
	PG_RC_RANGE = 25,     /* a parameter number the statement lacks */
};

/* The longest SQLSTATE, and the most of a server message kept. */
#define PG_STATE_LEN 5
#define PG_MSG_MAX 240
/* How long a lock is waited for (SQLite's busy timeout, sqlite.c) and a
 * database that does not answer a connection. */
#define STORE_PG_BUSY_MS 5000
#define STORE_PG_CONNECT_SECONDS 5
/* How long a connection waits for the server's answer to one statement
 * before it takes the server for away (a frozen server, a network
 * partition: nothing closes the connection, and libpq alone would wait
 * for ever, every serving thread in turn). A reader's statements are a
 * page's queries, far shorter; the writer's are one row each, a
 * recount or a COMMIT, but also an import's or a migration's, and wait
 * for the write lock up to STORE_PG_BUSY_MS: they get longer. A COMMIT
 * given up on may still have committed: the write is then reported
 * failed though done, never the other way round. */
#define STORE_PG_READ_WAIT_MS 5000
#define STORE_PG_WRITE_WAIT_MS 30000
/* After a wait for the server ran out (an answer past its limit, or a
 * connection that took STORE_PG_SLOW_CONNECT_MS or more and failed), no
 * connection of this process to that server is tried for this long: a
 * frozen server holds each attempt for STORE_PG_CONNECT_SECONDS, and a
 * page's every next statement, on any thread, would wait that long
 * again. A server that refuses at once (stopped, restarting) costs
 * nothing to try, and is tried again at once. */
#define STORE_PG_AWAY_MS 1000
#define STORE_PG_SLOW_CONNECT_MS 1000
#define GZ_STR_(x) #x
#define GZ_STR(x) GZ_STR_(x)
/* bytea's type oid (PostgreSQL's catalog/pg_type.h, fixed since 7.x). */
#define PG_BYTEA_OID 17
/* Room for an int64 in decimal, sign and NUL. */
#define PG_INT_MAX 24
/* The most parameters a statement may have: the store's widest insert
 * binds 16; a statement with more is refused at prepare. */
#define PG_PARAMS_MAX 64

struct pg_conn {
	PGconn *pg;
	char state[PG_STATE_LEN + 1];  /* of the last error, or "" */
	char msg[PG_MSG_MAX];          /* its first line */
	int64_t changes;               /* rows the last statement changed */
	unsigned long names;           /* prepared statements made so far */
	unsigned gen;                  /* connections made so far */
	int savepoints;                /* the store's, open in the transaction */
	bool in_tx;                    /* as the server last said */
	bool read_only;                /* a reader (pg_open_reader) */
	uint64_t server;               /* pg_server_of its URL */
};

struct pg_param {
	const char *value;   /* NULL: SQL NULL */
	char *owned;         /* a copy this statement frees, or NULL */
	int len;             /* bytes of a binary value */
	int format;          /* 0 text, 1 binary */
	char num[PG_INT_MAX];
};

struct pg_stmt {
	struct db_stmt base;      /* first: a struct db_stmt * is one of these */
	struct store_conn *c;
	char name[24];            /* the server's name for it */
	char *sql;                /* the query file's text, for db_sql */
	char *pgtext;             /* what the server was given */
	unsigned gen;             /* the connection it was prepared on */
	bool prepared;            /* on connection gen, with types */
	/* The parameters' types it was prepared with: what was bound
	 * (int8, bytea, text) or 0, the server's guess. */
	unsigned types[PG_PARAMS_MAX];
	bool used[PG_PARAMS_MAX]; /* read by its text (pg_mark_used) */
	int nparams;
	struct pg_param *params;  /* nparams of them */
	PGresult *res;            /* from the first step to reset */
	int row, nrows;
	/* The bytea last decoded (col_blob), for col_bytes. */
	unsigned char *blob;
	size_t blob_len;
	int blob_col, blob_row;
};

static struct pg_conn *
pgc(struct store_conn *c)
{
	return c->db;
}

static struct pg_stmt *
pgs(struct db_stmt *s)
{
	return (struct pg_stmt *)s;
}

static int64_t
pg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The server last found away (pg_server_of its URL, 0: none) and until
 * when (pg_now_ms) no connection to it is tried: one for the process,
 * every thread's connections learning from the first that waited. */
static _Atomic uint64_t pg_away_server;
static _Atomic int64_t pg_away_until;

/* A 64-bit FNV-1a hash of url, never 0: which server a connection is
 * to, without keeping its URL (a password may be in it). */
static uint64_t
pg_server_of(const char *url)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *url; url++)
		h = (h ^ (unsigned char)*url) * 1099511628211ULL;
	return h ? h : 1;
}

static void
pg_away_mark(uint64_t server)
{
	atomic_store(&pg_away_server, server);
	atomic_store(&pg_away_until, pg_now_ms() + STORE_PG_AWAY_MS);
}

/* True while server was found away less than STORE_PG_AWAY_MS ago. */
static bool
pg_away_recently(uint64_t server)
{
	return atomic_load(&pg_away_server) == server &&
	       pg_now_ms() < atomic_load(&pg_away_until);
}

/* When p's next answer is given up on (pg_now_ms). */
static int64_t
pg_deadline(const struct pg_conn *p)
{
	return pg_now_ms() + (p->read_only ? STORE_PG_READ_WAIT_MS
					   : STORE_PG_WRITE_WAIT_MS);
}

/* Waits until PQgetResult(p->pg) would not block, or until deadline.
 * Past it the socket is shut down: the server that does not
 * answer is away, as one that closed the connection, so libpq fails
 * what is under way at once and PQstatus says CONNECTION_BAD (and the
 * next statement reconnects, pg_reconnected). The socket is this
 * thread's own connection's: no other thread can have it. */
static void
pg_await(struct pg_conn *p, int64_t deadline)
{
	PGconn *pg = p->pg;

	while (PQisBusy(pg)) {
		struct pollfd f = {.fd = PQsocket(pg), .events = POLLIN};
		int ms = -1, n;

		if (f.fd < 0)
			return;
		if (deadline >= 0) {
			int64_t left = deadline - pg_now_ms();

			ms = left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
		}
		n = ms == 0 ? 0 : poll(&f, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0) {
			log_error("store: PostgreSQL gave no answer in %d ms: "
				  "taken for away", p->read_only
				  ? STORE_PG_READ_WAIT_MS : STORE_PG_WRITE_WAIT_MS);
			(void)shutdown(f.fd, SHUT_RDWR);
			(void)PQconsumeInput(pg);
			pg_away_mark(p->server);
			return;
		}
		if (n < 0 || !PQconsumeInput(pg))
			return;
	}
}

/* The next result of what was sent on pg, waiting until deadline. */
static PGresult *
pg_result(struct pg_conn *p, int64_t deadline)
{
	pg_await(p, deadline);
	return PQgetResult(p->pg);
}

/* Collects every result of what was just sent on p (sent: the send
 * call's answer) as PQexec does: the first error, else the last
 * result. NULL when nothing could be sent. */
static PGresult *
pg_collect(struct pg_conn *p, int sent)
{
	int64_t deadline = pg_deadline(p);
	PGresult *res, *out = NULL;

	if (!sent)
		return NULL;
	while ((res = pg_result(p, deadline)) != NULL) {
		if (out && PQresultStatus(out) == PGRES_FATAL_ERROR) {
			PQclear(res);
			continue;
		}
		PQclear(out);
		out = res;
	}
	return out;
}

/* PQexec with p's deadline (pg_deadline): sql may hold several
 * statements. */
static PGresult *
pg_run(struct pg_conn *p, const char *sql)
{
	return pg_collect(p, PQsendQuery(p->pg, sql));
}

/* Keeps res's (or the connection's) error on c for pg_err; clears res. */
static int
pg_fail(struct store_conn *c, PGresult *res)
{
	struct pg_conn *p = pgc(c);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
				: NULL;
	const char *msg = res ? PQresultErrorMessage(res)
			      : PQerrorMessage(p->pg);
	size_t n;

	snprintf(p->state, sizeof(p->state), "%s", state ? state : "");
	msg = msg && *msg ? msg : "no answer from the server";
	n = strcspn(msg, "\n");
	snprintf(p->msg, sizeof(p->msg), "%.*s", (int)n, msg);
	PQclear(res);
	return PG_RC_ERROR;
}

static void
pg_params_clear(struct pg_stmt *s)
{
	int i;

	for (i = 0; i < s->nparams; i++) {
		free(s->params[i].owned);
		s->params[i] = (struct pg_param){0};
	}
}

static void
pg_result_clear(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	PQfreemem(s->blob);
	s->blob = NULL;
	s->blob_col = -1;
}

/* The types of PostgreSQL's catalog (catalog/pg_type.h) a bound value
 * declares: an int64 is int8 (never int4, which a server's guess may be:
 * unix times pass 2^31 in 2038), a blob bytea, text text. */
#define PG_INT8_OID 20
#define PG_TEXT_OID 25

static unsigned
pg_param_type(const struct pg_param *pp)
{
	if (pp->format == 1)
		return PG_BYTEA_OID;
	if (!pp->value)
		return 0;  /* NULL fits whatever the statement was given */
	return pp->value == pp->num ? PG_INT8_OID : PG_TEXT_OID;
}

/* Prepares s on its connection as it is now, with types (NULL: all the
 * server's guess). A parameter the statement never reads (the store's
 * statements skip numbers) cannot be guessed, and a failed prepare would
 * end the transaction it is in: those are declared text up front. */
static int
pg_prepare_on(struct pg_stmt *s, const unsigned *types)
{
	struct pg_conn *p = pgc(s->c);
	unsigned t[PG_PARAMS_MAX];
	char sql[sizeof(s->name) + 16];
	PGresult *res;
	int i;

	for (i = 0; i < s->nparams; i++) {
		t[i] = types ? types[i] : 0;
		if (!t[i] && !s->used[i])
			t[i] = PG_TEXT_OID;
	}
	if (s->prepared && s->gen == p->gen) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(pg_run(p, sql));
	}
	s->prepared = false;
	res = pg_collect(p, PQsendPrepare(p->pg, s->name, s->pgtext,
					  s->nparams, (const Oid *)t));
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_fail(s->c, res);
	PQclear(res);
	memcpy(s->types, t, sizeof(t[0]) * (size_t)s->nparams);
	s->gen = p->gen;
	s->prepared = true;
	return DB_OK;
}

/* Marks in s->used the parameters its text reads ($N outside quotes). */
static void
pg_mark_used(struct pg_stmt *s)
{
	const char *q = s->pgtext;
	char quote = 0;
	long n;

	for (; *q; q++) {
		if (quote) {
			if (*q == quote)
				quote = 0;
		} else if (*q == '\'' || *q == '"') {
			quote = *q;
		} else if (*q == '$' && q[1] >= '0' && q[1] <= '9') {
			for (n = 0; q[1] >= '0' && q[1] <= '9' && n < 100000; q++)
				n = n * 10 + (q[1] - '0');
			if (n >= 1 && n <= s->nparams)
				s->used[n - 1] = true;
		}
	}
}

/* True when s, prepared on the connection as it is, takes the values
 * bound now: each non-NULL one of the type it was prepared with. */
static bool
pg_prepared_for(struct pg_stmt *s, unsigned *want)
{
	bool ok = s->prepared && s->gen == pgc(s->c)->gen;
	int i;

	for (i = 0; i < s->nparams; i++) {
		want[i] = pg_param_type(&s->params[i]);
		if (!want[i])
			want[i] = s->types[i];  /* a NULL keeps what was */
		else if (want[i] != s->types[i])
			ok = false;
	}
	return ok;
}

/* The session's settings, on every connection made: times are integer
 * seconds and text is UTF-8 whatever the server's defaults, the zone is
 * the process's (UTC unless TZ says otherwise), and a lock
 * is waited for as long as SQLite's busy timeout, then GZ_EBUSY
 * (55P03), never for ever. A reader's transactions are read-only, as
 * SQLite's query_only: a read can never write. */
static bool
pg_session(struct pg_conn *p)
{
	static const char common[] =
		"SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC';"
		" SET lock_timeout = '" GZ_STR(STORE_PG_BUSY_MS) "ms'";
	const char *zone = getenv("TZ");
	PGresult *res;
	bool ok;

	res = pg_run(p, common);
	ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	/* The process's zone (util/date.h sets TZ from [site] timezone), as
	 * SQLite's 'localtime' reads it: the archive's months (pg_sql.c).
	 * Bound, never spliced into the SQL; a TZ PostgreSQL does not know
	 * (":/etc/localtime") leaves UTC, said in the log. */
	if (ok && zone && *zone) {
		res = pg_collect(p, PQsendQueryParams(p->pg,
				 "SELECT set_config('TimeZone', $1, false)",
				 1, NULL, &zone, NULL, NULL, 0));
		if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
			log_error("store: PostgreSQL does not know the time "
				  "zone TZ=%s: its dates are in UTC", zone);
		PQclear(res);
	}
	if (ok && p->read_only) {
		res = pg_run(p, "SET default_transaction_read_only = on");
		ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
	return ok;
}

/* After a statement failed: true when the server is gone and the
 * connection could be made again (see the invariants for when). */
static bool
pg_reconnected(struct pg_conn *p)
{
	int64_t t0;

	if (PQstatus(p->pg) == CONNECTION_OK || p->in_tx ||
	    pg_away_recently(p->server))
		return false;
	t0 = pg_now_ms();
	PQreset(p->pg);
	if (PQstatus(p->pg) != CONNECTION_OK) {
		if (pg_now_ms() - t0 >= STORE_PG_SLOW_CONNECT_MS)
			pg_away_mark(p->server);
		return false;
	}
	p->gen++;
	p->savepoints = 0;
	/* The server forgot the session's settings with it; a reader
	 * that could not be made read-only again is not used. One that
	 * lost the server again meanwhile (a restart still under way) is
	 * kept, bad, so that the next statement resets it once more: a
	 * NULL one could never be made again (PQreset needs the PGconn),
	 * and its thread would answer 503 until the node restarts. */
	if (!pg_session(p)) {
		if (PQstatus(p->pg) == CONNECTION_OK) {
			PQfinish(p->pg);
			p->pg = NULL;
		}
		return false;
	}
	log_info("store: reconnected to PostgreSQL");
	return true;
}

/* True when sql ends the whole transaction without keeping anything:
 * ROLLBACK itself, not ROLLBACK TO a savepoint, after which the store
 * goes on inside the transaction (and must keep failing). */
static bool
pg_is_rollback(const char *sql)
{
	return strcmp(sql, "ROLLBACK") == 0;
}

/* True when sql is one of the store's transaction or savepoint
 * statements, which are never wrapped in a savepoint of their own. */
static bool
pg_is_tx_control(const char *sql)
{
	static const char *const words[] = {"BEGIN", "COMMIT", "ROLLBACK",
					    "SAVEPOINT ", "RELEASE "};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strncmp(sql, words[i], strlen(words[i])) == 0)
			return true;
	return false;
}

/* Counts the store's savepoints on p after sql succeeded. */
static void
pg_savepoints_track(struct pg_conn *p, const char *sql)
{
	if (PQtransactionStatus(p->pg) == PQTRANS_IDLE)
		p->savepoints = 0;
	else if (strncmp(sql, "SAVEPOINT ", 10) == 0)
		p->savepoints++;
	else if (strncmp(sql, "RELEASE ", 8) == 0 && p->savepoints > 0)
		p->savepoints--;
}

/* Sends SQL of no parameters on p's pipeline. */
static int
pg_send_plain(PGconn *pg, const char *sql)
{
	return PQsendQueryParams(pg, sql, 0, NULL, NULL, NULL, NULL, 0);
}

/* Runs prepared s inside a savepoint of its own, in one round trip
 * (SAVEPOINT gz_stmt, s, RELEASE gz_stmt, through libpq's pipeline).
 * Returns s's result, or the first error's (the savepoint's own, when
 * the transaction was already lost); after a failure the savepoint has
 * been rolled back to, so the transaction goes on as it was. NULL when
 * memory ran out or the connection failed (the caller asks PQstatus). */
static PGresult *
pg_execute_alone(struct pg_stmt *s, const char *const *values,
		 const int *lengths, const int *formats)
{
	struct pg_conn *p = pgc(s->c);
	PGconn *pg = p->pg;
	PGresult *res, *out = NULL, *err = NULL;
	int64_t deadline = pg_deadline(p);
	bool saved = false;
	int i;

	if (!PQenterPipelineMode(pg))
		return NULL;
	if (!pg_send_plain(pg, "SAVEPOINT gz_stmt") ||
	    !PQsendQueryPrepared(pg, s->name, s->nparams, values, lengths,
				 formats, 0) ||
	    !pg_send_plain(pg, "RELEASE gz_stmt") || !PQpipelineSync(pg)) {
		(void)PQexitPipelineMode(pg);
		return NULL;
	}
	/* Three queries' results, each ended by a NULL, then the sync. */
	for (i = 0; i < 3; i++) {
		while ((res = pg_result(p, deadline)) != NULL) {
			ExecStatusType st = PQresultStatus(res);

			if (i == 0 && st == PGRES_COMMAND_OK)
				saved = true;
			if (st == PGRES_FATAL_ERROR && !err) {
				err = res;
				continue;
			}
			if (i == 1 && !out && st != PGRES_PIPELINE_ABORTED) {
				out = res;
				continue;
			}
			PQclear(res);
		}
		if (PQstatus(pg) != CONNECTION_OK)
			break;
	}
	while ((res = pg_result(p, deadline)) != NULL &&
	       PQresultStatus(res) != PGRES_PIPELINE_SYNC)
		PQclear(res);
	PQclear(res);
	(void)PQexitPipelineMode(pg);
	if (!err)
		return out;
	PQclear(out);
	if (saved && PQstatus(pg) == CONNECTION_OK)
		PQclear(pg_run(p, "ROLLBACK TO gz_stmt; RELEASE gz_stmt"));
	return err;
}

/* Sends s with its bound values; on success its result is s->res. */
static int
pg_execute(struct pg_stmt *s)
{
	struct pg_conn *p = pgc(s->c);
	const char *values[PG_PARAMS_MAX];
	int lengths[PG_PARAMS_MAX], formats[PG_PARAMS_MAX];
	unsigned want[PG_PARAMS_MAX];
	const char *tuples;
	PGresult *res = NULL;
	int i, rc, attempt;

	for (i = 0; i < s->nparams; i++) {
		values[i] = s->params[i].value;
		lengths[i] = s->params[i].len;
		formats[i] = s->params[i].format;
	}
	for (attempt = 0;; attempt++) {
		rc = DB_OK;
		if (!pg_prepared_for(s, want))
			rc = pg_prepare_on(s, want);
		if (rc == DB_OK && p->savepoints == 0 &&
		    PQtransactionStatus(p->pg) == PQTRANS_INTRANS &&
		    !pg_is_tx_control(s->sql))
			res = pg_execute_alone(s, values, lengths, formats);
		else if (rc == DB_OK)
			res = pg_collect(p, PQsendQueryPrepared(
					p->pg, s->name, s->nparams, values,
					lengths, formats, 0));
		if (rc == DB_OK) {
			if (res && (PQresultStatus(res) == PGRES_TUPLES_OK ||
				    PQresultStatus(res) == PGRES_COMMAND_OK))
				break;
			rc = pg_fail(s->c, res);
		}
		if (PQstatus(p->pg) == CONNECTION_OK) {
			p->in_tx = PQtransactionStatus(p->pg) != PQTRANS_IDLE;
			return rc;
		}
		/* The transaction died with the connection: its ROLLBACK
		 * has nothing left to undo. */
		if (p->in_tx && pg_is_rollback(s->sql))
			p->in_tx = false;
		if (attempt > 0 || !pg_reconnected(p))
			return rc;
	}
	p->in_tx = PQtransactionStatus(p->pg) != PQTRANS_IDLE;
	pg_savepoints_track(p, s->sql);
	tuples = PQcmdTuples(res);
	p->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
	s->res = res;
	s->nrows = PQntuples(res);
	s->row = -1;
	return DB_OK;
}

static int
pg_step(struct db_stmt *base)
{
	struct pg_stmt *s = pgs(base);
	int rc;

	if (!s->res && (rc = pg_execute(s)) != DB_OK)
		return rc;
	if (s->row < s->nrows)
		s->row++;
	return s->row < s->nrows ? DB_ROW : DB_DONE;
}

static void
pg_reset(struct db_stmt *base)
{
	struct pg_stmt *s = pgs(base);

	pg_result_clear(s);
	pg_params_clear(s);
}

static void
pg_finalize(struct db_stmt *base)
{
	struct pg_stmt *s = pgs(base);
	struct pg_conn *p = pgc(s->c);
	char sql[sizeof(s->name) + 16];

	pg_reset(base);
	/* A connection already lost forgets its statements itself, and
	 * one made since never had this one (a DEALLOCATE failing there
	 * would end the transaction it is in). */
	if (p->pg && PQstatus(p->pg) == CONNECTION_OK && s->prepared &&
	    s->gen == p->gen) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(pg_run(p, sql));
	}
	free(s->params);
	free(s->sql);
	free(s->pgtext);
	free(s);
}

/* The parameter idx (from 1), or NULL (PG_RC_RANGE) when s has none. */
static struct pg_param *
pg_param(struct pg_stmt *s, int idx)
{
	if (idx < 1 || idx > s->nparams)
		return NULL;
	free(s->params[idx - 1].owned);
	s->params[idx - 1] = (struct pg_param){0};
	return &s->params[idx - 1];
}

static int
pg_bind_text(struct db_stmt *base, int idx, const char *v, size_t len)
{
	struct pg_param *pp = pg_param(pgs(base), idx);

	if (!pp)
		return PG_RC_RANGE;
	/* Text goes as a C string: a length short of the NUL is copied. */
	if (v[len] != '\0') {
		if (!(pp->owned = malloc(len + 1)))
			return PG_RC_NOMEM;
		memcpy(pp->owned, v, len);
		pp->owned[len] = '\0';
		v = pp->owned;
	}
	pp->value = v;
	return DB_OK;
}

static int
pg_bind_int64(struct db_stmt *base, int idx, int64_t v)
{
	struct pg_param *pp = pg_param(pgs(base), idx);

	if (!pp)
		return PG_RC_RANGE;
	snprintf(pp->num, sizeof(pp->num), "%" PRId64, v);
	pp->value = pp->num;
	return DB_OK;
}

static int
pg_bind_null(struct db_stmt *base, int idx)
{
	return pg_param(pgs(base), idx) ? DB_OK : PG_RC_RANGE;
}

static int
pg_bind_blob(struct db_stmt *base, int idx, const void *v, size_t len)
{
	struct pg_param *pp = pg_param(pgs(base), idx);

	if (!pp)
		return PG_RC_RANGE;
	if (len > INT_MAX)
		return PG_RC_NOMEM;
	/* Binary: bytea's binary form is its bytes. An empty blob still
	 * needs a non-NULL pointer, or it would be SQL NULL. */
	pp->value = len ? v : "";
	pp->len = (int)len;
	pp->format = 1;
	return DB_OK;
}

static int
pg_param_count(struct db_stmt *base)
{
	return pgs(base)->nparams;
}

/* True when s is on a row that has column col. */
static bool
pg_on_row(struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 &&
	       col < PQnfields(s->res);
}

static bool
pg_col_null(struct db_stmt *base, int col)
{
	struct pg_stmt *s = pgs(base);

	return !pg_on_row(s, col) || PQgetisnull(s->res, s->row, col);
}

/* Integers as SQLite gives them: a boolean is 1 or 0, NULL is 0. */
static int64_t
pg_col_int64(struct db_stmt *base, int col)
{
	struct pg_stmt *s = pgs(base);
	const char *v;

	if (pg_col_null(base, col))
		return 0;
	v = PQgetvalue(s->res, s->row, col);
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	if (v[0] == 'f' && v[1] == '\0')
		return 0;
	return strtoll(v, NULL, 10);
}

static const char *
pg_col_text(struct db_stmt *base, int col)
{
	struct pg_stmt *s = pgs(base);

	if (pg_col_null(base, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static const void *
pg_col_blob(struct db_stmt *base, int col)
{
	struct pg_stmt *s = pgs(base);
	const char *v;

	if (pg_col_null(base, col))
		return NULL;
	if (s->blob && s->blob_col == col && s->blob_row == s->row)
		return s->blob;
	PQfreemem(s->blob);
	s->blob = NULL;
	v = PQgetvalue(s->res, s->row, col);
	/* bytea comes as text in hex ("\x00ff"): decoded once per row. */
	if (!(s->blob = PQunescapeBytea((const unsigned char *)v,
					&s->blob_len)))
		return NULL;
	s->blob_col = col;
	s->blob_row = s->row;
	return s->blob;
}

static size_t
pg_col_bytes(struct db_stmt *base, int col)
{
	struct pg_stmt *s = pgs(base);

	if (pg_col_null(base, col))
		return 0;
	/* A bytea's length is its decoded one, asked before or after its
	 * bytes (SQLite answers both ways). */
	if (PQftype(s->res, col) == PG_BYTEA_OID)
		return pg_col_blob(base, col) ? s->blob_len : 0;
	return (size_t)PQgetlength(s->res, s->row, col);
}

static const char *
pg_sql(struct db_stmt *base)
{
	return pgs(base)->sql;
}

static int
pg_prepare(struct store_conn *c, int id, const char *sql, bool cached,
	   struct db_stmt **out)
{
	struct pg_conn *p = pgc(c);
	const char *text = id >= 0 && id < STMT_COUNT
				   ? store_pg_sql((enum store_stmt_id)id)
				   : NULL;
	struct pg_stmt *s;
	int err, n = 0;

	*out = NULL;
	if (!(s = calloc(1, sizeof(*s))))
		return GZ_ENOMEM;
	s->base.eng = c->eng;
	s->c = c;
	s->row = -1;
	s->blob_col = -1;
	err = GZ_ENOMEM;
	if (!(s->pgtext = store_pg_placeholders(text ? text : sql, &n)))
		goto fail;
	err = GZ_EINVAL;
	if (n > PG_PARAMS_MAX)
		goto fail;
	err = GZ_ENOMEM;
	if (!(s->sql = strdup(sql)) ||
	    (n && !(s->params = calloc((size_t)n, sizeof(*s->params)))))
		goto fail;
	s->nparams = n;
	pg_mark_used(s);
	snprintf(s->name, sizeof(s->name), "gz%s%lu", cached ? "" : "t",
		 ++p->names);
	/* Prepared now with the server's guesses, so that bad SQL fails
	 * here, as on SQLite; the first step prepares it again with the
	 * bound values' types. A connection found gone is made again first
	 * (outside a transaction), as a step would. */
	if (pg_prepare_on(s, NULL) != DB_OK &&
	    (PQstatus(p->pg) == CONNECTION_OK || !pg_reconnected(p) ||
	     pg_prepare_on(s, NULL) != DB_OK)) {
		err = store_err(c, PG_RC_ERROR, sql);
		goto fail;
	}
	*out = &s->base;
	return GZ_OK;
fail:
	free(s->params);
	free(s->sql);
	free(s->pgtext);
	free(s);
	return err;
}

static int
pg_exec(struct store_conn *c, const char *sql)
{
	struct pg_conn *p = pgc(c);
	PGresult *res;
	int attempt, rc;

	for (attempt = 0;; attempt++) {
		res = pg_run(p, sql);
		if (res && (PQresultStatus(res) == PGRES_COMMAND_OK ||
			    PQresultStatus(res) == PGRES_TUPLES_OK)) {
			PQclear(res);
			p->in_tx = PQtransactionStatus(p->pg) != PQTRANS_IDLE;
			pg_savepoints_track(p, sql);
			return DB_OK;
		}
		rc = pg_fail(c, res);
		if (PQstatus(p->pg) == CONNECTION_OK) {
			p->in_tx = PQtransactionStatus(p->pg) != PQTRANS_IDLE;
			return rc;
		}
		if (p->in_tx && pg_is_rollback(sql))
			p->in_tx = false;
		if (attempt > 0 || !pg_reconnected(p))
			return rc;
	}
}

static int64_t
pg_changes(struct store_conn *c)
{
	return pgc(c)->changes;
}

/* PostgreSQL's commit is on disk when it returns (fsync on, the
 * default synchronous_commit): both levels ask for that. SQLite's NORMAL
 * may lose the last commits at a power cut; PostgreSQL's nearest, off,
 * may lose them at a mere crash, which the store never accepts. */
static int
pg_sync_set(struct store_conn *c, bool full)
{
	static const char sql[] = "SET synchronous_commit = on";
	int rc;

	(void)full;
	if ((rc = pg_exec(c, sql)) != DB_OK)
		return store_err(c, rc, sql);
	return GZ_OK;
}

/* A reader's search text PostgreSQL could not take: a syntax error in
 * a text search query (class 42, syntax or access rule). */
static bool
pg_bad_query(struct store_conn *c, int rc)
{
	return rc == PG_RC_ERROR && strcmp(pgc(c)->state, "42601") == 0;
}

/*
 * Error mapping: the one place SQLSTATEs become ours.
 *   23505 unique_violation                 -> GZ_EEXIST (not logged)
 *   40001 serialization, 40P01 deadlock,
 *   55P03 lock_not_available, 57014 query_canceled (statement_timeout)
 *                                          -> GZ_EBUSY
 *   53200 out_of_memory, PG_RC_NOMEM       -> GZ_ENOMEM
 *   54000 program_limit_exceeded           -> GZ_ETOOBIG
 *   the server away: 08 connection_exception, 57P01 admin_shutdown,
 *   57P02 crash_shutdown, 57P03 cannot_connect_now, or no answer on a
 *   connection that is gone                -> GZ_EBUSY
 *   anything else                          -> GZ_EDB
 * The server away is GZ_EBUSY, not GZ_EDB: it is passing (a restart, a
 * failover), the next request may find it back (pg_reconnected), and a
 * reader is answered 503, which a balancer may try on another node,
 * rather than 500, which says the request itself failed.
 */
static bool
pg_away(const struct pg_conn *p, const char *state)
{
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0)
		return true;
	return p && (!p->pg || PQstatus(p->pg) != CONNECTION_OK);
}

static int
pg_err(struct store_conn *c, int rc, const char *what)
{
	struct pg_conn *p = c ? pgc(c) : NULL;
	/* Only PG_RC_ERROR comes with the server's answer; a bind's codes
	 * must not read an older one. */
	const char *state = p && rc == PG_RC_ERROR ? p->state : "";
	const char *msg = p && rc == PG_RC_ERROR && *p->msg ? p->msg : NULL;
	int err = GZ_EDB;

	if (rc == PG_RC_NOMEM || strcmp(state, "53200") == 0)
		err = GZ_ENOMEM;
	else if (strcmp(state, "23505") == 0)
		return GZ_EEXIST;
	else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		 strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		err = GZ_EBUSY;
	else if (strcmp(state, "54000") == 0)
		err = GZ_ETOOBIG;
	else if (rc == PG_RC_ERROR && pg_away(p, state))
		err = GZ_EBUSY;
	log_error("store: %s: %s (PostgreSQL %s)", what,
		  msg ? msg
		      : rc == PG_RC_RANGE ? "no such parameter"
		      : rc == PG_RC_NOMEM ? "out of memory"
					  : "error",
		  *state ? state : "-");
	return err;
}

static int pg_open_reader(struct store *st, struct store_conn *c);

/* Inside a transaction, or in one that failed and waits for ROLLBACK. */
static bool
pg_in_tx(struct store_conn *c)
{
	struct pg_conn *p = pgc(c);

	if (!p || !p->pg)
		return false;
	if (PQstatus(p->pg) != CONNECTION_OK)
		return p->in_tx;
	return PQtransactionStatus(p->pg) != PQTRANS_IDLE;
}

const struct db_engine store_pg_engine = {
	.name = "postgresql",
	/* Transaction-scoped: released by COMMIT or ROLLBACK, and by the
	 * server when a node's connection dies. The key is "gazette" in
	 * ASCII, so that another application's locks are unlikely to meet
	 * it. */
	.write_lock_sql = "SELECT pg_advisory_xact_lock(113688491619429)",
	/* Delivered at COMMIT to every node's listener (pg_listen.c). */
	.notify_sql = "NOTIFY gazette_changes",
	.step = pg_step,
	.reset = pg_reset,
	.finalize = pg_finalize,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.bind_null = pg_bind_null,
	.bind_blob = pg_bind_blob,
	.param_count = pg_param_count,
	.col_null = pg_col_null,
	.col_int64 = pg_col_int64,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.col_bytes = pg_col_bytes,
	.sql = pg_sql,
	.prepare = pg_prepare,
	.exec = pg_exec,
	.changes = pg_changes,
	.sync_set = pg_sync_set,
	.bad_query = pg_bad_query,
	.open_reader = pg_open_reader,
	.close = store_pg_conn_close,
	.in_tx = pg_in_tx,
	.err = pg_err,
};

/* Notices (DDL's "already exists, skipping") are not errors, and libpq
 * would print them on stderr: dropped. */
static void
pg_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* store_pg_conn_open, read-only when reader. */
static int
store_pg_conn_open_as(struct store_conn *c, const char *url, bool reader)
{
	const char *const keys[] = {"connect_timeout", "dbname", NULL};
	const char *const values[] = {GZ_STR(STORE_PG_CONNECT_SECONDS), url,
				      NULL};
	PQconninfoOption *opts;
	char *why = NULL;
	struct pg_conn *p;
	int64_t t0;

	assert(c && url);
	c->eng = &store_pg_engine;
	if (!(p = calloc(1, sizeof(*p))))
		return GZ_ENOMEM;
	c->db = p;
	p->read_only = reader;
	p->server = pg_server_of(url);
	if (pg_away_recently(p->server)) {
		log_error("store: connect: PostgreSQL did not answer a moment "
			  "ago; not tried again yet");
		return GZ_EBUSY;
	}
	/* libpq's own complaint about a URL it cannot read may quote it,
	 * password and all: checked first, and said without it. */
	if (!(opts = PQconninfoParse(url, &why))) {
		PQfreemem(why);
		log_error("store: the PostgreSQL URL cannot be read (expected "
			  "postgresql://[user[:password]@][host][:port][/db]"
			  "[?param=value...])");
		return GZ_EDB;
	}
	PQconninfoFree(opts);
	/* A database that does not answer is given up on after
	 * STORE_PG_CONNECT_SECONDS (the URL may say otherwise: it comes
	 * last, so its own connect_timeout wins). */
	t0 = pg_now_ms();
	p->pg = PQconnectdbParams(keys, values, 1);
	if (!p->pg)
		return GZ_ENOMEM;
	if (PQstatus(p->pg) != CONNECTION_OK) {
		if (pg_now_ms() - t0 >= STORE_PG_SLOW_CONNECT_MS)
			pg_away_mark(p->server);
		return store_err(c, pg_fail(c, NULL), "connect");
	}
	PQsetNoticeProcessor(p->pg, pg_notice, NULL);
	if (!pg_session(p))
		return store_err(c, pg_fail(c, NULL), "connect");
	return GZ_OK;
}

int
store_pg_conn_open(struct store_conn *c, const char *url)
{
	return store_pg_conn_open_as(c, url, false);
}

/* A reader of st (st->path is its URL) whose transactions are read-only:
 * as SQLite's query_only, a read can never write. */
static int
pg_open_reader(struct store *st, struct store_conn *c)
{
	return store_pg_conn_open_as(c, st->path, true);
}

int
store_pg_socket(struct store_conn *c)
{
	struct pg_conn *p = c->db;

	if (!p || !p->pg || PQstatus(p->pg) != CONNECTION_OK)
		return -1;
	return PQsocket(p->pg);
}

int
store_pg_notified(struct store_conn *c)
{
	struct pg_conn *p = c->db;
	PGnotify *n;
	int got = 0;

	if (!p || !p->pg || !PQconsumeInput(p->pg))
		return -1;
	while ((n = PQnotifies(p->pg)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	return got;
}

void
store_pg_conn_close(struct store_conn *c)
{
	struct pg_conn *p = c->db;
	size_t i;

	for (i = 0; i < STMT_COUNT; i++) {
		db_finalize(c->stmt[i]);
		c->stmt[i] = NULL;
	}
	if (p) {
		PQfinish(p->pg);
		free(p);
	}
	c->db = NULL;
}
