/*
 * cmd_authors.c - `gazette authors`: the people the bylines name. `list`
 * prints each author's slug and name (authors are made when an article's
 * byline first names them); `bio SLUG TEXT` sets the bio their page shows
 * ("" clears it). Names reach the terminal without control characters.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/err.h"
#include "util/limits.h"
#include "util/pool.h"
#include "util/utf8.h"

static const char authors_usage[] =
	"usage: gazette authors list [--site DIR]\n"
	"       gazette authors bio [--site DIR] SLUG TEXT\n"
	"\n"
	"The people the bylines name, each with a page at /author/SLUG.\n"
	"\n"
	"  list   every author: slug and name\n"
	"  bio    set the short text under the author's name on their page\n"
	"         (\"\" clears it); plain text, at most 4096 bytes\n";

static int
authors_list(struct store *st)
{
	struct pool *pool = pool_new(64u * 1024u * 1024u);
	struct store_author *items = NULL;
	size_t n = 0, i;
	int rc;

	if (!pool)
		return CLI_FAIL;
	if ((rc = store_author_list(st, pool, INT64_MAX, &items, &n)) != GZ_OK) {
		fprintf(stderr, "gazette: cannot list the authors (%s)\n",
			gz_strerror(rc));
		pool_free(pool);
		return CLI_FAIL;
	}
	for (i = 0; i < n; i++) {
		/* A byline is an editor's text; still, nothing in it moves
		 * the cursor. */
		char *name = pool_strdup(pool, items[i].name);

		printf("%-32s %s\n", items[i].slug,
		       name ? utf8_clean_line(name) : "");
	}
	if (n == 0)
		printf("no authors yet: they come with the bylines of imported "
		       "articles\n");
	pool_free(pool);
	return CLI_OK;
}

static int
authors_bio(struct store *st, const char *slug, const char *bio)
{
	int rc;

	if (strlen(bio) > GZ_LIMIT_BIO_BYTES ||
	    !utf8_valid(bio, strlen(bio), NULL)) {
		fprintf(stderr, "gazette: the bio must be UTF-8 text of at most "
			"%u bytes\n", GZ_LIMIT_BIO_BYTES);
		return CLI_FAIL;
	}
	if ((rc = store_tx_begin(st)) != GZ_OK)
		goto fail;
	if ((rc = store_author_bio_set(st, slug, bio)) != GZ_OK) {
		store_tx_rollback(st);
		if (rc == GZ_ENOTFOUND) {
			fprintf(stderr, "gazette: no author \"%s\" (gazette "
				"authors list shows them)\n", slug);
			return CLI_FAIL;
		}
		goto fail;
	}
	if ((rc = store_tx_commit(st)) != GZ_OK)
		goto fail;
	printf("%s: bio %s\n", slug, *bio ? "set" : "cleared");
	return CLI_OK;
fail:
	fprintf(stderr, "gazette: cannot set the bio (%s)\n", gz_strerror(rc));
	return CLI_FAIL;
}

int
cmd_authors(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st = NULL;
	const char *site = NULL, *sub;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			site = optarg;
			break;
		case 'h':
			fputs(authors_usage, stdout);
			return CLI_OK;
		default:
			fputs(authors_usage, stderr);
			return CLI_USAGE;
		}
	}
	if (optind == argc) {
		fputs(authors_usage, stderr);
		return CLI_USAGE;
	}
	sub = argv[optind++];
	if (!((strcmp(sub, "list") == 0 && optind == argc) ||
	      (strcmp(sub, "bio") == 0 && optind + 2 == argc))) {
		fprintf(stderr, "gazette authors: expected \"list\" or \"bio "
			"SLUG TEXT\"\n");
		fputs(authors_usage, stderr);
		return CLI_USAGE;
	}
	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	rc = strcmp(sub, "list") == 0 ? authors_list(st)
		: authors_bio(st, argv[optind], argv[optind + 1]);
	store_close(st);
	config_fini(&cfg);
	return rc;
}
