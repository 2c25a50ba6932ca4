/*
 * site_int.h - what the page handlers in site/ share: the context's
 * layout, the common parts of every view model, and URL building.
 * No other module includes this file.
 */
#ifndef GZ_SITE_INT_H
#define GZ_SITE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "admin/admin.h"
#include "comments/comments.h"
#include "http/http.h"
#include "render/render.h"
#include "store/store.h"

struct config;

/* A splice marker: "gz" and 32 random hex digits, nothing an escaper
 * changes. */
#define SITE_SPLICE_MAX 40

/* What a reload (SIGHUP) replaces: the config and the theme, and what is
 * derived from the theme. Immutable once published. The site holds one
 * reference to the current one and every handler call another, so a
 * reload frees the old one only when the last request reading it is
 * done. */
struct site_snap {
	atomic_uint refs;
	const struct config *cfg;
	struct config *cfg_owned; /* cfg when the snapshot owns it, or NULL */
	struct render_theme *theme;
	const char *stylesheet; /* fingerprinted URL of style.css */
	/* The comment intake for cfg's [comments] when they differ from
	 * those the site started with (the admin's settings changed them),
	 * owned; NULL: the root's. Its keys are the root's (one secret), so
	 * a challenge made under one is answered under the other; its rate
	 * limits start empty. */
	struct comments *comments;
};

/*
 * The site as a handler sees it. The long-lived one (root) is made by
 * site_new; each handler call gets a copy on its stack whose cfg, theme
 * and stylesheet are those of the snapshot the call holds, so a reload
 * between two reads of one request cannot mix two configs. The root's
 * own cfg, theme and stylesheet are NULL. Anything that outlives the call
 * (a cached page's fill context) must take root, never the copy.
 */
struct site_route;
struct site {
	const struct config *cfg;
	struct store *store;
	struct render_theme *theme;
	struct comments *comments; /* intake state: the rate limiter */
	struct admin *admin;       /* the newsroom: hashing, throttles, CSRF */
	/* On a shared database (PostgreSQL): the rate limits, throttles
	 * and spent sign-in tokens comments and admin keep there
	 * (limits.c); NULL on SQLite, where they keep them in memory. */
	struct site_limits *limits;
	/* The newsroom's photo uploads: decoded and resized on a thread
	 * of their own (admin_upload.c). */
	struct site_worker *media_worker;
	struct site *root;         /* the long-lived site */
	/* Where the per-response challenge goes in a rendered page: random
	 * for each server start, so no reader's text can name them. */
	char splice_question[SITE_SPLICE_MAX];
	char splice_spoken[SITE_SPLICE_MAX];
	char splice_token[SITE_SPLICE_MAX];
	const char *stylesheet; /* fingerprinted URL of style.css */
	size_t token_len; /* every challenge token has this length */
	/* Root only: the current snapshot, swapped under snap_lock. */
	pthread_mutex_t snap_lock;
	struct site_snap *snap;
	struct site_route *routes; /* what site_routes_add registered */
};

/* ---- limits shared by every node (limits.c) ----------------------------- */

struct site_limits;
struct gz_limiter;
/* Makes the store-backed limiter of st, its keys derived from
 * secret_hex (64 hex digits: gazette.conf's secret, the same on every
 * node). Returns GZ_OK, GZ_EINVAL (a bad secret), GZ_EIO or GZ_ENOMEM.
 * Caller frees with site_limits_free, after everything it was given to. */
int site_limits_new(struct store *st, const char *secret_hex,
		    struct site_limits **out);
/* The limiter to install (comments_limiter_set, admin_limiter_set);
 * NULL for NULL. Valid until site_limits_free. */
const struct gz_limiter *site_limits_limiter(const struct site_limits *l);
void site_limits_free(struct site_limits *l);

/* Takes a reference to site's current snapshot (root's). Release it with
 * site_snap_put. */
struct site_snap *site_snap_get(struct site *site);
/* Drops a reference; the last one frees the snapshot. */
void site_snap_put(struct site_snap *snap);
/* Fills view, owned by the caller, as a copy of site whose config and
 * theme are snap's (see struct site). */
void site_view_of(struct site *site, const struct site_snap *snap,
		  struct site *view);

