/* Tests for src/comments/intake.c and src/comments/policy.c: the intake
 * rules one by one and in their order, the messages, the policy defaults,
 * the word lists and the two per-address limits (comments taken, and
 * refusals: each of those makes the caller write a spent nonce). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments/comments.h"
#include "comments/comments_int.h"
#include "util/err.h"
#include "util/limiter.h"

#define SECRET "000102030405060708090a0b0c0d0e0f" \
	       "101112131415161718191a1b1c1d1e1f"
#define NOW INT64_C(1700000000)
#define ARTICLE INT64_C(7)

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
#define MSG_BODY_LONG "Your comment is longer than 5,000 characters; " \
		      "please shorten it."
#define MSG_BODY_UTF8 "Your comment contains characters that could not be " \
		      "read; please retype it."
#define MSG_PUBLISHED "Thank you; your comment is published."
#define MSG_TOO_FAST "Your comment was sent a moment too quickly; please " \
	"check it and send it again."
#define MSG_HELD "Thank you; your comment will appear once a moderator " \
		 "has approved it."
#define MSG_RATE "You have sent several comments in a short time; please " \
		 "wait a few minutes and try again."
#define MSG_TRIES_10 "You have made too many tries in a short time; please " \
		     "wait 10 minutes and try again."

/* One test's world: the intake state and a submission that publishes. */
struct fx {
	struct comments_policy policy;
	struct comments *c;
	struct comments_challenge ch;
	char answer[32];
	struct comments_submission s;
	struct comments_decision d;
};

/* (Re)makes fx->c from fx->policy. */
static void
fx_open(struct fx *fx)
{
	comments_free(fx->c);
	fx->c = NULL;
	assert_int_equal(comments_new(&fx->policy, SECRET, &fx->c), GZ_OK);
}

static long
solve(const char *question)
{
	unsigned a = 0, b = 0;
	char op = 0;

	assert_int_equal(sscanf(question, "%u %c %u", &a, &op, &b), 3);
	return op == '+' ? (long)(a + b)
	       : op == '-' ? (long)a - (long)b
			   : (long)(a * b);
}

/* A fresh challenge and a submission answering it rightly, 10 s later. */
static void
fx_fresh(struct fx *fx)
{
	comments_challenge_new(fx->c, ARTICLE, NOW, &fx->ch);
	snprintf(fx->answer, sizeof(fx->answer), "%ld", solve(fx->ch.question));
	memset(&fx->s, 0, sizeof(fx->s));
	fx->s.article_id = ARTICLE;
	fx->s.name = "Ada";
	fx->s.email = "ada@example.org";
	fx->s.body = "Thank you for this report.";
	fx->s.honeypot = "";
	fx->s.token = fx->ch.token;
	fx->s.answer = fx->answer;
	fx->s.ip = "192.0.2.1";
	fx->s.now = NOW + 10;
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	comments_policy_default(&fx->policy);
	fx->policy.moderation = COMMENTS_POST;
	fx->policy.rate_count = 0; /* most tests submit many times */
	fx_open(fx);
	fx_fresh(fx);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	comments_free(fx->c);
	free(fx);
	return 0;
}

/* Runs the intake and checks the verdict, field and message. */
static void
expect(struct fx *fx, enum comments_verdict v, const char *field,
       const char *message, int line)
{
	memset(&fx->d, 0x5A, sizeof(fx->d));
	assert_int_equal(comments_intake(fx->c, &fx->s, &fx->d), GZ_OK);
	if (fx->d.verdict != v)
		fail_msg("line %d: verdict %d, want %d (%s)", line,
			 (int)fx->d.verdict, (int)v,
			 fx->d.message ? fx->d.message : "");
	if (field == NULL && fx->d.field != NULL)
		fail_msg("line %d: field %s, want none", line, fx->d.field);
	if (field != NULL &&
	    (fx->d.field == NULL || strcmp(field, fx->d.field) != 0))
		fail_msg("line %d: field %s, want %s", line,
			 fx->d.field ? fx->d.field : "(none)", field);
	assert_non_null(fx->d.message);
	if (strcmp(fx->d.message, message) != 0)
		fail_msg("line %d: message \"%s\", want \"%s\"", line,
			 fx->d.message, message);
}

#define EXPECT(v, field, msg) expect(fx, (v), (field), (msg), __LINE__)

/* ---- policy ------------------------------------------------------------------ */

static void
policy_defaults(void **state)
{
	struct comments_policy p;

	(void)state;
	memset(&p, 0xFF, sizeof(p));
	comments_policy_default(&p);
	assert_int_equal(p.moderation, COMMENTS_PRE);
	assert_false(p.require_email);
	assert_int_equal(p.close_after_days, 14);
	assert_int_equal(p.max_chars, 5000);
	assert_int_equal(p.max_links, 2);
	assert_int_equal(p.min_fill_seconds, 3);
	assert_int_equal(p.rate_count, 5);
	assert_int_equal(p.rate_seconds, 600);
	assert_int_equal(p.token_seconds, 7200);
	assert_int_equal(p.max_depth, 3);
	assert_null(p.hold_words);
	assert_null(p.block_words);
}

