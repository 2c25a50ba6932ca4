/*
 * policy.c - the site's comment policy and the intake state built from it:
 * defaults, the copy of the policy with its parsed hold and block lists,
 * the derived keys and the rate limiter (comments_new / comments_free),
 * and whole-word matching against the lists.
 *
 * Data flow: cli/ reads [comments] from gazette.conf into a struct
 * comments_policy and calls comments_new once at start-up; handlers then
 * share the struct comments across threads.
 *
 * Invariants: the struct comments owns copies of everything it was given;
 * keys are wiped before its memory is freed; word matching looks at each
 * byte of the text a bounded number of times per list entry and allocates
 * nothing.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "comments/comments.h"
#include "comments/comments_int.h"
#include "util/err.h"

void
comments_policy_default(struct comments_policy *p)
{
	assert(p != NULL);
	memset(p, 0, sizeof(*p));
	p->moderation = COMMENTS_PRE;
	p->require_email = false;
	p->close_after_days = 14;
	p->max_chars = 5000;
	p->max_links = 2;
	p->min_fill_seconds = 3;
	p->rate_count = 5;
	p->rate_seconds = 600;
	p->token_seconds = 7200;
	p->max_depth = 3;
	p->hold_words = NULL;
	p->block_words = NULL;
}

/* ---- word lists ----------------------------------------------------------- */

static bool
ascii_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\v' || ch == '\f';
}

/* A byte that belongs to a word: ASCII letters and digits, and every
 * byte of a non-ASCII character (so a match never splits one). */
static bool
word_byte(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch >= 0x80;
}

static unsigned char
ascii_lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

int
comments_words_parse(struct comments_words *w, const char *list)
{
	size_t len, i, start, end, n = 1;

	assert(w != NULL);
	memset(w, 0, sizeof(*w));
	if (!list)
		return GZ_OK;
	len = strlen(list);
	for (i = 0; i < len; i++)
		n += list[i] == ',';
	if (!(w->text = malloc(len + 1)))
		return GZ_ENOMEM;
	memcpy(w->text, list, len + 1);
	if (!(w->v = calloc(n, sizeof(*w->v)))) {
		comments_words_fini(w);
		return GZ_ENOMEM;
	}
	for (start = 0; start <= len; start = end + 1) {
		size_t a = start, b;

		for (end = start; end < len && list[end] != ','; end++)
			;
		b = end;
		while (a < b && ascii_space((unsigned char)list[a]))
			a++;
		while (b > a && ascii_space((unsigned char)list[b - 1]))
			b--;
		if (b > a) {
			assert(w->n < n);
			w->v[w->n].s = w->text + a;
			w->v[w->n].len = b - a;
			w->n++;
		}
	}
	return GZ_OK;
}

void
comments_words_fini(struct comments_words *w)
{
	if (!w)
		return;
	free(w->v);
	free(w->text);
	w->v = NULL;
	w->text = NULL;
	w->n = 0;
}

/* True when word occurs at s[i..) with ASCII case folded. */
static bool
word_at(const char *s, size_t len, size_t i, const struct comments_word *word)
{
	size_t k;

	if (word->len > len - i)
		return false;
	for (k = 0; k < word->len; k++)
		if (ascii_lower((unsigned char)s[i + k]) !=
		    ascii_lower((unsigned char)word->s[k]))
			return false;
	return true;
}

const struct comments_word *
comments_words_match(const struct comments_words *w, const char *s,
		     size_t len)
{
	size_t i, k, end;

	assert(w != NULL);
	if (w->n == 0 || !s)
		return NULL;
	/* A match starts where the byte before is not part of a word, so
	 * only those positions are tried. */
	for (i = 0; i < len; i++) {
		if (i > 0 && word_byte((unsigned char)s[i - 1]))
			continue;
		for (k = 0; k < w->n; k++) {
			if (!word_at(s, len, i, &w->v[k]))
				continue;
			end = i + w->v[k].len;
			if (end == len || !word_byte((unsigned char)s[end]))
				return &w->v[k];
		}
	}
	return NULL;
}

bool
comments_words_find(const struct comments_words *w, const char *s,
		    size_t len)
{
	return comments_words_match(w, s, len) != NULL;
}

/* ---- the intake state ----------------------------------------------------- */

int
comments_new(const struct comments_policy *policy, const char *secret_hex,
	     struct comments **out)
{
	struct comments *c = NULL;
	int rc;

	assert(policy != NULL && out != NULL);
	*out = NULL;
	if (sodium_init() < 0)
		return GZ_EIO;
	if (!secret_hex || policy->token_seconds == 0 ||
	    policy->max_chars == 0 ||
	    policy->rate_count > COMMENTS_RATE_COUNT_MAX ||
	    (unsigned)policy->moderation > (unsigned)COMMENTS_POST)
		return GZ_EINVAL;
	/* Aligned for the BLAKE2b states inside (libsodium aligns them to
	 * 64 bytes; calloc promises 16). */
	if (!(c = aligned_alloc(_Alignof(struct comments),
				(sizeof(*c) + _Alignof(struct comments) - 1) /
				_Alignof(struct comments) * _Alignof(struct comments))))
		return GZ_ENOMEM;
	memset(c, 0, sizeof(*c));
	c->policy = *policy;
	if ((rc = comments_keys_derive(c, secret_hex)) != GZ_OK ||
	    (rc = comments_commenter_keys(c, secret_hex)) != GZ_OK)
		goto fail;
	if ((rc = comments_words_parse(&c->hold, policy->hold_words)) != GZ_OK ||
	    (rc = comments_words_parse(&c->block, policy->block_words)) != GZ_OK)
		goto fail;
	c->policy.hold_words = c->hold.text;
	c->policy.block_words = c->block.text;
	if (policy->rate_count > 0 && policy->rate_seconds > 0 &&
	    ((rc = comments_ratelimit_new(COMMENTS_RATE_SLOTS, policy->rate_count,
					  policy->rate_seconds, &c->rate)) !=
		     GZ_OK ||
	     (rc = comments_ratelimit_new(COMMENTS_RATE_SLOTS,
					  COMMENTS_FAILURE_COUNT,
					  policy->rate_seconds, &c->failures)) !=
		     GZ_OK))
		goto fail;
	comments_intake_setup(c);
	*out = c;
	return GZ_OK;
fail:
	comments_free(c);
	return rc;
}

void
comments_free(struct comments *c)
{
	if (!c)
		return;
	comments_ratelimit_free(c->rate);
	comments_ratelimit_free(c->failures);
	comments_words_fini(&c->hold);
	comments_words_fini(&c->block);
	sodium_memzero(c->mac_key, sizeof(c->mac_key));
	sodium_memzero(c->answer_key, sizeof(c->answer_key));
	sodium_memzero(c->commenter_key, sizeof(c->commenter_key));
	sodium_memzero(&c->mac_state, sizeof(c->mac_state));
	sodium_memzero(&c->answer_state, sizeof(c->answer_state));
	free(c);
}

void
comments_limiter_set(struct comments *c, const struct gz_limiter *limiter)
{
	assert(c != NULL);
	c->limiter = limiter;
}

const struct comments_policy *
comments_policy(const struct comments *c)
{
	assert(c != NULL);
	return &c->policy;
}
