/*
 * admin_int.h - what admin.c, password.c, session.c and throttle.c share.
 * No other module includes this.
 *
 * admin.c owns struct admin: the CSRF key derived from the site secret,
 * the dummy hash, the hashing threads with their queue, and the two
 * sign-in throttle tables (throttle.c reads and writes those under their
 * own mutex).
 *
 * Invariants: after admin_new returns, the key and the cost never
 * change, so any thread reads them without a lock; the shared limiter
 * (admin_limiter_set) is set before any thread uses a, and then read
 * without a lock as well; the dummy hash is
 * made once, on first use, under its own lock, and never changes after;
 * the queue is touched only under queue_lock, the throttle tables only
 * under throttle_lock, the spent sign-in tokens only under spent_lock; a
 * job is on the queue at most once, and after its done callback runs
 * nothing here touches it again (the caller may free it).
 */
#ifndef GZ_ADMIN_INT_H
#define GZ_ADMIN_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admin/admin.h"
#include "util/limits.h"

/* One-time passwords and recovery codes: digits and lower-case letters
 * without 0, o, 1, l and i, which are read for one another (31). */
#define ADMIN_ALPHABET "23456789abcdefghjkmnpqrstuvwxyz"

/* The CSRF key's size (crypto_generichash_KEYBYTES). */
#define ADMIN_KEY_BYTES 32u

/* One job waiting for, or running on, a hashing thread: a verification
 * of password against hash (verify), then a new hash of new_password
 * into made (make), either or both. Passwords are wiped as soon as they
 * have been hashed. */
struct admin_job {
	struct admin_job *next; /* the queue's link */
	void (*done)(void *ctx);
	void *ctx;
	int result;             /* enum gz_err, set before done runs */
	bool verify, make;      /* what the job does */
	bool verified;          /* verify ran and password matched */
	char hash[ADMIN_HASH_MAX];
	char made[ADMIN_HASH_MAX]; /* the new hash; "" until made */
	char password[GZ_LIMIT_PASSWORD_BYTES + 1];
	char new_password[GZ_LIMIT_PASSWORD_BYTES + 1];
};

/* A throttle table: GZ_LIMIT_SIGNIN_TABLE accounts or addresses, each
 * known by a keyed 64-bit hash of its folded name, with a ring of its
 * last failures. Kept as parallel arrays so that a lookup reads only the
 * keys (32 KiB) and an eviction only the times of last failure. */
struct admin_throttle_table {
	unsigned limit;   /* failures in the window that refuse a sign-in */
	uint64_t *key;
	int64_t *last;    /* the newest failure: the eviction order */
	unsigned *head;   /* index of the oldest time in the entry's ring */
	unsigned *n;      /* times held; 0: the entry is empty */
	int64_t *times;   /* entry i's ring at i * GZ_LIMIT_SIGNIN_FAILS_ADDRESS */
};

struct admin_dummy {
	pthread_mutex_t lock;
	bool made;
	char hash[ADMIN_HASH_MAX];
};

struct admin {
	enum admin_hash_cost cost;
	unsigned long long opslimit; /* crypto_pwhash's limits for cost */
	size_t memlimit;
	unsigned char csrf_key[ADMIN_KEY_BYTES];
	/* The dummy hash, made on first use: gazette user never needs it,
	 * and under valgrind each Argon2 hash takes seconds. Behind a
	 * pointer so that admin_password_dummy, given a const admin, may
	 * fill it. */
	struct admin_dummy *dummy;

	pthread_mutex_t queue_lock;
	pthread_cond_t queue_cond;
	struct admin_job *head, *tail; /* waiting jobs, oldest first */
	size_t queued;
	bool stopping;
	pthread_t thread[GZ_LIMIT_HASH_THREADS];
	size_t threads;                /* threads started */

	/* The sign-in tokens spent (login.c), GZ_LIMIT_LOGIN_SPENT slots,
	 * touched only under spent_lock. */
	pthread_mutex_t spent_lock;
	struct admin_login_slot *spent;

	pthread_mutex_t throttle_lock;
	unsigned char throttle_key[16]; /* crypto_shorthash_KEYBYTES */
	struct admin_throttle_table accounts, addresses;
	/* When set (many nodes on one database): the throttles and the
	 * spent tokens live there instead (admin_limiter_set). */
	const struct gz_limiter *limiter;
};

/* Sets *ops and *mem to crypto_pwhash's limits for cost. Returns GZ_OK
 * or GZ_EINVAL (no such cost). */
int admin_cost_limits(enum admin_hash_cost cost, unsigned long long *ops,
		      size_t *mem);
/* Makes and frees the spent sign-in tokens' set inside a (login.c).
 * Returns GZ_OK or GZ_ENOMEM; fini of a never made set is a no-op. */
int admin_login_init(struct admin *a);
void admin_login_fini(struct admin *a);
/* Makes and frees the throttle tables inside a (throttle.c), and the
 * spent set with them. Returns GZ_OK or GZ_ENOMEM. */
int admin_throttle_init(struct admin *a);
void admin_throttle_fini(struct admin *a);
/* Runs one job on the calling thread: verifies and/or hashes at a's
 * cost, wipes the passwords, sets job->result (password.c). Does not
 * call done. */
void admin_job_run(const struct admin *a, struct admin_job *job);

#endif
