/*
 * admin_login.c - signing in and out of the newsroom: the password step
 * (/admin/login), the second step (/admin/login/code: a TOTP code or a
 * recovery code), and signing out (/admin/logout, /admin/logout/all).
 *
 * Data flow: GET /admin/login gives the browser a pre-session cookie
 * (gz_login: admin_login_new's token, good for GZ_LIMIT_LOGIN_SECONDS)
 * and a form whose csrf field is that token's CSRF token; a token signs
 * in once (admin_login_spend), and the answer to a sign-in expires it.
 * POST checks Origin, csrf and the throttles, reads the account and
 * verifies the password on a hashing thread (admin.h) while the
 * request is suspended, so that no server thread waits for Argon2; the
 * resumed call answers: a new session (store_session_add) and its cookie,
 * or the form again. A session owing its second factor reaches only
 * /admin/login/code, for GZ_LIMIT_SIGNIN_STEP_SECONDS.
 *
 * Invariants: the answer to a wrong password never says whether the
 * account exists (one sentence, and an unknown name is verified against
 * admin_password_dummy, so that both take as long); every failure counts
 * in the throttle and the audit log; no sign-in page is cached or framed.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* The pre-session cookie that the sign-in form's token is bound to. */
#define LOGIN_COOKIE "gz_login"

static const char login_wrong[] = "The name or password is wrong.";
static const char login_busy[] =
	"Too many sign-ins at once. Try again in a moment.";

/* A sign-in waiting for its password's verification, in the request's
 * pool while the request is suspended. */
struct login_wait {
	struct admin_job *job;
	const char *name;  /* as typed */
	const char *next;  /* checked: site_admin_next */
	const char *ip;
	unsigned char login[ADMIN_HASH_BYTES]; /* the gz_login token's hash */
	int64_t login_expires;                 /* and its expiry */
	struct store_user user;
	bool found;        /* name is an account's */
};

/* True when the site is served over https: cookies get Secure. */
static bool
login_https(const struct site *site)
{
	return strncasecmp(site->cfg->base_url, "https://", 8) == 0;
}

/* Set-Cookie's value: name=value with the admin's attributes; max_age
 * < 0 leaves it a session cookie. In the pool. */
static const char *
login_cookie(const struct site *site, struct pool *pool, const char *name,
	     const char *value, int max_age)
{
	char age[32] = "";

	if (max_age >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%d", max_age);
	return pool_printf(pool, "%s=%s; Path=/admin; HttpOnly; SameSite=Strict%s%s",
			   name, value, age, login_https(site) ? "; Secure" : "");
}

/* The sign-in form: status 0 (200), 422 (wrong), 429 (throttled) or 503
 * (too many at once), with name kept and error one sentence or NULL. The
 * csrf token is that of the browser's gz_login cookie (hash). */
static int
login_form(struct site *site, struct http_req *req, struct http_resp *resp,
	   int status, const unsigned char hash[ADMIN_HASH_BYTES],
	   const char *name, const char *next, const char *error)
{
	struct render_val *v = site_admin_view(site, req, NULL, "Sign in",
					       NULL);
	char csrf[ADMIN_TOKEN_LEN + 1];

	if (!v)
		return GZ_ENOMEM;
	admin_csrf_token(site->admin, hash, csrf);
	if (render_obj_str(req->pool, v, "csrf", pool_strdup(req->pool, csrf)) ||
	    render_obj_str(req->pool, v, "name", name) ||
	    render_obj_str(req->pool, v, "next", next) ||
	    render_obj_str(req->pool, v, "error", error))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, status, "admin_login", v);
}

/* The browser's gz_login token's hash (and *expires, when not NULL),
 * when it has one that is live and not spent on a sign-in yet. */
static bool
login_cookie_hash(struct site *site, struct http_req *req,
		  unsigned char hash[ADMIN_HASH_BYTES], int64_t *expires)
{
	int64_t now = site_now();

	return admin_login_read(http_req_cookie(req, LOGIN_COOKIE), now, hash,
				expires) == GZ_OK &&
	       !admin_login_spent(site->admin, hash, now);
}

/* GET: the form, and the cookie its token is bound to: the browser's
 * own while it is good, so that two tabs both work, else a new one. */
