/*
 * corrections.c - /corrections and /corrections.atom: every correction an
 * editor appended to a story that is visible now, newest first, paged
 * with ?page=N (a page past the last answers 404), and the same as an
 * Atom feed (feed_build.c writes it).
 *
 * The newsroom's page with slug "corrections" (its policy), when there is
 * one, stands above the list. A correction of a story taken down or not
 * yet out is not listed: the store lists only visible articles'.
 *
 * Cached under "corrections" (every correction names it), "nav" (a
 * page's write) and the key of each story listed (an edited headline, an
 * unpublished story).
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* Corrections on a page, and in the feed. */
#define CORRECTIONS_PER_PAGE 20

/* The article a correction is of, enough for its URL. */
static const char *
corrections_article_url(struct pool *pool, const struct store_correction *c)
{
	struct store_article a = {0};

	a.id = c->article_id;
	a.slug = c->article_slug ? c->article_slug : "";
	return site_url_article(pool, &a);
}

static int
corrections_keys(struct http_resp *resp, struct pool *pool,
		 const struct store_correction *c, size_t n)
{
	size_t i;
	int rc;

	if ((rc = site_cache_keys(resp, pool, "corrections", NULL, 0)))
		return rc;
	for (i = 0; i < n; i++) {
		rc = http_resp_cache_key(resp, pool, pool_printf(pool,
					 "article:%lld",
					 (long long)c[i].article_id));
		if (rc == GZ_ETOOBIG)
			return GZ_OK; /* not cached: made anew, always right */
		if (rc)
			return rc;
	}
	return GZ_OK;
}

static int
corrections_feed(struct site *site, struct http_req *req,
		 struct http_resp *resp)
{
	struct pool *pool = req->pool;
	const struct config *cfg = site->cfg;
	struct store_correction *c = NULL;
	struct site_feed_item *items = NULL;
	struct site_feed f = {0};
	size_t n = 0, i;
	int rc;

	if ((rc = store_correction_recent(site->store, pool, site_now(),
					  CORRECTIONS_PER_PAGE, 0, &c, &n,
					  NULL)))
		return rc;
	if (n && !(items = pool_calloc(pool, n, sizeof(*items))))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		const char *url = corrections_article_url(pool, &c[i]);

		items[i].id = pool_printf(pool, "%s/news/%lld#correction-%lld",
					  cfg->base_url,
					  (long long)c[i].article_id,
					  (long long)c[i].id);
		items[i].url = url ? pool_printf(pool, "%s%s", cfg->base_url,
						 url) : NULL;
		items[i].title = pool_printf(pool, "Correction: %s",
					     c[i].article_headline);
		items[i].summary = c[i].text;
		items[i].lang = cfg->language;
		items[i].published = c[i].created_at;
		items[i].modified = c[i].created_at;
		if (!items[i].id || !items[i].url || !items[i].title)
			return GZ_ENOMEM;
		if (c[i].created_at > f.updated)
			f.updated = c[i].created_at;
	}
	if (!n)
		f.updated = site_now();
	f.title = pool_printf(pool, "%s – Corrections", cfg->title);
	f.description = pool_printf(pool, "Corrections to stories in %s.",
				    cfg->title);
	f.lang = cfg->language;
	f.publisher = cfg->title;
	f.home_url = pool_printf(pool, "%s/", cfg->base_url);
	f.alternate_url = pool_printf(pool, "%s/corrections", cfg->base_url);
	f.self_url = pool_printf(pool, "%s/corrections.atom", cfg->base_url);
	f.items = items;
	f.n = n;
	if (!f.title || !f.description || !f.home_url || !f.alternate_url ||
	    !f.self_url)
		return GZ_ENOMEM;
	if (http_req_query_only(req, site_no_query) &&
	    (rc = corrections_keys(resp, pool, c, n)))
		return rc;
	resp->content_type = "application/atom+xml; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-cache");
	http_resp_header(resp, "Access-Control-Allow-Origin", "*");
	return site_feed_atom(&resp->body, &f);
}

