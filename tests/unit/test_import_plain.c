/* test_import_plain.c - tests for src/import/plain.c: headline, date line,
 * byline, dateline, paragraphs, scraper residue, Markdown escaping (checked
 * by rendering the body with cmark-gfm, the library render/ uses), and
 * pathological sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include "import/import.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"

#define DATE_MSG "expected a date line like \"May 18, 2021 - 18:31\""
#define BODY_MSG "expected at least one paragraph after the date line"
#define HEAD "Headline\n\nMay 18, 2021 - 18:31\n\n"

static struct pool *pool;

static int
setup(void **state)
{
	(void)state;
	if (date_timezone_set("UTC") != GZ_OK)
		return -1;
	pool = pool_new(256u * 1024u * 1024u);
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
	assert_int_equal(import_parse(pool, s, strlen(s), &a, &e), GZ_EPARSE);
	assert_string_equal(e.msg, msg);
	assert_int_equal(e.line, line);
}

/* Parses HEAD + body_in and expects the body body_out. */
static void
expect_body(const char *body_in, const char *body_out)
{
	struct import_article a;
	char *s = malloc(strlen(HEAD) + strlen(body_in) + 1);

	assert_non_null(s);
	memcpy(s, HEAD, strlen(HEAD));
	memcpy(s + strlen(HEAD), body_in, strlen(body_in) + 1);
	parse_ok(s, &a);
	free(s);
	if (strcmp(a.body, body_out) != 0)
		fail_msg("body [%s], want [%s]", a.body, body_out);
}

static void
expect_dateline(const char *para, const char *dateline, const char *body)
{
	struct import_article a;
	char s[1024];
	int n = snprintf(s, sizeof(s), HEAD "%s\n", para);

	assert_true(n > 0 && (size_t)n < sizeof(s));
	parse_ok(s, &a);
	if (strcmp(a.dateline, dateline) != 0 || strcmp(a.body, body) != 0)
		fail_msg("[%s]: dateline [%s] body [%s], want [%s] [%s]", para,
			 a.dateline, a.body, dateline, body);
}

static void
expect_byline(const char *file, const char *byline, const char *body)
{
	struct import_article a;

	parse_ok(file, &a);
	if (strcmp(a.byline, byline) != 0 || strcmp(a.body, body) != 0)
		fail_msg("byline [%s] body [%s], want [%s] [%s]", a.byline,
			 a.body, byline, body);
}

/* ---- the format -------------------------------------------------------- */

static void
test_example(void **state)
{
	const char *file =
		"Council approves new river bridge\n"
		"\n"
		"May 18, 2021 - 18:31\n"
		"By the City Desk\n"
		"\n"
		"RIVERTON - The city council voted 7-2 on Tuesday to build a\n"
		"new bridge over the Riverton river.\n"
		"\n"
		"\xE2\x80\x9CWe have waited twenty years,\xE2\x80\x9D the mayor "
		"said.\n"
		"\n"
		"Work starts in the spring.\n";
	struct import_article a;

	(void)state;
	assert_int_equal(date_timezone_set("Asia/Tehran"), GZ_OK);
	parse_ok(file, &a);
	assert_int_equal(date_timezone_set("UTC"), GZ_OK);
	assert_string_equal(a.headline, "Council approves new river bridge");
	/* 18:31 in Tehran (+04:30) is 14:01 UTC. */
	assert_int_equal(a.published_at, INT64_C(1621346460));
	assert_string_equal(a.byline, "By the City Desk");
	assert_string_equal(a.dateline, "RIVERTON");
	assert_string_equal(a.body,
		"The city council voted 7-2 on Tuesday to build a\n"
		"new bridge over the Riverton river.\n"
		"\n"
		"\xE2\x80\x9CWe have waited twenty years,\xE2\x80\x9D the mayor "
		"said.\n"
		"\n"
		"Work starts in the spring.");
	assert_string_equal(a.summary, "");
	assert_string_equal(a.section, "");
	assert_string_equal(a.lang, "");
	assert_string_equal(a.slug, "");
	assert_string_equal(a.status, "");
	assert_null(a.tags);
	assert_int_equal(a.ntags, 0);
}