/* A comment form shown again: what the reader typed, and what to fix. */
struct site_comment_form {
	const char *name, *email, *body;
	int64_t parent_id;
	const char *field;   /* the field the message is about, or NULL */
	const char *message; /* one sentence, or NULL */
	const char *notice;  /* e.g. "awaiting moderation", or NULL */
	bool backdate;       /* the new question may be answered at once */
};

/* Every name a template may use; the theme is checked against it at load
 * (view.c). */
extern const char *const site_view_names[];

/* Starts a page's view model with what every page has: site title and
 * language, page title, description, canonical link, stylesheet, section
 * navigation (current_section marked), footer links (the newsroom's
 * pages), year. canonical_path may be NULL. Returns NULL with *rc the
 * reason: GZ_ENOMEM, or the store's error when the sections or pages
 * could not be read (GZ_EBUSY while the database is away: 503, not a
 * 500 "out of memory"); else *rc is GZ_OK. */
struct render_val *site_view_page(struct site *site, struct http_req *req,
				  const char *page_title,
				  const char *description,
				  const char *canonical_path,
				  const char *current_section, int *rc);
/* Sets "feeds" on a page's view: the alternate links of its head, the
 * feeds of prefix ("/section/city", named name) first when prefix is not
 * NULL, then the site's. Returns GZ_OK or GZ_ENOMEM. */
int site_view_feeds(struct pool *pool, struct render_val *view,
		    const char *prefix, const char *name);
/* Sets "masthead_date" (today in the site zone, at now) on the front
 * page's view. Returns GZ_OK or GZ_ENOMEM. */
int site_view_masthead_date(struct pool *pool, struct render_val *view,
			    int64_t now);
/* Sets "pagination" on a listing's view when it has pages > 1: page 1
 * is base itself, page k is base?page=k. Returns GZ_OK or GZ_ENOMEM. */
int site_view_pagination(struct pool *pool, struct render_val *view,
			 const char *base, uint64_t page, uint64_t pages);
/* An article card for listings. Returns NULL when out of memory. */
struct render_val *site_view_card(struct site *site, struct pool *pool,
				  const struct store_article *a);
/* A list of cards. */
struct render_val *site_view_cards(struct site *site, struct pool *pool,
				   const struct store_article *items, size_t n);

/* ---- photos on the page (view_image.c) ---------------------------------- */

/* Where a picture stands; each has its own sizes, loading and alt. */
enum site_image_use {
	SITE_IMAGE_ARTICLE,    /* the article's lead figure: eager, its alt */
	SITE_IMAGE_FRONT_LEAD, /* the front page's lead story: eager, alt "" */
	SITE_IMAGE_CARD,       /* a card's thumbnail: lazy, alt "" */
	SITE_IMAGE_CARD_EAGER, /* a card above the fold: eager, alt "" */
};
/* The view of m the "picture" partial renders: src (the fallback-format
 * variant nearest 960 wide), srcset, srcset_webp (when the fallback is
 * not WebP), srcset_avif (when m has AVIF and the site serves it),
 * sizes, width, height (the original's), alt, decorative, caption,
 * credit, img_class (with the focal classes on crops), lazy. NULL when
 * out of memory. */
struct render_val *site_view_image(struct site *site, struct pool *pool,
				   const struct store_media *m,
				   enum site_image_use use);
/* The cards of a listing's items, as site_view_cards makes them, but for
 * the first card with a photo, whose thumbnail is the first a reader
 * sees: SITE_IMAGE_CARD_EAGER, fetched at once (a lazy image above the
 * fold is fetched late, and is what the page's largest paint waits
 * for). NULL when out of memory. */
struct render_val *site_view_cards_eager(struct site *site, struct pool *pool,
					 const struct store_article *items,
					 size_t n);
/* The head's share picture of m: url (absolute; the JPEG or PNG variant
 * at most MEDIA_SHARE_WIDTH wide), width, height, alt ("" when decorative). NULL when
 * out of memory. */
struct render_val *site_view_og_image(struct site *site, struct pool *pool,
				      const struct store_media *m);
/* The format m's non-WebP variants are in: its own when "jpeg" or
 * "png", else "webp" (a WebP or AVIF original). Static. */
const char *site_image_ext(const struct store_media *m);
/* The variant width nearest want (the wider on a tie). */
int site_image_nearest(const struct store_media *m, int want);
/* The widest variant at most max wide; the narrowest when all are
 * wider. */
