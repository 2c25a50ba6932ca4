/*
 * store_int.h - what the files of store/ share, and nobody else sees.
 *
 * The layout of struct store, the connection type with its statement
 * cache, and small helpers for binding, reading columns into a pool and
 * turning the engine's result codes into enum gz_err. Only store/
 * includes this header; it names no engine's types (driver.h is the
 * interface, sqlite.c the engine).
 *
 * Invariants:
 * - A struct store_conn is used by one thread at a time: a reader belongs
 *   to the thread that opened it, the writer to the thread holding
 *   store.write_lock. SQLite connections are opened with
 *   SQLITE_OPEN_NOMUTEX (its multi-thread mode), so this is what keeps
 *   them safe.
 * - Every statement handed out by store_stmt is reset and its bindings
 *   cleared (store_stmt_done) before the function that took it returns;
 *   a statement left stepping would pin a WAL snapshot and stop
 *   checkpoints.
 * - SQL text is always a constant; data reaches the engine only as bound
 *   parameters.
 */
#ifndef GZ_STORE_INT_H
#define GZ_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/driver.h"
#include "store/store.h"

struct pool;
struct store_job;

/*
 * The keys a write transaction touches (events.c): a set of strings in
 * the order first recorded, deduplicated through an open-addressing hash
 * table of indexes into keys. Lives in the writer state, guarded by
 * write_lock.
 */
struct store_keyset {
	char **keys;
	size_t n, cap;
	size_t *table;     /* index + 1 into keys; 0 is empty */
	size_t tcap;       /* a power of two, or 0 */
};

/* Every statement any connection may prepare. Each connection has one
 * slot per id, filled on first use; the SQL text lives next to the code
 * that runs it (store_stmt's sql argument). */
