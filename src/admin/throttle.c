/*
 * throttle.c - sign-in throttles: at most GZ_LIMIT_SIGNIN_FAILS_ACCOUNT
 * failures per account and GZ_LIMIT_SIGNIN_FAILS_ADDRESS per address in
 * GZ_LIMIT_SIGNIN_WINDOW_SECONDS, in memory of fixed size.
 *
 * Data flow: the sign-in handler counts each try as it accepts it
 * (admin_throttle_attempt: checked and counted under one lock, so that
 * thirty tries sent at once are thirty, not thirty judged before the
 * first is counted), takes one back when it was not a failure
 * (admin_throttle_forgive: a right password awaiting its code, a try
 * that was never hashed) and clears the account once the whole sign-in
 * succeeded (admin_throttle_succeeded). A right password does not clear
 * the account, so wrong codes keep counting across password steps.
 * Signed-in pages that ask for the password (a password change,
 * turning TOTP off) count and take back their tries the same way.
 *
 * Two tables (accounts, addresses) of GZ_LIMIT_SIGNIN_TABLE entries,
 * each entry a 64-bit SipHash (crypto_shorthash, key drawn at start) of
 * the folded name and a ring of its last GZ_LIMIT_SIGNIN_FAILS_ADDRESS
 * failure times. Account names are folded to ASCII lower case and cut at
 * THROTTLE_NAME_MAX bytes, so "Ann" and "ann" share a count, and a
 * 10 MB name costs what a short one does. IPv6 addresses count by
 * their /64 (throttle_ip_key). A new entry takes an empty slot, else
 * the one whose last failure is oldest among those refusing no one now,
 * else the oldest: a flood of made-up names can only make the table
 * forget, never refuse someone else, and forgets a locked account only
 * once every entry is at its limit.
 *
 * With a shared limiter (admin_limiter_set; many nodes on one
 * database) the tables are not used: the same folded names and /64s are
 * handed to it, scoped GZ_SCOPE_SIGNIN_ACCOUNT and _ADDRESS, and it
 * keeps the failures where every node counts them. A try is then taken
 * on the account, then on the address; an address at its limit gives
 * the account's back. Its errors refuse the try (fail closed) with
 * *retry_after 0, which the pages answer 503 "busy".
 *
 * Invariants: the tables are read and written only under throttle_lock;
 * every call does a bounded amount of work (one pass over a table's
 * keys); an entry with n == 0 is empty; a ring's times are in the order
 * recorded.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "admin/admin_int.h"
#include "util/err.h"
#include "util/limiter.h"

/* The bytes of an account name or an address that count. */
#define THROTTLE_NAME_MAX 64u
#define THROTTLE_RING GZ_LIMIT_SIGNIN_FAILS_ADDRESS
#define THROTTLE_WINDOW ((int64_t)GZ_LIMIT_SIGNIN_WINDOW_SECONDS)

_Static_assert(GZ_LIMIT_SIGNIN_FAILS_ACCOUNT <= THROTTLE_RING &&
		       GZ_LIMIT_SIGNIN_FAILS_ADDRESS <= THROTTLE_RING,
	       "a ring holds a limit's failures");
_Static_assert(sizeof(((struct admin *)0)->throttle_key) ==
		       crypto_shorthash_KEYBYTES,
	       "throttle key size");

static int
throttle_table_init(struct admin_throttle_table *t, unsigned limit)
{
	t->limit = limit;
	t->key = calloc(GZ_LIMIT_SIGNIN_TABLE, sizeof(*t->key));
	t->last = calloc(GZ_LIMIT_SIGNIN_TABLE, sizeof(*t->last));
	t->head = calloc(GZ_LIMIT_SIGNIN_TABLE, sizeof(*t->head));
	t->n = calloc(GZ_LIMIT_SIGNIN_TABLE, sizeof(*t->n));
	t->times = calloc((size_t)GZ_LIMIT_SIGNIN_TABLE * THROTTLE_RING,
			  sizeof(*t->times));
	if (!t->key || !t->last || !t->head || !t->n || !t->times)
		return GZ_ENOMEM;
	return GZ_OK;
}

