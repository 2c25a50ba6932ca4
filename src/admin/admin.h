/*
 * admin.h - the newsroom's staff and how they prove who they are: what
 * each role may do, Argon2id passwords (hashed on a few threads of
 * their own, so that a sign-in flood cannot take readers' threads),
 * session ids, CSRF tokens, sign-in throttles, and the TOTP second
 * factor with its QR code and recovery codes.
 *
 * Data flow: site/admin_*.c (the admin's pages) and cli/ (gazette user)
 * call these; the accounts and sessions themselves live in store/. No
 * HTTP and no HTML here, so every rule is unit-tested on its own. Only
 * this module includes liboath's and libqrencode's headers.
 *
 * Secrets: every token is made from libsodium's randombytes and compared
 * in constant time; the store keeps only hashes of session ids and
 * recovery codes.
 */
#ifndef GZ_ADMIN_H
#define GZ_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct buf;

/* ---- roles (role.c) ------------------------------------------------------ */

/* Everything a member of staff may ask to do. */
enum admin_action {
	ADMIN_DASHBOARD = 0,     /* see the dashboard */
	ADMIN_ARTICLE_READ,      /* list and open articles, any status */
	ADMIN_ARTICLE_WRITE_OWN, /* create, edit own drafts, submit for review */
	ADMIN_ARTICLE_EDIT_ANY,  /* edit anyone's article */
	ADMIN_ARTICLE_PUBLISH,   /* publish, schedule, unpublish */
	ADMIN_ARTICLE_DELETE,
	ADMIN_CORRECTION_ADD,
	ADMIN_COMMENT_MODERATE,  /* the queue: approve, reject, spam, delete */
	ADMIN_USER_MANAGE,       /* add, change, remove staff */
	ADMIN_SETTINGS_EDIT,
	ADMIN_AUDIT_READ,        /* the audit log */
	/* Photos: see the library, upload, pick a lead image, change the
	 * words of one's own uploads; */
	ADMIN_MEDIA_UPLOAD,
	/* change any photo's words and focal point, delete unused ones. */
	ADMIN_MEDIA_EDIT_ANY,
	ADMIN_ACTION_COUNT
};

/* The table of roles x actions (docs/admin.md prints it): admin may do
 * everything; editor all but users, settings and the audit log; writer
 * the dashboard, reading articles, writing their own and uploading
 * photos; moderator the dashboard and comments. */
bool admin_role_can(enum store_role role, enum admin_action action);
/* The action's name, for messages and the audit log ("article-publish");
 * NULL past the enum. */
const char *admin_action_name(enum admin_action action);

/* ---- the module's state (admin.c) ---------------------------------------- */

/* How much work a password hash takes (crypto_pwhash's limits). */
enum admin_hash_cost {
	ADMIN_HASH_INTERACTIVE = 0, /* libsodium's INTERACTIVE: the default */
	ADMIN_HASH_MODERATE,        /* MODERATE: about 0.7 s, 256 MiB */
	ADMIN_HASH_MINIMUM,         /* MIN: for tests only ([admin] hash_cost) */
};

/* The hashing threads and the sign-in throttles of one server (or of
 * one command). */
struct admin;

/* Makes the state: derives the CSRF key from the site's secret
 * (secret_hex: 64 hex digits, [security] secret) and starts
 * GZ_LIMIT_HASH_THREADS hashing threads. Calls sodium_init. Returns
 * GZ_OK, GZ_EINVAL (bad secret or cost), GZ_ENOMEM or GZ_EIO (libsodium
 * cannot start). Caller frees with admin_free. */
int admin_new(const char *secret_hex, enum admin_hash_cost cost,
	      struct admin **out);
/* Stops the hashing threads (queued jobs are finished with GZ_EBUSY)
 * and frees a; NULL is a no-op. */
void admin_free(struct admin *a);

/* ---- passwords (password.c) ---------------------------------------------- */

/* crypto_pwhash_STRBYTES: a hash's text with its NUL. */
#define ADMIN_HASH_MAX 128