enum store_stmt_id {
	/* sqlite.c */
	STMT_READ_BEGIN,
	STMT_READ_END,
	STMT_TX_BEGIN,
	STMT_TX_COMMIT,
	STMT_TX_ROLLBACK,
	STMT_TX_LOCK,                 /* the engine's write_lock_sql */
	STMT_PING,
	STMT_SAVEPOINT,               /* store_savepoint_begin/end */
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	/* article.c: reads */
	STMT_ARTICLE_GET,
	STMT_ARTICLE_GET_TAGS,
	STMT_ARTICLE_COUNT,
	STMT_ARTICLE_ID_BY_KEY,
	STMT_ARTICLE_LIST,            /* + 0..3: no filter, section, tag, both */
	STMT_ARTICLE_LIST_SECTION,
	STMT_ARTICLE_LIST_TAG,
	STMT_ARTICLE_LIST_SECTION_TAG,
	STMT_ARTICLE_TOTAL,           /* same order as STMT_ARTICLE_LIST */
	STMT_ARTICLE_TOTAL_SECTION,
	STMT_ARTICLE_TOTAL_TAG,
	STMT_ARTICLE_TOTAL_SECTION_TAG,
	STMT_ARTICLE_RANGE,           /* the archive */
	STMT_ARTICLE_RANGE_TOTAL,
	STMT_ARTICLE_MONTHS,
	STMT_ARTICLE_PAGE,            /* the JSON API */
	STMT_TAG_LIST,
	/* article.c: writes */
	STMT_ARTICLE_BY_KEY,
	STMT_ARTICLE_INSERT,
	STMT_ARTICLE_UPDATE,
	STMT_ARTICLE_TAGS_CLEAR,
	STMT_ARTICLE_TAG_ADD,
	STMT_TAG_BY_SLUG,             /* also store_tag_get */
	STMT_TAG_BY_NAME,
	STMT_TAG_INSERT,
	STMT_TAG_SLUG_SET,
	/* section.c */
	STMT_SECTION_BY_SLUG,         /* also store_section_get */
	STMT_SECTION_BY_NAME,
	STMT_SECTION_INSERT,
	STMT_SECTION_SLUG_SET,
	STMT_SECTION_LIST,
	/* comment.c: reads */
	STMT_COMMENT_LIST,
	STMT_COMMENT_GET,
	STMT_COMMENT_QUERY,           /* + 0..3: no filter, status, article, both */
	STMT_COMMENT_QUERY_STATUS,
	STMT_COMMENT_QUERY_ARTICLE,
	STMT_COMMENT_QUERY_STATUS_ARTICLE,
	STMT_COMMENTER_KNOWN,
	/* comment.c: writes */
	STMT_NONCE_SPEND,
	STMT_COMMENT_ACTIVITY,
	STMT_NONCE_PURGE,
	STMT_COMMENT_ARTICLE_EXISTS,
	STMT_COMMENT_PARENT_OK,
	STMT_COMMENT_INSERT,
	STMT_COMMENT_FIND,
	STMT_COMMENT_SET_STATUS,
	STMT_COMMENT_REPARENT,
	STMT_COMMENT_DELETE,
	STMT_COMMENT_THREAD_SET,      /* a top-level comment starts a thread */
	STMT_COMMENT_COUNT_ADD,       /* articles.comment_count kept on write */
	STMT_COMMENT_PAGE_THREADS,
	STMT_COMMENT_PAGE,
	STMT_COMMENT_THREAD_OF,
	STMT_COMMENT_THREAD_POS,
	STMT_MODERATION_LOG,
	/* article.c: stored HTML, and the counts behind the totals */
	STMT_ARTICLE_HTML_STALE,
	STMT_ARTICLE_HTML_SET,
	/* author.c */
	STMT_AUTHOR_BY_SLUG,
	STMT_AUTHOR_BY_NAME,
	STMT_AUTHOR_INSERT,
	STMT_AUTHOR_SLUG_SET,
	STMT_AUTHOR_GET,
	STMT_AUTHOR_BIO_SET,
	STMT_AUTHOR_LIST,
	STMT_AUTHOR_ARTICLES,
	STMT_AUTHOR_ARTICLES_TOTAL,
	STMT_ARTICLE_AUTHORS,
	STMT_ARTICLE_AUTHORS_CLEAR,
	STMT_ARTICLE_AUTHOR_ADD,
	/* page.c */
	STMT_PAGE_GET,
	STMT_PAGE_LIST,
	STMT_PAGE_PUT,
	STMT_PAGE_COUNT,
	STMT_PAGE_SEED,
	/* user.c, session.c, audit.c, setting.c */
	STMT_USER_ADD,
	STMT_USER_GET,
	STMT_USER_BY_NAME,
	STMT_USER_LIST,
	STMT_USER_EXISTS,
	STMT_USER_PASSWORD_SET,
	STMT_USER_ROLE_SET,
	STMT_USER_DISPLAY_SET,
	STMT_USER_TOTP_SET,
	STMT_USER_TOTP_STEP,
	STMT_USER_SIGNIN_AT,
	STMT_USER_REMOVE,
	STMT_USER_COUNT,
	STMT_RECOVERY_CLEAR,
	STMT_RECOVERY_ADD,
	STMT_RECOVERY_USE,
	STMT_RECOVERY_COUNT,
	STMT_SESSION_ADD,
	STMT_SESSION_GET,
	STMT_SESSION_TOUCH,
	STMT_SESSION_FACTOR_SET,
	STMT_SESSION_DELETE,
	STMT_SESSION_DELETE_USER,
	STMT_SESSION_PURGE,
	STMT_AUDIT_ADD,
	STMT_AUDIT_AT,                /* a cursor's time */
	STMT_MODERATION_AT,
	STMT_AUDIT_LIST,              /* + 0..3: no filter, actor, object, both */
	STMT_AUDIT_LIST_ACTOR,
	STMT_AUDIT_LIST_OBJECT,
	STMT_AUDIT_LIST_ACTOR_OBJECT,
	STMT_SETTING_LIST,
	STMT_SETTING_PUT,
	STMT_SETTING_DELETE,
	/* search.c */
	STMT_SEARCH,
	STMT_SEARCH_ROWS,
	/* revision.c, correction.c, article admin */
	STMT_REVISION_RECORD,
	STMT_REVISION_PRUNE,
	STMT_REVISION_LIST,
	STMT_REVISION_GET,
	STMT_REVISION_NEWEST,
	STMT_REVISION_KEEP_BODY,
	STMT_CORRECTION_ARTICLE,
	STMT_CORRECTION_INSERT,
	STMT_CORRECTION_LIST,
	STMT_CORRECTION_RECENT,
	STMT_CORRECTION_RECENT_TOTAL,
	STMT_ARTICLE_BY_ID,
	STMT_ARTICLE_ADMIN_LIST,
	STMT_ARTICLE_ADMIN_TOTAL,
	STMT_ARTICLE_STATE,           /* status_set: what it is now */
	STMT_ARTICLE_STATUS_SET,
	STMT_ARTICLE_TAGS_LISTED,     /* article_tags.published_at follows */
	STMT_ARTICLE_AUTHORS_LISTED,  /* article_authors.published_at too */
	STMT_ARTICLE_DELETE,
	STMT_DASHBOARD_COUNTS,
	/* sitemap.c */
	STMT_SITEMAP_EACH,
	STMT_SITEMAP_PIECES,
	STMT_SITEMAP_NEWS,
	/* events.c */
	STMT_EVENT_ARTICLE_SECTION,
	STMT_EVENT_ARTICLE_TAGS,
	STMT_EVENT_SECTION_OLD,
	STMT_EVENT_SECTION_RECOUNT,
	STMT_EVENT_TAG_RECOUNT,
	STMT_DUE_ANY,
	STMT_DUE_LIST,
	STMT_DUE_NEXT,
	/* writer.c */
	/* sqlite.c: store_tx_unit_begin/end */
	STMT_UNIT_SAVEPOINT,
	STMT_UNIT_RELEASE,
	STMT_UNIT_ROLLBACK_TO,
	/* media.c */
	STMT_MEDIA_BY_HASH,
	STMT_MEDIA_INSERT,
	STMT_MEDIA_GET,
	STMT_MEDIA_LIST,
	STMT_MEDIA_TOTAL,
	STMT_MEDIA_UPDATE,
	STMT_MEDIA_DELETE,
	STMT_MEDIA_IN_USE,            /* store_media_delete */
	STMT_MEDIA_USERS,             /* the articles to tell of a change */
	STMT_MEDIA_USERS_LIST,        /* store_media_uses */
	STMT_MEDIA_EXISTS,            /* store_article_put's image_id */
	STMT_MEDIA_EXISTS_READ,       /* store_media_exists */
	STMT_MEDIA_GET_LITE,
	STMT_MEDIA_LINK,              /* article_media: a body's one hash */
	STMT_MEDIA_LINKS_CLEAR,       /* article_media: a body rewritten */
	STMT_MEDIA_LINK_NEW,          /* article_media: a new photo */
	STMT_ARTICLE_IMAGE_SET,
	/* changes.c */
	STMT_CHANGES_MAX,
	STMT_CHANGES_INSERT,
	STMT_CHANGES_SINCE,
	STMT_CHANGES_PURGE,
	STMT_CHANGES_NOTIFY,          /* the engine's notify_sql */
	/* limit.c */
	STMT_LIMIT_COUNT,
	STMT_LIMIT_INSERT,
	STMT_LIMIT_FORGIVE,
	STMT_LIMIT_CLEAR,
	STMT_LIMIT_PURGE,
	STMT_LOGIN_SPEND,
	STMT_LOGIN_SPENT,
	STMT_LOGIN_PURGE,
	STMT_COUNT
};