static void
test_tehran_dateline(void **state)
{
	const char *file =
		"Tehran opens a new metro line\n"
		"\n"
		"May 18, 2021 - 18:31\n"
		"\n"
		"TEHRAN \xE2\x80\x94 The city opened its eighth metro line.\n"
		"\n"
		"\"It took ten years,\" an engineer said.\n";
	struct import_article a;

	(void)state;
	assert_int_equal(date_timezone_set("Asia/Tehran"), GZ_OK);
	parse_ok(file, &a);
	assert_int_equal(date_timezone_set("UTC"), GZ_OK);
	assert_int_equal(a.published_at, INT64_C(1621346460));
	assert_string_equal(a.dateline, "TEHRAN");
	assert_string_equal(a.byline, "");
	assert_string_equal(a.body, "The city opened its eighth metro line.\n\n"
				    "\"It took ten years,\" an engineer said.");
}

static void
test_headline(void **state)
{
	struct import_article a;
	char big[GZ_LIMIT_HEADLINE_BYTES + 64];
	int n;

	(void)state;
	/* Leading blank lines skipped, the line trimmed. */
	parse_ok("\n\n  \t\n  Spaced headline \t\n\nMay 18, 2021 - 18:31\n\nB",
		 &a);
	assert_string_equal(a.headline, "Spaced headline");
	/* No headline at all. */
	expect_error("", 1, "expected a headline");
	expect_error("\n\n \t\n", 1, "expected a headline");
	expect_error("\nMay 18, 2021 - 18:31\n\nBody.\n", 2,
		     "expected a headline before the date line");
	/* At the limit, and one byte over. */
	memset(big, 'h', GZ_LIMIT_HEADLINE_BYTES);
	n = snprintf(big + GZ_LIMIT_HEADLINE_BYTES,
		     sizeof(big) - GZ_LIMIT_HEADLINE_BYTES,
		     "\n\nMay 18, 2021 - 18:31\n\nB");
	assert_true(n > 0);
	parse_ok(big, &a);
	assert_int_equal(strlen(a.headline), GZ_LIMIT_HEADLINE_BYTES);
	memset(big, 'h', GZ_LIMIT_HEADLINE_BYTES + 1);
	n = snprintf(big + GZ_LIMIT_HEADLINE_BYTES + 1,
		     sizeof(big) - GZ_LIMIT_HEADLINE_BYTES - 1,
		     "\n\nMay 18, 2021 - 18:31\n\nB");
	assert_true(n > 0);
	expect_error(big, 1,
		     "expected a headline of at most 512 bytes (this one has "
		     "513)");
	/* Headline text is not Markdown: nothing escaped. */
	parse_ok("*Not* <b>bold</b> & [x]\n\nMay 18, 2021 - 18:31\n\nB", &a);
	assert_string_equal(a.headline, "*Not* <b>bold</b> & [x]");
}

static void
test_date_line(void **state)
{
	struct import_article a;

	(void)state;
	expect_error("Headline\n\nNot a date\n\nBody.\n", 3, DATE_MSG);
	expect_error("Headline\n\n\n\nMay 18, 2021 - 24:00\n\nBody.\n", 5,
		     DATE_MSG);
	expect_error("Headline\n\n2021-05-18 18:31\n\nBody.\n", 3, DATE_MSG);
	expect_error("Headline\n\nFebruary 30, 2021 - 12:00\n\nBody.\n", 3,
		     DATE_MSG);
	/* A two-line headline: the second line is where the date belongs. */
	expect_error("Council approves\nnew river bridge\n\nMay 18, 2021 - "
		     "18:31\n\nBody.\n", 2, DATE_MSG);
	/* The file ends: the line after the headline. */
	expect_error("Headline\n", 2, DATE_MSG);
	expect_error("Headline", 2, DATE_MSG);
	expect_error("\n\nHeadline\n\n\n", 4, DATE_MSG);
	/* No blank line needed, spaces around allowed. */
	parse_ok("Headline\n \xC2\xA0May 18, 2021 \xE2\x80\x93 18:31\xC2\xA0 \n"
		 "Body.", &a);
	assert_int_equal(a.published_at, INT64_C(1621362660));
	assert_string_equal(a.body, "Body.");
}

