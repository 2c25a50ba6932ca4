/*
 * intake.c - the rules a submitted comment passes through, in the order
 * comments.h gives, and the one sentence a reader sees for each.
 *
 * Data flow: the comment POST handler fills a struct
 * comments_submission from the form and calls comments_intake; the
 * decision says whether to store the comment (and with which status),
 * drop it quietly, answer 429, or show the form again with a message.
 *
 * Order matters and is tested: the token and the rate limits come
 * first, then the cheap bot traps (honeypot, fill time), before anything
 * a human could fix, so a bot never learns which field it got wrong; a
 * block-list word beats a hold. Two limits per address: comments taken
 * (a submission that will be stored), and refusals (every other verdict
 * after a good token: each makes the caller write the spent nonce). A
 * submission at either limit is RATE_LIMITED, which writes nothing.
 *
 * Invariants: fields are checked trimmed of ASCII whitespace and are
 * never modified or kept; every message is a static string or one made
 * at comments_new and owned by c; lengths are code points of valid UTF-8,
 * checked before anything counts them; nothing allocates.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "comments/comments.h"
#include "comments/comments_int.h"
#include "util/err.h"
#include "util/limiter.h"
#include "util/utf8.h"

#define MSG_EXPIRED "This question has expired; please answer the new one."
#define MSG_ANSWER_EMPTY "Please answer the arithmetic question."
#define MSG_ANSWER_NAN \
	"Please answer the arithmetic question with a number, such as 4 or four."
#define MSG_ANSWER_WRONG \
	"That answer to the arithmetic question is not right; please try the " \
	"new question."
#define MSG_NAME_EMPTY "Please give your name."
#define MSG_NAME_LONG "Your name is longer than 100 characters; please " \
		      "shorten it."
#define MSG_NAME_UTF8 "Your name contains characters that could not be " \
		      "read; please retype it."
#define MSG_EMAIL_EMPTY "Please give your email address; it is never " \
			"published."
#define MSG_EMAIL_BAD "Please check your email address."
#define MSG_EMAIL_UTF8 "Your email address contains characters that could " \
		       "not be read; please retype it."
#define MSG_BODY_EMPTY "Please write a comment."
#define MSG_BODY_UTF8 "Your comment contains characters that could not be " \
		      "read; please retype it."
#define MSG_PUBLISHED "Thank you; your comment is published."
#define MSG_TOO_FAST "Your comment was sent a moment too quickly; please " \
	"check it and send it again."
#define MSG_HELD "Thank you; your comment will appear once a moderator " \
		 "has approved it."
#define MSG_RATE "You have sent several comments in a short time; please " \
		 "wait a few minutes and try again."
/* The failure limit's, with its window in minutes filled in. */
#define MSG_TRIES "You have made too many tries in a short time; please " \
		  "wait %u minute%s and try again."

_Static_assert(COMMENTS_NAME_MAX_CHARS == 100, "MSG_NAME_LONG says 100");

/* ---- messages ------------------------------------------------------------ */

/* Writes n with a comma every three digits ("5,000") into out[0..size).
 * Returns the length written. */
static size_t
format_thousands(char *out, size_t size, unsigned n)
{
	char digits[16];
	size_t len, i, k = 0;
	int w;

	w = snprintf(digits, sizeof(digits), "%u", n);
	assert(w > 0 && (size_t)w < sizeof(digits));
	len = (size_t)w;
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0 && k + 1 < size)
			out[k++] = ',';
		if (k + 1 < size)
			out[k++] = digits[i];
	}
	out[k] = '\0';
	return k;
}

void
comments_intake_setup(struct comments *c)
{
	char num[24];
	unsigned minutes;
	int w;

	assert(c != NULL);
	format_thousands(num, sizeof(num), c->policy.max_chars);
	w = snprintf(c->msg_too_long, sizeof(c->msg_too_long),
		     "Your comment is longer than %s characters; please "
		     "shorten it.", num);
	/* The longest unsigned fits: "4,294,967,295" is 13 characters. */
	assert(w > 0 && (size_t)w < sizeof(c->msg_too_long));
	/* Whole minutes, rounded up: the longest a reader may have to wait
	 * (the window, from their oldest counted try). */
	minutes = (c->policy.rate_seconds + 59) / 60;
	w = snprintf(c->msg_tries, sizeof(c->msg_tries), MSG_TRIES, minutes,
		     minutes == 1 ? "" : "s");
	assert(w > 0 && (size_t)w < sizeof(c->msg_tries));
	(void)w;
}