/* One database connection and the statements prepared on it. */
struct store_conn {
	const struct db_engine *eng;
	void *db;                  /* the engine's handle (sqlite3 *) */
	struct db_stmt *stmt[STMT_COUNT];
	struct store *st;          /* back pointer, for the thread-exit hook */
	struct store_conn *next;   /* in store.readers */
};

struct store {
	char *path;

	/* Readers: one connection per thread, found through key, all of them
	 * on the readers list (guarded by readers_lock) so that store_close
	 * can close them, and a thread's exit closes its own. */
	pthread_key_t key;
	pthread_mutex_t readers_lock;
	struct store_conn *readers;

	/* The writer: held from store_tx_begin to commit or rollback. */
	pthread_mutex_t write_lock;
	struct store_conn writer;
	bool in_tx;             /* guarded by write_lock */
	pthread_t tx_owner;     /* valid while in_tx; for assertions */

	/* Change events (events.c): the keys of the open transaction, and
	 * the listener they go to after its commit (set before serving, read
	 * without a lock). */
	struct store_keyset keys; /* guarded by write_lock */
	size_t unit_mark;         /* keys before the open unit (write_lock) */
	bool in_unit;             /* a unit is open (write_lock) */
	store_event_fn event_fn;
	void *event_ctx;
	/* store_due_publish's window: its previous now, and whether it has
	 * been called since store_open. Atomic: read by writers under
	 * write_lock and set by the due ticker without it. */
	_Atomic int64_t due_last;
	atomic_bool due_started;

