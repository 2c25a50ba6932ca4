/*
 * admin_gate.c - the gate every newsroom page but the sign-in ones
 * passes first (site_admin_begin): whose session the cookie names, and
 * whether it is live, has its second factor, may go where it asks, sent
 * its form from this site with its CSRF token, and holds a role that may
 * do what the page does.
 *
 * Data flow: cookie SITE_ADMIN_COOKIE -> admin_session_hash ->
 * store_session_get -> admin_session_live (at site_now()) -> the
 * account's duties (a one-time password to change, a second factor to
 * enrol) -> Origin and csrf on a POST -> admin_role_can. Invariants: a
 * request that does not pass changes nothing (the only write here is the
 * session's seen_at, and only once a request has passed); every answer,
 * passed or not, is marked no-store and noindex.
 *
 * POST /admin/media has a second gate before this one, on the headers
 * alone (site_admin_upload_gate, the route's http_gate_fn): the same
 * session, duties and role, read only, so that no stranger's upload is
 * read into memory.
 */
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* seen_at is written at most this often (store_session.seen_at). */
#define ADMIN_SEEN_EVERY 60

const char *
site_admin_next(const char *next)
{
	const char *p;

	if (!next || strncmp(next, "/admin", 6) != 0 ||
	    (next[6] != '\0' && next[6] != '/' && next[6] != '?'))
		return "/admin";
	if (strlen(next) > GZ_LIMIT_CACHE_URL_BYTES)
		return "/admin";
	for (p = next; *p; p++) {
		/* Controls and a backslash may be read as a new line or a
		 * slash by something on the way; "//" could become a host. */
		if ((unsigned char)*p < 0x21 || *p == 0x7f || *p == '\\' ||
		    (p[0] == '/' && p[1] == '/'))
			return "/admin";
		/* No "." or ".." segment: the path stays under /admin. */
		if (p[0] == '/' && p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0' || p[2] == '?' ||
		     (p[2] == '.' && (p[3] == '/' || p[3] == '\0' ||
				      p[3] == '?'))))
			return "/admin";
		if (*p == '?')
			break; /* the query may hold anything printable */
	}
	for (; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return "/admin";
	return next;
}

/* The paths a session may reach while it owes a new password (the
 * account page and its form, and signing out). */
static bool
admin_gate_account_path(const char *path)
{
	return strcmp(path, "/admin/account") == 0 ||
	       strcmp(path, "/admin/account/password") == 0 ||
	       strcmp(path, "/admin/logout") == 0 ||
	       strcmp(path, "/admin/logout/all") == 0;
}

/* The same while an admin must enrol a second factor first. */
static bool
admin_gate_totp_path(const char *path)
{
	return strcmp(path, "/admin/account/totp") == 0 ||
	       strcmp(path, "/admin/logout") == 0 ||
	       strcmp(path, "/admin/logout/all") == 0;
}

/* Sends the browser to sign in: a GET comes back to where it was. */
static int
admin_gate_signin(struct http_req *req, struct http_resp *resp)
{
	struct buf b;
	const char *to;

	if (req->method == HTTP_POST || strcmp(req->path, "/admin") == 0)
		return http_resp_redirect(resp, 303, "/admin/login");
	buf_init(&b, 4 * GZ_LIMIT_CACHE_URL_BYTES);
	buf_puts(&b, "/admin/login?next=");
	render_escape_url(&b, req->path, strlen(req->path));
	to = b.err ? "/admin/login" : pool_strndup(req->pool, b.data, b.len);
	buf_fini(&b);
	return http_resp_redirect(resp, 303, to);
}

/* The session req's cookie names, read and judged without writing: it
 * is live and has its second factor. On GZ_OK with *answered false, *s
 * is it and hash its id's hash; else resp is the answer (a 303 to sign
 * in, or to the code step) and *answered true, or the store's error. */
static int
admin_gate_session(struct site *site, struct http_req *req,
		   struct http_resp *resp,
		   unsigned char hash[ADMIN_HASH_BYTES],
		   struct store_session *s, bool *answered)
{
	const char *cookie = http_req_cookie(req, SITE_ADMIN_COOKIE);
	int64_t now = site_now();
	int rc;

	*answered = true;
	if (!cookie || admin_session_hash(cookie, hash) != GZ_OK)
		return admin_gate_signin(req, resp);
	rc = store_session_get(site->store, req->pool, hash, s);
	if (rc == GZ_ENOTFOUND)
		return admin_gate_signin(req, resp);
	if (rc != GZ_OK)
		return rc;
	if (!admin_session_live(s->seen_at, s->expires_at, now))
		return admin_gate_signin(req, resp);
	/* The password is right, the code not given yet: the second step,
	 * while it may still be taken. */
	if (!s->second_factor) {
		if (now - s->created_at <= GZ_LIMIT_SIGNIN_STEP_SECONDS &&
		    req->method != HTTP_POST)
			return http_resp_redirect(resp, 303, "/admin/login/code");
		return admin_gate_signin(req, resp);
	}
	*answered = false;
	return GZ_OK;
}

