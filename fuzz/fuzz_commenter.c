/*
 * fuzz_commenter.c - libFuzzer target for the commenter cookie's
 * validator (src/comments/commenter.c): comments_cookie_parse, which
 * checks the gz_commenter value a browser sends with a comment, and
 * comments_commenter, which keeps it or replaces it with a fresh one.
 *
 * The input is the cookie value: once as it is in a block of exactly its
 * size (the validator must stop at the first byte that disqualifies it,
 * so a value without a NUL is read only as far as a bad byte) when it has
 * a byte that is not base64url in its first 43, and always as a C string
 * cut at its first NUL. What is accepted must be the canonical spelling
 * of its 32 bytes (encoding them again gives the input back), so one
 * cookie has one commenter key; what is refused leaves raw wiped; and
 * comments_commenter keeps exactly what the validator accepts.
 */
#include <sodium.h>

#include "comments/comments.h"
#include "fuzz.h"
#include "util/err.h"

#define FUZZ_SECRET "000102030405060708090a0b0c0d0e0f" \
		    "101112131415161718191a1b1c1d1e1f"

static struct comments *comments;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct comments_policy p;

	(void)argc;
	(void)argv;
	comments_policy_default(&p);
	p.moderation = COMMENTS_FIRST_TIME;
	if (comments_new(&p, FUZZ_SECRET, &comments) != GZ_OK)
		abort();
	return 0;
}

static int
b64url(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char zero[COMMENTS_COOKIE_BYTES];
	unsigned char raw[COMMENTS_COOKIE_BYTES];
	unsigned char key[COMMENTS_COMMENTER_KEY_BYTES];
	char again[COMMENTS_COOKIE_CHARS + 1];
	struct comments_commenter who;
	char *s;
	size_t i;
	int rc;

	/* Unterminated, when a bad byte comes before the end: the validator
	 * must not read past it (ASan sees the end of the block). */
	for (i = 0; i < size && i < COMMENTS_COOKIE_CHARS; i++)
		if (!b64url(data[i]))
			break;
	if (i < size && i < COMMENTS_COOKIE_CHARS) {
		char *u = fuzz_dup(data, i + 1);

		if (comments_cookie_parse(u, raw) != GZ_EINVAL)
			abort();
		free(u);
	}

	s = fuzz_strdup(data, size);
	memset(raw, 0xAA, sizeof(raw));
	rc = comments_cookie_parse(s, raw);
	if (rc == GZ_OK) {
		if (strlen(s) != COMMENTS_COOKIE_CHARS)
			abort();
		sodium_bin2base64(again, sizeof(again), raw, sizeof(raw),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		if (strcmp(again, s) != 0)
			abort();
	} else if (rc != GZ_EINVAL || memcmp(raw, zero, sizeof(raw)) != 0) {
		abort();
	}

	comments_commenter(comments, s, &who);
	if (who.fresh != (rc != GZ_OK))
		abort();
	if (rc == GZ_OK) {
		if (strcmp(who.cookie, s) != 0)
			abort();
		comments_commenter_key(comments, raw, key);
		if (memcmp(key, who.key, sizeof(key)) != 0)
			abort();
	} else if (comments_cookie_parse(who.cookie, raw) != GZ_OK) {
		abort();
	}
	free(s);
	return 0;
}