static void
policy_is_copied_and_checked(void **state)
{
	struct comments_policy p;
	struct comments *c = NULL;
	char *words = strdup("spam, eggs"), *hold = strdup("ham");
	const struct comments_policy *got;

	(void)state;
	assert_non_null(words);
	assert_non_null(hold);
	comments_policy_default(&p);
	p.block_words = words;
	p.hold_words = hold;
	p.max_links = 9;
	assert_int_equal(comments_new(&p, SECRET, &c), GZ_OK);
	/* The caller's strings may go away. */
	memset(words, 'x', strlen(words));
	memset(hold, 'x', strlen(hold));
	free(words);
	free(hold);
	got = comments_policy(c);
	assert_int_equal(got->max_links, 9);
	assert_string_equal(got->block_words, "spam, eggs");
	assert_string_equal(got->hold_words, "ham");
	assert_true(comments_words_find(&c->block, "green eggs", 10));
	assert_true(comments_words_find(&c->hold, "and ham", 7));
	comments_free(c);
	comments_policy_default(&p);
	assert_int_equal(comments_new(&p, SECRET, &c), GZ_OK);
	assert_null(comments_policy(c)->hold_words);
	assert_null(comments_policy(c)->block_words);
	comments_free(c);

	comments_policy_default(&p);
	p.rate_count = COMMENTS_RATE_COUNT_MAX + 1;
	assert_int_equal(comments_new(&p, SECRET, &c), GZ_EINVAL);
	assert_null(c);
	comments_policy_default(&p);
	p.max_chars = 0;
	assert_int_equal(comments_new(&p, SECRET, &c), GZ_EINVAL);
	comments_policy_default(&p);
	p.moderation = (enum comments_moderation)7;
	assert_int_equal(comments_new(&p, SECRET, &c), GZ_EINVAL);
}

static void
word_lists(void **state)
{
	struct comments_words w;

	(void)state;
	assert_int_equal(comments_words_parse(&w, NULL), GZ_OK);
	assert_int_equal(w.n, 0);
	assert_false(comments_words_find(&w, "anything", 8));
	comments_words_fini(&w);
	assert_int_equal(comments_words_parse(&w, " , ,\t,"), GZ_OK);
	assert_int_equal(w.n, 0);
	comments_words_fini(&w);

	assert_int_equal(comments_words_parse(&w, " Spam , ,viagra,, buy now ,"
						  "caf\xc3\xa9,\xd9\x82\xd9\x85\xd8\xa7\xd8\xb1,"
						  "$$$"),
			 GZ_OK);
	assert_int_equal(w.n, 6);
	assert_int_equal(w.v[0].len, 4);
	assert_memory_equal(w.v[0].s, "Spam", 4);
	assert_memory_equal(w.v[2].s, "buy now", 7);
#define FIND(s) comments_words_find(&w, (s), strlen(s))
	assert_true(FIND("spam"));
	assert_true(FIND("SPAM!"));
	assert_true(FIND("this is spam."));
	assert_true(FIND("(sPaM)"));
	assert_true(FIND("spam-free"));
	assert_true(FIND("Buy Now"));
	assert_true(FIND("please buy now!"));
	assert_true(FIND("VIAGRA"));
	assert_false(FIND("spammer"));
	assert_false(FIND("antispam"));
	assert_false(FIND("spam2"));
	assert_false(FIND("buy  now"));
	assert_false(FIND("buy nowhere"));
	assert_false(FIND("sp am"));
	assert_false(FIND(""));
	/* Non-ASCII: byte-exact, and a non-ASCII neighbour is part of the
	 * word. */
	assert_true(FIND("Caf\xc3\xa9 owners"));
	assert_false(FIND("CAF\xc3\x89"));
	assert_false(FIND("spam\xc3\xa9"));
	assert_false(FIND("\xc3\xa9spam"));
	assert_true(FIND("\xd9\x82\xd9\x85\xd8\xa7\xd8\xb1 \xd8\xa8\xd8\xa7\xd8\xb2"));
	assert_false(FIND("\xd9\x82\xd9\x85\xd8\xa7\xd8\xb1\xd8\xa8\xd8\xa7\xd8\xb2"));
	/* Punctuation words: the rule is about neighbours only. */
	assert_true(FIND("win $$$ now"));
	assert_true(FIND("$$$$"));
	assert_false(FIND("a$$$"));
	/* A length, not a NUL, ends the text. */
	assert_true(comments_words_find(&w, "spammer", 4));
	assert_false(comments_words_find(&w, "spam", 3));
#undef FIND
	comments_words_fini(&w);
	comments_words_fini(&w);
}

/* ---- the rules, one at a time ------------------------------------------------ */

static void
publishes_a_good_comment(void **state)
{
	struct fx *fx = *state;
	static const unsigned char zero[COMMENTS_NONCE_BYTES];
	struct comments_token t;

	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	assert_true(fx->d.token_ok);
	/* The checked token is handed over for spending the nonce. */
	assert_int_equal(comments_token_check(fx->c, fx->ch.token, ARTICLE,
					      NOW, &t),
			 GZ_OK);
	assert_int_equal(fx->d.token.article_id, ARTICLE);
	assert_int_equal(fx->d.token.issued_at, NOW);
	assert_int_equal(fx->d.token.expires_at, NOW + 7200);
	assert_memory_equal(fx->d.token.nonce, t.nonce, COMMENTS_NONCE_BYTES);
	assert_memory_not_equal(fx->d.token.nonce, zero, sizeof(zero));
	/* The intake does not spend the nonce: the same token passes again
	 * (the store refuses the replay). */
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	/* Absent optional fields are fine. */
	fx->s.email = NULL;
	fx->s.honeypot = NULL;
	fx->s.ip = NULL;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
}

