/* test_import_frontmatter.c - tests for src/import/frontmatter.c: every
 * key, both tag forms, quotes, drafts, the body as it is, the lead
 * image's keys, and every error with its line number. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "import/import.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#define KEYS_MSG                                                             \
	"expected one of title, date, dateline, byline, section, tags, lang, " \
	"summary, slug, status, comments, image, image_alt, image_caption, " \
	"image_credit, image_decorative"
#define DATE_MSG                                                       \
	"expected a date like 2021-05-18 18:31, 2021-05-18T18:31:00+04:30 " \
	"or May 18, 2021 - 18:31"

static struct pool *pool;

static int
setup(void **state)
{
	(void)state;
	if (date_timezone_set("UTC") != GZ_OK)
		return -1;
	pool = pool_new(16u * 1024u * 1024u);
	return pool ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	pool_free(pool);
	return 0;
}

static void
parse_ok(const char *s, struct import_article *a)
{
	struct import_error e;
	int rc;

	pool_clear(pool);
	rc = import_parse(pool, s, strlen(s), a, &e);
	if (rc != GZ_OK)
		fail_msg("rc %d, line %u: %s", rc, e.line, e.msg);
}

static void
expect_error(const char *s, unsigned line, const char *msg)
{
	struct import_article a;
	struct import_error e;

	pool_clear(pool);
	if (import_parse(pool, s, strlen(s), &a, &e) != GZ_EPARSE)
		fail_msg("accepted [%s]", s);
	if (strcmp(e.msg, msg) != 0 || e.line != line)
		fail_msg("[%s]: line %u [%s], want line %u [%s]", s, e.line,
			 e.msg, line, msg);
}

/* A file with one extra key line (on line 4) around a valid block. */
static void
with_line(char *out, size_t size, const char *line)
{
	int n = snprintf(out, size, "---\ntitle: T\ndate: 2021-05-18\n%s\n"
			 "---\nBody.\n", line);

	assert_true(n > 0 && (size_t)n < size);
}

/* "comments:" open, closed, a number of days, or absent (site policy). */
static void
test_comments_key(void **state)
{
	static const struct {
		const char *line;
		int days;
	} ok[] = {
		{"comments: open", IMPORT_COMMENTS_OPEN},
		{"comments: Closed", 0},
		{"comments: 30", 30},
		{"comments: 1", 1},
		{"comments: 36500", 36500},
		{"# no comments key", IMPORT_COMMENTS_POLICY},
	};
	static const char *const bad[] = {
		"comments: 0", "comments: 36501", "comments: -3", "comments: 3d",
		"comments: ", "comments: forever", "comments: 123456",
	};
	char file[256];
	struct import_article a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		with_line(file, sizeof(file), ok[i].line);
		parse_ok(file, &a);
		if (a.comments_days != ok[i].days)
			fail_msg("[%s]: %d, want %d", ok[i].line, a.comments_days,
				 ok[i].days);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		with_line(file, sizeof(file), bad[i]);
		expect_error(file, 4, "expected comments: open, closed, or a "
			    "number of days from 1 to 36500");
	}
}

static void
test_example(void **state)
{
	const char *file =
		"---\n"
		"title: Council approves new river bridge\n"
		"date: 2021-05-18 18:31\n"
		"dateline: RIVERTON\n"
		"byline: By the City Desk\n"
		"section: City\n"
		"tags: council, transport\n"
		"lang: en\n"
		"summary: One line.\n"
		"slug: council-bridge\n"
		"status: published\n"
		"---\n"
		"The city council voted *7-2* on Tuesday.\n"
		"\n"
		"| a | b |\n"
		"|---|---|\n";
	struct import_article a;

	(void)state;
	assert_int_equal(date_timezone_set("Asia/Tehran"), GZ_OK);
	parse_ok(file, &a);
	assert_int_equal(date_timezone_set("UTC"), GZ_OK);
	assert_string_equal(a.headline, "Council approves new river bridge");
	assert_int_equal(a.published_at, INT64_C(1621346460));
	assert_string_equal(a.dateline, "RIVERTON");
	assert_string_equal(a.byline, "By the City Desk");
	assert_string_equal(a.section, "City");
	assert_int_equal(a.ntags, 2);
	assert_string_equal(a.tags[0], "council");
	assert_string_equal(a.tags[1], "transport");
	assert_string_equal(a.lang, "en");
	assert_string_equal(a.summary, "One line.");
	assert_string_equal(a.slug, "council-bridge");
	assert_string_equal(a.status, "published");
	/* The body is Markdown, kept as it is. */
	assert_string_equal(a.body, "The city council voted *7-2* on Tuesday.\n"
				    "\n| a | b |\n|---|---|");
}