static void
throttle_table_fini(struct admin_throttle_table *t)
{
	free(t->key);
	free(t->last);
	free(t->head);
	free(t->n);
	free(t->times);
	memset(t, 0, sizeof(*t));
}

int
admin_throttle_init(struct admin *a)
{
	assert(a != NULL);
	crypto_shorthash_keygen(a->throttle_key);
	if (throttle_table_init(&a->accounts, GZ_LIMIT_SIGNIN_FAILS_ACCOUNT) !=
		    GZ_OK ||
	    throttle_table_init(&a->addresses, GZ_LIMIT_SIGNIN_FAILS_ADDRESS) !=
		    GZ_OK ||
	    pthread_mutex_init(&a->throttle_lock, NULL) != 0) {
		throttle_table_fini(&a->accounts);
		throttle_table_fini(&a->addresses);
		return GZ_ENOMEM;
	}
	if (admin_login_init(a) != GZ_OK) {
		pthread_mutex_destroy(&a->throttle_lock);
		throttle_table_fini(&a->accounts);
		throttle_table_fini(&a->addresses);
		return GZ_ENOMEM;
	}
	return GZ_OK;
}

void
admin_throttle_fini(struct admin *a)
{
	if (!a || !a->accounts.key)
		return;
	admin_login_fini(a);
	pthread_mutex_destroy(&a->throttle_lock);
	throttle_table_fini(&a->accounts);
	throttle_table_fini(&a->addresses);
}

/* The bytes of name (NULL: "") that count, folded to ASCII lower case
 * when fold, cut at THROTTLE_NAME_MAX: into s, their length returned. */
static size_t
throttle_name_bytes(const char *name, bool fold,
		    unsigned char s[THROTTLE_NAME_MAX])
{
	size_t len, i;

	if (!name)
		name = "";
	len = strnlen(name, THROTTLE_NAME_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		s[i] = fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
	}
	return len;
}

/* The bytes of an address (NULL: "") that count. An IPv6 address
 * counts by its /64: whoever holds one address of a /64 usually holds
 * all 2^64 of them (one customer's, one host's), so counting per
 * address would give them 2^64 times the tries. An IPv4 address written
 * as IPv6 (::ffff:a.b.c.d) counts as that IPv4 address; anything that
 * is not an IPv6 address counts by its text. Into s, length returned. */
static size_t
throttle_ip_bytes(const char *ip, unsigned char s[THROTTLE_NAME_MAX])
{
	unsigned char in6[16];
	static const unsigned char v4_mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	};
	char v4[INET_ADDRSTRLEN];

	if (!ip || strnlen(ip, INET6_ADDRSTRLEN) >= INET6_ADDRSTRLEN ||
	    inet_pton(AF_INET6, ip, in6) != 1)
		return throttle_name_bytes(ip, false, s);
	if (memcmp(in6, v4_mapped, sizeof(v4_mapped)) == 0 &&
	    inet_ntop(AF_INET, in6 + 12, v4, sizeof(v4)))
		return throttle_name_bytes(v4, false, s);
	/* A NUL first: no address's text is the same bytes. */
	s[0] = '\0';
	s[1] = '6';
	memcpy(s + 2, in6, 8);
	return 2 + 8;
}

/* The keyed hash of the len bytes of s. */
static uint64_t
throttle_hash(const struct admin *a, const unsigned char *s, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t key;

	crypto_shorthash(h, s, len, a->throttle_key);
	memcpy(&key, h, sizeof(key));
	return key;
}

/* The keyed hash of name, as throttle_name_bytes gives it. */
static uint64_t
throttle_key(const struct admin *a, const char *name, bool fold)
{
	unsigned char s[THROTTLE_NAME_MAX] = {0};

	return throttle_hash(a, s, throttle_name_bytes(name, fold, s));
}

/* The keyed hash of an address, as throttle_ip_bytes gives it. */
static uint64_t
throttle_ip_key(const struct admin *a, const char *ip)
{
	unsigned char s[THROTTLE_NAME_MAX] = {0};

	return throttle_hash(a, s, throttle_ip_bytes(ip, s));
}