/* The policy page's body as HTML, or NULL (*html) when there is none. */
static int
corrections_policy(struct site *site, struct pool *pool, const char **title,
		   const char **html)
{
	struct store_page pg;
	struct buf b;
	int rc;

	*html = NULL;
	*title = "Corrections";
	rc = store_page_get(site->store, pool, "corrections", &pg);
	if (rc == GZ_ENOTFOUND)
		return GZ_OK;
	if (rc)
		return rc;
	*title = pg.title;
	buf_init(&b, GZ_LIMIT_PAGE_BYTES);
	rc = render_markdown(pg.body, strlen(pg.body), RENDER_MD_TRUSTED, NULL,
			     &b);
	if (rc == GZ_OK &&
	    !(*html = pool_strndup(pool, b.data ? b.data : "", b.len)))
		rc = GZ_ENOMEM;
	buf_fini(&b);
	return rc;
}

int
site_corrections(void *ctx, struct http_req *req, struct http_resp *resp)
{
	static const char *const page_query[] = {"page", NULL};
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_correction *c = NULL;
	struct render_val *view, *list, *item, *feeds;
	const char *page_arg = http_req_query(req, "page");
	const char *title, *policy, *canonical = "/corrections";
	char human[DATE_MAX], iso[DATE_MAX];
	uint64_t page = 1, pages;
	size_t n = 0, total = 0, i;
	int rc;

	if (strcmp(req->path, "/corrections.atom") == 0)
		return corrections_feed(site, req, resp);
	if (page_arg && (http_parse_uint(page_arg, GZ_LIMIT_PAGE_NUMBER,
					 &page) != GZ_OK || page == 0))
		return GZ_ENOTFOUND;
	if ((rc = store_correction_recent(site->store, pool, site_now(),
					  CORRECTIONS_PER_PAGE,
					  (size_t)(page - 1) *
						  CORRECTIONS_PER_PAGE,
					  &c, &n, &total)))
		return rc;
	pages = total ? (total + CORRECTIONS_PER_PAGE - 1) /
				CORRECTIONS_PER_PAGE : 1;
	if (page > pages)
		return GZ_ENOTFOUND;
	if ((rc = corrections_policy(site, pool, &title, &policy)))
		return rc;
	if (http_req_query_only(req, page_query) &&
	    (rc = corrections_keys(resp, pool, c, n)))
		return rc;
	if (page > 1)
		canonical = pool_printf(pool, "/corrections?page=%llu",
					(unsigned long long)page);
	view = site_view_page(site, req, page > 1 ? pool_printf(pool,
			      "%s, page %llu", title, (unsigned long long)page)
			      : title, "Corrections to our stories, newest "
			      "first.", canonical, NULL, &rc);
	if (!view)
		return rc;
	if (!(list = render_list_new(pool)) ||
	    !(feeds = render_list_new(pool)) || !(item = render_obj_new(pool)))
		return GZ_ENOMEM;
	/* The head's alternate: this page's own feed. */
	if (render_obj_str(pool, item, "url", "/corrections.atom") ||
	    render_obj_str(pool, item, "type", "application/atom+xml") ||
	    render_obj_str(pool, item, "title", "Corrections (Atom)") ||
	    render_list_push(pool, feeds, item) ||
	    render_obj_set(pool, view, "feeds", feeds))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		date_format_human(c[i].created_at, human);
		date_format_iso(c[i].created_at, iso);
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "headline",
				   c[i].article_headline) ||
		    render_obj_str(pool, item, "url",
				   corrections_article_url(pool, &c[i])) ||
		    render_obj_str(pool, item, "date_human",
				   pool_strdup(pool, human)) ||
		    render_obj_str(pool, item, "date_iso",
				   pool_strdup(pool, iso)) ||
		    render_obj_str(pool, item, "text", c[i].text) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	}
	if (render_obj_str(pool, view, "title", title) ||
	    render_obj_html(pool, view, "body_html", policy) ||
	    (n && render_obj_set(pool, view, "corrections", list)) ||
	    render_obj_bool(pool, view, "empty", n == 0))
		return GZ_ENOMEM;
	if ((rc = site_view_pagination(pool, view, "/corrections", page,
				       pages)))
		return rc;
	return site_render(site, resp, "corrections", view);
}