static int
login_get(struct site *site, struct http_req *req, struct http_resp *resp)
{
	const char *cookie = http_req_cookie(req, LOGIN_COOKIE);
	char fresh[ADMIN_LOGIN_COOKIE_MAX + 1];
	unsigned char hash[ADMIN_HASH_BYTES];
	int64_t now = site_now(), expires = 0;

	if (!login_cookie_hash(site, req, hash, &expires)) {
		admin_login_new(now, fresh, hash, &expires);
		cookie = fresh;
	}
	/* The browser forgets the cookie when the token stops being good. */
	if (http_resp_header(resp, "Set-Cookie", login_cookie(site, req->pool,
			     LOGIN_COOKIE, cookie, (int)(expires - now))))
		return GZ_ENOMEM;
	return login_form(site, req, resp, 0, hash, "",
			  site_admin_next(http_req_query(req, "next")), NULL);
}

/* The hashing thread is done: the request goes on. */
static void
login_resume(void *ctx)
{
	http_resume(ctx);
}

/* "Try again in N minutes." for a throttled sign-in. */
static const char *
login_throttled(struct pool *pool, int64_t retry_after)
{
	int64_t min = (retry_after + 59) / 60;

	if (min < 1)
		min = 1;
	return pool_printf(pool, "Too many failed sign-ins. Try again in %lld minute%s.",
			   (long long)min, min == 1 ? "" : "s");
}

/* POST, first call: the checks, then the verification, suspended. */
static int
login_post(struct site *site, struct http_req *req, struct http_resp *resp)
{
	struct login_wait *w;
	struct http_resume *resume;
	unsigned char hash[ADMIN_HASH_BYTES];
	const char *name = http_req_form(req, "name");
	const char *password = http_req_form(req, "password");
	const char *hash_text;
	int64_t retry = 0;
	int rc;

	if (!(w = pool_calloc(req->pool, 1, sizeof(*w))))
		return GZ_ENOMEM;
	/* A token spent on a sign-in already is no token: a form signs in
	 * once. */
	if (!site_admin_origin_ok(site, req) ||
	    !login_cookie_hash(site, req, w->login, &w->login_expires) ||
	    !admin_csrf_check(site->admin, w->login,
			      http_req_form(req, "csrf")))
		return GZ_EFORBIDDEN;
	memcpy(hash, w->login, sizeof(hash));
	if (!(w->ip = site_admin_ip(site, req)))
		return GZ_ENOMEM;
	/* What was typed, cut to what a name can be, is shown again. */
	w->name = name ? pool_strndup(req->pool, name, strnlen(name, 64)) : "";
	w->next = site_admin_next(http_req_form(req, "next"));
	if (!w->name)
		return GZ_ENOMEM;
	/* Counted now, before the hash: tries sent at once are all counted
	 * before any is judged (a right one is taken back). */
	/* retry 0: the shared throttle could not be asked (the
	 * database): refused as busy, never let through. */
	if (!admin_throttle_attempt(site->admin, w->name, w->ip, site_now(),
				    &retry))
		return retry == 0
			? login_form(site, req, resp, 503, hash, w->name,
				     w->next, login_busy)
			: login_form(site, req, resp, 429, hash, w->name,
				     w->next, login_throttled(req->pool, retry));
	if (!password || strlen(password) > GZ_LIMIT_PASSWORD_BYTES)
		password = "";
	rc = store_user_name_ok(w->name)
		? store_user_by_name(site->store, req->pool, w->name, &w->user)
		: GZ_ENOTFOUND;
	if (rc != GZ_OK && rc != GZ_ENOTFOUND)
		return rc;
	w->found = rc == GZ_OK;
	hash_text = w->found ? w->user.password_hash
			     : admin_password_dummy(site->admin);
	if (!(w->job = pool_alloc(req->pool, admin_job_size())))
		return GZ_ENOMEM;
	req->state = w;
	if (!(resume = http_req_suspend(req))) {
		admin_throttle_forgive(site->admin, w->name, w->ip);
		return login_form(site, req, resp, 503, hash, w->name, w->next,
				  login_busy);
	}
	/* A hash made at a weaker cost than the site's is made again once
	 * the password is known right (rare: after [admin] hash_cost rises),
	 * by the same job, on the hashing thread. */
	if (w->found && !admin_password_problem(password) &&
	    admin_password_needs_rehash(site->admin, hash_text))
		admin_password_hash_async(site->admin, hash_text, password,
					  password, w->job, login_resume,
					  resume);
	else
		admin_password_verify_async(site->admin, hash_text, password,
					    w->job, login_resume, resume);
	return GZ_EPENDING;
}