int site_image_at_most(const struct store_media *m, int max);
/* The height of m's variant at width, rounded as the resize does. */
int site_image_height(const struct store_media *m, int width);
/* "/media/ab/<hash>-<width>.<ext>", in pool; NULL when out of memory. */
const char *site_image_path(struct pool *pool, const struct store_media *m,
			    int width, const char *ext);
/* "/media/ab/h-320.webp 320w, /media/ab/h-640.webp 640w, ..." of every
 * variant in ext, in pool; NULL when out of memory. */
const char *site_image_srcset(struct pool *pool, const struct store_media *m,
			      const char *ext);
/* The classes of m's focal point, rounded to tenths: "fx3 fy7" into
 * out[0..size) (16 bytes are enough). */
void site_image_focal(const struct store_media *m, char *out, size_t size);
/* Checks the route's two segments of /media/<dir>/<file> (media_files.c):
 * true only for the exact name media_variant_name makes, which goes into
 * name (MEDIA_NAME_MAX bytes) with *ext pointing at file's extension. */
bool site_media_name_parse(const char *dir, const char *file, char *name,
			   const char **ext);

/* "/news/12/council-approves" with the slug percent-encoded; the id stands
 * in for an empty slug. In the pool; NULL when out of memory. */
const char *site_url_article(struct pool *pool, const struct store_article *a);
/* The slug in an article's URL (the id when the slug is empty). */
const char *site_article_slug(struct pool *pool, const struct store_article *a);
/* prefix + percent-encoded slug, e.g. ("/section/", "city"). */
const char *site_url_slug(struct pool *pool, const char *prefix,
			  const char *slug);

/* An empty list of query names: for http_req_query_only, a page that
 * takes no query is cached only when it has none (a query string must
 * not make a new cache entry per value). */
extern const char *const site_no_query[];

/* Lets the page cache keep resp (http_resp_cache_key) until the
 * navigation, key (when not NULL: "front", "section:city") or one of the
 * n articles whose cards it shows changes. Call it once per list of
 * cards. A page past the cache's key limit is simply not cached. Returns
 * GZ_OK or GZ_ENOMEM. */
int site_cache_keys(struct http_resp *resp, struct pool *pool, const char *key,
		    const struct store_article *cards, size_t n);

/* Renders template tpl with view into resp as HTML. Returns GZ_OK or an
 * error. */
int site_render(struct site *site, struct http_resp *resp, const char *tpl,
		const struct render_val *view);

/* Now, in UTC seconds: what is published is what is visible now. */
int64_t site_now(void);

/* The article page for a, with its comments; form is NULL except when a
 * submission is shown again (comments.c). */
int site_article_page(struct site *site, struct http_req *req,
		      struct http_resp *resp, const struct store_article *a,
		      const struct site_comment_form *form);
/* a's body as HTML: the stored HTML when the renderer of today made it,
 * else rendered now (article.c). In pool; NULL with *rc set on error. */
const char *site_article_html(struct pool *pool, const struct store_article *a,
			      int *rc);
/* True while a takes comments at now. */
bool site_comments_open(const struct site *site,
			const struct store_article *a, int64_t now);
/* Longest spoken question, "What is 9 minus 9?", padded to this. */
#define SITE_SPOKEN_WIDTH 18

/* Longest question, "9 x 9 =", padded to this. */
#define SITE_QUESTION_WIDTH 12

/* Adds "comments" (one page of threads, count, pager, form) to an
 * article's view; the page is ?comments=N, or the one holding the comment
 * ?comment=ID names. The form's challenge is left as the site's splice
 * markers, for site_challenge_slots, or, when site_challenge_esi, is
 * its fragment's URL (esi_include). Output: *has_form. Returns GZ_OK,
 * GZ_ENOTFOUND (a comment page past the last) or GZ_ENOMEM. */
int site_comments_view(struct site *site, struct http_req *req,
		       const struct store_article *a, const char *article_url,
		       struct render_val *view,
		       const struct site_comment_form *form, bool *has_form);
/* Turns the challenge markers in a rendered article page into slots that
 * every response fills with its own question and token for article id
 * (dated back by the minimum fill time when backdate is set). */
int site_challenge_slots(struct site *site, struct http_resp *resp,
			 int64_t article_id, bool backdate);
/* True when the article page answering form (NULL: no submission)
 * leaves its challenge to an ESI edge ([edge] esi): an <esi:include> of
 * site_url_challenge instead of the challenge partial, so the page holds
 * no per-reader bytes. A form shown again after a mistake is made whole
 * here, with the reader's text kept. */
