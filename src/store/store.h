/*
 * store.h - gazette's storage, in the newsroom's terms.
 *
 * The only module that speaks SQL. Handlers and commands ask for articles,
 * sections and tags; the engine behind this header is SQLite today
 * (sqlite.c) and may be PostgreSQL tomorrow (pg.c), so nothing here names
 * an SQLite type. Results are copied into the caller's pool and are valid
 * until it is cleared.
 *
 * Threads: any thread may call any function. Reads use one connection per
 * thread, opened on first use; writes go through one writer connection,
 * serialised by the store. The database is in WAL mode, so readers never
 * wait for the writer.
 */
#ifndef GZ_STORE_H
#define GZ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;
struct store;

enum store_status {
	STORE_DRAFT = 0,
	STORE_SCHEDULED, /* published, but not before published_at */
	STORE_PUBLISHED,
};

struct store_section {
	int64_t id;
	const char *slug;
	const char *name;
	int64_t article_count; /* visible articles; 0 when not asked for */
};

struct store_tag {
	const char *slug;
	const char *name;
};

/* A tag and how many articles carry it (store_tag_list). */
struct store_tag_count {
	const char *slug;
	const char *name;
	int64_t article_count;
};

/* One of an article's authors, or an author's page (author.c). */
struct store_author {
	const char *slug;
	const char *name;
	const char *bio; /* "" when none; store_author_get only */
};

struct store_article {
	int64_t id;
	const char *slug;     /* may be "" (headline of only punctuation) */
	const char *headline;
	const char *summary;  /* "" when none */
	const char *body;     /* Markdown */
	const char *byline;   /* "" when none: "By the City Desk" */
	const char *dateline; /* "" when none: "RIVERTON" */
	const char *section_slug; /* "" when none */
	const char *section_name;
	const char *lang;     /* BCP 47, "en" by default */
	enum store_status status;
	int64_t published_at; /* UTC seconds; 0 for a draft never published */
	int64_t updated_at;   /* last change */
	int64_t created_at;   /* first stored */
	int64_t comment_count; /* approved comments */
	int64_t comments_close_at; /* 0: the site's policy decides */
	const struct store_tag *tags;
	size_t ntags;
	/* In byline order (store_article_get only; none for listings). */
	const struct store_author *authors;
	size_t nauthors;
	/* The body rendered to HTML when it was stored (store_article_get
	 * only; NULL when never rendered or rendered by another
	 * html_version than the caller's, who then renders it itself). */
	const char *body_html;
	int html_version;     /* the renderer version body_html was made by */
};

/* What an import or an editor hands the store to create or update. */
struct store_article_input {
	const char *import_key; /* identifies the source; NULL for none */
	const char *slug;       /* NULL: made from the headline */
	const char *headline;
	const char *summary;
	const char *body;
	const char *byline;
	const char *dateline;
	const char *section;    /* section name; NULL or "" for none */
	const char *lang;       /* NULL: "en" */
	enum store_status status;
	int64_t published_at;
	const char *const *tags; /* tag names */
	size_t ntags;
	/* Author names, in order; NULL: the names the byline gives ("By Ann
	 * Lee and Ben Ode": Ann Lee, Ben Ode). */
	const char *const *authors;
	size_t nauthors;
	/* When comments close: 0 leaves it to the site's policy (days after
	 * publication), INT64_MAX never closes, any other time closes then. */
	int64_t comments_close_at;
	/* The body as HTML, rendered by the caller (render_markdown) with
	 * renderer version html_version; NULL: not rendered (the page
	 * renders it per view until store_article_html_set fills it). */
	const char *body_html;
	int html_version;
	/* The body's text, as search indexes it (render_html_text of
	 * body_html); NULL: the Markdown body stands in. */
	const char *body_text;
};

struct store_article_query {
	const char *section_slug; /* NULL: any */
	const char *tag_slug;     /* NULL: any */
	int64_t now;              /* only articles published at or before now */
	int64_t exclude_id;       /* 0: none */
	size_t limit;
	size_t offset;
};

