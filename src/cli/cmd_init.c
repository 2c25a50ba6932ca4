/*
 * cmd_init.c - `gazette init`: makes a new site directory with its config
 * (and a fresh random secret), an empty database, and the first admin
 * account with a one-time password printed once (cmd_user.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/err.h"

static const char init_usage[] =
	"usage: gazette init [--site DIR] [--title TITLE] [--timezone AREA/CITY]\n"
	"                    [--base-url URL] [--listen ADDR:PORT] [--language TAG]\n"
	"                    [--hash-cost interactive|moderate|minimum]\n"
	"\n"
	"Creates a site: DIR/gazette.conf (with a random secret) and DIR/gazette.db,\n"
	"with a first admin account, \"admin\", whose one-time password it prints.\n"
	"DIR is --site, else $GAZETTE_SITE, else ./site. An existing site is never\n"
	"overwritten.\n"
	"\n"
	"  --title TITLE        site name (default: The Riverton Gazette)\n"
	"  --timezone ZONE      IANA time zone for dates (default: UTC)\n"
	"  --base-url URL       public address, e.g. https://news.example.org\n"
	"  --listen ADDR:PORT   where `gazette serve` listens (default 127.0.0.1:8080)\n"
	"  --language TAG       site language, e.g. en, fa (default: en)\n"
	"  --hash-cost COST     work per password hash, [admin] hash_cost\n"
	"                       (default: interactive; minimum is for test sites)\n";

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"title", required_argument, NULL, 't'},
		{"timezone", required_argument, NULL, 'z'},
		{"base-url", required_argument, NULL, 'b'},
		{"listen", required_argument, NULL, 'l'},
		{"language", required_argument, NULL, 'L'},
		{"hash-cost", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st = NULL;
	const char *site = NULL, *key = NULL;
	char err[512], *path = NULL;
	int c, rc = CLI_FAIL;

	if (config_init(&cfg) != GZ_OK) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	if (config_secret_generate(&cfg) != GZ_OK) {
		cli_error("out of memory");
		goto out;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char *section = "site";
		switch (c) {
		case 's': site = optarg; continue;
		case 'h': fputs(init_usage, stdout); rc = CLI_OK; goto out;
		case 't': key = "title"; break;
		case 'z': key = "timezone"; break;
		case 'b': key = "base_url"; break;
		case 'L': key = "language"; break;
		case 'l': key = "listen"; section = "server"; break;
		case 'c': key = "hash_cost"; section = "admin"; break;
		default: fputs(init_usage, stderr); rc = CLI_USAGE; goto out;
		}
		if (config_set(&cfg, section, key, optarg, err, sizeof(err))) {
			cli_error("%s", err);
			rc = CLI_USAGE;
			goto out;
		}
	}
	if (optind != argc) {
		fputs(init_usage, stderr);
		rc = CLI_USAGE;
		goto out;
	}
	site = cli_site_dir(site);
	if (mkdir(site, 0755) != 0 && errno != EEXIST) {
		cli_error("cannot create %s: %s", site, strerror(errno));
		goto out;
	}
	if (!(path = cli_path(site, CONFIG_FILE)))
		goto out;
	switch (config_write_new(&cfg, path)) {
	case GZ_OK:
		break;
	case GZ_EEXIST:
		cli_error("%s already exists: %s is a site already", path, site);
		goto out;
	default:
		cli_error("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	if (cli_store_create(site, &cfg, &st) != CLI_OK)
		goto out;
	printf("Created the site in %s (time zone %s).\n"
	       "Import articles:  gazette import --site %s FILE...\n"
	       "Serve it:         gazette serve --site %s\n",
	       site, cfg.timezone, site, site);
	if (cli_user_first_admin(st, &cfg) != CLI_OK)
		goto out;
	rc = CLI_OK;
out:
	store_close(st);
	free(path);
	config_fini(&cfg);
	return rc;
}