bool site_challenge_esi(const struct site *site,
			const struct site_comment_form *form);
/* The fragment URL of article id's challenge, /news/ID/comments/challenge,
 * in pool; NULL when out of memory. */
const char *site_url_challenge(struct pool *pool, int64_t id);
/* GET /news/{id}/comments/challenge: the challenge partial alone, with a
 * fresh question and token every response, never stored by a shared
 * cache; GZ_ENOTFOUND for an article not published or not taking
 * comments. */
int site_challenge(void *ctx, struct http_req *req, struct http_resp *resp);
/* The http_fill_fn of those slots (ctx: the site). */
void site_challenge_fill(void *ctx, int64_t arg, char *const *out,
			 const size_t *len, size_t n);
/* The URL of the comment page showing comment id of a (its permalink
 * without the fragment): article_url?comment=ID. In pool. */
const char *site_url_comment(struct pool *pool, const char *article_url,
			     int64_t id);

/* A feed entry's author: a name, and their page (NULL when none). */
struct site_feed_author {
	const char *name;
	const char *url;
};

/* An article as a feed entry (feed_build.c). URLs are absolute. */
struct site_feed_item {
	const char *id;           /* permanent: base_url/news/ID */
	const char *url;          /* the article's page */
	const char *title;
	const char *summary;      /* "" when none */
	const char *content_html; /* absolute links; NULL: summary only */
	const struct site_feed_author *authors; /* in byline order */
	size_t nauthors;
	const char *lang;
	const char *const *categories; /* section and tag names */
	size_t ncategories;
	int64_t published;
	int64_t modified;
	/* The lead photo as an enclosure, or image_url NULL: absolute URL
	 * of the variant (JPEG or PNG, at most MEDIA_SHARE_WIDTH wide), its MIME type,
	 * its file's size in bytes, its size in pixels, and a title (the
	 * caption, else the alt; "" when neither). */
	const char *image_url;
	const char *image_type;
	int64_t image_length;
	int image_width, image_height;
	const char *image_title;
};

/* A feed: who publishes it, where it lives, its entries newest first. */
struct site_feed {
	const char *title;
	const char *description;
	const char *lang;
	const char *publisher;     /* the site's title: the feed's author */
	const char *home_url;      /* base_url + "/" */
	const char *alternate_url; /* the page the feed follows */
	const char *self_url;      /* this feed, in this format */
	int64_t updated;
	const struct site_feed_item *items;
	size_t n;
};

/* Each appends feed f to out: Atom 1.0, RSS 2.0 or JSON Feed 1.1.
 * Returns GZ_OK, GZ_ENOMEM or out's error (GZ_ETOOBIG past its max). */
int site_feed_atom(struct buf *out, const struct site_feed *f);
int site_feed_rss(struct buf *out, const struct site_feed *f);
int site_feed_json(struct buf *out, const struct site_feed *f);
/* Appends html to out with every root-relative href="/..." and
 * src="/..." made absolute by base (base_url, no trailing '/'). */
int site_feed_absolute(struct buf *out, const char *html, const char *base);

/* The JSON-LD of a's page (jsonld.c): a NewsArticle and its
 * BreadcrumbList, with '<', '>' and '&' \u-escaped so that it can stand
 * in a <script> element. Output: *out, in pool. Returns GZ_OK or
 * GZ_ENOMEM. */
int site_jsonld_article(struct site *site, struct pool *pool,
			const struct store_article *a, const char *canonical,
			const char *description, const char **out);
/* Up to max bytes of html's text (tags dropped, entities decoded, spaces
 * folded), cut at a word with "…" when longer. In pool; NULL when out of
 * memory. */
const char *site_text_excerpt(struct pool *pool, const char *html,
			      size_t max);

/* Builds the FTS5 query for what a reader typed, q (valid UTF-8), into
 * out (search_query.c): each word or "phrase" quoted, a trailing * a
 * prefix, every other character plain text. Output: *terms (kept),
 * *cut (true when words or bytes past the limits were dropped). Returns
 * GZ_OK, GZ_ENOTFOUND (nothing to search for) or out's error. */
int site_search_query(struct buf *out, const char *q, size_t *terms,
		      bool *cut);

/* text (a store snippet or headline), escaped as HTML, each
 * U+0001...U+0002 run of a match in <mark>, opened and closed in pairs
 * only (search.c). In pool; NULL when out of memory. */