static void
test_minimal_and_defaults(void **state)
{
	struct import_article a;

	(void)state;
	parse_ok("---\ntitle: T\ndate: 2021-05-18T18:31:00Z\n---\nB", &a);
	assert_string_equal(a.headline, "T");
	assert_int_equal(a.published_at, INT64_C(1621362660));
	assert_string_equal(a.summary, "");
	assert_string_equal(a.byline, "");
	assert_string_equal(a.dateline, "");
	assert_string_equal(a.section, "");
	assert_string_equal(a.lang, "");
	assert_string_equal(a.slug, "");
	assert_string_equal(a.status, "");
	assert_int_equal(a.ntags, 0);
	assert_string_equal(a.body, "B");
}

static void
test_keys_and_values(void **state)
{
	struct import_article a;

	(void)state;
	/* Keys ignore case; values are trimmed; blank and '#' lines in the
	 * block are skipped; a value may hold ':'. */
	parse_ok("---\n"
		 "TITLE:   Vote: council says yes  \n"
		 "\n"
		 "# a comment\n"
		 "  Date : 2021-05-18\t\n"
		 "Summary:\n"
		 "---\n"
		 "B\n", &a);
	assert_string_equal(a.headline, "Vote: council says yes");
	assert_int_equal(a.published_at, INT64_C(1621296000));
	assert_string_equal(a.summary, "");
	/* Quotes around values go, once. */
	parse_ok("---\n"
		 "title: \"Council: \"yes\" to bridge\"\n"
		 "date: '2021-05-18'\n"
		 "byline: 'By Jane O'Hara'\n"
		 "section: \"\"\n"
		 "summary: \"unbalanced\n"
		 "dateline: '\n"
		 "---\n"
		 "B\n", &a);
	assert_string_equal(a.headline, "Council: \"yes\" to bridge");
	assert_int_equal(a.published_at, INT64_C(1621296000));
	assert_string_equal(a.byline, "By Jane O'Hara");
	assert_string_equal(a.section, "");
	assert_string_equal(a.summary, "\"unbalanced");
	assert_string_equal(a.dateline, "'");
	/* Every date form. */
	parse_ok("---\ntitle: T\ndate: May 18, 2021 - 18:31\n---\nB", &a);
	assert_int_equal(a.published_at, INT64_C(1621362660));
	parse_ok("---\ntitle: T\ndate: 2021-05-18T18:31:00+04:30\n---\nB", &a);
	assert_int_equal(a.published_at, INT64_C(1621346460));
	/* The front matter's dateline is taken as written; a CAPS start of
	 * the body stays in the body. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\n---\nRIVERTON - Text.", &a);
	assert_string_equal(a.dateline, "");
	assert_string_equal(a.body, "RIVERTON - Text.");
	/* Non-ASCII values untouched. */
	parse_ok("---\ntitle: \xD8\xB4\xD9\x87\xD8\xB1 \xE2\x80\x9Cx\xE2\x80\x9D\n"
		 "lang: fa\ndate: 2021-05-18\n---\n\xD9\xBE", &a);
	assert_string_equal(a.headline,
			    "\xD8\xB4\xD9\x87\xD8\xB1 \xE2\x80\x9Cx\xE2\x80\x9D");
	assert_string_equal(a.lang, "fa");
}