/* ---- field checks ------------------------------------------------------- */

static bool
space_byte(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	       ch == '\v' || ch == '\f';
}

/* Narrows s (NULL is taken as "") to its text without surrounding ASCII
 * whitespace. Output: *start, *len. */
static void
trim(const char *s, const char **start, size_t *len)
{
	size_t a = 0, b;

	if (!s)
		s = "";
	b = strlen(s);
	while (a < b && space_byte((unsigned char)s[a]))
		a++;
	while (b > a && space_byte((unsigned char)s[b - 1]))
		b--;
	*start = s + a;
	*len = b - a;
}

/* Code points in valid UTF-8 s[0..len): every byte but continuation
 * bytes starts one. */
static size_t
count_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* The simple check comments.h promises: one '@', something before it, a
 * dot inside the domain, no spaces or control characters, at most
 * COMMENTS_EMAIL_MAX_BYTES. Anything stricter refuses real addresses. */
static bool
email_ok(const char *s, size_t len)
{
	size_t i, at = len, ats = 0, dot;

	if (len > COMMENTS_EMAIL_MAX_BYTES)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch == 0x7F)
			return false;
		if (ch == '@') {
			ats++;
			at = i;
		}
	}
	if (ats != 1 || at == 0)
		return false;
	/* A dot with something on both sides of it in the domain. */
	for (dot = at + 2; dot + 1 < len; dot++)
		if (s[dot] == '.')
			return true;
	return false;
}

static bool
prefix_ci(const char *s, size_t len, size_t i, const char *lit)
{
	size_t k, n = strlen(lit);

	if (n > len - i)
		return false;
	for (k = 0; k < n; k++) {
		char ch = s[i + k];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != lit[k])
			return false;
	}
	return true;
}

/* Links in s[0..len): each "http://", "https://" or "www." without case,
 * a "www." right after "//" being part of the link before it. */
static unsigned
count_links(const char *s, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (prefix_ci(s, len, i, "http://") ||
		    prefix_ci(s, len, i, "https://"))
			n++;
		else if (prefix_ci(s, len, i, "www.") &&
			 !(i >= 2 && s[i - 1] == '/' && s[i - 2] == '/'))
			n++;
	}
	return n;
}

static void
decide(struct comments_decision *out, enum comments_verdict v,
       const char *field, const char *message)
{
	out->verdict = v;
	out->field = field;
	out->message = message;
}

/* ---- the rate limits: this process's memory, or the shared limiter ---- */

/* Whether ip is over its limit in rl (scope's table, max per window):
 * *over. With record, a hit is recorded when it is not (check and
 * record in one step); without, nothing is. Through c->limiter when
 * set; its error is returned as GZ_EBUSY (the caller fails closed, and
 * *over is then true). */
static int
rate_over(struct comments *c, struct comments_ratelimit *rl, int scope,
	  unsigned max, const char *ip, int64_t now, bool record, bool *over)
{
	const struct gz_limiter *l = c->limiter;
	int64_t window = (int64_t)c->policy.rate_seconds, wait = 0;
	bool ok = false;
	int rc;

	if (!l) {
		*over = record ? !comments_ratelimit_take(rl, ip, now)
			       : comments_ratelimit_limited(rl, ip, now);
		return GZ_OK;
	}
	*over = true;
	if (record) {
		rc = l->take(l->ctx, scope, ip, strlen(ip), now, window, max,
			     &ok, &wait);
		*over = !ok;
	} else {
		rc = l->limited(l->ctx, scope, ip, strlen(ip), now, window, max,
				over, &wait);
	}
	if (rc != GZ_OK) {
		*over = true;
		return GZ_EBUSY;
	}
	return GZ_OK;
}

/* A refusal after a good token (v: INVALID, or DISCARD for a bot trap):
 * the caller will write its spent nonce, so it counts toward the failure
 * limit, and at the limit it is RATE_LIMITED instead, which writes
 * nothing. Check and record are one step, so a burst of concurrent
 * refusals cannot pass the limit either. */
static int
refuse(struct comments *c, struct comments_decision *out, const char *ip,
       int64_t now, enum comments_verdict v, const char *field,
       const char *message)
{
	bool over = false;
	int rc;

	if (c->failures &&
	    (rc = rate_over(c, c->failures, GZ_SCOPE_COMMENT_FAILURE,
			    COMMENTS_FAILURE_COUNT, ip, now, true, &over)) !=
	    GZ_OK)
		return rc;
	if (over) {
		decide(out, COMMENTS_RATE_LIMITED, NULL, c->msg_tries);
		return GZ_OK;
	}
	decide(out, v, field, message);
	return GZ_OK;
}

