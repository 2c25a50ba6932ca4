/* Tests for src/admin/throttle.c: the account and address limits, the
 * sliding window and retry_after, what a success clears, case folding,
 * and eviction from the fixed tables, with a fake clock; and with a
 * shared limiter (many nodes), the same counts kept there by two admins
 * at once, the spent sign-in tokens (login.c) too, and its failures
 * refusing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "admin/admin.h"
#include "util/err.h"
#include "util/limiter.h"
#include "util/limits.h"

#define SECRET "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define WINDOW ((int64_t)GZ_LIMIT_SIGNIN_WINDOW_SECONDS)

static int
setup(void **state)
{
	struct admin *a = NULL;

	if (admin_new(SECRET, ADMIN_HASH_MINIMUM, &a) != GZ_OK)
		return -1;
	*state = a;
	return 0;
}

static int
teardown(void **state)
{
	admin_free(*state);
	return 0;
}

static const char *
ip_of(unsigned i)
{
	static char s[32];

	snprintf(s, sizeof(s), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
	return s;
}

static void
account_limit(void **state)
{
	struct admin *a = *state;
	int64_t retry = -1;
	unsigned i;

	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; i++) {
		assert_true(admin_throttle_allowed(a, "ann", ip_of(i), 100 + i,
						   &retry));
		admin_throttle_failed(a, "ann", ip_of(i), 100 + i);
	}
	/* Five failures: the sixth try is refused from any address, until
	 * the first failure (at 100) leaves the window. */
	assert_false(admin_throttle_allowed(a, "ann", "192.0.2.9", 104, &retry));
	assert_int_equal(retry, 100 + WINDOW - 104);
	assert_false(admin_throttle_allowed(a, "ann", "192.0.2.9",
					    100 + WINDOW - 1, &retry));
	assert_int_equal(retry, 1);
	assert_false(admin_throttle_allowed(a, "ann", "192.0.2.9", 104, NULL));
	/* Another account is not affected. */
	assert_true(admin_throttle_allowed(a, "bob", "192.0.2.9", 104, &retry));
	/* The window slides: at 100 + WINDOW the failure at 100 is out. */
	assert_true(admin_throttle_allowed(a, "ann", "192.0.2.9", 100 + WINDOW,
					   &retry));
	admin_throttle_failed(a, "ann", "192.0.2.9", 100 + WINDOW);
	assert_false(admin_throttle_allowed(a, "ann", "192.0.2.9",
					    100 + WINDOW, &retry));
	assert_int_equal(retry, 1);
	/* Long after, all is forgotten. */
	assert_true(admin_throttle_allowed(a, "ann", "192.0.2.9",
					   100 + 3 * WINDOW, &retry));
}

static void
address_limit(void **state)
{
	struct admin *a = *state;
	char name[16];
	int64_t retry = -1;
	unsigned i;

	/* One address trying many accounts, one failure each. */
	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ADDRESS; i++) {
		snprintf(name, sizeof(name), "user%u", i);
		assert_true(admin_throttle_allowed(a, name, "198.51.100.7", 10,
						   &retry));
		admin_throttle_failed(a, name, "198.51.100.7", 10);
	}
	assert_false(admin_throttle_allowed(a, "newname", "198.51.100.7", 20,
					    &retry));
	assert_int_equal(retry, 10 + WINDOW - 20);
	assert_true(admin_throttle_allowed(a, "newname", "198.51.100.8", 20,
					   &retry));
	/* A success clears the account, never the address. */
	admin_throttle_succeeded(a, "user0");
	assert_false(admin_throttle_allowed(a, "user0", "198.51.100.7", 20,
					    &retry));
	assert_true(admin_throttle_allowed(a, "newname", "198.51.100.7",
					   10 + WINDOW, &retry));
}

