/*
 * slug.c - URL slugs made from headlines and names (slug.h).
 *
 * Data flow: the store asks for a slug when an article, section, tag or
 * author is saved; import/ checks a front-matter slug: against it; site/
 * compares the slug in a URL with the canonical one.
 *
 * The input is read one code point at a time and each is sorted into one of
 * four kinds (slug_classify):
 * - word: ASCII letters and digits (lowercased); Latin-1 and Latin
 *   Extended-A letters folded to ASCII ("é" -> "e", "ß" -> "ss"); fullwidth
 *   ASCII folded to ASCII; Greek and Cyrillic capitals lowercased; any
 *   other letter or digit kept as UTF-8 (Persian, Chinese, ...).
 * - separator: spaces, punctuation, symbols, emoji: a run of them becomes
 *   one '-' between words.
 * - dropped: marks that belong to the letter before them and invisible
 *   format characters (combining accents, ZWNJ, soft hyphen, bidi marks,
 *   variation selectors, tatweel), so "Cafe\u0301" and "Café" agree.
 * - apostrophe: ', ’ and ʼ are dropped between two word characters
 *   ("We’ve" -> "weve", "O'Brien" -> "obrien") and are separators
 *   elsewhere ("rock ’n’ roll" -> "rock-n-roll").
 *
 * Invariants of the result: only word bytes and '-'; no leading, trailing
 * or doubled '-'; at most SLUG_MAX bytes; never cut inside a UTF-8
 * sequence; cut after a whole word when a word fits.
 */
#include "util/slug.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "util/pool.h"
#include "util/utf8.h"

enum slug_kind {
	SLUG_WORD,
	SLUG_SEP,
	SLUG_DROP,
	SLUG_APOS,
};

/*
 * Base letters of U+00C0-U+017F, one character per code point: '-' marks
 * a non-letter (U+00D7 multiplication sign, U+00F7 division sign), '*' a
 * letter that folds to two (slug_fold_two).
 */
static const char slug_latin[] =
	/* U+00C0 */ "aaaaaa*ceeeeiiiidnooooo-ouuuuy**"
	/* U+00E0 */ "aaaaaa*ceeeeiiiidnooooo-ouuuuy*y"
	/* U+0100 */ "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkk"
	/* U+0139 */ "llllllllllnnnnnnnnnoooooo**rrrrrrsssssssstttttt"
	/* U+0168 */ "uuuuuuuuuuuuwwyyyzzzzzzs";

_Static_assert(sizeof(slug_latin) == 0x180 - 0xC0 + 1,
	       "one base letter per code point U+00C0-U+017F");

static const char *
slug_fold_two(unsigned cp)
{
	switch (cp) {
	case 0xC6: case 0xE6: return "ae";
	case 0xDE: case 0xFE: return "th";
	case 0xDF: case 0x1E9E: return "ss";
	case 0x132: case 0x133: return "ij";
	case 0x152: case 0x153: return "oe";
	}
	return NULL;
}