/* Opens (creating when missing) the database at path, in WAL mode, and
 * brings its schema up to date. Returns GZ_OK, GZ_EDB (unreadable, not a
 * database), GZ_EBUSY (locked) or GZ_ESCHEMA (from a newer gazette).
 * Caller frees *out with store_close. */
int store_open(const char *path, struct store **out);
/* Flags of store_open_checked. */
enum store_open_flags {
	STORE_OPEN_CREATE = 1 << 0, /* make the database when missing */
	/* Wait for the write lock once (the busy timeout at most): a
	 * database another process keeps locked is refused at open, rather
	 * than on its first write. Without it, a database opens and reads
	 * while another connection holds the write lock. */
	STORE_OPEN_LOCK_PROBE = 1 << 1,
};
/* As store_open, but a missing file is made only with STORE_OPEN_CREATE,
 * and what went wrong is one sentence in why[whylen] for a person (in
 * the log when why is NULL): GZ_ENOTFOUND (no file: why is empty, the
 * caller knows what to say), GZ_EDB ("cannot open PATH: Permission
 * denied", "PATH is not a database: ..."), GZ_EBUSY ("PATH is locked by
 * another process", after the busy timeout) or GZ_ESCHEMA ("PATH has
 * schema version N, newer than this gazette (M): upgrade gazette"). A
 * database refused for its schema or a lock is left as it was. */
int store_open_checked(const char *path, unsigned flags, struct store **out,
		       char *why, size_t whylen);
/* Closes every connection; store_close(NULL) is a no-op. */
void store_close(struct store *st);

/* Reads article id into *out if it is visible at now (published or
 * scheduled, published_at <= now); when now is 0 any status is returned.
 * Returns GZ_OK, GZ_ENOTFOUND, GZ_EDB or GZ_ENOMEM. */
int store_article_get(struct store *st, struct pool *pool, int64_t id,
		      int64_t now, struct store_article *out);
/* Lists visible articles matching q, newest first (body not filled).
 * Output: *items (pool array), *n, and *total (all matches, for
 * pagination) when total is not NULL. */
int store_article_list(struct store *st, struct pool *pool,
		       const struct store_article_query *q,
		       struct store_article **items, size_t *n, size_t *total);
/* Creates an article, or updates the one with the same import_key.
 * Creates the section and tags it names. Output: *id, and *created (true
 * when new). Must be called inside store_tx_begin/commit. Returns GZ_OK,
 * GZ_EINVAL (no headline), GZ_EDB. */
int store_article_put(struct store *st, const struct store_article_input *in,
		      int64_t *id, bool *created);
/* Finds the article imported with import_key. Returns GZ_OK with *id, or
 * GZ_ENOTFOUND. */
int store_article_id_by_key(struct store *st, const char *import_key,
			    int64_t *id);
/* One search result (search.c): the article as a listing has it, its
 * headline and a snippet of its body with each match between U+0001 and
 * U+0002. */
struct store_search_hit {
	struct store_article article;
	const char *headline_marked;
	const char *snippet;
};
/* The most matches a search ranks and counts: the most recent ones by
 * id (search.c says why). */
#define STORE_SEARCH_MAX 1000
/* Searches the articles visible at now for match, an FTS5 query (build
 * it from a reader's words with care: every word quoted): of the most
 * recent STORE_SEARCH_MAX matches, best first, limit of them from
 * offset. Output: *hits (pool array), *n, *total (the matches ranked, at
 * most STORE_SEARCH_MAX) and *capped (true: more stories match than
 * *total). Returns GZ_OK, GZ_EINVAL (FTS5 refused the query),
 * GZ_ENOMEM, GZ_EBUSY or GZ_EDB. */
int store_search(struct store *st, struct pool *pool, int64_t now,
		 const char *match, size_t limit, size_t offset,
		 struct store_search_hit **hits, size_t *n, size_t *total,
		 bool *capped);

/* Reads the author with this slug (name and bio). Returns GZ_OK,
 * GZ_ENOTFOUND or a mapped error. Strings in pool. */