	/* Group commit (writer.c): callers queue jobs under queue_lock and
	 * wait on done_cond; the writer thread waits on queue_cond. */
	pthread_mutex_t queue_lock;
	pthread_cond_t queue_cond;
	pthread_cond_t done_cond;
	struct store_job *queue_head, *queue_tail; /* guarded by queue_lock */
	size_t queued;                             /* guarded by queue_lock */
	uint64_t batches;   /* taken so far; guarded by queue_lock (tests) */
	bool stopping;                             /* guarded by queue_lock */
	pthread_t writer_thread;
	bool writer_started;
	bool queue_made;

	/* Changes from other processes (changes.c): this store's origin in
	 * the changes table, the last row read (guarded by changes_lock), the
	 * WAL-index header mapped read-only (or NULL) and what it said when
	 * last read, or the time of the last poll without it. */
	int64_t changes_origin;
	pthread_mutex_t changes_lock;
	int64_t changes_last;
	const volatile void *shm;
	int shm_fd;               /* -1 when none; see changes.c */
	_Atomic uint64_t changes_sig;
	_Atomic int64_t changes_polled;
	unsigned changes_commits; /* guarded by write_lock */
	bool changes_made;

	/* PostgreSQL's listener thread (pg_listen.c): woken to stop
	 * through listen_pipe. */
	pthread_t listen_thread;
	int listen_pipe[2];
	atomic_bool listen_stop;
	atomic_bool listening;    /* read by every sync */
	bool listen_started;

	bool key_made;          /* for a store_close after a failed open */
	bool locks_made;
};

/* pg.c: true when path is a PostgreSQL URL (postgresql:// or
 * postgres://); store_pg_open opens a store there, as store_open_checked
 * does a file (why[whylen] gets a sentence, never the URL). */
bool store_url_is_pg(const char *path);
int store_pg_open(const char *url, struct store **out, char *why,
		  size_t whylen);

/* sqlite.c: a store with no connection yet: its path (a file, or a
 * PostgreSQL URL), the readers' thread key and the locks. Returns GZ_OK
 * or GZ_ENOMEM. Output: *out, for store_close. */
int store_alloc(const char *path, struct store **out);

/* sqlite_driver.c: SQLite as a driver.h engine, with its connection
 * hooks from sqlite.c. */
extern const struct db_engine store_sqlite_engine;
int store_sqlite_open_reader(struct store *st, struct store_conn *c);
void store_sqlite_conn_close(struct store_conn *c);
bool store_sqlite_in_tx(struct store_conn *c);

/* pg_driver.c: PostgreSQL as a driver.h engine. store_pg_conn_open
 * connects c to url (a libpq connection string or postgresql:// URL) and
 * sets its engine; on an error c is half-open, for store_pg_conn_close,
 * which finalizes c's statements and disconnects. Return GZ_OK, GZ_ENOMEM
 * or GZ_EDB (the server's message logged). */
