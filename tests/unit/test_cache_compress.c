/*
 * test_cache_compress.c - tests of src/cache/compress.c: for every
 * encoding and every slot layout (none, at offset 0, at the very end,
 * adjacent, 1 byte long, four with 1-byte gaps, the longest), responses
 * with random fills decompress (zlib's inflate in gzip mode,
 * BrotliDecoderDecompress) to exactly the plain body with those fills;
 * many fills, so a wrong CRC-32 would show; a 4 MB page, a 1-byte page,
 * a page that does not compress, and one that uses every byte value.
 *
 * With GAZETTE_CACHE_MEASURE=1 it also prints what docs/cache.md reports:
 * variant build times by level on a 40 KB article, the cost of one
 * response's segments, and how often brotli's splice fails verification
 * with either kind of placeholder. GAZETTE_CACHE_PAGES may name real
 * article pages (saved HTML) to measure too.
 *
 * compress.c is included to reach its levels and placeholder choice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/cache/compress.c"

static uint64_t rng = 88172645463325252u;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

/* A growable buffer for test text. */
struct text {
	char *s;
	size_t len, cap;
};

static void
text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void
text_puts(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

static const char *const words[] = {
	"the", "council", "voted", "on", "Tuesday", "to", "close", "Millbrook",
	"Road", "for", "a", "week", "while", "crews", "repair", "water", "main",
	"residents", "said", "they", "were", "not", "told", "until", "Monday",
	"school", "board", "students", "will", "move", "Riverton", "coach",
	"season", "game", "win", "of", "and", "in", "at", "with", "mayor",
	"budget", "million", "dollars", "city", "county", "police", "report",
	"fire", "department", "library", "park", "bridge", "traffic", "river",
	"flood", "weather", "storm", "rain", "downtown", "business", "owners",
	"market", "festival", "summer", "plans", "new", "old", "first", "last",
	"year", "since", "because", "after", "before", "about", "more", "than",
	"people", "families", "children", "teachers", "parents", "officials",
	"spokesperson", "hearing", "meeting", "agenda", "public", "comment",
};

/* Appends about n bytes of an article page's text: paragraphs of
 * sentences from the word list, with links now and then. */
static void
text_article(struct text *t, size_t n)
{
	char buf[160];
	size_t end = t->len + n, w;

	while (t->len < end) {
		text_puts(t, "<p>");
		for (w = 0; w < 40 + rnd() % 60; w++) {
			const char *word = words[rnd() % (sizeof(words) /
							   sizeof(*words))];

			if (rnd() % 37 == 0) {
				snprintf(buf, sizeof(buf),
					 "<a href=\"/news/%u/%s-%s\">%s</a>",
					 rnd() % 100, word, words[rnd() % 20],
					 word);
				text_puts(t, buf);
			} else {
				text_puts(t, word);
			}
			text_puts(t, rnd() % 11 ? " " : ". ");
		}
		text_puts(t, "</p>\n");
	}
}

/* Puts body with slots and returns the page. */
static struct cache_page *
page_put(struct cache *c, const void *body, size_t len,
	 const struct cache_slot *slots, size_t nslots)
{
	struct cache_page_input in;
	struct cache_page *p = NULL;

	memset(&in, 0, sizeof(in));
	in.url = "/t";
	in.body = body;
	in.len = len;
	in.status = 200;
	in.content_type = "text/html; charset=utf-8";
	in.slots = slots;
	in.nslots = nslots;
	assert_int_equal(cache_put(c, &in, cache_generation(c), &p), GZ_OK);
	assert_non_null(p);
	return p;
}

/* One response of p in enc with fill, joined. Caller frees. */
static unsigned char *
respond(struct cache_page *p, enum cache_enc enc, const char *const *fill,
	size_t *len)
{
	struct cache_seg segs[CACHE_MAX_SEGS];
	unsigned char tr[8], *out;
	size_t n, i, at = 0;

	n = cache_page_segs(p, enc, fill, tr, segs);
	assert_true(n <= CACHE_MAX_SEGS);
	out = malloc(cache_page_len(p, enc) + 1);
	assert_non_null(out);
	for (i = 0; i < n; i++) {
		assert_true(segs[i].len > 0);
		assert_true(at + segs[i].len <= cache_page_len(p, enc));
		memcpy(out + at, segs[i].base, segs[i].len);
		at += segs[i].len;
	}
	assert_int_equal(at, cache_page_len(p, enc));
	*len = at;
	return out;
}

/* Decodes data in enc into out[0..cap); returns the decoded length, or
 * (size_t)-1 when the stream is not valid. */
static size_t
decode(enum cache_enc enc, const unsigned char *data, size_t len,
       unsigned char *out, size_t cap)
{
	z_stream z;
	size_t n;
	int r;

	if (enc == CACHE_IDENTITY) {
		if (len > cap)
			return (size_t)-1;
		memcpy(out, data, len);
		return len;
	}
	if (enc == CACHE_BROTLI) {
		n = cap;
		if (BrotliDecoderDecompress(len, data, &n, out) !=
		    BROTLI_DECODER_RESULT_SUCCESS)
			return (size_t)-1;
		return n;
	}
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	r = inflate(&z, Z_FINISH);
	n = cap - z.avail_out;
	/* The whole stream, nothing after it: a bad CRC is Z_DATA_ERROR. */
	if (r != Z_STREAM_END || z.avail_in)
		n = (size_t)-1;
	inflateEnd(&z);
	return n;
}

/* Checks rounds responses of p in every encoding it has, with random
 * fills (round 0: the page's own bytes), against the plain body so
 * filled. Returns a bit per encoding that has a variant. */
static unsigned
check_page(struct cache_page *p, const unsigned char *body, size_t len,
	   const struct cache_slot *slots, size_t nslots, size_t rounds)
{
	char fills[CACHE_MAX_SLOTS][CACHE_MAX_SLOT_BYTES];
	const char *fill[CACHE_MAX_SLOTS];
	unsigned char *want, *got, *resp;
	size_t r, i, j, n, rlen;
	unsigned has = 0;
	int e;

	want = malloc(len + 1);
	got = malloc(len + 2);
	assert_non_null(want);
	assert_non_null(got);
	for (i = 0; i < nslots; i++)
		fill[i] = fills[i];
	for (e = 0; e < CACHE_NENC; e++) {
		if (!cache_page_has(p, (enum cache_enc)e))
			continue;
		has |= 1u << e;
		for (r = 0; r < rounds; r++) {
			memcpy(want, body, len);
			for (i = 0; i < nslots; i++) {
				for (j = 0; j < slots[i].len; j++)
					fills[i][j] = r ? (char)rnd()
						: (char)body[slots[i].offset + j];
				memcpy(want + slots[i].offset, fills[i],
				       slots[i].len);
			}
			resp = respond(p, (enum cache_enc)e,
				       nslots ? fill : NULL, &rlen);
			n = decode((enum cache_enc)e, resp, rlen, got, len + 1);
			free(resp);
			if (n != len || memcmp(got, want, len))
				fail_msg("encoding %d, round %zu: %zu bytes "
					 "decoded of %zu, or different", e, r,
					 n, len);
		}
	}
	free(want);
	free(got);
	return has;
}

#define HAS_ALL ((1u << CACHE_IDENTITY) | (1u << CACHE_GZIP) | \
		 (1u << CACHE_BROTLI))

