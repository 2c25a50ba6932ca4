/*
 * admin_account.c - a member of staff's own account: changing the
 * password, enrolling and removing the TOTP second factor, and the
 * recovery codes.
 *
 * Data flow: every page passes site_admin_begin first. A new TOTP secret
 * travels in the enrolment form itself ("pending": the secret, its
 * expiry and a keyed hash of both and of the session, made with the
 * site's key through admin_csrf_token), so that nothing half-enrolled is
 * stored; the POST trusts the secret only when that hash, the session
 * and the time agree, and a code from it checks out. A password check
 * (and a new password's hash) runs on a hashing thread while the request
 * is suspended, as a sign-in's does, so no server thread runs Argon2.
 * Invariants: a password is verified before anything changes with it;
 * each check is counted in the throttle before it is hashed; recovery
 * codes are shown once, on the answer to the enrolment, and only their
 * hashes are stored.
 */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "site/site_int.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

/* How long an enrolment form's secret may be confirmed. */
#define TOTP_PENDING_SECONDS 900

/* The account page, with its forms' errors (each NULL or a sentence). */
struct account_errors {
	const char *current, *new_pw, *confirm, *password;
};

static int
account_page(struct site *site, struct http_req *req, struct http_resp *resp,
	     const struct site_staff *staff, int status,
	     const struct account_errors *e)
{
	struct render_val *v = site_admin_view(site, req, staff, "Your account",
					       "account");
	int64_t left = 0;
	int rc;

	if (!v)
		return GZ_ENOMEM;
	if (staff->user.totp_secret_len &&
	    (rc = store_recovery_count(site->store, staff->user.id, &left)) !=
		    GZ_OK)
		return rc;
	if (render_obj_bool(req->pool, v, "totp_on",
			    staff->user.totp_secret_len > 0) ||
	    render_obj_int(req->pool, v, "recovery_left", left) ||
	    render_obj_str(req->pool, v, "err_current", e ? e->current : NULL) ||
	    render_obj_str(req->pool, v, "err_new", e ? e->new_pw : NULL) ||
	    render_obj_str(req->pool, v, "err_confirm", e ? e->confirm : NULL) ||
	    render_obj_str(req->pool, v, "err_password", e ? e->password : NULL))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, status, "admin_account", v);
}

int
site_admin_account(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	bool answered;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_DASHBOARD, &staff,
				   &answered)) != GZ_OK || answered)
		return rc;
	return account_page(site, req, resp, &staff, 0, NULL);
}

/* A password field as sent ("" when absent; NULL when too long to be
 * one, which no check passes). */
static const char *
account_field(struct http_req *req, const char *name)
{
	const char *v = http_req_form(req, name);

	if (!v)
		return "";
	return strlen(v) > GZ_LIMIT_PASSWORD_BYTES ? NULL : v;
}

/* A password check (and, for a change, the new password's hash) on a
 * hashing thread, in the request's pool while the request is suspended:
 * the gate's answer, what the page will say, and the job. */
struct account_wait {
	struct site_staff staff;
	struct account_errors e;
	struct admin_job *job;
};

static const char account_busy[] =
	"Too many password checks at once. Try again in a moment.";

/* The hashing thread is done: the request goes on. */
static void
account_resume(void *ctx)
{
	http_resume(ctx);
}

/* Hands staff's password check (and the hash of new_pw when not NULL)
 * to a hashing thread and suspends req; the page answers when called
 * again, with w as req->state. The try was counted already
 * (admin_throttle_attempt).
 * Returns GZ_EPENDING, or an answer (503, with *err, one of w->e's
 * fields, saying so, when the server is stopping). */
static int
account_suspend(struct site *site, struct http_req *req,
		struct http_resp *resp, struct account_wait *w,
		const char *password, const char *new_pw, const char **err)
{
	struct http_resume *resume;

	if (!(w->job = pool_alloc(req->pool, admin_job_size())))
		return GZ_ENOMEM;
	req->state = w;
	if (!(resume = http_req_suspend(req))) {
		admin_throttle_forgive(site->admin, w->staff.user.name,
				       w->staff.ip);
		*err = account_busy;
		return account_page(site, req, resp, &w->staff, 503, &w->e);
	}
	admin_password_hash_async(site->admin, w->staff.user.password_hash,
				  password, new_pw, w->job, account_resume,
				  resume);
	return GZ_EPENDING;
}