static void
success_clears_the_account(void **state)
{
	struct admin *a = *state;
	int64_t retry = 0;
	unsigned i;

	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; i++)
		admin_throttle_failed(a, "cat", "203.0.113.1", 50);
	assert_false(admin_throttle_allowed(a, "cat", "203.0.113.2", 51, &retry));
	admin_throttle_succeeded(a, "cat");
	assert_true(admin_throttle_allowed(a, "cat", "203.0.113.2", 51, &retry));
	/* The address kept its five. */
	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ADDRESS - 5; i++)
		admin_throttle_failed(a, "someone", "203.0.113.1", 52);
	assert_false(admin_throttle_allowed(a, "dog", "203.0.113.1", 53, &retry));
	/* Succeeding for an account never seen is harmless. */
	admin_throttle_succeeded(a, "never-seen");
}

static void
names_are_folded_and_cut(void **state)
{
	struct admin *a = *state;
	char long1[200], long2[200];
	unsigned i;

	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; i++)
		admin_throttle_failed(a, i % 2 ? "Dan" : "DAN", ip_of(i), 5);
	assert_false(admin_throttle_allowed(a, "dan", "192.0.2.200", 6, NULL));
	/* Two names equal in their first 64 bytes count as one. */
	memset(long1, 'x', sizeof(long1) - 1);
	long1[sizeof(long1) - 1] = '\0';
	memcpy(long2, long1, sizeof(long1));
	long2[150] = 'y';
	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; i++)
		admin_throttle_failed(a, long1, ip_of(100 + i), 5);
	assert_false(admin_throttle_allowed(a, long2, "192.0.2.201", 6, NULL));
	/* NULL names and addresses are "" (and do not crash). */
	assert_true(admin_throttle_allowed(a, NULL, NULL, 6, NULL));
	admin_throttle_failed(a, NULL, NULL, 6);
}

static void
oldest_is_evicted(void **state)
{
	struct admin *a = *state;
	char name[32];
	unsigned i;

	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; i++)
		admin_throttle_failed(a, "victim", ip_of(i), 1);
	/* Fill the rest of the table with newer accounts: the victim stays. */
	for (i = 0; i < GZ_LIMIT_SIGNIN_TABLE - 1; i++) {
		snprintf(name, sizeof(name), "filler%u", i);
		admin_throttle_failed(a, name, ip_of(1000 + i), 2);
	}
	assert_false(admin_throttle_allowed(a, "victim", "192.0.2.1", 3, NULL));
	/* One more account: the table is full; the victim is locked, so the
	 * oldest of the others goes, and the victim stays locked. */
	admin_throttle_failed(a, "one-too-many", "192.0.2.2", 3);
	assert_false(admin_throttle_allowed(a, "victim", "192.0.2.1", 3, NULL));
	/* The newest entries are all still there. */
	for (i = 0; i < 4; i++)
		admin_throttle_failed(a, "one-too-many", "192.0.2.2", 3);
	assert_false(admin_throttle_allowed(a, "one-too-many", "192.0.2.3", 3,
					    NULL));
}

/* When every entry is refusing someone, a new name still gets one: the
 * oldest goes (the table forgets, it never refuses the newcomer). */
static void
all_locked_oldest_goes(void **state)
{
	struct admin *a = *state;
	char name[32];
	unsigned i, k;

	for (i = 0; i < GZ_LIMIT_SIGNIN_TABLE; i++) {
		snprintf(name, sizeof(name), "locked%u", i);
		for (k = 0; k < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; k++)
			admin_throttle_failed(a, name, ip_of(i), 100 + i / 10);
	}
	assert_false(admin_throttle_allowed(a, "locked0", "192.0.2.1", 600,
					    NULL));
	admin_throttle_failed(a, "newcomer", "192.0.2.2", 600);
	assert_true(admin_throttle_allowed(a, "locked0", "192.0.2.1", 600,
					   NULL));
	assert_false(admin_throttle_allowed(a, "locked1", "192.0.2.1", 600,
					    NULL));
	assert_true(admin_throttle_allowed(a, "newcomer", "192.0.2.3", 600,
					   NULL));
}