const char *site_search_marked(struct pool *pool, const char *text);
/* Makes resp a JSON error, {"error": {"status", "message"}} (api.c). */
void site_api_error(struct http_resp *resp, int status, const char *message);

/* ---- the newsroom's pages (admin_*.c) ------------------------------------- */

/* The admin's cookie: the session id, Path=/admin, HttpOnly,
 * SameSite=Strict, Secure when base_url is https. */
#define SITE_ADMIN_COOKIE "gz_session"

/* Who is asking, once site_admin_begin let the request through. */
struct site_staff {
	struct store_user user;
	unsigned char session[ADMIN_HASH_BYTES]; /* the session id's hash */
	char csrf[ADMIN_TOKEN_LEN + 1];          /* every form's csrf field */
	const char *actor;  /* "admin:NAME": the store's logs, the audit log */
	const char *ip;     /* the browser's address, as site_admin_ip says */
};

/*
 * The gate of every /admin page but the sign-in ones (admin_gate.c).
 * Marks resp Cache-Control: no-store and X-Robots-Tag: noindex whatever
 * follows. Then:
 * - no cookie, an unknown, expired or idle session, or one whose second
 *   factor is still owed: resp is a 303 to /admin/login?next=PATH (for a
 *   GET; a POST goes to /admin/login and changes nothing), *answered is
 *   true, GZ_OK;
 * - a POST whose Origin (or, without one, Referer) is not the site's, or
 *   whose form's csrf field is not the session's token: GZ_EFORBIDDEN,
 *   nothing changed;
 * - the user's role may not do need: GZ_EFORBIDDEN;
 * - else *answered is false, staff is filled (strings in the request's
 *   pool), the session's seen_at is brought up to date (a write at most
 *   once a minute), GZ_OK: the handler goes on.
 * Other errors are the store's.
 */
int site_admin_begin(struct site *site, struct http_req *req,
		     struct http_resp *resp, enum admin_action need,
		     struct site_staff *staff, bool *answered);
/* POST /admin/media's gate (http_gate_fn, admin_gate.c), on the headers
 * alone: lets in a request whose cookie names a live session, with its
 * second factor, sent from the site's own pages, of an account that owes
 * nothing first and whose role may upload photos; refuses any other as
 * site_admin_begin would answer it (a 303 to sign in, GZ_EFORBIDDEN...),
 * and a declared body over GZ_LIMIT_UPLOAD_BODY_BYTES from one it lets
 * in with a 413 page saying the file is over the limit. Reads only:
 * the handler's site_admin_begin checks the csrf token and notes the
 * session seen. */
int site_admin_upload_gate(void *ctx, struct http_req *req,
			   struct http_resp *resp);
/* True when req's Origin header (or, without one, its Referer) names
 * the site's own origin (base_url's, or the Host the request came to):
 * shared by the comment form and the admin (origin.c). */
bool site_origin_ok(const struct site *site, struct http_req *req);
/* site_origin_ok for the newsroom's POSTs, which also refuses a request
 * with neither header: every browser that can sign in sends Origin with
 * a form's POST, and staff accounts are worth more than a reader's
 * comment (docs/security.md). */
bool site_admin_origin_ok(const struct site *site, struct http_req *req);
/* Starts an admin page's view (admin_view.c): site title, page_title
 * ("TITLE - Newsroom - SITE"), the admin stylesheet, the admin's
 * navigation for staff's role with current marked ("dashboard",
 * "articles", "media", "comments", "users", "settings", "log", "account"), who
 * is signed in, the csrf token, and the notice named by the query's
 * done=CODE (a fixed sentence per code, never the query's text).
 * staff may be NULL (sign-in pages). Returns NULL when out of memory. */
struct render_val *site_admin_view(struct site *site, struct http_req *req,
				   const struct site_staff *staff,
				   const char *title, const char *current);
/* Renders admin template tpl with view into resp as HTML, with the admin
 * headers (no-store, noindex). status 0 is 200; a form shown again with
 * what to fix is 422. Returns GZ_OK or an error. */
int site_admin_render(struct site *site, struct http_resp *resp, int status,
		      const char *tpl, const struct render_val *view);
/* A 303 to path (in the pool) with ?done=code (or &done= when path has
 * a query) after a POST that worked. Returns GZ_OK or GZ_ENOMEM. */
