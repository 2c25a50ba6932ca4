/*
 * ratelimit.c - at most N comments per IP address per window of S
 * seconds, in memory of fixed size whatever the traffic.
 *
 * Data flow: comments_intake asks whether an address is limited before it
 * checks the answer, and records the submission (check and record in one
 * step) once the answer is right.
 *
 * The table has a power-of-two number of slots; each slot holds one
 * address, known only by its 64-bit SipHash (crypto_shorthash) under a key
 * drawn at start-up, so nobody outside can aim addresses at one slot (two
 * addresses with one hash would share a count; at 2^-64 a pair, that is
 * left to chance), and a ring of the last N times it was recorded. An
 * address lives in one of the RATE_WAYS slots from its hash onward (open
 * addressing with a bounded probe): a lookup reads at most RATE_WAYS
 * slots, and a new address takes an empty slot there, else the one seen
 * longest ago (an address whose times have all left the window goes
 * before any that has not). Losing an entry that way only forgets an
 * address's count (the limit fails open for it); it never blocks anyone
 * else.
 *
 * Invariants: all memory is allocated by comments_ratelimit_new; every
 * call does a bounded amount of work under the mutex; a slot with n == 0
 * is empty; a ring's times are in the order recorded.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "comments/comments_int.h"
#include "util/err.h"

/* Slots a lookup may read: enough that a busy neighbourhood rarely
 * evicts a live address, few enough to stay a handful of cache lines. */
#define RATE_WAYS 16u

struct rate_slot {
	uint64_t key;     /* the address's keyed hash */
	int64_t last;     /* the newest time in the ring */
	unsigned head;    /* index of the oldest time in the ring */
	unsigned n;       /* times held; 0: the slot is empty */
};

struct comments_ratelimit {
	pthread_mutex_t lock;
	unsigned slots;   /* a power of two */
	unsigned count;   /* the most submissions per window */
	int64_t seconds;  /* the window */
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
	struct rate_slot *slot;
	int64_t *times;   /* slots x count, slot i's ring at i * count */
};

int
comments_ratelimit_new(unsigned slots, unsigned count, unsigned seconds,
		       struct comments_ratelimit **out)
{
	struct comments_ratelimit *rl = NULL;

	assert(out != NULL);
	*out = NULL;
	if (slots == 0 || (slots & (slots - 1)) != 0 || count == 0 ||
	    count > COMMENTS_RATE_COUNT_MAX || seconds == 0)
		return GZ_EINVAL;
	if (sodium_init() < 0)
		return GZ_EIO;
	if (!(rl = calloc(1, sizeof(*rl))))
		return GZ_ENOMEM;
	rl->slots = slots;
	rl->count = count;
	rl->seconds = seconds;
	crypto_shorthash_keygen(rl->hash_key);
	rl->slot = calloc(slots, sizeof(*rl->slot));
	rl->times = calloc((size_t)slots * count, sizeof(*rl->times));
	if (!rl->slot || !rl->times ||
	    pthread_mutex_init(&rl->lock, NULL) != 0) {
		free(rl->slot);
		free(rl->times);
		free(rl);
		return GZ_ENOMEM;
	}
	*out = rl;
	return GZ_OK;
}

void
comments_ratelimit_free(struct comments_ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->slot);
	free(rl->times);
	free(rl);
}

static uint64_t
rate_hash(const struct comments_ratelimit *rl, const char *ip)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t key;

	if (!ip)
		ip = "";
	crypto_shorthash(h, (const unsigned char *)ip, strlen(ip),
			 rl->hash_key);
	memcpy(&key, h, sizeof(key));
	return key;
}

/* True when t is inside the window that ends at now. A time after now
 * (the clock stepped back) counts as inside: erring towards the limit. */
static bool
rate_recent(const struct comments_ratelimit *rl, int64_t t, int64_t now)
{
	return t > now || now - t < rl->seconds;
}

/* Times in slot s's ring inside the window. */
static unsigned
rate_recent_count(const struct comments_ratelimit *rl, size_t s, int64_t now)
{
	const int64_t *ring = rl->times + s * rl->count;
	unsigned i, k = 0;

	for (i = 0; i < rl->slot[s].n; i++)
		k += rate_recent(rl, ring[(rl->slot[s].head + i) % rl->count],
				 now);
	return k;
}

/* Finds key's slot. Returns its index, or rl->slots when key is not in
 * the table; then *victim (output) is the slot a new entry should take.
 * Called with the lock held. */
static size_t
rate_find(const struct comments_ratelimit *rl, uint64_t key, size_t *victim)
{
	size_t mask = rl->slots - 1, ways, j, s, best = rl->slots;

	ways = rl->slots < RATE_WAYS ? rl->slots : RATE_WAYS;
	for (j = 0; j < ways; j++) {
		s = (size_t)(key + j) & mask;
		if (rl->slot[s].n > 0 && rl->slot[s].key == key)
			return s;
		/* An empty slot, else the one seen longest ago: an entry
		 * whose times have all left the window is always older than
		 * one that has not. */
		if (best == rl->slots ||
		    (rl->slot[best].n > 0 &&
		     (rl->slot[s].n == 0 ||
		      rl->slot[s].last < rl->slot[best].last)))
			best = s;
	}
	assert(best < rl->slots);
	*victim = best;
	return rl->slots;
}

bool
comments_ratelimit_limited(struct comments_ratelimit *rl, const char *ip,
			   int64_t now)
{
	uint64_t key;
	size_t s, victim = 0;
	bool limited = false;

	assert(rl != NULL);
	key = rate_hash(rl, ip);
	pthread_mutex_lock(&rl->lock);
	s = rate_find(rl, key, &victim);
	if (s < rl->slots)
		limited = rate_recent_count(rl, s, now) >= rl->count;
	pthread_mutex_unlock(&rl->lock);
	return limited;
}

bool
comments_ratelimit_take(struct comments_ratelimit *rl, const char *ip,
			int64_t now)
{
	struct rate_slot *slot;
	int64_t *ring;
	uint64_t key;
	size_t s, victim = 0;
	bool ok = true;

	assert(rl != NULL);
	key = rate_hash(rl, ip);
	pthread_mutex_lock(&rl->lock);
	assert(rl->count > 0);
	s = rate_find(rl, key, &victim);
	if (s == rl->slots) {
		s = victim;
		rl->slot[s].key = key;
		rl->slot[s].head = 0;
		rl->slot[s].n = 0;
	} else if (rate_recent_count(rl, s, now) >= rl->count) {
		ok = false;
		goto out;
	}
	slot = &rl->slot[s];
	ring = rl->times + s * rl->count;
	if (slot->n < rl->count) {
		ring[(slot->head + slot->n) % rl->count] = now;
		slot->n++;
	} else {
		/* Full ring and not limited, so a time has left the
		 * window: the oldest makes room. */
		ring[slot->head] = now;
		slot->head = (slot->head + 1) % rl->count;
	}
	if (slot->n == 1 || now > slot->last)
		slot->last = now;
out:
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