extern const struct db_engine store_pg_engine;
int store_pg_conn_open(struct store_conn *c, const char *url);
void store_pg_conn_close(struct store_conn *c);
/* c's socket, or -1 when it is not connected. */
int store_pg_socket(struct store_conn *c);
/* Reads what the server sent c: 1 when a notification came (all are
 * consumed), 0 when none, -1 when the connection is lost. */
int store_pg_notified(struct store_conn *c);
/* pg_listen.c: the thread that hears other nodes' commits (LISTEN) and
 * reads their changes at once; started by store_pg_open, stopped first
 * by store_close. Start returns GZ_OK or GZ_ENOMEM. */
int store_pg_listen_start(struct store *st);
void store_pg_listen_stop(struct store *st);

/* changes.c: sets up the change feed after the schema is current
 * (GZ_OK even when the -shm file cannot be mapped), tears it down, and
 * records the open transaction's keys in it (before COMMIT, with the
 * write lock held). */
int store_changes_open(struct store *st);
void store_changes_close(struct store *st);
int store_changes_record(struct store *st);
/* store_changes_sync without its throttle: for the listener thread,
 * told that a commit came (pg_listen.c). */
int store_changes_sync_now(struct store *st);

/* The columns of an image (media.c) from table alias m, as
 * store_media_row reads them: MEDIA_NCOLS of them. */
#define MEDIA_COLS                                                     \
	"m.id, m.hash, m.format, m.width, m.height, m.bytes, m.widths,"  \
	" m.avif, m.alt, m.decorative, m.caption, m.credit, m.focal_x,"  \
	" m.focal_y, m.created_at, m.actor"
#define MEDIA_NCOLS 16

/* The columns every article read selects (0-14, then the lead image's
 * MEDIA_COLS at 15-30, all NULL when it has none), read by
 * store_article_row, the join that gives them, and what a reader may see
 * at ?1 (article.c, search.c, author.c). */
#define ARTICLE_COLS                                                   \
	"a.id, a.slug, a.headline, a.summary, a.byline, a.dateline,"   \
	" coalesce(s.slug, ''), coalesce(s.name, ''), a.lang, a.status," \
	" coalesce(a.published_at, 0), a.updated_at, a.created_at,"    \
	" a.comment_count, coalesce(a.comments_close_at, 0), " MEDIA_COLS
#define ARTICLE_COL_IMAGE 15
#define ARTICLE_NCOLS (ARTICLE_COL_IMAGE + MEDIA_NCOLS)
/* The columns after ARTICLE_COLS, where store_article_get reads the body
 * and its stored HTML. */
#define ARTICLE_COL_BODY ARTICLE_NCOLS
#define ARTICLE_COL_HTML (ARTICLE_NCOLS + 1)
#define ARTICLE_COL_HTML_VERSION (ARTICLE_NCOLS + 2)
/* The lead image of a: every FROM that selects ARTICLE_COLS has it
 * (one row at most per article: media.id is the key). */
#define ARTICLE_IMAGE_JOIN " LEFT JOIN media m ON m.id = a.image_id"
#define ARTICLE_FROM \
	" FROM articles a LEFT JOIN sections s ON s.id = a.section_id" \
	ARTICLE_IMAGE_JOIN
#define VISIBLE "a.status <> 'draft' AND a.published_at <= ?1"
/* Fills a from columns 0-14 of row s (ARTICLE_COLS) and its image from
 * 15-30 (a->image NULL when none); body is "" and tags
 * empty; strings in pool. Returns GZ_OK, GZ_ENOMEM or GZ_EDB (a status
 * the schema forbids). */
int store_article_row(struct pool *pool, struct db_stmt *s,
		      struct store_article *a);
/* Steps s (bound; ARTICLE_COLS first) to its end, one article a row.
 * Output: *items (pool array, NULL when none), *n; left alone on error.
 * what names the statement in the log. Returns GZ_OK, GZ_ENOMEM or a
 * mapped error. */
int store_article_rows(struct store_conn *c, struct pool *pool,
		       struct db_stmt *s, const char *what,
		       struct store_article **items, size_t *n);