static void
test_slot_layouts(void **state)
{
	static const struct {
		size_t nslots;
		struct cache_slot s[CACHE_MAX_SLOTS];
	} layouts[] = {
		{0, {{0, 0}}},
		{1, {{3000, 40}}},
		{1, {{0, 20}}},              /* at offset 0 */
		{1, {{0, 1}}},               /* 1 byte at 0 */
		{1, {{0, 0}}},               /* at the very end: see below */
		{2, {{100, 30}, {130, 30}}}, /* adjacent */
		{2, {{100, 1}, {101, 1}}},   /* adjacent, 1 byte each */
		{3, {{500, 16}, {517, 40}, {559, 120}}}, /* 1- and 2-byte gaps */
		{4, {{0, 1}, {2, 256}, {259, 1}, {4000, 256}}},
		{4, {{10, 1}, {20, 1}, {30, 1}, {40, 1}}},
		{3, {{200, 60}, {300, 60}, {0, 0}}}, /* and one at the end */
	};
	struct cache_slot slots[CACHE_MAX_SLOTS];
	struct text t = {0};
	struct cache *c;
	struct cache_page *p;
	size_t i, n;
	unsigned has;

	(void)state;
	text_article(&t, 6000);
	assert_int_equal(cache_new(1u << 24, &c), GZ_OK);
	for (i = 0; i < sizeof(layouts) / sizeof(*layouts); i++) {
		n = layouts[i].nslots;
		memcpy(slots, layouts[i].s, sizeof(slots));
		/* Zero-length entries stand for "ends at the body's end". */
		if (i == 4)
			slots[0] = (struct cache_slot){t.len - 50, 50};
		if (i == 10)
			slots[2] = (struct cache_slot){t.len - 1, 1};
		p = page_put(c, t.s, t.len, slots, n);
		has = check_page(p, (const unsigned char *)t.s, t.len, slots,
				 n, 20);
		if (has != HAS_ALL)
			fail_msg("layout %zu: variants %x", i, has);
		cache_page_unref(p);
	}
	/* Adjacent slots make no empty segment, and the gzip response is
	 * runs, slots and the trailer. */
	slots[0] = (struct cache_slot){0, 10};
	slots[1] = (struct cache_slot){10, 10};
	slots[2] = (struct cache_slot){t.len - 10, 10};
	p = page_put(c, t.s, t.len, slots, 3);
	{
		const char *fill[3] = {"aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"};
		struct cache_seg segs[CACHE_MAX_SEGS];
		unsigned char tr[8];

		assert_int_equal(cache_page_segs(p, CACHE_IDENTITY, fill, tr,
						 segs), 4);
		assert_true(cache_page_has(p, CACHE_GZIP));
		/* A stored block's header sits before each slot: header,
		 * slot, header, slot, run and header, slot, the final block,
		 * the trailer. */
		assert_int_equal(cache_page_segs(p, CACHE_GZIP, fill, tr, segs),
				 8);
		assert_int_equal(segs[2].len, 5);
		assert_ptr_equal(segs[7].base, tr);
	}
	cache_page_unref(p);
	cache_free(c);
	free(t.s);
}