static size_t
slug_encode(unsigned cp, char w[4])
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xC0 | (cp >> 6));
		w[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xE0 | (cp >> 12));
		w[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		w[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	w[0] = (char)(0xF0 | (cp >> 18));
	w[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	w[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	w[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Greek and Cyrillic capitals to small letters; other code points as
 * they are. */
static unsigned
slug_lower(unsigned cp)
{
	if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) ||
	    (cp >= 0x410 && cp <= 0x42F))
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	switch (cp) {
	case 0x386: return 0x3AC;
	case 0x388: case 0x389: case 0x38A: return cp + 0x25;
	case 0x38C: return 0x3CC;
	case 0x38E: case 0x38F: return cp + 0x3F;
	}
	return cp;
}

/* Kinds of code points at and above U+0370: the punctuation, symbol and
 * format characters of the scripts and blocks a newsroom meets. Anything
 * not listed is a letter or digit. */
static enum slug_kind
slug_classify_high(unsigned cp)
{
	struct range {
		unsigned lo, hi;
		enum slug_kind kind;
	};
	static const struct range ranges[] = {
		{0x37E, 0x37E, SLUG_SEP},     /* Greek question mark */
		{0x387, 0x387, SLUG_SEP},     /* Greek ano teleia */
		{0x55A, 0x55F, SLUG_SEP},     /* Armenian punctuation */
		{0x589, 0x58A, SLUG_SEP},
		{0x5BE, 0x5BE, SLUG_SEP},     /* Hebrew maqaf */
		{0x5C0, 0x5C0, SLUG_SEP},
		{0x5C3, 0x5C3, SLUG_SEP},
		{0x5C6, 0x5C6, SLUG_SEP},
		{0x5F3, 0x5F4, SLUG_SEP},     /* geresh, gershayim */
		{0x600, 0x605, SLUG_DROP},    /* Arabic number signs */
		{0x606, 0x60F, SLUG_SEP},     /* Arabic comma and signs */
		{0x61B, 0x61B, SLUG_SEP},     /* Arabic semicolon */
		{0x61C, 0x61C, SLUG_DROP},    /* Arabic letter mark */
		{0x61D, 0x61F, SLUG_SEP},     /* Arabic question mark */
		{0x640, 0x640, SLUG_DROP},    /* tatweel */
		{0x66A, 0x66D, SLUG_SEP},     /* Arabic percent, separators */
		{0x6D4, 0x6D4, SLUG_SEP},     /* Arabic full stop */
		{0x6DD, 0x6DE, SLUG_SEP},
		{0x964, 0x965, SLUG_SEP},     /* Devanagari danda */
		{0x970, 0x970, SLUG_SEP},
		{0xE3F, 0xE3F, SLUG_SEP},     /* Thai baht */
		{0xE4F, 0xE4F, SLUG_SEP},
		{0xE5A, 0xE5B, SLUG_SEP},
		{0x10FB, 0x10FB, SLUG_SEP},   /* Georgian paragraph separator */
		{0x1360, 0x1368, SLUG_SEP},   /* Ethiopic punctuation */
		{0x1680, 0x1680, SLUG_SEP},   /* Ogham space */
		{0x169B, 0x169C, SLUG_SEP},
		{0x16EB, 0x16ED, SLUG_SEP},   /* Runic punctuation */
		{0x17D4, 0x17DA, SLUG_SEP},   /* Khmer punctuation */
		{0x1800, 0x180A, SLUG_SEP},   /* Mongolian punctuation */
		{0x180B, 0x180F, SLUG_DROP},  /* Mongolian selectors */
		{0x2000, 0x200B, SLUG_SEP},   /* spaces, zero width space */
		{0x200C, 0x200F, SLUG_DROP},  /* ZWNJ, ZWJ, LRM, RLM */
		{0x2010, 0x2018, SLUG_SEP},   /* dashes, ‘ */
		{0x2019, 0x2019, SLUG_APOS},  /* ’ */
		{0x201A, 0x2029, SLUG_SEP},
		{0x202A, 0x202E, SLUG_DROP},  /* bidi embeddings */
		{0x202F, 0x205F, SLUG_SEP},
		{0x2060, 0x206F, SLUG_DROP},  /* word joiner, bidi isolates */
		{0x2070, 0x2BFF, SLUG_SEP},   /* sub/superscripts .. arrows */
		{0x2E00, 0x2E7F, SLUG_SEP},   /* supplemental punctuation */
		{0x3000, 0x3004, SLUG_SEP},   /* ideographic space, 、。 */
		{0x3008, 0x3020, SLUG_SEP},   /* CJK brackets, marks */
		{0x3030, 0x3030, SLUG_SEP},
		{0x303D, 0x303F, SLUG_SEP},
		{0x30FB, 0x30FB, SLUG_SEP},   /* katakana middle dot */
		{0xE000, 0xF8FF, SLUG_SEP},   /* private use */
		{0xFD3E, 0xFD3F, SLUG_SEP},   /* ornate parentheses */
		{0xFE00, 0xFE0F, SLUG_DROP},  /* variation selectors */
		{0xFE10, 0xFE1F, SLUG_SEP},   /* vertical forms */
		{0xFE30, 0xFE6F, SLUG_SEP},   /* compatibility, small forms */
		{0xFEFF, 0xFEFF, SLUG_DROP},  /* zero width no-break space */
		{0xFF00, 0xFF0F, SLUG_SEP},   /* fullwidth punctuation */
		{0xFF1A, 0xFF20, SLUG_SEP},
		{0xFF3B, 0xFF40, SLUG_SEP},
		{0xFF5B, 0xFF65, SLUG_SEP},
		{0xFFE0, 0xFFFF, SLUG_SEP},   /* fullwidth signs, specials */
		{0x1F000, 0x1FBFF, SLUG_SEP}, /* cards, emoji, symbols */
		{0xE0000, 0xE0FFF, SLUG_DROP}, /* tags, selectors */
		{0xF0000, 0x10FFFF, SLUG_SEP}, /* private use */
	};
	size_t lo = 0, hi = sizeof(ranges) / sizeof(ranges[0]), mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < ranges[mid].lo)
			hi = mid;
		else if (cp > ranges[mid].hi)
			lo = mid + 1;
		else
			return ranges[mid].kind;
	}
	return SLUG_WORD;
}

/* Sorts cp into a kind; for SLUG_WORD, output: w[0..*wn) gets the bytes
 * the slug holds for it. */
static enum slug_kind
slug_classify(unsigned cp, char w[4], size_t *wn)
{
	const char *two;
	enum slug_kind kind;

	*wn = 0;
	if (cp < 0x80) {
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
			w[0] = (char)cp;
			*wn = 1;
			return SLUG_WORD;
		}
		if (cp >= 'A' && cp <= 'Z') {
			w[0] = (char)(cp - 'A' + 'a');
			*wn = 1;
			return SLUG_WORD;
		}
		return cp == '\'' ? SLUG_APOS : SLUG_SEP;
	}
	if (cp < 0xC0)
		return cp == 0xAD ? SLUG_DROP : SLUG_SEP; /* soft hyphen */
	if (cp < 0x180) {
		char c = slug_latin[cp - 0xC0];

		if (c == '-')
			return SLUG_SEP;
		if (c == '*') {
			two = slug_fold_two(cp);
			assert(two);
			memcpy(w, two, 2);
			*wn = 2;
		} else {
			w[0] = c;
			*wn = 1;
		}
		return SLUG_WORD;
	}
	if (cp >= 0x218 && cp <= 0x21B) { /* Romanian ș ț with comma below */
		w[0] = cp < 0x21A ? 's' : 't';
		*wn = 1;
		return SLUG_WORD;
	}
	if (cp < 0x2B0) /* Latin Extended-B, IPA */
		goto keep;
	if (cp < 0x300) /* spacing modifiers; ʻ and ʼ are apostrophes */
		return cp == 0x2BB || cp == 0x2BC ? SLUG_APOS : SLUG_SEP;
	if (cp < 0x370) /* combining diacritical marks */
		return SLUG_DROP;
	if (cp == 0x1E9E) {
		memcpy(w, "ss", 2);
		*wn = 2;
		return SLUG_WORD;
	}
	if (cp >= 0xFF10 && cp <= 0xFF19) { /* fullwidth digits */
		w[0] = (char)('0' + (cp - 0xFF10));
		*wn = 1;
		return SLUG_WORD;
	}
	if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A)) {
		w[0] = (char)('a' + (cp - (cp <= 0xFF3A ? 0xFF21 : 0xFF41)));
		*wn = 1;
		return SLUG_WORD;
	}
	kind = slug_classify_high(cp);
	if (kind != SLUG_WORD)
		return kind;