/* Returns the statement id on connection c, preparing sql (a constant)
 * on first use; the connection keeps it until it closes. Returns GZ_OK
 * or a mapped error. Output: *out. Hand it back with store_stmt_done. */
int store_stmt(struct store_conn *c, enum store_stmt_id id, const char *sql,
	       struct db_stmt **out);
/* Resets s and clears its bindings, ready for the next use; NULL is a
 * no-op. */
void store_stmt_done(struct db_stmt *s);
/* Steps s, which must return no row, and hands it back. Returns GZ_OK or a
 * mapped error. */
int store_stmt_run(struct store_conn *c, struct db_stmt *s);
/* Steps s and reads the first column of its first row into *v, then
 * hands s back. Returns GZ_OK, GZ_ENOTFOUND (no row) or a mapped error. */
int store_stmt_int64(struct store_conn *c, struct db_stmt *s, int64_t *v);
/* Steps s once. Returns GZ_OK when it gave a row (read its columns),
 * GZ_ENOTFOUND (no row) or a mapped error. Does not hand s back: the
 * caller calls store_stmt_done in every case. */
int store_stmt_row(struct store_conn *c, struct db_stmt *s);
/* store_stmt, then binds ?1 = v (text as by store_bind_text, so it must
 * outlive the step). Returns GZ_OK or a mapped error; on error s is
 * handed back already and *out is NULL. Output: *out. */
int store_stmt_bind_text(struct store_conn *c, enum store_stmt_id id,
			 const char *sql, const char *v, struct db_stmt **out);
int store_stmt_bind_int64(struct store_conn *c, enum store_stmt_id id,
			  const char *sql, int64_t v, struct db_stmt **out);
/* Runs statement id with ?1 = key (text) and reads the first column of
 * its first row into *v. Returns GZ_OK, GZ_ENOTFOUND (no row) or a mapped
 * error. */
int store_find_text(struct store_conn *c, enum store_stmt_id id,
		    const char *sql, const char *key, int64_t *v);

/* Runs statement id (sql, a savepoint's SAVEPOINT, RELEASE or ROLLBACK
 * TO) on c. Returns GZ_OK or a mapped error. */
int store_savepoint_stmt(struct store_conn *c, enum store_stmt_id id,
			 const char *sql);
/* Opens the savepoint of one write function (store_article_put, the
 * comment writes), so that it is all or nothing on its own and leaves the
 * caller's transaction open. Such functions never nest, so they share one
 * savepoint name. Returns GZ_OK or a mapped error. */
int store_savepoint_begin(struct store_conn *c);
/* Ends that savepoint: released when err is GZ_OK, else rolled back
 * (ROLLBACK TO keeps it open, so it is released after). Returns err, or
 * the release's error when err is GZ_OK (then it is rolled back too). */
int store_savepoint_end(struct store_conn *c, int err);

/* Binds text, or NULL when s is NULL. The text must outlive the step
 * (it is not copied). Returns an engine code (DB_OK). */
int store_bind_text(struct db_stmt *stmt, int idx, const char *s);
int store_bind_int64(struct db_stmt *stmt, int idx, int64_t v);

/* True when s is NULL or valid UTF-8. */
bool store_utf8_ok(const char *s);
/* s, or "" when s is NULL. */
const char *store_nz(const char *s);
/* size_t to an SQL integer; counts beyond INT64_MAX mean "all". */
int64_t store_size_to_int64(size_t v);

/* Copies column col as text into pool (valid until it is cleared); SQL
 * NULL becomes "". Returns NULL when the pool is exhausted. */
const char *store_col_text(struct pool *pool, struct db_stmt *s, int col);

/* Makes room for element n of a pool array arr of *cap elements of size el
 * (n <= *cap), doubling it when full. Returns arr or its larger copy (the
 * old one stays in the pool), or NULL when the pool is exhausted. */
void *store_grow(struct pool *pool, void *arr, size_t *cap, size_t n,
		 size_t el);

/* Turns engine code rc on c (NULL: no connection yet) into an enum gz_err
 * (see sqlite.c for the table) and logs what failed unless the code is an
 * expected answer (a unique constraint). what names the operation, for the
 * log. */
