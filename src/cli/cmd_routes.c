/*
 * cmd_routes.c - `gazette routes`: prints every route the site serves,
 * one "METHOD PATTERN" line each ("GET /admin/users", "POST
 * /admin/users/{id}"), in the order the router tries them.
 *
 * The router is built as `gazette serve` builds it (site_new over the
 * site's config, database and theme, then site_routes_add), so the list
 * is the served one and never a copy that can drift: the HTTP tests
 * enumerate every admin route from it. A route taking GET and POST is two
 * lines; HEAD, implied by GET, is not printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "config/config.h"
#include "http/http.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"

static const char routes_usage[] =
	"usage: gazette routes [--site DIR]\n"
	"\n"
	"Prints every route the site in DIR serves, as \"GET /path\" and\n"
	"\"POST /path\" lines, {name} standing for one path segment, in the\n"
	"order they are matched.\n";

/* http_router_each's callback: one line per method. */
static void
routes_print(void *ctx, unsigned methods, const char *pattern)
{
	FILE *out = ctx;

	if (methods & HTTP_GET)
		fprintf(out, "GET %s\n", pattern);
	if (methods & HTTP_POST)
		fprintf(out, "POST %s\n", pattern);
}

int
cmd_routes(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config cfg;
	struct store *st = NULL;
	struct site *site = NULL;
	struct http_router *router = NULL;
	const char *dir = NULL;
	char *theme_dir = NULL, err[768];
	struct stat sb;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': dir = optarg; break;
		case 'h': fputs(routes_usage, stdout); return CLI_OK;
		default: fputs(routes_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind != argc) {
		fputs(routes_usage, stderr);
		return CLI_USAGE;
	}
	dir = cli_site_dir(dir);
	if ((rc = cli_config_open(dir, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(dir, &cfg, &st)) != CLI_OK)
		goto out;
	rc = CLI_FAIL;
	/* As serve: a site's theme/ when it has one, else the default. */
	if (!(theme_dir = cli_path(dir, "theme"))) {
		cli_error("out of memory");
		goto out;
	}
	if (stat(theme_dir, &sb) != 0 && errno == ENOENT) {
		free(theme_dir);
		theme_dir = NULL;
	}
	if (site_new(&cfg, st, theme_dir, &site, err, sizeof(err)) != GZ_OK) {
		cli_error("theme: %s", err);
		goto out;
	}
	if (!(router = http_router_new()) ||
	    site_routes_add(site, router) != GZ_OK) {
		cli_error("out of memory");
		goto out;
	}
	http_router_each(router, routes_print, stdout);
	rc = fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
out:
	http_router_free(router);
	site_free(site);
	free(theme_dir);
	store_close(st);
	config_fini(&cfg);
	return rc;
}
