/*
 * admin_users.c - the staff page (/admin/users, ADMIN_USER_MANAGE): every
 * account with its role, second factor and last sign-in; adding one;
 * changing a role; resetting a password or a second factor; removing an
 * account.
 *
 * Data flow: site_admin_begin, then the store's user functions, each
 * change with its audit entry in one transaction. A new or reset
 * password is made here (admin_password_generate), hashed on a hashing
 * thread while the request is suspended (no Argon2 on a server thread),
 * stored hashed with must_change_password, and shown once on the answer
 * page, never again. Invariant: the store refuses to leave no admin
 * (GZ_EFORBIDDEN), and the page says so in a sentence.
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

/* A change waiting for its one-time password's hash, in the request's
 * pool while the request is suspended (a hash never runs on a server
 * thread). */
struct users_wait {
	struct site_staff staff;
	struct users_extra x;        /* users_add's page */
	struct store_user u;         /* the account added, or changed */
	enum store_role role;        /* site_admin_user's "role" */
	const char *what, *done;     /* site_admin_user's action, notice */
	const char *object;          /* "user:NAME" */
	char onetime[ADMIN_ONETIME_LEN + 1];
	struct admin_job *job;
};

static const char users_busy[] =
	"Too many passwords being made at once. Try again in a moment.";

/* The hashing thread is done: the request goes on. */
static void
users_resume(void *ctx)
{
	http_resume(ctx);
}

/* Makes w's one-time password and hands its hash to a hashing thread,
 * suspending req; the handler answers when called again, with w as
 * req->state. Returns GZ_EPENDING, or an answer when the server is
 * stopping (503). */
static int
users_suspend(struct site *site, struct http_req *req, struct http_resp *resp,
	      struct users_wait *w)
{
	struct http_resume *resume;

	admin_password_generate(w->onetime);
	if (!(w->job = pool_alloc(req->pool, admin_job_size())))
		return GZ_ENOMEM;
	req->state = w;
	if (!(resume = http_req_suspend(req))) {
		w->x.error = users_busy;
		return users_page(site, req, resp, &w->staff, 503, &w->x);
	}
	admin_password_hash_async(site->admin, NULL, NULL, w->onetime, w->job,
				  users_resume, resume);
	return GZ_EPENDING;
}

/* The one-time password's hash, on the resumed call: GZ_OK with *hash,
 * GZ_EBUSY (not made: too many at once) or GZ_ENOMEM. */
static int
users_hashed(const struct users_wait *w, const char **hash)
{
	int rc = admin_job_result(w->job);

	*hash = admin_job_hash(w->job);
	if (rc == GZ_OK && !**hash)
		rc = GZ_ENOMEM;
	return rc;
}

/* POST /admin/users, resumed: the account, with its one-time password's
 * hash. */
static int
users_add_finish(struct site *site, struct http_req *req,
		 struct http_resp *resp, struct users_wait *w)
{
	struct pool *pool = req->pool;
	struct users_extra *x = &w->x;
	const char *hash;
	int64_t id = 0;
	int rc;

	site_admin_headers(resp);
	rc = users_hashed(w, &hash);
	if (rc == GZ_EBUSY) {
		x->error = users_busy;
		return users_page(site, req, resp, &w->staff, 503, x);
	}
	if (rc != GZ_OK)
		return rc;
	w->u.password_hash = hash;
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	rc = store_user_add(site->store, &w->u, &id);
	if (rc == GZ_OK)
		rc = store_audit_add(site->store, w->staff.actor, "user-add",
				     pool_printf(pool, "user:%s", w->u.name),
				     store_role_name(w->u.role), w->staff.ip,
				     site_now());
	rc = users_tx_end(site, rc);
	if (rc == GZ_EEXIST) {
		x->err_name = "That name is taken.";
		return users_page(site, req, resp, &w->staff, 422, x);
	}
	if (rc == GZ_EINVAL) {
		x->error = "The display name is too long, or not text.";
		return users_page(site, req, resp, &w->staff, 422, x);
	}
	if (rc != GZ_OK)
		return rc;
	x->add_name = x->add_display = NULL;
	x->onetime = pool_strdup(pool, w->onetime);
	x->onetime_for = w->u.name;
	return users_page(site, req, resp, &w->staff, 0, x);
}

/* POST /admin/users: a new account with a one-time password. */
static int
users_add(struct site *site, struct http_req *req, struct http_resp *resp,
	  struct users_wait *w)
{
	struct pool *pool = req->pool;
	struct users_extra *x = &w->x;
	const char *name = http_req_form(req, "name");
	const char *display = http_req_form(req, "display_name");
	const char *role = http_req_form(req, "role");

	x->add_name = name ? pool_strndup(pool, name, strnlen(name, 64)) : "";
	x->add_display = display ? pool_strndup(pool, display,
						strnlen(display, 256)) : "";
	x->add_role = STORE_ROLE_WRITER;
	if (!x->add_name || !x->add_display)
		return GZ_ENOMEM;
	if (!role || store_role_parse(role, &x->add_role) != GZ_OK)
		return GZ_EINVAL; /* only the select's values are sent */
	if (!store_user_name_ok(x->add_name)) {
		x->err_name = "Use 1 to 32 of a-z, 0-9, dot, dash and underscore.";
		return users_page(site, req, resp, &w->staff, 422, x);
	}
	w->u.name = x->add_name;
	w->u.display_name = x->add_display;
	w->u.role = x->add_role;
	w->u.must_change_password = true;
	return users_suspend(site, req, resp, w);
}

