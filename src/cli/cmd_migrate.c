/*
 * cmd_migrate.c - `gazette migrate --to postgresql://...`: the command
 * line over store_migrate_to (store/migrate.c), which copies the site's
 * gazette.db into an empty PostgreSQL database and verifies it.
 *
 * Prints one line per table ("articles: 12 rows") and a last one on
 * stdout, then the line to add to gazette.conf: the config is not
 * rewritten, so that the site keeps serving from its file until the
 * operator switches it. No line ever shows the URL's password.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/err.h"

/* Room for store_migrate_to's sentence: a path and a table's name. */
#define MIGRATE_MSG_MAX 4096
/* A URL as shown, password hidden. */
#define MIGRATE_URL_MAX 2048

static const char migrate_usage[] =
	"usage: gazette migrate --to URL [--site DIR]\n"
	"\n"
	"Copies the site's database (DIR/gazette.db) into the PostgreSQL\n"
	"database at URL (postgresql://user@host/db), which must be empty:\n"
	"articles, revisions, comments, users, sessions, media, the logs and\n"
	"the rest, with their ids, in one transaction; each table's rows are\n"
	"counted on both sides before it commits. All or nothing: on an error\n"
	"the PostgreSQL database is left as it was. The site's database is\n"
	"read as it was when the copy began: stop gazette serve first, or\n"
	"what it writes later is not copied. gazette.conf is not changed: the\n"
	"command prints the [store] url line to add. Photos stay files in\n"
	"the site's media directory.\n"
	"\n"
	"  --to URL   the PostgreSQL database (keep its password in\n"
	"             ~/.pgpass or PGPASSWORD rather than in URL)\n";

struct migrate_tally {
	int64_t rows;
	size_t tables;
};

static void
migrate_report(void *ctx, const char *table, int64_t rows,
	       const char *skipped)
{
	struct migrate_tally *t = ctx;
	size_t n = strlen(table);

	if (skipped) {
		/* "articles_fts*": the tables it begins. */
		printf("%.*s: not copied (%s)\n",
		       (int)(n && table[n - 1] == '*' ? n - 1 : n), table,
		       skipped);
		return;
	}
	printf("%s: %lld %s\n", table, (long long)rows,
	       rows == 1 ? "row" : "rows");
	t->rows += rows;
	t->tables++;
}

int
cmd_migrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"to", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct migrate_tally tally = {0, 0};
	const char *site = NULL, *to = NULL;
	char *db = NULL, *url = NULL, *msg = NULL, *shown = NULL;
	bool hidden;
	int c, rc = CLI_FAIL, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			site = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'h':
			fputs(migrate_usage, stdout);
			return CLI_OK;
		default:
			fputs(migrate_usage, stderr);
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("migrate takes no file (\"%s\"): give --to URL",
			  argv[optind]);
		fputs(migrate_usage, stderr);
		return CLI_USAGE;
	}
	if (!to || !*to) {
		cli_error("migrate: where to? give --to postgresql://...");
		fputs(migrate_usage, stderr);
		return CLI_USAGE;
	}
	site = cli_site_dir(site);
	if (!(msg = malloc(MIGRATE_MSG_MAX)) ||
	    !(shown = malloc(MIGRATE_URL_MAX))) {
		cli_error("out of memory");
		goto out;
	}
	hidden = store_url_redact(to, shown, MIGRATE_URL_MAX);
	if (cli_store_url(site, &url) != CLI_OK)
		goto out;
	if (url) {
		cli_error("%s already keeps its database in PostgreSQL ([store] "
			  "url): migrate copies a site's own gazette.db; use "
			  "pg_dump and pg_restore between PostgreSQL databases",
			  site);
		goto out;
	}
	if (!(db = cli_path(site, CONFIG_DB))) {
		cli_error("out of memory");
		goto out;
	}
	err = store_migrate_to(db, to, migrate_report, &tally, msg,
			       MIGRATE_MSG_MAX);
	if (err == GZ_ENOTFOUND) {
		cli_error("no site at %s (no %s): is --site %s the site?", site,
			  CONFIG_DB, site);
		goto out;
	}
	if (err != GZ_OK) {
		cli_error("migrate to %s failed: %s", shown, msg);
		goto out;
	}
	printf("migrated %lld rows in %zu tables to %s\n",
	       (long long)tally.rows, tally.tables, shown);
	printf("\n%s/%s is unchanged and still the site's database. To serve "
	       "from PostgreSQL, add this line to the [store] section of "
	       "%s/%s and restart gazette serve:\n\n    url = %s\n\n",
	       site, CONFIG_DB, site, CONFIG_FILE, shown);
	if (hidden)
		printf("(the password is shown as ***: write it there, or keep "
		       "it in ~/.pgpass or PGPASSWORD)\n");
	printf("Photos stay files in the site's media directory: every node "
	       "needs them there, or in a shared directory ([media] dir).\n");
	rc = CLI_OK;
out:
	free(url);
	free(db);
	free(shown);
	free(msg);
	return rc;
}