static void
test_tags(void **state)
{
	struct import_article a;
	char file[2048], line[1024];
	size_t i, at;

	(void)state;
	parse_ok("---\ntitle: T\ndate: 2021-05-18\ntags: council, transport\n"
		 "---\nB", &a);
	assert_int_equal(a.ntags, 2);
	assert_string_equal(a.tags[0], "council");
	assert_string_equal(a.tags[1], "transport");
	parse_ok("---\ntitle: T\ndate: 2021-05-18\ntags: [council, transport]\n"
		 "---\nB", &a);
	assert_int_equal(a.ntags, 2);
	assert_string_equal(a.tags[0], "council");
	assert_string_equal(a.tags[1], "transport");
	/* Quoted items, empty items, repeats, spaces inside a tag. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\n"
		 "tags: [ \"city hall\" , , 'transport',council,, council ]\n"
		 "---\nB", &a);
	assert_int_equal(a.ntags, 3);
	assert_string_equal(a.tags[0], "city hall");
	assert_string_equal(a.tags[1], "transport");
	assert_string_equal(a.tags[2], "council");
	/* Empty lists. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\ntags: []\n---\nB", &a);
	assert_int_equal(a.ntags, 0);
	parse_ok("---\ntitle: T\ndate: 2021-05-18\ntags:\n---\nB", &a);
	assert_int_equal(a.ntags, 0);
	parse_ok("---\ntitle: T\ndate: 2021-05-18\ntags: , ,\n---\nB", &a);
	assert_int_equal(a.ntags, 0);
	/* Quotes around the whole value go first; its commas still split. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\ntags: \"a, b\"\n---\nB", &a);
	assert_int_equal(a.ntags, 2);
	/* GZ_LIMIT_TAGS fit; one more does not. */
	at = (size_t)snprintf(line, sizeof(line), "tags: ");
	for (i = 0; i < GZ_LIMIT_TAGS; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, "t%zu, ", i);
	assert_true(at < sizeof(line));
	with_line(file, sizeof(file), line);
	parse_ok(file, &a);
	assert_int_equal(a.ntags, GZ_LIMIT_TAGS);
	assert_string_equal(a.tags[GZ_LIMIT_TAGS - 1], "t31");
	at += (size_t)snprintf(line + at, sizeof(line) - at, "one-more");
	with_line(file, sizeof(file), line);
	expect_error(file, 4, "expected at most 32 tags");
	/* Repeats do not count against the limit. */
	at = (size_t)snprintf(line, sizeof(line), "tags: ");
	for (i = 0; i < 100; i++)
		at += (size_t)snprintf(line + at, sizeof(line) - at, "same, ");
	with_line(file, sizeof(file), line);
	parse_ok(file, &a);
	assert_int_equal(a.ntags, 1);
}

static void
test_status_and_drafts(void **state)
{
	struct import_article a;

	(void)state;
	parse_ok("---\ntitle: T\nstatus: draft\n---\n", &a);
	assert_string_equal(a.status, "draft");
	assert_int_equal(a.published_at, 0);
	assert_string_equal(a.body, "");
	parse_ok("---\ntitle: T\nstatus: DRAFT\ndate: 2021-05-18\n---\nB", &a);
	assert_string_equal(a.status, "draft");
	assert_int_equal(a.published_at, INT64_C(1621296000));
	parse_ok("---\ntitle: T\nstatus: Scheduled\ndate: 2031-05-18\n---\nB",
		 &a);
	assert_string_equal(a.status, "scheduled");
	parse_ok("---\ntitle: T\nstatus: 'published'\ndate: 2021-05-18\n---\n"
		 "B", &a);
	assert_string_equal(a.status, "published");

	expect_error("---\ntitle: T\nstatus: live\ndate: 2021-05-18\n---\nB", 3,
		     "expected a status of draft, scheduled or published");
	expect_error("---\ntitle: T\nstatus:\ndate: 2021-05-18\n---\nB", 3,
		     "expected a status of draft, scheduled or published");
	/* Without a date only a draft will do. */
	expect_error("---\ntitle: T\n---\nB", 3,
		     "expected a date: line (only a draft may go without one)");
	expect_error("---\ntitle: T\nstatus: published\n---\nB", 4,
		     "expected a date: line (only a draft may go without one)");
	expect_error("---\ntitle: T\nstatus: scheduled\n---\nB", 4,
		     "expected a date: line (only a draft may go without one)");
	/* An empty body likewise. */
	expect_error("---\ntitle: T\ndate: 2021-05-18\n---\n", 5,
		     "expected a body after the front matter (only a draft may "
		     "be empty)");
	expect_error("---\ntitle: T\ndate: 2021-05-18\n---\n\n \n\t\n", 5,
		     "expected a body after the front matter (only a draft may "
		     "be empty)");
	expect_error("---\ntitle: T\ndate: 2021-05-18\n---", 5,
		     "expected a body after the front matter (only a draft may "
		     "be empty)");
}