int store_author_get(struct store *st, struct pool *pool, const char *slug,
		     struct store_author *out);
/* Sets the bio of the author with this slug (plain text, "" for none).
 * Inside store_tx_begin/commit. Returns GZ_OK, GZ_ENOTFOUND, GZ_EINVAL
 * (not UTF-8, or longer than GZ_LIMIT_BIO_BYTES) or a mapped error. */
int store_author_bio_set(struct store *st, const char *slug, const char *bio);
/* Lists by name, with no bio, every author with a story visible at now.
 * Output: *items (pool), *n. */
int store_author_list(struct store *st, struct pool *pool, int64_t now,
		      struct store_author **items, size_t *n);
/* Lists the articles of the author with this slug visible at now, newest
 * first, limit from offset (as store_article_list). Output: *items
 * (pool), *n, *total. Returns GZ_OK or a mapped error. */
int store_author_articles(struct store *st, struct pool *pool, int64_t now,
			  const char *slug, size_t limit, size_t offset,
			  struct store_article **items, size_t *n,
			  size_t *total);
/* The names in a byline, in order: "By Ann Lee, Ben Ode and Cy Day" gives
 * three (a leading "By " or "by " dropped; split at ", " and " and ").
 * At most max; blank ones are skipped. Output: names[] (in pool), *n.
 * Returns GZ_OK or GZ_ENOMEM. */
int store_byline_names(struct pool *pool, const char *byline,
		       const char **names, size_t max, size_t *n);

/* One of the newsroom's pages (page.c): about, contact, corrections,
 * privacy, and any other it adds, each at /SLUG. */
struct store_page {
	const char *slug;
	const char *title;
	const char *body; /* Markdown; "" in store_page_list */
	int64_t updated_at;
};
/* Reads the page with this slug. Returns GZ_OK, GZ_ENOTFOUND or a mapped
 * error. Strings in pool. */
int store_page_get(struct store *st, struct pool *pool, const char *slug,
		   struct store_page *out);
/* Lists the pages in their order (without bodies). Output: *items, *n. */
int store_page_list(struct store *st, struct pool *pool,
		    struct store_page **items, size_t *n);
/* Creates or replaces page slug (a valid slug) with title and body
 * (Markdown, UTF-8, at most GZ_LIMIT_PAGE_SOURCE_BYTES). Inside
 * store_tx_begin/commit. Returns GZ_OK, GZ_EINVAL or a mapped error. */
int store_page_put(struct store *st, const char *slug, const char *title,
		   const char *body);
/* Gives a new site its four pages to edit (about, contact, corrections,
 * privacy) when it has none. Inside store_tx_begin/commit. Returns GZ_OK
 * or a mapped error. */
int store_pages_seed(struct store *st);

/* What a sitemap needs of a visible article (sitemap.c). The strings are
 * valid only during the callback that receives the row. */
struct store_sitemap_row {
	int64_t id;
	const char *slug;
	const char *headline;
	const char *lang;
	int64_t published_at;
	int64_t modified_at; /* the later of published_at and updated_at */
};
/* Called once per row; a return other than GZ_OK stops the walk and is
 * returned by the walking function. */
typedef int (*store_sitemap_fn)(void *ctx, const struct store_sitemap_row *row);
/* Walks the articles visible at now in id order (oldest first, so a
 * sitemap piece keeps its articles as new ones arrive), limit of them
 * from the offset-th, from one snapshot. Returns GZ_OK, fn's error,
 * GZ_EBUSY or GZ_EDB. */
int store_sitemap_each(struct store *st, int64_t now, size_t offset,
		       size_t limit, store_sitemap_fn fn, void *ctx);
/* For a sitemap index: the articles visible at now, in pieces of per
 * (in the order of store_sitemap_each), and each piece's latest
 * modified_at. Output: *lastmod (pool array, NULL when none) and *n
 * pieces. Returns GZ_OK, GZ_ENOMEM, GZ_EBUSY or GZ_EDB. */
