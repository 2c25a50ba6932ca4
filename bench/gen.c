/*
 * gen.c - writes a synthetic newsroom for `make bench`: COUNT articles and
 * one "bench article", as files `gazette import` reads.
 *
 *	gen DIR COUNT [SEED]
 *
 * writes DIR/articles/NNNNNNN.md (or .txt) and DIR/bench.md, and prints
 * nothing on success. Nine articles in ten are Markdown with front matter
 * (the format that carries a section and tags); every tenth is the plain
 * text a wire service hands over (headline, date line, byline,
 * paragraphs), so both of the importer's readers are measured.
 *
 * The site has 10 sections and 50 tags, five "home" tags per section: an
 * article takes one to four tags, mostly from its own section. Bodies are
 * four to six paragraphs of two to five sentences (about 2 KB); a plain
 * text body opens with its dateline ("RIVERTON - "), front matter has a
 * dateline key. Dates are spread evenly over the ten
 * years before now, in UTC (the bench site's time zone). The bench article
 * is dated an hour ago with its comments open, so that readers may comment
 * on it.
 *
 * The output depends only on COUNT, SEED and the current minute: the
 * random numbers are our own xorshift, not the C library's.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define GEN_SECTIONS 10
#define GEN_TAGS_PER_SECTION 5
#define GEN_YEARS 10

static const char *const sections[GEN_SECTIONS] = {
	"City", "Politics", "Business", "Sport", "Culture",
	"Science", "Health", "Education", "Weather", "Opinion",
};

static const char *const tags[GEN_SECTIONS][GEN_TAGS_PER_SECTION] = {
	{"council", "transport", "housing", "police", "parks"},
	{"elections", "parliament", "budget", "courts", "campaigns"},
	{"markets", "jobs", "retail", "energy", "startups"},
	{"football", "basketball", "athletics", "cycling", "rowing"},
	{"theatre", "music", "books", "film", "museums"},
	{"space", "climate", "research", "technology", "wildlife"},
	{"hospitals", "nutrition", "vaccines", "mental health", "fitness"},
	{"schools", "universities", "teachers", "exams", "libraries"},
	{"storms", "floods", "drought", "heatwave", "forecast"},
	{"editorials", "letters", "columns", "analysis", "interviews"},
};

static const char *const datelines[] = {
	"RIVERTON", "MILLBROOK", "EAST HAVEN", "ST. PAUL", "CEDAR FALLS",
	"PORT ELLIS", "WASHINGTON, D.C.", "LAKESIDE", "NORTH BEND",
	"GRANITE CITY",
};

static const char *const bylines[] = {
	"By the City Desk", "By Maria Okafor", "By James T. Whitfield",
	"By Ana Lucia Ferreira", "By the Sports Staff", "By Henrik Dahl",
	"By Priya Raman", "By Our Science Correspondent", "By Tom O'Neill",
	"By Sarah Kim",
};

/* Lowercase: put_cap capitalises the one that opens a sentence. */
static const char *const subjects[] = {
	"the council", "residents", "the mayor", "officials", "the committee",
	"local businesses", "volunteers", "the school board", "engineers",
	"researchers", "the coach", "opponents of the plan", "the governor",
	"a spokeswoman", "union leaders", "parents", "scientists",
	"the river authority", "shop owners", "emergency crews",
};

static const char *const verbs[] = {
	"approved", "rejected", "debated", "announced", "questioned",
	"welcomed", "postponed", "reviewed", "praised", "criticised",
	"funded", "proposed", "defended", "examined", "delayed",
};

static const char *const objects[] = {
	"the new bridge", "a revised budget", "the housing plan",
	"an overdue repair of the dam", "the summer festival",
	"a study of the water supply", "the bus timetable",
	"a proposal for more cycle lanes", "the stadium lease",
	"plans for a second library", "the annual report",
	"a ban on overnight parking", "the hospital expansion",
	"new rules for street vendors", "the flood defences",
};

static const char *const tails[] = {
	"after a long evening of debate", "on Tuesday",
	"despite strong objections", "by a narrow margin",
	"for the third time this year", "with little discussion",
	"ahead of the winter", "at a packed public meeting",
	"in a statement released late on Friday",
	"after months of negotiation", "without a vote",
	"to the surprise of many observers",
};

static const char *const quotes[] = {
	"We have waited twenty years for this",
	"Nobody asked the people who live here",
	"The numbers simply do not add up",
	"This is a good day for the whole town",
	"We will keep pushing until it is done",
	"It is too early to say what this means",
};

static const char *const heads[] = {
	"Council approves", "Residents debate", "Mayor announces",
	"Officials delay", "Committee rejects", "Volunteers rebuild",
	"Board reviews", "Engineers inspect", "Researchers study",
	"Voters weigh",
};

static const char *const head_objects[] = {
	"new river bridge", "revised city budget", "downtown housing plan",
	"repairs to the old dam", "summer festival schedule",
	"water supply study", "changes to bus routes", "more cycle lanes",
	"stadium lease", "second public library", "parking rules",
	"hospital expansion", "flood defences", "street market rules",
};