static void
test_body(void **state)
{
	struct import_article a;

	(void)state;
	/* Leading blank lines and trailing white space go; indentation of
	 * the first line, Markdown and everything else stay. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\n---\n\n  \n    code block\n"
		 "\n# Heading\n\n- item *em* <b>raw</b> &amp;\n\n---\n\n"
		 "More.  \n\n\n\t\n", &a);
	assert_string_equal(a.body, "    code block\n\n# Heading\n\n"
				    "- item *em* <b>raw</b> &amp;\n\n---\n\n"
				    "More.");
	/* The closing line may have trailing blanks; the first "---" after
	 * the opening one closes the block. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\n---  \nA\n---\nB\n", &a);
	assert_string_equal(a.body, "A\n---\nB");
	/* CRLF files read the same. */
	parse_ok("---\r\ntitle: T\r\ndate: 2021-05-18\r\n---\r\nA\r\n\r\nB\r\n",
		 &a);
	assert_string_equal(a.headline, "T");
	assert_string_equal(a.body, "A\n\nB");
}

/* Lines of the body are named by their line in the file. */
static void
test_body_lines(void **state)
{
	struct import_article a;

	(void)state;
	/* Lines 1-4 are the block, 5-6 blank, 7 the body's first. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\n---\n\n  \nOne\n\nTwo\n",
		 &a);
	assert_int_equal(a.body_line, 7);
	assert_int_equal(import_body_line(&a, 0), 0);
	assert_int_equal(import_body_line(&a, 1), 7);
	assert_int_equal(import_body_line(&a, 3), 9);
	parse_ok("---\ntitle: T\ndate: 2021-05-18\n---\nOne\n", &a);
	assert_int_equal(import_body_line(&a, 1), 5);
	/* CR line ends count as lines too, and a BOM is none. */
	parse_ok("\xEF\xBB\xBF---\r\ntitle: T\r\ndate: 2021-05-18\r---\r\r"
		 "One\r\nTwo", &a);
	assert_int_equal(import_body_line(&a, 2), 7);
}

static void
test_structure_errors(void **state)
{
	(void)state;
	/* No closing line: blamed on the opening one, not on the body. */
	expect_error("---\ntitle: T\ndate: 2021-05-18\n\nBody text here.\n", 1,
		     "expected a closing \"---\" line");
	expect_error("---\ntitle: T\n--\n", 1, "expected a closing \"---\" line");
	expect_error("---\ntitle: T\n ---\n", 1,
		     "expected a closing \"---\" line");
	/* Lines that are not "key: value". */
	expect_error("---\ntitle: T\njust words\n---\nB", 3,
		     "expected \"key: value\"");
	expect_error("---\ntitle: T\ndate: 2021-05-18\n: value\n---\nB", 4,
		     "expected \"key: value\"");
	expect_error("---\ntitle: T\ndate 2021-05-18\n---\nB", 3,
		     "expected \"key: value\"");
	/* Unknown keys. */
	expect_error("---\ntitle: T\nauthor: Jane\n---\nB", 3, KEYS_MSG);
	expect_error("---\ntitle: T\ndate: 2021-05-18\ntag: x\n---\nB", 4,
		     KEYS_MSG);
	expect_error("---\ntitle: T\ntitle x: y\n---\nB", 3, KEYS_MSG);
	expect_error("---\ntitle: T\n- item: y\n---\nB", 3, KEYS_MSG);
	/* Each key once. */
	expect_error("---\ntitle: T\ndate: 2021-05-18\nTitle: U\n---\nB", 4,
		     "expected each key once (title: is already on line 2)");
	expect_error("---\ntitle: T\ntags: a\n\ntags: b\n---\nB", 5,
		     "expected each key once (tags: is already on line 3)");
	/* No title. */
	expect_error("---\ndate: 2021-05-18\n---\nB", 3,
		     "expected a title: line in the front matter");
	expect_error("---\n---\nB", 2,
		     "expected a title: line in the front matter");
	/* The first error in the file wins. */
	expect_error("---\nfoo: 1\nbar\n---\nB", 2, KEYS_MSG);
}

