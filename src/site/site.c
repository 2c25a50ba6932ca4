/*
 * site.c - the site's context and its routes.
 *
 * The config and the theme a handler reads are a snapshot (struct
 * site_snap in site_int.h) that site_reload replaces on SIGHUP: a handler
 * call holds the snapshot current when it began until it returns, so no
 * request reads a config or theme freed under it, and none sees half of
 * one and half of another.
 */
#include <assert.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "site/site.h"
#include "site/site_int.h"
#include "util/err.h"
#include "util/limits.h"

/* A random marker for out[SITE_SPLICE_MAX]. */
static void
site_splice_marker(char *out)
{
	unsigned char r[16];

	randombytes_buf(r, sizeof(r));
	out[0] = 'g';
	out[1] = 'z';
	sodium_bin2hex(out + 2, SITE_SPLICE_MAX - 2, r, sizeof(r));
}

/* Frees a snapshot and what it owns. */
static void
site_snap_free(struct site_snap *snap)
{
	if (!snap)
		return;
	render_theme_free(snap->theme);
	comments_free(snap->comments);
	if (snap->cfg_owned) {
		config_fini(snap->cfg_owned);
		free(snap->cfg_owned);
	}
	free(snap);
}

/* Makes a snapshot, with one reference, of cfg and the theme loaded from
 * theme_dir. Takes ownership of owned_cfg (cfg itself, or NULL when the
 * caller keeps cfg), on failure too. */
static int
site_snap_new(const struct config *cfg, struct config *owned_cfg,
	      const char *theme_dir, struct site_snap **out, char *err,
	      size_t errlen)
{
	struct site_snap *snap;
	int rc;

	*out = NULL;
	if (!(snap = calloc(1, sizeof(*snap)))) {
		if (owned_cfg) {
			config_fini(owned_cfg);
			free(owned_cfg);
		}
		snprintf(err, errlen, "out of memory");
		return GZ_ENOMEM;
	}
	atomic_init(&snap->refs, 1);
	snap->cfg = cfg;
	snap->cfg_owned = owned_cfg;
	if ((rc = render_theme_load(theme_dir, site_view_names, &snap->theme,
				    err, errlen)) != GZ_OK) {
		site_snap_free(snap);
		return rc;
	}
	snap->stylesheet = render_theme_asset_url(snap->theme, "style.css");
	*out = snap;
	return GZ_OK;
}

struct site_snap *
site_snap_get(struct site *site)
{
	struct site *root = site->root;
	struct site_snap *snap;

	/* Load and count under the lock, so a reload cannot free the
	 * snapshot between the two. Only pages the cache misses get here:
	 * cached pages are answered before routing. */
	pthread_mutex_lock(&root->snap_lock);
	snap = root->snap;
	atomic_fetch_add(&snap->refs, 1);
	pthread_mutex_unlock(&root->snap_lock);
	return snap;
}

void
site_snap_put(struct site_snap *snap)
{
	if (snap && atomic_fetch_sub(&snap->refs, 1) == 1)
		site_snap_free(snap);
}

void
site_view_of(struct site *site, const struct site_snap *snap,
	     struct site *view)
{
	/* Every field but snap (written under snap_lock by a reload) is
	 * fixed once the site serves. */
	struct site *root = site->root;

	memcpy(view, root, offsetof(struct site, snap_lock));
	view->routes = root->routes;
	view->snap = NULL;
	view->cfg = snap->cfg;
	view->theme = snap->theme;
	view->stylesheet = snap->stylesheet;
	if (snap->comments)
		view->comments = snap->comments;
}

int
site_new(const struct config *cfg, struct store *st, const char *theme_dir,
	 struct site **out, char *err, size_t errlen)
{
	struct site *site;
	int rc;

