/*
 * admin_log.c - the audit log (/admin/log, ADMIN_AUDIT_READ): who did
 * what to what, from where and when, newest first, in pages of
 * ADMIN_LOG_PAGE, filtered by actor and object.
 *
 * Data flow: site_admin_begin, then store_audit_list (audit entries and
 * the comments' moderation log, merged) with the query's filters and
 * before cursor. Times are shown in the site's zone (util/date.h).
 * Invariant: read only; the filters are outside input, capped and only
 * ever bound to the store's statements.
 */
#include <string.h>

#include "site/site_int.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/pool.h"

#define ADMIN_LOG_PAGE 100
/* The most a filter may hold: an actor or an object is short. */
#define ADMIN_LOG_FILTER_BYTES 128

/* A filter from the query: NULL when absent or empty; over the cap it is
 * cut, as a search box would. */
static const char *
log_filter(struct http_req *req, const char *name)
{
	const char *v = http_req_query(req, name);

	if (!v || !*v)
		return NULL;
	return pool_strndup(req->pool, v, strnlen(v, ADMIN_LOG_FILTER_BYTES));
}

int
site_admin_log(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct store_audit_filter f = {0};
	struct store_audit *items = NULL;
	struct render_val *v, *list, *item;
	char human[DATE_MAX], iso[DATE_MAX];
	const char *before = http_req_query(req, "before");
	struct buf older;
	uint64_t before_id = 0;
	int64_t oldest = 0;
	size_t i, n = 0;
	bool answered;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_AUDIT_READ, &staff,
				   &answered)) != GZ_OK || answered)
		return rc;
	if (before && http_parse_uint(before, INT64_MAX, &before_id) != GZ_OK)
		return GZ_ENOTFOUND;
	f.actor = log_filter(req, "actor");
	f.object = log_filter(req, "object");
	f.before_id = (int64_t)before_id;
	f.limit = ADMIN_LOG_PAGE;
	if ((rc = store_audit_list(site->store, pool, &f, &items, &n)) != GZ_OK)
		return rc;
	if (!(v = site_admin_view(site, req, &staff, "Audit log", "log")) ||
	    !(list = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < n; i++) {
		const struct store_audit *e = &items[i];

		date_format_human(e->at, human);
		date_format_iso(e->at, iso);
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "date_human", pool_strdup(pool, human)) ||
		    render_obj_str(pool, item, "date_iso", pool_strdup(pool, iso)) ||
		    render_obj_str(pool, item, "actor", e->actor) ||
		    render_obj_str(pool, item, "action", e->action) ||
		    render_obj_str(pool, item, "object", e->object) ||
		    render_obj_str(pool, item, "detail", e->detail) ||
		    render_obj_str(pool, item, "ip", e->ip) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
		/* The cursor moves on audit entries (moderation's are < 0). */
		if (e->id > 0 && (oldest == 0 || e->id < oldest))
			oldest = e->id;
	}
	if (render_obj_set(pool, v, "entries", list) ||
	    render_obj_bool(pool, v, "empty", n == 0) ||
	    render_obj_bool(pool, v, "filtered", f.actor || f.object) ||
	    render_obj_str(pool, v, "filter_actor", f.actor) ||
	    render_obj_str(pool, v, "filter_object", f.object))
		return GZ_ENOMEM;
	if (n == ADMIN_LOG_PAGE && oldest > 1) {
		buf_init(&older, 1024);
		buf_printf(&older, "/admin/log?before=%lld", (long long)oldest);
		if (f.actor) {
			buf_puts(&older, "&actor=");
			render_escape_url(&older, f.actor, strlen(f.actor));
		}
		if (f.object) {
			buf_puts(&older, "&object=");
			render_escape_url(&older, f.object, strlen(f.object));
		}
		rc = older.err ? older.err
		     : render_obj_str(pool, v, "older_url",
				      pool_strndup(pool, older.data, older.len));
		buf_fini(&older);
		if (rc != GZ_OK)
			return rc;
	}
	return site_admin_render(site, resp, 0, "admin_log", v);
}