/* What user owes before going anywhere else (a new password, a second
 * factor to enrol), then whether the role may do need. Returns GZ_OK
 * with *answered false when the request goes on; GZ_OK with resp a 303
 * to the duty and *answered true; or GZ_EFORBIDDEN. */
static int
admin_gate_duties(const struct site *site, struct http_req *req,
		  struct http_resp *resp, const struct store_user *user,
		  enum admin_action need, bool *answered)
{
	*answered = true;
	if (user->must_change_password &&
	    !admin_gate_account_path(req->path))
		return http_resp_redirect(resp, 303,
					  "/admin/account?done=change-password");
	if (site->cfg->admin_require_totp && user->role == STORE_ROLE_ADMIN &&
	    user->totp_secret_len == 0 && !user->must_change_password &&
	    !admin_gate_totp_path(req->path))
		return http_resp_redirect(resp, 303,
					  "/admin/account/totp?done=enrol-totp");
	if (!admin_role_can(user->role, need))
		return GZ_EFORBIDDEN;
	*answered = false;
	return GZ_OK;
}

int
site_admin_begin(struct site *site, struct http_req *req,
		 struct http_resp *resp, enum admin_action need,
		 struct site_staff *staff, bool *answered)
{
	struct store_session s;
	int64_t now = site_now();
	int rc;

	site_admin_headers(resp);
	memset(staff, 0, sizeof(*staff));
	if ((rc = admin_gate_session(site, req, resp, staff->session, &s,
				     answered)) || *answered)
		return rc;
	*answered = true;
	if (req->method == HTTP_POST) {
		admin_csrf_token(site->admin, staff->session, staff->csrf);
		if (!site_admin_origin_ok(site, req) ||
		    !admin_csrf_check(site->admin, staff->session,
				      http_req_form(req, "csrf")))
			return GZ_EFORBIDDEN;
	}
	if ((rc = admin_gate_duties(site, req, resp, &s.user, need,
				    answered)) || *answered)
		return rc;
	*answered = true;
	staff->user = s.user;
	admin_csrf_token(site->admin, staff->session, staff->csrf);
	if (!(staff->actor = pool_printf(req->pool, "admin:%s", s.user.name)) ||
	    !(staff->ip = site_admin_ip(site, req)))
		return GZ_ENOMEM;
	if (now - s.seen_at >= ADMIN_SEEN_EVERY) {
		/* A failed touch costs the session a minute of idleness at
		 * most: the page goes on. */
		if (store_tx_begin(site->store) == GZ_OK) {
			if (store_session_touch(site->store, staff->session,
						now) == GZ_OK)
				store_tx_commit(site->store);
			else
				store_tx_rollback(site->store);
		}
	}
	*answered = false;
	return GZ_OK;
}

/* The page for a photo over the upload limit (413): the file is refused
 * before a byte of it is read, so it cannot be the library's form shown
 * again (that needs the handler); the sentence is the one the form's
 * hint gives. */
static int
admin_gate_too_big(struct site *site, struct http_req *req,
		   struct http_resp *resp)
{
	static const char title[] = "File too large";
	struct render_val *view;
	int rc;

	if (!(view = site_view_page(site, req, title, NULL, NULL, NULL, &rc)))
		return rc;
	if (render_obj_int(req->pool, view, "status", 413) ||
	    render_obj_str(req->pool, view, "title", title) ||
	    render_obj_str(req->pool, view, "message",
			   pool_printf(req->pool, "The file is over the %u MB "
				       "limit: go back and upload a smaller "
				       "one.", GZ_LIMIT_MEDIA_BYTES /
				       (1024u * 1024u))))
		return GZ_ENOMEM;
	if ((rc = site_render(site, resp, "error", view)) != GZ_OK)
		return rc;
	resp->status = 413;
	return GZ_OK;
}

int
site_admin_upload_gate(void *ctx, struct http_req *req,
		       struct http_resp *resp)
{
	struct site *site = ctx;
	unsigned char hash[ADMIN_HASH_BYTES];
	struct store_session s;
	const char *cl;
	uint64_t declared;
	bool answered;
	int rc;

	site_admin_headers(resp);
	if ((rc = admin_gate_session(site, req, resp, hash, &s, &answered)) ||
	    answered)
		return rc;
	/* The csrf token is in the body, not read yet: the handler checks
	 * it. The Origin is a header. */
	if (!site_admin_origin_ok(site, req))
		return GZ_EFORBIDDEN;
	if ((rc = admin_gate_duties(site, req, resp, &s.user,
				    ADMIN_MEDIA_UPLOAD, &answered)) || answered)
		return rc;
	cl = http_req_header(req, "Content-Length");
	if (cl && http_parse_uint(cl, UINT64_MAX, &declared) == GZ_OK &&
	    declared > GZ_LIMIT_UPLOAD_BODY_BYTES)
		return admin_gate_too_big(site, req, resp);
	return GZ_OK;
}
