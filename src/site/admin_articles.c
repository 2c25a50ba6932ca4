/*
 * admin_articles.c - the newsroom's article pages other than the editor:
 * the list (/admin/articles, filtered and paged), the staff preview of a
 * stored story (/admin/articles/{id}/preview: an embargoed story before
 * its time), deleting (a confirmation, then the POST) and appending a
 * correction; and what the article pages share (site_int.h).
 *
 * Data flow: every handler passes site_admin_begin first (session, CSRF
 * and Origin for a POST, the role's action); the store reads articles of
 * any status with now = 0. Writes put their audit entry in the same
 * transaction as the change. Writers see and open only their own
 * articles; a moderator is refused at the gate.
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/slug.h"
#include "util/utf8.h"

/* Rows on a page of the list. */
#define ADMIN_LIST_PER_PAGE 50

/* What the article pages say after a POST that worked (or was turned
 * back), by the done=CODE of the redirect: a fixed sentence per code,
 * never the query's text. */
static const struct {
	const char *code, *text;
} admin_article_notices[] = {
	{"created", "The article was created."},
	{"saved", "The article was saved."},
	{"submitted", "The article was submitted for review."},
	{"published", "The article was published."},
	{"scheduled", "The article was scheduled."},
	{"unpublished", "The article was unpublished: it is no longer "
			"public."},
	{"deleted", "The article was deleted."},
	{"restored", "The revision was restored: it is the current version "
		     "now."},
	{"corrected", "The correction was added: it shows on the article."},
	{"correction-invalid", "The correction was not added: write what was "
			       "wrong and what is right, in at most 4,096 "
			       "bytes."},
	{"correction-unpublished", "Only a published article can carry a "
				   "correction."},
};

int
site_admin_article_notice(struct pool *pool, struct http_req *req,
			  struct render_val *view)
{
	const char *code = http_req_query(req, "done");
	size_t i;

	for (i = 0; code && i < sizeof(admin_article_notices) /
				sizeof(*admin_article_notices); i++)
		if (strcmp(code, admin_article_notices[i].code) == 0)
			return render_obj_str(pool, view, "article_notice",
					      admin_article_notices[i].text)
				       ? GZ_ENOMEM : GZ_OK;
	return GZ_OK;
}

bool
site_admin_article_unpublished(const struct store_article *a)
{
	return a->status == STORE_UNPUBLISHED ||
	       (a->status == STORE_DRAFT && a->unpublished_at != 0);
}

bool
site_admin_article_editable(const struct site_staff *staff,
			    const struct store_article *a)
{
	if (admin_role_can(staff->user.role, ADMIN_ARTICLE_EDIT_ANY))
		return true;
	return admin_role_can(staff->user.role, ADMIN_ARTICLE_WRITE_OWN) &&
	       a->owner_id == staff->user.id && a->status == STORE_DRAFT &&
	       !site_admin_article_unpublished(a);
}

int
site_admin_article_load(struct site *site, struct http_req *req,
			const struct site_staff *staff, struct store_article *a)
{
	uint64_t id;
	int rc;

	if (req->nparams < 1 ||
	    http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK ||
	    id == 0)
		return GZ_ENOTFOUND;
	if ((rc = store_article_get(site->store, req->pool, (int64_t)id, 0,
				    a)) != GZ_OK)
		return rc;
	if (!admin_role_can(staff->user.role, ADMIN_ARTICLE_EDIT_ANY) &&
	    a->owner_id != staff->user.id)
		return GZ_EFORBIDDEN;
	return GZ_OK;
}

const char *
site_admin_status_text(struct pool *pool, const struct store_article *a,
		       int64_t now, const char **key)
{
	char when[DATE_MAX];

	if (site_admin_article_unpublished(a)) {
		*key = "unpublished";
		return "unpublished";
	}
	switch (a->status) {
	case STORE_SCHEDULED:
		if (a->published_at > now) {
			*key = "scheduled";
			date_format_human(a->published_at, when);
			return pool_printf(pool, "scheduled for %s", when);
		}
		*key = "published";
		return "published";
	case STORE_PUBLISHED:
		*key = "published";
		return "published";
	default:
		if (a->review_at) {
			*key = "review";
			return "in review";
		}
		*key = "draft";
		return "draft";
	}
}