static void
test_many_fills(void **state)
{
	struct cache_slot slots[3];
	struct text t = {0};
	struct cache *c;
	struct cache_page *p;

	(void)state;
	text_article(&t, 3000);
	slots[0] = (struct cache_slot){1000, 16};
	slots[1] = (struct cache_slot){1100, 40};
	slots[2] = (struct cache_slot){2000, 120};
	assert_int_equal(cache_new(1u << 24, &c), GZ_OK);
	p = page_put(c, t.s, t.len, slots, 3);
	assert_int_equal(check_page(p, (const unsigned char *)t.s, t.len,
				    slots, 3, 2000), HAS_ALL);
	cache_page_unref(p);
	cache_free(c);
	free(t.s);
}

/* A wrong trailer is noticed by inflate: what the many fills rely on. */
static void
test_bad_crc_fails(void **state)
{
	struct cache_slot slot = {100, 8};
	struct text t = {0};
	struct cache *c;
	struct cache_page *p;
	const char *fill[1] = {"12345678"};
	unsigned char *resp, got[2000];
	size_t rlen;

	(void)state;
	text_article(&t, 1500);
	assert_int_equal(cache_new(1u << 24, &c), GZ_OK);
	p = page_put(c, t.s, t.len, &slot, 1);
	assert_true(cache_page_has(p, CACHE_GZIP));
	resp = respond(p, CACHE_GZIP, fill, &rlen);
	assert_int_equal(decode(CACHE_GZIP, resp, rlen, got, sizeof(got)),
			 t.len);
	resp[rlen - 8] ^= 1;
	assert_int_equal(decode(CACHE_GZIP, resp, rlen, got, sizeof(got)),
			 (size_t)-1);
	free(resp);
	cache_page_unref(p);
	cache_free(c);
	free(t.s);
}

