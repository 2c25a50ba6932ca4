/*
 * limits.c - the limiter (util/limiter.h) that keeps comments/' rate
 * limits and admin/'s sign-in throttles and spent sign-in tokens in the
 * store, for many nodes on one PostgreSQL (issue 16): each node counts
 * what every node counted, and a token spent on one is spent on all.
 *
 * Data flow: site_new makes it when store_is_shared says the database
 * is shared, and installs it in the site's comments and admin (and in
 * every comments a reload makes); they call it with the bytes of what
 * they count; this file turns those into keys and calls store/limit.c.
 *
 * Keys: BLAKE2b-256 (crypto_generichash) keyed with a subkey of the
 * site secret (crypto_kdf, context "gzlimit1", subkey 1), over the
 * scope (4 bytes, big-endian) and the bytes. Every node has the same
 * gazette.conf secret, so every node makes the same key for an address;
 * the database holds no address or name, and without the secret its
 * keys cannot be tested against a guessed address. A spent token's
 * hash is hashed the same way (scope 0), so the database holds nothing
 * a browser sends either.
 *
 * Invariants: immutable after site_limits_new (any thread may call it);
 * a store error is returned as is, and the callers fail closed.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "site/site_int.h"
#include "store/store.h"
#include "util/err.h"
#include "util/limiter.h"
#include "util/secret.h"

#define LIMITS_KDF_CONTEXT "gzlimit1"
#define LIMITS_SUBKEY 1u
#define LIMITS_KEY_BYTES 32u
/* The scope of spent sign-in tokens' keys: no limit's. */
#define LIMITS_SCOPE_LOGIN 0

_Static_assert(sizeof(LIMITS_KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
	       "kdf context");
_Static_assert(LIMITS_KEY_BYTES >= STORE_LIMIT_KEY_MIN &&
		       LIMITS_KEY_BYTES <= STORE_LIMIT_KEY_MAX,
	       "a key the store takes");

struct site_limits {
	struct gz_limiter limiter; /* first: its ctx is this */
	struct store *store;
	unsigned char key[crypto_generichash_KEYBYTES];
};

/* The key of (scope, who[len]) into out. */
static void
limits_key(const struct site_limits *l, int scope, const void *who,
	   size_t len, unsigned char out[LIMITS_KEY_BYTES])
{
	crypto_generichash_state h;
	unsigned char sc[4];
	uint32_t v = (uint32_t)scope;

	sc[0] = (unsigned char)(v >> 24);
	sc[1] = (unsigned char)(v >> 16);
	sc[2] = (unsigned char)(v >> 8);
	sc[3] = (unsigned char)v;
	crypto_generichash_init(&h, l->key, sizeof(l->key), LIMITS_KEY_BYTES);
	crypto_generichash_update(&h, sc, sizeof(sc));
	crypto_generichash_update(&h, who, len);
	crypto_generichash_final(&h, out, LIMITS_KEY_BYTES);
}

/* Seconds until the oldest of a full window leaves it: at least 1. */
static int64_t
limits_wait(int64_t oldest, int64_t window, int64_t now)
{
	int64_t w = oldest + window - now;

	return w > 0 ? w : 1;
}

static int
limits_take(void *ctx, int scope, const void *who, size_t len, int64_t now,
	    int64_t window, unsigned max, bool *allowed, int64_t *retry_after)
{
	struct site_limits *l = ctx;
	unsigned char k[LIMITS_KEY_BYTES];
	int64_t oldest = 0;
	int rc;

	limits_key(l, scope, who, len, k);
	rc = store_limit_take(l->store, scope, k, sizeof(k), now, window, max,
			      allowed, &oldest);
	if (rc == GZ_OK && !*allowed && retry_after)
		*retry_after = limits_wait(oldest, window, now);
	return rc;
}

static int
limits_limited(void *ctx, int scope, const void *who, size_t len,
	       int64_t now, int64_t window, unsigned max, bool *limited,
	       int64_t *retry_after)
{
	struct site_limits *l = ctx;
	unsigned char k[LIMITS_KEY_BYTES];
	unsigned n = 0;
	int64_t oldest = 0;
	int rc;

	*limited = true;
	limits_key(l, scope, who, len, k);
	if ((rc = store_limit_count(l->store, scope, k, sizeof(k), now, window,
				    &n, &oldest)) != GZ_OK)
		return rc;
	*limited = n >= max;
	if (*limited && retry_after)
		*retry_after = limits_wait(oldest, window, now);
	return GZ_OK;
}

static int
limits_forgive(void *ctx, int scope, const void *who, size_t len)
{
	struct site_limits *l = ctx;
	unsigned char k[LIMITS_KEY_BYTES];

	limits_key(l, scope, who, len, k);
	return store_limit_forgive(l->store, scope, k, sizeof(k));
}

static int
limits_clear(void *ctx, int scope, const void *who, size_t len)
{
	struct site_limits *l = ctx;
	unsigned char k[LIMITS_KEY_BYTES];

	limits_key(l, scope, who, len, k);
	return store_limit_clear(l->store, scope, k, sizeof(k));
}

static int
limits_spend(void *ctx, const unsigned char *hash, size_t len,
	     int64_t expires)
{
	struct site_limits *l = ctx;
	unsigned char k[LIMITS_KEY_BYTES];

	limits_key(l, LIMITS_SCOPE_LOGIN, hash, len, k);
	return store_login_spend(l->store, k, sizeof(k), expires);
}

static int
limits_spent(void *ctx, const unsigned char *hash, size_t len, int64_t now,
	     bool *spent)
{
	struct site_limits *l = ctx;
	unsigned char k[LIMITS_KEY_BYTES];

	limits_key(l, LIMITS_SCOPE_LOGIN, hash, len, k);
	return store_login_spent(l->store, k, sizeof(k), now, spent);
}

int
site_limits_new(struct store *st, const char *secret_hex,
		struct site_limits **out)
{
	unsigned char master[crypto_kdf_KEYBYTES];
	struct site_limits *l = NULL;
	int rc = GZ_EINVAL;

	assert(st && out);
	*out = NULL;
	if (sodium_init() < 0)
		return GZ_EIO;
	if (gz_secret_parse(secret_hex, master) != GZ_OK)
		return GZ_EINVAL;
	if (!(l = calloc(1, sizeof(*l)))) {
		rc = GZ_ENOMEM;
		goto out;
	}
	if (crypto_kdf_derive_from_key(l->key, sizeof(l->key), LIMITS_SUBKEY,
				       LIMITS_KDF_CONTEXT, master) != 0) {
		free(l);
		l = NULL;
		goto out;
	}
	l->store = st;
	l->limiter.ctx = l;
	l->limiter.take = limits_take;
	l->limiter.limited = limits_limited;
	l->limiter.forgive = limits_forgive;
	l->limiter.clear = limits_clear;
	l->limiter.spend = limits_spend;
	l->limiter.spent = limits_spent;
	*out = l;
	rc = GZ_OK;
out:
	sodium_memzero(master, sizeof(master));
	return rc;
}

const struct gz_limiter *
site_limits_limiter(const struct site_limits *l)
{
	return l ? &l->limiter : NULL;
}

void
site_limits_free(struct site_limits *l)
{
	if (!l)
		return;
	sodium_memzero(l->key, sizeof(l->key));
	free(l);
}
