/*
 * captcha_seed.c - prints tokens for fuzz_captcha's seed corpus: real
 * challenges for the target's fixed secret, article and clock, one a
 * line, so that seeds get past the signature check. Not a fuzz target.
 *
 *   . fuzz/libs.sh && cc $fuzz_cflags -fsanitize=address,undefined \
 *     fuzz/captcha_seed.c build-asan/libgazette-core.a $fuzz_libs -o seed
 *
 * Keep FUZZ_SECRET, FUZZ_NOW and FUZZ_ARTICLE as in fuzz_captcha.c.
 */
#include <stdio.h>

#include "comments/comments.h"
#include "util/err.h"

#define FUZZ_SECRET "000102030405060708090a0b0c0d0e0f" \
		    "101112131415161718191a1b1c1d1e1f"
#define FUZZ_NOW INT64_C(1700000000)
#define FUZZ_ARTICLE INT64_C(42)

int
main(void)
{
	struct comments_challenge ch;
	struct comments_policy p;
	struct comments *c;
	int i;

	comments_policy_default(&p);
	if (comments_new(&p, FUZZ_SECRET, &c) != GZ_OK)
		return 1;
	for (i = 0; i < 4; i++) {
		/* Two for the article, issued now and an hour ago; one for
		 * another article; one long expired. */
		comments_challenge_new(c,
				       i == 2 ? FUZZ_ARTICLE + 1 : FUZZ_ARTICLE,
				       i == 3 ? FUZZ_NOW - 86400
					      : FUZZ_NOW - 3600 * i,
				       &ch);
		printf("%s\n", ch.token);
	}
	comments_free(c);
	return 0;
}