/* The check's answer, on the resumed call: GZ_OK (the password is
 * right: its try taken back), GZ_EFORBIDDEN (wrong: the try stays
 * counted), GZ_EBUSY (not run: taken back) or another error (taken
 * back). */
static int
account_checked(struct site *site, const struct account_wait *w)
{
	int rc = admin_job_result(w->job);

	if (rc == GZ_EFORBIDDEN && !admin_job_verified(w->job))
		return GZ_EFORBIDDEN;
	admin_throttle_forgive(site->admin, w->staff.user.name, w->staff.ip);
	return rc;
}

/* The password change's answer, once the hashing thread is done. */
static int
account_password_finish(struct site *site, struct http_req *req,
			struct http_resp *resp, struct account_wait *w)
{
	const struct site_staff *staff = &w->staff;
	const char *hash;
	int rc;

	site_admin_headers(resp);
	rc = account_checked(site, w);
	if (rc == GZ_EBUSY) {
		w->e.current = account_busy;
		return account_page(site, req, resp, staff, 503, &w->e);
	}
	if (rc == GZ_EFORBIDDEN)
		w->e.current = "The current password is wrong.";
	else if (rc != GZ_OK)
		return rc;
	if (w->e.current || w->e.new_pw || w->e.confirm)
		return account_page(site, req, resp, staff, 422, &w->e);
	hash = admin_job_hash(w->job);
	if (!*hash)
		return GZ_ENOMEM; /* no hash was asked for: cannot happen */
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	/* The other sessions may be someone who learnt the old password. */
	if ((rc = store_user_password_set(site->store, staff->user.id, hash,
					  false)) != GZ_OK ||
	    (rc = store_session_delete_user(site->store, staff->user.id,
					    staff->session)) != GZ_OK ||
	    (rc = store_audit_add(site->store, staff->actor, "password-change",
				  pool_printf(req->pool, "user:%s",
					      staff->user.name), "", staff->ip,
				  site_now())) != GZ_OK) {
		store_tx_rollback(site->store);
		return rc;
	}
	if ((rc = store_tx_commit(site->store)) != GZ_OK)
		return rc;
	return site_admin_done(req, resp, "/admin/account", "password-changed");
}

int
site_admin_account_password(void *ctx, struct http_req *req,
			    struct http_resp *resp)
{
	struct site *site = ctx;
	struct account_wait *w;
	const char *current, *new_pw, *confirm;
	int64_t retry = 0;
	bool answered, check;
	int rc;

	if (req->resumed)
		return account_password_finish(site, req, resp, req->state);
	if (!(w = pool_calloc(req->pool, 1, sizeof(*w))))
		return GZ_ENOMEM;
	if ((rc = site_admin_begin(site, req, resp, ADMIN_DASHBOARD, &w->staff,
				   &answered)) != GZ_OK || answered)
		return rc;
	current = account_field(req, "current");
	new_pw = account_field(req, "new");
	confirm = account_field(req, "confirm");
	if (!new_pw)
		w->e.new_pw = "Use at most 1024 bytes.";
	else if ((w->e.new_pw = admin_password_problem(new_pw)) == NULL &&
		 (!confirm || strcmp(new_pw, confirm) != 0))
		w->e.confirm = "The two new passwords differ.";
	/* The current password is checked whatever else is wrong, so the
	 * page says everything at once; an empty one is wrong unhashed. */
	check = false;
	if (!admin_throttle_attempt(site->admin, w->staff.user.name,
				    w->staff.ip, site_now(), &retry)) {
		/* retry 0: the shared throttle could not be asked. */
		if (retry == 0) {
			w->e.current = account_busy;
			return account_page(site, req, resp, &w->staff, 503,
					    &w->e);
		}
		w->e.current = "Too many wrong passwords. Try again later.";
	} else if (!current || !*current)
		w->e.current = "The current password is wrong.";
	else
		check = true;
	if (!check)
		return account_page(site, req, resp, &w->staff, 422, &w->e);
	/* Both Argon2 runs, the old password's and the new one's, on the
	 * hashing thread; the new one is hashed only when it will be kept. */
	return account_suspend(site, req, resp, w, current,
			       w->e.new_pw || w->e.confirm ? NULL : new_pw,
			       &w->e.current);
}