/* Tries counted as they are accepted: with no result in between (a
 * burst, every hash still running) the one past the limit is refused. */
static void
attempt_counts_at_once(void **state)
{
	struct admin *a = *state;
	int64_t retry = 0;
	unsigned i;

	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; i++)
		assert_true(admin_throttle_attempt(a, "ann", ip_of(i), 100,
						   &retry));
	assert_false(admin_throttle_attempt(a, "ann", ip_of(99), 100, &retry));
	assert_true(retry > 0);
	assert_false(admin_throttle_allowed(a, "ann", ip_of(99), 100, NULL));
	/* Taking one back (a right password) lets one more in. */
	admin_throttle_forgive(a, "ann", ip_of(0));
	assert_true(admin_throttle_attempt(a, "ann", ip_of(98), 100, &retry));
	assert_false(admin_throttle_attempt(a, "ann", ip_of(97), 100, &retry));
}

/* A right password forgives only its own try: wrong codes counted
 * between password steps add up to the limit. */
static void
codes_count_across_passwords(void **state)
{
	struct admin *a = *state;
	unsigned i;

	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; i++) {
		/* The password step: right, so taken back. */
		assert_true(admin_throttle_attempt(a, "ann", "192.0.2.1", 100,
						   NULL));
		admin_throttle_forgive(a, "ann", "192.0.2.1");
		/* The code step: wrong, kept. */
		assert_true(admin_throttle_attempt(a, "ann", "192.0.2.1", 100,
						   NULL));
	}
	assert_false(admin_throttle_attempt(a, "ann", "192.0.2.1", 100, NULL));
	/* The whole sign-in succeeding clears the account. */
	admin_throttle_succeeded(a, "ann");
	assert_true(admin_throttle_allowed(a, "ann", "198.51.100.1", 100, NULL));
	/* Forgiving what was never counted is harmless. */
	admin_throttle_forgive(a, "nobody", "203.0.113.9");
	admin_throttle_forgive(a, NULL, NULL);
}

/* IPv6 addresses count by their /64; an IPv4-mapped one as its IPv4. */
static void
ipv6_counts_by_64(void **state)
{
	struct admin *a = *state;
	char ip[64], name[16];
	unsigned i;

	/* One address each try, all in 2001:db8:1:2::/64, and one account
	 * each: the address limit still closes the /64. */
	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ADDRESS; i++) {
		snprintf(ip, sizeof(ip), "2001:db8:1:2:%x:%x::%x", i, i * 7, i + 1);
		snprintf(name, sizeof(name), "v6u%u", i);
		assert_true(admin_throttle_attempt(a, name, ip, 10, NULL));
	}
	assert_false(admin_throttle_attempt(a, "another", "2001:db8:1:2::ffff",
					    10, NULL));
	assert_false(admin_throttle_allowed(a, "another",
					    "2001:0DB8:0001:0002:dead:beef:0:1",
					    10, NULL));
	/* The next /64 is another address. */
	assert_true(admin_throttle_allowed(a, "another", "2001:db8:1:3::1", 10,
					   NULL));
	/* ::ffff:192.0.2.5 is 192.0.2.5. */
	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ADDRESS; i++) {
		snprintf(name, sizeof(name), "v4u%u", i);
		admin_throttle_failed(a, name, i % 2 ? "192.0.2.5"
						     : "::ffff:192.0.2.5", 10);
	}
	assert_false(admin_throttle_allowed(a, "x", "192.0.2.5", 10, NULL));
	assert_false(admin_throttle_allowed(a, "x", "::ffff:192.0.2.5", 10,
					    NULL));
	/* IPv4 addresses stay whole: the neighbour is not closed. */
	assert_true(admin_throttle_allowed(a, "x", "192.0.2.6", 10, NULL));
	/* Forgiving works by /64 too. */
	for (i = 0; i + 1 < GZ_LIMIT_SIGNIN_FAILS_ADDRESS; i++) {
		snprintf(name, sizeof(name), "fz%u", i);
		admin_throttle_failed(a, name, "2001:db8:9::1", 20);
	}
	assert_true(admin_throttle_attempt(a, "fz", "2001:db8:9::1", 21, NULL));
	assert_false(admin_throttle_allowed(a, "fy", "2001:db8:9::3", 21, NULL));
	admin_throttle_forgive(a, "fz", "2001:db8:9::2");
	assert_true(admin_throttle_allowed(a, "fy", "2001:db8:9::3", 21, NULL));
}