static void
bad_tokens_ask_for_the_new_question(void **state)
{
	struct fx *fx = *state;
	static const unsigned char zero[sizeof(struct comments_token)];
	char forged[COMMENTS_TOKEN_MAX];

	fx->s.token = NULL;
	EXPECT(COMMENTS_INVALID, "answer", MSG_EXPIRED);
	assert_false(fx->d.token_ok);
	assert_memory_equal(&fx->d.token, zero, sizeof(zero));
	fx->s.token = "";
	EXPECT(COMMENTS_INVALID, "answer", MSG_EXPIRED);
	memcpy(forged, fx->ch.token, sizeof(forged));
	forged[10] = forged[10] == 'A' ? 'B' : 'A';
	fx->s.token = forged;
	EXPECT(COMMENTS_INVALID, "answer", MSG_EXPIRED);
	fx->s.token = fx->ch.token;
	fx->s.article_id = ARTICLE + 1;
	EXPECT(COMMENTS_INVALID, "answer", MSG_EXPIRED);
	assert_false(fx->d.token_ok);
	assert_memory_equal(&fx->d.token, zero, sizeof(zero));
	fx->s.article_id = ARTICLE;
	fx->s.now = NOW + 7200;
	EXPECT(COMMENTS_INVALID, "answer", MSG_EXPIRED);
	fx->s.now = NOW + 7199;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
}

static void
bot_traps_discard(void **state)
{
	struct fx *fx = *state;

	fx->s.honeypot = "http://spam.example/";
	EXPECT(COMMENTS_DISCARD, NULL, MSG_HELD);
	/* The token is reported, so the caller can spend its nonce. */
	assert_true(fx->d.token_ok);
	assert_int_equal(fx->d.token.article_id, ARTICLE);
	fx->s.honeypot = " ";
	EXPECT(COMMENTS_DISCARD, NULL, MSG_HELD);
	fx->s.honeypot = "";
	/* Faster than min_fill_seconds (3): the form again, with a
	 * sentence, not a silent loss (a quick person is not a bot). */
	fx->s.now = NOW + 2;
	EXPECT(COMMENTS_INVALID, NULL, MSG_TOO_FAST);
	assert_true(fx->d.token_ok);
	fx->s.now = NOW;
	EXPECT(COMMENTS_INVALID, NULL, MSG_TOO_FAST);
	fx->s.now = NOW - 100; /* a clock behind the one that issued it */
	EXPECT(COMMENTS_DISCARD, NULL, MSG_HELD);
	fx->s.now = NOW + 3;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);

	fx->policy.min_fill_seconds = 0;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.now = NOW;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
}

static void
answers(void **state)
{
	struct fx *fx = *state;
	long right = solve(fx->ch.question);
	char buf[32];

	fx->s.answer = NULL;
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_EMPTY);
	fx->s.answer = "";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_EMPTY);
	fx->s.answer = " \t ";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_EMPTY);
	fx->s.answer = "a few";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_NAN);
	fx->s.answer = "3.0";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_NAN);
	snprintf(buf, sizeof(buf), "%ld", right + 1);
	fx->s.answer = buf;
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
	snprintf(buf, sizeof(buf), "%ld", -right - 1);
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
	snprintf(buf, sizeof(buf), " 0%ld ", right);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	/* A wrong answer reports the token, so the caller can spend it
	 * and the same token cannot be tried with every answer. */
	snprintf(buf, sizeof(buf), "%ld", right + 1);
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
	assert_true(fx->d.token_ok);
	assert_int_equal(fx->d.token.article_id, ARTICLE);
	/* So does a rate-limited or invalid-field one. */
	fx->s.answer = fx->answer;
	fx->s.name = "";
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_EMPTY);
	assert_true(fx->d.token_ok);
}

static void
answer_in_words(void **state)
{
	struct fx *fx = *state;
	static const char *const words[] = {
		"zero", "one", "two", "three", "four", "five", "six", "seven",
		"eight", "nine", "ten", "eleven", "twelve", "thirteen",
		"fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
		"nineteen", "twenty",
	};
	char buf[32];
	long right;

	/* Draw until the answer has a one-word name. */
	do {
		fx_fresh(fx);
		right = solve(fx->ch.question);
	} while (right > 20);
	snprintf(buf, sizeof(buf), " %s ", words[right]);
	buf[1] = (char)(buf[1] - 'a' + 'A');
	fx->s.answer = buf;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
}

static void
names(void **state)
{
	struct fx *fx = *state;
	char name[512];
	size_t i;

	fx->s.name = NULL;
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_EMPTY);
	fx->s.name = "";
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_EMPTY);
	fx->s.name = " \t\n ";
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_EMPTY);
	/* 100 characters of two bytes each: characters count, not bytes. */
	for (i = 0; i < 100; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[200] = '\0';
	fx->s.name = name;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	memcpy(name + 200, "x", 2);
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_LONG);
	/* Surrounding spaces do not count. */
	memset(name, 'n', 100);
	memcpy(name + 100, "    ", 5);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.name = "Ad\xc3";
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_UTF8);
	fx->s.name = "\xed\xa0\x80"; /* a surrogate */
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_UTF8);
	/* Bidi controls are the renderer's to neutralise, not an error. */
	fx->s.name = "Ada \xe2\x80\xae" "evil" "\xe2\x80\xac";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
}

