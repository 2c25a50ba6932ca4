/*
 * comments.h - readers' comments on their way in: the arithmetic CAPTCHA,
 * the intake rules, the per-IP rate limit, the moderation policy
 * (design.md section 6) and the commenter cookie the first-time rule
 * knows a browser by (docs/security.md).
 *
 * Data flow: the article handler (site/) asks for a fresh challenge for
 * every response; the comment POST handler hands the submitted form to
 * comments_intake, which answers with a verdict and, for a mistake the
 * reader can fix, the field and one sentence saying what to fix. The
 * handler then stores the comment through store/ (one transaction that
 * also spends the token's nonce, so a token works once).
 *
 * This module holds no SQL and no HTML. Its only state is the rate
 * limiter, guarded by a mutex.
 */
#ifndef GZ_COMMENTS_H
#define GZ_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Token text, NUL included: base64url of a fixed-size signed payload. */
#define COMMENTS_TOKEN_MAX 128
#define COMMENTS_NONCE_BYTES 16
/* A decision's hold reason, NUL included ("word: " and the word, cut to
 * fit). */
#define COMMENTS_HOLD_REASON_MAX 80

enum comments_moderation {
	COMMENTS_PRE = 0,   /* every comment waits for a moderator */
	COMMENTS_FIRST_TIME, /* waits unless this browser's commenter key
				has a comment a moderator approved */
	COMMENTS_POST,      /* published at once unless a rule holds it */
};

/* The site's comment policy: [comments] in gazette.conf. */
struct comments_policy {
	enum comments_moderation moderation;
	bool require_email;
	unsigned close_after_days;  /* 0: never close */
	unsigned max_chars;         /* body length, in characters */
	unsigned max_links;         /* more are held for review */
	unsigned min_fill_seconds;  /* faster is a bot */
	unsigned rate_count;        /* at most rate_count comments ... */
	unsigned rate_seconds;      /* ... per IP per rate_seconds */
	unsigned token_seconds;     /* how long a challenge may be answered */
	unsigned max_depth;         /* reply nesting */
	const char *hold_words;     /* comma-separated, case-insensitive */
	const char *block_words;
};

/* Fills p with the defaults: pre-moderation, email optional, close after
 * 14 days, 5,000 characters, 2 links, 3 s, 5 per 600 s, 7,200 s, depth 3,
 * no words. */
void comments_policy_default(struct comments_policy *p);

/* A challenge shown with a form: "2 + 1 =" and the token that lets the
 * server check the answer without remembering the question. */
struct comments_challenge {
	char question[32]; /* "7 - 3 =" (ASCII; "x" for times) */
	char spoken[64];   /* "What is 7 minus 3?" for the label */
	char token[COMMENTS_TOKEN_MAX];
};

/* What a checked token says. */
struct comments_token {
	int64_t article_id;
	int64_t issued_at;
	int64_t expires_at;
	unsigned char nonce[COMMENTS_NONCE_BYTES];
};

struct comments;

/* Makes the intake state for policy (copied; its word lists are copied
 * too) and the site secret (64 hex digits, from gazette.conf; the keys
 * are derived from it). Returns GZ_OK, GZ_EINVAL (bad secret) or
 * GZ_ENOMEM. Caller frees with comments_free. */
/* More precisely: GZ_EINVAL also for a policy out of range (token_seconds
 * or max_chars 0, rate_count over 64, an unknown moderation), GZ_EIO when
 * libsodium cannot start. rate_count or rate_seconds 0 turns the rate
 * limit off. comments_free wipes the keys; comments_free(NULL) does
 * nothing. */
int comments_new(const struct comments_policy *policy, const char *secret_hex,
		 struct comments **out);
void comments_free(struct comments *c);
const struct comments_policy *comments_policy(const struct comments *c);
struct gz_limiter;
/* Counts the rate limits (comments taken, refusals) through limiter
 * instead of c's own memory, so that every node sharing a database
 * shares the counts (util/limiter.h); NULL goes back to memory. Call
 * before any thread uses c; limiter must outlive c. A limiter's error
 * fails closed: comments_intake returns GZ_EBUSY. */
void comments_limiter_set(struct comments *c, const struct gz_limiter *limiter);