static void
test_pathological(void **state)
{
	struct cache_slot slots[2];
	struct text t = {0};
	struct cache *c;
	struct cache_page *p;
	unsigned char *body;
	size_t i, n = 20000;

	(void)state;
	assert_int_equal(cache_new(1u << 26, &c), GZ_OK);

	/* 4 MB, with a slot at the very end. */
	text_article(&t, 4u << 20);
	slots[0] = (struct cache_slot){1u << 21, 100};
	slots[1] = (struct cache_slot){t.len - 100, 100};
	p = page_put(c, t.s, t.len, slots, 2);
	assert_int_equal(check_page(p, (const unsigned char *)t.s, t.len,
				    slots, 2, 2), HAS_ALL);
	cache_page_unref(p);
	free(t.s);

	/* One byte, which is a slot: nothing shrinks it. */
	slots[0] = (struct cache_slot){0, 1};
	p = page_put(c, "x", 1, slots, 1);
	assert_int_equal(check_page(p, (const unsigned char *)"x", 1, slots,
				    1, 5), 1u << CACHE_IDENTITY);
	cache_page_unref(p);

	/* Random bytes do not compress: identity only. */
	body = malloc(n);
	assert_non_null(body);
	for (i = 0; i < n; i++)
		body[i] = (unsigned char)rnd();
	slots[0] = (struct cache_slot){n / 2, 100};
	p = page_put(c, body, n, slots, 1);
	assert_int_equal(check_page(p, body, n, slots, 1, 3),
			 1u << CACHE_IDENTITY);
	cache_page_unref(p);

	/* Every byte value, but compressible: gzip still, and brotli
	 * without slots needs no placeholders. */
	for (i = 0; i < n; i++)
		body[i] = (unsigned char)(i % 256);
	p = page_put(c, body, n, slots, 1);
	assert_true(check_page(p, body, n, slots, 1, 3) &
		    (1u << CACHE_GZIP));
	cache_page_unref(p);
	p = page_put(c, body, n, NULL, 0);
	assert_int_equal(check_page(p, body, n, NULL, 0, 1), HAS_ALL);
	cache_page_unref(p);
	free(body);
	cache_free(c);
}

/* An article page of about size bytes with the comment form's three
 * slots (question, spoken question, token), as the theme renders it. */