/* ---- TOTP enrolment ---------------------------------------------------- */

/* The keyed hash of a pending secret: BLAKE2b of the session's hash,
 * the secret and its expiry, then the site's keyed hash of that
 * (admin_csrf_token), so that only this server can make one, for this
 * session only. */
static void
totp_pending_mac(const struct site *site, const unsigned char sid[ADMIN_HASH_BYTES],
		 const unsigned char secret[ADMIN_TOTP_SECRET_BYTES],
		 int64_t expires, char out[ADMIN_TOKEN_LEN + 1])
{
	static const char tag[] = "gazette totp pending";
	crypto_generichash_state st;
	unsigned char h[ADMIN_HASH_BYTES], e[8];
	size_t i;

	for (i = 0; i < 8; i++)
		e[i] = (unsigned char)((uint64_t)expires >> (8 * i));
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)tag, sizeof(tag));
	crypto_generichash_update(&st, sid, ADMIN_HASH_BYTES);
	crypto_generichash_update(&st, secret, ADMIN_TOTP_SECRET_BYTES);
	crypto_generichash_update(&st, e, sizeof(e));
	crypto_generichash_final(&st, h, sizeof(h));
	admin_csrf_token(site->admin, h, out);
}

/* The pending field: HEX-SECRET.EXPIRES.MAC. In the pool. */
static const char *
totp_pending_make(const struct site *site, struct pool *pool,
		  const unsigned char sid[ADMIN_HASH_BYTES],
		  const unsigned char secret[ADMIN_TOTP_SECRET_BYTES],
		  int64_t expires)
{
	char hex[2 * ADMIN_TOTP_SECRET_BYTES + 1], mac[ADMIN_TOKEN_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), secret, ADMIN_TOTP_SECRET_BYTES);
	totp_pending_mac(site, sid, secret, expires, mac);
	return pool_printf(pool, "%s.%lld.%s", hex, (long long)expires, mac);
}

/* Reads a pending field (outside input) back into secret when its MAC is
 * this session's and it has not expired at now. */
static bool
totp_pending_read(const struct site *site,
		  const unsigned char sid[ADMIN_HASH_BYTES], const char *field,
		  int64_t now, unsigned char secret[ADMIN_TOTP_SECRET_BYTES])
{
	const char *dot1, *dot2;
	char num[24], mac[ADMIN_TOKEN_LEN + 1];
	uint64_t expires;
	size_t len;

	if (!field || strlen(field) > 256 || !(dot1 = strchr(field, '.')) ||
	    !(dot2 = strchr(dot1 + 1, '.')))
		return false;
	if ((size_t)(dot1 - field) != 2 * ADMIN_TOTP_SECRET_BYTES ||
	    sodium_hex2bin(secret, ADMIN_TOTP_SECRET_BYTES, field,
			   (size_t)(dot1 - field), NULL, &len, NULL) != 0 ||
	    len != ADMIN_TOTP_SECRET_BYTES)
		return false;
	len = (size_t)(dot2 - dot1 - 1);
	if (len == 0 || len >= sizeof(num))
		return false;
	memcpy(num, dot1 + 1, len);
	num[len] = '\0';
	if (http_parse_uint(num, INT64_MAX, &expires) != GZ_OK ||
	    (int64_t)expires < now ||
	    (int64_t)expires > now + TOTP_PENDING_SECONDS)
		return false;
	totp_pending_mac(site, sid, secret, (int64_t)expires, mac);
	return strlen(dot2 + 1) == ADMIN_TOKEN_LEN &&
	       sodium_memcmp(mac, dot2 + 1, ADMIN_TOKEN_LEN) == 0;
}

/* The enrolment page for secret (pending: its signed field), error a
 * sentence or NULL. */
