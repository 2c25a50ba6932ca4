/*
 * captcha.c - the arithmetic CAPTCHA: challenges, their signed tokens and
 * the reader's answer (design.md section 6).
 *
 * Data flow: the article handler asks comments_challenge_new for a
 * question and a token for every response; the form posts the token back
 * with the answer, and comments_intake opens the token here and checks the
 * answer against the tag inside it. The server keeps no record of the
 * question: the token carries everything, signed.
 *
 * The token is base64url (no padding) of 89 bytes:
 *
 *	version 1 | article_id 8 | issued_at 8 | expires_at 8 | nonce 16
 *	| answer tag 16 | mac 32
 *
 * integers big-endian. The answer tag is the first 16 bytes of
 * BLAKE2b-256 keyed with the answer key (crypto_generichash) of the first
 * 41 bytes || the answer in decimal, so the token does not reveal the
 * answer and cannot be re-made for another one; the mac is BLAKE2b-256
 * keyed with the mac key of the first 57 bytes. Both keys come from the
 * site secret through crypto_kdf (context "gzcomnt1", subkeys 1 and 2),
 * so neither is ever used for two purposes.
 *
 * Why keyed BLAKE2b and not crypto_auth (HMAC-SHA-512-256), which
 * version 1 of the token used: every article page response makes a
 * token, and two HMACs cost 2.2 us there, as much as the rest of the
 * response; keyed BLAKE2b is a MAC by construction (libsodium documents
 * crypto_generichash with a key for this) at a third of the cost. Each
 * key's state is made once and copied per use.
 *
 * Invariants: a token is checked in the order decode, length and version,
 * mac, article, expiry, so nothing is read from an unsigned payload; tags
 * and macs are compared in constant time; nothing here takes a lock or
 * allocates (libsodium's random generator is thread-safe).
 */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "comments/comments.h"
#include "comments/comments_int.h"
#include "util/err.h"
#include "util/secret.h"

#define CAPTCHA_KDF_CONTEXT "gzcomnt1"
#define CAPTCHA_SUBKEY_MAC 1u
#define CAPTCHA_SUBKEY_ANSWER 2u
#define CAPTCHA_B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(COMMENTS_PAYLOAD_BYTES == 89, "token layout");
_Static_assert(COMMENTS_TOKEN_CHARS + 1 ==
		       sodium_base64_ENCODED_LEN(COMMENTS_PAYLOAD_BYTES,
						 CAPTCHA_B64),
	       "token length");
_Static_assert(COMMENTS_TOKEN_CHARS + 1 <= COMMENTS_TOKEN_MAX,
	       "a token fits COMMENTS_TOKEN_MAX with its NUL");
_Static_assert(COMMENTS_KEY_BYTES >= crypto_generichash_KEYBYTES_MIN &&
		       COMMENTS_KEY_BYTES <= crypto_generichash_KEYBYTES_MAX &&
		       COMMENTS_KEY_BYTES == crypto_kdf_KEYBYTES &&
		       COMMENTS_MAC_BYTES >= crypto_generichash_BYTES_MIN &&
		       COMMENTS_MAC_BYTES <= crypto_generichash_BYTES_MAX &&
		       COMMENTS_TAG_BYTES <= COMMENTS_MAC_BYTES,
	       "libsodium sizes");
_Static_assert(sizeof(CAPTCHA_KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
	       "kdf context");

/* ---- keys -------------------------------------------------------------------- */

int
comments_keys_derive(struct comments *c, const char *secret_hex)
{
	unsigned char master[crypto_kdf_KEYBYTES];
	int rc = GZ_EINVAL;

	assert(c != NULL && secret_hex != NULL);
	if (gz_secret_parse(secret_hex, master) != GZ_OK)
		return GZ_EINVAL;
	if (crypto_kdf_derive_from_key(c->mac_key, sizeof(c->mac_key),
				       CAPTCHA_SUBKEY_MAC, CAPTCHA_KDF_CONTEXT,
				       master) != 0 ||
	    crypto_kdf_derive_from_key(c->answer_key, sizeof(c->answer_key),
				       CAPTCHA_SUBKEY_ANSWER,
				       CAPTCHA_KDF_CONTEXT, master) != 0 ||
	    crypto_generichash_init(&c->mac_state, c->mac_key,
				    sizeof(c->mac_key), COMMENTS_MAC_BYTES) != 0 ||
	    crypto_generichash_init(&c->answer_state, c->answer_key,
				    sizeof(c->answer_key), COMMENTS_MAC_BYTES) != 0)
		goto out;
	rc = GZ_OK;
out:
	sodium_memzero(master, sizeof(master));
	return rc;
}

/* The keyed BLAKE2b-256 of msg under the key whose state is keyed:
 * crypto_generichash(out, 32, msg, len, key, 32), without absorbing the
 * key again. */
static void
captcha_mac(const crypto_generichash_state *keyed,
	    unsigned char out[COMMENTS_MAC_BYTES], const unsigned char *msg,
	    size_t len)
{
	crypto_generichash_state st = *keyed;

	crypto_generichash_update(&st, msg, len);
	crypto_generichash_final(&st, out, COMMENTS_MAC_BYTES);
	sodium_memzero(&st, sizeof(st));
}

/* ---- tokens ------------------------------------------------------------------ */

static void
put_be64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(u & 0xFF);
		u >>= 8;
	}
}