static void
emails(void **state)
{
	struct fx *fx = *state;
	static const char *const good[] = {
		"ada@example.org", " ada@example.org\t", "a@b.c",
		"first.last+tag@sub.example.co.uk",
		"jos\xc3\xa9@ex\xc3\xa4mple.de",
	};
	static const char *const bad[] = {
		"ada", "ada@", "@example.org", "ada@example", "ada@@example.org",
		"ada@ex@ample.org", "ada lovelace@example.org",
		"ada@example .org", "ada@example.", "ada@.org", "ada@.",
		"ada\x01@example.org", "ada@exam\x7fple.org",
	};
	char longest[300];
	size_t i;

	fx->s.email = NULL;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.email = "  ";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		fx->s.email = good[i];
		EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	}
	/* Malformed is refused even when an address is optional. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fx->s.email = bad[i];
		EXPECT(COMMENTS_INVALID, "email", MSG_EMAIL_BAD);
	}
	/* 254 bytes pass, 255 do not. */
	memset(longest, 'a', 254);
	memcpy(longest + 254 - 12, "@example.org", 13);
	assert_int_equal(strlen(longest), 254);
	fx->s.email = longest;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	memset(longest, 'a', 255);
	memcpy(longest + 255 - 12, "@example.org", 13);
	EXPECT(COMMENTS_INVALID, "email", MSG_EMAIL_BAD);
	fx->s.email = "ada@exa\xffmple.org";
	EXPECT(COMMENTS_INVALID, "email", MSG_EMAIL_UTF8);

	fx->policy.require_email = true;
	fx_open(fx);
	fx_fresh(fx);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.email = NULL;
	EXPECT(COMMENTS_INVALID, "email", MSG_EMAIL_EMPTY);
	fx->s.email = " ";
	EXPECT(COMMENTS_INVALID, "email", MSG_EMAIL_EMPTY);
	fx->s.email = "ada";
	EXPECT(COMMENTS_INVALID, "email", MSG_EMAIL_BAD);
}

/* Makes a body of n copies of unit in buf (at least n * strlen(unit) + 1
 * bytes). */
static const char *
repeat(char *buf, const char *unit, size_t n)
{
	size_t i, len = strlen(unit);

	for (i = 0; i < n; i++)
		memcpy(buf + i * len, unit, len);
	buf[n * len] = '\0';
	return buf;
}

static void
bodies(void **state)
{
	struct fx *fx = *state;
	char *big = malloc(4 * 100001 + 1);

	assert_non_null(big);
	fx->s.body = NULL;
	EXPECT(COMMENTS_INVALID, "body", MSG_BODY_EMPTY);
	fx->s.body = "";
	EXPECT(COMMENTS_INVALID, "body", MSG_BODY_EMPTY);
	fx->s.body = "\r\n\r\n \t\n";
	EXPECT(COMMENTS_INVALID, "body", MSG_BODY_EMPTY);
	fx->s.body = repeat(big, "a", 5000);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.body = repeat(big, "a", 5001);
	EXPECT(COMMENTS_INVALID, "body", MSG_BODY_LONG);
	/* Characters, not bytes: 5,000 four-byte characters pass. */
	fx->s.body = repeat(big, "\xf0\x9f\x93\xb0", 5000);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.body = repeat(big, "\xf0\x9f\x93\xb0", 5001);
	EXPECT(COMMENTS_INVALID, "body", MSG_BODY_LONG);
	fx->s.body = "Good \xe0\x80\x80 point"; /* an overlong */
	EXPECT(COMMENTS_INVALID, "body", MSG_BODY_UTF8);
	/* Bidi controls pass: render_text drops them. */
	fx->s.body = "I agree \xe2\x80\xae with \xe2\x81\xa6 this\xe2\x80\x8f.";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);

	/* The number in the message is the policy's, with separators. */
	fx->policy.max_chars = 100000;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.body = repeat(big, "a", 100001);
	EXPECT(COMMENTS_INVALID, "body",
	       "Your comment is longer than 100,000 characters; please "
	       "shorten it.");
	fx->policy.max_chars = 999;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.body = repeat(big, "a", 1000);
	EXPECT(COMMENTS_INVALID, "body",
	       "Your comment is longer than 999 characters; please shorten "
	       "it.");
	fx->policy.max_chars = 1000;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.body = repeat(big, "a", 1001);
	EXPECT(COMMENTS_INVALID, "body",
	       "Your comment is longer than 1,000 characters; please shorten "
	       "it.");
	fx->policy.max_chars = 4294967295u;
	fx_open(fx);
	assert_string_equal(fx->c->msg_too_long,
			    "Your comment is longer than 4,294,967,295 "
			    "characters; please shorten it.");
	free(big);
}

static void
fields_are_checked_in_form_order(void **state)
{
	struct fx *fx = *state;

	fx->s.name = "";
	fx->s.email = "nope";
	fx->s.body = "";
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_EMPTY);
	fx->s.name = "Ada";
	EXPECT(COMMENTS_INVALID, "email", MSG_EMAIL_BAD);
	fx->s.email = "ada@example.org";
	EXPECT(COMMENTS_INVALID, "body", MSG_BODY_EMPTY);
	/* The answer comes before every field. */
	fx->s.answer = "";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_EMPTY);
}

/* ---- moderation ------------------------------------------------------------- */

static void
block_and_hold_words(void **state)
{
	struct fx *fx = *state;

	fx->policy.block_words = "casino, buy now, 203.0.113.9";
	fx->policy.hold_words = "refund,crypto";
	fx_open(fx);
	fx_fresh(fx);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.body = "Best CASINO in town";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	fx->s.body = "Occasion casinos casino-like";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	fx->s.body = "On this occasion, casinos and the like.";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.body = "Buy now!";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	fx->s.body = "I want a refund.";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	fx->s.body = "Refunds are slow.";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	/* The name, the address and the IP are looked at too. */
	fx->s.name = "Crypto King";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	fx->s.name = "Ada";
	fx->s.email = "casino@example.org";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	fx->s.email = "ada@example.org";
	fx->s.ip = "203.0.113.9";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	fx->s.ip = "203.0.113.99";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	/* Block beats hold, whichever comes first in the text. */
	fx->s.body = "refund at the casino";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	fx->s.body = "casino refund http://a.example http://b.example "
		     "http://c.example";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	/* Block beats pre-moderation. */
	fx->policy.moderation = COMMENTS_PRE;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.body = "casino";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	/* And a wrong answer comes before any word. */
	fx->s.answer = "1000";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
}