static void
test_no_body(void **state)
{
	(void)state;
	expect_error("Headline\n\nMay 18, 2021 - 18:31\n", 4, BODY_MSG);
	expect_error("Headline\n\nMay 18, 2021 - 18:31", 4, BODY_MSG);
	expect_error("Headline\n\nMay 18, 2021 - 18:31\n\n\n  \n", 4, BODY_MSG);
	expect_error("Headline\n\nMay 18, 2021 - 18:31\n\nBy Jane Doe\n", 6,
		     BODY_MSG);
	/* Residue is not a body. */
	expect_error("Headline\n\nMay 18, 2021 - 18:31\n\nLeave a Comment\n\n"
		     "2 + 1 =\n", 4, BODY_MSG);
}

static void
test_byline(void **state)
{
	(void)state;
	/* Right under the date line, or after a blank line. */
	expect_byline("H\n\nMay 18, 2021 - 18:31\nBy the City Desk\n\nText.",
		      "By the City Desk", "Text.");
	expect_byline("H\n\nMay 18, 2021 - 18:31\n\nBy the City Desk\n\nText.",
		      "By the City Desk", "Text.");
	expect_byline("H\n\nMay 18, 2021 - 18:31\n\n\n\n  By Jane Doe  \n\n"
		      "Text.", "By Jane Doe", "Text.");
	/* Right under the date line it is a header line, even with text
	 * straight after it. */
	expect_byline("H\n\nMay 18, 2021 - 18:31\nBy Jane Doe\nRIVERTON - Text.",
		      "By Jane Doe", "Text.");
	expect_byline("H\n\nMay 18, 2021 - 18:31\nBy J. R. Smith Jr.\n\nText.",
		      "By J. R. Smith Jr.", "Text.");
	expect_byline("H\n\nMay 18, 2021 - 18:31\nBy JANE DOE, Associated "
		      "Press\n\nText.", "By JANE DOE, Associated Press",
		      "Text.");
	/* After a blank line it must stand alone. */
	expect_byline("H\n\nMay 18, 2021 - 18:31\n\nBy Jane Doe\nand more.\n\n"
		      "Text.", "", "By Jane Doe\nand more.\n\nText.");
	/* A sentence is not a byline. */
	expect_byline("H\n\nMay 18, 2021 - 18:31\n\nBy the time the vote came, "
		      "the chamber was empty.\n\nText.", "",
		      "By the time the vote came, the chamber was empty.\n\n"
		      "Text.");
	expect_byline("H\n\nMay 18, 2021 - 18:31\nBy noon?\n\nText.", "",
		      "By noon?\n\nText.");
	expect_byline("H\n\nMay 18, 2021 - 18:31\nBy then, \xE2\x80\x9Cno\xE2\x80"
		      "\x9D\n\nText.", "",
		      "By then, \xE2\x80\x9Cno\xE2\x80\x9D\n\nText.");
	/* Not "By ". */
	expect_byline("H\n\nMay 18, 2021 - 18:31\nBylines matter\n\nText.", "",
		      "Bylines matter\n\nText.");
	expect_byline("H\n\nMay 18, 2021 - 18:31\nby jane\n\nText.", "",
		      "by jane\n\nText.");
	expect_byline("H\n\nMay 18, 2021 - 18:31\nBy\n\nText.", "",
		      "By\n\nText.");
	/* Too long for a byline: 121 bytes. */
	{
		char file[512], want[256];
		char name[119];

		memset(name, 'n', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		assert_true(snprintf(file, sizeof(file), "H\n\nMay 18, 2021 - "
				     "18:31\nBy %s\n\nText.", name) > 0);
		assert_true(snprintf(want, sizeof(want), "By %s\n\nText.",
				     name) > 0);
		expect_byline(file, "", want);
		name[sizeof(name) - 2] = '\0'; /* 120 bytes: a byline */
		assert_true(snprintf(file, sizeof(file), "H\n\nMay 18, 2021 - "
				     "18:31\nBy %s\n\nText.", name) > 0);
		assert_true(snprintf(want, sizeof(want), "By %s", name) > 0);
		expect_byline(file, want, "Text.");
	}
	/* Only the line after the date: a later "By " line is body. */
	expect_byline("H\n\nMay 18, 2021 - 18:31\n\nText.\n\nBy Jane Doe",
		      "", "Text.\n\nBy Jane Doe");
}

static void
test_dateline(void **state)
{
	(void)state;
	expect_dateline("RIVERTON - The council voted.", "RIVERTON",
			"The council voted.");
	expect_dateline("WASHINGTON, D.C. - The council voted.",
			"WASHINGTON, D.C.", "The council voted.");
	expect_dateline("ST. PAUL \xE2\x80\x93 The council voted.", "ST. PAUL",
			"The council voted.");
	expect_dateline("RIO DE JANEIRO \xE2\x80\x94 The council voted.",
			"RIO DE JANEIRO", "The council voted.");
	expect_dateline("WILKES-BARRE - Text.", "WILKES-BARRE", "Text.");
	expect_dateline("COTE D'IVOIRE - Text.", "COTE D'IVOIRE", "Text.");
	expect_dateline("C\xC3\x94TE D\xE2\x80\x99IVOIRE - Text.",
			"C\xC3\x94TE D\xE2\x80\x99IVOIRE", "Text.");
	expect_dateline("S\xC3\x83O PAULO - Text.", "S\xC3\x83O PAULO", "Text.");
	expect_dateline("\xC5\x81\xC3\x93" "D\xC5\xB9 - Text.",
			"\xC5\x81\xC3\x93" "D\xC5\xB9", "Text.");
	expect_dateline("RIVERTON (AP) - Text.", "RIVERTON (AP)", "Text.");
	expect_dateline("NY - Text.", "NY", "Text.");
	expect_dateline("RIVERTON   -   Text - more.", "RIVERTON",
			"Text - more.");
	/* The dateline goes, the rest of the paragraph stays. */
	expect_dateline("RIVERTON - First line\nsecond line\n\nNext.",
			"RIVERTON", "First line\nsecond line\n\nNext.");
	/* What follows is escaped as the paragraph's start. */
	expect_dateline("RIVERTON - 1. Item", "RIVERTON", "1\\. Item");
	expect_dateline("RIVERTON - # Hash", "RIVERTON", "\\# Hash");
	/* 40 bytes is the most. */
	expect_dateline("ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLM - Text.",
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLM", "Text.");
	expect_dateline("ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMN - Text.", "",
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMN - Text.");

	/* Not datelines: the paragraph is left whole. */
	expect_dateline("Riverton - The council voted.", "",
			"Riverton - The council voted.");
	expect_dateline("The MAYOR - who spoke first.", "",
			"The MAYOR - who spoke first.");
	expect_dateline("I - a letter.", "", "I - a letter.");
	expect_dateline("ROUTE 66 - Text.", "", "ROUTE 66 - Text.");
	expect_dateline("RIVERTON-Text.", "", "RIVERTON-Text.");
	expect_dateline("RIVERTON -Text.", "", "RIVERTON -Text.");
	expect_dateline("RIVERTON: Text.", "", "RIVERTON: Text.");
	expect_dateline("RIVERTON \xE2\x80\x92 Text.", "",
			"RIVERTON \xE2\x80\x92 Text.");
	expect_dateline("RIVERTON (Reuters) - Text.", "",
			"RIVERTON (Reuters) - Text.");
	expect_dateline(", RIVERTON - Text.", "", ", RIVERTON - Text.");
	expect_dateline("Z\xC3\xBCRICH - Text.", "", "Z\xC3\xBCRICH - Text.");
	expect_dateline("RIVERTON -", "", "RIVERTON -");
	expect_dateline("RIVERTON - \nText.", "", "RIVERTON -\nText.");
	/* Only the first separator counts. */
	expect_dateline("Mayor - RIVERTON - Text.", "",
			"Mayor - RIVERTON - Text.");
	/* Only paragraph one. */
	expect_dateline("Text.\n\nRIVERTON - More.", "",
			"Text.\n\nRIVERTON - More.");
}

static void
test_paragraphs(void **state)
{
	(void)state;
	/* Lines trimmed (spaces, tabs, no-break spaces); a line of only
	 * such is blank; runs of blank lines are one break. */
	expect_body("  One \t\n\ttwo\xC2\xA0\n\n\n\n\xC2\xA0\n  Three  \n\n",
		    "One\ntwo\n\nThree");
	/* Other spaces are text and stay. */
	expect_body("One\xE2\x80\x83\n", "One\xE2\x80\x83");
	/* Blank lines before the body. */
	expect_body("\n\n\nOne", "One");
}

/* Lines of the rebuilt body are named by their line in the file: blank
 * runs are one line of the body, trailing residue is gone. */
static void
test_body_lines(void **state)
{
	struct import_article a;

	(void)state;
	/*  1 Headline / 2 - / 3 date / 4 byline / 5 - / 6 dateline + text /
	 *  7 more / 8-10 - / 11 Two / 12 - / 13 Leave a comment */
	parse_ok("Headline\n\nMay 18, 2021 - 18:31\nBy A. Reporter\n\n"
		 "RIVERTON - One\n  more  \n\n\n\nTwo\n\nLeave a comment\n",
		 &a);
	assert_string_equal(a.body, "One\nmore\n\nTwo");
	assert_int_equal(a.nbody_lines, 4);
	assert_int_equal(a.body_line, 6);
	assert_int_equal(import_body_line(&a, 1), 6);
	assert_int_equal(import_body_line(&a, 2), 7);
	assert_int_equal(import_body_line(&a, 3), 10); /* a blank line */
	assert_int_equal(import_body_line(&a, 4), 11);
	assert_int_equal(import_body_line(&a, 5), 11);
	assert_int_equal(import_body_line(&a, 0), 0);
}

static void
test_persian(void **state)
{
	/* "Tehran - The city council approved the new bridge." */
	const char *file =
		"\xD8\xB4\xD9\x88\xD8\xB1\xD8\xA7\xDB\x8C \xD8\xB4\xD9\x87\xD8\xB1 "
		"\xD9\xBE\xD9\x84 \xD8\xAC\xD8\xAF\xDB\x8C\xD8\xAF \xD8\xB1\xD8\xA7 "
		"\xD8\xAA\xD8\xB5\xD9\x88\xDB\x8C\xD8\xA8 \xDA\xA9\xD8\xB1\xD8\xAF\n"
		"\n"
		"May 18, 2021 - 18:31\n"
		"\n"
		"\xD8\xAA\xD9\x87\xD8\xB1\xD8\xA7\xD9\x86 - \xD8\xB4\xD9\x88\xD8\xB1"
		"\xD8\xA7\xDB\x8C \xD8\xB4\xD9\x87\xD8\xB1 \xD9\xBE\xD9\x84 "
		"\xD8\xAC\xD8\xAF\xDB\x8C\xD8\xAF \xD8\xB1\xD8\xA7 \xD8\xAA\xD8\xB5"
		"\xD9\x88\xDB\x8C\xD8\xA8 \xDA\xA9\xD8\xB1\xD8\xAF.\n"
		"\n"
		"\xC2\xAB\xD9\x85\xD8\xA7 \xD8\xA8\xDB\x8C\xD8\xB3\xD8\xAA "
		"\xD8\xB3\xD8\xA7\xD9\x84 \xD8\xB5\xD8\xA8\xD8\xB1 \xDA\xA9\xD8\xB1"
		"\xD8\xAF\xDB\x8C\xD9\x85\xC2\xBB\xD8\x8C \xD8\xB4\xD9\x87\xD8\xB1"
		"\xD8\xAF\xD8\xA7\xD8\xB1 \xDA\xAF\xD9\x81\xD8\xAA\xD8\x9B "
		"\xDB\xB7-\xDB\xB2 \xD8\xB1\xD8\xA3\xDB\x8C\xE2\x80\x8C\xDA\xAF"
		"\xDB\x8C\xD8\xB1\xDB\x8C.\n";
	struct import_article a;
	const char *p1;

	(void)state;
	parse_ok(file, &a);
	assert_string_equal(a.dateline, "");
	/* Text intact: Persian has no case, so no dateline is taken, and
	 * there is nothing to escape. The body is the file from paragraph
	 * one on, less its final newline. */
	p1 = strstr(file, "\xD8\xAA\xD9\x87\xD8\xB1\xD8\xA7\xD9\x86 - ");
	assert_non_null(p1);
	assert_int_equal(strlen(a.body), strlen(p1) - 1);
	assert_memory_equal(a.body, p1, strlen(p1) - 1);
}

/* ---- scraper residue ---------------------------------------------------- */

static void
test_residue_each(void **state)
{
	static const char *const residue[] = {
		"Leave a Comment",
		"Leave a comment",
		"LEAVE A COMMENT",
		"Leave a Comment:",
		"Leave a Reply",
		"Leave a Reply.",
		"Post Comment",
		"Submit",
		"Name",
		"Name *",
		"Name*",
		"Name:",
		"Email",
		"Email *",
		"E-mail:",
		"Email (not published)",
		"Website",
		"Comment",
		"Comment *",
		"Comments",
		"Comments (12)",
		"Comments (1):",
		"Cancel reply",
		"Your email address will not be published.",
		"Required fields are marked *",
		"Your email address will not be published. Required fields "
		"are marked *",
		"Save my name, email, and website in this browser for the next "
		"time I comment.",
		"Notify me of follow-up comments by email.",
		"Notify me of new posts by email.",
		"2 + 1 =",
		"2+1=",
		"2 + 1 = ?",
		"2 + 1 =?",
		"2 + 1 = 3",
		"12 - 5 =",
		"7 \xE2\x88\x92 2 =",
		"3 x 4 =",
		"3 X 4 = 12",
		"3 * 4 =",
		"6 \xC3\x97 2 =",
		"6 \xC3\x97 2 = ?",
		"  2 + 1 =  ",
		"2 - 5 = -3",
	};
	char file[512];
	size_t i;
	struct import_article a;

	(void)state;
	for (i = 0; i < sizeof(residue) / sizeof(residue[0]); i++) {
		/* As its own paragraph, and as the paragraph's last line. */
		assert_true(snprintf(file, sizeof(file), HEAD "Text.\n\n%s\n",
				     residue[i]) > 0);
		parse_ok(file, &a);
		if (strcmp(a.body, "Text.") != 0)
			fail_msg("[%s] kept: [%s]", residue[i], a.body);
		assert_true(snprintf(file, sizeof(file), HEAD "Text.\n%s",
				     residue[i]) > 0);
		parse_ok(file, &a);
		if (strcmp(a.body, "Text.") != 0)
			fail_msg("[%s] kept: [%s]", residue[i], a.body);
	}
}

static void
test_residue_form(void **state)
{
	(void)state;
	/* A whole WordPress comment form, as scraped. */
	expect_body("Text.\n\n"
		    "Leave a Reply\n"
		    "Cancel reply\n\n"
		    "Your email address will not be published. Required fields "
		    "are marked *\n\n"
		    "Comment *\n\n"
		    "Name *\n\n"
		    "Email *\n\n"
		    "Website\n\n"
		    "Save my name, email, and website in this browser for the "
		    "next time I comment.\n\n"
		    "2 + 1 = ?\n\n"
		    "Post Comment\n\n\n",
		    "Text.");
	/* Residue-like lines inside the text are text. */
	expect_body("Text.\n\nLeave a Comment\n\nMore text.\n\nSubmit",
		    "Text.\n\nLeave a Comment\n\nMore text.");
	expect_body("Name\nEmail\n\nThe end.", "Name\nEmail\n\nThe end.");
	/* Scanning stops at the first line that is not residue. */
	expect_body("Text.\n\nSubmit\nThe end.\n\nName\n\n2 + 1 =",
		    "Text.\n\nSubmit\nThe end.");
	/* Near misses are text. */
	expect_body("Text.\n\n2 + 1 = 3 is arithmetic.",
		    "Text.\n\n2 + 1 = 3 is arithmetic.");
	expect_body("Text.\n\nSubmit your photos.",
		    "Text.\n\nSubmit your photos.");
	expect_body("Text.\n\nName: Jane", "Text.\n\nName: Jane");
	expect_body("Text.\n\n2 + 1", "Text.\n\n2 + 1");
	expect_body("Text.\n\n2 / 1 =", "Text.\n\n2 / 1 =");
	expect_body("Text.\n\nx + y =", "Text.\n\nx + y =");
	expect_body("Text.\n\n2 + 1 = ?!", "Text.\n\n2 + 1 = ?!");
	expect_body("Text.\n\nComments (twelve)", "Text.\n\nComments (twelve)");
	expect_body("Text.\n\nComments ()", "Text.\n\nComments ()");
	expect_body("Text.\n\nNames", "Text.\n\nNames");
}

/* ---- escaping ----------------------------------------------------------- */

/* Appends s, escaped as cmark escapes HTML text. */
static void
html_text(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_putc(b, s[i]);
		}
	}
}

/* Renders md with cmark-gfm and the extensions render/ enables. Caller
 * frees. */
static char *
render_gfm(const char *md)
{
	static const char *const exts[] = {"table", "autolink",
					   "strikethrough", "tagfilter",
					   "tasklist"};
	cmark_parser *p;
	cmark_node *doc;
	char *html;
	size_t i;

	cmark_gfm_core_extensions_ensure_registered();
	p = cmark_parser_new(CMARK_OPT_DEFAULT);
	assert_non_null(p);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);

		assert_non_null(e);
		cmark_parser_attach_syntax_extension(p, e);
	}
	cmark_parser_feed(p, md, strlen(md));
	doc = cmark_parser_finish(p);
	html = cmark_render_html(doc, CMARK_OPT_DEFAULT,
				 cmark_parser_get_syntax_extensions(p));
	cmark_node_free(doc);
	cmark_parser_free(p);
	return html;
}