struct racer {
	struct admin *a;
	pthread_barrier_t *go;
	bool allowed;
};

static void *
race(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->allowed = admin_throttle_attempt(r->a, "zed", "192.0.2.77", 500,
					    NULL);
	return NULL;
}

/* Thirty tries at once, on thirty threads: exactly the account's limit
 * get through. */
static void
concurrent_attempts(void **state)
{
	struct racer r[30];
	pthread_t t[30];
	pthread_barrier_t go;
	unsigned i, allowed = 0;

	assert_int_equal(pthread_barrier_init(&go, NULL, 30), 0);
	for (i = 0; i < 30; i++) {
		r[i].a = *state;
		r[i].go = &go;
		r[i].allowed = false;
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < 30; i++) {
		pthread_join(t[i], NULL);
		allowed += r[i].allowed;
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(allowed, GZ_LIMIT_SIGNIN_FAILS_ACCOUNT);
}

/* ---- a shared limiter (many nodes) ----------------------------------------- */

#define FAKE_HITS 256
#define FAKE_WHO 64

/* What the store keeps, in memory: hits of (scope, who), and spent
 * tokens; fail makes every call fail. */
struct fake_limiter {
	struct {
		int scope;
		unsigned char who[FAKE_WHO];
		size_t len;
		int64_t at;
	} hit[FAKE_HITS];
	size_t n;
	unsigned char spent[8][32];
	int64_t spent_until[8];
	size_t nspent;
	int fail;
};

static bool
fake_is(const struct fake_limiter *f, size_t i, int scope, const void *who,
	size_t len)
{
	return f->hit[i].scope == scope && f->hit[i].len == len &&
	       memcmp(f->hit[i].who, who, len) == 0;
}

static unsigned
fake_count(const struct fake_limiter *f, int scope, const void *who,
	   size_t len, int64_t since, int64_t *oldest)
{
	unsigned k = 0;
	size_t i;

	*oldest = INT64_MAX;
	for (i = 0; i < f->n; i++)
		if (fake_is(f, i, scope, who, len) && f->hit[i].at > since) {
			k++;
			if (f->hit[i].at < *oldest)
				*oldest = f->hit[i].at;
		}
	return k;
}

static int
fake_take(void *ctx, int scope, const void *who, size_t len, int64_t now,
	  int64_t window, unsigned max, bool *allowed, int64_t *retry)
{
	struct fake_limiter *f = ctx;
	int64_t oldest;

	if (f->fail)
		return f->fail;
	assert_true(len <= FAKE_WHO && f->n < FAKE_HITS);
	*allowed = fake_count(f, scope, who, len, now - window, &oldest) < max;
	if (!*allowed) {
		if (retry)
			*retry = oldest + window - now;
		return GZ_OK;
	}
	f->hit[f->n].scope = scope;
	memcpy(f->hit[f->n].who, who, len);
	f->hit[f->n].len = len;
	f->hit[f->n].at = now;
	f->n++;
	return GZ_OK;
}

static int
fake_limited(void *ctx, int scope, const void *who, size_t len, int64_t now,
	     int64_t window, unsigned max, bool *limited, int64_t *retry)
{
	struct fake_limiter *f = ctx;
	int64_t oldest;

	if (f->fail)
		return f->fail;
	*limited = fake_count(f, scope, who, len, now - window, &oldest) >= max;
	if (*limited && retry)
		*retry = oldest + window - now;
	return GZ_OK;
}

/* Removes the newest hit of (scope, who), or all of them. */
static int
fake_remove(struct fake_limiter *f, int scope, const void *who, size_t len,
	    bool all)
{
	size_t i = f->n;

	if (f->fail)
		return f->fail;
	while (i-- > 0) {
		if (!fake_is(f, i, scope, who, len))
			continue;
		f->hit[i] = f->hit[--f->n];
		if (!all)
			break;
	}
	return GZ_OK;
}

static int
fake_forgive(void *ctx, int scope, const void *who, size_t len)
{
	return fake_remove(ctx, scope, who, len, false);
}

static int
fake_clear(void *ctx, int scope, const void *who, size_t len)
{
	return fake_remove(ctx, scope, who, len, true);
}

static int
fake_spend(void *ctx, const unsigned char *hash, size_t len, int64_t expires)
{
	struct fake_limiter *f = ctx;
	size_t i;

	if (f->fail)
		return f->fail;
	assert_int_equal(len, 32);
	for (i = 0; i < f->nspent; i++)
		if (memcmp(f->spent[i], hash, 32) == 0)
			return GZ_EEXIST;
	assert_true(f->nspent < 8);
	memcpy(f->spent[f->nspent], hash, 32);
	f->spent_until[f->nspent++] = expires;
	return GZ_OK;
}

static int
fake_spent(void *ctx, const unsigned char *hash, size_t len, int64_t now,
	   bool *spent)
{
	struct fake_limiter *f = ctx;
	size_t i;

	*spent = true;
	if (f->fail)
		return f->fail;
	assert_int_equal(len, 32);
	*spent = false;
	for (i = 0; i < f->nspent; i++)
		if (memcmp(f->spent[i], hash, 32) == 0 && f->spent_until[i] > now)
			*spent = true;
	return GZ_OK;
}

static void
fake_limiter_init(struct gz_limiter *l, struct fake_limiter *f)
{
	memset(f, 0, sizeof(*f));
	l->ctx = f;
	l->take = fake_take;
	l->limited = fake_limited;
	l->forgive = fake_forgive;
	l->clear = fake_clear;
	l->spend = fake_spend;
	l->spent = fake_spent;
}

/* Two admins (two nodes) on one limiter: the account's five failures
 * are five in total, whichever node saw them; names fold and IPv6
 * counts by /64 there too; a right password's forgive and a success's
 * clear reach the limiter; and nothing is kept in the admins' own
 * tables (taking the limiter away forgets everything). */
static void
shared_counts_across_admins(void **state)
{
	struct admin *a = *state, *b = NULL;
	struct fake_limiter f;
	struct gz_limiter l;
	int64_t retry = -1;
	unsigned i;

	fake_limiter_init(&l, &f);
	assert_int_equal(admin_new(SECRET, ADMIN_HASH_MINIMUM, &b), GZ_OK);
	admin_limiter_set(a, &l);
	admin_limiter_set(b, &l);
	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ACCOUNT; i++)
		assert_true(admin_throttle_attempt(i % 2 ? b : a,
						   i % 2 ? "ANN" : "ann",
						   ip_of(i), 100, &retry));
	assert_false(admin_throttle_attempt(b, "Ann", ip_of(99), 110, &retry));
	assert_int_equal(retry, WINDOW - 10);
	assert_false(admin_throttle_allowed(a, "ann", ip_of(98), 110, &retry));
	/* The refused try counted nowhere: the address's hit was given
	 * back too. */
	assert_int_equal(f.n, 2 * GZ_LIMIT_SIGNIN_FAILS_ACCOUNT);
	/* A right password: its try taken back, on the other node. */
	admin_throttle_forgive(a, "ann", ip_of(0));
	assert_true(admin_throttle_allowed(b, "ann", ip_of(0), 110, &retry));
	/* Success clears the account everywhere; addresses stay. */
	admin_throttle_succeeded(b, "ANN");
	assert_true(admin_throttle_attempt(a, "ann", ip_of(5), 111, &retry));
	/* IPv6: one /64 is one address, counted on both nodes. */
	for (i = 0; i < GZ_LIMIT_SIGNIN_FAILS_ADDRESS; i++) {
		char ip[64];

		snprintf(ip, sizeof(ip), "2001:db8:1:2::%x", i + 1);
		admin_throttle_failed(i % 2 ? a : b, "x", ip, 200);
	}
	assert_false(admin_throttle_allowed(a, "someone", "2001:db8:1:2:ffff::1",
					    201, &retry));
	assert_true(admin_throttle_allowed(a, "someone", "2001:db8:1:3::1",
					   201, &retry));
	/* Nothing went to a's own tables. */
	admin_limiter_set(a, NULL);
	assert_true(admin_throttle_allowed(a, "someone", "2001:db8:1:2:ffff::1",
					   201, &retry));
	admin_free(b);
}

