/*
 * admin_users.c - the staff page (/admin/users, ADMIN_USER_MANAGE): every
 * account with its role, second factor and last sign-in; adding one;
 * changing a role; resetting a password or a second factor; removing an
 * account.
 *
 * Data flow: site_admin_begin, then the store's user functions, each
 * change with its audit entry in one transaction. A new or reset
 * password is made here (admin_password_generate), stored hashed with
 * must_change_password, and shown once on the answer page, never
 * again. Invariant: the store refuses to leave no admin (GZ_EBUSY), and
 * the page says so in a sentence.
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/date.h"
#include "util/err.h"
#include "util/pool.h"

/* What an answer page shows besides the list. */
struct users_extra {
	const char *error;       /* a sentence about the request, or NULL */
	const char *err_name;    /* the add form's name field */
	const char *add_name, *add_display;
	enum store_role add_role;
	const char *onetime;     /* a one-time password, shown once */
	const char *onetime_for; /* whose */
};

/* The roles as <option>s, selected marked. */
static struct render_val *
users_roles(struct pool *pool, enum store_role selected)
{
	struct render_val *list = render_list_new(pool), *item;
	int r;

	for (r = STORE_ROLE_ADMIN; store_role_name((enum store_role)r); r++)
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "name",
				   store_role_name((enum store_role)r)) ||
		    render_obj_bool(pool, item, "selected",
				    (enum store_role)r == selected) ||
		    render_list_push(pool, list, item))
			return NULL;
	return list;
}

static int
users_page(struct site *site, struct http_req *req, struct http_resp *resp,
	   const struct site_staff *staff, int status,
	   const struct users_extra *x)
{
	struct pool *pool = req->pool;
	struct render_val *v = site_admin_view(site, req, staff, "Users",
					       "users");
	struct render_val *list = render_list_new(pool), *item, *when;
	struct store_user *users = NULL;
	char human[DATE_MAX], iso[DATE_MAX];
	size_t i, n = 0;
	int rc;

	if (!v || !list)
		return GZ_ENOMEM;
	if ((rc = store_user_list(site->store, pool, &users, &n)) != GZ_OK)
		return rc;
	for (i = 0; i < n; i++) {
		const struct store_user *u = &users[i];

		when = NULL;
		if (u->last_signin_at) {
			date_format_human(u->last_signin_at, human);
			date_format_iso(u->last_signin_at, iso);
			if (!(when = render_obj_new(pool)) ||
			    render_obj_str(pool, when, "date_human",
					   pool_strdup(pool, human)) ||
			    render_obj_str(pool, when, "date_iso",
					   pool_strdup(pool, iso)))
				return GZ_ENOMEM;
		}
		if (!(item = render_obj_new(pool)) ||
		    render_obj_int(pool, item, "id", u->id) ||
		    render_obj_str(pool, item, "name", u->name) ||
		    render_obj_str(pool, item, "display_name", u->display_name) ||
		    render_obj_str(pool, item, "role", store_role_name(u->role)) ||
		    render_obj_bool(pool, item, "totp", u->totp_secret_len > 0) ||
		    render_obj_set(pool, item, "last_signin",
				   when ? when : render_bool(pool, false)) ||
		    render_obj_set(pool, item, "roles", users_roles(pool, u->role)) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	}
	if (render_obj_set(pool, v, "users", list) ||
	    render_obj_set(pool, v, "add_roles",
			   users_roles(pool, x ? x->add_role : STORE_ROLE_WRITER)) ||
	    (x && (render_obj_str(pool, v, "error", x->error) ||
		   render_obj_str(pool, v, "err_name", x->err_name) ||
		   render_obj_str(pool, v, "add_name", x->add_name) ||
		   render_obj_str(pool, v, "add_display", x->add_display) ||
		   render_obj_str(pool, v, "onetime", x->onetime) ||
		   render_obj_str(pool, v, "onetime_for", x->onetime_for))))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, status, "admin_users", v);
}

/* Ends a transaction: commits when rc is GZ_OK, else rolls back. Returns
 * the result. */
static int
users_tx_end(struct site *site, int rc)
{
	if (rc != GZ_OK) {
		store_tx_rollback(site->store);
		return rc;
	}
	return store_tx_commit(site->store);
}

