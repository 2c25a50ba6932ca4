/*
 * section.c - listings: /section/{slug} and /tag/{slug}, paginated with
 * ?page=N. A page past the last answers 404, so crawlers do not walk an
 * endless run of empty pages.
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

static int
listing(struct site *site, struct http_req *req, struct http_resp *resp,
	const char *kind, const char *prefix, const char *slug,
	const char *name)
{
	static const char *const page_query[] = {"page", NULL};
	struct pool *pool = req->pool;
	struct store_article_query q = {0};
	struct store_article *items = NULL;
	struct render_val *view, *obj;
	const char *page_arg = http_req_query(req, "page");
	const char *base = site_url_slug(pool, prefix, slug);
	uint64_t page = 1;
	size_t n = 0, total = 0, pages;
	int rc;

	if (!base)
		return GZ_ENOMEM;
	if (page_arg && http_parse_uint(page_arg, GZ_LIMIT_PAGE_NUMBER,
					&page) != GZ_OK)
		return GZ_ENOTFOUND;
	if (page == 0)
		return GZ_ENOTFOUND;
	q.now = site_now();
	q.limit = site->cfg->per_page;
	q.offset = (size_t)(page - 1) * site->cfg->per_page;
	if (strcmp(kind, "Section") == 0)
		q.section_slug = slug;
	else
		q.tag_slug = slug;
	if ((rc = store_article_list(site->store, pool, &q, &items, &n, &total)))
		return rc;
	if (http_req_query_only(req, page_query) &&
	    (rc = site_cache_keys(resp, pool, pool_printf(pool, "%s:%s",
			q.section_slug ? "section" : "tag", slug), items, n)))
		return rc;
	/* A section or tag with no story out has no page: an embargoed
	 * story's section is not news before the story is. */
	if (total == 0)
		return GZ_ENOTFOUND;
	pages = (total + site->cfg->per_page - 1) / site->cfg->per_page;
	if (page > pages)
		return GZ_ENOTFOUND;

	view = site_view_page(site, req, page > 1 ? pool_printf(pool,
			      "%s, page %llu", name, (unsigned long long)page) : name,
			      NULL, page > 1 ? pool_printf(pool, "%s?page=%llu",
			      base, (unsigned long long)page) : base,
			      q.section_slug, &rc);
	if (!view)
		return rc;
	if (!(obj = render_obj_new(pool)))
		return GZ_ENOMEM;
	if (render_obj_str(pool, obj, "kind", kind) ||
	    render_obj_str(pool, obj, "name", name) ||
	    render_obj_str(pool, obj, "url", base) ||
	    render_obj_set(pool, view, "listing", obj) ||
	    /* A listing: its first thumbnail is above the fold. */
	    render_obj_set(pool, view, "articles",
			   site_view_cards_eager(site, pool, items, n)) ||
	    render_obj_bool(pool, view, "empty", n == 0) ||
	    site_view_feeds(pool, view, base, name))
		return GZ_ENOMEM;
	if ((rc = site_view_pagination(pool, view, base, page, pages)))
		return rc;
	return site_render(site, resp, "listing", view);
}

int
site_section(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct store_section s;
	int rc;

	if ((rc = store_section_get(site->store, req->pool, req->params[0], &s)))
		return rc;
	return listing(site, req, resp, "Section", "/section/", s.slug, s.name);
}

int
site_tag(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct store_tag t;
	int rc;

	if ((rc = store_tag_get(site->store, req->pool, req->params[0], &t)))
		return rc;
	return listing(site, req, resp, "Tag", "/tag/", t.slug, t.name);
}

/* /author/{slug}: the author's name and bio, and their stories, newest
 * first, paginated like any listing. Cached under "front", which every
 * story's write and every bio change names. */