	if (!(site = calloc(1, sizeof(*site))))
		return GZ_ENOMEM;
	if (pthread_mutex_init(&site->snap_lock, NULL) != 0) {
		free(site);
		return GZ_ENOMEM;
	}
	site->root = site;
	site->store = st;
	site_splice_marker(site->splice_question);
	site_splice_marker(site->splice_spoken);
	site_splice_marker(site->splice_token);
	/* Many nodes on one database: the limits live there too, or each
	 * node would give an address its own allowance (issue 16). */
	if (store_is_shared(st) &&
	    (rc = site_limits_new(st, cfg->secret, &site->limits)) != GZ_OK) {
		snprintf(err, errlen, "limits: %s", gz_strerror(rc));
		site_free(site);
		return rc;
	}
	if ((rc = comments_new(&cfg->comments, cfg->secret,
			       &site->comments)) != GZ_OK) {
		snprintf(err, errlen, "comments: %s", gz_strerror(rc));
		site_free(site);
		return rc;
	}
	comments_limiter_set(site->comments, site_limits_limiter(site->limits));
	if ((rc = admin_new(cfg->secret, (enum admin_hash_cost)cfg->admin_hash_cost,
			    &site->admin)) != GZ_OK) {
		snprintf(err, errlen, "admin: %s", gz_strerror(rc));
		site_free(site);
		return rc;
	}
	admin_limiter_set(site->admin, site_limits_limiter(site->limits));
	if ((rc = site_worker_new(GZ_LIMIT_UPLOAD_THREADS,
				  GZ_LIMIT_UPLOAD_QUEUE,
				  &site->media_worker)) != GZ_OK) {
		snprintf(err, errlen, "uploads: %s", gz_strerror(rc));
		site_free(site);
		return rc;
	}
	if ((rc = site_snap_new(cfg, NULL, theme_dir, &site->snap, err,
				errlen)) != GZ_OK) {
		site_free(site);
		return rc;
	}
	{
		/* Tokens are base64 of a fixed-size payload: one length. */
		struct comments_challenge ch;

		comments_challenge_new(site->comments, 1, site_now(), &ch);
		site->token_len = strlen(ch.token);
	}
	*out = site;
	return GZ_OK;
}

/* s, or "" for NULL. */
static const char *
site_str(const char *s)
{
	return s ? s : "";
}

/* True when two comment policies are the same (word lists by text). */
static bool
site_policy_same(const struct comments_policy *a,
		 const struct comments_policy *b)
{
	return a->moderation == b->moderation &&
	       a->require_email == b->require_email &&
	       a->close_after_days == b->close_after_days &&
	       a->max_chars == b->max_chars && a->max_links == b->max_links &&
	       a->min_fill_seconds == b->min_fill_seconds &&
	       a->rate_count == b->rate_count &&
	       a->rate_seconds == b->rate_seconds &&
	       a->token_seconds == b->token_seconds &&
	       a->max_depth == b->max_depth &&
	       strcmp(site_str(a->hold_words), site_str(b->hold_words)) == 0 &&
	       strcmp(site_str(a->block_words), site_str(b->block_words)) == 0;
}

int
site_reload(struct site *site, struct config *cfg, const char *theme_dir,
	    char *err, size_t errlen)
{
	struct site_snap *snap, *old;
	int rc;

	if ((rc = site_snap_new(cfg, cfg, theme_dir, &snap, err, errlen)) !=
	    GZ_OK)
		return rc;
	/* A policy the admin's settings changed gets its own intake (a
	 * SIGHUP keeps the running [comments]: config_keep_restart). */
	if (!site_policy_same(&cfg->comments, comments_policy(site->comments)) &&
	    (rc = comments_new(&cfg->comments, cfg->secret,
			       &snap->comments)) != GZ_OK) {
		snprintf(err, errlen, "comments: %s", gz_strerror(rc));
		site_snap_free(snap);
		return rc;
	}
	if (snap->comments)
		comments_limiter_set(snap->comments,
				     site_limits_limiter(site->limits));
	pthread_mutex_lock(&site->snap_lock);
	old = site->snap;
	site->snap = snap;
	pthread_mutex_unlock(&site->snap_lock);
	/* Freed now if no request holds it, else by the last one. */
	site_snap_put(old);
	return GZ_OK;
}

void
site_stop(struct site *site)
{
	if (!site)
		return;
	/* Uploads waiting are answered 503 now; the one being processed
	 * finishes, and the server waits for its request. */
	site_worker_stop(site->media_worker);
}

void
site_free(struct site *site)
{
	if (!site)
		return;
	/* After the server has stopped: site_stop left no job waiting, and
	 * the server waited for the one running. Should it still run (the
	 * server gave up first), it is abandoned, never resumed into a
	 * site being freed. */
	site_worker_free(site->media_worker);
	site_snap_put(site->snap);
	comments_free(site->comments);
	admin_free(site->admin);
	/* After what it was given to (snapshots' comments went above). */
	site_limits_free(site->limits);
	free(site->routes);
	pthread_mutex_destroy(&site->snap_lock);
	free(site);
}

/* One route's handler, its gate (NULL: none) and the site it serves
 * (the router's context). */