static int64_t
get_be64(const unsigned char *p)
{
	uint64_t u = 0;
	int i;

	for (i = 0; i < 8; i++)
		u = (u << 8) | p[i];
	/* Two's complement, as put_be64 wrote it; well defined, unlike a
	 * cast of a value above INT64_MAX. */
	if (u <= (uint64_t)INT64_MAX)
		return (int64_t)u;
	return -(int64_t)(~u) - 1;
}

/* Output: tag gets the answer tag of payload's first COMMENTS_OFF_TAG
 * bytes and answer. */
static void
answer_tag(const struct comments *c, const unsigned char *payload,
	   long answer, unsigned char tag[COMMENTS_TAG_BYTES])
{
	unsigned char msg[COMMENTS_OFF_TAG + 24];
	unsigned char mac[COMMENTS_MAC_BYTES];
	char dec[24];
	int n;

	n = snprintf(dec, sizeof(dec), "%ld", answer);
	/* A long has at most 20 characters: truncation cannot happen. */
	assert(n > 0 && (size_t)n < sizeof(dec));
	memcpy(msg, payload, COMMENTS_OFF_TAG);
	memcpy(msg + COMMENTS_OFF_TAG, dec, (size_t)n);
	captcha_mac(&c->answer_state, mac, msg, COMMENTS_OFF_TAG + (size_t)n);
	memcpy(tag, mac, COMMENTS_TAG_BYTES);
	sodium_memzero(mac, sizeof(mac));
}

bool
comments_answer_matches(const struct comments *c,
			const unsigned char *payload, long answer)
{
	unsigned char tag[COMMENTS_TAG_BYTES];
	bool ok;

	assert(c != NULL && payload != NULL);
	answer_tag(c, payload, answer, tag);
	ok = sodium_memcmp(tag, payload + COMMENTS_OFF_TAG, sizeof(tag)) == 0;
	return ok;
}

int
comments_token_open(const struct comments *c, const char *token,
		    int64_t article_id, int64_t now,
		    struct comments_token *out,
		    unsigned char payload[COMMENTS_PAYLOAD_BYTES])
{
	unsigned char mac[COMMENTS_MAC_BYTES];
	const char *end = NULL;
	size_t len, bin_len = 0;

	assert(c != NULL && out != NULL && payload != NULL);
	memset(out, 0, sizeof(*out));
	if (!token)
		return GZ_EINVAL;
	/* Bounded: a token posted as a megabyte is refused unread. */
	len = strnlen(token, COMMENTS_TOKEN_MAX);
	if (len != COMMENTS_TOKEN_CHARS)
		return GZ_EINVAL;
	if (sodium_base642bin(payload, COMMENTS_PAYLOAD_BYTES, token, len, NULL,
			      &bin_len, &end, CAPTCHA_B64) != 0 ||
	    bin_len != COMMENTS_PAYLOAD_BYTES || end != token + len)
		return GZ_EINVAL;
	if (payload[COMMENTS_OFF_VERSION] != COMMENTS_TOKEN_VERSION)
		return GZ_EINVAL;
	captcha_mac(&c->mac_state, mac, payload, COMMENTS_OFF_MAC);
	if (sodium_memcmp(mac, payload + COMMENTS_OFF_MAC, sizeof(mac)) != 0)
		return GZ_EINVAL;
	if (get_be64(payload + COMMENTS_OFF_ARTICLE) != article_id)
		return GZ_ENOTFOUND;
	if (now >= get_be64(payload + COMMENTS_OFF_EXPIRES))
		return GZ_ETOOBIG;
	out->article_id = article_id;
	out->issued_at = get_be64(payload + COMMENTS_OFF_ISSUED);
	out->expires_at = get_be64(payload + COMMENTS_OFF_EXPIRES);
	memcpy(out->nonce, payload + COMMENTS_OFF_NONCE, COMMENTS_NONCE_BYTES);
	return GZ_OK;
}