static int
totp_form(struct site *site, struct http_req *req, struct http_resp *resp,
	  const struct site_staff *staff, int status,
	  const unsigned char secret[ADMIN_TOTP_SECRET_BYTES],
	  const char *pending, const char *error)
{
	struct pool *pool = req->pool;
	struct render_val *v = site_admin_view(site, req, staff,
					       "Set up two-step sign-in",
					       "account");
	char b32[ADMIN_TOTP_BASE32_LEN + 1], groups[ADMIN_TOTP_BASE32_LEN * 2];
	struct buf uri, svg;
	const char *label;
	size_t i, n = 0;
	int rc;

	if (!v)
		return GZ_ENOMEM;
	if ((rc = admin_totp_base32(secret, ADMIN_TOTP_SECRET_BYTES, b32,
				    sizeof(b32))) != GZ_OK)
		return rc;
	for (i = 0; b32[i]; i++) {
		if (i && i % 4 == 0)
			groups[n++] = ' ';
		groups[n++] = b32[i];
	}
	groups[n] = '\0';
	buf_init(&uri, 2048);
	buf_init(&svg, 256 * 1024);
	label = pool_printf(pool, "QR code to add %s to an authenticator app",
			    site->cfg->title);
	rc = admin_totp_uri(&uri, site->cfg->title, staff->user.name, secret,
			    ADMIN_TOTP_SECRET_BYTES);
	if (rc == GZ_OK && !label)
		rc = GZ_ENOMEM;
	if (rc == GZ_OK && (rc = buf_putc(&uri, '\0')) == GZ_OK)
		rc = admin_qr_svg(&svg, uri.data, label);
	if (rc == GZ_OK &&
	    (render_obj_html(pool, v, "qr_svg", pool_strndup(pool, svg.data,
							      svg.len)) ||
	     render_obj_str(pool, v, "secret_groups", pool_strdup(pool, groups)) ||
	     render_obj_str(pool, v, "pending", pending) ||
	     render_obj_str(pool, v, "error", error)))
		rc = GZ_ENOMEM;
	buf_fini(&uri);
	buf_fini(&svg);
	if (rc != GZ_OK)
		return rc;
	return site_admin_render(site, resp, status, "admin_totp", v);
}

/* Confirms an enrolment: the code is right for the pending secret. Then
 * stores the secret, its step and fresh recovery codes, and shows the
 * codes, once. */
static int
totp_confirm(struct site *site, struct http_req *req, struct http_resp *resp,
	     const struct site_staff *staff)
{
	struct pool *pool = req->pool;
	unsigned char secret[ADMIN_TOTP_SECRET_BYTES];
	unsigned char hashes[GZ_LIMIT_RECOVERY_CODES][32];
	char codes[GZ_LIMIT_RECOVERY_CODES][ADMIN_RECOVERY_LEN + 1];
	const char *pending = http_req_form(req, "pending");
	const char *code = http_req_form(req, "code");
	const char *ip = site_admin_ip(site, req);
	struct render_val *v, *list, *item;
	int64_t now = site_now(), step = 0;
	size_t i;
	int rc;

	if (!ip)
		return GZ_ENOMEM;
	if (!totp_pending_read(site, staff->session, pending, now, secret)) {
		/* Expired, or not ours: begin again with a new secret. */
		admin_totp_secret_new(secret);
		return totp_form(site, req, resp, staff, 422, secret,
				 totp_pending_make(site, pool, staff->session,
						   secret, now + TOTP_PENDING_SECONDS),
				 "That setup expired. Scan this new code and try again.");
	}
	if (!code || strlen(code) > 16 ||
	    admin_totp_check(secret, sizeof(secret), code, now, &step) != GZ_OK)
		return totp_form(site, req, resp, staff, 422, secret, pending,
				 "That code is wrong. Enter the six digits the app shows now.");
	for (i = 0; i < GZ_LIMIT_RECOVERY_CODES; i++)
		admin_recovery_new(codes[i], hashes[i]);
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	if ((rc = store_user_totp_set(site->store, staff->user.id, secret,
				      sizeof(secret))) != GZ_OK ||
	    (rc = store_user_totp_step(site->store, staff->user.id, step)) !=
		    GZ_OK ||
	    (rc = store_recovery_set(site->store, staff->user.id,
				     (const unsigned char (*)[32])hashes,
				     GZ_LIMIT_RECOVERY_CODES)) != GZ_OK ||
	    (rc = store_audit_add(site->store, staff->actor, "totp-enrol",
				  pool_printf(pool, "user:%s", staff->user.name),
				  "", ip, now)) != GZ_OK) {
		store_tx_rollback(site->store);
		sodium_memzero(secret, sizeof(secret));
		return rc;
	}
	sodium_memzero(secret, sizeof(secret));
	if ((rc = store_tx_commit(site->store)) != GZ_OK)
		return rc;
	if (!(v = site_admin_view(site, req, staff, "Two-step sign-in is on",
				  "account")) ||
	    !(list = render_list_new(pool)))
		return GZ_ENOMEM;
	for (i = 0; i < GZ_LIMIT_RECOVERY_CODES; i++)
		if (!(item = render_obj_new(pool)) ||
		    render_obj_str(pool, item, "code", pool_strdup(pool, codes[i])) ||
		    render_list_push(pool, list, item))
			return GZ_ENOMEM;
	sodium_memzero(codes, sizeof(codes));
	if (render_obj_bool(pool, v, "enrolled", true) ||
	    render_obj_set(pool, v, "recovery_codes", list))
		return GZ_ENOMEM;
	return site_admin_render(site, resp, 0, "admin_totp", v);
}