/* NULL when password is acceptable, else one sentence saying what to
 * fix ("Use at least 12 characters."): valid UTF-8, at least
 * GZ_LIMIT_PASSWORD_MIN_CHARS characters, at most GZ_LIMIT_PASSWORD_BYTES
 * bytes, not only white space. */
const char *admin_password_problem(const char *password);
/* Hashes password (admin_password_problem must pass) on the calling
 * thread, with Argon2id at a's cost, into out. For commands (gazette
 * user); a server thread uses admin_password_hash_async instead.
 * Returns GZ_OK, GZ_EINVAL or GZ_ENOMEM (Argon2's memory). */
int admin_password_hash(const struct admin *a, const char *password,
			char out[ADMIN_HASH_MAX]);
/* Verifies password against hash on the calling thread. Returns GZ_OK
 * (matches), GZ_EFORBIDDEN (does not, or hash is not a valid hash) or
 * GZ_ENOMEM. */
int admin_password_verify(const char *hash, const char *password);
/* True when hash was made with weaker limits than a's cost (rehash it
 * after a successful sign-in). */
bool admin_password_needs_rehash(const struct admin *a, const char *hash);
/* A hash of a random password at a's cost, verified against when a
 * sign-in names no account, so that "no such user" takes as long as
 * "wrong password". Made once, on the first call (one hash on the
 * calling thread: a server calls it once at start), then the same for
 * a's life. Thread-safe; valid until admin_free. */
const char *admin_password_dummy(const struct admin *a);
/* A fresh one-time password: 20 characters of an unambiguous alphabet
 * in groups of four ("k7qm-3xra-..."), for gazette init and resets. */
#define ADMIN_ONETIME_LEN 24
void admin_password_generate(char out[ADMIN_ONETIME_LEN + 1]);

/* A verification on a hashing thread, for a server thread that must not
 * wait: job is caller storage of admin_job_size() bytes; hash and
 * password are copied. done(ctx) is called exactly once, on a hashing
 * thread when done, or at once on the caller's thread when
 * GZ_LIMIT_HASH_QUEUE jobs wait already or a is stopping (GZ_EBUSY), or
 * when hash or password is too long to be valid (GZ_EFORBIDDEN); then
 * admin_job_result tells GZ_OK, GZ_EFORBIDDEN, GZ_EBUSY (not run: too
 * many at once) or GZ_ENOMEM. done must not block. */
struct admin_job;
size_t admin_job_size(void);
void admin_password_verify_async(struct admin *a, const char *hash,
				 const char *password, struct admin_job *job,
				 void (*done)(void *ctx), void *ctx);
int admin_job_result(const struct admin_job *job);
/* A new hash on a hashing thread (the same queue and the same done
 * contract as admin_password_verify_async), for a server thread that
 * must not run Argon2: when old_hash is not NULL, old_password is first
 * verified against it, and password is hashed only when it matches (a
 * password change: both on the hashing thread); when password is NULL
 * nothing is hashed (a verification only). Strings are copied. Then
 * admin_job_result tells GZ_OK (verified when asked, hashed when asked),
 * GZ_EFORBIDDEN (old_password is wrong: nothing hashed), GZ_EINVAL
 * (password fails admin_password_problem: answered at once, nothing
 * run), GZ_EBUSY or GZ_ENOMEM; admin_job_hash the new hash; and
 * admin_job_verified whether old_password matched (true with
 * GZ_ENOMEM when only the hash failed: a rehash after sign-in may go
 * on without it). */
void admin_password_hash_async(struct admin *a, const char *old_hash,
			       const char *old_password, const char *password,
			       struct admin_job *job, void (*done)(void *ctx),
			       void *ctx);
/* The hash a finished job made, "" when none. Valid as long as job's
 * storage (the caller's). */
const char *admin_job_hash(const struct admin_job *job);
/* True when a finished job verified its password and it matched. */
bool admin_job_verified(const struct admin_job *job);

/* ---- sessions and CSRF (session.c) --------------------------------------- */

/* A session id: 32 random bytes; the cookie carries them in base64url
 * without padding (43 characters), the store their BLAKE2b-256 hash. */
#define ADMIN_TOKEN_LEN 43
#define ADMIN_HASH_BYTES 32

/* A new session id (token: the cookie's value) and its hash (what the
 * store keeps). */
