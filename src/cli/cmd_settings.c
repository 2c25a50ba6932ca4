/*
 * cmd_settings.c - `gazette settings`: the site's settings an admin may
 * change over gazette.conf (the settings page at /admin/settings), from
 * the command line: `list` prints each with its value and where it comes
 * from, `set KEY VALUE` stores one (validated as gazette.conf's values
 * are), `unset KEY` goes back to gazette.conf's value.
 *
 * Data flow: settings live in the store (store_setting_put fires
 * "settings"); a running server hears of it (store_changes_sync) and
 * loads its config again: gazette.conf, then the stored settings on top
 * (cli_settings_overlay, also at start). Each change is written with its
 * audit entry in one transaction.
 *
 * Invariants: a value is stored only once config_setting_check passed;
 * gazette.conf is never written here.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "store/store.h"
#include "util/err.h"
#include "util/pool.h"
#include "util/utf8.h"

static const char settings_usage[] =
	"usage: gazette settings list [--site DIR]\n"
	"       gazette settings set [--site DIR] KEY VALUE\n"
	"       gazette settings unset [--site DIR] KEY\n"
	"\n"
	"Settings an admin changes over gazette.conf, here or at /admin/settings;\n"
	"a running server applies them at once (site.timezone at its next start).\n"
	"\n"
	"  list    every setting, its value, and whether it is stored or\n"
	"          gazette.conf's\n"
	"  set     store VALUE for KEY (checked as gazette.conf's values are)\n"
	"  unset   forget KEY's stored value: gazette.conf's applies again\n"
	"\n"
	"Keys: site.title, site.timezone, comments.moderation (pre, first-time,\n"
	"post), comments.require_email (yes, no), comments.close_after_days,\n"
	"comments.hold_words, comments.block_words (comma-separated).\n";

/* The pool a settings command reads into. */
#define SETTINGS_POOL_BYTES (1u << 20)

int
cli_settings_overlay(struct store *st, struct config *cfg, bool zone)
{
	struct pool *pool = pool_new(SETTINGS_POOL_BYTES);
	struct store_setting *items = NULL;
	struct config_pair *pairs = NULL;
	size_t n = 0, i;
	int rc;

	if (!pool)
		return GZ_ENOMEM;
	if ((rc = store_setting_list(st, pool, &items, &n)) != GZ_OK)
		goto out;
	if (n && !(pairs = pool_calloc(pool, n, sizeof(*pairs)))) {
		rc = GZ_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		pairs[i].key = items[i].key;
		pairs[i].value = items[i].value;
	}
	rc = config_overlay(cfg, pairs, n, zone, NULL);
out:
	pool_free(pool);
	return rc;
}

/* "cli:" and the user's name ($USER, else the password entry), else
 * "cli:" and the uid: who the audit log says changed a setting. */
static void
settings_actor(char *out, size_t outlen)
{
	char pwbuf[4096];
	struct passwd pw, *found = NULL;
	const char *name = getenv("USER");
	int n = -1;

	if ((!name || !*name) &&
	    getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &found) == 0 &&
	    found)
		name = found->pw_name;
	if (name && *name && utf8_valid(name, strlen(name), NULL))
		n = snprintf(out, outlen, "cli:%s", name);
	if (n < 0 || (size_t)n >= outlen)
		(void)snprintf(out, outlen, "cli:%lu", (unsigned long)getuid());
}

/* Stores value (NULL: removes) for key with its audit entry, in one
 * transaction. Returns an exit status; what went wrong is on stderr. */
static int
settings_put(struct store *st, const char *key, const char *value)
{
	char err[512], actor[300], object[96];
	int rc, w;

	if (value && config_setting_check(key, value, err, sizeof(err)) !=
	    GZ_OK) {
		cli_error("%s", err);
		return CLI_FAIL;
	}
	if (!value && !config_setting_known(key)) {
		cli_error("%s: not a setting (see gazette settings --help)", key);
		return CLI_FAIL;
	}
	settings_actor(actor, sizeof(actor));
	/* Known keys are short. */
	w = snprintf(object, sizeof(object), "setting:%s", key);
	if (w < 0 || (size_t)w >= sizeof(object)) {
		cli_error("%s: not a setting", key);
		return CLI_FAIL;
	}
	if ((rc = store_tx_begin(st)) != GZ_OK)
		goto fail;
	if ((rc = store_setting_put(st, key, value)) != GZ_OK ||
	    (rc = store_audit_add(st, actor, value ? "setting" : "setting-unset",
				  object, value ? value : "", "",
				  (int64_t)time(NULL))) != GZ_OK) {
		store_tx_rollback(st);
		goto fail;
	}
	if ((rc = store_tx_commit(st)) != GZ_OK)
		goto fail;
	if (value)
		printf("%s = %s\n", key, value);
	else
		printf("%s: gazette.conf's value applies\n", key);
	return CLI_OK;
fail:
	cli_error("cannot store the setting (%s)", gz_strerror(rc));
	return CLI_FAIL;
}

/* Prints every setting: its value and whether it is stored or
 * gazette.conf's (cfg: the file's values). */
static int
settings_list(struct store *st, const struct config *cfg)
{
	struct pool *pool = pool_new(SETTINGS_POOL_BYTES);
	struct store_setting *items = NULL;
	size_t n = 0, i, k;
	char num[32];
	int rc = CLI_FAIL;

	if (!pool || store_setting_list(st, pool, &items, &n) != GZ_OK) {
		cli_error("cannot read the settings");
		goto out;
	}
	for (k = 0; config_setting_keys[k]; k++) {
		const char *key = config_setting_keys[k], *stored = NULL;

		for (i = 0; i < n; i++)
			if (strcmp(items[i].key, key) == 0)
				stored = items[i].value;
		if (stored)
			printf("%-28s %s (set here)\n", key, stored);
		else
			printf("%-28s %s (gazette.conf)\n", key,
			       config_setting_value(cfg, key, num,
						    sizeof(num)));
	}
	/* Stored keys this gazette does not know: skipped when serving. */
	for (i = 0; i < n; i++)
		if (!config_setting_known(items[i].key))
			printf("%-28s %s (unknown: ignored)\n", items[i].key,
			       items[i].value);
	rc = CLI_OK;
out:
	pool_free(pool);
	return rc;
}

int
cmd_settings(int argc, char **argv)
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
			fputs(settings_usage, stdout);
			return CLI_OK;
		default:
			fputs(settings_usage, stderr);
			return CLI_USAGE;
		}
	}
	if (optind == argc)
		goto usage;
	sub = argv[optind++];
	if (!((strcmp(sub, "list") == 0 && optind == argc) ||
	      (strcmp(sub, "set") == 0 && optind + 2 == argc) ||
	      (strcmp(sub, "unset") == 0 && optind + 1 == argc)))
		goto usage;
	site = cli_site_dir(site);
	if ((rc = cli_config_open(site, &cfg)) != CLI_OK)
		return rc;
	if ((rc = cli_store_open(site, &cfg, &st)) != CLI_OK) {
		config_fini(&cfg);
		return rc;
	}
	if (strcmp(sub, "list") == 0)
		rc = settings_list(st, &cfg);
	else if (strcmp(sub, "set") == 0)
		rc = settings_put(st, argv[optind], argv[optind + 1]);
	else
		rc = settings_put(st, argv[optind], NULL);
	store_close(st);
	config_fini(&cfg);
	return rc;
usage:
	fprintf(stderr, "gazette settings: expected \"list\", \"set KEY VALUE\" "
		"or \"unset KEY\"\n");
	fputs(settings_usage, stderr);
	return CLI_USAGE;
}