/* A mistake the reader must fix. */
static int
invalid(struct comments *c, struct comments_decision *out, const char *ip,
	int64_t now, const char *field, const char *message)
{
	return refuse(c, out, ip, now, COMMENTS_INVALID, field, message);
}

/* The entry of list found first in the name, email, body or address, or
 * NULL. */
static const struct comments_word *
words_in(const struct comments_words *list, const char *name, size_t name_len,
	 const char *email, size_t email_len, const char *body,
	 size_t body_len, const char *ip)
{
	const struct comments_word *word;

	if ((word = comments_words_match(list, name, name_len)) ||
	    (word = comments_words_match(list, email, email_len)) ||
	    (word = comments_words_match(list, body, body_len)))
		return word;
	return comments_words_match(list, ip, strlen(ip));
}

/* Sets out's hold reason to prefix and word, the word cut at a
 * character boundary to what fits (a list entry may be long). */
static void
reason_word(struct comments_decision *out, const char *prefix,
	    const struct comments_word *word)
{
	size_t plen = strlen(prefix), len = word->len;

	assert(plen < sizeof(out->hold_reason));
	if (len > sizeof(out->hold_reason) - 1 - plen) {
		len = sizeof(out->hold_reason) - 1 - plen;
		/* Back to the start of a character: entries are whatever
		 * the config held, UTF-8 or not. */
		while (len > 0 &&
		       ((unsigned char)word->s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out->hold_reason, prefix, plen);
	memcpy(out->hold_reason + plen, word->s, len);
	out->hold_reason[plen + len] = '\0';
}

/* ---- the rules --------------------------------------------------------------- */

int
comments_intake(struct comments *c, const struct comments_submission *s,
		struct comments_decision *out)
{
	unsigned char payload[COMMENTS_PAYLOAD_BYTES];
	const struct comments_policy *p;
	const char *name, *email, *body, *answer, *ip;
	size_t name_len, email_len, body_len, answer_len;
	const struct comments_word *word;
	long value = 0;
	unsigned links;
	bool over = false;
	int rc, w;

	assert(c != NULL && s != NULL && out != NULL);
	p = &c->policy;
	memset(out, 0, sizeof(*out));
	ip = s->ip ? s->ip : "";

	/* 1. The token: forged, for another article or expired all read
	 * the same to the reader, who gets a new question anyway. */
	rc = comments_token_open(c, s->token, s->article_id, s->now,
				 &out->token, payload);
	if (rc != GZ_OK) {
		memset(&out->token, 0, sizeof(out->token));
		decide(out, COMMENTS_INVALID, "answer", MSG_EXPIRED);
		return GZ_OK;
	}
	out->token_ok = true;

	/* 2. Rate limits, before anything else is looked at: a flood
	 * costs two lookups and writes nothing. One counts comments taken,
	 * the other refusals, so a reader's mistakes do not use up their
	 * comments and a bot's tries are bounded too (each refusal spends a
	 * nonce, a database write; a bot sending the form at once, before
	 * the fill time, is refused too). */
	if (c->rate) {
		if ((rc = rate_over(c, c->rate, GZ_SCOPE_COMMENT,
				    p->rate_count, ip, s->now, false,
				    &over)) != GZ_OK)
			return rc;
		if (over) {
			decide(out, COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
			return GZ_OK;
		}
	}
	if (c->failures) {
		if ((rc = rate_over(c, c->failures, GZ_SCOPE_COMMENT_FAILURE,
				    COMMENTS_FAILURE_COUNT, ip, s->now, false,
				    &over)) != GZ_OK)
			return rc;
		if (over) {
			decide(out, COMMENTS_RATE_LIMITED, NULL, c->msg_tries);
			return GZ_OK;
		}
	}

	/* 3. Bot traps: answered as if held, so a bot learns nothing. The
	 * caller still spends the nonce, so they count as refusals. */
	if ((s->honeypot && s->honeypot[0] != '\0') ||
	    s->now < out->token.issued_at)
		return refuse(c, out, ip, s->now, COMMENTS_DISCARD, NULL,
			      MSG_HELD);
	/* A form sent faster than a person fills one may still be a
	 * person's (a pasted comment, a quick "+1"): they get the form back
	 * with their text and a sentence, never a silent loss. A bot must
	 * then wait min_fill_seconds per try, with a new question each. */
	if (s->now - out->token.issued_at < (int64_t)p->min_fill_seconds)
		return invalid(c, out, ip, s->now, NULL, MSG_TOO_FAST);

	/* 4. The answer. */
	trim(s->answer, &answer, &answer_len);
	if (answer_len == 0)
		return invalid(c, out, ip, s->now, "answer", MSG_ANSWER_EMPTY);
	if (comments_answer_parse(s->answer, &value) != GZ_OK)
		return invalid(c, out, ip, s->now, "answer", MSG_ANSWER_NAN);
	if (!comments_answer_matches(c, payload, value))
		return invalid(c, out, ip, s->now, "answer", MSG_ANSWER_WRONG);

	/* 5. What the reader typed, field by field in form order. */
	trim(s->name, &name, &name_len);
	if (!utf8_valid(name, name_len, NULL))
		return invalid(c, out, ip, s->now, "name", MSG_NAME_UTF8);
	if (name_len == 0)
		return invalid(c, out, ip, s->now, "name", MSG_NAME_EMPTY);
	if (count_chars(name, name_len) > COMMENTS_NAME_MAX_CHARS)
		return invalid(c, out, ip, s->now, "name", MSG_NAME_LONG);
	trim(s->email, &email, &email_len);
	if (!utf8_valid(email, email_len, NULL))
		return invalid(c, out, ip, s->now, "email", MSG_EMAIL_UTF8);
	if (email_len == 0 && p->require_email)
		return invalid(c, out, ip, s->now, "email", MSG_EMAIL_EMPTY);
	if (email_len > 0 && !email_ok(email, email_len))
		return invalid(c, out, ip, s->now, "email", MSG_EMAIL_BAD);
	trim(s->body, &body, &body_len);
	if (!utf8_valid(body, body_len, NULL))
		return invalid(c, out, ip, s->now, "body", MSG_BODY_UTF8);
	if (body_len == 0)
		return invalid(c, out, ip, s->now, "body", MSG_BODY_EMPTY);
	/* Bytes bound characters from above: most bodies skip the count. */
	if (body_len > p->max_chars &&
	    count_chars(body, body_len) > p->max_chars)
		return invalid(c, out, ip, s->now, "body", c->msg_too_long);

	/* Only a submission that will be stored counts toward the comment
	 * limit; check and record are one step, so a burst racing past step
	 * 2 is still held to it. */
	if (c->rate) {
		if ((rc = rate_over(c, c->rate, GZ_SCOPE_COMMENT,
				    p->rate_count, ip, s->now, true,
				    &over)) != GZ_OK)
			return rc;
		if (over) {
			decide(out, COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
			return GZ_OK;
		}
	}

	/* 6. Moderation. The block list also sees the address, so a
	 * moderator can list an IP as a "word". Each hold says why, for the
	 * moderation queue: the first rule that holds it, in this order. */
	if ((word = words_in(&c->block, name, name_len, email, email_len,
			     body, body_len, ip))) {
		decide(out, COMMENTS_REJECT, NULL, MSG_HELD);
		reason_word(out, "blocked: ", word);
		return GZ_OK;
	}
	if ((word = words_in(&c->hold, name, name_len, email, email_len,
			     body, body_len, ip))) {
		decide(out, COMMENTS_HOLD, NULL, MSG_HELD);
		reason_word(out, "word: ", word);
		return GZ_OK;
	}
	if ((links = count_links(body, body_len)) > p->max_links) {
		decide(out, COMMENTS_HOLD, NULL, MSG_HELD);
		w = snprintf(out->hold_reason, sizeof(out->hold_reason),
			     "links: %u", links);
		/* "links: 4294967295" fits. */
		assert(w > 0 && (size_t)w < sizeof(out->hold_reason));
		(void)w;
		return GZ_OK;
	}
	if (p->moderation == COMMENTS_PRE) {
		decide(out, COMMENTS_HOLD, NULL, MSG_HELD);
		memcpy(out->hold_reason, "pre-moderation",
		       sizeof("pre-moderation"));
		return GZ_OK;
	}
	/* First-time: whether this browser is known is the store's to say,
	 * in the transaction that stores the comment (a moderator's verdict
	 * in between counts). The name and email are not looked at: anyone
	 * can type them. */
	if (p->moderation == COMMENTS_FIRST_TIME) {
		decide(out, COMMENTS_PUBLISH_IF_KNOWN, NULL, MSG_HELD);
		return GZ_OK;
	}
	decide(out, COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	return GZ_OK;
}