int store_sitemap_pieces(struct store *st, struct pool *pool, int64_t now,
			 size_t per, int64_t **lastmod, size_t *n);
/* Walks the articles visible at now and published at or after since,
 * newest first, at most limit (the news sitemap). Returns as
 * store_sitemap_each. */
int store_sitemap_news(struct store *st, int64_t now, int64_t since,
		       size_t limit, store_sitemap_fn fn, void *ctx);
/* Filters and a cursor for store_article_page (the JSON API): NULL or 0
 * fields do not filter. The cursor is the (published_at, id) of the last
 * article of the previous page: this page starts after it. */
struct store_article_filter {
	int64_t now;
	const char *section_slug;
	const char *tag_slug;
	const char *author_slug;
	int64_t since;          /* published at or after; 0: any */
	int64_t before_published; /* with before_id: the cursor; 0: none */
	int64_t before_id;
	size_t limit;
};
/* Lists the articles visible at f->now that match f, newest first
 * ((published_at, id) descending), at most f->limit, from after the
 * cursor. Output: *items (pool), *n. Returns GZ_OK or a mapped error. */
int store_article_page(struct store *st, struct pool *pool,
		       const struct store_article_filter *f,
		       struct store_article **items, size_t *n);
/* Lists every tag by name, with its count of visible articles (as kept:
 * visible at the last count). Output: *items (pool), *n. */
int store_tag_list(struct store *st, struct pool *pool,
		   struct store_tag_count **items, size_t *n);

/* A month of the archive that has visible articles, in the site zone. */
struct store_month {
	int year;
	int month; /* 1-12 */
	int64_t count;
};
/* Lists the articles visible at now and published in [from, to), newest
 * first, limit of them from offset (as store_article_list, without
 * filters). Output: *items (pool), *n, *total (all in the range).
 * Returns GZ_OK, GZ_ENOMEM, GZ_EBUSY or GZ_EDB. */
int store_article_range(struct store *st, struct pool *pool, int64_t now,
			int64_t from, int64_t to, size_t limit, size_t offset,
			struct store_article **items, size_t *n, size_t *total);
/* The months with articles visible at now, newest first, with their
 * counts. Output: *items (pool), *n. Returns as above. */
int store_article_months(struct store *st, struct pool *pool, int64_t now,
			 struct store_month **items, size_t *n);
/* Counts articles (any status). */
int store_article_count(struct store *st, int64_t *n);

/* Articles whose stored HTML is missing or was made by a renderer
 * version other than html_version, at most limit of them, lowest id
 * first, after after_id. Output: *ids (pool array), *n. */
int store_article_html_stale(struct store *st, struct pool *pool,
			     int html_version, int64_t after_id, size_t limit,
			     int64_t **ids, size_t *n);
/* Stores article id's body HTML made by renderer html_version, and its
 * text for search (text NULL keeps the text stored); no change event:
 * the page looks the same. Inside store_tx_begin/commit. Returns GZ_OK,
 * GZ_ENOTFOUND, GZ_EINVAL or GZ_EDB. */
int store_article_html_set(struct store *st, int64_t id, const char *html,
			   const char *text, int html_version);

/* Lists sections by name, each with its count of articles visible at now.
 * The counts are kept on write (store_article_put, store_due_publish), not
 * counted per call. */
int store_section_list(struct store *st, struct pool *pool, int64_t now,
		       struct store_section **items, size_t *n);
/* Reads the section with this slug. Returns GZ_OK or GZ_ENOTFOUND. */
int store_section_get(struct store *st, struct pool *pool, const char *slug,
		      struct store_section *out);

/* ---- comments (comment.c) ------------------------------------------------ */

enum store_comment_status {
	STORE_COMMENT_PENDING = 0,
	STORE_COMMENT_APPROVED,
	STORE_COMMENT_REJECTED,
	STORE_COMMENT_SPAM,
};