static void
test_value_errors(void **state)
{
	static const char *const bad_dates[] = {
		"date:",
		"date: yesterday",
		"date: 2021-02-29",
		"date: 2021-05-18 24:00",
		"date: 18/05/2021",
		"date: 2021-05-18T18:31+0430",
	};
	static const char *const bad_langs[] = {
		"lang: e",         "lang: english-language-tag-far-too-long",
		"lang: e1",        "lang: en_US",
		"lang: en--US",    "lang: en-",
		"lang: -en",       "lang: 123",
		"lang: abcd",      "lang: en-abcdefghi",
		"lang:",           "lang: fa IR",
		"lang: \xD9\x81\xD8\xA7",
	};
	static const char *const good_langs[] = {
		"lang: en", "lang: fa", "lang: pt-BR", "lang: zh-Hant-TW",
		"lang: EN", "lang: es-419", "lang: ast", "lang: 'de-CH'",
	};
	char file[512], big[GZ_LIMIT_HEADLINE_BYTES + 64];
	struct import_article a;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		n = snprintf(file, sizeof(file), "---\ntitle: T\n%s\n---\nB",
			     bad_dates[i]);
		assert_true(n > 0 && (size_t)n < sizeof(file));
		expect_error(file, 3, DATE_MSG);
	}
	for (i = 0; i < sizeof(bad_langs) / sizeof(bad_langs[0]); i++) {
		with_line(file, sizeof(file), bad_langs[i]);
		expect_error(file, 4, "expected a language tag such as en, fa "
				      "or pt-BR");
	}
	for (i = 0; i < sizeof(good_langs) / sizeof(good_langs[0]); i++) {
		with_line(file, sizeof(file), good_langs[i]);
		parse_ok(file, &a);
	}
	/* Slugs must already be slugs. */
	with_line(file, sizeof(file), "slug: council-bridge-2021");
	parse_ok(file, &a);
	assert_string_equal(a.slug, "council-bridge-2021");
	with_line(file, sizeof(file), "slug: \xD9\xBE\xD9\x84-\xD8\xAC\xD8\xAF");
	parse_ok(file, &a);
	with_line(file, sizeof(file), "slug:");
	parse_ok(file, &a);
	assert_string_equal(a.slug, "");
	with_line(file, sizeof(file), "slug: Council Bridge");
	expect_error(file, 4, "expected a slug of lowercase letters, digits "
			      "and \"-\", such as \"council-bridge\"");
	with_line(file, sizeof(file), "slug: council_bridge");
	expect_error(file, 4, "expected a slug of lowercase letters, digits "
			      "and \"-\", such as \"council-bridge\"");
	with_line(file, sizeof(file), "slug: -council-");
	expect_error(file, 4, "expected a slug of lowercase letters, digits "
			      "and \"-\", such as \"council\"");
	with_line(file, sizeof(file), "slug: ???");
	expect_error(file, 4, "expected a slug of lowercase letters, digits "
			      "and \"-\"");
	/* Titles. */
	expect_error("---\ntitle:\ndate: 2021-05-18\n---\nB", 2,
		     "expected a title after \"title:\"");
	expect_error("---\ntitle: \"\"\ndate: 2021-05-18\n---\nB", 2,
		     "expected a title after \"title:\"");
	n = snprintf(big, sizeof(big), "---\ntitle: ");
	memset(big + n, 't', GZ_LIMIT_HEADLINE_BYTES + 1);
	memcpy(big + n + GZ_LIMIT_HEADLINE_BYTES + 1, "\n---\nB", 7);
	expect_error(big, 2, "expected a title of at most 512 bytes (this one "
			     "has 513)");
	memcpy(big + n + GZ_LIMIT_HEADLINE_BYTES, "\ndate: 2021-05-18\n---\nB",
	       24);
	parse_ok(big, &a);
	assert_int_equal(strlen(a.headline), GZ_LIMIT_HEADLINE_BYTES);
}

#define ALT_MSG                                                        \
	"image_alt: expected a description of the photo for readers who " \
	"cannot see it (or image_decorative: yes)"