/* Where a signed-in session goes first. In the pool; NULL when out of
 * memory. */
static const char *
login_next(struct site *site, struct pool *pool, const struct store_user *u,
	   const char *next)
{
	struct buf b;
	const char *to;

	if (u->totp_secret_len) {
		if (strcmp(next, "/admin") == 0)
			return "/admin/login/code";
		buf_init(&b, 4 * GZ_LIMIT_CACHE_URL_BYTES);
		buf_puts(&b, "/admin/login/code?next=");
		render_escape_url(&b, next, strlen(next));
		to = b.err ? NULL : pool_strndup(pool, b.data, b.len);
		buf_fini(&b);
		return to;
	}
	if (site->cfg->admin_require_totp && u->role == STORE_ROLE_ADMIN &&
	    !u->must_change_password)
		return "/admin/account/totp?done=enrol-totp";
	return next;
}

/* POST, resumed: the verification's answer. */
static int
login_finish(struct site *site, struct http_req *req, struct http_resp *resp,
	     struct login_wait *w)
{
	unsigned char hash[ADMIN_HASH_BYTES], sid[ADMIN_HASH_BYTES];
	char token[ADMIN_TOKEN_LEN + 1];
	const char *actor, *object, *to, *rehash;
	int64_t now = site_now();
	int rc = admin_job_result(w->job);
	bool second;

	memcpy(hash, w->login, sizeof(hash));
	/* A rehash that failed (Argon2's memory refused) after the password
	 * matched: the old hash stays and the sign-in goes on. */
	if (rc == GZ_ENOMEM && admin_job_verified(w->job))
		rc = GZ_OK;
	if (rc == GZ_EBUSY) {
		/* Never hashed: not a failure. */
		admin_throttle_forgive(site->admin, w->name, w->ip);
		return login_form(site, req, resp, 503, hash, w->name, w->next,
				  login_busy);
	}
	if (rc != GZ_OK && rc != GZ_EFORBIDDEN)
		return rc;
	/* What was typed is logged only when it can be a name: anything
	 * else (not UTF-8, say) would not be text in the log. */
	object = store_user_name_ok(w->name)
		? pool_printf(req->pool, "user:%s", w->name) : "user:?";
	if (!object)
		return GZ_ENOMEM;
	if (rc != GZ_OK || !w->found) {
		/* Counted when accepted. */
		if ((rc = site_admin_audit(site, req, "web", "signin-failed",
					   object, w->found ? "password"
					   : "password, no such account")) != GZ_OK)
			return rc;
		return login_form(site, req, resp, 422, hash, w->name, w->next,
				  login_wrong);
	}
	second = w->user.totp_secret_len == 0;
	/* A right password is not a failure; the account's count is cleared
	 * only when the whole sign-in is done, so wrong codes keep counting
	 * however often the password is typed again. */
	if (second)
		admin_throttle_succeeded(site->admin, w->name);
	admin_throttle_forgive(site->admin, second ? NULL : w->name, w->ip);
	/* The new hash when one was asked for and made, else "". */
	rehash = admin_job_hash(w->job);
	/* The form's token signs in once: spent before the session is
	 * made, so that two right POSTs of one form race for one session.
	 * A full set of spent tokens refuses rather than forgets one. */
	rc = admin_login_spend(site->admin, w->login, w->login_expires, now);
	if (rc == GZ_EEXIST)
		return GZ_EFORBIDDEN;
	if (rc == GZ_EBUSY)
		return login_form(site, req, resp, 503, hash, w->name, w->next,
				  login_busy);
	if (rc != GZ_OK)
		return rc;
	admin_session_new(token, sid);
	if (!(actor = pool_printf(req->pool, "admin:%s", w->user.name)))
		return GZ_ENOMEM;
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	if ((rc = store_session_add(site->store, sid, w->user.id, now,
				    now + GZ_LIMIT_SESSION_SECONDS, second,
				    w->ip)) != GZ_OK ||
	    (rehash[0] && (rc = store_user_password_set(
			site->store, w->user.id, rehash,
			w->user.must_change_password)) != GZ_OK) ||
	    (second && (rc = store_user_signin_at(site->store, w->user.id,
						  now)) != GZ_OK) ||
	    (rc = store_audit_add(site->store, actor, second ? "signin"
				  : "signin-password", object,
				  second ? "" : "second factor owed", w->ip,
				  now)) != GZ_OK) {
		store_tx_rollback(site->store);
		return rc;
	}
	if ((rc = store_tx_commit(site->store)) != GZ_OK)
		return rc;
	site_admin_headers(resp);
	/* The session's cookie, and the spent form token's, expired. */
	if (http_resp_header(resp, "Set-Cookie", login_cookie(site, req->pool,
			     SITE_ADMIN_COOKIE, token, -1)) ||
	    http_resp_header_add(resp, "Set-Cookie", login_cookie(site,
				 req->pool, LOGIN_COOKIE, "", 0)))
		return GZ_ENOMEM;
	to = login_next(site, req->pool, &w->user, w->next);
	return http_resp_redirect(resp, 303, to);
}

