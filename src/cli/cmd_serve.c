/*
 * cmd_serve.c - `gazette serve`: serves a site until SIGINT or SIGTERM.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"

static const char serve_usage[] =
	"usage: gazette serve [--site DIR] [--listen ADDR:PORT]\n"
	"\n"
	"Serves the site in DIR (--site, else $GAZETTE_SITE, else ./site) until\n"
	"interrupted. --listen overrides [server] listen in gazette.conf; port 0\n"
	"picks a free port, printed on stderr.\n";

int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"listen", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st = NULL;
	const char *site = NULL, *listen = NULL;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': site = optarg; break;
		case 'l': listen = optarg; break;
		case 'h': fputs(serve_usage, stdout); return CLI_OK;
		default: fputs(serve_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind != argc) {
		fputs(serve_usage, stderr);
		return CLI_USAGE;
	}
	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) == CLI_OK)
		rc = cli_serve_site(site, &cfg, st, listen);
	store_close(st);
	config_fini(&cfg);
	return rc;
}
