/*
 * limiter.h - counts and spent tokens that live outside one process, as
 * seen by comments/ (rate limits) and admin/ (sign-in throttles, spent
 * sign-in tokens), which may not call store/ themselves (module walls).
 *
 * site/limits.c fills one with the store behind it when the store is
 * shared by many nodes (PostgreSQL); comments_limiter_set and
 * admin_limiter_set install it. Without one those modules keep their
 * in-memory tables: one node on SQLite needs nothing more.
 *
 * "who" is the bytes that name what is counted, as the caller wants
 * them compared (an address's text, an account name folded to lower
 * case, an IPv6 /64): the limiter hashes them with the scope under a
 * key of its own, so nothing it keeps names an address or an account.
 *
 * Every function returns GZ_OK or an error (the store failed, GZ_EDB,
 * GZ_EBUSY...). A caller must then fail closed: refuse what it was
 * asked to allow, with its "try again later" answer.
 */
#ifndef GZ_UTIL_LIMITER_H
#define GZ_UTIL_LIMITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a hit counts toward; kept in the database, so never renumbered. */
enum gz_limit_scope {
	GZ_SCOPE_COMMENT = 1,         /* comments taken, per address */
	GZ_SCOPE_COMMENT_FAILURE = 2, /* comments refused, per address */
	GZ_SCOPE_SIGNIN_ACCOUNT = 3,  /* sign-in failures, per account */
	GZ_SCOPE_SIGNIN_ADDRESS = 4,  /* sign-in failures, per address */
};

struct gz_limiter {
	void *ctx;
	/* When who has fewer than max hits in the window of window seconds
	 * ending at now, records one: *allowed true. Else *allowed false
	 * and *retry_after the seconds (at least 1) until one leaves the
	 * window. Check and record are one step across every node. */
	int (*take)(void *ctx, int scope, const void *who, size_t len,
		    int64_t now, int64_t window, unsigned max, bool *allowed,
		    int64_t *retry_after);
	/* The check of take, recording nothing: *limited true at max. */
	int (*limited)(void *ctx, int scope, const void *who, size_t len,
		       int64_t now, int64_t window, unsigned max,
		       bool *limited, int64_t *retry_after);
	/* Takes back who's newest hit; forgets all of who's hits. */
	int (*forgive)(void *ctx, int scope, const void *who, size_t len);
	int (*clear)(void *ctx, int scope, const void *who, size_t len);
	/* Spends the token of hash (len bytes), good until expires: GZ_OK
	 * the first time on any node, GZ_EEXIST after. */
	int (*spend)(void *ctx, const unsigned char *hash, size_t len,
		     int64_t expires);
	/* Whether that token was spent and has not expired at now; *spent
	 * is true on error too. */
	int (*spent)(void *ctx, const unsigned char *hash, size_t len,
		     int64_t now, bool *spent);
};

#endif