void admin_session_new(char token[ADMIN_TOKEN_LEN + 1],
		       unsigned char hash[ADMIN_HASH_BYTES]);
/* The hash of a cookie's value. Returns GZ_OK, or GZ_EINVAL when token
 * is not a well-formed id (the cookie is then ignored). */
int admin_session_hash(const char *token, unsigned char hash[ADMIN_HASH_BYTES]);
/* True while a session seen last at seen_at and expiring at expires_at
 * is live at now: now < expires_at and now - seen_at <
 * GZ_LIMIT_SESSION_IDLE_SECONDS. */
bool admin_session_live(int64_t seen_at, int64_t expires_at, int64_t now);

/* The CSRF token of the browser whose session (or, before sign-in,
 * whose sign-in cookie) hashes to hash: a keyed hash (the site secret's
 * key) of it, base64url, ADMIN_TOKEN_LEN characters. The same for the
 * session's life, and useless for another session. */
void admin_csrf_token(const struct admin *a,
		      const unsigned char hash[ADMIN_HASH_BYTES],
		      char out[ADMIN_TOKEN_LEN + 1]);
/* True when token (outside input, may be NULL) is hash's CSRF token;
 * compared in constant time. */
bool admin_csrf_check(const struct admin *a,
		      const unsigned char hash[ADMIN_HASH_BYTES],
		      const char *token);

/* ---- the sign-in form's token (login.c) ---------------------------------- */

/* The gz_login cookie's value: "TOKEN.EXPIRES", a 43-character id and a
 * decimal time. */
#define ADMIN_LOGIN_COOKIE_MAX (ADMIN_TOKEN_LEN + 1 + 20)

/* A new sign-in token made at now: cookie (the gz_login cookie's value,
 * good until now + GZ_LIMIT_LOGIN_SECONDS, *expires when not NULL) and
 * hash, which the form's csrf token (admin_csrf_token) and the spent
 * set are of. */
void admin_login_new(int64_t now, char cookie[ADMIN_LOGIN_COOKIE_MAX + 1],
		     unsigned char hash[ADMIN_HASH_BYTES], int64_t *expires);
/* Reads a gz_login cookie (outside input, may be NULL) at now. Output:
 * hash, *expires (when not NULL). Returns GZ_OK, or GZ_EINVAL when it
 * is not one admin_login_new makes, or has expired. A changed expiry
 * gives another hash, which the form's csrf token does not match. */
int admin_login_read(const char *cookie, int64_t now,
		     unsigned char hash[ADMIN_HASH_BYTES], int64_t *expires);
/* Spends the token of hash (a successful sign-in) until expires, so
 * that it signs in once. Returns GZ_OK, GZ_EEXIST (spent already) or
 * GZ_EBUSY (GZ_LIMIT_LOGIN_SPENT unexpired tokens are spent already:
 * refused, never forgotten). Thread-safe. */
int admin_login_spend(struct admin *a,
		      const unsigned char hash[ADMIN_HASH_BYTES],
		      int64_t expires, int64_t now);
/* True when the token of hash is spent and not expired at now. */
bool admin_login_spent(struct admin *a,
		       const unsigned char hash[ADMIN_HASH_BYTES], int64_t now);

/* ---- sign-in throttles (throttle.c) -------------------------------------- */

struct gz_limiter;
/* Keeps the throttles' counts and the spent sign-in tokens through
 * limiter (util/limiter.h) instead of a's memory, so that every node
 * sharing a database sees them; NULL goes back to memory. Call before
 * any thread uses a; limiter must outlive a. A limiter's error fails
 * closed: admin_throttle_attempt and _allowed refuse with *retry_after
 * 0 (the caller answers "busy, try again"), admin_login_spend returns
 * GZ_EBUSY and admin_login_spent true. */
void admin_limiter_set(struct admin *a, const struct gz_limiter *limiter);

/* Whether a sign-in to account (as typed, folded to lower case; may name
 * no user) from address ip may be tried at now: false when
 * GZ_LIMIT_SIGNIN_FAILS_ACCOUNT failures for the account, or
 * GZ_LIMIT_SIGNIN_FAILS_ADDRESS for the address, fell in the last
 * GZ_LIMIT_SIGNIN_WINDOW_SECONDS; then *retry_after (when not NULL) is
 * the seconds until one of them leaves the window, or 0 when a shared
 * limiter could not be asked (answer busy). Thread-safe. */