struct site_route {
	struct site *site;
	http_handler_fn fn;
	http_gate_fn gate;
};

/* Every handler is called through here: the call holds the current
 * snapshot from start to end, and the handler sees it as its site. */
static int
site_call(void *ctx, struct http_req *req, struct http_resp *resp)
{
	const struct site_route *r = ctx;
	struct site_snap *snap = site_snap_get(r->site);
	struct site view;
	int rc;

	site_view_of(r->site, snap, &view);
	rc = r->fn(&view, req, resp);
	site_snap_put(snap);
	return rc;
}

/* The same for a route's gate (http_gate_fn): it runs on a POST's
 * headers, before its handler, and sees the site as a handler does. */
static int
site_gate_call(void *ctx, struct http_req *req, struct http_resp *resp)
{
	const struct site_route *r = ctx;
	struct site_snap *snap = site_snap_get(r->site);
	struct site view;
	int rc;

	site_view_of(r->site, snap, &view);
	rc = r->gate(&view, req, resp);
	site_snap_put(snap);
	return rc;
}

int
site_routes_add(struct site *site, struct http_router *r)
{
	/* gate: what a route's POSTs pass on their headers alone, before
	 * any body byte is read (http_gate_fn); NULL for none. */
	static const struct {
		unsigned methods;
		const char *pattern;
		http_handler_fn fn;
		http_gate_fn gate;
	} routes[] = {
		{HTTP_GET, "/", site_front, NULL},
		{HTTP_GET, "/news/{id}/comments.atom", site_comments_feed, NULL},
		{HTTP_GET, "/comments.atom", site_comments_feed_all, NULL},
		{HTTP_GET, "/news/{id}/comments/challenge", site_challenge, NULL},
		{HTTP_GET, "/news/{id}", site_article, NULL},
		{HTTP_GET, "/news/{id}/{slug}", site_article, NULL},
		{HTTP_GET, "/section/{slug}", site_section, NULL},
		{HTTP_GET, "/tag/{slug}", site_tag, NULL},
		{HTTP_GET, "/static/{*}", site_static, NULL},
		{HTTP_GET, "/media/{dir}/{file}", site_media_file, NULL},
		{HTTP_GET, "/feed.atom", site_feed, NULL},
		{HTTP_GET, "/feed.rss", site_feed, NULL},
		{HTTP_GET, "/feed.json", site_feed, NULL},
		{HTTP_GET, "/section/{slug}/feed.atom", site_feed, NULL},
		{HTTP_GET, "/section/{slug}/feed.rss", site_feed, NULL},
		{HTTP_GET, "/section/{slug}/feed.json", site_feed, NULL},
		{HTTP_GET, "/tag/{slug}/feed.atom", site_feed, NULL},
		{HTTP_GET, "/tag/{slug}/feed.rss", site_feed, NULL},
		{HTTP_GET, "/tag/{slug}/feed.json", site_feed, NULL},
		{HTTP_GET, "/author/{slug}", site_author, NULL},
		{HTTP_GET, "/author/{slug}/feed.atom", site_feed, NULL},
		{HTTP_GET, "/author/{slug}/feed.rss", site_feed, NULL},
		{HTTP_GET, "/author/{slug}/feed.json", site_feed, NULL},
		{HTTP_GET, "/healthz", site_health, NULL},
		{HTTP_GET, "/search", site_search, NULL},
		{HTTP_GET, "/archive", site_archive_index, NULL},
		{HTTP_GET, "/archive/{year}/{month}", site_archive_month, NULL},
		{HTTP_GET, "/robots.txt", site_robots, NULL},
		{HTTP_GET, "/favicon.ico", site_favicon, NULL},
		{HTTP_GET, "/sitemap.xml", site_sitemap_index, NULL},
		{HTTP_GET, "/sitemap-pages.xml", site_sitemap_pages, NULL},
		{HTTP_GET, "/sitemap-articles.xml", site_sitemap_articles, NULL},
		{HTTP_GET, "/sitemap-news.xml", site_sitemap_news, NULL},
		{HTTP_GET, "/metrics", site_metrics, NULL},
		/* Before the newsroom's pages: the store's page with slug
		 * "corrections" is shown above this list, not instead. */
		{HTTP_GET, "/corrections", site_corrections, NULL},
		{HTTP_GET, "/corrections.atom", site_corrections, NULL},
		/* The newsroom's dashboard, a single segment too. */
		{HTTP_GET, "/admin", site_admin_dashboard, NULL},
		/* The newsroom's pages: any other single-segment path is
		 * looked up there, after every route above. */
		{HTTP_GET, "/{slug}", site_page, NULL},
		{HTTP_GET, "/api/v1/articles", site_api_articles, NULL},
		{HTTP_GET, "/api/v1/articles/{id}", site_api_article, NULL},
		{HTTP_GET, "/api/v1/sections", site_api_sections, NULL},
		{HTTP_GET, "/api/v1/tags", site_api_tags, NULL},
		{HTTP_GET, "/api/v1/authors", site_api_authors, NULL},
		{HTTP_GET, "/api/v1/search", site_api_search, NULL},
		{HTTP_POST, "/news/{id}/comments", site_comment_post, NULL},

		/* The newsroom: sign-in, account, staff, the audit log. */
		{HTTP_GET | HTTP_POST, "/admin/login", site_admin_login, NULL},
		{HTTP_GET | HTTP_POST, "/admin/login/code", site_admin_login_code, NULL},
		{HTTP_POST, "/admin/logout", site_admin_logout, NULL},
		{HTTP_POST, "/admin/logout/all", site_admin_logout_all, NULL},
		{HTTP_GET, "/admin/account", site_admin_account, NULL},
		{HTTP_POST, "/admin/account/password", site_admin_account_password, NULL},
		{HTTP_GET | HTTP_POST, "/admin/account/totp", site_admin_totp, NULL},
		{HTTP_POST, "/admin/account/totp/remove", site_admin_totp_remove, NULL},
		{HTTP_GET | HTTP_POST, "/admin/users", site_admin_users, NULL},
		{HTTP_POST, "/admin/users/{id}", site_admin_user, NULL},
		{HTTP_GET, "/admin/log", site_admin_log, NULL},

		/* The newsroom: dashboard, articles, revisions, corrections. */
		{HTTP_GET, "/admin/articles", site_admin_articles, NULL},
		{HTTP_POST, "/admin/articles", site_admin_article_create, NULL},
		{HTTP_GET, "/admin/articles/new", site_admin_article_new, NULL},
		{HTTP_GET, "/admin/articles/{id}", site_admin_article_edit, NULL},
		{HTTP_POST, "/admin/articles/{id}", site_admin_article_save, NULL},
		{HTTP_GET, "/admin/articles/{id}/preview",
		 site_admin_article_preview, NULL},
		{HTTP_GET, "/admin/articles/{id}/delete",
		 site_admin_article_delete_ask, NULL},
		{HTTP_POST, "/admin/articles/{id}/delete",
		 site_admin_article_delete, NULL},
		{HTTP_POST, "/admin/articles/{id}/corrections",
		 site_admin_correction_add, NULL},
		{HTTP_GET, "/admin/articles/{id}/revisions", site_admin_revisions, NULL},
		{HTTP_GET, "/admin/articles/{id}/revisions/{rev}",
		 site_admin_revision, NULL},
		{HTTP_POST, "/admin/articles/{id}/revisions/{rev}/restore",
		 site_admin_revision_restore, NULL},

		/* The newsroom: moderation and settings. */
		{HTTP_GET | HTTP_POST, "/admin/comments", site_admin_comments, NULL},
		{HTTP_GET, "/admin/comments/{id}", site_admin_comment, NULL},
		{HTTP_GET | HTTP_POST, "/admin/settings", site_admin_settings, NULL},

		/* The newsroom: photos. */
		/* Only a signed-in session that may upload gets its body
		 * read (site_admin_upload_gate). */
		{HTTP_GET | HTTP_POST, "/admin/media", site_admin_media,
		 site_admin_upload_gate},
		{HTTP_GET | HTTP_POST, "/admin/media/{id}", site_admin_media_edit, NULL},
		{HTTP_GET | HTTP_POST, "/admin/media/{id}/delete",
		 site_admin_media_delete, NULL},
	};
	size_t i, n = sizeof(routes) / sizeof(routes[0]);
	int rc;

	assert(!site->routes);
	if (!(site->routes = calloc(n, sizeof(*site->routes))))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		site->routes[i].site = site;
		site->routes[i].fn = routes[i].fn;
		site->routes[i].gate = routes[i].gate;
		if ((rc = http_router_add(r, routes[i].methods,
					  routes[i].pattern, site_call,
					  routes[i].gate ? site_gate_call : NULL,
					  &site->routes[i])) != GZ_OK)
			return rc;
	}
	return GZ_OK;
}
