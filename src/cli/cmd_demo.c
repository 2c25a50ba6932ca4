/*
 * cmd_demo.c - `gazette demo`: a sample newsroom, served at once.
 *
 * Makes a throwaway site (a temporary directory, removed on exit, unless
 * --site names one), imports the demo articles compiled into the binary
 * (demo/articles/), and serves it. The demo goes through the same import
 * and serving code as a real site: it is also our smoke test.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/embed.h"
#include "util/err.h"

static const char demo_usage[] =
	"usage: gazette demo [--listen ADDR:PORT] [--site DIR]\n"
	"\n"
	"Serves a sample newsroom (the Riverton Gazette) at once, by default at\n"
	"http://127.0.0.1:8080/, from a temporary site removed on exit; with\n"
	"--site, from DIR, which is created and kept.\n";

/* Writes a new demo config into dir. */
static int
demo_config_write(const char *dir, const char *listen)
{
	struct config cfg;
	char err[512], *path = NULL, *url = NULL;
	int rc = CLI_FAIL;

	if (config_init(&cfg) != GZ_OK || config_secret_generate(&cfg) != GZ_OK)
		goto out;
	if (!(url = malloc(strlen(listen) + 8)))
		goto out;
	memcpy(url, "http://", 7);
	memcpy(url + 7, listen, strlen(listen) + 1);
	if (config_set(&cfg, "site", "timezone", "America/New_York", err, sizeof(err)) ||
	    config_set(&cfg, "site", "base_url", url, err, sizeof(err)) ||
	    config_set(&cfg, "server", "listen", listen, err, sizeof(err))) {
		cli_error("%s", err);
		goto out;
	}
	if (!(path = cli_path(dir, CONFIG_FILE)) ||
	    config_write_new(&cfg, path) != GZ_OK) {
		cli_error("cannot write the demo config in %s", dir);
		goto out;
	}
	rc = CLI_OK;
out:
	free(path);
	free(url);
	config_fini(&cfg);
	return rc;
}

static int
demo_import(struct store *st, const struct config *cfg)
{
	char key[256];
	bool created;
	size_t i;
	int n;

	for (i = 0; i < embed_demo_count; i++) {
		const struct embed_file *f = &embed_demo[i];

		if (strncmp(f->name, "articles/", 9) != 0)
			continue;
		n = snprintf(key, sizeof(key), "demo:%s", f->name);
		if (n < 0 || (size_t)n >= sizeof(key))
			return CLI_FAIL;
		if (cli_import_bytes(st, cfg, f->name, key,
				     (const char *)f->data, f->len, false,
				     &created) != GZ_OK)
			return CLI_FAIL;
	}
	return CLI_OK;
}

/* Removes the throwaway site's files and directory. */
static void
demo_cleanup(const char *dir)
{
	static const char *const files[] = {
		CONFIG_FILE, CONFIG_DB, CONFIG_DB "-wal", CONFIG_DB "-shm",
	};
	size_t i;
	char *p;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if ((p = cli_path(dir, files[i])) != NULL) {
			unlink(p);
			free(p);
		}
	}
	rmdir(dir);
}

int
cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{"site", required_argument, NULL, 's'},
		{"listen", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char tmp[] = "/tmp/gazette-demo-XXXXXX", *conf = NULL;
	const char *site = NULL, *listen = "127.0.0.1:8080";
	struct config cfg;
	struct store *st = NULL;
	bool have_cfg = false, throwaway = false;
	struct stat sb;
	int c, rc = CLI_FAIL;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': site = optarg; break;
		case 'l': listen = optarg; break;
		case 'h': fputs(demo_usage, stdout); return CLI_OK;
		default: fputs(demo_usage, stderr); return CLI_USAGE;
		}
	}
	if (optind != argc) {
		fputs(demo_usage, stderr);
		return CLI_USAGE;
	}
	if (!site) {
		if (!mkdtemp(tmp)) {
			cli_error("cannot make a temporary directory: %s",
				  strerror(errno));
			return CLI_FAIL;
		}
		site = tmp;
		throwaway = true;
	} else if (mkdir(site, 0755) != 0 && errno != EEXIST) {
		cli_error("cannot create %s: %s", site, strerror(errno));
		return CLI_FAIL;
	}
	if (!(conf = cli_path(site, CONFIG_FILE)))
		goto out;
	if (stat(conf, &sb) != 0 && demo_config_write(site, listen) != CLI_OK)
		goto out;
	if (cli_config_open(site, &cfg) != CLI_OK)
		goto out;
	have_cfg = true;
	if (cli_store_open(site, &st) != CLI_OK || demo_import(st, &cfg) != CLI_OK)
		goto out;
	rc = cli_serve_site(site, &cfg, st, listen);
out:
	store_close(st);
	if (have_cfg)
		config_fini(&cfg);
	free(conf);
	if (throwaway)
		demo_cleanup(site);
	return rc;
}