/* The entry of key, or GZ_LIMIT_SIGNIN_TABLE when there is none. */
static size_t
throttle_find(const struct admin_throttle_table *t, uint64_t key)
{
	size_t i;

	for (i = 0; i < GZ_LIMIT_SIGNIN_TABLE; i++)
		if (t->n[i] > 0 && t->key[i] == key)
			return i;
	return GZ_LIMIT_SIGNIN_TABLE;
}

/* True when t (a failure's time) is inside the window ending at now; a
 * time after now (the clock stepped back) counts as inside. */
static bool
throttle_recent(int64_t when, int64_t now)
{
	return when > now || now - when < THROTTLE_WINDOW;
}

/* Whether entry i may try at now; when not, *wait gets the seconds until
 * enough of its failures leave the window. */
static bool
throttle_entry_allowed(const struct admin_throttle_table *t, size_t i,
		       int64_t now, int64_t *wait)
{
	const int64_t *ring = t->times + i * THROTTLE_RING;
	int64_t recent[THROTTLE_RING], w;
	unsigned j, k = 0;

	for (j = 0; j < t->n[i]; j++) {
		int64_t when = ring[(t->head[i] + j) % THROTTLE_RING];

		if (throttle_recent(when, now))
			recent[k++] = when;
	}
	if (k < t->limit)
		return true;
	/* recent[] is oldest first; one try is allowed again when the
	 * (k - limit + 1)th oldest of them leaves the window. */
	w = recent[k - t->limit] + THROTTLE_WINDOW - now;
	*wait = w > 0 ? w : 1;
	return false;
}

/* Defined below, with its comment. */
static void throttle_record(struct admin_throttle_table *t, uint64_t key,
			    int64_t now);

/* The check of admin_throttle_allowed and, when count and allowed, the
 * try counted against both keys, under one hold of throttle_lock. */
static bool
throttle_try(struct admin *a, const char *account, const char *ip,
	     int64_t now, int64_t *retry_after, bool count)
{
	uint64_t ka, kip;
	int64_t wait_a = 0, wait_ip = 0;
	size_t i;
	bool ok = true;

	assert(a != NULL);
	ka = throttle_key(a, account, true);
	kip = throttle_ip_key(a, ip);
	pthread_mutex_lock(&a->throttle_lock);
	if ((i = throttle_find(&a->accounts, ka)) < GZ_LIMIT_SIGNIN_TABLE &&
	    !throttle_entry_allowed(&a->accounts, i, now, &wait_a))
		ok = false;
	if ((i = throttle_find(&a->addresses, kip)) < GZ_LIMIT_SIGNIN_TABLE &&
	    !throttle_entry_allowed(&a->addresses, i, now, &wait_ip))
		ok = false;
	if (ok && count) {
		throttle_record(&a->accounts, ka, now);
		throttle_record(&a->addresses, kip, now);
	}
	pthread_mutex_unlock(&a->throttle_lock);
	if (!ok && retry_after)
		*retry_after = wait_a > wait_ip ? wait_a : wait_ip;
	return ok;
}

void
admin_limiter_set(struct admin *a, const struct gz_limiter *limiter)
{
	assert(a != NULL);
	a->limiter = limiter;
}

/* throttle_try through the shared limiter. An error refuses, with
 * *retry_after 0. */