static void
links(void **state)
{
	struct fx *fx = *state;

	/* max_links 2: two pass, three are held. */
	fx->s.body = "See http://a.example and HTTPS://b.example.";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.body = "See http://a.example, https://b.example, www.c.example";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	/* "https://www." is one link, not two. */
	fx->s.body = "See https://www.a.example and http://www.b.example";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.body = "WWW.A.EXAMPLE www.b.example Www.c.example";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	fx->s.body = "httpx://a hxxp://b http:/c";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	/* Only the body's links are counted. */
	fx->s.name = "http://a http://b http://c";
	fx->s.body = "Hello";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);

	fx->policy.max_links = 0;
	fx_open(fx);
	fx_fresh(fx);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	fx->s.body = "www.a.example";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
}

static void
moderation_policies(void **state)
{
	struct fx *fx = *state;

	/* POST: published. */
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);

	/* FIRST_TIME: never published on what the form says; whether the
	 * browser is known is the store's to decide, so the message is the
	 * held one until then. */
	fx->policy.moderation = COMMENTS_FIRST_TIME;
	fx_open(fx);
	fx_fresh(fx);
	EXPECT(COMMENTS_PUBLISH_IF_KNOWN, NULL, MSG_HELD);
	fx->s.email = "";
	EXPECT(COMMENTS_PUBLISH_IF_KNOWN, NULL, MSG_HELD);

	fx->policy.moderation = COMMENTS_PRE;
	fx_open(fx);
	fx_fresh(fx);
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
}

/* The old rule trusted an address: a regular's email, typed by anyone,
 * was published unmoderated. No field of the submission may turn the
 * first-time rule into a plain PUBLISH. */
static void
first_time_trusts_nothing_typed(void **state)
{
	struct fx *fx = *state;
	static const char *const emails[] = {
		"regular@example.org", "REGULAR@example.org", "", NULL,
	};
	size_t i;

	fx->policy.moderation = COMMENTS_FIRST_TIME;
	fx_open(fx);
	for (i = 0; i < sizeof(emails) / sizeof(*emails); i++) {
		fx_fresh(fx);
		fx->s.email = emails[i];
		fx->s.name = "Regular Reader";
		assert_int_equal(comments_intake(fx->c, &fx->s, &fx->d), GZ_OK);
		assert_int_not_equal(fx->d.verdict, COMMENTS_PUBLISH);
		assert_int_equal(fx->d.verdict, COMMENTS_PUBLISH_IF_KNOWN);
	}
}

/* ---- order across the rules -------------------------------------------------- */

static void
rate_limit(void **state)
{
	struct fx *fx = *state;
	int i;

	fx->policy.rate_count = 2;
	fx->policy.rate_seconds = 600;
	fx->policy.block_words = "casino";
	fx_open(fx);
	fx_fresh(fx);
	/* Mistakes do not use up the comment limit: wrong answers, and a
	 * right answer with a field to fix. */
	fx->s.answer = "1000";
	for (i = 0; i < 10; i++)
		EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
	fx->s.answer = fx->answer;
	fx->s.name = "";
	for (i = 0; i < 5; i++)
		EXPECT(COMMENTS_INVALID, "name", MSG_NAME_EMPTY);
	fx->s.name = "Ada";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	/* Two in the window now: limited, whatever else is wrong. */
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
	assert_true(fx->d.token_ok);
	fx->s.body = "casino";
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
	fx->s.answer = "1000";
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
	fx->s.answer = "";
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
	fx->s.name = NULL;
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
	/* The bot traps too (a trap would spend a nonce: a write). */
	fx->s.honeypot = "x";
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
	fx->s.honeypot = "";
	fx->s.now = NOW + 1;
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
	fx->s.now = NOW + 10;
	/* But the token comes first: a bad one writes nothing. */
	fx->s.token = "forged";
	EXPECT(COMMENTS_INVALID, "answer", MSG_EXPIRED);
	/* Another address is not limited. */
	fx_fresh(fx);
	fx->s.ip = "192.0.2.2";
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	/* Failed submissions have a limit of their own: a bot guessing
	 * answers (each guess spends a nonce) is stopped after 20. */
	fx_fresh(fx);
	fx->s.ip = "192.0.2.3";
	fx->s.answer = "1000";
	for (i = 0; i < (int)COMMENTS_FAILURE_COUNT; i++)
		EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_TRIES_10);
	fx->s.answer = fx->answer;
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_TRIES_10);
	/* The window slides: 600 s later the first address may post. */
	comments_challenge_new(fx->c, ARTICLE, NOW + 600, &fx->ch);
	snprintf(fx->answer, sizeof(fx->answer), "%ld", solve(fx->ch.question));
	fx->s.token = fx->ch.token;
	fx->s.ip = "192.0.2.1";
	fx->s.now = NOW + 610;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
}

/* Every refusal after a good token makes the caller write a spent nonce,
 * so every kind counts toward the failure limit: the bot traps and the
 * fill time too, which come before the answer. A bad token writes nothing
 * and does not count. */