bool admin_throttle_allowed(struct admin *a, const char *account,
			    const char *ip, int64_t now, int64_t *retry_after);
/* admin_throttle_allowed, and when allowed the try counted at once as a
 * failure of account and of ip, in one step under the throttle's lock:
 * tries sent together are all counted before any is judged. A try that
 * turns out right, or is never judged (a busy answer), is taken back
 * with admin_throttle_forgive. Thread-safe. */
bool admin_throttle_attempt(struct admin *a, const char *account,
			    const char *ip, int64_t now, int64_t *retry_after);
/* Takes back one try of account (when not NULL) and one of ip (when not
 * NULL): a right password waiting for its second factor, or a try
 * answered busy. Thread-safe. */
void admin_throttle_forgive(struct admin *a, const char *account,
			    const char *ip);
/* Counts a failed sign-in (wrong password, wrong code). */
void admin_throttle_failed(struct admin *a, const char *account,
			   const char *ip, int64_t now);
/* Forgets the account's failures (a successful sign-in); the address's
 * stay. */
void admin_throttle_succeeded(struct admin *a, const char *account);

/* ---- second factor (totp.c, qr.c) ---------------------------------------- */

/* RFC 6238 with SHA-1, 30-second steps, 6 digits: what every
 * authenticator app speaks. */
#define ADMIN_TOTP_SECRET_BYTES 20
#define ADMIN_TOTP_BASE32_LEN 32 /* 20 bytes in base32, no padding */

/* A fresh secret. */
void admin_totp_secret_new(unsigned char secret[ADMIN_TOTP_SECRET_BYTES]);
/* secret[0..len) in RFC 4648 base32 without padding, for typing into an
 * app by hand. Returns GZ_OK, GZ_ETOOBIG (outlen too small) or
 * GZ_ENOMEM. */
int admin_totp_base32(const unsigned char *secret, size_t len, char *out,
		      size_t outlen);
/* The otpauth:// URI of the QR code (Key Uri Format): label
 * "ISSUER:ACCOUNT", secret, issuer, every part percent-encoded. Appends
 * to out. Returns GZ_OK or out's error. */
int admin_totp_uri(struct buf *out, const char *issuer, const char *account,
		   const unsigned char *secret, size_t len);
/* The code for time t (UTC seconds) with digits 6 or 8 and hash
 * "sha1", "sha256" or "sha512" (RFC 6238's test vectors use all three).
 * Returns GZ_OK or GZ_EINVAL. */
int admin_totp_code(const unsigned char *secret, size_t len, int64_t t,
		    unsigned digits, const char *hash, char *out, size_t outlen);
/* Checks code (six digits; spaces ignored) against secret at now, one
 * step either side allowed for clock drift. Output: *step, the time step
 * it matched, which the caller stores with store_user_totp_step so that
 * the code works once. Returns GZ_OK or GZ_EFORBIDDEN. */
int admin_totp_check(const unsigned char *secret, size_t len,
		     const char *code, int64_t now, int64_t *step);
/* A QR code of text (libqrencode, error correction M) as an SVG image
 * with role="img" and aria-label label, for the enrolment page; appends
 * to out. Returns GZ_OK, GZ_EINVAL (text too long for a QR code) or out's
 * error. */
int admin_qr_svg(struct buf *out, const char *text, const char *label);

/* Recovery codes: "xxxxx-xxxxx" of an unambiguous alphabet. */
#define ADMIN_RECOVERY_LEN 11
/* A fresh code and its hash (what the store keeps). */
void admin_recovery_new(char code[ADMIN_RECOVERY_LEN + 1],
			unsigned char hash[ADMIN_HASH_BYTES]);
/* The hash of a code as typed (case, spaces and dashes ignored).
 * Returns GZ_OK or GZ_EINVAL (not a code's shape). */
int admin_recovery_hash(const char *code, unsigned char hash[ADMIN_HASH_BYTES]);

#endif
