/*
 * cmd_article.c - `gazette article list|show|unpublish|delete` and
 * `gazette log`: the newsroom's articles and its audit log on the
 * command line.
 *
 * Data flow: the commands open the site's database like the others
 * (cli_store_open) and use the store's admin functions; every write is
 * one transaction with its audit entry, whose actor is "cli:" and the
 * login name. Times are shown in the site's zone (cli_config_open sets
 * it).
 *
 * Invariant: text people wrote reaches the terminal only through
 * cli_term_text (one line) or cli_term_block (several), which drop
 * control and bidirectional-control characters.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/date.h"
#include "util/err.h"
#include "util/pool.h"
#include "util/utf8.h"

/* Memory for one command's reads: an article with its body. */
#define ARTICLE_POOL_MAX (64u * 1024u * 1024u)
/* Rows `article list` and `log` show without --limit, and at most. */
#define ARTICLE_LIMIT_DEFAULT 50
#define ARTICLE_LIMIT_MAX 200
#define LOG_LIMIT_DEFAULT 100
#define LOG_LIMIT_MAX 1000
/* Characters of a headline in `article list`, of a detail in `log`. */
#define HEADLINE_CHARS 70
#define DETAIL_CHARS 60
#define CELL_CHARS 40
#define TERM_BYTES(max) ((max) * 4 + 4)

static const char article_usage[] =
	"usage: gazette article list [--site DIR] [--status STATUS] [--limit N]\n"
	"       gazette article show [--site DIR] ID\n"
	"       gazette article unpublish [--site DIR] ID\n"
	"       gazette article delete [--site DIR] [--yes] ID\n"
	"\n"
	"Lists and shows articles of any status, takes one down or deletes\n"
	"it. Every change is in the audit log with your login name.\n"
	"\n"
	"  list       articles, most recently changed first\n"
	"  show       every field, the body, revisions and corrections\n"
	"  unpublish  take a published article down (kept, not public)\n"
	"  delete     remove it with its comments and history; asks first\n"
	"\n"
	"  --status STATUS  draft, review, scheduled, published or unpublished\n"
	"  --limit N        at most N articles (default 50, at most 200)\n"
	"  --yes            delete without asking (required when not on a\n"
	"                   terminal)\n";

static const char log_usage[] =
	"usage: gazette log [--site DIR] [--limit N] [--actor ACTOR]\n"
	"\n"
	"Prints the audit log, newest first: who signed in, published,\n"
	"edited, deleted or moderated what, and when (in the site's zone).\n"
	"\n"
	"  --limit N      at most N entries (default 100, at most 1000)\n"
	"  --actor ACTOR  only what ACTOR did (\"admin:ann\", \"cli:root\")\n";

static int
usage_to(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints "gazette: " and the message (when fmt is not NULL), then usage,
 * on stderr; returns CLI_USAGE. */
static int
usage_to(const char *usage, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fputs("gazette: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs(usage, stderr);
	return CLI_USAGE;
}

static int
parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || *s < '0' || *s > '9')
		return GZ_EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return GZ_EINVAL;
	*out = (int64_t)v;
	return GZ_OK;
}

/* An article's status in words, as the newsroom's pages say it. */
static const char *
article_state(const struct store_article *a, int64_t now)
{
	if (a->status == STORE_UNPUBLISHED ||
	    (a->status == STORE_DRAFT && a->unpublished_at))
		return "unpublished";
	if (a->status == STORE_SCHEDULED)
		return a->published_at > now ? "scheduled" : "published";
	if (a->status == STORE_PUBLISHED)
		return "published";
	return a->review_at ? "in review" : "draft";
}

static void
print_time(const char *label, int64_t t)
{
	char d[DATE_MAX];

	if (!t) {
		printf("%-12s -\n", label);
		return;
	}
	date_format_human(t, d);
	printf("%-12s %s\n", label, d);
}

static void
print_field(const char *label, const char *s)
{
	char out[TERM_BYTES(512)];

	(void)cli_term_text(s ? s : "", 512, out);
	printf("%-12s %s\n", label, out);
}