int
site_admin_login(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;

	site_admin_headers(resp);
	if (req->resumed)
		return login_finish(site, req, resp, req->state);
	if (req->method == HTTP_POST)
		return login_post(site, req, resp);
	return login_get(site, req, resp);
}

/* ---- the second step -------------------------------------------------- */

/* The session owing its second factor, still in time for it. Output:
 * *s, hash. Returns GZ_OK, GZ_ENOTFOUND (none: sign in again) or the
 * store's error. */
static int
code_session(struct site *site, struct http_req *req,
	     unsigned char hash[ADMIN_HASH_BYTES], struct store_session *s)
{
	const char *cookie = http_req_cookie(req, SITE_ADMIN_COOKIE);
	int64_t now = site_now();
	int rc;

	if (!cookie || admin_session_hash(cookie, hash) != GZ_OK)
		return GZ_ENOTFOUND;
	if ((rc = store_session_get(site->store, req->pool, hash, s)) != GZ_OK)
		return rc;
	if (!admin_session_live(s->seen_at, s->expires_at, now) ||
	    now - s->created_at > GZ_LIMIT_SIGNIN_STEP_SECONDS ||
	    s->user.totp_secret_len == 0)
		return GZ_ENOTFOUND;
	return GZ_OK;
}

/* The second step's form, error one sentence or NULL. */
static int
code_form(struct site *site, struct http_req *req, struct http_resp *resp,
	  int status, const unsigned char hash[ADMIN_HASH_BYTES],
	  const char *next, const char *error)
{
	struct render_val *v = site_admin_view(site, req, NULL,
					       "Two-step sign-in", NULL);
	char csrf[ADMIN_TOKEN_LEN + 1];

	if (!v)
		return GZ_ENOMEM;
	admin_csrf_token(site->admin, hash, csrf);
	if (render_obj_str(req->pool, v, "csrf", pool_strdup(req->pool, csrf)) ||
	    render_obj_str(req->pool, v, "next", next) ||
	    render_obj_str(req->pool, v, "error", error))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, status, "admin_code", v);
}

/* True when code, spaces dropped, is six digits: a TOTP code. */
static bool
code_is_totp(const char *code)
{
	size_t digits = 0;

	for (; *code; code++) {
		if (*code == ' ')
			continue;
		if (*code < '0' || *code > '9')
			return false;
		digits++;
	}
	return digits == 6;
}

/* Checks code against s's account and, when right, marks the session's
 * second factor passed, in one transaction with its audit entry. Output:
 * *right. */
static int
code_check(struct site *site, struct http_req *req,
	   const unsigned char hash[ADMIN_HASH_BYTES],
	   const struct store_session *s, const char *code, const char *ip,
	   bool *right)
{
	unsigned char rhash[ADMIN_HASH_BYTES];
	const char *actor = pool_printf(req->pool, "admin:%s", s->user.name);
	const char *object = pool_printf(req->pool, "user:%s", s->user.name);
	int64_t now = site_now(), step = 0;
	bool totp = code_is_totp(code);
	int rc;

	*right = false;
	if (!actor || !object)
		return GZ_ENOMEM;
	if (totp && admin_totp_check(s->user.totp_secret,
				     s->user.totp_secret_len, code, now,
				     &step) != GZ_OK)
		return GZ_OK;
	if (!totp && admin_recovery_hash(code, rhash) != GZ_OK)
		return GZ_OK;
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	/* A code already used (its step, or a spent recovery code) is
	 * wrong: nothing is written. */
	rc = totp ? store_user_totp_step(site->store, s->user_id, step)
		  : store_recovery_use(site->store, s->user_id, rhash);
	if (rc == GZ_EEXIST || rc == GZ_ENOTFOUND) {
		store_tx_rollback(site->store);
		return GZ_OK;
	}
	if (rc != GZ_OK ||
	    (rc = store_session_factor_set(site->store, hash)) != GZ_OK ||
	    (rc = store_user_signin_at(site->store, s->user_id, now)) != GZ_OK ||
	    (rc = store_audit_add(site->store, actor, "signin", object,
				  totp ? "totp" : "recovery code", ip,
				  now)) != GZ_OK) {
		store_tx_rollback(site->store);
		return rc;
	}
	if ((rc = store_tx_commit(site->store)) != GZ_OK)
		return rc;
	*right = true;
	return GZ_OK;
}

