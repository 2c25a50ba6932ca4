/*
 * front.c - the front page: the lead story, the latest news, and the
 * latest of each section.
 */
#include "config/config.h"
#include "site/site_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#define FRONT_LATEST 9     /* the lead plus eight */
#define FRONT_PER_SECTION 3

/*
 * "/?page=N", N >= 2: the stories after the front page's, per_page to a
 * page, as a listing, so that every story stays reachable from the front
 * page however old it is. Page 1 is the front page itself.
 */
static int
front_older(struct site *site, struct http_req *req, struct http_resp *resp,
	    uint64_t page)
{
	static const char *const page_query[] = {"page", NULL};
	struct pool *pool = req->pool;
	struct store_article_query q = {0};
	struct store_article *items = NULL;
	struct render_val *view, *obj;
	size_t n = 0, total = 0, per = site->cfg->per_page;
	uint64_t pages;
	int rc;

	q.now = site_now();
	q.limit = per;
	q.offset = FRONT_LATEST + (size_t)(page - 2) * per;
	if ((rc = store_article_list(site->store, pool, &q, &items, &n, &total)))
		return rc;
	pages = 1 + (total > FRONT_LATEST
		     ? (total - FRONT_LATEST + per - 1) / per : 0);
	if (page > pages)
		return GZ_ENOTFOUND;
	if (http_req_query_only(req, page_query) &&
	    (rc = site_cache_keys(resp, pool, "front", items, n)))
		return rc;
	view = site_view_page(site, req, pool_printf(pool,
			      "Latest news, page %llu", (unsigned long long)page),
			      NULL, pool_printf(pool, "/?page=%llu",
			      (unsigned long long)page), NULL, &rc);
	if (!view)
		return rc;
	if (!(obj = render_obj_new(pool)) ||
	    render_obj_str(pool, obj, "kind", "Archive") ||
	    render_obj_str(pool, obj, "name", "Latest news") ||
	    render_obj_str(pool, obj, "url", "/") ||
	    render_obj_set(pool, view, "listing", obj) ||
	    /* A listing: its first thumbnail is above the fold. */
	    render_obj_set(pool, view, "articles",
			   site_view_cards_eager(site, pool, items, n)))
		return GZ_ENOMEM;
	if ((rc = site_view_pagination(pool, view, "/", page, pages)))
		return rc;
	return site_render(site, resp, "listing", view);
}

int
site_front(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_article_query q = {0};
	struct store_article *items = NULL;
	struct store_section *sections = NULL;
	struct render_val *view, *blocks, *block, *cards, *lead;
	const char *page_arg = http_req_query(req, "page");
	size_t n = 0, nsections = 0, total = 0, i;
	uint64_t page = 1;
	int rc;

	if (page_arg && (http_parse_uint(page_arg, GZ_LIMIT_PAGE_NUMBER,
					 &page) != GZ_OK || page == 0))
		return GZ_ENOTFOUND;
	if (page > 1)
		return front_older(site, req, resp, page);
	q.now = site_now();
	q.limit = FRONT_LATEST;
	if ((rc = store_article_list(site->store, pool, &q, &items, &n, &total)))
		return rc;
	if (!(view = site_view_page(site, req, NULL, NULL, "/", NULL, &rc)))
		return rc;
	if (site_view_masthead_date(pool, view, q.now))
		return GZ_ENOMEM;
	/* The way to older stories: "/?page=2" and on. */
	if (total > FRONT_LATEST &&
	    (rc = site_view_pagination(pool, view, "/", 1, 1 + (total -
			FRONT_LATEST + site->cfg->per_page - 1) /
			site->cfg->per_page)))
		return rc;
	/* Kept in the page cache until a story on it, or the news, changes;
	 * a query string it does not take is answered anew. */
	if (http_req_query_only(req, site_no_query) &&
	    (rc = site_cache_keys(resp, pool, "front", items, n)))
		return rc;
	if (n == 0)
		return render_obj_bool(pool, view, "empty", true)
			? GZ_ENOMEM : site_render(site, resp, "front", view);
	if (!(lead = site_view_card(site, pool, &items[0])) ||
	    render_obj_set(pool, view, "lead", lead))
		return GZ_ENOMEM;
	/* Above the fold: the lead story's photo is fetched at once; when
	 * it has none, the first photo of the latest is. Every other card's
	 * waits until the reader scrolls near it (loading=lazy). */
	if (items[0].image &&
	    (render_obj_set(pool, lead, "image", site_view_image(site, pool,
			    items[0].image, SITE_IMAGE_FRONT_LEAD)) ||
	     render_obj_set(pool, lead, "thumb", render_bool(pool, false))))
		return GZ_ENOMEM;
	if (n > 1) {
		cards = items[0].image
			? site_view_cards(site, pool, items + 1, n - 1)
			: site_view_cards_eager(site, pool, items + 1, n - 1);
		if (!cards || render_obj_set(pool, view, "latest", cards))
			return GZ_ENOMEM;
	}

	if ((rc = store_section_list(site->store, pool, q.now, &sections,
				     &nsections)))
		return rc;
	if (!(blocks = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < nsections; i++) {
		if (sections[i].article_count == 0)
			continue;
		q.section_slug = sections[i].slug;
		q.limit = FRONT_PER_SECTION;
		if ((rc = store_article_list(site->store, pool, &q, &items, &n,
					     NULL)))
			return rc;
		if (resp->ncache_keys &&
		    (rc = site_cache_keys(resp, pool, NULL, items, n)))
			return rc;
		if (!(block = render_obj_new(pool)) ||
		    !(cards = site_view_cards(site, pool, items, n)) ||
		    render_obj_str(pool, block, "name", sections[i].name) ||
		    render_obj_str(pool, block, "url", site_url_slug(pool,
				   "/section/", sections[i].slug)) ||
		    render_obj_set(pool, block, "articles", cards) ||
		    render_list_push(pool, blocks, block))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, view, "section_blocks", blocks))
		return GZ_ENOMEM;
	return site_render(site, resp, "front", view);
}