int
site_admin_users(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct users_wait *w;
	bool answered;
	int rc;

	if (req->resumed)
		return users_add_finish(site, req, resp, req->state);
	if (!(w = pool_calloc(req->pool, 1, sizeof(*w))))
		return GZ_ENOMEM;
	if ((rc = site_admin_begin(site, req, resp, ADMIN_USER_MANAGE,
				   &w->staff, &answered)) != GZ_OK || answered)
		return rc;
	if (req->method == HTTP_POST)
		return users_add(site, req, resp, w);
	return users_page(site, req, resp, &w->staff, 0, NULL);
}

/* The change site_admin_user asked for (w->what), with hash the reset
 * password's (NULL for the other actions), and its answer. */
static int
user_apply(struct site *site, struct http_req *req, struct http_resp *resp,
	   struct users_wait *w, const char *hash)
{
	struct pool *pool = req->pool;
	const struct store_user *u = &w->u;
	struct users_extra x = {0};
	int rc;

	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	if (strcmp(w->what, "user-role") == 0)
		rc = store_user_role_set(site->store, u->id, w->role);
	else if (strcmp(w->what, "user-password-reset") == 0) {
		/* Whoever holds the old password is signed out with it. */
		if ((rc = store_user_password_set(site->store, u->id, hash,
						  true)) == GZ_OK)
			rc = store_session_delete_user(site->store, u->id,
						       NULL);
	} else if (strcmp(w->what, "user-totp-reset") == 0)
		rc = store_user_totp_set(site->store, u->id, NULL, 0);
	else
		rc = store_user_remove(site->store, u->id);
	if (rc == GZ_OK)
		rc = store_audit_add(site->store, w->staff.actor, w->what,
				     w->object,
				     strcmp(w->what, "user-role") == 0
				     ? store_role_name(w->role) : "",
				     w->staff.ip, site_now());
	rc = users_tx_end(site, rc);
	if (rc == GZ_EFORBIDDEN) {
		x.error = "The site needs at least one admin: make another account admin first.";
		return users_page(site, req, resp, &w->staff, 422, &x);
	}
	if (rc != GZ_OK)
		return rc;
	if (strcmp(w->what, "user-password-reset") == 0) {
		x.onetime = pool_strdup(pool, w->onetime);
		x.onetime_for = u->name;
		return users_page(site, req, resp, &w->staff, 0, &x);
	}
	/* Removing or demoting oneself ends what this page may show. */
	if (u->id == w->staff.user.id && strcmp(w->what, "user-totp-reset") != 0)
		return site_admin_done(req, resp, "/admin/account", w->done);
	return site_admin_done(req, resp, "/admin/users", w->done);
}

/* POST /admin/users/{id}, resumed: the reset password's hash is made. */
static int
user_finish(struct site *site, struct http_req *req, struct http_resp *resp,
	    struct users_wait *w)
{
	struct users_extra x = {0};
	const char *hash;
	int rc;

	site_admin_headers(resp);
	rc = users_hashed(w, &hash);
	if (rc == GZ_EBUSY) {
		x.error = users_busy;
		return users_page(site, req, resp, &w->staff, 503, &x);
	}
	if (rc != GZ_OK)
		return rc;
	return user_apply(site, req, resp, w, hash);
}

/* POST /admin/users/{id}: action role, reset-password, reset-totp or
 * remove. */
int
site_admin_user(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct pool *pool = req->pool;
	struct users_wait *w;
	const char *action = http_req_form(req, "action");
	uint64_t id;
	bool answered;
	int rc;

	if (req->resumed)
		return user_finish(site, req, resp, req->state);
	if (!(w = pool_calloc(pool, 1, sizeof(*w))))
		return GZ_ENOMEM;
	if ((rc = site_admin_begin(site, req, resp, ADMIN_USER_MANAGE,
				   &w->staff, &answered)) != GZ_OK || answered)
		return rc;
	if (http_parse_uint(req->params[0], INT64_MAX, &id) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_user_get(site->store, pool, (int64_t)id, &w->u)) !=
	    GZ_OK)
		return rc;
	if (!action)
		return GZ_EINVAL;
	if (!(w->object = pool_printf(pool, "user:%s", w->u.name)))
		return GZ_ENOMEM;
	if (strcmp(action, "role") == 0) {
		const char *r = http_req_form(req, "role");

		if (!r || store_role_parse(r, &w->role) != GZ_OK)
			return GZ_EINVAL;
		w->what = "user-role";
		w->done = "user-changed";
	} else if (strcmp(action, "reset-password") == 0) {
		w->what = "user-password-reset";
		w->done = "password-reset";
		return users_suspend(site, req, resp, w);
	} else if (strcmp(action, "reset-totp") == 0) {
		w->what = "user-totp-reset";
		w->done = "totp-reset";
	} else if (strcmp(action, "remove") == 0) {
		w->what = "user-remove";
		w->done = "user-removed";
	} else {
		return GZ_EINVAL;
	}
	return user_apply(site, req, resp, w, NULL);
}
