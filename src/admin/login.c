/*
 * login.c - the sign-in form's token (the gz_login cookie) and the set
 * of tokens already spent on a successful sign-in.
 *
 * Data flow: GET /admin/login gives the browser admin_login_new's cookie
 * and a form whose csrf field is admin_csrf_token of the token's hash;
 * the POST reads the cookie back with admin_login_read, and a right
 * password spends the token with admin_login_spend, so that one form
 * signs in once.
 *
 * The cookie is "TOKEN.EXPIRES": a random id as admin_session_new makes
 * (43 characters) and the second it stops being good, at most
 * GZ_LIMIT_LOGIN_SECONDS after it was made. Its hash, which the csrf
 * token and the spent set are of, is BLAKE2b-256 of the id's hash and
 * the expiry, so a browser that changes the expiry changes the hash and
 * its csrf field no longer matches: the server knows each token's end
 * without storing anything until the token is spent.
 *
 * The spent set: GZ_LIMIT_LOGIN_SPENT slots of (the hash's first 16
 * bytes, expiry); a slot whose expiry has passed is free, since its
 * token is refused by admin_login_read anyway. When every slot holds a
 * live token the next spend is refused (GZ_EBUSY) rather than forgetting
 * one, which would let that token sign in again.
 *
 * With a shared limiter (admin_limiter_set) the set is the database's,
 * which every node spends into; the memory set is then unused.
 *
 * Invariants: the set is read and written only under spent_lock; each
 * call does one pass over it; nothing here allocates after
 * admin_login_init.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "admin/admin_int.h"
#include "util/err.h"
#include "util/limiter.h"

#define LOGIN_KEY_BYTES 16u

struct admin_login_slot {
	unsigned char key[LOGIN_KEY_BYTES];
	int64_t expires; /* 0: never used */
};

int
admin_login_init(struct admin *a)
{
	assert(a != NULL);
	if (!(a->spent = calloc(GZ_LIMIT_LOGIN_SPENT, sizeof(*a->spent))))
		return GZ_ENOMEM;
	if (pthread_mutex_init(&a->spent_lock, NULL) != 0) {
		free(a->spent);
		a->spent = NULL;
		return GZ_ENOMEM;
	}
	return GZ_OK;
}

void
admin_login_fini(struct admin *a)
{
	if (!a || !a->spent)
		return;
	pthread_mutex_destroy(&a->spent_lock);
	free(a->spent);
	a->spent = NULL;
}

/* The hash of a token whose id hashes to id and which expires at
 * expires. */
static void
login_bind(const unsigned char id[ADMIN_HASH_BYTES], int64_t expires,
	   unsigned char hash[ADMIN_HASH_BYTES])
{
	static const char tag[] = "gazette sign-in form";
	crypto_generichash_state st;
	unsigned char e[8];
	size_t i;

	for (i = 0; i < 8; i++)
		e[i] = (unsigned char)((uint64_t)expires >> (8 * i));
	crypto_generichash_init(&st, NULL, 0, ADMIN_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)tag, sizeof(tag));
	crypto_generichash_update(&st, id, ADMIN_HASH_BYTES);
	crypto_generichash_update(&st, e, sizeof(e));
	crypto_generichash_final(&st, hash, ADMIN_HASH_BYTES);
}

void
admin_login_new(int64_t now, char cookie[ADMIN_LOGIN_COOKIE_MAX + 1],
		unsigned char hash[ADMIN_HASH_BYTES], int64_t *expires)
{
	char token[ADMIN_TOKEN_LEN + 1], digits[24];
	unsigned char id[ADMIN_HASH_BYTES];
	int64_t e = now + (int64_t)GZ_LIMIT_LOGIN_SECONDS;
	uint64_t v;
	size_t n = 0, i;

	assert(cookie != NULL && hash != NULL && now >= 0);
	admin_session_new(token, id);
	/* The expiry in decimal, by hand: no locale, no truncation. */
	v = (uint64_t)e;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(digits));
	memcpy(cookie, token, ADMIN_TOKEN_LEN);
	cookie[ADMIN_TOKEN_LEN] = '.';
	for (i = 0; i < n; i++)
		cookie[ADMIN_TOKEN_LEN + 1 + i] = digits[n - 1 - i];
	cookie[ADMIN_TOKEN_LEN + 1 + n] = '\0';
	login_bind(id, e, hash);
	if (expires)
		*expires = e;
}