/* The paragraph (lines joined by "\n") must come out of Markdown as itself:
 * one <p> holding exactly its text. */
static void
expect_literal(const char *para)
{
	struct import_article a;
	struct buf file, want;
	char *html;

	buf_init(&file, 1u << 20);
	buf_init(&want, 1u << 20);
	buf_puts(&file, HEAD);
	buf_puts(&file, para);
	assert_int_equal(file.err, GZ_OK);
	parse_ok(file.data, &a);
	html = render_gfm(a.body);
	buf_puts(&want, "<p>");
	html_text(&want, para, strlen(para));
	buf_puts(&want, "</p>\n");
	if (strcmp(html, want.data) != 0)
		fail_msg("[%s] as [%s] renders [%s]", para, a.body, html);
	free(html);
	buf_fini(&file);
	buf_fini(&want);
}

static void
test_markdown_escaped(void **state)
{
	static const char *const paras[] = {
		"1. Not a list",
		"1) Not a list",
		"10. Not a list",
		"123456789. Not a list",
		"1234567890. Too long for a list anyway",
		"2021. A year",
		"# Not a heading",
		"###### Not a heading",
		"#hashtag",
		"- Not a list",
		"+ Not a list",
		"* Not a list",
		"> Not a quote",
		"*not emphasis* and **not strong**",
		"_not emphasis_ and __not strong__",
		"snake_case_name and 2*3*4",
		"[not a link](/url) and [ref][1] and [x]",
		"![not an image](/img.png)",
		"<b>not html</b> and <!-- not a comment -->",
		"<script>alert(1)</script>",
		"`not code` and ``also not``",
		"back\\slash and \\* and \\",
		"\\&amp; and \\`x`",
		"Hard\\\nbreak",
		"a | b | c",
		"~~not struck~~ and ~one~",
		"&amp; stays &amp; and &copy; and &#65; and &",
		"AT&T and Q&A",
		"***",
		"---",
		"___",
		"* * *",
		"===",
		"```",
		"~~~",
		"<div>",
		"[ ] not a task",
		"[^1] not a footnote",
		"Price: $5 (or 4.50 euros) {x} @name #tag ! ? ; : ' \"",
		"\xE2\x80\x9CTypographic\xE2\x80\x9D \xE2\x80\x94 quotes "
		"\xC2\xABkept\xC2\xBB",
		"Line one\n# two\n- three\n> four\n1. five\n=====\n-----\n"
		"| x | y |\n| - | - |\n+ six\n```\n<p>",
		"Setext\n===",
		"Setext\n---",
		"| a | b |\n|---|---|\n| c | d |",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paras) / sizeof(paras[0]); i++)
		expect_literal(paras[i]);
	/* And the source stays readable: only what needs it is escaped. */
	expect_body("1. One *two* a_b [c] <d> `e` \\f g|h ~i &j\n# k",
		    "1\\. One \\*two\\* a\\_b \\[c\\] \\<d> \\`e\\` \\\\f "
		    "g\\|h \\~i \\&j\n\\# k");
	expect_body("Plain words, 7-2, don't (really) stop! #1?",
		    "Plain words, 7-2, don't (really) stop! #1?");
	/* Non-ASCII bytes are never touched. */
	expect_body("\xE2\x80\x9C\xD8\xAA\xE6\x97\xA5\xE2\x80\x9D",
		    "\xE2\x80\x9C\xD8\xAA\xE6\x97\xA5\xE2\x80\x9D");
}