static bool
throttle_shared_try(struct admin *a, const char *account, const char *ip,
		    int64_t now, int64_t *retry_after, bool count)
{
	const struct gz_limiter *l = a->limiter;
	unsigned char na[THROTTLE_NAME_MAX], nip[THROTTLE_NAME_MAX];
	size_t la = throttle_name_bytes(account, true, na);
	size_t lip = throttle_ip_bytes(ip, nip);
	int64_t wait_a = 0, wait_ip = 0;
	bool ok_a = false, ok_ip = false, lim;

	if (!count) {
		if (l->limited(l->ctx, GZ_SCOPE_SIGNIN_ACCOUNT, na, la, now,
			       THROTTLE_WINDOW, GZ_LIMIT_SIGNIN_FAILS_ACCOUNT,
			       &lim, &wait_a) != GZ_OK)
			goto fail;
		ok_a = !lim;
		if (l->limited(l->ctx, GZ_SCOPE_SIGNIN_ADDRESS, nip, lip, now,
			       THROTTLE_WINDOW, GZ_LIMIT_SIGNIN_FAILS_ADDRESS,
			       &lim, &wait_ip) != GZ_OK)
			goto fail;
		ok_ip = !lim;
	} else {
		if (l->take(l->ctx, GZ_SCOPE_SIGNIN_ACCOUNT, na, la, now,
			    THROTTLE_WINDOW, GZ_LIMIT_SIGNIN_FAILS_ACCOUNT,
			    &ok_a, &wait_a) != GZ_OK)
			goto fail;
		if (ok_a) {
			if (l->take(l->ctx, GZ_SCOPE_SIGNIN_ADDRESS, nip, lip,
				    now, THROTTLE_WINDOW,
				    GZ_LIMIT_SIGNIN_FAILS_ADDRESS, &ok_ip,
				    &wait_ip) != GZ_OK) {
				(void)l->forgive(l->ctx,
						 GZ_SCOPE_SIGNIN_ACCOUNT, na,
						 la);
				goto fail;
			}
			/* The address refused: the account's try was
			 * never made. */
			if (!ok_ip)
				(void)l->forgive(l->ctx,
						 GZ_SCOPE_SIGNIN_ACCOUNT, na,
						 la);
		}
	}
	if (ok_a && ok_ip)
		return true;
	if (retry_after) {
		*retry_after = ok_a ? wait_ip : ok_ip ? wait_a
			     : wait_a > wait_ip ? wait_a : wait_ip;
		if (*retry_after < 1)
			*retry_after = 1;
	}
	return false;
fail:
	if (retry_after)
		*retry_after = 0;
	return false;
}

bool
admin_throttle_allowed(struct admin *a, const char *account, const char *ip,
		       int64_t now, int64_t *retry_after)
{
	assert(a != NULL);
	if (a->limiter)
		return throttle_shared_try(a, account, ip, now, retry_after,
					   false);
	return throttle_try(a, account, ip, now, retry_after, false);
}

bool
admin_throttle_attempt(struct admin *a, const char *account, const char *ip,
		       int64_t now, int64_t *retry_after)
{
	assert(a != NULL);
	if (a->limiter)
		return throttle_shared_try(a, account, ip, now, retry_after,
					   true);
	return throttle_try(a, account, ip, now, retry_after, true);
}

/* The entry a new key takes in t at now: an empty one; else the one
 * whose last failure is oldest among those refusing no one now; else,
 * every entry at its limit, the oldest. So a flood of made-up names must
 * bring every entry to its limit before a locked account is forgotten (a
 * review found about 205 addresses a window enough to free one when the
 * oldest went first). */
static size_t
throttle_victim(const struct admin_throttle_table *t, int64_t now)
{
	size_t j, victim = GZ_LIMIT_SIGNIN_TABLE, oldest = 0;
	int64_t wait;

	for (j = 0; j < GZ_LIMIT_SIGNIN_TABLE; j++)
		if (t->n[j] == 0)
			return j;
	for (j = 0; j < GZ_LIMIT_SIGNIN_TABLE; j++) {
		if (t->last[j] < t->last[oldest])
			oldest = j;
		if (t->n[j] >= t->limit &&
		    !throttle_entry_allowed(t, j, now, &wait))
			continue; /* refusing someone now: kept */
		if (victim == GZ_LIMIT_SIGNIN_TABLE ||
		    t->last[j] < t->last[victim])
			victim = j;
	}
	return victim < GZ_LIMIT_SIGNIN_TABLE ? victim : oldest;
}

/* Records a failure of key at now in t, making its entry when new. */
static void
throttle_record(struct admin_throttle_table *t, uint64_t key, int64_t now)
{
	size_t i = throttle_find(t, key);
	int64_t *ring;

	if (i == GZ_LIMIT_SIGNIN_TABLE) {
		i = throttle_victim(t, now);
		t->key[i] = key;
		t->n[i] = 0;
		t->head[i] = 0;
	}
	ring = t->times + i * THROTTLE_RING;
	if (t->n[i] < THROTTLE_RING) {
		ring[(t->head[i] + t->n[i]) % THROTTLE_RING] = now;
		t->n[i]++;
	} else {
		ring[t->head[i]] = now;
		t->head[i] = (t->head[i] + 1) % THROTTLE_RING;
	}
	t->last[i] = now;
}

