/*
 * fuzz_captcha.c - libFuzzer target for the comment form's CAPTCHA
 * (src/comments/captcha.c): comments_token_check, which decodes and
 * verifies the token a reader posts back, and comments_answer_parse,
 * which reads their answer ("7", " 07 ", "seven", "Twenty-one").
 *
 * The input, cut at its first NUL, is both the token and the answer. The
 * secret, article and clock are fixed, so the seed corpus can hold real
 * tokens (made with fuzz/captcha_seed.c) that pass the signature: those
 * reach the payload checks, and their mutations the decoder's edges. A
 * token that checks out must say what the function was asked about.
 */
#include "comments/comments.h"
#include "fuzz.h"
#include "util/err.h"

#define FUZZ_SECRET "000102030405060708090a0b0c0d0e0f" \
		    "101112131415161718191a1b1c1d1e1f"
#define FUZZ_NOW INT64_C(1700000000)
#define FUZZ_ARTICLE INT64_C(42)

static struct comments *comments;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct comments_policy p;

	(void)argc;
	(void)argv;
	comments_policy_default(&p);
	if (comments_new(&p, FUZZ_SECRET, &comments) != GZ_OK)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct comments_token tok;
	char *s = fuzz_strdup(data, size);
	long answer;
	int rc;

	memset(&tok, 0, sizeof(tok));
	rc = comments_token_check(comments, s, FUZZ_ARTICLE, FUZZ_NOW, &tok);
	if (rc == GZ_OK && (tok.article_id != FUZZ_ARTICLE ||
			    tok.expires_at < FUZZ_NOW))
		abort();
	/* Another article and a later clock take the other branches. */
	(void)comments_token_check(comments, s, FUZZ_ARTICLE + 1, FUZZ_NOW,
				   &tok);
	(void)comments_token_check(comments, s, FUZZ_ARTICLE,
				   FUZZ_NOW + 86400, &tok);

	/* UBSan reports a signed overflow while reading long digit runs. */
	(void)comments_answer_parse(s, &answer);
	free(s);
	return 0;
}