/* Makes a fresh challenge for article_id, valid from now for
 * policy.token_seconds. Small numbers; usually "+", sometimes "-" (never
 * negative) or "x". Thread-safe. */
void comments_challenge_new(const struct comments *c, int64_t article_id,
			    int64_t now, struct comments_challenge *out);

/* A form as submitted. Strings are NUL-terminated (NULL for absent);
 * the module never keeps them. */
struct comments_submission {
	int64_t article_id;    /* from the URL */
	int64_t parent_id;     /* 0: not a reply */
	const char *name;
	const char *email;
	const char *body;
	const char *honeypot;  /* a field people never see or fill */
	const char *token;
	const char *answer;
	const char *ip;        /* for the rate limit */
	int64_t now;
};

enum comments_verdict {
	COMMENTS_PUBLISH,     /* store as approved */
	COMMENTS_PUBLISH_IF_KNOWN, /* the first-time rule: store as approved
				      only when a comment with the same
				      commenter key is approved already,
				      else as pending (the store checks, in
				      the insert's transaction) */
	COMMENTS_HOLD,        /* store as pending */
	COMMENTS_REJECT,      /* block-list word: store as rejected */
	COMMENTS_DISCARD,     /* honeypot, or a token from the future:
				 answer as if held, store nothing */
	COMMENTS_INVALID,     /* the reader must fix field: show the form */
	COMMENTS_RATE_LIMITED /* too many from this IP: 429; write nothing */
};

struct comments_decision {
	enum comments_verdict verdict;
	const char *field;    /* for INVALID: "name", "email", "body",
				 "answer"; static string */
	const char *message;  /* one sentence for the reader; static, or
				 owned by c and valid until comments_free
				 (the "longer than N characters" one). For
				 DISCARD and REJECT it is HOLD's. */
	struct comments_token token; /* when the token checked out */
	bool token_ok;        /* token is filled: the token checked out */
	/* For HOLD, why, as the moderation queue shows it: "word: W" (the
	 * hold-list entry that matched, cut at a character to fit),
	 * "links: N" (N links, more than max_links) or "pre-moderation";
	 * for REJECT "blocked: W"; "" otherwise (under PUBLISH_IF_KNOWN the
	 * store says "first-time" when it holds the comment). */
	char hold_reason[COMMENTS_HOLD_REASON_MAX];
};

/* Runs the intake rules, in order: token signature, expiry and article
 * (a bad token is INVALID on "answer" with "This question has expired;
 * please answer the new one."); rate limits (rate_count comments, or 20
 * refusals, per rate_seconds per address) -> RATE_LIMITED; honeypot
 * filled -> DISCARD; faster than min_fill_seconds -> INVALID with no
 * field; answer (empty, not a number, or wrong) -> INVALID; name missing
 * or too long, email missing when required or malformed, body empty or
 * over max_chars -> INVALID; block-list word -> REJECT; hold-list word,
 * more than max_links links, or moderation policy PRE -> HOLD; policy
 * FIRST_TIME -> PUBLISH_IF_KNOWN; else PUBLISH. Nothing the reader types
 * (an email address least of all) makes a comment trusted. A submission
 * counts toward the comment limit only when it passes every field check
 * (a reader's mistakes do not use it up); every INVALID or DISCARD after
 * a good token counts toward the refusal limit, and the one that would
 * pass it is RATE_LIMITED instead ("You have made too many tries in a
 * short time; please wait N minutes and try again.", N the window in
 * minutes). Does not spend the nonce: the caller does that in the
 * transaction that stores the comment. Returns GZ_OK (the verdict is in
 * out) or GZ_ENOMEM. */
/* More precisely: name, email and body are checked trimmed of ASCII
 * whitespace (store them trimmed); invalid UTF-8 in one of them is INVALID
 * on that field; the block and hold lists are matched as whole words
 * against the name, email, body and ip; only the body's links count; a
 * NULL ip is one address, "". out->token is filled (for spending the
 * nonce) whenever the token checked out, DISCARD included. A wrong
 * answer leaves the token valid: the caller should spend the nonce
 * (store_nonce_use_async) for INVALID and DISCARD with out->token_ok, or
 * a bot may try every answer (there are fewer than 82) against one
 * token; and never for RATE_LIMITED, whose answer was not looked at:
 * the limits are what bound the writes one address causes. Never
 * allocates. Returns GZ_OK, or GZ_EBUSY when a shared limiter
 * (comments_limiter_set) could not be asked: nothing is decided, and
 * the caller answers "try again later" (the limit fails closed). For
 * PUBLISH_IF_KNOWN the
 * message is HOLD's: whether the comment is published is known only once
 * it is stored. */