static int
article_list(struct store *st, int status, bool review, size_t limit)
{
	struct pool *pool = pool_new(ARTICLE_POOL_MAX);
	struct store_admin_query q = {0};
	struct store_article *items = NULL;
	size_t n = 0, total = 0, i;
	int64_t now = (int64_t)time(NULL);
	char when[DATE_MAX], head[TERM_BYTES(HEADLINE_CHARS)];
	int rc = CLI_FAIL, err;

	if (!pool) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	q.status = status;
	q.in_review = review;
	q.scheduled_future = status == STORE_SCHEDULED;
	q.now = now;
	q.limit = limit;
	if ((err = store_article_admin_list(st, pool, &q, &items, &n,
					    &total))) {
		cli_error("cannot read the articles (%s)", gz_strerror(err));
		goto out;
	}
	if (n == 0) {
		printf("no articles\n");
		rc = CLI_OK;
		goto out;
	}
	printf("%6s  %-11s  %-22s  %s\n", "ID", "STATUS", "UPDATED",
	       "HEADLINE");
	for (i = 0; i < n; i++) {
		date_format_human(items[i].updated_at, when);
		(void)cli_term_text(items[i].headline, HEADLINE_CHARS, head);
		printf("%6lld  %-11s  %-22s  %s\n", (long long)items[i].id,
		       article_state(&items[i], now), when, head);
	}
	if (total > n)
		fprintf(stderr, "showing %zu of %zu (--limit N shows up to "
				"%d)\n", n, total, ARTICLE_LIMIT_MAX);
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

static int
article_show(struct store *st, int64_t id)
{
	struct pool *pool = pool_new(ARTICLE_POOL_MAX);
	struct store_article a;
	struct store_revision *revs = NULL;
	struct store_correction *corr = NULL;
	size_t nrevs = 0, ncorr = 0, i;
	int64_t now = (int64_t)time(NULL);
	char when[DATE_MAX], line[TERM_BYTES(1024)];
	int rc = CLI_FAIL, err;

	if (!pool) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if ((err = store_article_get(st, pool, id, 0, &a))) {
		if (err == GZ_ENOTFOUND)
			cli_error("no article %lld", (long long)id);
		else
			cli_error("cannot read article %lld (%s)",
				  (long long)id, gz_strerror(err));
		goto out;
	}
	if ((err = store_revision_list(st, pool, id, &revs, &nrevs)) ||
	    (err = store_correction_list(st, pool, id, &corr, &ncorr))) {
		cli_error("cannot read article %lld's history (%s)",
			  (long long)id, gz_strerror(err));
		goto out;
	}
	printf("%-12s %lld\n", "id", (long long)a.id);
	print_field("headline", a.headline);
	print_field("slug", a.slug);
	printf("%-12s %s\n", "status", article_state(&a, now));
	print_field("dateline", a.dateline);
	print_field("byline", a.byline);
	printf("%-12s ", "authors");
	for (i = 0; i < a.nauthors; i++) {
		(void)cli_term_text(a.authors[i].name, CELL_CHARS, line);
		printf("%s%s", i ? ", " : "", line);
	}
	printf("\n");
	print_field("section", a.section_name);
	printf("%-12s ", "tags");
	for (i = 0; i < a.ntags; i++) {
		(void)cli_term_text(a.tags[i].name, CELL_CHARS, line);
		printf("%s%s", i ? ", " : "", line);
	}
	printf("\n");
	print_field("lang", a.lang);
	print_field("summary", a.summary);
	/* The lead image, by its media id: gazette media show tells more. */
	if (a.image) {
		(void)cli_term_text(a.image->decorative ? "(decorative)"
							: a.image->alt,
				    CELL_CHARS, line);
		printf("%-12s media %lld: %s\n", "image",
		       (long long)a.image->id, line);
	} else {
		printf("%-12s -\n", "image");
	}
	print_time("published", a.published_at);
	print_time("created", a.created_at);
	print_time("updated", a.updated_at);
	print_time("review", a.review_at);
	print_time("unpublished", a.unpublished_at);
	printf("%-12s %lld\n", "owner", (long long)a.owner_id);
	printf("%-12s %lld\n", "comments", (long long)a.comment_count);
	printf("%-12s %zu\n", "revisions", nrevs);
	printf("%-12s %zu\n", "corrections", ncorr);
	for (i = 0; i < ncorr; i++) {
		date_format_human(corr[i].created_at, when);
		(void)cli_term_text(corr[i].text, 1024, line);
		printf("  Correction, %s: %s\n", when, line);
	}
	printf("\n");
	cli_term_block(stdout, a.body);
	printf("\n");
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

/* Runs one write with its audit entry in one transaction. */
static int
article_write(struct store *st, int64_t id, bool delete, const char *actor)
{
	struct pool *pool = pool_new(ARTICLE_POOL_MAX);
	struct store_article a;
	char object[64];
	int64_t now = (int64_t)time(NULL);
	int err, n;

	if (!pool) {
		cli_error("out of memory");
		return GZ_ENOMEM;
	}
	if ((err = store_article_get(st, pool, id, 0, &a))) {
		if (err == GZ_ENOTFOUND)
			cli_error("no article %lld", (long long)id);
		else
			cli_error("cannot read article %lld (%s)",
				  (long long)id, gz_strerror(err));
		goto out;
	}
	if (!delete && (a.status == STORE_DRAFT ||
			a.status == STORE_UNPUBLISHED)) {
		cli_error("article %lld is not published", (long long)id);
		err = GZ_EINVAL;
		goto out;
	}
	n = snprintf(object, sizeof(object), "article:%lld", (long long)id);
	if (n < 0 || (size_t)n >= sizeof(object)) {
		err = GZ_EINVAL;
		goto out;
	}
	if ((err = store_tx_begin(st))) {
		cli_error("the database is busy (%s)", gz_strerror(err));
		goto out;
	}
	err = delete ? store_article_delete(st, id)
		     : store_article_status_set(st, id, STORE_UNPUBLISHED, 0,
						actor, now);
	if (err == GZ_OK)
		err = store_audit_add(st, actor, delete ? "delete"
							: "unpublish",
				      object, a.headline, "", now);
	if (err) {
		store_tx_rollback(st);
		cli_error("article %lld: %s", (long long)id, gz_strerror(err));
		goto out;
	}
	if ((err = store_tx_commit(st))) {
		cli_error("article %lld: cannot commit (%s)", (long long)id,
			  gz_strerror(err));
		goto out;
	}
	printf("%s %lld\n", delete ? "deleted" : "unpublished", (long long)id);
out:
	pool_free(pool);
	return err;
}

/* Asks on the terminal whether to delete article id. */
static bool
article_confirm(struct store *st, int64_t id)
{
	struct pool *pool = pool_new(ARTICLE_POOL_MAX);
	struct store_article a;
	char head[TERM_BYTES(HEADLINE_CHARS)], answer[16];
	bool yes = false;

	if (!pool)
		return false;
	if (store_article_get(st, pool, id, 0, &a) != GZ_OK) {
		pool_free(pool);
		return true; /* the delete says there is no such article */
	}
	(void)cli_term_text(a.headline, HEADLINE_CHARS, head);
	fprintf(stderr, "Delete \"%s\"? This removes its %lld comments and "
			"history. [y/N] ", head, (long long)a.comment_count);
	if (fgets(answer, sizeof(answer), stdin) &&
	    (answer[0] == 'y' || answer[0] == 'Y'))
		yes = true;
	pool_free(pool);
	return yes;
}

int
cmd_article(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"status", required_argument, NULL, 't'},
		{"limit", required_argument, NULL, 'l'},
		{"yes", no_argument, NULL, 'y'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st = NULL;
	const char *site = NULL, *sub;
	char actor[300];
	int status = -1, c, rc;
	bool review = false, yes = false, listing_opts = false;
	int64_t id = 0, limit = ARTICLE_LIMIT_DEFAULT;

	optind = 0;
	while ((c = getopt_long(argc, argv, "hy", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			site = optarg;
			break;
		case 't':
			listing_opts = true;
			if (strcmp(optarg, "draft") == 0)
				status = STORE_DRAFT;
			else if (strcmp(optarg, "review") == 0) {
				status = STORE_DRAFT;
				review = true;
			} else if (strcmp(optarg, "scheduled") == 0)
				status = STORE_SCHEDULED;
			else if (strcmp(optarg, "published") == 0)
				status = STORE_PUBLISHED;
			else if (strcmp(optarg, "unpublished") == 0)
				status = STORE_UNPUBLISHED;
			else
				return usage_to(article_usage, "--status: \"%s\" "
						"is not draft, review, "
						"scheduled, published or "
						"unpublished", optarg);
			break;
		case 'l':
			listing_opts = true;
			if (parse_id(optarg, &limit) != GZ_OK ||
			    limit > ARTICLE_LIMIT_MAX)
				return usage_to(article_usage, "--limit: \"%s\" "
						"is not a number from 1 to %d",
						optarg, ARTICLE_LIMIT_MAX);
			break;
		case 'y':
			yes = true;
			break;
		case 'h':
			fputs(article_usage, stdout);
			return CLI_OK;
		default:
			return usage_to(article_usage, NULL);
		}
	}
	if (optind == argc)
		return usage_to(article_usage, NULL);
	sub = argv[optind++];
	if (strcmp(sub, "list") == 0) {
		if (optind < argc)
			return usage_to(article_usage, "list takes no ids "
					"(\"%s\")", argv[optind]);
	} else if (strcmp(sub, "show") == 0 || strcmp(sub, "unpublish") == 0 ||
		   strcmp(sub, "delete") == 0) {
		if (listing_opts)
			return usage_to(article_usage, "--status and --limit go "
					"with list, not %s", sub);
		if (optind + 1 != argc || parse_id(argv[optind], &id) != GZ_OK)
			return usage_to(article_usage, "%s: give one article id",
					sub);
	} else {
		return usage_to(article_usage, "unknown article command \"%s\"",
				sub);
	}
	if (yes && strcmp(sub, "delete") != 0)
		return usage_to(article_usage, "--yes goes with delete");

	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	cli_actor(actor, sizeof(actor));
	if (strcmp(sub, "list") == 0) {
		rc = article_list(st, status, review, (size_t)limit);
	} else if (strcmp(sub, "show") == 0) {
		rc = article_show(st, id);
	} else if (strcmp(sub, "unpublish") == 0) {
		rc = article_write(st, id, false, actor) ? CLI_FAIL : CLI_OK;
	} else if (!yes && !isatty(STDIN_FILENO)) {
		cli_error("delete removes article %lld for good: say --yes "
			  "when not on a terminal", (long long)id);
		rc = CLI_FAIL;
	} else if (!yes && !article_confirm(st, id)) {
		fprintf(stderr, "not deleted\n");
		rc = CLI_FAIL;
	} else {
		rc = article_write(st, id, true, actor) ? CLI_FAIL : CLI_OK;
	}
	store_close(st);
	config_fini(&cfg);
	return rc;
}

int
cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"limit", required_argument, NULL, 'l'},
		{"actor", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct store_audit_filter f = {0};
	struct store_audit *items = NULL;
	struct config cfg;
	struct store *st = NULL;
	struct pool *pool = NULL;
	const char *site = NULL;
	char when[DATE_MAX], who[TERM_BYTES(CELL_CHARS)];
	char what[TERM_BYTES(CELL_CHARS)], obj[TERM_BYTES(CELL_CHARS)];
	char detail[TERM_BYTES(DETAIL_CHARS)];
	int64_t limit = LOG_LIMIT_DEFAULT;
	size_t n = 0, i;
	int c, rc, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			site = optarg;
			break;
		case 'l':
			if (parse_id(optarg, &limit) != GZ_OK ||
			    limit > LOG_LIMIT_MAX)
				return usage_to(log_usage, "--limit: \"%s\" is "
						"not a number from 1 to %d",
						optarg, LOG_LIMIT_MAX);
			break;
		case 'a':
			if (!*optarg || strlen(optarg) > 512 ||
			    !utf8_valid(optarg, strlen(optarg), NULL))
				return usage_to(log_usage, "--actor: give a name "
						"such as admin:ann");
			f.actor = optarg;
			break;
		case 'h':
			fputs(log_usage, stdout);
			return CLI_OK;
		default:
			return usage_to(log_usage, NULL);
		}
	}
	if (optind < argc)
		return usage_to(log_usage, "log takes no arguments (\"%s\")",
				argv[optind]);
	f.limit = (size_t)limit;
	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	rc = CLI_FAIL;
	if (!(pool = pool_new(ARTICLE_POOL_MAX))) {
		cli_error("out of memory");
		goto out;
	}
	if ((err = store_audit_list(st, pool, &f, &items, &n))) {
		cli_error("cannot read the audit log (%s)", gz_strerror(err));
		goto out;
	}
	if (n == 0) {
		printf("nothing in the log\n");
		rc = CLI_OK;
		goto out;
	}
	printf("%-22s  %-20s  %-14s  %-16s  %s\n", "WHEN", "WHO", "WHAT",
	       "OBJECT", "DETAIL");
	for (i = 0; i < n; i++) {
		date_format_human(items[i].at, when);
		(void)cli_term_text(items[i].actor, CELL_CHARS, who);
		(void)cli_term_text(items[i].action, CELL_CHARS, what);
		(void)cli_term_text(items[i].object, CELL_CHARS, obj);
		(void)cli_term_text(items[i].detail, DETAIL_CHARS, detail);
		printf("%-22s  %-20s  %-14s  %-16s  %s\n", when, who, what, obj,
		       detail);
	}
	rc = CLI_OK;
out:
	pool_free(pool);
	store_close(st);
	config_fini(&cfg);
	return rc;
}