int store_err(struct store_conn *c, int rc, const char *what);

/* The calling thread's read connection, opened on first use. Returns
 * GZ_OK or a mapped error. Output: *out, owned by the store. */
int store_reader(struct store *st, struct store_conn **out);
/* Starts a read transaction on c so that several queries see one
 * snapshot; store_read_end ends it (whatever happened in between). */
int store_read_begin(struct store_conn *c);
void store_read_end(struct store_conn *c);

/* The writer connection; the caller must hold the write lock (be inside
 * store_tx_begin/commit). */
struct store_conn *store_writer(struct store *st);
/* True when the calling thread is inside st's store_tx_begin/commit: a
 * write that may also run on its own (media.c) then joins it. */
bool store_tx_held(const struct store *st);

/*
 * Sections and tags are both "a name with a slug", found or created the
 * same way when an article names them (store_named_ensure, section.c).
 * by_slug and by_name select the id first; insert takes (?1 slug, ?2 name)
 * and returns the id; slug_set gives row ?1 the slug "<kind>-<id>", for a
 * name whose slug is empty (only punctuation).
 */
struct store_named {
	const char *kind; /* "section", "tag": for logs */
	enum store_stmt_id by_slug, by_name, insert, slug_set;
	const char *by_slug_sql, *by_name_sql, *insert_sql, *slug_set_sql;
};

extern const struct store_named store_named_section;

/* Returns in *id the row of kind named name, creating it when missing.
 * It is found by slug first (so "World" and "WORLD" are one section),
 * then by exact name; a new row gets slug_make(name). scratch holds the
 * slug and may be cleared afterwards. Runs on the writer. Returns GZ_OK,
 * GZ_ENOMEM or a mapped error. */
int store_named_ensure(struct store_conn *c, struct pool *scratch,
		       const struct store_named *kind, const char *name,
		       int64_t *id);

/* ---- media.c -------------------------------------------------------------- */

/* Fills *m from MEDIA_COLS starting at column first of row s (uses 0),
 * strings in pool. Returns GZ_OK, GZ_ENOMEM or GZ_EDB (widths the
 * schema's writer never stores). */
int store_media_row(struct pool *pool, struct db_stmt *s, int first,
		    struct store_media *m);
/* Calls fn(ctx, hash) for each "/media/<ab>/<hash>-" in body (NULL: none),
 * in order, a hash named twice twice: hash 32 lowercase hex digits, ab
 * its first two, as the library's snippet writes them (hash valid during
 * the call only). Pure: reads nothing else. Returns GZ_OK, or the first
 * error fn returns (then stops). */
int store_media_hashes_in(const char *body,
			  int (*fn)(void *ctx, const char *hash), void *ctx);
/* Records in article_media the photos article_id's body shows inline
 * (those of its hashes the library has), after deleting the article's
 * rows first when replace (a body rewritten). On c, the writer, inside
 * the body write's savepoint. Returns GZ_OK or a mapped error. */
int store_media_article_link(struct store_conn *c, int64_t article_id,
			     const char *body, bool replace);
/* Migration 14's filling of article_media from every article's body
 * (store_media_article_link for each), on c inside the migration's
 * transaction. Returns GZ_OK or a mapped error. */
int store_media_backfill(struct store_conn *c);

/* ---- revision.c ----------------------------------------------------------- */

/* Before a write that sets article id's body to body, on c (the writer,
 * in the write's savepoint): the revisions whose body is NULL (the
 * article's current one) get that body written in, unless it does not
 * change. Returns GZ_OK or a mapped error. */
int store_revision_keep_body(struct store_conn *c, int64_t id,
			     const char *body);
/* The id of article id's newest revision on c (0: none): what a save
 * with expect_revision compares, inside its transaction. Returns GZ_OK
 * or a mapped error. */
int store_revision_newest_on(struct store_conn *c, int64_t id,
			     int64_t *out);