int
site_admin_totp(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct site_staff staff;
	unsigned char secret[ADMIN_TOTP_SECRET_BYTES];
	bool answered;
	int rc;

	if ((rc = site_admin_begin(site, req, resp, ADMIN_DASHBOARD, &staff,
				   &answered)) != GZ_OK || answered)
		return rc;
	/* One second factor at a time: remove it first to change it. */
	if (staff.user.totp_secret_len)
		return http_resp_redirect(resp, 303, "/admin/account");
	if (req->method == HTTP_POST)
		return totp_confirm(site, req, resp, &staff);
	admin_totp_secret_new(secret);
	return totp_form(site, req, resp, &staff, 0, secret,
			 totp_pending_make(site, req->pool, staff.session,
					   secret, site_now() +
					   TOTP_PENDING_SECONDS), NULL);
}

/* Turning TOTP off, once the password's check is done. */
static int
totp_remove_finish(struct site *site, struct http_req *req,
		   struct http_resp *resp, struct account_wait *w)
{
	const struct site_staff *staff = &w->staff;
	int rc;

	site_admin_headers(resp);
	rc = account_checked(site, w);
	if (rc == GZ_EBUSY) {
		w->e.password = account_busy;
		return account_page(site, req, resp, staff, 503, &w->e);
	}
	if (rc == GZ_EFORBIDDEN) {
		w->e.password = "The password is wrong.";
		return account_page(site, req, resp, staff, 422, &w->e);
	}
	if (rc != GZ_OK)
		return rc;
	if ((rc = store_tx_begin(site->store)) != GZ_OK)
		return rc;
	if ((rc = store_user_totp_set(site->store, staff->user.id, NULL, 0)) !=
		    GZ_OK ||
	    (rc = store_audit_add(site->store, staff->actor, "totp-remove",
				  pool_printf(req->pool, "user:%s",
					      staff->user.name), "", staff->ip,
				  site_now())) != GZ_OK) {
		store_tx_rollback(site->store);
		return rc;
	}
	if ((rc = store_tx_commit(site->store)) != GZ_OK)
		return rc;
	return site_admin_done(req, resp, "/admin/account", "totp-off");
}

int
site_admin_totp_remove(void *ctx, struct http_req *req, struct http_resp *resp)
{
	struct site *site = ctx;
	struct account_wait *w;
	const char *password;
	int64_t retry = 0;
	bool answered;
	int rc;

	if (req->resumed)
		return totp_remove_finish(site, req, resp, req->state);
	if (!(w = pool_calloc(req->pool, 1, sizeof(*w))))
		return GZ_ENOMEM;
	if ((rc = site_admin_begin(site, req, resp, ADMIN_DASHBOARD, &w->staff,
				   &answered)) != GZ_OK || answered)
		return rc;
	if (!w->staff.user.totp_secret_len)
		return http_resp_redirect(resp, 303, "/admin/account");
	password = account_field(req, "password");
	if (!admin_throttle_attempt(site->admin, w->staff.user.name,
				    w->staff.ip, site_now(), &retry)) {
		if (retry == 0) {
			w->e.password = account_busy;
			return account_page(site, req, resp, &w->staff, 503,
					    &w->e);
		}
		w->e.password = "Too many wrong passwords. Try again later.";
	} else if (!password || !*password)
		w->e.password = "The password is wrong.";
	if (w->e.password)
		return account_page(site, req, resp, &w->staff, 422, &w->e);
	return account_suspend(site, req, resp, w, password, NULL,
			       &w->e.password);
}