void
admin_throttle_failed(struct admin *a, const char *account, const char *ip,
		      int64_t now)
{
	uint64_t ka, kip;

	assert(a != NULL);
	if (a->limiter) {
		const struct gz_limiter *l = a->limiter;
		unsigned char na[THROTTLE_NAME_MAX], nip[THROTTLE_NAME_MAX];
		size_t la = throttle_name_bytes(account, true, na);
		size_t lip = throttle_ip_bytes(ip, nip);
		bool ok;

		/* Counted whatever the count: no maximum. A lost write
		 * is a failure forgotten, logged by the store. */
		(void)l->take(l->ctx, GZ_SCOPE_SIGNIN_ACCOUNT, na, la, now,
			      THROTTLE_WINDOW, UINT_MAX, &ok, NULL);
		(void)l->take(l->ctx, GZ_SCOPE_SIGNIN_ADDRESS, nip, lip, now,
			      THROTTLE_WINDOW, UINT_MAX, &ok, NULL);
		return;
	}
	ka = throttle_key(a, account, true);
	kip = throttle_ip_key(a, ip);
	pthread_mutex_lock(&a->throttle_lock);
	throttle_record(&a->accounts, ka, now);
	throttle_record(&a->addresses, kip, now);
	pthread_mutex_unlock(&a->throttle_lock);
}

/* Takes back the newest try of key in t (another's, when two raced: the
 * count is what matters). */
static void
throttle_unrecord(struct admin_throttle_table *t, uint64_t key)
{
	size_t i = throttle_find(t, key);

	if (i < GZ_LIMIT_SIGNIN_TABLE && t->n[i] > 0)
		t->n[i]--; /* n == 0 is an empty entry, free for another */
}

void
admin_throttle_forgive(struct admin *a, const char *account, const char *ip)
{
	uint64_t ka = 0, kip = 0;

	assert(a != NULL);
	if (a->limiter) {
		const struct gz_limiter *l = a->limiter;
		unsigned char n[THROTTLE_NAME_MAX];

		/* A lost forgive leaves one try too many counted: the
		 * safe side. */
		if (account)
			(void)l->forgive(l->ctx, GZ_SCOPE_SIGNIN_ACCOUNT, n,
					 throttle_name_bytes(account, true, n));
		if (ip)
			(void)l->forgive(l->ctx, GZ_SCOPE_SIGNIN_ADDRESS, n,
					 throttle_ip_bytes(ip, n));
		return;
	}
	if (account)
		ka = throttle_key(a, account, true);
	if (ip)
		kip = throttle_ip_key(a, ip);
	pthread_mutex_lock(&a->throttle_lock);
	if (account)
		throttle_unrecord(&a->accounts, ka);
	if (ip)
		throttle_unrecord(&a->addresses, kip);
	pthread_mutex_unlock(&a->throttle_lock);
}

void
admin_throttle_succeeded(struct admin *a, const char *account)
{
	uint64_t ka;
	size_t i;

	assert(a != NULL);
	if (a->limiter) {
		unsigned char n[THROTTLE_NAME_MAX];

		(void)a->limiter->clear(a->limiter->ctx,
					GZ_SCOPE_SIGNIN_ACCOUNT, n,
					throttle_name_bytes(account, true, n));
		return;
	}
	ka = throttle_key(a, account, true);
	pthread_mutex_lock(&a->throttle_lock);
	if ((i = throttle_find(&a->accounts, ka)) < GZ_LIMIT_SIGNIN_TABLE) {
		a->accounts.n[i] = 0;
		a->accounts.head[i] = 0;
		a->accounts.key[i] = 0;
		a->accounts.last[i] = 0;
	}
	pthread_mutex_unlock(&a->throttle_lock);
}