/* ---- sizes -------------------------------------------------------------- */

static void
test_one_megabyte_line(void **state)
{
	size_t n = 1u << 20, head = strlen(HEAD), i;
	char *s = malloc(head + n + 1);
	struct import_article a;

	(void)state;
	assert_non_null(s);
	memcpy(s, HEAD, head);
	for (i = 0; i < n; i++)
		s[head + i] = "word *_ "[i % 8];
	s[head + n - 1] = 'x';
	s[head + n] = '\0';
	parse_ok(s, &a);
	/* Each '*' and '_' gains a backslash: 2 per 8 bytes. */
	assert_int_equal(strlen(a.body), n + n / 4);
	assert_memory_equal(a.body, "word \\*\\_ word", 14);
	free(s);
}

static void
test_many_blank_lines(void **state)
{
	size_t blanks = 100000, i, at = 0;
	size_t cap = 64 + 4 * blanks * 3 + 256;
	char *s = malloc(cap);
	struct import_article a;

	(void)state;
	assert_non_null(s);
	/* Blank lines before the headline, before the date, between the
	 * paragraphs and after them, then residue: all linear. */
#define PUT(lit) (memcpy(s + at, lit, strlen(lit)), at += strlen(lit))
	for (i = 0; i < blanks; i++)
		PUT("\n");
	PUT("Headline\n");
	for (i = 0; i < blanks; i++)
		PUT("  \n");
	PUT("May 18, 2021 - 18:31\n");
	for (i = 0; i < blanks; i++)
		PUT("\n");
	PUT("One.\n");
	for (i = 0; i < blanks; i++)
		PUT("\t\n");
	PUT("Two.\n");
	for (i = 0; i < blanks; i++)
		PUT("\n");
	PUT("Submit\n");
#undef PUT
	assert_true(at < cap);
	s[at] = '\0';
	parse_ok(s, &a);
	assert_string_equal(a.headline, "Headline");
	assert_string_equal(a.body, "One.\n\nTwo.");
	free(s);
}