int site_admin_done(struct http_req *req, struct http_resp *resp,
		    const char *path, const char *code);
/* Appends to the audit log what staff did, in its own transaction
 * (handlers that write put their store_audit_add in their own
 * transaction instead, so that the change and its entry land together).
 * Returns GZ_OK or the store's error. */
int site_admin_audit(struct site *site, struct http_req *req,
		     const char *actor, const char *action, const char *object,
		     const char *detail);

/* Ends a handler's write transaction (begun with store_tx_begin): with
 * rc GZ_OK, appends the audit entry (staff's actor and ip; action,
 * object and detail, NULL for "") and commits, so that the change and
 * its entry land together; with any other rc, or when the entry or the
 * commit fails, rolls back. Returns rc, or the entry's or the commit's
 * error (admin_view.c). */
int site_admin_commit(struct site *site, const struct site_staff *staff,
		      int rc, const char *action, const char *object,
		      const char *detail);

/* Handlers (one file each). */
int site_comment_post(void *ctx, struct http_req *req, struct http_resp *resp);
int site_comments_feed(void *ctx, struct http_req *req, struct http_resp *resp);
int site_comments_feed_all(void *ctx, struct http_req *req,
			   struct http_resp *resp);
int site_front(void *ctx, struct http_req *req, struct http_resp *resp);
int site_api_articles(void *ctx, struct http_req *req, struct http_resp *resp);
int site_api_article(void *ctx, struct http_req *req, struct http_resp *resp);
int site_api_sections(void *ctx, struct http_req *req, struct http_resp *resp);
int site_api_tags(void *ctx, struct http_req *req, struct http_resp *resp);
int site_api_authors(void *ctx, struct http_req *req, struct http_resp *resp);
int site_api_search(void *ctx, struct http_req *req, struct http_resp *resp);
int site_page(void *ctx, struct http_req *req, struct http_resp *resp);
int site_author(void *ctx, struct http_req *req, struct http_resp *resp);
int site_archive_index(void *ctx, struct http_req *req, struct http_resp *resp);
int site_archive_month(void *ctx, struct http_req *req, struct http_resp *resp);
int site_favicon(void *ctx, struct http_req *req, struct http_resp *resp);
int site_feed(void *ctx, struct http_req *req, struct http_resp *resp);
int site_search(void *ctx, struct http_req *req, struct http_resp *resp);
int site_robots(void *ctx, struct http_req *req, struct http_resp *resp);
int site_sitemap_index(void *ctx, struct http_req *req, struct http_resp *resp);
int site_sitemap_pages(void *ctx, struct http_req *req, struct http_resp *resp);
int site_sitemap_articles(void *ctx, struct http_req *req,
			  struct http_resp *resp);
int site_sitemap_news(void *ctx, struct http_req *req, struct http_resp *resp);
int site_article(void *ctx, struct http_req *req, struct http_resp *resp);
int site_section(void *ctx, struct http_req *req, struct http_resp *resp);
int site_tag(void *ctx, struct http_req *req, struct http_resp *resp);
int site_static(void *ctx, struct http_req *req, struct http_resp *resp);
int site_media_file(void *ctx, struct http_req *req, struct http_resp *resp);
int site_health(void *ctx, struct http_req *req, struct http_resp *resp);
int site_metrics(void *ctx, struct http_req *req, struct http_resp *resp);

/* The newsroom: sign-in, account, staff and the audit log. */

/* Sets the headers of every admin answer on resp: Cache-Control:
 * no-store, X-Robots-Tag: noindex, X-Frame-Options: DENY (admin_view.c). */
void site_admin_headers(struct http_resp *resp);
/* The browser's address as the sign-in throttle and the audit log count
 * it: behind a trusted proxy ([server] trust_proxy) X-Forwarded-For's
 * last entry, else the peer's. In the pool, or req's; NULL when out of
 * memory. */
const char *site_admin_ip(const struct site *site, struct http_req *req);
/* Where a sign-in goes on to: next itself when it is a local path under
 * /admin (no "//", backslash, control character or dot segment), else
 * "/admin" (admin_gate.c). Never NULL. */
const char *site_admin_next(const char *next);
int site_admin_login(void *ctx, struct http_req *req, struct http_resp *resp);
int site_admin_login_code(void *ctx, struct http_req *req,
			  struct http_resp *resp);
int site_admin_logout(void *ctx, struct http_req *req, struct http_resp *resp);
int site_admin_logout_all(void *ctx, struct http_req *req,
			  struct http_resp *resp);