static void
every_refusal_counts(void **state)
{
	struct fx *fx = *state;
	unsigned i, refused = 0;

	fx->policy.rate_count = 5;
	fx->policy.rate_seconds = 600;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.token = "forged";
	for (i = 0; i < 50; i++)
		EXPECT(COMMENTS_INVALID, "answer", MSG_EXPIRED);
	fx->s.token = fx->ch.token;
	/* Five kinds, four each: twenty refusals. */
	for (i = 0; i < COMMENTS_FAILURE_COUNT / 5; i++) {
		fx->s.now = NOW + 1;
		EXPECT(COMMENTS_INVALID, NULL, MSG_TOO_FAST);
		fx->s.now = NOW + 10;
		fx->s.honeypot = "x";
		EXPECT(COMMENTS_DISCARD, NULL, MSG_HELD);
		fx->s.honeypot = "";
		fx->s.answer = "1000";
		EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
		fx->s.answer = "";
		EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_EMPTY);
		fx->s.answer = fx->answer;
		fx->s.body = "";
		EXPECT(COMMENTS_INVALID, "body", MSG_BODY_EMPTY);
		fx->s.body = "Thank you for this report.";
	}
	/* At the limit every kind is told to wait, and nothing is to be
	 * written: the caller spends no nonce for RATE_LIMITED. A right
	 * answer waits too (it would be a write as well). */
	fx->s.now = NOW + 1;
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_TRIES_10);
	fx->s.now = NOW + 10;
	fx->s.honeypot = "x";
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_TRIES_10);
	fx->s.honeypot = "";
	fx->s.answer = "1000";
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_TRIES_10);
	fx->s.answer = fx->answer;
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_TRIES_10);
	/* The failures did not use up the comment limit: once the window
	 * has passed (from the first refusal), the reader posts. */
	comments_challenge_new(fx->c, ARTICLE, NOW + 600, &fx->ch);
	snprintf(fx->answer, sizeof(fx->answer), "%ld", solve(fx->ch.question));
	fx->s.token = fx->ch.token;
	fx->s.answer = fx->answer;
	fx->s.now = NOW + 610;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	/* A flood from another address, every form sent at once (the
	 * attack: GET and POST together): at most the limit's refusals,
	 * then only RATE_LIMITED, which writes nothing. */
	fx_fresh(fx);
	fx->s.ip = "198.51.100.9";
	fx->s.now = NOW;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(comments_intake(fx->c, &fx->s, &fx->d), GZ_OK);
		if (fx->d.verdict != COMMENTS_RATE_LIMITED)
			refused++;
		else
			assert_string_equal(fx->d.message, MSG_TRIES_10);
	}
	assert_int_equal(refused, COMMENTS_FAILURE_COUNT);
}

#define RACE_THREADS 4
#define RACE_TRIES 100

struct racer {
	struct comments *c;
	const struct comments_submission *s;
	pthread_barrier_t *start;
	unsigned refused; /* verdicts that would write a nonce */
};

static void *
race(void *arg)
{
	struct racer *r = arg;
	struct comments_decision d;
	unsigned i;

	pthread_barrier_wait(r->start);
	for (i = 0; i < RACE_TRIES; i++) {
		if (comments_intake(r->c, r->s, &d) != GZ_OK)
			return NULL;
		r->refused += d.verdict != COMMENTS_RATE_LIMITED;
	}
	return NULL;
}

/* Refusals arriving at once, on many server threads, are held to the
 * limit too: the count is checked and recorded in one step. */