static void
test_pathological(void **state)
{
	size_t n = 100000, head = strlen(HEAD), i;
	char *s = malloc(head + 6 * n + 16);
	struct import_article a;

	(void)state;
	assert_non_null(s);
	/* 100,000 '*': every one escaped. */
	memcpy(s, HEAD, head);
	memset(s + head, '*', n);
	s[head + n] = '\0';
	parse_ok(s, &a);
	assert_int_equal(strlen(a.body), 2 * n);
	/* 100,000 residue lines at the end. */
	memcpy(s + head, "Text.\n", 6);
	for (i = 0; i < n; i++)
		memcpy(s + head + 6 + 5 * i, "Name\n", 5);
	s[head + 6 + 5 * n] = '\0';
	parse_ok(s, &a);
	assert_string_equal(a.body, "Text.");
	/* 100,000 lines of one paragraph. */
	for (i = 0; i < n; i++)
		memcpy(s + head + 2 * i, "a\n", 2);
	s[head + 2 * n] = '\0';
	parse_ok(s, &a);
	assert_int_equal(strlen(a.body), 2 * n - 1);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_tehran_dateline),
		cmocka_unit_test(test_headline),
		cmocka_unit_test(test_date_line),
		cmocka_unit_test(test_no_body),
		cmocka_unit_test(test_byline),
		cmocka_unit_test(test_dateline),
		cmocka_unit_test(test_paragraphs),
		cmocka_unit_test(test_body_lines),
		cmocka_unit_test(test_persian),
		cmocka_unit_test(test_residue_each),
		cmocka_unit_test(test_residue_form),
		cmocka_unit_test(test_markdown_escaped),
		cmocka_unit_test(test_one_megabyte_line),
		cmocka_unit_test(test_many_blank_lines),
		cmocka_unit_test(test_pathological),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