/* image:, its words and image_decorative:, and what is refused. */
static void
test_image_keys(void **state)
{
	static const char *const outside[] = {
		"image: ../photo.jpg",
		"image: photos/../../photo.jpg",
		"image: ..",
		"image: a/..",
		"image: ./../x.jpg",
		"image: \"../x.jpg\"",
	};
	static const char *const inside[] = {
		"image: photo.jpg",
		"image: photos/a.jpg",
		"image: ./photos/a.jpg",
		"image: ..a.jpg",
		"image: a../b.jpg",
		"image: photos/...jpg",
		"image: 'with space.jpg'",
	};
	char file[4096], big[GZ_LIMIT_MEDIA_TEXT_BYTES + 64];
	struct import_article a;
	size_t i;
	int n;

	(void)state;
	/* None: every image field empty. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\n---\nB", &a);
	assert_string_equal(a.image, "");
	assert_string_equal(a.image_alt, "");
	assert_string_equal(a.image_caption, "");
	assert_string_equal(a.image_credit, "");
	assert_false(a.image_decorative);
	assert_int_equal(a.image_line, 0);
	/* All of them; keys in any case and order, values unquoted. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\n"
		 "Image_Credit: 'Illustration: The Riverton Gazette'\n"
		 "image: photos/river-bridge.jpg\n"
		 "image_alt: A steel bridge over a grey river\n"
		 "image_caption: \"The bridge, as drawn\"\n"
		 "image_decorative: No\n"
		 "---\nB", &a);
	assert_string_equal(a.image, "photos/river-bridge.jpg");
	assert_int_equal(a.image_line, 5);
	assert_string_equal(a.image_alt, "A steel bridge over a grey river");
	assert_string_equal(a.image_caption, "The bridge, as drawn");
	assert_string_equal(a.image_credit, "Illustration: The Riverton Gazette");
	assert_false(a.image_decorative);
	/* A decorative image has no alt, and needs none. */
	parse_ok("---\ntitle: T\ndate: 2021-05-18\nimage: rule.png\n"
		 "image_decorative: YES\n---\nB", &a);
	assert_true(a.image_decorative);
	assert_string_equal(a.image_alt, "");
	assert_int_equal(a.image_line, 4);
	parse_ok("---\ntitle: T\ndate: 2021-05-18\nimage: rule.png\n"
		 "image_alt:\nimage_decorative: yes\n---\nB", &a);
	assert_true(a.image_decorative);
	for (i = 0; i < sizeof(inside) / sizeof(inside[0]); i++) {
		n = snprintf(file, sizeof(file), "---\ntitle: T\ndate: "
			     "2021-05-18\n%s\nimage_alt: A\n---\nB",
			     inside[i]);
		assert_true(n > 0 && (size_t)n < sizeof(file));
		parse_ok(file, &a);
	}
	parse_ok("---\ntitle: T\ndate: 2021-05-18\nimage: 'with space.jpg'\n"
		 "image_alt: A\n---\nB", &a);
	assert_string_equal(a.image, "with space.jpg");

	/* The alt text: missing, empty, or given beside decorative. */
	expect_error("---\ntitle: T\ndate: 2021-05-18\nimage: a.jpg\n---\nB",
		     4, ALT_MSG);
	expect_error("---\ntitle: T\ndate: 2021-05-18\nimage: a.jpg\n"
		     "image_caption: C\nimage_decorative: no\n---\nB", 4,
		     ALT_MSG);
	expect_error("---\ntitle: T\ndate: 2021-05-18\nimage: a.jpg\n"
		     "image_alt: \"\"\n---\nB", 5, ALT_MSG);
	expect_error("---\ntitle: T\ndate: 2021-05-18\nimage: a.jpg\n"
		     "image_alt: A bridge\nimage_decorative: yes\n---\nB", 5,
		     "expected no image_alt: for a decorative image "
		     "(image_decorative: yes gives it an empty alt)");
	expect_error("---\ntitle: T\ndate: 2021-05-18\nimage: a.jpg\n"
		     "image_decorative: maybe\n---\nB", 5,
		     "expected image_decorative: yes or no");
	/* Words without an image: named on their own line. */
	expect_error("---\ntitle: T\ndate: 2021-05-18\nimage_alt: A\n---\nB",
		     4, "expected an image: line (image_alt: describes the "
		     "lead image)");
	expect_error("---\ntitle: T\ndate: 2021-05-18\n\n"
		     "image_credit: Photo: X\n---\nB", 5,
		     "expected an image: line (image_credit: describes the "
		     "lead image)");
	expect_error("---\ntitle: T\ndate: 2021-05-18\n"
		     "image_decorative: yes\n---\nB", 4,
		     "expected an image: line (image_decorative: describes "
		     "the lead image)");
	/* Paths that leave the file's folder, or are no file's. */
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		with_line(file, sizeof(file), outside[i]);
		expect_error(file, 4, "expected an image path inside this "
			     "file's folder (no \"..\")");
	}
	with_line(file, sizeof(file), "image: /etc/passwd");
	expect_error(file, 4, "expected an image path relative to this "
		     "file's folder, not an absolute one");
	with_line(file, sizeof(file), "image: photos/");
	expect_error(file, 4, "expected an image file name, not a folder");
	with_line(file, sizeof(file), "image:");
	expect_error(file, 4, "expected a file name after \"image:\" (the "
		     "photo, beside this file)");
	with_line(file, sizeof(file), "image: a.jpg\nimage: b.jpg");
	expect_error(file, 5, "expected each key once (image: is already on "
		     "line 4)");
	/* Length limits: the path at GZ_LIMIT_FORM_FILENAME_BYTES, each
	 * word at GZ_LIMIT_MEDIA_TEXT_BYTES. */
	n = snprintf(big, sizeof(big), "image: ");
	memset(big + n, 'p', GZ_LIMIT_FORM_FILENAME_BYTES);
	big[n + GZ_LIMIT_FORM_FILENAME_BYTES] = '\0';
	n = snprintf(file, sizeof(file), "---\ntitle: T\ndate: 2021-05-18\n"
		     "%s\nimage_alt: A\n---\nB", big);
	assert_true(n > 0 && (size_t)n < sizeof(file));
	parse_ok(file, &a);
	assert_int_equal(strlen(a.image), GZ_LIMIT_FORM_FILENAME_BYTES);
	memcpy(big + strlen(big), "p", 2);
	with_line(file, sizeof(file), big);
	expect_error(file, 4, "expected an image file name of at most 255 "
		     "bytes (this one has 256)");
	{
		static const struct {
			const char *key, *what;
		} words[] = {
			{"image_alt", "an alt text"},
			{"image_caption", "a caption"},
			{"image_credit", "a credit"},
		};
		char want[128];
		size_t w;

		for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
			n = snprintf(big, sizeof(big), "%s: ", words[w].key);
			memset(big + n, 'w', GZ_LIMIT_MEDIA_TEXT_BYTES);
			big[n + GZ_LIMIT_MEDIA_TEXT_BYTES] = '\0';
			/* At the limit: accepted (alt given once). */
			n = snprintf(file, sizeof(file), "---\ntitle: T\n"
				     "date: 2021-05-18\nimage: a.jpg\n%s\n%s"
				     "---\nB", big,
				     w == 0 ? "" : "image_alt: A\n");
			assert_true(n > 0 && (size_t)n < sizeof(file));
			parse_ok(file, &a);
			memcpy(big + strlen(big), "w", 2);
			n = snprintf(file, sizeof(file), "---\ntitle: T\n"
				     "date: 2021-05-18\nimage: a.jpg\n%s\n%s"
				     "---\nB", big,
				     w == 0 ? "" : "image_alt: A\n");
			assert_true(n > 0 && (size_t)n < sizeof(file));
			n = snprintf(want, sizeof(want), "expected %s of at "
				     "most 1024 bytes (this one has 1025)",
				     words[w].what);
			assert_true(n > 0 && (size_t)n < sizeof(want));
			expect_error(file, 5, want);
		}
	}
	/* A plain-text file has no image. */
	parse_ok("Headline\n\nMay 18, 2021 - 18:31\n\nBody.\n", &a);
	assert_string_equal(a.image, "");
	assert_int_equal(a.image_line, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_keys_and_values),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_status_and_drafts),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_body_lines),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_comments_key),
		cmocka_unit_test(test_image_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