int site_admin_account(void *ctx, struct http_req *req, struct http_resp *resp);
int site_admin_account_password(void *ctx, struct http_req *req,
				struct http_resp *resp);
int site_admin_totp(void *ctx, struct http_req *req, struct http_resp *resp);
int site_admin_totp_remove(void *ctx, struct http_req *req,
			   struct http_resp *resp);
int site_admin_users(void *ctx, struct http_req *req, struct http_resp *resp);
int site_admin_user(void *ctx, struct http_req *req, struct http_resp *resp);
int site_admin_log(void *ctx, struct http_req *req, struct http_resp *resp);

/* The newsroom: dashboard, articles, revisions, corrections. */

/* site_jsonld_article with a's corrections[0..n) (oldest first) as
 * schema.org "correction"s (CorrectionComment: text, datePublished). */
int site_jsonld_article_corrected(struct site *site, struct pool *pool,
				  const struct store_article *a,
				  const char *canonical,
				  const char *description,
				  const struct store_correction *corrections,
				  size_t ncorrections, const char **out);
/* a's page as readers would see it, with a "Preview" banner, without
 * comments, never cached (no-store, noindex): for the editor's preview
 * of what is typed (a->id may be 0) and the staff link of a story not
 * yet out (article.c). Returns GZ_OK or an error. */
int site_article_preview(struct site *site, struct http_req *req,
			 struct http_resp *resp, const struct store_article *a);
/* What the article pages of the newsroom share (admin_articles.c). */
/* Reads the article the route's {id} (params[0]) names, any status, for
 * staff: GZ_ENOTFOUND (no such article), GZ_EFORBIDDEN (staff reads only
 * their own, ADMIN_ARTICLE_EDIT_ANY lacking, and it is not) or the
 * store's error. Strings in the request's pool. */
int site_admin_article_load(struct site *site, struct http_req *req,
			    const struct site_staff *staff,
			    struct store_article *a);
/* True when a is taken down (STORE_UNPUBLISHED, or a draft with
 * unpublished_at). */
bool site_admin_article_unpublished(const struct store_article *a);
/* True when staff may change a's fields: ADMIN_ARTICLE_EDIT_ANY, or
 * ADMIN_ARTICLE_WRITE_OWN and a is their own draft, never published. */
bool site_admin_article_editable(const struct site_staff *staff,
				 const struct store_article *a);
/* a's status for people ("draft", "in review", "scheduled for May 18,
 * 2021 - 18:31", "published", "unpublished") and for machines and CSS
 * (*key: "draft", "review", "scheduled", "published", "unpublished").
 * In pool; NULL when out of memory. */
const char *site_admin_status_text(struct pool *pool,
				   const struct store_article *a, int64_t now,
				   const char **key);
/* A list of article rows for the admin's tables: headline, url (the
 * editor), status, status_key, section_name, owner (the user's name),
 * updated_human/iso, when_human/iso (published_at), id. NULL when out
 * of memory. */
struct render_val *site_admin_article_rows(struct site *site,
					   struct pool *pool,
					   const struct store_article *items,
					   size_t n, int64_t now);
/* Sets "article_notice" on view: the sentence for the query's done=CODE
 * of the article pages' redirects (a fixed one per code), or nothing.
 * Returns GZ_OK or GZ_ENOMEM. */
int site_admin_article_notice(struct pool *pool, struct http_req *req,
			      struct render_val *view);
/* /corrections and /corrections.atom (corrections.c). */
int site_corrections(void *ctx, struct http_req *req, struct http_resp *resp);
/* GET /admin (admin_dashboard.c). */
int site_admin_dashboard(void *ctx, struct http_req *req,
			 struct http_resp *resp);
/* admin_articles.c: GET /admin/articles, GET /admin/articles/new, POST
 * /admin/articles (create), GET and POST /admin/articles/{id} (the editor,
 * a save), GET /admin/articles/{id}/preview, GET and POST
 * /admin/articles/{id}/delete, POST /admin/articles/{id}/corrections. */
int site_admin_articles(void *ctx, struct http_req *req,
			struct http_resp *resp);
int site_admin_article_new(void *ctx, struct http_req *req,
			   struct http_resp *resp);
int site_admin_article_create(void *ctx, struct http_req *req,
			      struct http_resp *resp);
