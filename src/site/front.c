/*
 * front.c - the front page: the lead story, the latest news, and the
 * latest of each section.
 */
#include "site/site_int.h"
#include "util/err.h"
#include "util/pool.h"

#define FRONT_LATEST 9     /* the lead plus eight */
#define FRONT_PER_SECTION 3

int
site_front(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_article_query q = {0};
	struct store_article *items = NULL;
	struct store_section *sections = NULL;
	struct render_val *view, *blocks, *block, *cards;
	size_t n = 0, nsections = 0, i;
	int rc;

	q.now = site_now();
	q.limit = FRONT_LATEST;
	if ((rc = store_article_list(site->store, pool, &q, &items, &n, NULL)))
		return rc;
	if (!(view = site_view_page(site, req, NULL, NULL, "/", NULL)))
		return GZ_ENOMEM;
	/* Kept in the page cache until a story on it, or the news, changes;
	 * a query string it does not take is answered anew. */
	if (http_req_query_only(req, site_no_query) &&
	    (rc = site_cache_keys(resp, pool, "front", items, n)))
		return rc;
	if (n == 0)
		return render_obj_bool(pool, view, "empty", true)
			? GZ_ENOMEM : site_render(site, resp, "front", view);
	if (render_obj_set(pool, view, "lead", site_view_card(site, pool, &items[0])))
		return GZ_ENOMEM;
	if (n > 1 && render_obj_set(pool, view, "latest",
				    site_view_cards(site, pool, items + 1, n - 1)))
		return GZ_ENOMEM;

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
