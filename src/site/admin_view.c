/*
 * admin_view.c - what every newsroom page's view model has, and how an
 * admin page is answered: the frame (site title, "Newsroom", the
 * navigation the role allows, who is signed in, the Sign out form's csrf
 * token), the notice of a finished POST (?done=CODE), rendering with the
 * admin's headers, the 303 after a POST, and the audit log entry.
 *
 * Data flow: a handler calls site_admin_begin (admin_gate.c), then
 * site_admin_view, adds its own names, and answers with
 * site_admin_render, or after a POST with site_admin_done. Invariants:
 * every admin answer carries Cache-Control: no-store and X-Robots-Tag:
 * noindex; a notice is one of the fixed sentences below, never text
 * from the query.
 */
#include <assert.h>
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/pool.h"

/* The navigation, in its order; an entry shows when the role may do its
 * action (the account is everyone's). */
static const struct {
	const char *key;  /* site_admin_view's current */
	const char *name;
	const char *url;
	int action;       /* enum admin_action, or -1: everyone */
} admin_nav[] = {
	{"dashboard", "Dashboard", "/admin", ADMIN_DASHBOARD},
	{"articles", "Articles", "/admin/articles", ADMIN_ARTICLE_READ},
	{"media", "Photos", "/admin/media", ADMIN_MEDIA_UPLOAD},
	{"comments", "Comments", "/admin/comments", ADMIN_COMMENT_MODERATE},
	{"users", "Users", "/admin/users", ADMIN_USER_MANAGE},
	{"settings", "Settings", "/admin/settings", ADMIN_SETTINGS_EDIT},
	{"log", "Log", "/admin/log", ADMIN_AUDIT_READ},
	{"account", "Account", "/admin/account", -1},
};

/* ?done=CODE's sentence: every code a newsroom page redirects with.
 * Add a page's codes here. */
static const struct {
	const char *code;
	const char *sentence;
} admin_done[] = {
	/* sign-in, account, staff */
	{"signed-out", "You are signed out."},
	{"signed-out-all", "You are signed out everywhere."},
	{"change-password", "Choose a new password before you go on: the one you signed in with was for one use."},
	{"password-changed", "Your password is changed. Your other sessions are signed out."},
	{"enrol-totp", "Set up a second factor before you go on: this site asks it of every admin."},
	{"totp-on", "Two-step sign-in is on."},
	{"totp-off", "Two-step sign-in is off."},
	{"user-added", "The account is added."},
	{"user-changed", "The account is changed."},
	{"user-removed", "The account is removed."},
	{"password-reset", "The password is reset; the account's sessions are signed out."},
	{"totp-reset", "The account's second factor is removed."},
	/* articles, revisions, corrections */
	{"saved", "Saved."},
	{"published", "Published."},
	{"scheduled", "Scheduled."},
	{"unpublished", "Unpublished."},
	{"deleted", "Deleted."},
	{"restored", "The revision is restored."},
	{"correction-added", "The correction is added."},
	/* moderation and settings */
	{"moderated", "The comments are moderated."},
	{"approved", "Approved."},
	{"rejected", "Rejected."},
	{"spam", "Marked as spam."},
	{"settings-saved", "The settings are saved."},
	/* photos */
	{"uploaded", "The photo is in the library."},
	{"uploaded-again", "This photo was in the library already: here it is, with the words it had."},
	{"media-saved", "The photo's details are saved."},
	{"media-deleted", "The photo is removed from the library."},
};

/* The sentence of ?done=code, or NULL for none or an unknown code. */
static const char *
admin_view_notice(const char *code)
{
	size_t i;

	if (!code)
		return NULL;
	for (i = 0; i < sizeof(admin_done) / sizeof(admin_done[0]); i++)
		if (strcmp(code, admin_done[i].code) == 0)
			return admin_done[i].sentence;
	return NULL;
}

