/*
 * comments_int.h - what policy.c, captcha.c, intake.c and ratelimit.c
 * share. No other module includes this.
 *
 * policy.c owns struct comments (the copied policy, its parsed word lists,
 * the derived keys and the rate limiter); captcha.c makes and checks the
 * signed challenge tokens; commenter.c the commenter cookie and its key;
 * intake.c runs the rules in order; ratelimit.c counts submissions per
 * IP address in a table of fixed size.
 *
 * Invariants: after comments_new returns, everything in struct comments
 * but the rate limiter is immutable, so any thread may read it without a
 * lock; the rate limiter has its own mutex. The shared limiter pointer
 * (comments_limiter_set) is set before any thread uses c, and not after.
 */
#ifndef GZ_COMMENTS_INT_H
#define GZ_COMMENTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "comments/comments.h"

/* ---- limits of the intake rules --------------------------------------- */

/* A commenter's name, in characters (code points). */
#define COMMENTS_NAME_MAX_CHARS 100u
/* An email address, in bytes (RFC 5321's path limit less the brackets). */
#define COMMENTS_EMAIL_MAX_BYTES 254u
/* Slots in the rate limiter's table: one per recently seen IP address.
 * 4,096 addresses x 5 timestamps is about 200 KiB. */
#define COMMENTS_RATE_SLOTS 4096u
/* The most policy.rate_count may be: each slot keeps that many
 * timestamps, so this bounds the table at 4,096 x 64 x 8 bytes = 2 MiB. */
#define COMMENTS_RATE_COUNT_MAX 64u
/* Refused submissions with a good token (too fast, a wrong answer, a field
 * to fix, a bot trap) one address may make per policy.rate_seconds: each
 * writes a spent nonce, so this bounds the database writes one address
 * can cause; enough for a person's mistakes. */
#define COMMENTS_FAILURE_COUNT 20u

/* ---- the token's payload (captcha.c) ------------------------------------ */

#define COMMENTS_TOKEN_VERSION 2u
#define COMMENTS_KEY_BYTES 32u /* crypto_generichash and crypto_kdf keys */
#define COMMENTS_TAG_BYTES 16u /* answer tag: a truncated keyed BLAKE2b */
#define COMMENTS_MAC_BYTES 32u /* keyed BLAKE2b-256 */

/* Offsets into the decoded token; integers are big-endian. */
#define COMMENTS_OFF_VERSION 0u
#define COMMENTS_OFF_ARTICLE 1u
#define COMMENTS_OFF_ISSUED 9u
#define COMMENTS_OFF_EXPIRES 17u
#define COMMENTS_OFF_NONCE 25u
#define COMMENTS_OFF_TAG (COMMENTS_OFF_NONCE + COMMENTS_NONCE_BYTES)
#define COMMENTS_OFF_MAC (COMMENTS_OFF_TAG + COMMENTS_TAG_BYTES)
#define COMMENTS_PAYLOAD_BYTES (COMMENTS_OFF_MAC + COMMENTS_MAC_BYTES)
/* base64url without padding of COMMENTS_PAYLOAD_BYTES (89) bytes. */
#define COMMENTS_TOKEN_CHARS ((COMMENTS_PAYLOAD_BYTES / 3u) * 4u + \
			      (COMMENTS_PAYLOAD_BYTES % 3u ? \
			       COMMENTS_PAYLOAD_BYTES % 3u + 1u : 0u))

/* ---- the intake state (policy.c) ----------------------------------------- */

/* One word or phrase of a hold or block list, pointing into its list's
 * copied text. */
struct comments_word {
	const char *s;
	size_t len;
};

/* A parsed word list: text is the caller's list copied once, v the
 * trimmed, non-empty entries in it. */
struct comments_words {
	char *text;
	struct comments_word *v;
	size_t n;
};

struct comments_ratelimit;
struct gz_limiter;