static void
concurrent_refusals_never_overshoot(void **state)
{
	struct fx *fx = *state;
	struct racer r[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	pthread_barrier_t start;
	unsigned total = 0;
	int i;

	fx->policy.rate_count = 5;
	fx->policy.rate_seconds = 600;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.answer = "1000";
	assert_int_equal(pthread_barrier_init(&start, NULL, RACE_THREADS), 0);
	for (i = 0; i < RACE_THREADS; i++) {
		r[i] = (struct racer){fx->c, &fx->s, &start, 0};
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		total += r[i].refused;
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(total, COMMENTS_FAILURE_COUNT);
}

/* A reader who gets the answer wrong, and then a field, and sends once too
 * fast still posts, at once, and the comment limit is untouched. */
static void
honest_mistakes_still_post(void **state)
{
	struct fx *fx = *state;
	int i;

	fx->policy.rate_count = 5;
	fx->policy.rate_seconds = 600;
	fx->policy.min_fill_seconds = 3;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.now = NOW + 1;
	EXPECT(COMMENTS_INVALID, NULL, MSG_TOO_FAST);
	fx->s.now = NOW + 10;
	fx->s.answer = "1000";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
	fx->s.answer = "999";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
	fx->s.answer = fx->answer;
	fx->s.name = "";
	EXPECT(COMMENTS_INVALID, "name", MSG_NAME_EMPTY);
	fx->s.name = "Ada";
	for (i = 0; i < 5; i++)
		EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
}

/* The wait the failure limit names is its window, in whole minutes. */
static void
tries_message_names_the_window(void **state)
{
	struct fx *fx = *state;
	static const struct {
		unsigned seconds;
		const char *wait;
	} cases[] = {
		{1, "wait 1 minute and"},
		{60, "wait 1 minute and"},
		{61, "wait 2 minutes and"},
		{3600, "wait 60 minutes and"},
		{86400, "wait 1440 minutes and"},
	};
	size_t k;
	unsigned i;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		fx->policy.rate_count = 5;
		fx->policy.rate_seconds = cases[k].seconds;
		fx_open(fx);
		fx_fresh(fx);
		fx->s.answer = "1000";
		for (i = 0; i < COMMENTS_FAILURE_COUNT; i++)
			EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
		assert_int_equal(comments_intake(fx->c, &fx->s, &fx->d), GZ_OK);
		assert_int_equal(fx->d.verdict, COMMENTS_RATE_LIMITED);
		if (!strstr(fx->d.message, cases[k].wait))
			fail_msg("%u s: \"%s\" does not say \"%s\"",
				 cases[k].seconds, fx->d.message,
				 cases[k].wait);
	}
}

static void
honeypot_beats_everything_after_the_token(void **state)
{
	struct fx *fx = *state;

	fx->policy.block_words = "casino";
	fx_open(fx);
	fx_fresh(fx);
	fx->s.honeypot = "filled";
	fx->s.answer = "1000";
	EXPECT(COMMENTS_DISCARD, NULL, MSG_HELD);
	fx->s.answer = "";
	fx->s.name = NULL;
	fx->s.body = "casino";
	EXPECT(COMMENTS_DISCARD, NULL, MSG_HELD);
	fx->s.honeypot = "";
	fx->s.now = NOW + 1; /* too fast, and wrong everywhere: the speed
			      * is what the reader hears of first */
	EXPECT(COMMENTS_INVALID, NULL, MSG_TOO_FAST);
	/* A bad token comes before the honeypot. */
	fx->s.honeypot = "filled";
	fx->s.now = NOW + 10;
	fx->s.article_id = ARTICLE + 1;
	EXPECT(COMMENTS_INVALID, "answer", MSG_EXPIRED);
}

/* Each hold says why (the moderation queue shows it): the first rule
 * that holds it, by name; nothing when a comment is not held. */
static void
hold_reasons(void **state)
{
	struct fx *fx = *state;
	char longword[200];

	fx->policy.hold_words = "refund, Crypto";
	fx->policy.block_words = "casino";
	fx_open(fx);
	fx_fresh(fx);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	assert_string_equal(fx->d.hold_reason, "");
	fx->s.body = "I want a REFUND.";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	assert_string_equal(fx->d.hold_reason, "word: refund");
	/* The entry as listed, found in the name. */
	fx->s.body = "fine";
	fx->s.name = "crypto fan";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	assert_string_equal(fx->d.hold_reason, "word: Crypto");
	fx->s.name = "Ada";
	fx->s.body = "http://a.example http://b.example www.c.example "
		     "www.d.example";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	assert_string_equal(fx->d.hold_reason, "links: 4");
	/* A word beats the links. */
	fx->s.body = "refund http://a.example http://b.example http://c";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	assert_string_equal(fx->d.hold_reason, "word: refund");
	fx->s.body = "at the casino";
	EXPECT(COMMENTS_REJECT, NULL, MSG_HELD);
	assert_string_equal(fx->d.hold_reason, "blocked: casino");

	fx->policy.moderation = COMMENTS_PRE;
	fx_open(fx);
	fx_fresh(fx);
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	assert_string_equal(fx->d.hold_reason, "pre-moderation");
	/* A rule beats the policy: it says more. */
	fx->s.body = "refund";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	assert_string_equal(fx->d.hold_reason, "word: refund");

	/* First-time: the store says why, if it holds it. */
	fx->policy.moderation = COMMENTS_FIRST_TIME;
	fx_open(fx);
	fx_fresh(fx);
	EXPECT(COMMENTS_PUBLISH_IF_KNOWN, NULL, MSG_HELD);
	assert_string_equal(fx->d.hold_reason, "");

	/* A long entry is cut to fit, at a character: 150 bytes of "é"
	 * (two bytes each) after "x". */
	longword[0] = 'x';
	for (size_t i = 0; i < 75; i++) {
		longword[1 + 2 * i] = (char)0xC3;
		longword[2 + 2 * i] = (char)0xA9;
	}
	longword[151] = '\0';
	fx->policy.moderation = COMMENTS_POST;
	fx->policy.hold_words = longword;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.body = longword;
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	assert_true(strlen(fx->d.hold_reason) < COMMENTS_HOLD_REASON_MAX);
	assert_memory_equal(fx->d.hold_reason, "word: x\xC3\xA9", 9);
	/* "word: x" is 7 bytes; 72 more fit, of which 72 are whole "é"s. */
	assert_int_equal(strlen(fx->d.hold_reason), 7 + 72);
	fx->policy.hold_words = NULL;
}

static void
hold_rules_and_policy_stack(void **state)
{
	struct fx *fx = *state;

	fx->policy.hold_words = "refund";
	fx->policy.moderation = COMMENTS_FIRST_TIME;
	fx_open(fx);
	fx_fresh(fx);
	fx->s.body = "refund";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	fx->s.body = "http://a http://b http://c";
	EXPECT(COMMENTS_HOLD, NULL, MSG_HELD);
	fx->s.body = "fine";
	EXPECT(COMMENTS_PUBLISH_IF_KNOWN, NULL, MSG_HELD);
	/* An invalid field beats a hold. */
	fx->s.body = "refund";
	fx->s.email = "bad";
	EXPECT(COMMENTS_INVALID, "email", MSG_EMAIL_BAD);
}

/* ---- a shared limiter (many nodes) ----------------------------------------- */

/* A limiter that counts hits per scope itself (any who), or fails. */
struct fake_limiter {
	int fail;               /* returned by every call when not GZ_OK */
	int fail_take;          /* returned by take when not GZ_OK */
	unsigned hits[5];       /* per scope */
	unsigned takes, checks; /* calls */
	unsigned max[5];        /* the max each scope was asked with */
	int64_t window;
	char who[64];
};

static int
fake_take(void *ctx, int scope, const void *who, size_t len, int64_t now,
	  int64_t window, unsigned max, bool *allowed, int64_t *retry)
{
	struct fake_limiter *f = ctx;

	(void)now;
	(void)retry;
	assert_true(scope >= 1 && scope <= 4 && len < sizeof(f->who));
	f->takes++;
	if (f->fail != GZ_OK)
		return f->fail;
	if (f->fail_take != GZ_OK)
		return f->fail_take;
	memcpy(f->who, who, len);
	f->who[len] = '\0';
	f->window = window;
	f->max[scope] = max;
	*allowed = f->hits[scope] < max;
	f->hits[scope] += *allowed;
	return GZ_OK;
}

static int
fake_limited(void *ctx, int scope, const void *who, size_t len, int64_t now,
	     int64_t window, unsigned max, bool *limited, int64_t *retry)
{
	struct fake_limiter *f = ctx;

	(void)who;
	(void)len;
	(void)now;
	(void)window;
	(void)retry;
	f->checks++;
	if (f->fail != GZ_OK)
		return f->fail;
	*limited = f->hits[scope] >= max;
	return GZ_OK;
}

static const struct gz_limiter *
fake_limiter(struct fake_limiter *f)
{
	static struct gz_limiter l;

	memset(&l, 0, sizeof(l));
	l.ctx = f;
	l.take = fake_take;
	l.limited = fake_limited;
	return &l;
}

/* With a limiter installed, it counts (not this process's memory): a
 * second intake sharing it sees the first's comments, as a second node
 * would; refusals count in their own scope. */
static void
shared_limiter_counts(void **state)
{
	struct fx *fx = *state;
	struct fake_limiter f = {.fail = GZ_OK};
	struct comments *other = NULL;

	fx->policy.rate_count = 2;
	fx->policy.rate_seconds = 600;
	fx_open(fx);
	assert_int_equal(comments_new(&fx->policy, SECRET, &other), GZ_OK);
	comments_limiter_set(fx->c, fake_limiter(&f));
	comments_limiter_set(other, fake_limiter(&f));
	fx_fresh(fx);
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	assert_int_equal(f.hits[GZ_SCOPE_COMMENT], 1);
	assert_int_equal(f.max[GZ_SCOPE_COMMENT], 2);
	assert_int_equal(f.window, 600);
	assert_string_equal(f.who, "192.0.2.1");
	/* The other "node": one more, then limited. */
	memset(&fx->d, 0, sizeof(fx->d));
	assert_int_equal(comments_intake(other, &fx->s, &fx->d), GZ_OK);
	assert_int_equal(fx->d.verdict, COMMENTS_PUBLISH);
	assert_int_equal(comments_intake(other, &fx->s, &fx->d), GZ_OK);
	assert_int_equal(fx->d.verdict, COMMENTS_RATE_LIMITED);
	EXPECT(COMMENTS_RATE_LIMITED, NULL, MSG_RATE);
	/* A wrong answer from another address counts as a refusal. */
	fx->s.ip = "192.0.2.9";
	f.hits[GZ_SCOPE_COMMENT] = 0;
	fx->s.answer = "1000";
	EXPECT(COMMENTS_INVALID, "answer", MSG_ANSWER_WRONG);
	assert_int_equal(f.hits[GZ_SCOPE_COMMENT_FAILURE], 1);
	assert_int_equal(f.max[GZ_SCOPE_COMMENT_FAILURE],
			 COMMENTS_FAILURE_COUNT);
	comments_free(other);
}

/* A limiter that fails refuses: GZ_EBUSY (503), never a comment let
 * through unlimited, at the checks, at the take, and at a refusal's
 * count. */
static void
shared_limiter_fails_closed(void **state)
{
	struct fx *fx = *state;
	struct fake_limiter f = {.fail = GZ_EDB};

	fx->policy.rate_count = 2;
	fx->policy.rate_seconds = 600;
	fx_open(fx);
	comments_limiter_set(fx->c, fake_limiter(&f));
	fx_fresh(fx);
	assert_int_equal(comments_intake(fx->c, &fx->s, &fx->d), GZ_EBUSY);
	assert_int_equal(f.checks, 1);
	assert_int_equal(f.takes, 0);
	/* The checks pass, the take fails: still refused. */
	f.fail = GZ_OK;
	f.fail_take = GZ_EDB;
	assert_int_equal(comments_intake(fx->c, &fx->s, &fx->d), GZ_EBUSY);
	assert_int_equal(f.takes, 1);
	assert_int_equal(f.hits[GZ_SCOPE_COMMENT], 0);
	/* A wrong answer whose refusal cannot be counted. */
	fx->s.answer = "1000";
	assert_int_equal(comments_intake(fx->c, &fx->s, &fx->d), GZ_EBUSY);
	/* Working again: taken. */
	f.fail_take = GZ_OK;
	fx->s.answer = fx->answer;
	EXPECT(COMMENTS_PUBLISH, NULL, MSG_PUBLISHED);
	assert_int_equal(f.hits[GZ_SCOPE_COMMENT], 1);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_defaults),
		cmocka_unit_test(policy_is_copied_and_checked),
		cmocka_unit_test(word_lists),
		T(publishes_a_good_comment),
		T(bad_tokens_ask_for_the_new_question),
		T(bot_traps_discard),
		T(answers),
		T(answer_in_words),
		T(names),
		T(emails),
		T(bodies),
		T(fields_are_checked_in_form_order),
		T(block_and_hold_words),
		T(links),
		T(moderation_policies),
		T(first_time_trusts_nothing_typed),
		T(rate_limit),
		T(every_refusal_counts),
		T(concurrent_refusals_never_overshoot),
		T(honest_mistakes_still_post),
		T(tries_message_names_the_window),
		T(honeypot_beats_everything_after_the_token),
		T(hold_rules_and_policy_stack),
		T(hold_reasons),
		T(shared_limiter_counts),
		T(shared_limiter_fails_closed),
	};
#undef T

	return cmocka_run_group_tests_name("comments/intake", tests, NULL,
					   NULL);
}