/* A limiter that fails refuses every try with retry_after 0 (the pages
 * answer busy), a spend is GZ_EBUSY and a token reads as spent. */
static void
shared_fails_closed(void **state)
{
	struct admin *a = *state, *b = NULL;
	unsigned char hash[ADMIN_HASH_BYTES];
	char cookie[ADMIN_LOGIN_COOKIE_MAX + 1];
	struct fake_limiter f;
	struct gz_limiter l;
	int64_t retry = -1, expires = 0;

	fake_limiter_init(&l, &f);
	assert_int_equal(admin_new(SECRET, ADMIN_HASH_MINIMUM, &b), GZ_OK);
	admin_limiter_set(a, &l);
	admin_limiter_set(b, &l);
	/* A token spent on one node is spent on the other. */
	admin_login_new(1000, cookie, hash, &expires);
	assert_false(admin_login_spent(b, hash, 1000));
	assert_int_equal(admin_login_spend(a, hash, expires, 1000), GZ_OK);
	assert_true(admin_login_spent(b, hash, 1000));
	assert_int_equal(admin_login_spend(b, hash, expires, 1001), GZ_EEXIST);
	/* And the limiter failing. */
	f.fail = GZ_EDB;
	assert_false(admin_throttle_attempt(a, "ann", "192.0.2.1", 100, &retry));
	assert_int_equal(retry, 0);
	retry = -1;
	assert_false(admin_throttle_allowed(a, "ann", "192.0.2.1", 100, &retry));
	assert_int_equal(retry, 0);
	admin_login_new(1000, cookie, hash, &expires);
	assert_true(admin_login_spent(a, hash, 1000));
	assert_int_equal(admin_login_spend(a, hash, expires, 1000), GZ_EBUSY);
	/* Calls that answer nothing do not crash or pass. */
	admin_throttle_failed(a, "ann", "192.0.2.1", 100);
	admin_throttle_forgive(a, "ann", "192.0.2.1");
	admin_throttle_succeeded(a, "ann");
	assert_int_equal(f.n, 0);
	admin_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(account_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(attempt_counts_at_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(codes_count_across_passwords,
						setup, teardown),
		cmocka_unit_test_setup_teardown(address_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(success_clears_the_account,
						setup, teardown),
		cmocka_unit_test_setup_teardown(names_are_folded_and_cut, setup,
						teardown),
		cmocka_unit_test_setup_teardown(oldest_is_evicted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(all_locked_oldest_goes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(ipv6_counts_by_64, setup,
						teardown),
		cmocka_unit_test_setup_teardown(concurrent_attempts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(shared_counts_across_admins,
						setup, teardown),
		cmocka_unit_test_setup_teardown(shared_fails_closed, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("admin/throttle", tests, NULL, NULL);
}