struct comments {
	/* A copy; hold_words and block_words point at hold.text and
	 * block.text. */
	struct comments_policy policy;
	struct comments_words hold;
	struct comments_words block;
	unsigned char mac_key[COMMENTS_KEY_BYTES];
	unsigned char answer_key[COMMENTS_KEY_BYTES];
	/* Keys the commenter key (commenter.c): subkey 3. */
	unsigned char commenter_key[COMMENTS_KEY_BYTES];
	/* Keyed BLAKE2b states with each key already absorbed: copied for
	 * every MAC of the two every article page response makes. */
	crypto_generichash_state mac_state;
	crypto_generichash_state answer_state;
	/* NULL when the policy sets no limit (rate_count or rate_seconds 0). */
	struct comments_ratelimit *rate;
	/* Failed submissions, with the same window; NULL with rate. */
	struct comments_ratelimit *failures;
	/* When set (many nodes on one database), counts instead of rate
	 * and failures; they stay made, and say whether a limit is on. */
	const struct gz_limiter *limiter;
	/* "Your comment is longer than 5,000 characters; please shorten it."
	 * with policy.max_chars: made once, so decisions can point at it. */
	char msg_too_long[96];
	/* "... please wait N minutes ...": the failure limit's window. */
	char msg_tries[128];
};

/* Parses list (comma-separated, may be NULL) into w, which the caller
 * owns. Entries are trimmed of ASCII whitespace; empty ones are skipped.
 * Returns GZ_OK or GZ_ENOMEM. Free with comments_words_fini. */
int comments_words_parse(struct comments_words *w, const char *list);
void comments_words_fini(struct comments_words *w);
/* True when one of w's entries occurs in s[0..len) as a whole word:
 * ASCII letters compared without case, other bytes exactly, and neither
 * neighbour of the match an ASCII letter, digit or non-ASCII byte. */
bool comments_words_find(const struct comments_words *w, const char *s,
			 size_t len);
/* The same, naming the entry: the first of w's entries found at the
 * earliest position of s[0..len), or NULL when none is. */
const struct comments_word *comments_words_match(const struct comments_words *w,
						 const char *s, size_t len);

/* ---- keys and tokens (captcha.c) ------------------------------------------ */

/* Derives c's MAC and answer keys from secret_hex (exactly 64 hex
 * digits). Returns GZ_OK or GZ_EINVAL. */
int comments_keys_derive(struct comments *c, const char *secret_hex);
/* Like comments_token_check, and also copies the decoded token into
 * payload (output) for comments_answer_matches. On error payload holds
 * nothing useful. */
int comments_token_open(const struct comments *c, const char *token,
			int64_t article_id, int64_t now,
			struct comments_token *out,
			unsigned char payload[COMMENTS_PAYLOAD_BYTES]);
/* True when answer is the answer the checked payload was made for.
 * Constant time in the tag. */
bool comments_answer_matches(const struct comments *c,
			     const unsigned char *payload, long answer);

/* ---- the commenter cookie (commenter.c) -------------------------------- */

/* Derives c's commenter key from secret_hex (exactly 64 hex digits).
 * Returns GZ_OK or GZ_EINVAL. */
int comments_commenter_keys(struct comments *c, const char *secret_hex);

/* ---- messages (intake.c) -------------------------------------------------- */

/* Fills c's messages that depend on the policy; comments_new calls it. */
void comments_intake_setup(struct comments *c);

/* ---- rate limit (ratelimit.c) ---------------------------------------------- */

/* Makes a limiter of slots entries (a power of two) that allows count
 * submissions per IP address in any seconds-long window (count between 1
 * and COMMENTS_RATE_COUNT_MAX, seconds at least 1). Everything it will
 * ever use is allocated here. Returns GZ_OK, GZ_EINVAL or GZ_ENOMEM.
 * Caller frees with comments_ratelimit_free. */
int comments_ratelimit_new(unsigned slots, unsigned count, unsigned seconds,
			   struct comments_ratelimit **out);
/* Frees rl; comments_ratelimit_free(NULL) does nothing. */
void comments_ratelimit_free(struct comments_ratelimit *rl);
/* True when ip (NULL is taken as "") has count submissions already in
 * the window ending at now. Records nothing. Thread-safe. */
bool comments_ratelimit_limited(struct comments_ratelimit *rl,
				const char *ip, int64_t now);
/* Records a submission from ip at now and returns true, or returns false
 * and records nothing when ip is limited: check and record are one step
 * under the lock, so concurrent requests cannot overshoot the count.
 * Thread-safe. */
bool comments_ratelimit_take(struct comments_ratelimit *rl, const char *ip,
			     int64_t now);

#endif
