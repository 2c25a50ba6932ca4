/*
 * archive.c - the dated archive: /archive lists every month that has
 * stories, newest first, grouped by year; /archive/{yyyy}/{mm} lists a
 * month's stories, newest first, paginated like any listing. Months are
 * the site zone's. With the front page's later pages, it keeps every
 * story reachable from some listing.
 *
 * Both are cached under "front", which every story's write names: a new
 * or edited story may change any month and its count.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* Years the archive knows: four digits. */
#define ARCHIVE_YEAR_MIN 1000
#define ARCHIVE_YEAR_MAX 9999

/* Reads 1 to max digits (leading zeros allowed: "05" is May) into *v.
 * Returns false for anything else. */
static bool
archive_number(const char *s, size_t max, unsigned *v)
{
	size_t n = 0;

	*v = 0;
	while (s[n] >= '0' && s[n] <= '9' && n < max)
		*v = *v * 10 + (unsigned)(s[n++] - '0');
	return n > 0 && s[n] == '\0';
}

int
site_archive_index(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_month *months = NULL;
	struct render_val *view, *years, *year = NULL, *list = NULL, *m;
	size_t n = 0, i;
	int rc, cur = 0;

	if ((rc = store_article_months(site->store, pool, site_now(), &months,
				       &n)))
		return rc;
	if (http_req_query_only(req, site_no_query) &&
	    (rc = site_cache_keys(resp, pool, "front", NULL, 0)))
		return rc;
	view = site_view_page(site, req, "Archive", pool_printf(pool,
			      "Every story %s has published, month by month.",
			      site->cfg->title), "/archive", NULL, &rc);
	if (!view)
		return rc;
	if (!(years = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		const char *name = date_month_name(months[i].month);

		if (!name)
			continue;
		if (months[i].year != cur) {
			cur = months[i].year;
			if (!(year = render_obj_new(pool)) ||
			    !(list = render_list_new(pool)) ||
			    render_obj_str(pool, year, "label",
					   pool_printf(pool, "%d", cur)) ||
			    render_obj_set(pool, year, "months", list) ||
			    render_list_push(pool, years, year))
				return GZ_ENOMEM;
		}
		if (!(m = render_obj_new(pool)) ||
		    render_obj_str(pool, m, "name", name) ||
		    render_obj_str(pool, m, "url", pool_printf(pool,
				   "/archive/%04d/%02d", months[i].year,
				   months[i].month)) ||
		    render_obj_int(pool, m, "count", months[i].count) ||
		    render_list_push(pool, list, m))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, view, "archive_years", years) ||
	    render_obj_bool(pool, view, "empty", n == 0))
		return GZ_ENOMEM;
	return site_render(site, resp, "archive", view);
}

int
site_archive_month(void *ctx, struct http_req *req, struct http_resp *resp)
{
	static const char *const page_query[] = {"page", NULL};
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct store_article *items = NULL;
	struct render_val *view, *obj;
	const char *page_arg = http_req_query(req, "page"), *base, *title;
	uint64_t page = 1, pages;
	unsigned y, mo;
	size_t n = 0, total = 0, per = site->cfg->per_page;
	int64_t from, to;
	char day[16];
	int rc, w;

	if (!archive_number(req->params[0], 4, &y) || y < ARCHIVE_YEAR_MIN ||
	    y > ARCHIVE_YEAR_MAX || !archive_number(req->params[1], 2, &mo) ||
	    mo == 0 || mo > 12 ||
	    (page_arg && (http_parse_uint(page_arg, GZ_LIMIT_PAGE_NUMBER,
					  &page) != GZ_OK || page == 0)))
		return GZ_ENOTFOUND;
	if (!(base = pool_printf(pool, "/archive/%04u/%02u", y, mo)))
		return GZ_ENOMEM;
	/* "/archive/2026/1" is "/archive/2026/01". */
	if (strncmp(req->path, base, strlen(base)) != 0 ||
	    req->path[strlen(base)] != '\0') {
		http_resp_header(resp, "Cache-Control", "public, max-age=86400");
		return http_resp_redirect(resp, 301, base);
	}
	/* Midnight of the 1st, and of the next month's, in the site zone. */
	w = snprintf(day, sizeof(day), "%04u-%02u-01", y, mo);
	if (w < 0 || (size_t)w >= sizeof(day) ||
	    date_parse_any(day, strlen(day), &from) != GZ_OK)
		return GZ_ENOTFOUND;
	w = snprintf(day, sizeof(day), "%04u-%02u-01", mo == 12 ? y + 1 : y,
		     mo == 12 ? 1 : mo + 1);
	if (w < 0 || (size_t)w >= sizeof(day) ||
	    date_parse_any(day, strlen(day), &to) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_article_range(site->store, pool, site_now(), from, to,
				      per, (size_t)(page - 1) * per, &items,
				      &n, &total)))
		return rc;
	pages = total ? (total + per - 1) / per : 1;
	if (!total || page > pages)
		return GZ_ENOTFOUND;
	if (http_req_query_only(req, page_query) &&
	    (rc = site_cache_keys(resp, pool, "front", items, n)))
		return rc;
	title = pool_printf(pool, "%s %u", date_month_name((int)mo), y);
	view = site_view_page(site, req, page > 1 ? pool_printf(pool,
			      "%s, page %llu", title, (unsigned long long)page)
			      : title, pool_printf(pool, "Stories of %s.", title),
			      page > 1 ? pool_printf(pool, "%s?page=%llu", base,
			      (unsigned long long)page) : base, NULL, &rc);
	if (!view)
		return rc;
	if (!(obj = render_obj_new(pool)) ||
	    render_obj_str(pool, obj, "kind", "Archive") ||
	    render_obj_str(pool, obj, "name", title) ||
	    render_obj_str(pool, obj, "url", base) ||
	    render_obj_set(pool, view, "listing", obj) ||
	    render_obj_set(pool, view, "articles",
			   site_view_cards_eager(site, pool, items, n)))
		return GZ_ENOMEM;
	if ((rc = site_view_pagination(pool, view, base, page, pages)))
		return rc;
	return site_render(site, resp, "listing", view);
}