int
site_author(void *ctx, struct http_req *req, struct http_resp *resp)
{
	static const char *const page_query[] = {"page", NULL};
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_author au;
	struct store_article *items = NULL;
	struct render_val *view, *obj;
	const char *page_arg = http_req_query(req, "page"), *base;
	size_t n = 0, total = 0, per = site->cfg->per_page;
	uint64_t page = 1, pages;
	int rc;

	if ((rc = store_author_get(site->store, pool, req->params[0], &au)))
		return rc;
	if (page_arg && (http_parse_uint(page_arg, GZ_LIMIT_PAGE_NUMBER,
					 &page) != GZ_OK || page == 0))
		return GZ_ENOTFOUND;
	if ((rc = store_author_articles(site->store, pool, site_now(), au.slug,
					per, (size_t)(page - 1) * per, &items,
					&n, &total)))
		return rc;
	/* An author with no story out yet has no page: their name is not
	 * news before their byline is. */
	if (total == 0)
		return GZ_ENOTFOUND;
	pages = (total + per - 1) / per;
	if (page > pages)
		return GZ_ENOTFOUND;
	if (http_req_query_only(req, page_query) &&
	    (rc = site_cache_keys(resp, pool, "front", items, n)))
		return rc;
	if (!(base = site_url_slug(pool, "/author/", au.slug)))
		return GZ_ENOMEM;
	view = site_view_page(site, req, page > 1 ? pool_printf(pool,
			      "%s, page %llu", au.name, (unsigned long long)page)
			      : au.name, *au.bio ? au.bio : pool_printf(pool,
			      "Stories by %s.", au.name), page > 1
			      ? pool_printf(pool, "%s?page=%llu", base,
			      (unsigned long long)page) : base, NULL, &rc);
	if (!view)
		return rc;
	if (!(obj = render_obj_new(pool)) ||
	    render_obj_str(pool, obj, "kind", "Author") ||
	    render_obj_str(pool, obj, "name", au.name) ||
	    render_obj_str(pool, obj, "url", base) ||
	    render_obj_str(pool, obj, "bio", *au.bio ? au.bio : NULL) ||
	    render_obj_set(pool, view, "listing", obj) ||
	    /* A listing: its first thumbnail is above the fold. */
	    render_obj_set(pool, view, "articles",
			   site_view_cards_eager(site, pool, items, n)) ||
	    render_obj_bool(pool, view, "empty", n == 0) ||
	    site_view_feeds(pool, view, base, au.name))
		return GZ_ENOMEM;
	if ((rc = site_view_pagination(pool, view, base, page, pages)))
		return rc;
	return site_render(site, resp, "listing", view);
}

/* /about, /contact, /corrections, /privacy and the newsroom's other
 * pages: its own Markdown, trusted as an article's is. Cached under
 * "nav", which a page's write names. */
int
site_page(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_page pg;
	struct render_val *view, *obj;
	const char *slug = req->path + 1, *html;
	struct buf b;
	int rc;

	if ((rc = store_page_get(site->store, pool, slug, &pg)))
		return rc;
	buf_init(&b, GZ_LIMIT_PAGE_BYTES);
	rc = render_markdown(pg.body, strlen(pg.body), RENDER_MD_TRUSTED, NULL,
			     &b);
	html = rc == GZ_OK ? pool_strndup(pool, b.data ? b.data : "", b.len)
			   : NULL;
	buf_fini(&b);
	if (rc != GZ_OK)
		return rc;
	if (!html)
		return GZ_ENOMEM;
	if (http_req_query_only(req, site_no_query) &&
	    (rc = site_cache_keys(resp, pool, NULL, NULL, 0)))
		return rc;
	view = site_view_page(site, req, pg.title,
			      site_text_excerpt(pool, html, 160), req->path,
			      NULL, &rc);
	if (!view)
		return rc;
	if (!(obj = render_obj_new(pool)) ||
	    render_obj_str(pool, obj, "title", pg.title) ||
	    render_obj_html(pool, obj, "body_html", html) ||
	    render_obj_set(pool, view, "page", obj))
		return GZ_ENOMEM;
	return site_render(site, resp, "page", view);
}