int
comments_token_check(const struct comments *c, const char *token,
		     int64_t article_id, int64_t now,
		     struct comments_token *out)
{
	unsigned char payload[COMMENTS_PAYLOAD_BYTES];

	return comments_token_open(c, token, article_id, now, out, payload);
}

/* ---- challenges -------------------------------------------------------------- */

/* Random bytes for challenges, drawn from libsodium a few kilobytes at a
 * time per thread: every article page response makes a challenge, and
 * one draw per challenge costs more than the rest of the response's work
 * (a system call and a fresh ChaCha20 key each). Bytes handed out are
 * wiped from the buffer. gazette never forks once serving, so no two
 * processes share a buffer. */
#define CAPTCHA_RND_BYTES 4096u

static _Thread_local struct {
	unsigned char buf[CAPTCHA_RND_BYTES];
	size_t left;
} captcha_rnd;

static void
captcha_random(unsigned char *out, size_t n)
{
	unsigned char *at;

	assert(n <= CAPTCHA_RND_BYTES);
	if (captcha_rnd.left < n) {
		randombytes_buf(captcha_rnd.buf, sizeof(captcha_rnd.buf));
		captcha_rnd.left = sizeof(captcha_rnd.buf);
	}
	at = captcha_rnd.buf + sizeof(captcha_rnd.buf) - captcha_rnd.left;
	memcpy(out, at, n);
	sodium_memzero(at, n);
	captcha_rnd.left -= n;
}

void
comments_challenge_new(const struct comments *c, int64_t article_id,
		       int64_t now, struct comments_challenge *out)
{
	unsigned char payload[COMMENTS_PAYLOAD_BYTES];
	/* Every random byte of a challenge in one draw (it is made for every
	 * article page response): three 32-bit numbers, then the nonce. A
	 * number modulo 100 or less is off uniform by under 2^-25. */
	unsigned char rnd[12 + COMMENTS_NONCE_BYTES];
	unsigned a, b, t, roll;
	const char *word;
	char op;
	long answer;
	int n;

	assert(c != NULL && out != NULL);
	captcha_random(rnd, sizeof(rnd));
#define CHALLENGE_RND(i, n) \
	((unsigned)(((uint32_t)rnd[4 * (i)] << 24 | (uint32_t)rnd[4 * (i) + 1] << 16 | \
		     (uint32_t)rnd[4 * (i) + 2] << 8 | rnd[4 * (i) + 3]) % (n)))
	roll = CHALLENGE_RND(0, 100);
	if (roll < 60) {
		op = '+';
		word = "plus";
		a = 1 + CHALLENGE_RND(1, 9);
		b = 1 + CHALLENGE_RND(2, 9);
		answer = (long)(a + b);
	} else if (roll < 85) {
		op = '-';
		word = "minus";
		a = 1 + CHALLENGE_RND(1, 9);
		b = 1 + CHALLENGE_RND(2, 9);
		if (a < b) {
			t = a;
			a = b;
			b = t;
		}
		answer = (long)(a - b);
	} else {
		op = 'x';
		word = "times";
		a = 1 + CHALLENGE_RND(1, 5);
		b = 1 + CHALLENGE_RND(2, 5);
		answer = (long)(a * b);
	}
#undef CHALLENGE_RND
	n = snprintf(out->question, sizeof(out->question), "%u %c %u =", a, op,
		     b);
	assert(n > 0 && (size_t)n < sizeof(out->question));
	n = snprintf(out->spoken, sizeof(out->spoken), "What is %u %s %u?", a,
		     word, b);
	assert(n > 0 && (size_t)n < sizeof(out->spoken));
	(void)n;

	payload[COMMENTS_OFF_VERSION] = COMMENTS_TOKEN_VERSION;
	put_be64(payload + COMMENTS_OFF_ARTICLE, article_id);
	put_be64(payload + COMMENTS_OFF_ISSUED, now);
	put_be64(payload + COMMENTS_OFF_EXPIRES,
		 now > INT64_MAX - (int64_t)c->policy.token_seconds
			 ? INT64_MAX
			 : now + (int64_t)c->policy.token_seconds);
	memcpy(payload + COMMENTS_OFF_NONCE, rnd + 12, COMMENTS_NONCE_BYTES);
	sodium_memzero(rnd, sizeof(rnd));
	answer_tag(c, payload, answer, payload + COMMENTS_OFF_TAG);
	captcha_mac(&c->mac_state, payload + COMMENTS_OFF_MAC, payload,
		    COMMENTS_OFF_MAC);
	sodium_bin2base64(out->token, sizeof(out->token), payload,
			  sizeof(payload), CAPTCHA_B64);
}