static const char *const months[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* A number in [0, n). */
static size_t
rng_below(size_t n)
{
	return (size_t)(rng_next() % (uint64_t)n);
}

#define PICK(a) ((a)[rng_below(N(a))])

/* s with its first letter capitalised (the tables are ASCII). */
static void
put_cap(FILE *f, const char *s)
{
	fputc(s[0] >= 'a' && s[0] <= 'z' ? s[0] - 'a' + 'A' : s[0], f);
	fputs(s + 1, f);
}

/* One sentence, ended with a period. */
static void
put_sentence(FILE *f)
{
	size_t kind = rng_below(4);

	if (kind == 1) {
		fprintf(f, "\"%s,\" said %s, %s.", PICK(quotes),
			PICK(subjects), PICK(tails));
		return;
	}
	put_cap(f, PICK(subjects));
	if (kind == 0)
		fprintf(f, " %s %s %s.", PICK(verbs), PICK(objects),
			PICK(tails));
	else if (kind == 2)
		fprintf(f, " said they %s %s, and %s %s %s.", PICK(verbs),
			PICK(objects), PICK(subjects), PICK(verbs),
			PICK(objects));
	else
		fprintf(f, " %s %s %s, while %s %s %s.", PICK(verbs),
			PICK(objects), PICK(tails), PICK(subjects), PICK(verbs),
			PICK(objects));
}

/* Four to six paragraphs; the first opens with "DATELINE - " when
 * dateline is not NULL (plain text carries it there). */
static void
put_body(FILE *f, const char *dateline)
{
	size_t paras = 4 + rng_below(3), p, s, ns;

	for (p = 0; p < paras; p++) {
		if (p > 0)
			fputs("\n\n", f);
		else if (dateline)
			fprintf(f, "%s - ", dateline);
		ns = 2 + rng_below(4);
		for (s = 0; s < ns; s++) {
			if (s > 0)
				fputc(' ', f);
			put_sentence(f);
		}
	}
	fputc('\n', f);
}

static int
write_article(const char *path, int plain, time_t when, const char *headline,
	      const char *section_tags, size_t section, const char *comments)
{
	const char *dateline = PICK(datelines), *byline = PICK(bylines);
	struct tm tm;
	FILE *f;

	if (!gmtime_r(&when, &tm))
		return -1;
	if (!(f = fopen(path, "w"))) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (plain) {
		fprintf(f, "%s\n\n%s %d, %d - %02d:%02d\n\n%s\n\n", headline,
			months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
			tm.tm_hour, tm.tm_min, byline);
	} else {
		fprintf(f,
			"---\ntitle: %s\ndate: %04d-%02d-%02d %02d:%02d\n"
			"dateline: %s\nbyline: %s\nsection: %s\ntags: %s\n"
			"status: published\n%s---\n",
			headline, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, dateline, byline,
			sections[section], section_tags, comments);
	}
	put_body(f, plain ? dateline : NULL);
	if (fclose(f) != 0) {
		fprintf(stderr, "gen: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

/* Output: buf gets one to four tags, comma-separated, mostly section's. */
static void
pick_tags(char *buf, size_t cap, size_t section)
{
	size_t n = 1 + rng_below(4), i, used = 0, s;
	const char *t;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		s = rng_below(5) == 0 ? rng_below(GEN_SECTIONS) : section;
		t = tags[s][rng_below(GEN_TAGS_PER_SECTION)];
		if (strstr(buf, t))
			continue; /* a repeat; the importer drops it anyway */
		w = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "",
			     t);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
}

int
main(int argc, char **argv)
{
	char path[4096], headline[200], tagbuf[200];
	unsigned long count, i;
	time_t now = time(NULL), span, when;
	size_t section;
	char *end = NULL;
	int w;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: gen DIR COUNT [SEED]\n");
		return 2;
	}
	errno = 0;
	count = strtoul(argv[2], &end, 10);
	if (errno || !end || *end || count == 0 || count > 10000000ul) {
		fprintf(stderr, "gen: COUNT must be 1 to 10000000\n");
		return 2;
	}
	if (argc == 4)
		rng_state ^= strtoull(argv[3], NULL, 10) * 0x2545F4914F6CDD1Dull;
	if (rng_state == 0)
		rng_state = 1;

	w = snprintf(path, sizeof(path), "%s/articles", argv[1]);
	if (w < 0 || (size_t)w >= sizeof(path) ||
	    (mkdir(argv[1], 0755) != 0 && errno != EEXIST) ||
	    (mkdir(path, 0755) != 0 && errno != EEXIST)) {
		fprintf(stderr, "gen: cannot make %s\n", path);
		return 1;
	}

	span = (time_t)GEN_YEARS * 365 * 86400;
	for (i = 0; i < count; i++) {
		int plain = i % 10 == 9;

		/* Evenly spread from ten years ago to a day ago, jittered. */
		when = now - 86400 - span + (time_t)((double)span * (double)i /
						      (double)count) +
		       (time_t)rng_below(3600);
		section = rng_below(GEN_SECTIONS);
		pick_tags(tagbuf, sizeof(tagbuf), section);
		w = snprintf(headline, sizeof(headline), "%s %s, number %lu",
			     PICK(heads), PICK(head_objects), i + 1);
		if (w < 0 || (size_t)w >= sizeof(headline))
			return 1;
		w = snprintf(path, sizeof(path), "%s/articles/%07lu.%s",
			     argv[1], i + 1, plain ? "txt" : "md");
		if (w < 0 || (size_t)w >= sizeof(path))
			return 1;
		if (write_article(path, plain, when, headline, tagbuf,
				  section, "") != 0)
			return 1;
	}

	w = snprintf(path, sizeof(path), "%s/bench.md", argv[1]);
	if (w < 0 || (size_t)w >= sizeof(path))
		return 1;
	if (write_article(path, 0, now - 3600,
			  "Council approves new river bridge after twenty years",
			  "council, transport", 0, "comments: open\n") != 0)
		return 1;
	return 0;
}
