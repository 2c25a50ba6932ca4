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
	/* Was published and taken down: visible nowhere, kept with its
	 * comments, revisions and published_at (stored as a draft with
	 * unpublished_at set, so every "visible" test already hides it). */
	STORE_UNPUBLISHED,
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

/* A photo in the media library (schema 12, media.c): its variant files
 * are under the site's media/ directory, named by hash (media/media.h). */
struct store_media {
	int64_t id;
	const char *hash;     /* 32 hex digits */
	const char *format;   /* "jpeg", "png", "webp", "avif" (media_info) */
	int width, height;    /* the original's, orientation applied */
	int64_t bytes;        /* the upload's size */
	/* The variant widths made, narrowest first, and whether AVIF ones
	 * were made too. */
	int widths[8]; /* MEDIA_MAX_VARIANTS (media.h) */
	size_t nwidths;
	bool avif;
	const char *alt;      /* "" only when decorative */
	bool decorative;      /* the editor said it says nothing alt could */
	const char *caption;  /* "" when none */
	const char *credit;   /* "" when none: "Photo: Ann Lee/The Riverton Post" */
	/* Where the card crop centres, in thousandths of the width and
	 * height (0..1000, 500 the middle). */
	int focal_x, focal_y;
	int64_t created_at;
	const char *actor;    /* who added it: "admin:ann", "import", "cli:root" */
	int64_t uses;         /* articles using it, as their lead image or
			       * inline in the body (store_media_list and
			       * store_media_get) */
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
	/* The newsroom (schema 10; store_article_get and
	 * store_article_admin_list fill them, 0 elsewhere). */
	int64_t owner_id;     /* the user who created it; 0: imported */
	int64_t review_at;    /* a writer submitted it for review then; 0: not */
	int64_t unpublished_at; /* STORE_UNPUBLISHED since; 0 otherwise */
	/* Schema 11: false when a writer saved the body last, so that its
	 * raw HTML is not a reader's risk (render_article_html's trusted;
	 * docs/newsroom.md). */
	bool body_trusted;
	/* Schema 12: the lead image (store_article_get, store_article_list,
	 * store_article_range, store_article_page, store_search,
	 * store_author_articles and store_article_admin_list fill it, in
	 * the pool; uses 0); NULL when the article has none. */
	const struct store_media *image;
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
	/* The newsroom's editor (schema 10). id 0: create, or update the
	 * article with the same import_key; else update article id (whose
	 * import_key is kept whatever this one says): GZ_ENOTFOUND when
	 * there is none. owner_id is stored on create only (0: none).
	 * review_at: 0 clears a review request, else when it was asked.
	 * Every put that creates an article or changes it records a
	 * revision (revision.c) by actor ("import" when NULL) with note
	 * ("" when NULL); a put with actor set records one even when
	 * nothing changed (an editor pressed Save). */
	int64_t id;
	int64_t owner_id;
	int64_t review_at;
	const char *actor;
	const char *revision_note;
	/* Schema 11: the body comes from someone whose raw HTML is not to
	 * be trusted (a writer); body_html must then have been rendered
	 * untrusted. false (imports, editors): trusted. */
	bool body_untrusted;
	/* When not 0 (an update by id): the newest revision the writer of
	 * this save read (store_revision_newest). Another save since makes
	 * the put fail with GZ_ECONFLICT, checked in the put's own
	 * transaction, and nothing is written. */
	int64_t expect_revision;
	/* Schema 12: the lead image's media id; 0 leaves an updated
	 * article's as it is (a new one gets none), STORE_IMAGE_NONE takes
	 * it away. A media id that does not exist: GZ_ENOTFOUND, nothing
	 * written. */
	int64_t image_id;
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
 * GZ_EINVAL (no headline), GZ_ECONFLICT (expect_revision is not the newest:
 * nothing written), GZ_EDB. */
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
	/* Why it waits for a moderator: "first-time", "links", "word: X",
	 * "pre-moderation"; "" when it was not held (schema 10). */
	const char *hold_reason;
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
	/* Why the comment is held (stored as given; NULL: ""). Under
	 * approve_if_known a comment turned PENDING gets "first-time". */
	const char *hold_reason;
};