int comments_intake(struct comments *c, const struct comments_submission *s,
		    struct comments_decision *out);

/* Checks token against key material in c, for article_id at now, and
 * fills out. Returns GZ_OK, GZ_EINVAL (malformed or forged),
 * GZ_ENOTFOUND (made for another article) or GZ_ETOOBIG (expired).
 * Exposed for tests; comments_intake calls it. */
int comments_token_check(const struct comments *c, const char *token,
			 int64_t article_id, int64_t now,
			 struct comments_token *out);
/* Parses a reader's answer: digits with optional surrounding spaces and
 * leading zeros ("03"), an optional minus sign, or an English number word
 * from zero to one hundred ("three", "Twenty-one"). Returns GZ_OK or
 * GZ_EINVAL. */
int comments_answer_parse(const char *s, long *out);

/* ---- the commenter cookie (commenter.c) ------------------------------------ */

/* The cookie that says "the same browser as before" to the first-time
 * rule: 32 random bytes, base64url without padding. Functional, not
 * tracking: it is sent back only to this site (Path=/, SameSite=Lax,
 * HttpOnly) and stored nowhere; a keyed hash of it is stored with each
 * comment. */
#define COMMENTS_COOKIE_NAME "gz_commenter"
/* Its name on an https site. A browser takes a __Host- cookie only when
 * it is set Secure, from https, with Path=/ and no Domain, so neither a
 * sibling subdomain nor an attacker on plain http can plant one that the
 * site reads as its own (docs/security.md, "First-time moderation"). */
#define COMMENTS_COOKIE_NAME_HOST "__Host-gz_commenter"
#define COMMENTS_COOKIE_BYTES 32
#define COMMENTS_COOKIE_CHARS 43 /* base64url of 32 bytes, no padding */
/* A year: a reader who comments less often is moderated again. */
#define COMMENTS_COOKIE_MAX_AGE 31536000
#define COMMENTS_COMMENTER_KEY_BYTES 32

/* The commenter cookie's name for a site served over https (https true)
 * or plain http: the only name set, and the only one read. Static. */
const char *comments_cookie_name(bool https);
/* Checks a cookie value from outside: exactly COMMENTS_COOKIE_CHARS
 * characters of the base64url alphabet (A-Z a-z 0-9 - _), no padding,
 * the last character's two unused bits zero, NUL right after. Output:
 * raw, the 32 bytes (wiped on error). Returns GZ_OK or GZ_EINVAL
 * (anything else, NULL included). Never reads past the first byte that
 * disqualifies value or past its NUL. */
int comments_cookie_parse(const char *value,
			  unsigned char raw[COMMENTS_COOKIE_BYTES]);
/* Makes a fresh cookie from libsodium's generator. Output: out (43
 * characters and a NUL), raw (its 32 bytes). Thread-safe. */
void comments_cookie_new(char out[COMMENTS_COOKIE_CHARS + 1],
			 unsigned char raw[COMMENTS_COOKIE_BYTES]);
/* The commenter key stored with a comment for cookie raw: keyed
 * BLAKE2b-256 under a key derived from the site secret. Output: key. */
void comments_commenter_key(const struct comments *c,
			    const unsigned char raw[COMMENTS_COOKIE_BYTES],
			    unsigned char key[COMMENTS_COMMENTER_KEY_BYTES]);

/* A reader's browser as the comment handler sees it. */
struct comments_commenter {
	char cookie[COMMENTS_COOKIE_CHARS + 1]; /* the value to (re)set */
	unsigned char key[COMMENTS_COMMENTER_KEY_BYTES]; /* to store */
	bool fresh; /* the request's cookie was absent or not one of ours */
};

/* Takes the request's commenter cookie value (NULL when absent): a value
 * comments_cookie_parse accepts is kept, anything else is replaced by a
 * fresh cookie (a forged or mangled one trusts nobody). Fills out. */
void comments_commenter(const struct comments *c, const char *cookie,
			struct comments_commenter *out);

#endif