struct store_comment {
	int64_t id;
	int64_t article_id;
	int64_t parent_id;    /* 0: top level */
	const char *author;
	const char *email;    /* "" when none; never shown to readers */
	const char *body;     /* plain text as the reader typed it */
	const char *ip;
	enum store_comment_status status;
	int64_t created_at;
	const char *article_headline; /* filled by store_comment_query only;
					 "" elsewhere */
};

struct store_comment_input {
	int64_t article_id;
	int64_t parent_id;    /* 0: top level; must be on the same article */
	const char *author;
	const char *email;
	const char *body;
	const char *ip;
	enum store_comment_status status;
	int64_t created_at;
	/* The CAPTCHA token's nonce: spent in the same transaction, so a token
	 * stores at most one comment. */
	const unsigned char *nonce;
	size_t nonce_len;
	int64_t nonce_expires_at;
	/* The commenter key (a keyed hash of the browser's commenter cookie,
	 * comments_commenter_key; 1 to 64 bytes), stored with the comment so
	 * that a moderator's approval of it trusts that browser; NULL: none
	 * (stored as NULL, trusts nobody). */
	const unsigned char *commenter_key;
	size_t commenter_key_len;
	/* The first-time rule: a comment given as APPROVED is stored as
	 * PENDING unless a moderator approved a comment with the same
	 * commenter_key and it is approved still, looked up in the
	 * transaction of the insert (so an approval, or a rejection,
	 * committed before it counts). Email and name play no part. */
	bool approve_if_known;
};

struct store_comment_filter {
	int status;           /* an enum store_comment_status, or -1: any */
	int64_t article_id;   /* 0: any */
	size_t limit;         /* 0: 100 */
};

/* Spends nonce (when in->nonce is not NULL; 1 to 64 bytes) and stores the
 * comment, logged as "submitted" by "reader", inside store_tx_begin/commit.
 * With in->approve_if_known, APPROVED becomes PENDING for a commenter key
 * without an approved comment (store_comment_get tells which).
 * Returns GZ_OK with *id, GZ_EEXIST (the nonce was spent already: a
 * replayed token), GZ_ENOTFOUND (no such article, or the parent is not an
 * approved comment of it), GZ_EINVAL (NULL author or body, invalid UTF-8,
 * a bad status, id, nonce or commenter key length) or GZ_EDB. On error
 * nothing of the call is stored, not even the nonce, and the transaction
 * stays open. */
int store_comment_insert(struct store *st,
			 const struct store_comment_input *in, int64_t *id);
/* Spends nonce alone (a discarded submission still uses up its token).
 * Inside a transaction. Returns GZ_OK, GZ_EEXIST or GZ_EINVAL (NULL, empty
 * or longer than 64 bytes). */
int store_nonce_spend(struct store *st, const unsigned char *nonce,
		      size_t len, int64_t expires_at);
/* Forgets nonces that expired before now (they cannot be replayed
 * anyway: their tokens are refused as expired). Inside a transaction. */
int store_nonce_purge(struct store *st, int64_t now);
/* The approved comments of an article, oldest first. Output: *items in
 * pool, *n. */
int store_comment_list(struct store *st, struct pool *pool,
		       int64_t article_id, struct store_comment **items,
		       size_t *n);
/* One page of an article's approved comments, by thread: a thread is a
 * top-level comment and every reply under it, never split. The page holds
 * the per_page threads after the first skip (oldest thread first), its
 * comments oldest first, replies in the same flat list as in
 * store_comment_list. Output: *items in pool, *n, and *more (another
 * page follows). Reads the page's comments and the index entries of the
 * threads before it, never the other comments' rows. Returns GZ_OK,
 * GZ_ENOMEM, GZ_EBUSY or GZ_EDB. */
int store_comment_page(struct store *st, struct pool *pool,
		       int64_t article_id, size_t skip, size_t per_page,
		       struct store_comment **items, size_t *n, bool *more);
/* The number of threads before the one holding approved comment id of
 * article_id (its page is pos / per_page + 1). Output: *pos. Returns
 * GZ_OK or GZ_ENOTFOUND (no such approved comment on that article). */
int store_comment_thread_pos(struct store *st, int64_t article_id,
			     int64_t id, size_t *pos);