/* The name of user id among users[0..n), or "" (imported, or removed). */
static const char *
admin_owner_name(const struct store_user *users, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; id && i < n; i++)
		if (users[i].id == id)
			return *users[i].display_name ? users[i].display_name
						      : users[i].name;
	return "";
}

struct render_val *
site_admin_article_rows(struct site *site, struct pool *pool,
			const struct store_article *items, size_t n,
			int64_t now)
{
	struct render_val *list = render_list_new(pool), *row;
	struct store_user *users = NULL;
	size_t nusers = 0, i;
	char human[DATE_MAX], iso[DATE_MAX];

	if (!list)
		return NULL;
	/* Staff are few: one read names every row's owner. */
	if (n && store_user_list(site->store, pool, &users, &nusers) != GZ_OK)
		nusers = 0;
	for (i = 0; i < n; i++) {
		const struct store_article *a = &items[i];
		const char *key = NULL, *status;

		if (!(status = site_admin_status_text(pool, a, now, &key)) ||
		    !(row = render_obj_new(pool)) ||
		    render_obj_int(pool, row, "id", a->id) ||
		    render_obj_str(pool, row, "headline", a->headline) ||
		    render_obj_str(pool, row, "url", pool_printf(pool,
				   "/admin/articles/%lld", (long long)a->id)) ||
		    render_obj_str(pool, row, "status", status) ||
		    render_obj_str(pool, row, "status_key", key) ||
		    render_obj_str(pool, row, "section_name",
				   *a->section_name ? a->section_name : NULL) ||
		    render_obj_str(pool, row, "owner", admin_owner_name(users,
				   nusers, a->owner_id)) ||
		    render_obj_str(pool, row, "byline", *a->byline ? a->byline
								   : NULL))
			return NULL;
		date_format_human(a->updated_at, human);
		date_format_iso(a->updated_at, iso);
		if (render_obj_str(pool, row, "updated_human",
				   pool_strdup(pool, human)) ||
		    render_obj_str(pool, row, "updated_iso",
				   pool_strdup(pool, iso)))
			return NULL;
		if (a->published_at) {
			date_format_human(a->published_at, human);
			date_format_iso(a->published_at, iso);
			if (render_obj_str(pool, row, "when_human",
					   pool_strdup(pool, human)) ||
			    render_obj_str(pool, row, "when_iso",
					   pool_strdup(pool, iso)))
				return NULL;
		}
		if (render_list_push(pool, list, row))
			return NULL;
	}
	return list;
}

/* The status filter's choices, in the order the select shows them. */
static const char *const admin_status_keys[] = {
	"draft", "review", "scheduled", "published", "unpublished",
};
static const char *const admin_status_labels[] = {
	"Draft", "In review", "Scheduled", "Published", "Unpublished",
};

/* Fills q's status from the filter's key. Returns false for an unknown
 * key. */
static bool
admin_status_filter(const char *key, struct store_admin_query *q)
{
	if (!key || !*key)
		return true;
	if (strcmp(key, "draft") == 0)
		q->status = STORE_DRAFT;
	else if (strcmp(key, "review") == 0) {
		q->status = STORE_DRAFT;
		q->in_review = true;
	} else if (strcmp(key, "scheduled") == 0) {
		q->status = STORE_SCHEDULED;
		q->scheduled_future = true;
	} else if (strcmp(key, "published") == 0)
		q->status = STORE_PUBLISHED;
	else if (strcmp(key, "unpublished") == 0)
		q->status = STORE_UNPUBLISHED;
	else
		return false;
	return true;
}

/* The filters' query string without page, for the pager's links. */
static const char *
admin_list_base(struct pool *pool, const char *status, const char *section,
		const char *q, bool mine)
{
	struct buf b;
	const char *r;

	buf_init(&b, 4096);
	buf_puts(&b, "/admin/articles?status=");
	render_escape_url(&b, status ? status : "", status ? strlen(status) : 0);
	buf_puts(&b, "&section=");
	render_escape_url(&b, section ? section : "",
			  section ? strlen(section) : 0);
	buf_puts(&b, "&q=");
	render_escape_url(&b, q ? q : "", q ? strlen(q) : 0);
	if (mine)
		buf_puts(&b, "&mine=1");
	r = b.err == GZ_OK ? pool_strdup(pool, b.data) : NULL;
	buf_fini(&b);
	return r;
}