keep:
	*wn = slug_encode(slug_lower(cp), w);
	return SLUG_WORD;
}

/* Decodes the code point at s[0..len). Output: *cp. Returns its length;
 * a malformed sequence reads as one byte, U+FFFD (a separator). */
static size_t
slug_decode(const char *s, size_t len, unsigned *cp)
{
	size_t n = utf8_decode(s, len, cp);

	if (n == 0 || !utf8_valid(s, n, NULL)) {
		*cp = 0xFFFD;
		return 1;
	}
	return n;
}

char *
slug_make(struct pool *pool, const char *s, size_t len)
{
	char out[SLUG_MAX], w[4], nw[4];
	size_t i = 0, n = 0, step, wn, nwn;
	bool pending = false, cut = false;
	enum slug_kind kind;
	unsigned cp, next;
	const char *dash;

	assert(pool && (s || len == 0));
	while (i < len) {
		step = slug_decode(s + i, len - i, &cp);
		kind = slug_classify(cp, w, &wn);
		if (kind == SLUG_APOS) {
			/* Inside a word (a word character on both sides) it
			 * vanishes; anywhere else it is a quote. */
			if (n > 0 && !pending && i + step < len) {
				slug_decode(s + i + step, len - i - step, &next);
				if (slug_classify(next, nw, &nwn) == SLUG_WORD) {
					i += step;
					continue;
				}
			}
			kind = SLUG_SEP;
		}
		if (kind == SLUG_SEP) {
			pending = n > 0;
		} else if (kind == SLUG_WORD) {
			if (n + wn + (pending ? 1 : 0) > SLUG_MAX) {
				cut = !pending; /* stopped inside a word */
				break;
			}
			if (pending)
				out[n++] = '-';
			pending = false;
			memcpy(out + n, w, wn);
			n += wn;
		}
		i += step;
	}
	/* A word cut short goes, unless it is the only one. */
	if (cut && (dash = memrchr(out, '-', n)) != NULL)
		n = (size_t)(dash - out);
	return pool_strndup(pool, out, n);
}