/* ---- answers ----------------------------------------------------------------- */

static const char *const answer_units[20] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
	"fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
};

static const char *const answer_tens[10] = {
	NULL, NULL, "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
	"eighty", "ninety",
};

static bool
answer_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* True when s[0..n) is lit (lowercase ASCII) with ASCII case folded. */
static bool
answer_word_is(const char *s, size_t n, const char *lit)
{
	size_t i;

	if (!lit || strlen(lit) != n)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != lit[i])
			return false;
	}
	return true;
}

/* Index of s[0..n) in table[0..count), or -1. */
static int
answer_lookup(const char *s, size_t n, const char *const *table, int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (answer_word_is(s, n, table[i]))
			return i;
	return -1;
}

static bool
answer_letter(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* "-" and digits, the whole of s[0..n). */
static int
answer_parse_digits(const char *s, size_t n, long *out)
{
	bool neg = false;
	unsigned long v = 0, lim;
	size_t i = 0;

	if (s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n)
		return GZ_EINVAL;
	lim = neg ? (unsigned long)LONG_MAX + 1ul : (unsigned long)LONG_MAX;
	for (; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return GZ_EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return GZ_EINVAL;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (unsigned long)LONG_MAX + 1ul ? LONG_MIN
							  : -(long)v;
	else
		*out = (long)v;
	return GZ_OK;
}

/* English words, the whole of s[0..n): "zero" to "nineteen", a tens word
 * alone or joined to a unit word by "-" or blanks, or "one hundred". */
static int
answer_parse_words(const char *s, size_t n, long *out)
{
	size_t i = 0, w1, w2start;
	int u, t;

	while (i < n && answer_letter(s[i]))
		i++;
	w1 = i;
	if (w1 == 0)
		return GZ_EINVAL;
	if (i < n) {
		/* One separator: a hyphen, or a run of blanks. */
		if (s[i] == '-')
			i++;
		else if (answer_blank(s[i]))
			while (i < n && answer_blank(s[i]))
				i++;
		else
			return GZ_EINVAL;
		w2start = i;
		while (i < n && answer_letter(s[i]))
			i++;
		if (i != n || i == w2start)
			return GZ_EINVAL;
	} else {
		w2start = n;
	}

	u = answer_lookup(s, w1, answer_units, 20);
	t = answer_lookup(s, w1, answer_tens, 10);
	if (w2start == n) {
		if (u >= 0)
			*out = u;
		else if (t >= 0)
			*out = 10L * t;
		else
			return GZ_EINVAL;
		return GZ_OK;
	}
	if (u == 1 && answer_word_is(s + w2start, n - w2start, "hundred")) {
		*out = 100;
		return GZ_OK;
	}
	if (t >= 0) {
		int u2 = answer_lookup(s + w2start, n - w2start, answer_units,
				       10);

		if (u2 >= 1) {
			*out = 10L * t + u2;
			return GZ_OK;
		}
	}
	return GZ_EINVAL;
}

int
comments_answer_parse(const char *s, long *out)
{
	size_t a = 0, b;
	long v = 0;
	int rc;

	assert(out != NULL);
	if (!s)
		return GZ_EINVAL;
	b = strlen(s);
	while (a < b && answer_blank(s[a]))
		a++;
	while (b > a && answer_blank(s[b - 1]))
		b--;
	if (a == b)
		return GZ_EINVAL;
	if (s[a] == '-' || (s[a] >= '0' && s[a] <= '9'))
		rc = answer_parse_digits(s + a, b - a, &v);
	else
		rc = answer_parse_words(s + a, b - a, &v);
	if (rc == GZ_OK)
		*out = v;
	return rc;
}