/* Records article id as it is now stored on c (the writer, inside the
 * caller's savepoint) as a revision by actor ("import" when NULL) with
 * note ("" when NULL) at at: always when always is true, else only when
 * it differs from the article's latest revision (a re-import of an
 * unchanged file records none). Returns GZ_OK (recorded or not) or a
 * mapped error. */
int store_revision_record(struct store_conn *c, int64_t id, const char *actor,
			  const char *note, int64_t at, bool always);

/* ---- author.c ------------------------------------------------------------- */

/* Links article id to its authors (in->authors, else the byline's
 * names), replacing its links when replace; creates authors on first
 * use. On the writer, inside the article's savepoint. Returns GZ_OK,
 * GZ_ETOOBIG (more than GZ_LIMIT_AUTHORS) or a mapped error. */
int store_article_authors_put(struct store_conn *c, struct pool *scratch,
			      const struct store_article_input *in, int64_t id,
			      bool replace);
/* Reads article a's authors into it, in byline order. */
int store_article_authors_read(struct store_conn *c, struct pool *pool,
			       struct store_article *a);
/* Schema 8's migration: authors for every existing article, from its
 * byline. On the writer, inside the migration's transaction. */
int store_authors_backfill(struct store_conn *c);

/* ---- user.c ------------------------------------------------------------- */

/* The columns of a user (0-9 from their first), as store_user_row reads
 * them; u is the users table. */
#define USER_COLS                                                        \
	"u.id, u.name, u.display_name, u.role, u.password_hash,"         \
	" u.totp_secret, u.totp_last_step, u.must_change_password,"      \
	" u.created_at, u.last_signin_at"
#define USER_NCOLS 10
/* Fills *out from USER_COLS starting at column first of row s, strings
 * in pool. Returns GZ_OK, GZ_ENOMEM or GZ_EDB (a role or secret the
 * schema or store.h forbids). */
int store_user_row(struct pool *pool, struct db_stmt *s, int first,
		   struct store_user *out);

/* ---- comment.c ------------------------------------------------------------ */

/* store_comment_insert, also telling the status the comment was stored
 * with (approve_if_known may store PENDING for APPROVED): the writer
 * hands it to store_job_result. Output: *id, *status. */
int store_comment_insert_status(struct store *st,
				const struct store_comment_input *in,
				int64_t *id,
				enum store_comment_status *status);

/* ---- events.c ------------------------------------------------------------ */

/* Records prefix followed by text (copied) in the open transaction's
 * set; a key already there is not added twice. Caller holds the write
 * lock. Returns GZ_OK or GZ_ENOMEM: the caller's write then fails, since
 * a change nobody hears of would leave a stale page cached. */
int store_keys_add(struct store *st, const char *prefix, const char *text);
/* The set's size, to hand back to store_keys_truncate when a savepoint
 * is rolled back. */
size_t store_keys_mark(const struct store *st);
/* Forgets keys recorded since mark (a write that was rolled back to its
 * savepoint). */
void store_keys_truncate(struct store *st, size_t mark);
/* Empties the set (begin, rollback). */
void store_keys_clear(struct store *st);
/* Records the keys of article id as it is now stored, seen from c (the
 * writer): "article:ID", its section's and its tags' keys. */
int store_events_article(struct store *st, struct store_conn *c,
			 int64_t id);
/* Records "front", "feeds" and "sitemaps". */
int store_events_listings(struct store *st);
/* Before COMMIT: recounts every section and tag of the set's keys at the
 * store's clock, adding "nav" when a section's count crossed zero. */
int store_events_recount(struct store *st);
/* After COMMIT and outside the write lock: hands keys to the listener,
 * then frees them. keys is a set detached from the store. */
void store_events_fire(struct store *st, struct store_keyset *keys);
/* Frees a set's storage. */
void store_keys_free(struct store_keyset *ks);
/* The time counts are kept at: now, or the due ticker's last now if that
 * is later (so a count never goes back in time). */
int64_t store_clock(struct store *st);

/* ---- writer.c ------------------------------------------------------------ */

/* Starts and stops the group-commit thread (store_open, store_close). */
int store_writer_start(struct store *st);
void store_writer_stop(struct store *st);

#endif