int site_admin_article_edit(void *ctx, struct http_req *req,
			    struct http_resp *resp);
int site_admin_article_save(void *ctx, struct http_req *req,
			    struct http_resp *resp);
int site_admin_article_preview(void *ctx, struct http_req *req,
			       struct http_resp *resp);
int site_admin_article_delete_ask(void *ctx, struct http_req *req,
				  struct http_resp *resp);
int site_admin_article_delete(void *ctx, struct http_req *req,
			      struct http_resp *resp);
int site_admin_correction_add(void *ctx, struct http_req *req,
			      struct http_resp *resp);
/* admin_revisions.c: GET /admin/articles/{id}/revisions, GET
 * .../revisions/{rev} (the diff with the current article), POST
 * .../revisions/{rev}/restore. */
int site_admin_revisions(void *ctx, struct http_req *req,
			 struct http_resp *resp);
int site_admin_revision(void *ctx, struct http_req *req,
			struct http_resp *resp);
int site_admin_revision_restore(void *ctx, struct http_req *req,
				struct http_resp *resp);

/* The newsroom: moderation and settings. */
/* GET /admin/comments (the queue) and POST (act on comments). */
int site_admin_comments(void *ctx, struct http_req *req,
			struct http_resp *resp);
/* GET /admin/comments/{id}: one comment, its parents and replies. */
int site_admin_comment(void *ctx, struct http_req *req,
		       struct http_resp *resp);
/* GET and POST /admin/settings. */
int site_admin_settings(void *ctx, struct http_req *req,
			struct http_resp *resp);

/* ---- the newsroom's slow work (admin_upload.c) ---------------------------- */

/* Threads that run jobs a server thread must not wait for. */
struct site_worker;
/* One job: caller storage (the request's pool) that stays valid until
 * done has run. */
struct site_job {
	struct site_job *next; /* the queue's link */
	/* The work, on a worker thread; leaves its result in the caller's
	 * struct around the job. */
	void (*run)(struct site_job *job);
	/* Called once: after run on the worker thread; or unrun (ran
	 * false) at once on the submitting thread when the queue is full
	 * or the worker is stopping, or by site_worker_stop for a job that
	 * was waiting; or never, for a job still running when the worker
	 * is freed (abandoned: the server has stopped). Must not block;
	 * typically http_resume. */
	void (*done)(void *ctx);
	void *ctx;
	bool ran;              /* run ran: set before done is called */
	bool stopped;          /* unrun because the worker is stopping (the
				* server is), not because the queue was full */
};
/* Starts threads (1..8) worker threads with room for queue jobs
 * waiting. Returns GZ_OK or GZ_ENOMEM. Caller frees with
 * site_worker_free. */
int site_worker_new(size_t threads, size_t queue, struct site_worker **out);
/* Takes no job any more (each submitted from now on is done at once,
 * unrun and stopped) and does the waiting ones now, unrun and stopped,
 * on this thread. Jobs running go on and are done as usual. Call while
 * the server still runs, so that their answers go out. Does not block;
 * calling it again does nothing more. NULL is a no-op. */
void site_worker_stop(struct site_worker *w);
/* Stops (site_worker_stop), joins the threads and frees w. A job still
 * running is abandoned: its done is never called, and w is freed by its
 * thread when the run ends. NULL is a no-op. */
void site_worker_free(struct site_worker *w);
/* Queues job (w NULL: refused). When it cannot wait, done is called at
 * once with job->ran false. */
void site_worker_submit(struct site_worker *w, struct site_job *job);

/* ---- the newsroom's photos (admin_media.c) -------------------------------- */

/* GET /admin/media (the library) and POST (an upload). */
int site_admin_media(void *ctx, struct http_req *req, struct http_resp *resp);
/* GET and POST /admin/media/{id}: an image's words, focal point, uses. */
int site_admin_media_edit(void *ctx, struct http_req *req,
			  struct http_resp *resp);
/* GET and POST /admin/media/{id}/delete: the confirmation, the delete. */
int site_admin_media_delete(void *ctx, struct http_req *req,
			    struct http_resp *resp);
/* The URL of m's variant at the widest of its widths not over want (the
 * narrowest when all are) in ext ("webp", or m->format's), in pool:
 * "/media/ab/<hash>-320.webp". NULL when out of memory. */
const char *site_media_url(struct pool *pool, const struct store_media *m,
			   int want, const char *ext);

#endif