_Static_assert(ADMIN_LOGIN_COOKIE_MAX >= ADMIN_TOKEN_LEN + 1 + 19,
	       "a cookie holds an id, a dot and a 64-bit time");

int
admin_login_read(const char *cookie, int64_t now,
		 unsigned char hash[ADMIN_HASH_BYTES], int64_t *expires)
{
	char token[ADMIN_TOKEN_LEN + 1];
	unsigned char id[ADMIN_HASH_BYTES];
	const char *p;
	uint64_t e = 0;
	size_t n;

	assert(hash != NULL);
	if (!cookie ||
	    strnlen(cookie, ADMIN_TOKEN_LEN + 1) != ADMIN_TOKEN_LEN + 1 ||
	    cookie[ADMIN_TOKEN_LEN] != '.')
		return GZ_EINVAL;
	memcpy(token, cookie, ADMIN_TOKEN_LEN);
	token[ADMIN_TOKEN_LEN] = '\0';
	if (admin_session_hash(token, id) != GZ_OK)
		return GZ_EINVAL;
	/* 1 to 19 digits, no sign, no leading zero: one spelling. */
	p = cookie + ADMIN_TOKEN_LEN + 1;
	for (n = 0; p[n] >= '0' && p[n] <= '9'; n++) {
		if (n == 19)
			return GZ_EINVAL;
		e = e * 10 + (uint64_t)(p[n] - '0');
	}
	if (n == 0 || p[n] != '\0' || (p[0] == '0') || e > INT64_MAX)
		return GZ_EINVAL;
	/* Stale, or from further ahead than a token can be (a forged
	 * expiry fails the csrf check anyway). */
	if ((int64_t)e <= now ||
	    (int64_t)e > now + (int64_t)GZ_LIMIT_LOGIN_SECONDS)
		return GZ_EINVAL;
	login_bind(id, (int64_t)e, hash);
	if (expires)
		*expires = (int64_t)e;
	return GZ_OK;
}

int
admin_login_spend(struct admin *a, const unsigned char hash[ADMIN_HASH_BYTES],
		  int64_t expires, int64_t now)
{
	size_t i, free_slot = GZ_LIMIT_LOGIN_SPENT;
	int rc = GZ_OK;

	assert(a != NULL && a->spent != NULL && hash != NULL);
	if (a->limiter) {
		/* Every node's spent tokens: one spent on another node is
		 * refused here too. Its failure refuses (busy). */
		rc = a->limiter->spend(a->limiter->ctx, hash, ADMIN_HASH_BYTES,
				       expires);
		return rc == GZ_OK || rc == GZ_EEXIST ? rc : GZ_EBUSY;
	}
	pthread_mutex_lock(&a->spent_lock);
	for (i = 0; i < GZ_LIMIT_LOGIN_SPENT; i++) {
		struct admin_login_slot *s = &a->spent[i];

		if (s->expires <= now) {
			if (free_slot == GZ_LIMIT_LOGIN_SPENT)
				free_slot = i;
			continue;
		}
		if (sodium_memcmp(s->key, hash, LOGIN_KEY_BYTES) == 0) {
			rc = GZ_EEXIST;
			goto out;
		}
	}
	if (free_slot == GZ_LIMIT_LOGIN_SPENT) {
		rc = GZ_EBUSY;
		goto out;
	}
	memcpy(a->spent[free_slot].key, hash, LOGIN_KEY_BYTES);
	a->spent[free_slot].expires = expires;
out:
	pthread_mutex_unlock(&a->spent_lock);
	return rc;
}

bool
admin_login_spent(struct admin *a, const unsigned char hash[ADMIN_HASH_BYTES],
		  int64_t now)
{
	size_t i;
	bool spent = false;

	assert(a != NULL && a->spent != NULL && hash != NULL);
	if (a->limiter) {
		/* true on error too: the form is made again. */
		(void)a->limiter->spent(a->limiter->ctx, hash,
					ADMIN_HASH_BYTES, now, &spent);
		return spent;
	}
	pthread_mutex_lock(&a->spent_lock);
	for (i = 0; i < GZ_LIMIT_LOGIN_SPENT && !spent; i++)
		spent = a->spent[i].expires > now &&
			sodium_memcmp(a->spent[i].key, hash,
				      LOGIN_KEY_BYTES) == 0;
	pthread_mutex_unlock(&a->spent_lock);
	return spent;
}