/* Comments for moderators, newest first, with their article's headline;
 * f->limit 0 means 100, and more than 1000 means 1000. GZ_EINVAL for a
 * status out of range. Output: *items in pool, *n. */
int store_comment_query(struct store *st, struct pool *pool,
			const struct store_comment_filter *f,
			struct store_comment **items, size_t *n);
/* Reads comment id, any status, into *out (strings in pool). Returns
 * GZ_OK or GZ_ENOTFOUND. */
int store_comment_get(struct store *st, struct pool *pool, int64_t id,
		      struct store_comment *out);
/* Sets a comment's status and logs the action ("approve", "reject",
 * "spam", "hold" for pending; detail: the status before) with actor
 * ("cli:root") and at, inside a transaction. Returns GZ_OK, GZ_ENOTFOUND
 * or GZ_EINVAL (bad status; empty or invalid actor). */
int store_comment_set_status(struct store *st, int64_t id,
			     enum store_comment_status status,
			     const char *actor, int64_t at);
/* Deletes a comment (its replies move up to its parent) and logs it
 * ("delete"), inside a transaction. Returns GZ_OK, GZ_ENOTFOUND or
 * GZ_EINVAL (empty or invalid actor). */
int store_comment_delete(struct store *st, int64_t id, const char *actor,
			 int64_t at);
/* A number that changes whenever a comment of the article is stored,
 * moderated or deleted: part of the article page's ETag, so that a reader
 * who has just commented is not handed back the page (and the spent
 * token) their browser kept. Output: *mark. */
int store_comment_activity(struct store *st, int64_t article_id,
			   int64_t *mark);
/* True in *known when a moderator approved a comment with commenter
 * key key[0..len) and it is approved still (what approve_if_known looks
 * up, here on the calling thread's reader); with no key (NULL or len 0), never. Returns
 * GZ_OK, GZ_EINVAL (len over 64), GZ_EBUSY or GZ_EDB. */
int store_commenter_known(struct store *st, const unsigned char *key,
			  size_t len, bool *known);

/* Reads the tag with this slug. Returns GZ_OK or GZ_ENOTFOUND. */
int store_tag_get(struct store *st, struct pool *pool, const char *slug,
		  struct store_tag *out);

/* ---- group commit (writer.c) ---------------------------------------------- */

/* Durability of a commit (PRAGMA synchronous in WAL mode): see
 * docs/store.md for what each level risks. */
enum store_sync {
	STORE_SYNC_FULL = 0, /* survives a power cut: fsync per commit */
	STORE_SYNC_NORMAL,   /* survives a crash of gazette, not of the OS */
};
/* Sets the durability of every later commit. Returns GZ_OK or GZ_EDB. */
int store_sync_set(struct store *st, enum store_sync level);

/* Spends in->nonce and stores the comment (as store_comment_insert) in a
 * transaction shared with other comments arriving at the same moment:
 * one writer commits them in batches, and each call returns only when its
 * comment is committed at the store's sync level (acknowledged = on
 * disk). Must not be called inside store_tx_begin/commit. A failing
 * comment does not fail the others of its batch. Returns GZ_OK with *id,
 * store_comment_insert's errors, or GZ_EBUSY when the store is closing. */
int store_comment_add(struct store *st, const struct store_comment_input *in,
		      int64_t *id);
/* store_comment_add without waiting, for a caller that must not hold its
 * thread while the batch syncs (a server thread). job is caller storage
 * of store_job_size() bytes, and job and in must stay valid until done
 * has been called: done(ctx) is called exactly once, on the writer's
 * thread after the batch's commit and its change events (or at once, on
 * the caller's thread, when the store is closing), and must not call
 * into the store. Then store_job_result tells the outcome. */
struct store_job;
size_t store_job_size(void);
void store_comment_add_async(struct store *st,
			     const struct store_comment_input *in,
			     struct store_job *job, void (*done)(void *ctx),
			     void *ctx);