struct store_comment_filter {
	int status;           /* an enum store_comment_status, or -1: any */
	int64_t article_id;   /* 0: any */
	size_t limit;         /* 0: 100 */
	size_t offset;        /* the moderation queue's pages */
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
 * "sitemaps", "comments" (the site-wide comment feed), "corrections" (the
 * corrections page and feed), "settings" (an admin changed a site setting:
 * the server loads its config again and empties its cache), and "nav" (the set
 * of sections with visible articles changed: every page's navigation).
 * Keys are plain text so that a PostgreSQL engine can carry them between
 * nodes with NOTIFY. A rolled-back transaction fires nothing.
 *
 * Which writes fire what: store_article_put: the article, its old and new
 * section and tags, front, feeds, sitemaps (nav only when a section
 * gained its first or lost its last visible article); store_due_publish:
 * the same for each article coming due; comments (insert, add, status,
 * delete): "article:ID" of their article and "comments";
 * store_media_update: for each article using the image what an edit of
 * it fires ("article:ID", its "section:" and "tag:" keys), then front,
 * feeds and sitemaps (nothing when no article uses it);
 * store_article_html_set, store_media_add, store_media_delete: nothing.
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

/* ---- moving a site to PostgreSQL (migrate.c) ------------------------------ */

/* Told of each table, after the COMMIT: its name and the rows copied,
 * or for a table left out (skipped not NULL) why, in a few words; a
 * name ending in '*' stands for the tables it begins. */
typedef void (*store_migrate_report_fn)(void *ctx, const char *table,
					int64_t rows, const char *skipped);

/* Copies the SQLite database at sqlite_path (brought to this gazette's
 * schema first, as serving it would) into the PostgreSQL database at
 * pg_url (given its schema when new): every row of every table but the
 * derived ones (the search index, the changes queue), read in one
 * snapshot and written in one transaction, ids kept and each identity
 * sequence set past them, the rows of each table counted on both sides
 * before COMMIT. Refuses a target where any copied table holds a row.
 * All or nothing: on any error the target holds what it held before.
 * fn, when not NULL, is told each table after the commit. Returns GZ_OK,
 * GZ_EINVAL (pg_url is not a postgresql:// URL, or a value cannot be
 * copied), GZ_ENOTFOUND (no file at sqlite_path), GZ_EEXIST (the target
 * holds rows), GZ_ESCHEMA, GZ_EBUSY, GZ_EDB or GZ_ENOMEM, with a
 * sentence in msg[msglen] that never repeats the URL. */
int store_migrate_to(const char *sqlite_path, const char *pg_url,
		     store_migrate_report_fn fn, void *ctx, char *msg,
		     size_t msglen);
/* Copies url into out[outlen] with its password (the userinfo's, and
 * any password= parameter's) as "***": what may be printed or logged.
 * A URL too long for out is "(a PostgreSQL URL)". Returns true when
 * something was hidden. */
bool store_url_redact(const char *url, char *out, size_t outlen);

/* ---- the newsroom's admin: articles of any status (article.c) ------------ */

/* What the admin's article list shows: any status, newest change first.
 * NULL or 0 fields do not filter. */
struct store_admin_query {
	int status;             /* an enum store_status, or -1: any */
	bool in_review;         /* only drafts submitted for review */
	bool scheduled_future;  /* only scheduled articles not yet due at now */
	int64_t now;            /* for scheduled_future */
	int64_t owner_id;       /* only this user's articles */
	const char *section_slug;
	const char *q;          /* words in the headline (case-insensitive
				   substring of each, ASCII folding) */
	size_t limit;           /* 0: 50; at most 200 */
	size_t offset;
};
/* Lists articles for the newsroom, newest updated_at first (body not
 * filled; owner_id, review_at, unpublished_at are). Output: *items (pool),
 * *n, *total (all matches) when total is not NULL. Returns GZ_OK,
 * GZ_EINVAL (bad status), GZ_ENOMEM, GZ_EBUSY or GZ_EDB. */
int store_article_admin_list(struct store *st, struct pool *pool,
			     const struct store_admin_query *q,
			     struct store_article **items, size_t *n,
			     size_t *total);
/* Sets article id's status: STORE_UNPUBLISHED takes a visible article
 * down (unpublished_at = at), STORE_DRAFT, STORE_PUBLISHED or
 * STORE_SCHEDULED (published_at = published_at when not 0, else kept, else
 * at) put it back. Records a revision by actor with note ("unpublish",
 * "publish", ...), fires the events a put would. Inside
 * store_tx_begin/commit. Returns GZ_OK, GZ_ENOTFOUND, GZ_EINVAL or a
 * mapped error. */
int store_article_status_set(struct store *st, int64_t id,
			     enum store_status status, int64_t published_at,
			     const char *actor, int64_t at);
/* Deletes article id with its comments, tags, authors' links, revisions
 * and corrections (the audit log keeps what happened); fires the events
 * of its page, section, tags, front, feeds, sitemaps (and nav when its
 * section empties). Inside store_tx_begin/commit. Returns GZ_OK,
 * GZ_ENOTFOUND or a mapped error. */
int store_article_delete(struct store *st, int64_t id);
/* Counts for the dashboard, at now: pending comments, drafts submitted
 * for review, scheduled articles not yet due, articles published. */
struct store_dashboard_counts {
	int64_t comments_pending;
	int64_t in_review;
	int64_t scheduled;
	int64_t published;
};
int store_dashboard_counts(struct store *st, int64_t now,
			   struct store_dashboard_counts *out);

/* ---- revisions (revision.c) --------------------------------------------- */

/* An article as one save left it. */
struct store_revision {
	int64_t id;
	int64_t article_id;
	int64_t created_at;
	const char *actor;    /* "admin:ann", "import", "cli:root" */
	const char *note;     /* "" or "restore of revision 12", "publish" */
	const char *headline;
	const char *summary;
	const char *body;     /* "" in store_revision_list */
	const char *byline;
	const char *dateline;
	const char *section;  /* section name, "" when none */
	const char *lang;
	const char *tags;     /* tag names, ", " between */
	const char *authors;  /* author names, ", " between */
	const char *slug;
	enum store_status status;
	int64_t published_at;
	bool body_trusted;    /* schema 11: as store_article's */
	/* Schema 12: the lead image's media id at the save, 0 for none. The
	 * photo may have been deleted since (no foreign key: history keeps
	 * the id); media ids are never reused (schema 13). */
	int64_t image_id;
};
/* Article id's revisions, newest first, without bodies. Output: *items
 * (pool), *n. Returns GZ_OK or a mapped error (no article: none). */
int store_revision_list(struct store *st, struct pool *pool,
			int64_t article_id, struct store_revision **items,
			size_t *n);
/* The id of article_id's newest revision into *id (0: none, or no such
 * article): what the editor's form remembers, so that a save over a
 * newer one is refused (store_article_input.expect_revision). Returns
 * GZ_OK or a mapped error. */
int store_revision_newest(struct store *st, int64_t article_id, int64_t *id);
/* Reads revision id, body included. Returns GZ_OK, GZ_ENOTFOUND or a
 * mapped error. */
int store_revision_get(struct store *st, struct pool *pool, int64_t id,
		       struct store_revision *out);

/* ---- photos (media.c, schema 12) ---------------------------------------- */

#define STORE_IMAGE_NONE (-1)

/* What an import or an upload hands the store to record an image whose
 * variant files are already written (media_ingest's media_info). */
struct store_media_input {
	const char *hash;
	const char *format;
	int width, height;
	int64_t bytes;
	const int *widths;
	size_t nwidths;
	bool avif;
	const char *alt;      /* required ("" is GZ_EINVAL) unless decorative */
	bool decorative;
	const char *caption;  /* NULL or "" for none */
	const char *credit;
	const char *actor;
};
/* Records an image, or finds the one with the same hash (the same bytes
 * uploaded again: its alt, caption and credit are left as they are).
 * Output: *id, *created. Inside store_tx_begin/commit or on its own.
 * Returns GZ_OK, GZ_EINVAL (no alt and not decorative, a text over
 * GZ_LIMIT_MEDIA_TEXT_BYTES, or with a character utf8_find_line_control
 * finds), GZ_EDB. */
int store_media_add(struct store *st, const struct store_media_input *in,
		    int64_t *id, bool *created);
/* Reads image id (uses counted). Returns GZ_OK, GZ_ENOTFOUND or a mapped
 * error. */
int store_media_get(struct store *st, struct pool *pool, int64_t id,
		    struct store_media *out);
/* As store_media_get, without counting the uses (out->uses is 0): for a
 * caller that shows the photo, not its library entry. */
int store_media_get_lite(struct store *st, struct pool *pool, int64_t id,
			 struct store_media *out);
/* Whether image id exists, on the calling thread's reader: GZ_OK,
 * GZ_ENOTFOUND or a mapped error. */
int store_media_exists(struct store *st, int64_t id);
/* The library, newest first, limit from offset; search (NULL or "")
 * matches alt, caption and credit, case-insensitively. Output: *items
 * (pool), *n, *total (all that match). */
int store_media_list(struct store *st, struct pool *pool, const char *search,
		     size_t limit, size_t offset, struct store_media **items,
		     size_t *n, size_t *total);
/* Changes an image's words and focal point (focal_x, focal_y clamped to
 * 0..1000) and invalidates the pages that show it (change events).
 * Inside store_tx_begin/commit or on its own. Returns GZ_OK,
 * GZ_EINVAL (as store_media_add), GZ_ENOTFOUND or GZ_EDB. */
int store_media_update(struct store *st, int64_t id, const char *alt,
		       bool decorative, const char *caption, const char *credit,
		       int focal_x, int focal_y);
/* Deletes image id's row; its files are the caller's to remove once
 * this has committed and store_media_hash_used says no row names them.
 * Inside store_tx_begin/commit or on its own. Returns GZ_OK,
 * GZ_ENOTFOUND, GZ_EBUSY (an article uses it, as its lead image or in
 * its body's "/media/<ab>/<hash>-": nothing deleted) or GZ_EDB. */
int store_media_delete(struct store *st, int64_t id);
/* Whether a media row has hash (read on the calling thread's reader, so
 * after a delete's commit it sees the delete). Output: *used (true on
 * an error). Returns GZ_OK or a mapped error. */
int store_media_hash_used(struct store *st, const char *hash, bool *used);
/* The articles using image id, as their lead image or inline in the
 * body, newest first (last changed), at most limit, of any status.
 * Output: *items (pool; id, headline, slug, status filled, other
 * strings ""), *n. */
int store_media_uses(struct store *st, struct pool *pool, int64_t id,
		     size_t limit, struct store_article **items, size_t *n);

/* ---- corrections (correction.c) ----------------------------------------- */

/* A correction appended to a published article: when, and what was
 * wrong. Shown on the article, in its JSON-LD, at /corrections. */
struct store_correction {
	int64_t id;
	int64_t article_id;
	int64_t created_at;
	const char *text;     /* plain text, what was wrong and what is right */
	const char *actor;
	/* store_correction_recent only ("" elsewhere): the article's */
	const char *article_headline;
	const char *article_slug;
};
/* Appends a correction (text: UTF-8, 1 to GZ_LIMIT_CORRECTION_BYTES,
 * not blank) to article id, by actor at at; fires "article:ID", "front",
 * "feeds" and "corrections". Inside store_tx_begin/commit. Output: *id.
 * Returns GZ_OK, GZ_ENOTFOUND (no article), GZ_EINVAL or a mapped error. */
int store_correction_add(struct store *st, int64_t article_id,
			 const char *text, const char *actor, int64_t at,
			 int64_t *id);
/* Article id's corrections, oldest first. Output: *items (pool), *n. */
int store_correction_list(struct store *st, struct pool *pool,
			  int64_t article_id, struct store_correction **items,
			  size_t *n);
/* The corrections of articles visible at now, newest first, limit from
 * offset. Output: *items (pool), *n, *total when not NULL. */
int store_correction_recent(struct store *st, struct pool *pool, int64_t now,
			    size_t limit, size_t offset,
			    struct store_correction **items, size_t *n,
			    size_t *total);

/* ---- staff accounts (user.c) -------------------------------------------- */

enum store_role {
	STORE_ROLE_ADMIN = 0, /* everything */
	STORE_ROLE_EDITOR,    /* every article, publishing, corrections, comments */
	STORE_ROLE_WRITER,    /* own drafts, submitted for review */
	STORE_ROLE_MODERATOR, /* comments only */
};
/* "admin", "editor", "writer", "moderator"; NULL past the enum. */
const char *store_role_name(enum store_role role);
/* The role named s. Returns GZ_OK or GZ_EINVAL. */
int store_role_parse(const char *s, enum store_role *out);

/* The most bytes of a TOTP secret (RFC 4226 recommends 20). */
#define STORE_TOTP_SECRET_MAX 64

struct store_user {
	int64_t id;
	const char *name;          /* sign-in name: 1-32 of [a-z0-9._-] */
	const char *display_name;  /* "" when none */
	enum store_role role;
	const char *password_hash; /* crypto_pwhash_str's text */
	unsigned char totp_secret[STORE_TOTP_SECRET_MAX];
	size_t totp_secret_len;    /* 0: no second factor enrolled */
	int64_t totp_last_step;    /* the last TOTP step accepted */
	bool must_change_password; /* a one-time password (init, reset) */
	int64_t created_at;
	int64_t last_signin_at;    /* 0: never */
};
/* True when name is a valid sign-in name. */
bool store_user_name_ok(const char *name);
/* Adds user in (name, display_name, role, password_hash,
 * must_change_password; the rest ignored) at created_at = now. Inside
 * store_tx_begin/commit. Output: *id. Returns GZ_OK, GZ_EEXIST (the name
 * is taken), GZ_EINVAL (bad name, display name over 128 bytes or not
 * UTF-8, empty hash) or a mapped error. */
int store_user_add(struct store *st, const struct store_user *in,
		   int64_t *id);
/* Reads user id / the user called name. Strings in pool. Returns GZ_OK,
 * GZ_ENOTFOUND or a mapped error. */
int store_user_get(struct store *st, struct pool *pool, int64_t id,
		   struct store_user *out);
int store_user_by_name(struct store *st, struct pool *pool, const char *name,
		       struct store_user *out);
/* Every user by name (password hashes and TOTP secrets not filled:
 * password_hash is "", totp_secret zeros, but totp_secret_len tells
 * whether a second factor is enrolled). Output: *items (pool), *n. */
int store_user_list(struct store *st, struct pool *pool,
		    struct store_user **items, size_t *n);
/* Each inside store_tx_begin/commit, GZ_ENOTFOUND when no user id:
 * the password hash and whether it must be changed at next sign-in; */
int store_user_password_set(struct store *st, int64_t id, const char *hash,
			    bool must_change);
/* the role: GZ_EFORBIDDEN when it would leave no admin; */
int store_user_role_set(struct store *st, int64_t id, enum store_role role);
/* the display name; */
int store_user_display_set(struct store *st, int64_t id, const char *name);
/* the TOTP secret (len 0 removes it, with the recovery codes), its last
 * step reset to 0; */
int store_user_totp_set(struct store *st, int64_t id,
			const unsigned char *secret, size_t len);
/* the last TOTP step used: GZ_EEXIST when step is not after the stored
 * one (a code replayed), so a code works once; */
int store_user_totp_step(struct store *st, int64_t id, int64_t step);
/* the time of a successful sign-in; */
int store_user_signin_at(struct store *st, int64_t id, int64_t at);
/* removes the user and their sessions and recovery codes (their
 * articles keep owner_id, the audit log their name): GZ_EFORBIDDEN when
 * it is the last admin. */
int store_user_remove(struct store *st, int64_t id);
/* Counts users (any role). */
int store_user_count(struct store *st, int64_t *n);

/* Recovery codes, kept as 32-byte hashes (admin_recovery_hash). Replaces
 * user id's codes with hashes[0..n) (inside a transaction). */
int store_recovery_set(struct store *st, int64_t user_id,
		       const unsigned char (*hashes)[32], size_t n);
/* Spends the code whose hash is given (inside a transaction). Returns
 * GZ_OK or GZ_ENOTFOUND (no such unspent code). */
int store_recovery_use(struct store *st, int64_t user_id,
		       const unsigned char hash[32]);
/* Counts user id's unspent codes. */
int store_recovery_count(struct store *st, int64_t user_id, int64_t *n);

/* ---- sessions (session.c) ----------------------------------------------- */

/* A signed-in browser. The store keeps only a hash of the session id. */
struct store_session {
	int64_t user_id;
	int64_t created_at;
	int64_t seen_at;       /* last request (updated at most once a minute) */
	int64_t expires_at;    /* absolute: created_at + the session lifetime */
	bool second_factor;    /* passed TOTP, or none was asked */
	const char *ip;        /* where it signed in */
	struct store_user user; /* the account, as store_user_get reads it */
};
/* Stores a new session (inside a transaction). Returns GZ_OK, GZ_EEXIST
 * (the hash is taken: never, with 256-bit ids), GZ_ENOTFOUND (no user)
 * or a mapped error. */
int store_session_add(struct store *st, const unsigned char hash[32],
		      int64_t user_id, int64_t created_at, int64_t expires_at,
		      bool second_factor, const char *ip);
/* Reads the session whose id hashes to hash, with its user, on the
 * calling thread's reader. Returns GZ_OK, GZ_ENOTFOUND or a mapped
 * error. Expiry is the caller's to judge (admin_session_live). */
int store_session_get(struct store *st, struct pool *pool,
		      const unsigned char hash[32], struct store_session *out);
/* Each inside a transaction: sets seen_at; marks the second factor
 * passed; deletes one session; deletes every session of user_id but the
 * one hashing to keep (NULL: all); deletes sessions expired at now or
 * idle since before idle_before. GZ_OK even when nothing matched. */
int store_session_touch(struct store *st, const unsigned char hash[32],
			int64_t seen_at);
int store_session_factor_set(struct store *st, const unsigned char hash[32]);
int store_session_delete(struct store *st, const unsigned char hash[32]);
int store_session_delete_user(struct store *st, int64_t user_id,
			      const unsigned char *keep);
int store_session_purge(struct store *st, int64_t now, int64_t idle_before);

/* ---- the audit log (audit.c) -------------------------------------------- */

/* One thing a person did. */
struct store_audit {
	int64_t id;
	int64_t at;
	const char *actor;  /* "admin:ann", "cli:root", "reader" */
	const char *action; /* "signin", "signin-failed", "signout", "publish",
			       "edit", "delete", "approve", "user-add", ... */
	const char *object; /* "article:12", "comment:5", "user:bob", "" */
	const char *detail; /* "" or a few words */
	const char *ip;     /* "" when not from the web */
};
/* Appends an entry (actor and action non-empty; each string UTF-8 and at
 * most 512 bytes, longer ones cut at a character). Inside
 * store_tx_begin/commit. Returns GZ_OK, GZ_EINVAL or a mapped error. */
int store_audit_add(struct store *st, const char *actor, const char *action,
		    const char *object, const char *detail, const char *ip,
		    int64_t at);
struct store_audit_filter {
	const char *actor;    /* NULL: anyone */
	const char *object;   /* NULL: anything ("article:12") */
	int64_t before_id;    /* 0: newest; else the entries after the one
				 with this id (the previous page's last,
				 of either kind) */
	size_t limit;         /* 0: 100; at most 1000 */
};
/* The log newest first: audit entries and the comments' moderation log
 * (store_comment_set_status / delete, shown as actor, action,
 * "comment:ID", detail) merged by time. Output: *items (pool), *n.
 * Moderation entries have negative ids (their own id negated); the
 * merged page is by time, audit entries before moderation entries of
 * the same second, and a before_id of either sign pages on from that
 * entry without repeating or skipping one (a before_id that names no
 * entry gives an empty page). Returns GZ_OK or a mapped error. */
int store_audit_list(struct store *st, struct pool *pool,
		     const struct store_audit_filter *f,
		     struct store_audit **items, size_t *n);

/* ---- site settings (setting.c) ------------------------------------------ */

/* Settings an admin changed in the browser, over gazette.conf's: keys
 * as "section.key" ("site.title", "comments.hold_words"), values as
 * config_set takes them. */
struct store_setting {
	const char *key;
	const char *value;
};
/* Every setting, by key. Output: *items (pool), *n. */
int store_setting_list(struct store *st, struct pool *pool,
		       struct store_setting **items, size_t *n);
/* Sets key to value (both UTF-8, key at most 64 bytes, value at most
 * GZ_LIMIT_CONFIG_BYTES), or removes it when value is NULL; fires
 * "settings". Inside a transaction. Returns GZ_OK, GZ_EINVAL or a mapped
 * error. */
int store_setting_put(struct store *st, const char *key, const char *value);

/* For /healthz: runs a query on the calling thread's connection, and
 * checks that the database file is still at its path (not deleted or
 * renamed under the server). Returns GZ_OK, GZ_EIO (the file is gone),
 * or the query's error (GZ_EDB, GZ_EBUSY). */
int store_ping(struct store *st);

/* ---- limits shared by every node (limit.c, schema 15) ------------------- */

/* Keys of limits and spent sign-in tokens: 16 to 32 bytes, a keyed hash
 * the caller makes (site/limits.c), never an address or a name. */
#define STORE_LIMIT_KEY_MIN 16u
#define STORE_LIMIT_KEY_MAX 32u

/* Counts the hits of (scope, key) inside the window of window seconds
 * that ends at now (at > now - window; a hit after now, the clock
 * stepped back, counts) and, when fewer than max, records one at now,
 * kept until now + window: *allowed true. Else records nothing,
 * *allowed false and *oldest (may be NULL) the oldest hit counted, from
 * which the caller tells how long to wait. Check and record are one
 * write transaction, which on PostgreSQL holds the store's advisory
 * write lock: two nodes racing for the max-th hit cannot both get it.
 * On its own or inside the caller's transaction. Returns GZ_OK,
 * GZ_EINVAL (a key not 16 to 32 bytes, window < 1) or a mapped error;
 * on error *allowed is false. */
int store_limit_take(struct store *st, int scope, const unsigned char *key,
		     size_t keylen, int64_t now, int64_t window, unsigned max,
		     bool *allowed, int64_t *oldest);
/* The hits of (scope, key) in the window ending at now, recording
 * nothing, on the calling thread's reader. Output: *count, and *oldest
 * (may be NULL: the oldest counted, 0 when none). Returns GZ_OK,
 * GZ_EINVAL or a mapped error. */
int store_limit_count(struct store *st, int scope, const unsigned char *key,
		      size_t keylen, int64_t now, int64_t window,
		      unsigned *count, int64_t *oldest);
/* Takes back the newest hit of (scope, key) (a try that turned out not
 * to be a failure); clears every hit of it. On their own or inside the
 * caller's transaction. GZ_OK even when there was none; GZ_EINVAL or a
 * mapped error. */
int store_limit_forgive(struct store *st, int scope, const unsigned char *key,
			size_t keylen);
int store_limit_clear(struct store *st, int scope, const unsigned char *key,
		      size_t keylen);
/* Forgets hits and spent sign-in tokens whose time ran out at now (hits
 * past their window count for nothing; a token past its expiry is
 * refused anyway). Inside a transaction. Returns GZ_OK or a mapped
 * error. */
int store_limit_purge(struct store *st, int64_t now);
/* Spends the sign-in token whose hash is hash (16 to 32 bytes), good
 * until expires: GZ_OK the first time, GZ_EEXIST when any node spent it
 * already. On its own or inside the caller's transaction. Else
 * GZ_EINVAL or a mapped error. */
int store_login_spend(struct store *st, const unsigned char *hash,
		      size_t len, int64_t expires);
/* Whether that token was spent and its expiry is after now, on the
 * calling thread's reader. Output: *spent (true on error too). Returns
 * GZ_OK, GZ_EINVAL or a mapped error. */
int store_login_spent(struct store *st, const unsigned char *hash,
		      size_t len, int64_t now, bool *spent);
/* True when st is on PostgreSQL: a database other nodes may share, so
 * the limits above must be used rather than one process's memory. */
bool store_is_shared(const struct store *st);

#endif
