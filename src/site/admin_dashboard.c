/*
 * admin_dashboard.c - GET /admin: the newsroom's first page. Counts
 * (comments waiting for a moderator, drafts submitted for review, stories
 * scheduled and not yet out, stories published) and short lists of each,
 * and a writer's own drafts.
 *
 * Only what the role may act on is shown: a moderator sees the comment
 * count and its link to the queue; a writer their drafts and the latest
 * stories; editors and admins everything.
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/err.h"
#include "util/pool.h"

/* Rows in each of the dashboard's lists. */
#define DASHBOARD_ROWS 5

/* Sets key on view to {rows: at most DASHBOARD_ROWS articles matching
 * q}, when there are any. */
static int
dashboard_list(struct site *site, struct pool *pool, struct render_val *view,
	       const char *key, struct store_admin_query *q, int64_t now)
{
	struct store_article *items = NULL;
	struct render_val *rows, *obj;
	size_t n = 0;
	int rc;

	q->limit = DASHBOARD_ROWS;
	q->now = now;
	if ((rc = store_article_admin_list(site->store, pool, q, &items, &n,
					   NULL)))
		return rc;
	if (!n)
		return GZ_OK;
	if (!(rows = site_admin_article_rows(site, pool, items, n, now)) ||
	    !(obj = render_obj_new(pool)) ||
	    render_obj_set(pool, obj, "rows", rows) ||
	    render_obj_set(pool, view, key, obj))
		return GZ_ENOMEM;
	return GZ_OK;
}

int
site_admin_dashboard(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_dashboard_counts counts = {0};
	struct render_val *view;
	bool answered = false, moderate, articles, publish, write;
	int64_t now = site_now();
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_DASHBOARD, &staff,
				   &answered)) || answered)
		return rc;
	moderate = admin_role_can(staff.user.role, ADMIN_COMMENT_MODERATE);
	articles = admin_role_can(staff.user.role, ADMIN_ARTICLE_READ);
	publish = admin_role_can(staff.user.role, ADMIN_ARTICLE_PUBLISH);
	write = admin_role_can(staff.user.role, ADMIN_ARTICLE_WRITE_OWN) &&
		!admin_role_can(staff.user.role, ADMIN_ARTICLE_EDIT_ANY);
	if ((rc = store_dashboard_counts(site->store, now, &counts)))
		return rc;
	if (!(view = site_admin_view(site, req, &staff, "Dashboard",
				     "dashboard")))
		return GZ_ENOMEM;
	if (render_obj_bool(pool, view, "show_counts", moderate || publish) ||
	    render_obj_str(pool, view, "timezone", site->cfg->timezone))
		return GZ_ENOMEM;
	if (moderate && (render_obj_bool(pool, view, "show_comments", true) ||
			 render_obj_int(pool, view, "comments_pending",
					counts.comments_pending)))
		return GZ_ENOMEM;
	if (publish) {
		struct store_admin_query review = {.status = STORE_DRAFT,
						   .in_review = true};
		struct store_admin_query sched = {.status = STORE_SCHEDULED,
						  .scheduled_future = true};

		if (render_obj_bool(pool, view, "show_desk", true) ||
		    render_obj_int(pool, view, "in_review", counts.in_review) ||
		    render_obj_int(pool, view, "scheduled", counts.scheduled) ||
		    render_obj_int(pool, view, "published", counts.published))
			return GZ_ENOMEM;
		if ((rc = dashboard_list(site, pool, view, "review_list",
					 &review, now)) ||
		    (rc = dashboard_list(site, pool, view, "scheduled_list",
					 &sched, now)))
			return rc;
	}
	if (articles) {
		struct store_admin_query latest = {.status = STORE_PUBLISHED};

		if (render_obj_bool(pool, view, "show_articles", true))
			return GZ_ENOMEM;
		if ((rc = dashboard_list(site, pool, view, "published_list",
					 &latest, now)))
			return rc;
	}
	if (write) {
		struct store_admin_query mine = {.status = STORE_DRAFT,
						 .owner_id = staff.user.id};

		if (render_obj_bool(pool, view, "show_mine", true))
			return GZ_ENOMEM;
		if ((rc = dashboard_list(site, pool, view, "mine_list", &mine,
					 now)))
			return rc;
	}
	return site_admin_render(site, resp, 0, "admin_dashboard", view);
}