/* A finished job's outcome, as store_comment_add or store_nonce_use
 * returns it. Output: when not NULL, *id (the comment's id on GZ_OK; 0
 * for a nonce) and *status: the status the comment was stored with
 * (PENDING rather than APPROVED under approve_if_known for an unknown
 * commenter). */
int store_job_result(const struct store_job *job, int64_t *id,
		     enum store_comment_status *status);
/* Spends a nonce alone, batched and durable like store_comment_add.
 * Returns GZ_OK, GZ_EEXIST (spent already) or GZ_EINVAL. Waits for the
 * write lock while another process holds it (up to the busy timeout):
 * not for a server thread, which uses store_nonce_use_async. */
int store_nonce_use(struct store *st, const unsigned char *nonce, size_t len,
		    int64_t expires_at);
/* store_nonce_use without waiting, under store_comment_add_async's
 * rules: nonce and job stay valid until done(ctx), called once; then
 * store_job_result tells GZ_OK, GZ_EEXIST, GZ_EINVAL, GZ_EBUSY or
 * GZ_EDB. */
void store_nonce_use_async(struct store *st, const unsigned char *nonce,
			   size_t len, int64_t expires_at,
			   struct store_job *job, void (*done)(void *ctx),
			   void *ctx);

/* ---- change events (events.c) ---------------------------------------------- */

/*
 * After a write commits, the store tells its listener which pages may have
 * changed, as keys: "article:ID" (the article, and every page showing its
 * card: a new comment count, an edited headline), "section:SLUG",
 * "tag:SLUG" (listings whose content or order changed), "front", "feeds",
 * "sitemaps", "comments" (the site-wide comment feed), and "nav" (the set
 * of sections with visible articles changed: every page's navigation).
 * Keys are plain text so that a PostgreSQL engine can carry them between
 * nodes with NOTIFY. A rolled-back transaction fires nothing.
 *
 * Which writes fire what: store_article_put: the article, its old and new
 * section and tags, front, feeds, sitemaps (nav only when a section
 * gained its first or lost its last visible article); store_due_publish:
 * the same for each article coming due; comments (insert, add, status,
 * delete): "article:ID" of their article and "comments";
 * store_article_html_set: nothing.
 */
typedef void (*store_event_fn)(void *ctx, const char *const *keys,
			       size_t nkeys);
/* Sets the one listener (NULL: none). Called on the committing thread,
 * after the commit, outside the store's locks; it must not write to the
 * store. Set it before serving starts. */
void store_events_listen(struct store *st, store_event_fn fn, void *ctx);
/* Makes scheduled articles whose time has come (published_at in
 * (the previous call's now, now]; the first call after store_open looks
 * back to now only) visible: updates the section counts and fires their
 * events. The server calls it about once a second. Returns GZ_OK or
 * GZ_EDB. */
int store_due_publish(struct store *st, int64_t now);
/* Fires the events of writes other processes committed since the last
 * call (the command line, another gazette on the same database): their
 * keys are recorded in the database with the write. Nearly free when
 * nothing changed (SQLite: one read of the WAL index's change counter),
 * so the server calls it before every page-cache lookup, and a moderator's
 * approval from the command line shows on the very next request. Returns
 * GZ_OK or GZ_EDB. */
int store_changes_sync(struct store *st);
/* The earliest published_at after now of any scheduled article, or 0. */
int store_due_next(struct store *st, int64_t now, int64_t *at);

/* A write transaction on the writer connection: begin takes the store's
 * write lock, commit or rollback releases it. Everything put between them
 * lands whole or not at all. */
int store_tx_begin(struct store *st);
int store_tx_commit(struct store *st);
void store_tx_rollback(struct store *st);
/* A unit inside the open write transaction, so that many independent
 * pieces of work (the files of an import) share one commit while each
 * lands whole or not at all: store_tx_unit_end with err GZ_OK keeps what
 * the unit wrote; with any other err it undoes the unit (its change keys
 * too) and the transaction stays open for the next. Units do not nest.
 * begin returns GZ_OK or GZ_EDB; end returns err, or GZ_EDB when keeping
 * failed (the unit is then undone). */