struct render_val *
site_admin_view(struct site *site, struct http_req *req,
		const struct site_staff *staff, const char *title,
		const char *current)
{
	struct pool *pool = req->pool;
	struct render_val *v = render_obj_new(pool), *nav, *item;
	size_t i;

	if (!v || !(nav = render_list_new(pool)))
		return NULL;
	if (render_obj_str(pool, v, "site_title", site->cfg->title) ||
	    render_obj_str(pool, v, "site_lang", site->cfg->language) ||
	    render_obj_str(pool, v, "page_title", pool_printf(pool,
			   "%s - Newsroom - %s", title, site->cfg->title)) ||
	    render_obj_str(pool, v, "title", title) ||
	    render_obj_str(pool, v, "admin_css",
			   render_theme_asset_url(site->theme, "admin.css")) ||
	    render_obj_str(pool, v, "done_notice",
			   admin_view_notice(http_req_query(req, "done"))))
		return NULL;
	if (!staff)
		return v;
	for (i = 0; i < sizeof(admin_nav) / sizeof(admin_nav[0]); i++) {
		if (admin_nav[i].action >= 0 &&
		    !admin_role_can(staff->user.role,
				    (enum admin_action)admin_nav[i].action))
			continue;
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "name", admin_nav[i].name) ||
		    render_obj_str(pool, item, "url", admin_nav[i].url) ||
		    render_obj_bool(pool, item, "current", current &&
				    strcmp(current, admin_nav[i].key) == 0) ||
		    render_list_push(pool, nav, item))
			return NULL;
	}
	if (render_obj_set(pool, v, "admin_nav", nav) ||
	    render_obj_str(pool, v, "staff_name",
			   *staff->user.display_name ? staff->user.display_name
						     : staff->user.name) ||
	    render_obj_str(pool, v, "staff_role",
			   store_role_name(staff->user.role)) ||
	    render_obj_str(pool, v, "csrf", staff->csrf))
		return NULL;
	return v;
}

/* The headers of every admin answer: never stored, never indexed, never
 * framed (the CSP's frame-ancestors says so too; X-Frame-Options for
 * browsers that predate it). */
void
site_admin_headers(struct http_resp *resp)
{
	http_resp_header(resp, "Cache-Control", "no-store");
	http_resp_header(resp, "X-Robots-Tag", "noindex");
	http_resp_header(resp, "X-Frame-Options", "DENY");
}

int
site_admin_render(struct site *site, struct http_resp *resp, int status,
		  const char *tpl, const struct render_val *view)
{
	if (!view)
		return GZ_ENOMEM;
	site_admin_headers(resp);
	resp->status = status ? status : 200;
	resp->content_type = "text/html; charset=utf-8";
	return render_theme_render(site->theme, tpl, view, &resp->body);
}

int
site_admin_done(struct http_req *req, struct http_resp *resp,
		const char *path, const char *code)
{
	site_admin_headers(resp);
	return http_resp_redirect(resp, 303, pool_printf(req->pool,
				  "%s%sdone=%s", path,
				  strchr(path, '?') ? "&" : "?", code));
}

const char *
site_admin_ip(const struct site *site, struct http_req *req)
{
	const char *xff, *last;
	size_t len;

	/* As comments count a reader: behind a proxy gazette trusts, the
	 * last X-Forwarded-For entry is the browser's. */
	if (site->cfg->trust_proxy &&
	    (xff = http_req_header(req, "X-Forwarded-For")) != NULL) {
		last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		last += strspn(last, " \t");
		len = strcspn(last, " \t");
		if (len > 0 && len < 64)
			return pool_strndup(req->pool, last, len);
	}
	return req->ip ? req->ip : "";
}

int
site_admin_commit(struct site *site, const struct site_staff *staff, int rc,
		  const char *action, const char *object, const char *detail)
{
	assert(site && staff && action);
	if (rc == GZ_OK)
		rc = store_audit_add(site->store, staff->actor, action,
				     object ? object : "", detail ? detail : "",
				     staff->ip ? staff->ip : "", site_now());
	if (rc == GZ_OK)
		return store_tx_commit(site->store);
	store_tx_rollback(site->store);
	return rc;
}

int
site_admin_audit(struct site *site, struct http_req *req, const char *actor,
		 const char *action, const char *object, const char *detail)
{
	const char *ip = site_admin_ip(site, req);
	int rc;

	if (!ip)
		return GZ_ENOMEM;
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	if ((rc = store_audit_add(site->store, actor, action,
				  object ? object : "", detail ? detail : "",
				  ip, site_now())) != GZ_OK) {
		store_tx_rollback(site->store);
		return rc;
	}
	return store_tx_commit(site->store);
}