int
site_admin_articles(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_admin_query q = {0};
	struct store_article *items = NULL;
	struct store_section *sections = NULL;
	struct render_val *view, *opts, *o, *rows, *pager;
	const char *status = http_req_query(req, "status");
	const char *section = http_req_query(req, "section");
	const char *text = http_req_query(req, "q");
	const char *page_arg = http_req_query(req, "page");
	const char *base;
	bool mine, answered = false, own_only;
	size_t n = 0, total = 0, nsections = 0, i;
	uint64_t page = 1, pages;
	int64_t now = site_now();
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_READ, &staff,
				   &answered)) || answered)
		return rc;
	own_only = !admin_role_can(staff.user.role, ADMIN_ARTICLE_EDIT_ANY);
	mine = own_only || (http_req_query(req, "mine") &&
			    strcmp(http_req_query(req, "mine"), "1") == 0);
	q.status = -1;
	q.now = now;
	if (!admin_status_filter(status, &q)) {
		status = NULL; /* an unknown filter shows everything */
		q.status = -1;
	}
	if (page_arg && (http_parse_uint(page_arg, GZ_LIMIT_PAGE_NUMBER,
					 &page) != GZ_OK || page == 0))
		page = 1;
	/* What a person typed is capped before the store sees it. */
	if (text && (strlen(text) > GZ_LIMIT_SEARCH_BYTES ||
		     !utf8_valid(text, strlen(text), NULL)))
		text = NULL;
	if (section && (strlen(section) > SLUG_MAX || !*section))
		section = NULL;
	q.q = text && *text ? text : NULL;
	q.section_slug = section;
	q.owner_id = mine ? staff.user.id : 0;
	q.limit = ADMIN_LIST_PER_PAGE;
	q.offset = (size_t)(page - 1) * ADMIN_LIST_PER_PAGE;
	if ((rc = store_article_admin_list(site->store, pool, &q, &items, &n,
					   &total)))
		return rc;
	if ((rc = store_section_list(site->store, pool, 0, &sections,
				     &nsections)))
		return rc;
	pages = total ? (total + ADMIN_LIST_PER_PAGE - 1) / ADMIN_LIST_PER_PAGE
		      : 1;
	if (!(view = site_admin_view(site, req, &staff, "Articles",
				     "articles")) ||
	    !(opts = render_list_new(pool)) ||
	    !(rows = site_admin_article_rows(site, pool, items, n, now)))
		return GZ_ENOMEM;
	for (i = 0; i < sizeof(admin_status_keys) / sizeof(*admin_status_keys);
	     i++) {
		if (!(o = render_obj_new(pool)) ||
		    render_obj_str(pool, o, "value", admin_status_keys[i]) ||
		    render_obj_str(pool, o, "label", admin_status_labels[i]) ||
		    render_obj_bool(pool, o, "selected", status &&
				    strcmp(status, admin_status_keys[i]) == 0) ||
		    render_list_push(pool, opts, o))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, view, "status_options", opts) ||
	    !(opts = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < nsections; i++) {
		if (!(o = render_obj_new(pool)) ||
		    render_obj_str(pool, o, "value", sections[i].slug) ||
		    render_obj_str(pool, o, "label", sections[i].name) ||
		    render_obj_bool(pool, o, "selected", section &&
				    strcmp(section, sections[i].slug) == 0) ||
		    render_list_push(pool, opts, o))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, view, "section_options", opts) ||
	    render_obj_str(pool, view, "filter_q", text ? text : "") ||
	    render_obj_bool(pool, view, "filter_mine", mine) ||
	    render_obj_bool(pool, view, "may_filter_mine", !own_only) ||
	    render_obj_bool(pool, view, "may_write", admin_role_can(
			    staff.user.role, ADMIN_ARTICLE_WRITE_OWN)) ||
	    render_obj_int(pool, view, "total", (int64_t)total) ||
	    (n && render_obj_set(pool, view, "rows", rows)) ||
	    render_obj_bool(pool, view, "empty", n == 0) ||
	    site_admin_article_notice(pool, req, view))
		return GZ_ENOMEM;
	if (pages > 1) {
		if (!(base = admin_list_base(pool, status, section, text, mine)) ||
		    !(pager = render_obj_new(pool)) ||
		    render_obj_int(pool, pager, "page", (int64_t)page) ||
		    render_obj_int(pool, pager, "pages", (int64_t)pages) ||
		    (page > 1 && render_obj_str(pool, pager, "prev_url",
				pool_printf(pool, "%s&page=%llu", base,
					    (unsigned long long)(page - 1)))) ||
		    (page < pages && render_obj_str(pool, pager, "next_url",
				pool_printf(pool, "%s&page=%llu", base,
					    (unsigned long long)(page + 1)))) ||
		    render_obj_set(pool, view, "pagination", pager))
			return GZ_ENOMEM;
	}
	return site_admin_render(site, resp, 0, "admin_articles", view);
}