static void
article_page(struct text *t, size_t size, struct cache_slot *slots)
{
	char tok[121];
	size_t i;
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	t->len = 0;
	text_puts(t, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta "
		  "charset=\"utf-8\">\n<title>Schools to reopen Monday</title>"
		  "\n<link rel=\"stylesheet\" href=\"/static/site.css\">\n"
		  "</head>\n<body>\n<header class=\"masthead\"><a href=\"/\">"
		  "The Riverton Gazette</a><nav><a href=\"/section/city\">City"
		  "</a> <a href=\"/section/sports\">Sports</a></nav></header>\n"
		  "<main>\n<article>\n<h1>Schools to reopen Monday</h1>\n");
	text_article(t, size - 2500);
	text_puts(t, "</article>\n<section id=\"comments\">\n<form method=\""
		  "post\" action=\"/news/16/comments\">\n<p class=\"field "
		  "field-captcha\">\n<label for=\"c-answer\"><span aria-hidden"
		  "=\"true\">");
	slots[0] = (struct cache_slot){t->len, 16};
	text_puts(t, "4 + 4 =         ");
	text_puts(t, "</span><span class=\"visually-hidden\">");
	slots[1] = (struct cache_slot){t->len, 40};
	text_puts(t, "What is 4 plus 4?                       ");
	text_puts(t, "</span></label>\n<input id=\"c-answer\" name=\"answer\" "
		  "type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" "
		  "size=\"4\" maxlength=\"20\" required>\n</p>\n<input type="
		  "\"hidden\" name=\"token\" value=\"");
	for (i = 0; i < 120; i++)
		tok[i] = b64[rnd() % 64];
	tok[120] = '\0';
	slots[2] = (struct cache_slot){t->len, 120};
	text_puts(t, tok);
	text_puts(t, "\">\n<p><button type=\"submit\">Submit</button></p>\n"
		  "</form>\n</section>\n</main>\n<footer>Riverton Gazette"
		  "</footer>\n</body>\n</html>\n");
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Builds enc of the page once per round, each on a fresh page (a variant
 * is made once); returns the best time in ms and the size. */
static double
time_build(struct cache *c, const struct text *t,
	   const struct cache_slot *slots, enum cache_enc enc, size_t *size)
{
	struct cache_page *p;
	double best = 1e9, t0, d;
	int r;

	*size = 0;
	for (r = 0; r < 5; r++) {
		p = page_put(c, t->s, t->len, slots, 3);
		t0 = now_ms();
		if (cache_page_has(p, enc))
			*size = cache_page_len(p, enc);
		d = now_ms() - t0;
		if (d < best)
			best = d;
		cache_page_unref(p);
	}
	return best;
}

/* Of pages seeds, how many lose their brotli variant to verification,
 * with placeholders ph. */
static size_t
brotli_failures(struct cache *c, enum br_ph ph, size_t pages, size_t size)
{
	struct cache_slot slots[3];
	struct text t = {0};
	struct cache_page *p;
	size_t i, fails = 0;

	br_placeholders = ph;
	for (i = 0; i < pages; i++) {
		article_page(&t, size, slots);
		p = page_put(c, t.s, t.len, slots, 3);
		fails += !cache_page_has(p, CACHE_BROTLI);
		if (i < 5)
			check_page(p, (const unsigned char *)t.s, t.len,
				   slots, 3, 3);
		cache_page_unref(p);
	}
	br_placeholders = BR_PH_ABSENT;
	free(t.s);
	return fails;
}

/* Finds the slots of a page the demo served: the question, its spoken
 * form and the token. Returns false when the page has no form. */
static bool
real_slots(const char *s, struct cache_slot *slots)
{
	static const char *const open[3] = {
		"<span aria-hidden=\"true\">",
		"<span class=\"visually-hidden\">",
		"name=\"token\" value=\"",
	};
	static const char close[3] = {'<', '<', '"'};
	const char *a, *b;
	int i;

	for (i = 0; i < 3; i++) {
		if (!(a = strstr(s, open[i])))
			return false;
		a += strlen(open[i]);
		if (!(b = strchr(a, close[i])))
			return false;
		slots[i] = (struct cache_slot){(size_t)(a - s), (size_t)(b - a)};
	}
	return slots[0].offset < slots[1].offset &&
	       slots[1].offset < slots[2].offset;
}

static void
measure_real(struct cache *c, const char *files)
{
	char path[1024], *buf;
	const char *f = files, *sp;
	struct cache_slot slots[3];
	struct cache_page *p;
	size_t n, len;
	FILE *fp;
	int ph;

	while (*f) {
		sp = strchr(f, ' ');
		n = sp ? (size_t)(sp - f) : strlen(f);
		snprintf(path, sizeof(path), "%.*s", (int)n, f);
		f += n + (sp != NULL);
		if (!(fp = fopen(path, "rb")))
			continue;
		buf = malloc(1u << 22);
		assert_non_null(buf);
		len = fread(buf, 1, (1u << 22) - 1, fp);
		fclose(fp);
		buf[len] = '\0';
		if (!real_slots(buf, slots)) {
			free(buf);
			continue;
		}
		for (ph = BR_PH_ABSENT; ph <= BR_PH_PAGE; ph++) {
			br_placeholders = (enum br_ph)ph;
			p = page_put(c, buf, len, slots, 3);
			printf("  %s (%zu bytes), %s placeholders: brotli %s\n",
			       path, len, ph == BR_PH_ABSENT ? "absent" : "page",
			       cache_page_has(p, CACHE_BROTLI) ? "spliced"
							       : "FAILED");
			check_page(p, (const unsigned char *)buf, len, slots, 3,
				   3);
			cache_page_unref(p);
		}
		br_placeholders = BR_PH_ABSENT;
		free(buf);
	}
}

static void
test_article_page(void **state)
{
	struct cache_slot slots[3];
	struct text t = {0};
	struct cache *c;
	struct cache_page *p;
	struct cache_seg segs[CACHE_MAX_SEGS];
	const char *fill[3] = {"9 + 3 =         ",
			       "What is 9 plus 3?                       ",
			       NULL};
	char tok[121];
	unsigned char tr[8];
	const char *env = getenv("GAZETTE_CACHE_MEASURE");
	double t0, d;
	size_t size, i, iters = 200000;
	int lvl;

	(void)state;
	assert_int_equal(cache_new(1u << 26, &c), GZ_OK);
	article_page(&t, 40000, slots);
	p = page_put(c, t.s, t.len, slots, 3);
	assert_int_equal(check_page(p, (const unsigned char *)t.s, t.len,
				    slots, 3, 50), HAS_ALL);
	cache_page_unref(p);
	if (!env || !*env) {
		cache_free(c);
		free(t.s);
		return;
	}

	printf("article page: %zu bytes, slots of 16, 40, 120 bytes\n",
	       t.len);
	for (lvl = 1; lvl <= 9; lvl++) {
		gzip_level = lvl;
		d = time_build(c, &t, slots, CACHE_GZIP, &size);
		printf("  gzip level %d: %.2f ms, %zu bytes\n", lvl, d, size);
	}
	gzip_level = GZIP_LEVEL;
	for (lvl = 1; lvl <= 9; lvl++) {
		brotli_quality = (uint32_t)lvl;
		d = time_build(c, &t, slots, CACHE_BROTLI, &size);
		printf("  brotli quality %d: %.2f ms, %zu bytes%s\n", lvl, d,
		       size, size ? "" : " (no variant)");
	}
	brotli_quality = BROTLI_QUALITY;

	/* What the splices cost in size: the same page without slots. */
	p = page_put(c, t.s, t.len, NULL, 0);
	assert_true(cache_page_has(p, CACHE_GZIP));
	assert_true(cache_page_has(p, CACHE_BROTLI));
	printf("  without slots: gzip %zu bytes, brotli %zu bytes\n",
	       cache_page_len(p, CACHE_GZIP), cache_page_len(p, CACHE_BROTLI));
	cache_page_unref(p);

	/* One response's segments: what a hit costs beyond the copy. */
	p = page_put(c, t.s, t.len, slots, 3);
	memset(tok, 'T', 120);
	tok[120] = '\0';
	fill[2] = tok;
	for (i = CACHE_IDENTITY; i < CACHE_NENC; i++) {
		size_t k, sum = 0;

		assert_true(cache_page_has(p, (enum cache_enc)i));
		t0 = now_ms();
		for (k = 0; k < iters; k++) {
			tok[k % 120] = (char)('A' + k % 26);
			sum += cache_page_segs(p, (enum cache_enc)i, fill, tr,
					       segs);
		}
		d = now_ms() - t0;
		printf("  segs, %s: %.0f ns a response (%zu)\n",
		       i == CACHE_IDENTITY ? "identity"
		       : i == CACHE_GZIP   ? "gzip" : "brotli",
		       d * 1e6 / (double)iters, sum / iters);
	}
	cache_page_unref(p);

	printf("  brotli splice failures, 200 pages of 40 KB: absent "
	       "placeholders %zu, the page's own %zu\n",
	       brotli_failures(c, BR_PH_ABSENT, 200, 40000),
	       brotli_failures(c, BR_PH_PAGE, 200, 40000));
	printf("  the same, 200 pages of 8 KB: absent %zu, own %zu\n",
	       brotli_failures(c, BR_PH_ABSENT, 200, 8000),
	       brotli_failures(c, BR_PH_PAGE, 200, 8000));
	if ((env = getenv("GAZETTE_CACHE_PAGES")))
		measure_real(c, env);
	cache_free(c);
	free(t.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot_layouts),
		cmocka_unit_test(test_many_fills),
		cmocka_unit_test(test_bad_crc_fails),
		cmocka_unit_test(test_pathological),
		cmocka_unit_test(test_article_page),
	};

	return cmocka_run_group_tests_name("cache/compress", tests, NULL,
					   NULL);
}