int
site_admin_login_code(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct store_session s;
	unsigned char hash[ADMIN_HASH_BYTES];
	const char *code, *ip, *next;
	int64_t retry = 0, now = site_now();
	bool right;
	int rc;

	site_admin_headers(resp);
	rc = code_session(site, req, hash, &s);
	if (rc == GZ_ENOTFOUND)
		return http_resp_redirect(resp, 303, "/admin/login");
	if (rc != GZ_OK)
		return rc;
	if (s.second_factor)
		return http_resp_redirect(resp, 303, "/admin");
	if (req->method != HTTP_POST)
		return code_form(site, req, resp, 0, hash,
				 site_admin_next(http_req_query(req, "next")),
				 NULL);
	if (!site_admin_origin_ok(site, req) ||
	    !admin_csrf_check(site->admin, hash, http_req_form(req, "csrf")))
		return GZ_EFORBIDDEN;
	next = site_admin_next(http_req_form(req, "next"));
	if (!(ip = site_admin_ip(site, req)))
		return GZ_ENOMEM;
	if (!admin_throttle_attempt(site->admin, s.user.name, ip, now, &retry))
		return code_form(site, req, resp, retry == 0 ? 503 : 429, hash,
				 next, retry == 0 ? login_busy
				 : login_throttled(req->pool, retry));
	code = http_req_form(req, "code");
	if (!code || strlen(code) > 64)
		code = "";
	if ((rc = code_check(site, req, hash, &s, code, ip, &right)) != GZ_OK)
		return rc;
	if (!right) {
		/* Counted when accepted, and kept until a whole sign-in. */
		if ((rc = site_admin_audit(site, req, pool_printf(req->pool,
					   "admin:%s", s.user.name),
					   "signin-failed", pool_printf(req->pool,
					   "user:%s", s.user.name), "code")) != GZ_OK)
			return rc;
		return code_form(site, req, resp, 422, hash, next,
				 "The code is wrong, or was used already.");
	}
	admin_throttle_succeeded(site->admin, s.user.name);
	admin_throttle_forgive(site->admin, NULL, ip);
	return http_resp_redirect(resp, 303, next);
}

/* ---- signing out ------------------------------------------------------ */

/* Ends this session (all false) or every session of its user, with the
 * cookie cleared. */
static int
logout(struct site *site, struct http_req *req, struct http_resp *resp,
       bool all)
{
	struct site_staff staff;
	const char *ip;
	bool answered;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_DASHBOARD, &staff,
				   &answered)) != GZ_OK || answered)
		return rc;
	if (!(ip = site_admin_ip(site, req)))
		return GZ_ENOMEM;
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	if ((rc = all ? store_session_delete_user(site->store, staff.user.id,
						  NULL)
		      : store_session_delete(site->store, staff.session)) != GZ_OK ||
	    (rc = store_audit_add(site->store, staff.actor,
				  all ? "signout-all" : "signout",
				  pool_printf(req->pool, "user:%s",
					      staff.user.name), "", ip,
				  site_now())) != GZ_OK) {
		store_tx_rollback(site->store);
		return rc;
	}
	if ((rc = store_tx_commit(site->store)) != GZ_OK)
		return rc;
	if (http_resp_header(resp, "Set-Cookie", login_cookie(site, req->pool,
			     SITE_ADMIN_COOKIE, "", 0)))
		return GZ_ENOMEM;
	return site_admin_done(req, resp, "/admin/login",
			       all ? "signed-out-all" : "signed-out");
}

int
site_admin_logout(void *ctx, struct http_req *req, struct http_resp *resp)
{
	return logout(ctx, req, resp, false);
}

int
site_admin_logout_all(void *ctx, struct http_req *req, struct http_resp *resp)
{
	return logout(ctx, req, resp, true);
}