int store_tx_unit_begin(struct store *st);
int store_tx_unit_end(struct store *st, int err);

/* ---- backup and restore (backup.c) ---------------------------------------- */

/* What a backup or a restore found in a database file. */
struct store_file_info {
	int64_t bytes;        /* the file's size */
	int64_t articles;     /* articles, any status */
	int64_t comments;     /* comments, any status */
	int schema_version;   /* the gazette schema version it is at */
};

/* Told after each step of a copy: pages copied so far of total. */
typedef void (*store_progress_fn)(void *ctx, int64_t done, int64_t total);

/* The schema version this gazette writes (a newer database is refused). */
int store_schema_version(void);

/* Copies the database at db_path into the file dest while other
 * processes (a gazette serve) keep reading and writing it: one consistent
 * snapshot, written to dest.tmp, synced, checked (PRAGMA integrity_check,
 * gazette's tables) and renamed to dest, then dest's directory synced.
 * Writes nothing to db_path. An existing dest is replaced only when force
 * is true. progress, when not NULL, is called after each step. Output:
 * *info (of the copy). Returns GZ_OK, GZ_EEXIST (dest exists, no force),
 * GZ_ENOTFOUND (no database at db_path), GZ_EPARSE (not an SQLite
 * database), GZ_EINVAL (not gazette's, or dest is db_path), GZ_EDB (unreadable, or the copy
 * fails its check), GZ_EIO (dest cannot be written, synced or renamed) or
 * GZ_ENOMEM; on error no dest.tmp is left and dest is untouched, and msg
 * (msglen bytes) holds a sentence naming what failed and where. */
int store_backup_to(const char *db_path, const char *dest, bool force,
		    store_progress_fn progress, void *ctx,
		    struct store_file_info *info, char *msg, size_t msglen);

/* Checks, without writing anything, that path is a gazette database this
 * gazette can restore: an SQLite database that passes PRAGMA
 * integrity_check, with gazette's tables, at a schema version not newer
 * than store_schema_version() (older is fine: it is migrated on restore).
 * Output: *info. Returns GZ_OK, GZ_ENOTFOUND (no such file), GZ_EPARSE
 * (not an SQLite database), GZ_EDB (damaged, or unreadable), GZ_EINVAL
 * (an SQLite database, not gazette's), GZ_ESCHEMA (from a newer gazette)
 * or GZ_ENOMEM, with a sentence in msg. */
int store_restore_check(const char *path, struct store_file_info *info,
			char *msg, size_t msglen);

/* Replaces the database at db_path by a copy of src, checked first as
 * store_restore_check does. Refuses while any other process has db_path
 * open (a gazette serve, a gazette command): it takes SQLite's exclusive
 * lock on it and holds it to the end. The copy is made beside db_path
 * (db_path.restore.tmp), migrated to the current schema, synced and
 * checked; the old database, its WAL checkpointed into it, is kept as
 * db_path.before-restore-YYYYMMDDTHHMMSSZ (its name in kept, keptlen
 * bytes; "" when there was none), and the copy renamed over db_path, the
 * directory synced. Output: *info. Returns GZ_OK, store_restore_check's
 * errors, GZ_EINVAL (src is db_path), GZ_EBUSY (db_path in use), GZ_EEXIST (the kept name is taken),
 * GZ_EIO or GZ_EDB, with a sentence in msg; on error db_path still holds
 * the old database, whole, and no temporary file is left. On GZ_OK msg
 * is "" or a warning (the directory could not be synced). */
int store_restore_from(const char *src, const char *db_path,
		       store_progress_fn progress, void *ctx,
		       struct store_file_info *info, char *kept,
		       size_t keptlen, char *msg, size_t msglen);

/* For /healthz: runs a query on the calling thread's connection, and
 * checks that the database file is still at its path (not deleted or
 * renamed under the server). Returns GZ_OK, GZ_EIO (the file is gone),
 * or the query's error (GZ_EDB, GZ_EBUSY). */
int store_ping(struct store *st);

#endif