/* POST /admin/users: a new account with a one-time password. */
static int
users_add(struct site *site, struct http_req *req, struct http_resp *resp,
	  const struct site_staff *staff)
{
	struct pool *pool = req->pool;
	struct users_extra x = {0};
	struct store_user u = {0};
	char onetime[ADMIN_ONETIME_LEN + 1], hash[ADMIN_HASH_MAX];
	const char *name = http_req_form(req, "name");
	const char *display = http_req_form(req, "display_name");
	const char *role = http_req_form(req, "role");
	const char *ip = site_admin_ip(site, req);
	int64_t id = 0;
	int rc;

	if (!ip)
		return GZ_ENOMEM;
	x.add_name = name ? pool_strndup(pool, name, strnlen(name, 64)) : "";
	x.add_display = display ? pool_strndup(pool, display,
					       strnlen(display, 256)) : "";
	x.add_role = STORE_ROLE_WRITER;
	if (!x.add_name || !x.add_display)
		return GZ_ENOMEM;
	if (!role || store_role_parse(role, &x.add_role) != GZ_OK)
		return GZ_EINVAL; /* only the select's values are sent */
	if (!store_user_name_ok(x.add_name)) {
		x.err_name = "Use 1 to 32 of a-z, 0-9, dot, dash and underscore.";
		return users_page(site, req, resp, staff, 422, &x);
	}
	admin_password_generate(onetime);
	if ((rc = admin_password_hash(site->admin, onetime, hash)) != GZ_OK)
		return rc;
	u.name = x.add_name;
	u.display_name = x.add_display;
	u.role = x.add_role;
	u.password_hash = hash;
	u.must_change_password = true;
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	rc = store_user_add(site->store, &u, &id);
	if (rc == GZ_OK)
		rc = store_audit_add(site->store, staff->actor, "user-add",
				     pool_printf(pool, "user:%s", u.name),
				     store_role_name(u.role), ip, site_now());
	rc = users_tx_end(site, rc);
	if (rc == GZ_EEXIST) {
		x.err_name = "That name is taken.";
		return users_page(site, req, resp, staff, 422, &x);
	}
	if (rc == GZ_EINVAL) {
		x.error = "The display name is too long, or not text.";
		return users_page(site, req, resp, staff, 422, &x);
	}
	if (rc != GZ_OK)
		return rc;
	x.add_name = x.add_display = NULL;
	x.onetime = pool_strdup(pool, onetime);
	x.onetime_for = u.name;
	return users_page(site, req, resp, staff, 0, &x);
}

int
site_admin_users(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	bool answered;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_USER_MANAGE, &staff,
				   &answered)) != GZ_OK || answered)
		return rc;
	if (req->method == HTTP_POST)
		return users_add(site, req, resp, &staff);
	return users_page(site, req, resp, &staff, 0, NULL);
}

/* POST /admin/users/{id}: action role, reset-password, reset-totp or
 * remove. */
int
site_admin_user(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct site_staff staff;
	struct users_extra x = {0};
	struct store_user u;
	enum store_role role;
	char onetime[ADMIN_ONETIME_LEN + 1], hash[ADMIN_HASH_MAX];
	const char *action = http_req_form(req, "action");
	const char *ip, *object, *what, *done;
	uint64_t id;
	bool answered;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_USER_MANAGE, &staff,
				   &answered)) != GZ_OK || answered)
		return rc;
	if (http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_user_get(site->store, pool, (int64_t)id, &u)) != GZ_OK)
		return rc;
	if (!action)
		return GZ_EINVAL;
	if (!(ip = site_admin_ip(site, req)) ||
	    !(object = pool_printf(pool, "user:%s", u.name)))
		return GZ_ENOMEM;
	if (strcmp(action, "role") == 0) {
		const char *r = http_req_form(req, "role");

		if (!r || store_role_parse(r, &role) != GZ_OK)
			return GZ_EINVAL;
		what = "user-role";
		done = "user-changed";
	} else if (strcmp(action, "reset-password") == 0) {
		admin_password_generate(onetime);
		if ((rc = admin_password_hash(site->admin, onetime, hash)) != GZ_OK)
			return rc;
		what = "user-password-reset";
		done = "password-reset";
	} else if (strcmp(action, "reset-totp") == 0) {
		what = "user-totp-reset";
		done = "totp-reset";
	} else if (strcmp(action, "remove") == 0) {
		what = "user-remove";
		done = "user-removed";
	} else {
		return GZ_EINVAL;
	}
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	if (strcmp(what, "user-role") == 0)
		rc = store_user_role_set(site->store, u.id, role);
	else if (strcmp(what, "user-password-reset") == 0) {
		/* Whoever holds the old password is signed out with it. */
		if ((rc = store_user_password_set(site->store, u.id, hash,
						  true)) == GZ_OK)
			rc = store_session_delete_user(site->store, u.id, NULL);
	} else if (strcmp(what, "user-totp-reset") == 0)
		rc = store_user_totp_set(site->store, u.id, NULL, 0);
	else
		rc = store_user_remove(site->store, u.id);
	if (rc == GZ_OK)
		rc = store_audit_add(site->store, staff.actor, what, object,
				     strcmp(what, "user-role") == 0
				     ? store_role_name(role) : "", ip,
				     site_now());
	rc = users_tx_end(site, rc);
	if (rc == GZ_EBUSY) {
		x.error = "The site needs at least one admin: make another account admin first.";
		return users_page(site, req, resp, &staff, 422, &x);
	}
	if (rc != GZ_OK)
		return rc;
	if (strcmp(what, "user-password-reset") == 0) {
		x.onetime = pool_strdup(pool, onetime);
		x.onetime_for = u.name;
		return users_page(site, req, resp, &staff, 0, &x);
	}
	/* Removing or demoting oneself ends what this page may show. */
	if (u.id == staff.user.id && strcmp(what, "user-totp-reset") != 0)
		return site_admin_done(req, resp, "/admin/account", done);
	return site_admin_done(req, resp, "/admin/users", done);
}