int
site_admin_article_preview(void *ctx, struct http_req *req,
			   struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	struct store_article a;
	bool answered = false;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_READ, &staff,
				   &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &a)))
		return rc;
	return site_article_preview(site, req, resp, &a);
}

int
site_admin_article_delete_ask(void *ctx, struct http_req *req,
			      struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_article a;
	struct render_val *view;
	bool answered = false;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_DELETE,
				   &staff, &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &a)))
		return rc;
	if (!(view = site_admin_view(site, req, &staff, pool_printf(pool,
				     "Delete %s?", a.headline), "articles")) ||
	    render_obj_int(pool, view, "id", a.id) ||
	    render_obj_str(pool, view, "headline", a.headline) ||
	    render_obj_int(pool, view, "comment_count", a.comment_count) ||
	    render_obj_str(pool, view, "url", pool_printf(pool,
			   "/admin/articles/%lld", (long long)a.id)))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, 0, "admin_delete", view);
}

int
site_admin_article_delete(void *ctx, struct http_req *req,
			  struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_article a;
	const char *object;
	bool answered = false;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_ARTICLE_DELETE,
				   &staff, &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &a)))
		return rc;
	if (!(object = pool_printf(pool, "article:%lld", (long long)a.id)))
		return GZ_ENOMEM;
	if ((rc = store_tx_begin(site->store)))
		return rc;
	rc = store_article_delete(site->store, a.id);
	if ((rc = site_admin_commit(site, &staff, rc, "delete", object,
				    a.headline)))
		return rc;
	return site_admin_done(req, resp, "/admin/articles", "deleted");
}

int
site_admin_correction_add(void *ctx, struct http_req *req,
			  struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_article a;
	const char *text = http_req_form(req, "correction"), *object, *back;
	bool answered = false;
	int64_t id, now = site_now();
	size_t len;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_CORRECTION_ADD,
				   &staff, &answered)) || answered)
		return rc;
	if ((rc = site_admin_article_load(site, req, &staff, &a)))
		return rc;
	if (!(back = pool_printf(pool, "/admin/articles/%lld",
				 (long long)a.id)) ||
	    !(object = pool_printf(pool, "article:%lld", (long long)a.id)))
		return GZ_ENOMEM;
	/* Only what readers have seen can be corrected. */
	if (site_admin_article_unpublished(&a) || a.status == STORE_DRAFT ||
	    a.published_at > now)
		return site_admin_done(req, resp, back, "correction-unpublished");
	len = text ? strlen(text) : 0;
	if (len == 0 || len > GZ_LIMIT_CORRECTION_BYTES ||
	    !utf8_valid(text, len, NULL) || strspn(text, " \t\r\n") == len)
		return site_admin_done(req, resp, back, "correction-invalid");
	if ((rc = store_tx_begin(site->store)))
		return rc;
	rc = store_correction_add(site->store, a.id, text, staff.actor, now,
				  &id);
	if ((rc = site_admin_commit(site, &staff, rc, "correct", object,
				    text)))
		return rc == GZ_EINVAL ? site_admin_done(req, resp, back,
							 "correction-invalid")
				       : rc;
	return site_admin_done(req, resp, back, "corrected");
}
